//! `wait` with a timeout, PyMOTW's `asyncio_wait_timeout.py` (seed 000's
//! twin is `wait_timeout`; `--timeout SECONDS`, default 0.01): the tasks
//! not done by then are reported as pending — and are not cancelled.
use std::time::Duration;

async fn phase(i: u64) -> String {
    tulip::sleep(Duration::from_millis(10 * i)).await;
    format!("phase {i} done")
}

fn main() {
    let mut args = std::env::args().skip_while(|a| a != "--timeout").skip(1);
    let timeout: f64 = args.next().and_then(|v| v.parse().ok()).unwrap_or(0.01);
    tulip::run(async move {
        let tasks: Vec<_> = (0..3).map(|i| tulip::create_task(phase(i))).collect();
        println!("waiting {timeout} seconds for phases to complete");
        let (done, pending) =
            tulip::wait(tasks).timeout(Duration::from_secs_f64(timeout)).await.expect("the set of tasks is not empty");
        println!("{} completed and {} pending", done.len(), pending.len());
        for d in done {
            if let Ok(r) = d.await {
                println!("{r}");
            }
        }
        if !pending.is_empty() {
            println!("canceling tasks");
            for t in &pending {
                t.cancel();
            }
        }
        println!("exiting main");
    });
}
