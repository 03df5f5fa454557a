//! Signal handlers. Signals and their dispositions are process-wide, so the
//! tests of this file take turns (`serial()`), and live in their own test
//! binary, away from the subprocess tests.
#![allow(clippy::unwrap_used)]

use std::cell::Cell;
use std::rc::Rc;
use std::sync::{Mutex, MutexGuard};
use tulip::{EventLoop, LoopSignals};

fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

#[test]
fn signal_handler_runs_on_the_loop_and_can_be_removed() {
    let _serial = serial();
    let ev = EventLoop::new();
    let hits = Rc::new(Cell::new(0));
    let (h, lp) = (hits.clone(), ev.handle());
    ev.add_signal_handler(libc::SIGUSR2, move || {
        h.set(h.get() + 1);
        lp.stop();
    })
    .unwrap();
    // SAFETY: raising a signal whose handler was just installed.
    unsafe { libc::raise(libc::SIGUSR2) };
    ev.run_forever();
    assert_eq!(hits.get(), 1);
    assert!(ev.remove_signal_handler(libc::SIGUSR2).unwrap());
    assert!(!ev.remove_signal_handler(libc::SIGUSR2).unwrap());
    assert!(ev.add_signal_handler(libc::SIGKILL, || {}).is_err());
}
