//! TCP sockets on the loop.

use crate::connect;
use crate::listener::Listener;
use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::time::Duration;
use tulip_reactor::IoSource;

/// A TCP server socket (asyncio's listening socket of `start_server`, or
/// `loop.sock_accept`).
///
/// ```
/// use tulip::{EventLoop, TcpListener, TcpStream};
/// let ev = EventLoop::new();
/// ev.run_until_complete(async {
///     let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
///     let addr = listener.local_addr().unwrap();
///     let client = TcpStream::connect(addr).await.unwrap();
///     let (server_side, peer) = listener.accept().await.unwrap();
///     assert_eq!(peer, client.local_addr().unwrap());
///     assert_eq!(server_side.peer_addr().unwrap(), client.local_addr().unwrap());
/// });
/// ```
pub struct TcpListener {
    inner: Listener<std::net::TcpListener>,
}

impl TcpListener {
    /// Binds to `addr` (port 0 picks a free port) on the running loop.
    pub fn bind(addr: SocketAddr) -> io::Result<Self> {
        Self::from_std(std::net::TcpListener::bind(addr)?)
    }

    /// Adopts a std listener (made non-blocking here).
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<Self> {
        listener.set_nonblocking(true)?;
        Ok(TcpListener { inner: Listener::new(listener)? })
    }

    /// Waits for a connection (asyncio's `sock_accept`).
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (stream, addr) = self.inner.accept().await?;
        Ok((TcpStream::from_std(stream)?, addr))
    }

    /// The address it is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().local_addr()
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpListener").field("local_addr", &self.local_addr().ok()).finish()
    }
}

/// A TCP connection. Implements `futures-io`'s `AsyncRead`/`AsyncWrite`
/// (also on `&TcpStream`, so one task can read while another writes).
///
/// ```
/// use futures_lite::{AsyncReadExt, AsyncWriteExt};
/// use tulip::{EventLoop, TcpListener, TcpStream};
/// let ev = EventLoop::new();
/// ev.run_until_complete(async {
///     let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
///     let mut client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
///     let (mut server, _) = listener.accept().await.unwrap();
///     client.write_all(b"hello").await.unwrap();
///     let mut buf = [0u8; 5];
///     server.read_exact(&mut buf).await.unwrap();
///     assert_eq!(&buf, b"hello");
/// });
/// ```
pub struct TcpStream {
    io: IoSource<std::net::TcpStream>,
}

impl TcpStream {
    /// Connects to `addr` without blocking the loop (asyncio's
    /// `sock_connect`).
    pub async fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
        let socket = socket2::Socket::new(socket2::Domain::for_address(addr), socket2::Type::STREAM, None)?;
        socket.set_nonblocking(true)?;
        let pending = connect::start((&socket).into(), &addr.into())?;
        let stream = TcpStream { io: IoSource::new(std::net::TcpStream::from(socket))? };
        connect::finish(&stream.io, pending).await?;
        stream.io.get_ref().peer_addr()?;
        Ok(stream)
    }

    /// [`connect`](Self::connect) with a time limit; a timeout is an
    /// `io::ErrorKind::TimedOut` error.
    pub async fn connect_timeout(addr: SocketAddr, limit: Duration) -> io::Result<TcpStream> {
        match tulip_timer::timeout(limit, Self::connect(addr)).await {
            Ok(r) => r,
            Err(_) => Err(io::Error::new(io::ErrorKind::TimedOut, "connect timed out")),
        }
    }

    /// Adopts a connected std stream (made non-blocking here).
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<Self> {
        stream.set_nonblocking(true)?;
        Ok(TcpStream { io: IoSource::new(stream)? })
    }

    /// Reads into `buf` (asyncio's `sock_recv_into`); 0 means end of stream.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.read_with(|s| (&*s).read(buf)).await
    }

    /// Writes some of `buf`, returning how much (asyncio's `sock_send`).
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.write_with(|s| (&*s).write(buf)).await
    }

    /// Writes all of `buf` (asyncio's `sock_sendall`).
    pub async fn send_all(&self, mut buf: &[u8]) -> io::Result<()> {
        while !buf.is_empty() {
            let n = self.send(buf).await?;
            if n == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            buf = &buf[n..];
        }
        Ok(())
    }

    /// Disables (true) or enables Nagle's algorithm.
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.io.get_ref().set_nodelay(nodelay)
    }

    /// Whether Nagle's algorithm is disabled.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.io.get_ref().nodelay()
    }

    /// Shuts down reading, writing or both (a write shutdown sends FIN: the
    /// half-close of asyncio's `write_eof`).
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
    }

    /// The remote address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }
}

impl TcpStream {
    pub(crate) fn io(&self) -> &IoSource<std::net::TcpStream> {
        &self.io
    }
}

crate::stream_io::impl_stream_io!(TcpStream);

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpStream")
            .field("local_addr", &self.local_addr().ok())
            .field("peer_addr", &self.peer_addr().ok())
            .finish()
    }
}
