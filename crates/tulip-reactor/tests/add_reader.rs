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
