//! Bounded concurrency: twelve simulated downloads, at most three at a time,
//! limited by a `Semaphore(3)` (`async with sem:` is `let _permit = sem.acquire().await`).
#[path = "common/mod.rs"]
mod common;

use std::cell::Cell;
use std::rc::Rc;
use tulip::Semaphore;

async fn fetch(url: String, sem: Rc<Semaphore>, active: Rc<Cell<usize>>) -> usize {
    let _permit = sem.acquire().await;
    active.set(active.get() + 1);
    println!("start {url:<28} ({} in flight)", active.get());
    assert!(active.get() <= 3);
    // Simulated network time, longer for some URLs.
    tulip::sleep(common::secs(0.2 + 0.1 * (url.len() % 3) as f64)).await;
    active.set(active.get() - 1);
    println!("done  {url}");
    url.len() * 100 // "bytes"
}

fn main() {
    tulip::run(async {
        let sem = Rc::new(Semaphore::new(3));
        let active = Rc::new(Cell::new(0));
        let urls: Vec<String> = (0..12).map(|i| format!("https://example.com/page/{i}")).collect();
        let tasks: Vec<_> =
            urls.into_iter().map(|u| tulip::create_task(fetch(u, sem.clone(), active.clone()))).collect();
        let mut total = 0;
        for t in tasks {
            total += t.await.unwrap_or(0);
        }
        println!("downloaded {total} bytes with at most 3 concurrent fetches");
    });
}
