//! Seed 002: `say_after` awaited one after the other (about 3 s in all):
//!
//! ```python
//! async def say_after(delay, what):
//!     await asyncio.sleep(delay)
//!     print(what)
//!
//! async def main():
//!     print(f"started at {time.strftime('%X')}")
//!
//!     await say_after(1, 'hello')
//!     await say_after(2, 'world')
//!
//!     print(f"finished at {time.strftime('%X')}")
//!
//! loop = asyncio.get_event_loop()
//! loop.run_until_complete(main())
//! loop.close()
//! ```
//!
//! The concurrent version is `say_after_gather`; the Python docs' two-part
//! version is `say_after_pydocs`. The clock is UTC here.
#[path = "common/mod.rs"]
mod common;

use std::time::Duration;

async fn say_after(delay: Duration, what: &str) {
    tulip::sleep(delay).await;
    println!("{what}");
}

async fn main_coro() {
    println!("started at {}", common::clock_time());

    say_after(common::secs(1.0), "hello").await;
    say_after(common::secs(2.0), "world").await;

    println!("finished at {}", common::clock_time());
}

fn main() {
    let ev = tulip::new_event_loop();
    ev.run_until_complete(main_coro());
    ev.close();
}
