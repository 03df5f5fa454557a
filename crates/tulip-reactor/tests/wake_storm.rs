//! Cross-thread wake-ups of a sleeping loop are never lost: threads wake a
//! loop that has nothing else to do (no timer, no I/O) again and again, and
//! each wake-up must be answered within a generous bound.
#![allow(clippy::unwrap_used)]

use std::sync::mpsc;
use std::thread;
use std::time::Duration;
use tulip_reactor::EventLoop;

#[test]
fn cross_thread_wakes_of_a_sleeping_loop_are_never_lost() {
    const THREADS: usize = 4;
    const PINGS: usize = 25_000; // 100,000 wake-ups in all
    let ev = EventLoop::new();
    let remote = ev.remote();
    let (done_tx, done_rx) = mpsc::channel::<Result<(), String>>();
    for t in 0..THREADS {
        let remote = remote.clone();
        let done = done_tx.clone();
        thread::spawn(move || {
            let (tx, rx) = mpsc::channel();
            for i in 0..PINGS {
                let tx = tx.clone();
                assert!(remote.call_soon_threadsafe(move || tx.send(()).unwrap()).is_ok());
                if rx.recv_timeout(Duration::from_secs(10)).is_err() {
                    let _ = done.send(Err(format!("thread {t}: wake-up {i} was lost")));
                    return;
                }
            }
            let _ = done.send(Ok(()));
        });
    }
    drop(done_tx);
    let stopper = thread::spawn(move || {
        let mut outcome = Ok(());
        for r in done_rx {
            if r.is_err() && outcome.is_ok() {
                outcome = r;
            }
        }
        remote.stop().unwrap();
        outcome
    });
    ev.run_forever();
    stopper.join().unwrap().unwrap();
}
