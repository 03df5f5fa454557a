//! A non-blocking connect, for every kind of stream socket: start it, and
//! if the OS says "in progress", wait for the socket to become writable
//! (the handshake ended) and ask `SO_ERROR` how it ended.

use socket2::{SockAddr, SockRef};
use std::io;
use std::os::fd::AsFd;
use tulip_reactor::IoSource;

/// A non-blocking connect answers EINPROGRESS (EAGAIN for Unix sockets).
fn in_progress(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::WouldBlock || e.raw_os_error() == Some(libc::EINPROGRESS)
}

/// Starts connecting `socket` (already non-blocking) to `addr`: `Ok(true)`
/// if the handshake is under way and [`finish`] must wait for it.
pub(crate) fn start(socket: SockRef<'_>, addr: &SockAddr) -> io::Result<bool> {
    match socket.connect(addr) {
        Ok(()) => Ok(false),
        Err(e) if in_progress(&e) || e.kind() == io::ErrorKind::Interrupted => Ok(true),
        Err(e) => Err(e),
    }
}

/// Waits until a connect that [`start`] left in progress ended, and says
/// how: the socket's `SO_ERROR`.
pub(crate) async fn finish<T: AsFd>(io: &IoSource<T>, pending: bool) -> io::Result<()> {
    if pending {
        io.expect_writable_event();
        io.writable().await?;
    }
    match SockRef::from(io.get_ref()).take_error()? {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
