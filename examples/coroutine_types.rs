//! Seed 001, example 3.2: what an `async def` function is, and what calling
//! it gives.
//!
//! ```python
//! print(type(fun1))
//!
//! print(type(fun1(4)))
//! ```
//!
//! prints `<class 'function'>` and `<class 'coroutine'>` (and warns that
//! the coroutine was never awaited). In Rust, `fun1` is a function item and
//! `fun1(4)` an anonymous future type (the compiler's `{{closure}}`), which
//! does nothing until awaited or spawned: an unused one is a compile-time
//! warning (`#[must_use]`), not a run-time one.
#[path = "common/mod.rs"]
mod common;

use std::any::type_name_of_val;

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

#[allow(dead_code)] // defined and never run, as in the seed
async fn main_coro() {
    let task1 = tulip::create_task(fun1(4));
    let task2 = tulip::create_task(fun2(4));
    let _ = task1.await;
    let _ = task2.await;
}

fn main() {
    println!("{}", type_name_of_val(&fun1));

    println!("{}", type_name_of_val(&fun1(4)));
}
