//! asyncio's low-level socket calls (`loop.sock_recv`, `sock_sendall`, …) on
//! a socket the caller owns and keeps owning: any non-blocking socket fd
//! (std, `socket2`, or adopted from C).
//!
//! Each call first tries the syscall; only when the OS answers "would block"
//! does it register a duplicate of the fd with the poller (a duplicate, so a
//! send and a receive in flight on the same socket, or a socket also
//! wrapped elsewhere, never collide in the poller) and wait. The duplicate
//! is deregistered and closed when the call returns, like asyncio's
//! `add_reader`/`remove_reader` around each wait.

use crate::connect;
use socket2::SockRef;
use std::future::Future;
use std::io::{self, Read};
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use tulip_reactor::{IoSource, LoopHandle};

/// Which way a call goes.
#[derive(Clone, Copy)]
enum Dir {
    Read,
    Write,
}

/// `send` flags: no SIGPIPE on a closed peer where the OS lets us say so.
#[cfg(any(target_os = "linux", target_os = "android"))]
const SEND_FLAGS: i32 = libc::MSG_NOSIGNAL;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
const SEND_FLAGS: i32 = 0;

/// One low-level call in progress: the caller's fd, and the poller
/// registration made the first time the OS says "would block".
struct Op<'a> {
    lp: &'a LoopHandle,
    fd: BorrowedFd<'a>,
    source: Option<IoSource<OwnedFd>>,
}

impl<'a> Op<'a> {
    fn new(lp: &'a LoopHandle, fd: BorrowedFd<'a>) -> io::Result<Self> {
        if lp.get_debug() && !is_nonblocking(fd)? {
            // asyncio raises ValueError for this, in debug mode too.
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "the socket must be non-blocking"));
        }
        Ok(Op { lp, fd, source: None })
    }

    fn source(&mut self) -> io::Result<&IoSource<OwnedFd>> {
        if self.source.is_none() {
            let dup = self.fd.try_clone_to_owned()?;
            self.source = Some(IoSource::on_loop(dup, self.lp)?);
        }
        match &self.source {
            Some(s) => Ok(s),
            None => unreachable!("registered just above"),
        }
    }

    /// Runs `op` until it does not answer "would block" or "interrupted".
    async fn run<R>(&mut self, d: Dir, mut op: impl FnMut() -> io::Result<R>) -> io::Result<R> {
        if self.source.is_none() {
            loop {
                match op() {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    r => return r,
                }
            }
        }
        let source = self.source()?;
        match d {
            Dir::Read => source.read_with(|_| op()).await,
            Dir::Write => source.write_with(|_| op()).await,
        }
    }
}

fn is_nonblocking(fd: BorrowedFd<'_>) -> io::Result<bool> {
    // SAFETY: F_GETFL only reads the flags of `fd`, which is open for the
    // lifetime of the borrow.
    let flags = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(flags & libc::O_NONBLOCK != 0)
}

fn ip_addr(addr: socket2::SockAddr) -> io::Result<SocketAddr> {
    addr.as_socket().ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not an IP socket"))
}

/// asyncio's `loop.sock_*` calls, as methods of the loop: bring the trait
/// into scope (`use tulip::LoopSockets;`, also in `tulip::prelude`) and
/// call them on a [`LoopHandle`] or an `EventLoop`.
pub trait LoopSockets {
    /// Receives up to `n` bytes from a non-blocking socket, waiting until
    /// some arrive (asyncio's `loop.sock_recv`); empty means end of stream.
    ///
    /// ```
    /// use tulip::LoopSockets;
    /// use std::io::Write;
    /// let ev = tulip::EventLoop::new();
    /// let lp = ev.handle();
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// let mut peer = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    /// let (sock, _) = listener.accept().unwrap();
    /// sock.set_nonblocking(true).unwrap();
    /// peer.write_all(b"hello").unwrap();
    /// let data = ev.run_until_complete(async move { lp.sock_recv(&sock, 1024).await.unwrap() });
    /// assert_eq!(data, b"hello");
    /// ```
    fn sock_recv(&self, sock: &impl AsFd, n: usize) -> impl Future<Output = io::Result<Vec<u8>>>;

