//! asyncio's `add_reader` / `add_writer` on the loop.
#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use tulip_reactor::EventLoop;

fn lp() -> EventLoop {
    EventLoop::new()
}

#[test]
fn add_reader_is_level_triggered() {
    use std::cell::RefCell;
    use std::os::fd::AsRawFd;
    use std::rc::Rc;
    let ev = lp();
    let (mut a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    b.set_nonblocking(true).unwrap();
    let b = Rc::new(b);
    let got = Rc::new(RefCell::new(Vec::new()));
    let (r, g, h) = (b.clone(), got.clone(), ev.handle());
    // The callback reads one byte at a time: it is called again while data is left.
    ev.add_reader(&*b, move || {
        let mut one = [0u8; 1];
        if let Ok(1) = (&*r).read(&mut one) {
            g.borrow_mut().push(one[0]);
        }
        if g.borrow().len() == 3 {
            h.stop();
        }
    })
    .unwrap();
    a.write_all(b"xyz").unwrap();
    ev.run_forever();
    assert_eq!(*got.borrow(), b"xyz");
    assert!(ev.remove_reader(b.as_raw_fd()));
}

#[test]
fn a_panicking_reader_callback_is_reported_and_keeps_reading() {
    use std::cell::{Cell, RefCell};
    use std::os::fd::AsRawFd;
    use std::rc::Rc;
    let ev = lp();
    let reports = Rc::new(RefCell::new(Vec::new()));
    let r = reports.clone();
    ev.set_exception_handler(move |ctx| {
        r.borrow_mut().push(format!(
            "{}: {}",
            ctx.message,
            ctx.exception.as_ref().map(|e| e.to_string()).unwrap_or_default()
        ))
    });
    let (mut a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    b.set_nonblocking(true).unwrap();
    let b = Rc::new(b);
    let calls = Rc::new(Cell::new(0));
    let (rb, c, h) = (b.clone(), calls.clone(), ev.handle());
    ev.add_reader(&*b, move || {
        let mut one = [0u8; 1];
        let _ = (&*rb).read(&mut one);
        c.set(c.get() + 1);
        if c.get() == 1 {
            panic!("first call fails");
        }
        h.stop();
    })
    .unwrap();
    a.write_all(b"xy").unwrap();
    ev.run_forever();
    assert_eq!(calls.get(), 2, "the reader is kept after a failing call");
    assert_eq!(*reports.borrow(), ["Exception in callback: first call fails"]);
    assert!(ev.remove_reader(b.as_raw_fd()));
}

#[test]
fn add_reader_without_remove_releases_its_fds_when_the_loop_closes() {
    fn open_fds() -> usize {
        std::fs::read_dir("/proc/self/fd").unwrap().count()
    }
    let (_a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    // One loop first: the process-wide pieces (the blocking pool, ...) are set up.
    drop(lp());
    let before = open_fds();
    for _ in 0..50 {
        let ev = lp();
        ev.add_reader(&b, || {}).unwrap();
        ev.add_writer(&b, || {}).unwrap();
        ev.run_until_complete(async {});
        drop(ev);
    }
    // A leak would be 4 fds a loop (200); other tests of this file may hold a few.
    assert!(open_fds() <= before + 20, "fds leaked: {} before, {} after", before, open_fds());
}
