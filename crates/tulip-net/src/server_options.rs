//! The socket options of a listening server (asyncio's `start_server`
//! keywords `reuse_address`, `reuse_port`, `backlog`), and binding with them.

use crate::tcp::TcpListener;
use socket2::{Domain, Protocol, Socket, Type};
use std::io;
use std::net::SocketAddr;

/// How [`start_server_with`](crate::start_server_with) and
/// [`TcpListener::bind_with`] make their listening sockets: asyncio's
/// `start_server(..., reuse_address=, reuse_port=, backlog=)`, as a value
/// with chained setters.
///
/// `reuse_port` is what a loop per core needs: every loop binds its own
/// socket to the same address, and the kernel spreads the incoming
/// connections across them (Linux hashes each connection to one socket),
/// so loops never share an accept queue or wake each other.
///
/// ```
/// use tulip::net::ServerOptions;
/// let opts = ServerOptions::new().reuse_port(true).backlog(1024);
/// assert!(opts.reuse_port_enabled());
/// assert_eq!(opts.backlog_len(), 1024);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerOptions {
    reuse_address: bool,
    reuse_port: bool,
    backlog: i32,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions::new()
    }
}

impl ServerOptions {
    /// asyncio's defaults on Unix: `SO_REUSEADDR` on (a restarted server can
    /// bind while old connections linger in TIME_WAIT), `SO_REUSEPORT` off,
    /// a backlog of 128 (what `std` uses).
    pub const fn new() -> Self {
        ServerOptions { reuse_address: true, reuse_port: false, backlog: 128 }
    }

    /// `SO_REUSEADDR` (asyncio's `reuse_address`; default on).
    pub const fn reuse_address(mut self, on: bool) -> Self {
        self.reuse_address = on;
        self
    }

    /// `SO_REUSEPORT` (asyncio's `reuse_port`; default off): several
    /// sockets, in this process or others, may listen on the same address,
    /// and the kernel balances connections among them.
    pub const fn reuse_port(mut self, on: bool) -> Self {
        self.reuse_port = on;
        self
    }

    /// The length of the queue of connections not yet accepted (asyncio's
    /// `backlog`; the kernel caps it at `net.core.somaxconn`).
    pub const fn backlog(mut self, n: u32) -> Self {
        self.backlog = if n > i32::MAX as u32 { i32::MAX } else { n as i32 };
        self
    }

    /// Whether `SO_REUSEADDR` is set.
    pub const fn reuse_address_enabled(&self) -> bool {
        self.reuse_address
    }

    /// Whether `SO_REUSEPORT` is set.
    pub const fn reuse_port_enabled(&self) -> bool {
        self.reuse_port
    }

    /// The backlog passed to `listen`.
    pub const fn backlog_len(&self) -> u32 {
        self.backlog as u32
    }

    /// A bound, listening std socket with these options (non-blocking).
    pub(crate) fn listen(&self, addr: SocketAddr) -> io::Result<std::net::TcpListener> {
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
        if addr.is_ipv6() {
            // As std and asyncio: an IPv6 socket does not also take IPv4.
            socket.set_only_v6(true)?;
        }
        socket.set_reuse_address(self.reuse_address)?;
        #[cfg(unix)]
        if self.reuse_port {
            socket.set_reuse_port(true)?;
        }
        socket.set_nonblocking(true)?;
        socket.bind(&addr.into())?;
        socket.listen(self.backlog)?;
        Ok(socket.into())
    }
}

impl TcpListener {
    /// Binds to `addr` with `options` (see [`ServerOptions`]) on the running
    /// loop.
    ///
    /// ```
    /// use tulip::net::{ServerOptions, TcpListener};
    /// tulip::run(async {
    ///     let opts = ServerOptions::new().reuse_port(true);
    ///     let a = TcpListener::bind_with("127.0.0.1:0".parse().unwrap(), opts).unwrap();
    ///     // A second socket on the same address: allowed by SO_REUSEPORT.
    ///     let b = TcpListener::bind_with(a.local_addr().unwrap(), opts).unwrap();
    ///     assert_eq!(a.local_addr().unwrap(), b.local_addr().unwrap());
    /// });
    /// ```
    pub fn bind_with(addr: SocketAddr, options: ServerOptions) -> io::Result<TcpListener> {
        TcpListener::from_std(options.listen(addr)?)
    }
}
