//! The first program of the asyncio docs (seed 002's twin is `hello_world`):
//!
//! ```python
//! async def main():
//!     print('Hello ...')
//!     await asyncio.sleep(1)
//!     print('... World!')
//!
//! asyncio.run(main())
//! ```
#[path = "common/mod.rs"]
mod common;

async fn main_coro() {
    println!("Hello ...");
    tulip::sleep(common::secs(1.0)).await;
    println!("... World!");
}

fn main() {
    tulip::run(main_coro());
}
