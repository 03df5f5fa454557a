#![allow(clippy::unwrap_used)]
//! SIGINT and SIGTERM shut every loop down. The signals go to the whole
//! process, so these tests take turns, and live in their own test binary.

use std::sync::{mpsc, Mutex};
use std::time::Duration;
use tulip_runtime::Runtime;

static TURNS: Mutex<()> = Mutex::new(());

fn signal_process(signal: i32) {
    // SAFETY: kill with our own pid and a valid signal number.
    assert_eq!(unsafe { libc::kill(libc::getpid(), signal) }, 0);
}

#[test]
fn sigterm_stops_every_loop_of_a_runtime_that_asked_for_it() {
    let _turn = TURNS.lock().unwrap_or_else(|e| e.into_inner());
    let rt = Runtime::builder().loops(2).stop_on_signals(true).build().unwrap();
    let (dropped, drops) = mpsc::channel::<usize>();
    for k in 0..2 {
        let dropped = dropped.clone();
        rt.spawn_on(k, move || async move {
            struct Bye(usize, mpsc::Sender<usize>);
            impl Drop for Bye {
                fn drop(&mut self) {
                    let _ = self.1.send(self.0);
                }
            }
            let _bye = Bye(k, dropped);
            std::future::pending::<()>().await
        })
        .unwrap()
        .result_timeout(Duration::from_millis(50))
        .unwrap_err();
    }
    drop(dropped);
    signal_process(libc::SIGTERM);
    let (done, joined) = mpsc::channel();
    std::thread::spawn(move || {
        rt.join();
        done.send(()).unwrap();
    });
    joined.recv_timeout(Duration::from_secs(20)).expect("every loop stopped on SIGTERM");
    let mut who: Vec<usize> = drops.iter().collect();
    who.sort();
    assert_eq!(who, [0, 1], "each loop cancelled its task gracefully");
}

#[test]
fn sigint_cancels_every_main_of_run_per_core() {
    let _turn = TURNS.lock().unwrap_or_else(|e| e.into_inner());
    let (ready, readies) = mpsc::channel::<()>();
    let ready = Mutex::new(ready);
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let outs = tulip_runtime::run_per_core(2, move |_k| {
            let ready = ready.lock().unwrap().clone();
            async move {
                ready.send(()).unwrap();
                std::future::pending::<()>().await
            }
        })
        .unwrap();
        done.send(outs).unwrap();
    });
    readies.recv_timeout(Duration::from_secs(20)).unwrap();
    readies.recv_timeout(Duration::from_secs(20)).unwrap();
    signal_process(libc::SIGINT);
    let outs = finished.recv_timeout(Duration::from_secs(20)).expect("SIGINT ended run_per_core");
    assert_eq!(outs.len(), 2);
    for out in outs {
        assert!(out.unwrap_err().is_cancelled());
    }
}
