//! Seed 001, a reader's comment: `gather` needs no `create_task` — it makes
//! the tasks itself; about 3 s in all.
//!
//! ```python
//! async def fun1():
//!     print(1)
//!     await asyncio.sleep(3)
//!
//! async def fun2():
//!     print(2)
//!     await asyncio.sleep(3)
//!
//! async def main():
//!     await asyncio.gather(fun1(), fun2())
//!
//! begin = datetime.datetime.now()
//! asyncio.run(main())
//! end = datetime.datetime.now()
//! print(end - begin)
//! ```
//!
//! `tulip::gather!` takes futures of different types (two `async fn`s are
//! two types). `end - begin` prints as a `timedelta` does, H:MM:SS.ffffff,
//! in the tutorial's seconds (scaled back under `--fast`).
#[path = "common/mod.rs"]
mod common;

use std::time::Instant;

async fn fun1() {
    println!("1");
    tulip::sleep(common::secs(3.0)).await;
}

async fn fun2() {
    println!("2");
    tulip::sleep(common::secs(3.0)).await;
}

async fn main_coro() {
    let _ = tulip::gather!(fun1(), fun2()).await;
}

/// `str(timedelta)`: H:MM:SS.ffffff.
fn timedelta(secs: f64) -> String {
    let micros = (secs * 1e6).round() as u64;
    let (s, us) = (micros / 1_000_000, micros % 1_000_000);
    format!("{}:{:02}:{:02}.{us:06}", s / 3600, (s / 60) % 60, s % 60)
}

fn main() {
    let begin = Instant::now();
    tulip::run(main_coro());
    let end = Instant::now();
    println!("{}", timedelta(common::tutorial_secs(end - begin)));
}
