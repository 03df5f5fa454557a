//! Unix domain stream sockets on the loop.

use crate::connect;
use crate::listener::Listener;
use std::fmt;
use std::io;
use std::net::Shutdown;
use std::os::unix::net::SocketAddr;
use std::path::Path;
use tulip_reactor::IoSource;

/// A Unix stream server socket (asyncio's `start_unix_server` socket).
///
/// ```
/// use tulip::{EventLoop, UnixListener, UnixStream};
/// let dir = std::env::temp_dir().join(format!("tulip-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("listener.sock");
/// let _ = std::fs::remove_file(&path);
/// let ev = EventLoop::new();
/// ev.run_until_complete(async move {
///     let listener = UnixListener::bind(&path).unwrap();
///     let _client = UnixStream::connect(&path).await.unwrap();
///     let (_server_side, _addr) = listener.accept().await.unwrap();
/// });
/// ```
pub struct UnixListener {
    inner: Listener<std::os::unix::net::UnixListener>,
}

impl UnixListener {
    /// Binds to the socket file `path` on the running loop.
    pub fn bind(path: impl AsRef<Path>) -> io::Result<Self> {
        let listener = std::os::unix::net::UnixListener::bind(path)?;
        listener.set_nonblocking(true)?;
        Ok(UnixListener { inner: Listener::new(listener)? })
    }

    /// Waits for a connection.
    pub async fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        let (stream, addr) = self.inner.accept().await?;
        stream.set_nonblocking(true)?;
        Ok((UnixStream { io: IoSource::new(stream)? }, addr))
    }

    /// The address it is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().local_addr()
    }
}

impl fmt::Debug for UnixListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixListener").field("local_addr", &self.local_addr().ok()).finish()
    }
}

/// A Unix stream connection, with `AsyncRead`/`AsyncWrite` (also on `&UnixStream`).
///
/// ```
/// use futures_lite::{AsyncReadExt, AsyncWriteExt};
/// let ev = tulip::EventLoop::new();
/// ev.run_until_complete(async {
///     let (mut a, mut b) = tulip::UnixStream::pair().unwrap();
///     a.write_all(b"hi").await.unwrap();
///     let mut buf = [0; 2];
///     b.read_exact(&mut buf).await.unwrap();
///     assert_eq!(&buf, b"hi");
/// });
/// ```
pub struct UnixStream {
    io: IoSource<std::os::unix::net::UnixStream>,
}

impl UnixStream {
    /// Connects to the socket file `path` without blocking the loop.
    pub async fn connect(path: impl AsRef<Path>) -> io::Result<UnixStream> {
        let socket = socket2::Socket::new(socket2::Domain::UNIX, socket2::Type::STREAM, None)?;
        socket.set_nonblocking(true)?;
        let pending = connect::start((&socket).into(), &socket2::SockAddr::unix(path)?)?;
        let stream =
            UnixStream { io: IoSource::new(std::os::unix::net::UnixStream::from(std::os::fd::OwnedFd::from(socket)))? };
        connect::finish(&stream.io, pending).await?;
        Ok(stream)
    }

    /// A connected pair (like `socket.socketpair()`).
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = std::os::unix::net::UnixStream::pair()?;
        a.set_nonblocking(true)?;
        b.set_nonblocking(true)?;
        Ok((UnixStream { io: IoSource::new(a)? }, UnixStream { io: IoSource::new(b)? }))
    }

    /// Shuts down reading, writing or both.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
    }

    /// The remote address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }
}

impl UnixStream {
    pub(crate) fn io(&self) -> &IoSource<std::os::unix::net::UnixStream> {
        &self.io
    }
}

crate::stream_io::impl_stream_io!(UnixStream);

impl fmt::Debug for UnixStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixStream").field("peer_addr", &self.peer_addr().ok()).finish()
    }
}
