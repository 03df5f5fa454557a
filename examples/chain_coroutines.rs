//! Seed 002: chained coroutines, `print_sum` awaits `compute`:
//!
//! ```python
//! async def compute(a, b):
//!     print('Compute...')
//!     await asyncio.sleep(1.0)
//!     return a + b
//!
//! async def print_sum(a, b):
//!     result = await compute(a, b)
//!     print('{} + {} = {}'.format(a, b, result))
//!
//! loop = asyncio.get_event_loop()
//! loop.run_until_complete(print_sum(1, 2))
//! loop.close()
//! ```
//!
//! The Python docs' version ("Compute 1 + 2 ...") is `chain_coroutines_pydocs`.
#[path = "common/mod.rs"]
mod common;

async fn compute(a: i32, b: i32) -> i32 {
    println!("Compute...");
    tulip::sleep(common::secs(1.0)).await;
    a + b
}

async fn print_sum(a: i32, b: i32) {
    let result = compute(a, b).await;
    println!("{a} + {b} = {result}");
}

fn main() {
    let ev = tulip::new_event_loop();
    ev.run_until_complete(print_sum(1, 2));
    ev.close();
}
