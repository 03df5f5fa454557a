//! `say_after` from the asyncio docs (seed 002's twins are `say_after` and
//! `say_after_gather`), first awaited one after the other
//! (3 s in all), then run concurrently as tasks (2 s in all).
#[path = "common/mod.rs"]
mod common;

use std::time::Duration;

async fn say_after(delay: Duration, what: &str) {
    tulip::sleep(delay).await;
    println!("{what}");
}

async fn sequential() {
    println!("started at {}", common::clock_time());
    say_after(common::secs(1.0), "hello").await;
    say_after(common::secs(2.0), "world").await;
    println!("finished at {}", common::clock_time());
}

async fn concurrent() {
    let task1 = tulip::create_task(say_after(common::secs(1.0), "hello"));
    let task2 = tulip::create_task(say_after(common::secs(2.0), "world"));
    println!("started at {}", common::clock_time());
    // Wait until both tasks are completed (should take around 2 seconds.)
    let _ = task1.await;
    let _ = task2.await;
    println!("finished at {}", common::clock_time());
}

fn main() {
    tulip::run(sequential());
    tulip::run(concurrent());
}
