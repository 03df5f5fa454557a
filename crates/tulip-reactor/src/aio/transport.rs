//! What asyncio's streams run over: a TCP or Unix stream connection.

use super::tcp::TcpStream;
use super::unix::UnixStream;
use futures_lite::io::{AsyncRead, AsyncWrite};
use std::io::{self, Write};
use std::net::Shutdown;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A connected stream socket shared by a `StreamReader` and its `StreamWriter`.
pub(crate) enum Transport {
    Tcp(TcpStream),
    Unix(UnixStream),
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
    pub(crate) fn poll_read(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        match self {
            Transport::Tcp(s) => Pin::new(&mut &*s).poll_read(cx, buf),
            Transport::Unix(s) => Pin::new(&mut &*s).poll_read(cx, buf),
        }
    }

    pub(crate) fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self {
            Transport::Tcp(s) => Pin::new(&mut &*s).poll_write(cx, buf),
            Transport::Unix(s) => Pin::new(&mut &*s).poll_write(cx, buf),
        }
    }

    /// One write attempt without waiting (`WouldBlock` when full).
    pub(crate) fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Transport::Tcp(s) => s.io().try_write_with(|s| (&*s).write(buf)),
            Transport::Unix(s) => s.io().try_write_with(|s| (&*s).write(buf)),
        }
    }

    pub(crate) fn shutdown_write(&self) -> io::Result<()> {
        let r = match self {
            Transport::Tcp(s) => s.shutdown(Shutdown::Write),
            Transport::Unix(s) => s.shutdown(Shutdown::Write),
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
        }
    }

    pub(crate) fn sockname(&self) -> Option<std::net::SocketAddr> {
        match self {
            Transport::Tcp(s) => s.local_addr().ok(),
            Transport::Unix(_) => None,
        }
    }
}