    /// Receives into `buf` (asyncio's `loop.sock_recv_into`); returns the
    /// byte count, 0 at end of stream.
    ///
    /// ```
    /// use tulip::LoopSockets;
    /// let ev = tulip::EventLoop::new();
    /// let lp = ev.handle();
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// a.set_nonblocking(true).unwrap();
    /// b.set_nonblocking(true).unwrap();
    /// let n = ev.run_until_complete(async move {
    ///     lp.sock_sendall(&a, b"abc").await.unwrap();
    ///     let mut buf = [0; 8];
    ///     lp.sock_recv_into(&b, &mut buf).await.unwrap()
    /// });
    /// assert_eq!(n, 3);
    /// ```
    fn sock_recv_into(&self, sock: &impl AsFd, buf: &mut [u8]) -> impl Future<Output = io::Result<usize>>;

    /// Sends all of `data`, waiting for room as needed (asyncio's
    /// `loop.sock_sendall`). On error, how much was sent is unknown.
    ///
    /// ```
    /// use tulip::LoopSockets;
    /// use std::io::Read;
    /// let ev = tulip::EventLoop::new();
    /// let lp = ev.handle();
    /// let (a, mut b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// a.set_nonblocking(true).unwrap();
    /// let reader = std::thread::spawn(move || {
    ///     let mut all = Vec::new();
    ///     b.read_to_end(&mut all).unwrap();
    ///     all.len()
    /// });
    /// // More than a socket buffer holds: sock_sendall waits for the reader.
    /// ev.run_until_complete(async move { lp.sock_sendall(&a, &vec![7; 1 << 20]).await.unwrap() });
    /// assert_eq!(reader.join().unwrap(), 1 << 20);
    /// ```
    fn sock_sendall(&self, sock: &impl AsFd, data: &[u8]) -> impl Future<Output = io::Result<()>>;

    /// Sends one datagram to `addr` (asyncio's `loop.sock_sendto`); returns
    /// the byte count sent.
    ///
    /// ```
    /// use tulip::LoopSockets;
    /// let ev = tulip::EventLoop::new();
    /// let lp = ev.handle();
    /// let a = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    /// let b = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    /// a.set_nonblocking(true).unwrap();
    /// b.set_nonblocking(true).unwrap();
    /// let to = b.local_addr().unwrap();
    /// let (data, from) = ev.run_until_complete(async move {
    ///     lp.sock_sendto(&a, b"ping", to).await.unwrap();
    ///     lp.sock_recvfrom(&b, 64).await.unwrap()
    /// });
    /// assert_eq!(data, b"ping");
    /// assert_eq!(from.ip().to_string(), "127.0.0.1");
    /// ```
    fn sock_sendto(&self, sock: &impl AsFd, data: &[u8], addr: SocketAddr) -> impl Future<Output = io::Result<usize>>;

    /// Receives one datagram of at most `n` bytes and its sender (asyncio's
    /// `loop.sock_recvfrom`), on an IP socket. See
    /// [`sock_sendto`](Self::sock_sendto) for an example.
    fn sock_recvfrom(&self, sock: &impl AsFd, n: usize) -> impl Future<Output = io::Result<(Vec<u8>, SocketAddr)>>;

    /// Connects a non-blocking socket to `addr` without blocking the loop
    /// (asyncio's `loop.sock_connect`).
    ///
    /// ```
    /// use tulip::LoopSockets;
    /// let ev = tulip::EventLoop::new();
    /// let lp = ev.handle();
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// let addr = listener.local_addr().unwrap();
    /// let sock = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    /// sock.set_nonblocking(true).unwrap();
    /// let sock = ev.run_until_complete(async move {
    ///     lp.sock_connect(&sock, addr).await.unwrap();
    ///     sock
    /// });
    /// assert_eq!(sock.peer_addr().unwrap().as_socket(), Some(addr));
    /// ```
    fn sock_connect(&self, sock: &impl AsFd, addr: SocketAddr) -> impl Future<Output = io::Result<()>>;

