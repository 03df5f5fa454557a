//! Seed 002, waiting & timeouts: `wait_for(eternity(), timeout=1.0)`.
//!
//! ```python
//! async def eternity():
//!     # Sleep for one hour
//!     await asyncio.sleep(3600)
//!     print('yay!')
//!
//! async def main():
//!     # Wait for at most 1 second
//!     try:
//!         await asyncio.wait_for(eternity(), timeout=1.0)
//!     except asyncio.TimeoutError:
//!         print('timeout!')
//!
//! loop = asyncio.get_event_loop()
//! loop.run_until_complete(main())
//! ```
//!
//! On timeout `eternity()` is dropped where it waits: cancelled, as asyncio
//! cancels it. (`tulip::timeout(d, fut)` is `async with asyncio.timeout(d):`.)
#[path = "common/mod.rs"]
mod common;

async fn eternity() {
    // Sleep for one hour
    tulip::sleep(common::secs(3600.0)).await;
    println!("yay!");
}

async fn main_coro() {
    // Wait for at most 1 second
    if let Err(tulip::TimeoutError) = tulip::wait_for(eternity(), Some(common::secs(1.0))).await {
        println!("timeout!");
    }
}

fn main() {
    let ev = tulip::new_event_loop();
    ev.run_until_complete(main_coro());
}
