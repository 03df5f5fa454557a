//! Seed 001, example 2.3: example 2.2 (`two_functions`) the "old-fashioned"
//! way, with the loop in sight — same output.
//!
//! ```python
//! print(time.strftime('%X'))
//!
//! loop = asyncio.get_event_loop()
//! task1 = loop.create_task(fun1(4))
//! task2 = loop.create_task(fun2(4))
//! loop.run_until_complete(asyncio.wait([task1, task2]))
//!
//! print(time.strftime('%X'))
//! ```
//!
//! `asyncio.get_event_loop()` (deprecated without a running loop since
//! Python 3.10) is `tulip::new_event_loop()`; `wait` takes the tasks and
//! resolves to `(done, pending)`.
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

fn main() {
    println!("{}", common::clock_time());

    let ev = tulip::new_event_loop();
    let task1 = ev.create_task(fun1(4));
    let task2 = ev.create_task(fun2(4));
    ev.run_until_complete(tulip::wait([task1, task2])).expect("the set of tasks is not empty");

    println!("{}", common::clock_time());
}
