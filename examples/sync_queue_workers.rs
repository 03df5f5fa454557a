//! Producer / consumer, as in asyncio's `Queue` docs: work items with random-ish
//! durations go into a queue; three workers take them, "sleep" for the given
//! time and call `task_done`; `queue.join()` waits until all are processed,
//! then the workers are cancelled.
#[path = "common/mod.rs"]
mod common;

use std::rc::Rc;
use tulip::Queue;

async fn worker(name: String, queue: Rc<Queue<f64>>) {
    loop {
        let Ok(sleep_for) = queue.get().await else { return };
        tulip::sleep(common::secs(sleep_for)).await;
        queue.task_done().ok();
        println!("{name} has slept for {sleep_for:.2} seconds");
    }
}

fn main() {
    tulip::run(async {
        let queue = Rc::new(Queue::new(0));
        let mut total = 0.0;
        let mut seed = 7u32;
        for _ in 0..12 {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let sleep_for = 0.05 + f64::from(seed % 1000) / 1000.0;
            total += sleep_for;
            queue.put_nowait(sleep_for).ok();
        }
        let workers: Vec<_> =
            (0..3).map(|i| tulip::create_task(worker(format!("worker-{i}"), queue.clone()))).collect();
        let started = std::time::Instant::now();
        queue.join().await; // until every item is task_done()
        let elapsed = started.elapsed();
        for w in &workers {
            w.cancel();
        }
        for w in workers {
            let _ = w.await;
        }
        println!("====");
        println!("3 workers slept in parallel for {:.2?}", elapsed);
        println!("total expected sleep time: {:.2?}", common::secs(total));
    });
}
