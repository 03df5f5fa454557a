//! Seed 001, example 4.1: the type of a task, and its parent.
//!
//! ```python
//! async def main():
//!     task1 = asyncio.create_task(fun1(4))
//!     task2 = asyncio.create_task(fun2(4))
//!     print(type(task1))
//!     print(task1.__class__.__bases__)
//!     await task1
//!     await task2
//!
//! asyncio.run(main())
//! ```
//!
//! prints `<class '_asyncio.Task'>` and `(<class '_asyncio.Future'>,)`, then
//! the functions' lines. (The PDF's `__class__._bases__` is a typo.) A
//! tulip `Task<T>` has no base class: it *implements* `std::future::Future`,
//! with the output `Result<T, TaskError>`; the second line says that.
//! (`tulip::Future<T>`, asyncio's Future, is a separate type.)
#[path = "common/mod.rs"]
mod common;

use std::any::{type_name, type_name_of_val};

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

/// The "base" of a future: the trait it implements, with its output.
fn bases<F: std::future::Future>(_: &F) -> String {
    format!("(impl core::future::Future<Output = {}>,)", type_name::<F::Output>())
}

async fn main_coro() {
    let task1 = tulip::create_task(fun1(4));
    let task2 = tulip::create_task(fun2(4));
    println!("{}", type_name_of_val(&task1));
    println!("{}", bases(&task1));
    let _ = task1.await;
    let _ = task2.await;
}

fn main() {
    tulip::run(main_coro());
}
