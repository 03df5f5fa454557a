//! asyncio's networking for the tulip event loop.
//!
//! * Sockets on the loop: [`TcpListener`], [`TcpStream`], [`UdpSocket`],
//!   [`UnixListener`], [`UnixStream`] (the stream types implement
//!   futures-io's `AsyncRead`/`AsyncWrite`), and asyncio's `loop.sock_*`
//!   calls on sockets the caller owns ([`LoopSockets`]).
//! * An in-memory pipe, [`duplex`]: two [`DuplexStream`] ends with the
//!   same traits, for tests that must not wait on the OS (a virtual clock
//!   jumps over them).
//! * Name resolution off the loop: [`getaddrinfo`].
//! * asyncio's streams: [`open_connection`] (Happy Eyeballs over the
//!   resolved addresses), [`start_server`] and their Unix twins, with
//!   [`StreamReader`] and [`StreamWriter`].
//! * TLS (cargo feature `tls`, off by default): `tls`, asyncio's `ssl`
//!   module on rustls. `ssl.create_default_context()` is
//!   `tls::TlsContext::client()`, a server's context
//!   `tls::TlsContext::server(cert, key)`; `open_connection(host, port,
//!   ssl=ctx)` is `tls::connect(&ctx, host, port)`, and `start_server(...,
//!   ssl=ctx)` runs `tls::tls_accept(&ctx, tcp)` on each connection.
//!
//! Everything is built on `tulip-reactor`'s public [`IoSource`](tulip_reactor::IoSource)
//! seam. Used alone, next to the reactor:
//!
//! ```
//! let ev = tulip_reactor::EventLoop::new();
//! ev.run_until_complete(async {
//!     let server = tulip_net::start_server(|mut r, mut w| async move {
//!         let line = r.readline().await.unwrap();
//!         w.write(&line).unwrap();
//!     }, "127.0.0.1", 0).await.unwrap();
//!     let port = server.sockets()[0].port();
//!     let (mut r, mut w) = tulip_net::open_connection("127.0.0.1", port).await.unwrap();
//!     w.write(b"echo\n").unwrap();
//!     assert_eq!(r.readline().await.unwrap(), b"echo\n");
//!     server.close();
//! });
//! ```

mod addrinfo;
mod connect;
mod duplex;
mod happy_eyeballs;
mod listener;
mod open_connection;
mod read_buffer;
mod server;
mod server_options;
mod sock;
mod stream_errors;
mod stream_io;
mod stream_reader;
mod stream_reader_io;
mod stream_writer;
mod stream_writer_io;
mod tcp;
#[cfg(feature = "tls")]
pub mod tls;
mod transport;
mod udp;
mod unix;

pub use addrinfo::getaddrinfo;
pub use duplex::{duplex, DuplexStream};
pub use open_connection::{open_connection, open_unix_connection};
pub use server::{start_server, start_server_on, start_server_with, start_unix_server, Server};
pub use server_options::ServerOptions;
pub use sock::LoopSockets;
pub use stream_reader::{IncompleteReadError, LimitOverrunError, StreamError, StreamReader, DEFAULT_LIMIT};
pub use stream_writer::{ExtraInfo, StreamWriter, DEFAULT_HIGH_WATER};
pub use tcp::{TcpListener, TcpStream};
pub use transport::PeerName;
pub use udp::UdpSocket;
pub use unix::{UnixListener, UnixStream};
