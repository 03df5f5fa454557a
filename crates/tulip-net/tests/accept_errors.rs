//! A listening socket that fails persistently must not freeze the loop:
//! the accept loop takes a bounded batch per readiness, then yields, and
//! backs off on errors of the listener itself.
#![allow(clippy::unwrap_used)]

use std::cell::{Cell, RefCell};
use std::os::fd::AsRawFd;
use std::rc::Rc;
use std::sync::mpsc;
use std::time::Duration;

#[test]
fn a_persistent_accept_error_does_not_freeze_the_loop() {
    let (tx, rx) = mpsc::channel();
    // The loop runs on a thread of its own: a frozen loop would never answer.
    std::thread::spawn(move || {
        tulip::run(async move {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let fd = listener.as_raw_fd();
            let reports = Rc::new(RefCell::new(Vec::new()));
            let r = reports.clone();
            tulip::get_running_loop().set_exception_handler(move |ctx| r.borrow_mut().push(ctx.message.clone()));
            let server = tulip::net::start_server_on(|_r, _w| async {}, listener).unwrap();
            // Shutting down the read side of a listening socket makes every
            // accept fail with EINVAL while the socket stays readable.
            // SAFETY: shutdown(2) on our own open listening fd, plain integers.
            let shut = unsafe { libc::shutdown(fd, libc::SHUT_RD) };
            assert_eq!(shut, 0);
            let ticks = Rc::new(Cell::new(0u32));
            let t = ticks.clone();
            let ticker = tulip::create_task(async move {
                for _ in 0..50 {
                    tulip::sleep(Duration::from_millis(1)).await;
                    t.set(t.get() + 1);
                }
            });
            let _ = tulip::timeout(Duration::from_secs(5), ticker).await;
            server.close();
            let reported = reports.borrow().iter().any(|m| m.contains("accept"));
            let _ = tx.send((ticks.get(), reported));
        });
    });
    let (ticks, reported) = rx.recv_timeout(Duration::from_secs(20)).expect("the loop froze on a failing listener");
    assert_eq!(ticks, 50, "other tasks keep running");
    assert!(reported, "the listener's error is reported through the exception handler");
}
