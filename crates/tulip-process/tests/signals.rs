//! Signal handlers. Signals and their dispositions are process-wide, so the
//! tests of this file take turns (`serial()`), and live in their own test
//! binary, away from the subprocess tests.
#![allow(clippy::unwrap_used)]

use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tulip::{EventLoop, LoopSignals};

fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// The handler `sig` has now (SIG_DFL, SIG_IGN or a function).
fn disposition(sig: i32) -> libc::sighandler_t {
    // SAFETY: a zeroed sigaction is valid; sigaction only writes into it.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        assert_eq!(libc::sigaction(sig, std::ptr::null(), &mut old), 0);
        old.sa_sigaction
    }
}

fn set_disposition(sig: i32, handler: libc::sighandler_t) {
    // SAFETY: installs SIG_DFL or SIG_IGN (no function of ours) for `sig`.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = handler;
        assert_eq!(libc::sigaction(sig, &action, std::ptr::null_mut()), 0);
    }
}

/// Sends `sig` to the whole process (any thread may take it).
fn send(sig: i32) {
    // SAFETY: kill(2) on our own pid, with a signal the test handles.
    assert_eq!(unsafe { libc::kill(libc::getpid(), sig) }, 0);
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

#[derive(Default)]
struct Counts {
    usr1: AtomicUsize,
    usr2: AtomicUsize,
}

impl Counts {
    fn of(&self, sig: i32) -> usize {
        if sig == libc::SIGUSR1 { &self.usr1 } else { &self.usr2 }.load(Ordering::SeqCst)
    }
}

#[test]
fn every_loop_that_registered_a_signal_receives_it() {
    let _serial = serial();
    // Loops 0 and 1 handle both signals, loop 2 only SIGUSR2.
    let plans: [&[i32]; 3] = [&[libc::SIGUSR1, libc::SIGUSR2], &[libc::SIGUSR1, libc::SIGUSR2], &[libc::SIGUSR2]];
    let counts: Vec<Arc<Counts>> = plans.iter().map(|_| Arc::default()).collect();
    let (ready_tx, ready_rx) = mpsc::channel();
    let threads: Vec<_> = plans
        .iter()
        .zip(&counts)
        .map(|(&sigs, c)| {
            let (c, ready_tx) = (c.clone(), ready_tx.clone());
            std::thread::spawn(move || {
                let ev = EventLoop::new();
                for &sig in sigs {
                    let c = c.clone();
                    ev.add_signal_handler(sig, move || {
                        if sig == libc::SIGUSR1 { &c.usr1 } else { &c.usr2 }.fetch_add(1, Ordering::SeqCst);
                    })
                    .unwrap();
                }
                ready_tx.send(ev.remote()).unwrap();
                ev.run_forever();
            })
        })
        .collect();
    let remotes: Vec<_> = plans.iter().map(|_| ready_rx.recv().unwrap()).collect();
    // One signal at a time, each acknowledged by every loop that handles it
    // before the next (the kernel merges a signal sent while one is pending).
    for i in 0..20 {
        let sig = if i % 2 == 0 { libc::SIGUSR1 } else { libc::SIGUSR2 };
        let want = i / 2 + 1;
        send(sig);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let done = plans.iter().zip(&counts).all(|(sigs, c)| !sigs.contains(&sig) || c.of(sig) >= want);
            if done {
                break;
            }
            assert!(Instant::now() < deadline, "signal #{i} did not reach every loop");
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    for r in &remotes {
        r.stop().unwrap();
    }
    for t in threads {
        t.join().unwrap();
    }
    let got: Vec<(usize, usize)> = counts.iter().map(|c| (c.of(libc::SIGUSR1), c.of(libc::SIGUSR2))).collect();
    assert_eq!(got, [(10, 10), (10, 10), (0, 10)]);
}

fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap()
}

fn set_errno(value: i32) {
    // SAFETY: errno is this thread's own int, always valid to write.
    unsafe { *libc::__errno_location() = value };
}

#[test]
fn signal_handler_preserves_errno() {
    let _serial = serial();
    let ev = EventLoop::new();
    let hits = Rc::new(Cell::new(0usize));
    let h = hits.clone();
    ev.add_signal_handler(libc::SIGUSR1, move || h.set(h.get() + 1)).unwrap();
    // The loop does not run, so nothing reads the self-pipe: fill it, so
    // that the handler's write(2) fails (EAGAIN) and sets errno.
    for _ in 0..(1 << 17) {
        // SAFETY: raising a signal this process handles.
        unsafe { libc::raise(libc::SIGUSR1) };
    }
    set_errno(libc::EILSEQ);
    // SAFETY: as above.
    unsafe { libc::raise(libc::SIGUSR1) };
    let after = errno();
    // Drain the pipe (the loop's reader empties it in one step), so that the
    // other tests start with an empty one.
    ev.run_until_complete(async {
        for _ in 0..4 {
            tulip::sleep(Duration::ZERO).await;
        }
    });
    assert!(hits.get() > 0);
    assert_eq!(after, libc::EILSEQ, "the signal handler clobbered errno");
}

#[test]
fn closing_the_loop_restores_the_default_disposition() {
    let _serial = serial();
    assert_eq!(disposition(libc::SIGUSR1), libc::SIG_DFL);
    let ev = EventLoop::new();
    ev.add_signal_handler(libc::SIGUSR1, || {}).unwrap();
    assert_ne!(disposition(libc::SIGUSR1), libc::SIG_DFL);
    ev.close();
    assert_eq!(disposition(libc::SIGUSR1), libc::SIG_DFL);
}

#[test]
fn the_last_loop_to_drop_a_signal_restores_its_disposition() {
    let _serial = serial();
    // Two loops take SIGUSR1: ours stays installed until both let go.
    let (a, b) = (EventLoop::new(), EventLoop::new());
    a.add_signal_handler(libc::SIGUSR1, || {}).unwrap();
    let ours = disposition(libc::SIGUSR1);
    assert_ne!(ours, libc::SIG_DFL);
    b.add_signal_handler(libc::SIGUSR1, || {}).unwrap();
    // Replacing a handler on the same loop changes nothing process-wide.
    b.add_signal_handler(libc::SIGUSR1, || {}).unwrap();
    a.close();
    assert_eq!(disposition(libc::SIGUSR1), ours, "b still handles SIGUSR1");
    b.close();
    assert_eq!(disposition(libc::SIGUSR1), libc::SIG_DFL);

    // What was there before comes back, here SIG_IGN, also through
    // remove_signal_handler.
    set_disposition(libc::SIGUSR2, libc::SIG_IGN);
    let (a, b) = (EventLoop::new(), EventLoop::new());
    a.add_signal_handler(libc::SIGUSR2, || {}).unwrap();
    b.add_signal_handler(libc::SIGUSR2, || {}).unwrap();
    assert!(a.remove_signal_handler(libc::SIGUSR2).unwrap());
    assert_eq!(disposition(libc::SIGUSR2), ours);
    assert!(b.remove_signal_handler(libc::SIGUSR2).unwrap());
    assert_eq!(disposition(libc::SIGUSR2), libc::SIG_IGN);
    set_disposition(libc::SIGUSR2, libc::SIG_DFL);
}

#[test]
fn successive_runs_on_one_thread_receive_signals() {
    let _serial = serial();
    for round in 0..3 {
        let got = tulip::run(async {
            let lp = tulip::get_running_loop();
            let event = Rc::new(tulip::Event::new());
            let e = event.clone();
            lp.add_signal_handler(libc::SIGUSR1, move || e.set()).unwrap();
            send(libc::SIGUSR1);
            tulip::timeout(Duration::from_secs(10), event.wait()).await.is_ok()
        });
        assert!(got, "run #{round} did not receive SIGUSR1");
    }
    assert_eq!(disposition(libc::SIGUSR1), libc::SIG_DFL);
}
