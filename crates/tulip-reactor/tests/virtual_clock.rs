//! The virtual clock's rules (docs/architecture.md, "The virtual clock"):
//! it jumps over idle time, waits in real time for the outside world, and
//! never stops for good under a busy loop.
#![allow(clippy::unwrap_used)]

use std::cell::Cell;
use std::io::{Read, Write};
use std::rc::Rc;
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tulip_reactor::EventLoop;
use tulip_timer::{sleep, timeout};

fn vloop() -> EventLoop {
    EventLoop::builder().virtual_clock().build().unwrap()
}

/// Runs `f` on a thread of its own, failing if it takes longer than `limit`
/// (a hang must fail the test, not block the suite).
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit).expect("the loop hung")
}

#[test]
fn idle_time_is_jumped_over_exactly() {
    let ev = vloop();
    let (start, real) = (ev.time(), Instant::now());
    ev.run_until_complete(sleep(Duration::from_secs(3600)));
    assert_eq!(ev.time() - start, Duration::from_secs(3600));
    assert!(real.elapsed() < Duration::from_secs(5));
}

#[test]
fn a_blocking_job_finishes_before_a_long_virtual_timeout() {
    let out = within(Duration::from_secs(30), || {
        vloop().run_until_complete(async {
            let job = tulip_blocking::to_thread(|| {
                std::thread::sleep(Duration::from_millis(20));
                "done"
            });
            timeout(Duration::from_secs(60), job).await
        })
    });
    assert_eq!(out, Ok("done"), "the clock must not jump over work on a thread");
}

#[test]
fn real_io_finishes_before_a_long_virtual_timeout() {
    let out = within(Duration::from_secs(30), || {
        let (mut peer, ours) = std::os::unix::net::UnixStream::pair().unwrap();
        let answer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            peer.write_all(b"pong").unwrap();
            peer
        });
        ours.set_nonblocking(true).unwrap();
        let got = vloop().run_until_complete(async move {
            let ours = tulip_reactor::IoSource::new(ours).unwrap();
            let mut buf = [0u8; 4];
            timeout(Duration::from_secs(60), ours.read_with(|s| (&*s).read(&mut buf))).await.map(|r| r.unwrap())
        });
        drop(answer.join().unwrap());
        got
    });
    assert_eq!(out, Ok(4), "the clock must not jump over a socket a task waits on");
}

#[test]
fn a_busy_yielding_task_does_not_stop_the_clock_for_good() {
    let waited = within(Duration::from_secs(30), || {
        let ev = vloop();
        let start = ev.time();
        ev.run_until_complete(async {
            let flag = Rc::new(Cell::new(false));
            let f = flag.clone();
            tulip_reactor::create_task(async move {
                sleep(Duration::from_millis(300)).await;
                f.set(true);
            })
            .detach();
            // Polling a flag that a sleeping task sets: the loop is never
            // idle, so only rule 3 lets the sleeper's deadline come.
            while !flag.get() {
                sleep(Duration::ZERO).await;
            }
        });
        ev.time() - start
    });
    assert!(waited >= Duration::from_millis(300));
}
