//! What a TCP and a Unix listening socket share: accepting without blocking
//! the loop, on an `IoSource` of the std listener.

use std::io;
use std::os::fd::AsFd;
use tulip_reactor::IoSource;

/// A std listening socket (TCP or Unix).
pub(crate) trait StdListener: AsFd {
    /// The accepted connection's std type.
    type Stream;
    /// The address type of the peer.
    type Addr;
    fn accept(&self) -> io::Result<(Self::Stream, Self::Addr)>;
}

impl StdListener for std::net::TcpListener {
    type Stream = std::net::TcpStream;
    type Addr = std::net::SocketAddr;
    fn accept(&self) -> io::Result<(Self::Stream, Self::Addr)> {
        std::net::TcpListener::accept(self)
    }
}

impl StdListener for std::os::unix::net::UnixListener {
    type Stream = std::os::unix::net::UnixStream;
    type Addr = std::os::unix::net::SocketAddr;
    fn accept(&self) -> io::Result<(Self::Stream, Self::Addr)> {
        std::os::unix::net::UnixListener::accept(self)
    }
}

/// A listener on the loop.
pub(crate) struct Listener<L: StdListener> {
    io: IoSource<L>,
}

impl<L: StdListener> Listener<L> {
    /// Adopts `listener` (already non-blocking) on the running loop.
    pub(crate) fn new(listener: L) -> io::Result<Self> {
        Ok(Listener { io: IoSource::new(listener)? })
    }

    /// Waits for a connection; the caller wraps the std stream.
    pub(crate) async fn accept(&self) -> io::Result<(L::Stream, L::Addr)> {
        self.io.read_with(|l| l.accept()).await
    }

    pub(crate) fn get_ref(&self) -> &L {
        self.io.get_ref()
    }
}
