//! Seed 002 ("Асинхронное программирование. Библиотека asyncio"), its first
//! example:
//!
//! ```python
//! async def main():
//!     print('hello')
//!     await asyncio.sleep(1)
//!     print('world')
//!
//! loop = asyncio.get_event_loop()
//! # Blocking call which returns when the main() coroutine is done
//! loop.run_until_complete(main())
//! loop.close()
//! ```
//!
//! `asyncio.get_event_loop()` is `tulip::new_event_loop()`: tulip has no
//! implicit loop per thread to get (`tulip::run(main())` is `asyncio.run`).
#[path = "common/mod.rs"]
mod common;

async fn main_coro() {
    println!("hello");
    tulip::sleep(common::secs(1.0)).await;
    println!("world");
}

fn main() {
    let ev = tulip::new_event_loop();
    // Blocking call which returns when the main() coroutine is done
    ev.run_until_complete(main_coro());
    ev.close();
}
