//! Seed 001, example 4.3 ("неудачный"): the coroutines awaited directly,
//! without tasks — one after the other, 6 s in all.
//!
//! ```python
//! async def main():
//!     await fun1(4)
//!     await fun2(4)
//!
//! print(time.strftime('%X'))
//! asyncio.run(main())
//! print(time.strftime('%X'))
//! ```
//!
//! The same in Rust: awaiting a future runs it to the end before the next
//! line; only tasks (`create_task`, `gather`) run side by side.
#[path = "common/mod.rs"]
mod common;

async fn fun1(x: i32) {
    println!("{}", x.pow(2));
    tulip::sleep(common::secs(3.0)).await;
    println!("fun1 завершена");
}

async fn fun2(x: i32) {
    println!("{:?}", f64::from(x).sqrt());
    tulip::sleep(common::secs(3.0)).await;
    println!("fun2 завершена");
}

async fn main_coro() {
    fun1(4).await;
    fun2(4).await;
}

fn main() {
    println!("{}", common::clock_time());
    tulip::run(main_coro());
    println!("{}", common::clock_time());
}
