//! Seed 002, futures: a coroutine run in a parallel task by
//! `ensure_future`, waited for with `wait_for(fut, None)`, its result
//! printed; with `--await`, the seed's alternative main, which just awaits it.
//!
//! ```python
//! async def set_after(delay, value):
//!     # Sleep for *delay* seconds.
//!     await asyncio.sleep(delay)
//!
//!     # Set *value* as a result of *fut* Future.
//!     return value
//!
//! async def main():
//!     # Run "set_after()" coroutine in a parallel Task.
//!     fut = asyncio.ensure_future(
//!         set_after(1, '... world'))
//!
//!     print('hello ...')
//!
//!     # Wait until *fut* has a result (1 second)
//!     await asyncio.wait_for(fut, None)
//!     # and print it.
//!     print(fut.result())
//!
//! loop = asyncio.get_event_loop()
//! loop.run_until_complete(main())
//! loop.close()
//! ```
//!
//! `fut.result()`: awaiting a tulip task moves its output out, so it is
//! what `wait_for_task` (asyncio's `wait_for` on a task: the task is
//! cancelled if the wait times out or is dropped) resolves to.
#[path = "common/mod.rs"]
mod common;

use std::time::Duration;

async fn set_after(delay: Duration, value: &'static str) -> &'static str {
    // Sleep for *delay* seconds.
    tulip::sleep(delay).await;
    // *value* becomes the result of the task.
    value
}

async fn main_coro() {
    // Run "set_after()" coroutine in a parallel Task.
    let fut = tulip::ensure_future(set_after(common::secs(1.0), "... world"));

    println!("hello ...");

    // Wait until *fut* has a result (1 second) and print it.
    match tulip::wait_for_task(fut, None).await {
        Ok(result) => println!("{result}"),
        Err(e) => println!("the task failed: {e}"),
    }
}

async fn main_await() {
    // Run "set_after()" coroutine in a parallel Task.
    let fut = tulip::ensure_future(set_after(common::secs(1.0), "... world"));

    println!("hello ...");

    // Wait until *fut* has a result (1 second) and print it.
    // Alternative way to get a result, just use it.
    match fut.await {
        Ok(result) => println!("{result}"),
        Err(e) => println!("the task failed: {e}"),
    }
}

fn main() {
    let ev = tulip::new_event_loop();
    if std::env::args().any(|a| a == "--await") {
        ev.run_until_complete(main_await());
    } else {
        ev.run_until_complete(main_coro());
    }
    ev.close();
}
