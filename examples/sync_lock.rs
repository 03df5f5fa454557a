//! `async with lock:` guarding shared state: five tasks increment a counter
//! with a suspension point in the middle of the read-modify-write. With the
//! lock, no update is lost; the lock hands itself over in FIFO order.
#[path = "common/mod.rs"]
mod common;

use std::cell::Cell;
use std::rc::Rc;
use tulip::Lock;

async fn worker(name: usize, lock: Rc<Lock>, counter: Rc<Cell<u32>>) {
    for _ in 0..3 {
        // async with lock:
        let _guard = lock.acquire().await;
        let value = counter.get();
        tulip::sleep(common::secs(0.1)).await; // other tasks run here
        counter.set(value + 1);
        println!("worker {name}: counter = {}", counter.get());
    } // the guard is dropped: the lock goes to the next waiting worker
}

fn main() {
    tulip::run(async {
        let lock = Rc::new(Lock::new());
        let counter = Rc::new(Cell::new(0));
        let tasks: Vec<_> = (0..5).map(|i| tulip::create_task(worker(i, lock.clone(), counter.clone()))).collect();
        for t in tasks {
            let _ = t.await;
        }
        println!("final counter: {} (expected 15), locked: {}", counter.get(), lock.locked());
    });
}
