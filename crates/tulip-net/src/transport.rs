//! What asyncio's streams run over: a TCP or Unix stream connection.

use crate::tcp::TcpStream;
use crate::unix::UnixStream;
use futures_lite::io::{AsyncRead, AsyncWrite};
use std::cell::RefCell;
use std::fs::File;
use std::io::{self, Read, Write};
use std::net::Shutdown;
use std::os::fd::{AsRawFd, OwnedFd};
use std::pin::Pin;
use std::task::{Context, Poll};
use tulip_reactor::IoSource;

/// A connected stream socket shared by a `StreamReader` and its `StreamWriter`.
pub(crate) enum Transport {
    Tcp(TcpStream),
    Unix(UnixStream),
    /// One end of a pipe (a subprocess's stdin, stdout or stderr). Closing
    /// the write side means closing the fd, hence the `Option`.
    Pipe(RefCell<Option<IoSource<File>>>),
    /// TLS over TCP. rustls's state is one mutable object: borrowed for the
    /// length of one poll, never across an await, by the reader or the
    /// writer (a loop runs one of them at a time).
    #[cfg(feature = "tls")]
    Tls(Box<RefCell<crate::tls::TlsStream>>),
}

fn pipe_closed() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "the pipe is closed")
}

/// The peer's address as `get_extra_info("peername")` reports it.
#[derive(Debug, Clone)]
pub enum PeerName {
    /// A TCP peer.
    Inet(std::net::SocketAddr),
    /// A Unix-socket peer (often unnamed).
    Unix(std::os::unix::net::SocketAddr),
}

impl Transport {
    /// One end of a pipe (a subprocess's stdin, stdout or stderr), made
    /// non-blocking and registered on the running loop.
    pub(crate) fn pipe(fd: OwnedFd) -> io::Result<Transport> {
        // SAFETY: fcntl on a valid, owned fd; only the O_NONBLOCK flag changes.
        let ok = unsafe {
            let flags = libc::fcntl(fd.as_raw_fd(), libc::F_GETFL);
            flags >= 0 && libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, flags | libc::O_NONBLOCK) >= 0
        };
        if !ok {
            return Err(io::Error::last_os_error());
        }
        Ok(Transport::Pipe(RefCell::new(Some(IoSource::new(File::from(fd))?))))
    }

    pub(crate) fn poll_read(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        match self {
            Transport::Tcp(s) => Pin::new(&mut &*s).poll_read(cx, buf),
            Transport::Unix(s) => Pin::new(&mut &*s).poll_read(cx, buf),
            Transport::Pipe(p) => match p.borrow().as_ref() {
                Some(io) => io.poll_read_stream(cx, buf, |f, buf| (&*f).read(buf)),
                None => Poll::Ready(Ok(0)),
            },
            #[cfg(feature = "tls")]
            Transport::Tls(t) => Pin::new(&mut *t.borrow_mut()).poll_read(cx, buf),
        }
    }

    pub(crate) fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self {
            Transport::Tcp(s) => Pin::new(&mut &*s).poll_write(cx, buf),
            Transport::Unix(s) => Pin::new(&mut &*s).poll_write(cx, buf),
            Transport::Pipe(p) => match p.borrow().as_ref() {
                Some(io) => io.poll_write_stream(cx, buf, |f, buf| (&*f).write(buf)),
                None => Poll::Ready(Err(pipe_closed())),
            },
            // Written records may wait in rustls: flush them out too.
            #[cfg(feature = "tls")]
            Transport::Tls(t) => {
                let mut t = t.borrow_mut();
                let r = Pin::new(&mut *t).poll_write(cx, buf);
                if matches!(r, Poll::Ready(Ok(_))) {
                    let _ = Pin::new(&mut *t).poll_flush(cx);
                }
                r
            }
        }
    }

    /// One write attempt without waiting (`WouldBlock` when full).
    pub(crate) fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Transport::Tcp(s) => s.io().try_write_with(|s| (&*s).write(buf)),
            Transport::Unix(s) => s.io().try_write_with(|s| (&*s).write(buf)),
            Transport::Pipe(p) => match p.borrow().as_ref() {
                Some(io) => io.try_write_with(|f| (&*f).write(buf)),
                None => Err(pipe_closed()),
            },
            // No waker to leave: a write that would wait is `WouldBlock`,
            // and the background flush takes it from there.
            #[cfg(feature = "tls")]
            Transport::Tls(_) => match self.poll_write(&mut Context::from_waker(std::task::Waker::noop()), buf) {
                Poll::Ready(r) => r,
                Poll::Pending => Err(io::ErrorKind::WouldBlock.into()),
            },
        }
    }

    /// Ends the connection in direction `how` (`Write`: the peer sees EOF;
    /// `Both`: asyncio's transport close, this side's reads end too). For a
    /// pipe, either closes the fd.
    pub(crate) fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        let r = match self {
            Transport::Tcp(s) => s.shutdown(how),
            Transport::Unix(s) => s.shutdown(how),
            Transport::Pipe(p) => {
                drop(p.borrow_mut().take());
                Ok(())
            }
            // TLS's own end first (close_notify, if the socket takes it
            // now), then the TCP connection's.
            #[cfg(feature = "tls")]
            Transport::Tls(t) => {
                let mut t = t.borrow_mut();
                let _ = Pin::new(&mut *t).poll_close(&mut Context::from_waker(std::task::Waker::noop()));
                t.get_ref().shutdown(how)
            }
        };
        match r {
            Err(e) if e.kind() == io::ErrorKind::NotConnected => Ok(()),
            r => r,
        }
    }

    pub(crate) fn peername(&self) -> io::Result<PeerName> {
        match self {
            Transport::Tcp(s) => s.peer_addr().map(PeerName::Inet),
            Transport::Unix(s) => s.peer_addr().map(PeerName::Unix),
            Transport::Pipe(_) => Err(io::ErrorKind::NotConnected.into()),
            #[cfg(feature = "tls")]
            Transport::Tls(t) => t.borrow().get_ref().peer_addr().map(PeerName::Inet),
        }
    }

    pub(crate) fn sockname(&self) -> Option<std::net::SocketAddr> {
        match self {
            Transport::Tcp(s) => s.local_addr().ok(),
            Transport::Unix(_) | Transport::Pipe(_) => None,
            #[cfg(feature = "tls")]
            Transport::Tls(t) => t.borrow().get_ref().local_addr().ok(),
        }
    }

    /// The TLS stream, if the connection is one.
    #[cfg(feature = "tls")]
    pub(crate) fn tls(&self) -> Option<std::cell::Ref<'_, crate::tls::TlsStream>> {
        match self {
            Transport::Tls(t) => Some(t.borrow()),
            _ => None,
        }
    }
}