    /// Accepts a connection on a non-blocking TCP listening socket (asyncio's
    /// `loop.sock_accept`); the new socket is non-blocking, as asyncio makes
    /// it.
    ///
    /// ```
    /// use tulip::LoopSockets;
    /// let ev = tulip::EventLoop::new();
    /// let lp = ev.handle();
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// listener.set_nonblocking(true).unwrap();
    /// let addr = listener.local_addr().unwrap();
    /// let client = std::thread::spawn(move || std::net::TcpStream::connect(addr).unwrap());
    /// let (conn, peer) = ev.run_until_complete(async move { lp.sock_accept(&listener).await.unwrap() });
    /// assert_eq!(peer, client.join().unwrap().local_addr().unwrap());
    /// assert_eq!(conn.local_addr().unwrap(), addr);
    /// ```
    fn sock_accept(&self, sock: &impl AsFd) -> impl Future<Output = io::Result<(std::net::TcpStream, SocketAddr)>>;
}

impl LoopSockets for LoopHandle {
    async fn sock_recv(&self, sock: &impl AsFd, n: usize) -> io::Result<Vec<u8>> {
        let mut buf = vec![0; n];
        let got = self.sock_recv_into(sock, &mut buf).await?;
        buf.truncate(got);
        Ok(buf)
    }

    async fn sock_recv_into(&self, sock: &impl AsFd, buf: &mut [u8]) -> io::Result<usize> {
        let s = SockRef::from(sock);
        let mut op = Op::new(self, sock.as_fd())?;
        op.run(Dir::Read, || (&*s).read(buf)).await
    }

    async fn sock_sendall(&self, sock: &impl AsFd, data: &[u8]) -> io::Result<()> {
        let s = SockRef::from(sock);
        let mut op = Op::new(self, sock.as_fd())?;
        let mut sent = 0;
        while sent < data.len() {
            let n = op.run(Dir::Write, || s.send_with_flags(&data[sent..], SEND_FLAGS)).await?;
            if n == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            sent += n;
        }
        Ok(())
    }

    async fn sock_sendto(&self, sock: &impl AsFd, data: &[u8], addr: SocketAddr) -> io::Result<usize> {
        let s = SockRef::from(sock);
        let to = socket2::SockAddr::from(addr);
        let mut op = Op::new(self, sock.as_fd())?;
        op.run(Dir::Write, || s.send_to_with_flags(data, &to, SEND_FLAGS)).await
    }

    async fn sock_recvfrom(&self, sock: &impl AsFd, n: usize) -> io::Result<(Vec<u8>, SocketAddr)> {
        let s = SockRef::from(sock);
        let mut op = Op::new(self, sock.as_fd())?;
        let mut buf = Vec::with_capacity(n);
        let (got, from) = op.run(Dir::Read, || s.recv_from(&mut buf.spare_capacity_mut()[..n])).await?;
        // SAFETY: `recv_from` initialised the first `got` bytes of the first
        // `n` bytes of spare capacity it was given (`got <= n <= capacity`).
        unsafe { buf.set_len(got) };
        Ok((buf, ip_addr(from)?))
    }

    async fn sock_connect(&self, sock: &impl AsFd, addr: SocketAddr) -> io::Result<()> {
        let s = SockRef::from(sock);
        let mut op = Op::new(self, sock.as_fd())?;
        if !connect::start(s, &addr.into())? {
            return Ok(());
        }
        connect::finish(op.source()?, true).await
    }

    async fn sock_accept(&self, sock: &impl AsFd) -> io::Result<(std::net::TcpStream, SocketAddr)> {
        let s = SockRef::from(sock);
        let mut op = Op::new(self, sock.as_fd())?;
        let (conn, from) = op.run(Dir::Read, || s.accept()).await?;
        conn.set_nonblocking(true)?;
        Ok((conn.into(), ip_addr(from)?))
    }
}
