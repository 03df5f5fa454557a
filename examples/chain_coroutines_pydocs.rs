//! Chained coroutines: `print_sum` awaits `compute` (the Python docs'
//! version; seed 002's twin is `chain_coroutines`).
//!
//! ```python
//! async def compute(x, y):
//!     print("Compute %s + %s ..." % (x, y))
//!     await asyncio.sleep(1.0)
//!     return x + y
//!
//! async def print_sum(x, y):
//!     result = await compute(x, y)
//!     print("%s + %s = %s" % (x, y, result))
//!
//! loop = asyncio.get_event_loop()
//! loop.run_until_complete(print_sum(1, 2))
//! loop.close()
//! ```
#[path = "common/mod.rs"]
mod common;

async fn compute(x: i32, y: i32) -> i32 {
    println!("Compute {x} + {y} ...");
    tulip::sleep(common::secs(1.0)).await;
    x + y
}

async fn print_sum(x: i32, y: i32) {
    let result = compute(x, y).await;
    println!("{x} + {y} = {result}");
}

fn main() {
    let ev = tulip::new_event_loop();
    ev.run_until_complete(print_sum(1, 2));
    ev.close();
}
