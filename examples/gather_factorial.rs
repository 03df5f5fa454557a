//! Seed 002, exercise 1 ("what is printed, and why?"): three factorials
//! computed concurrently by `gather`.
//!
//! ```python
//! async def factorial(name, number):
//!     f = 1
//!     for i in range(2, number + 1):
//!         print(f"Task {name}: Compute factorial({i})...")
//!         await asyncio.sleep(1)
//!         f *= i
//!     print(f"Task {name}: factorial({number}) = {f}")
//!
//! async def main():
//!     await asyncio.gather(
//!         factorial("A", 2),
//!         factorial("B", 3),
//!         factorial("C", 4),
//!     )
//!
//! loop = asyncio.get_event_loop()
//! loop.run_until_complete(main())
//! loop.close()
//! ```
//!
//! The answer: each task prints, then sleeps; the three sleeps end together,
//! and the loop resumes the tasks in the order they went to sleep. The
//! Python docs' version (which also prints the results) is
//! `gather_factorial_pydocs`.
#[path = "common/mod.rs"]
mod common;

async fn factorial(name: &'static str, number: u64) {
    let mut f = 1;
    for i in 2..=number {
        println!("Task {name}: Compute factorial({i})...");
        tulip::sleep(common::secs(1.0)).await;
        f *= i;
    }
    println!("Task {name}: factorial({number}) = {f}");
}

async fn main_coro() {
    let _ = tulip::gather([factorial("A", 2), factorial("B", 3), factorial("C", 4)]).await;
}

fn main() {
    let ev = tulip::new_event_loop();
    ev.run_until_complete(main_coro());
    ev.close();
}
