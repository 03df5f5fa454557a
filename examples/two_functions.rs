//! Seed 001 ("Асинхронный python без головной боли"), example 2.2: two
//! functions, each with a fast part and a slow (3 s) wait, run as tasks —
//! 3 s in all, not 6.
//!
//! ```python
//! async def fun1(x):
//!     print(x**2)
//!     await asyncio.sleep(3)
//!     print('fun1 завершена')
//!
//! async def fun2(x):
//!     print(x**0.5)
//!     await asyncio.sleep(3)
//!     print('fun2 завершена')
//!
//! async def main():
//!     task1 = asyncio.create_task(fun1(4))
//!     task2 = asyncio.create_task(fun2(4))
//!     await task1
//!     await task2
//!
//! print(time.strftime('%X'))
//! asyncio.run(main())
//! print(time.strftime('%X'))
//! ```
//!
//! `x**2` of an int is an int (16), `x**0.5` a float (2.0, as `{:?}` prints
//! it). The clock is UTC here. Example 2.3 is `two_functions_loop`, 4.3
//! `two_functions_awaited`.
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
    let task1 = tulip::create_task(fun1(4));
    let task2 = tulip::create_task(fun2(4));
    let _ = task1.await;
    let _ = task2.await;
}

fn main() {
    println!("{}", common::clock_time());
    tulip::run(main_coro());
    println!("{}", common::clock_time());
}
