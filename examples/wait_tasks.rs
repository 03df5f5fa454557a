//! Seed 000, 1c-determinism-sync-async: nine tasks with random sleeps: run one after another (always in order)
//! and then as tasks with `ensure_future` + `wait` (in whatever order they
//! finish — different from run to run).
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// 0, 1 or 2 ms, like `random.randint(0, 2) * 0.001`.
fn random_delay(seed: &mut u64) -> Duration {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    Duration::from_millis(*seed % 3)
}

fn task(pid: u32, seed: &mut u64) {
    std::thread::sleep(random_delay(seed));
    println!("Task {pid} done");
}

async fn task_coro(pid: u32, delay: Duration) {
    tulip::sleep(delay).await;
    println!("Task {pid} done");
}

fn main() {
    let mut seed = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(7) | 1;
    println!("Synchronous:");
    for i in 1..10 {
        task(i, &mut seed);
    }
    println!("Asynchronous:");
    let delays: Vec<_> = (1..10).map(|_| random_delay(&mut seed)).collect();
    tulip::run(async move {
        let tasks: Vec<_> = (1..10).zip(delays).map(|(i, d)| tulip::ensure_future(task_coro(i, d))).collect();
        tulip::wait(tasks).await.expect("the set of tasks is not empty");
    });
}
