//! Graceful shutdown on Ctrl-C with `add_signal_handler`: the handler stops
//! the workers, which finish their current job and exit. To run on its own
//! the example sends itself SIGINT after a moment (press Ctrl-C to do it
//! yourself; pass `--wait` to only wait for your Ctrl-C).
#[path = "common/mod.rs"]
mod common;

use std::cell::Cell;
use std::rc::Rc;
use tulip::LoopSignals;

async fn worker(id: u32, stopping: Rc<Cell<bool>>) -> u32 {
    let mut jobs = 0;
    while !stopping.get() {
        tulip::sleep(common::secs(0.3)).await;
        jobs += 1;
        println!("worker {id} finished job {jobs}");
    }
    println!("worker {id} shutting down cleanly");
    jobs
}

fn main() {
    let ev = tulip::new_event_loop();
    let stopping = Rc::new(Cell::new(false));
    let s = stopping.clone();
    ev.add_signal_handler(tulip::signals::SIGINT, move || {
        println!("got SIGINT: asking the workers to stop");
        s.set(true);
    })
    .expect("SIGINT can be handled");
    if !std::env::args().any(|a| a == "--wait") {
        ev.call_later(common::secs(1.0), || {
            // SAFETY: sending ourselves the signal the loop handles.
            unsafe { libc::raise(tulip::signals::SIGINT) };
        });
    }
    let workers: Vec<_> = (1..=2).map(|id| ev.create_task(worker(id, stopping.clone()))).collect();
    let total = ev.run_until_complete(async move {
        let mut total = 0;
        for w in workers {
            total += w.await.unwrap_or(0);
        }
        total
    });
    let _ = ev.remove_signal_handler(tulip::signals::SIGINT);
    println!("all workers stopped after {total} jobs");
}
