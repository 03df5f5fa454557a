//! I/O on the loop: descriptors registered with the poller, sockets,
//! asyncio's streams and servers, and the blocking pool.

mod addrinfo;
mod process;
mod reader;
mod server;
mod signal;
mod sock;
mod stream_io;
mod tcp;
mod transport;
mod udp;
mod unix;
mod writer;

pub use addrinfo::getaddrinfo;
pub use process::{create_subprocess_exec, create_subprocess_shell, Process};
pub use reader::{IncompleteReadError, LimitOverrunError, StreamError, StreamReader, DEFAULT_LIMIT};
pub use server::{open_connection, open_unix_connection, start_server, start_unix_server, Server};
pub use signal::signals;
pub use tcp::{TcpListener, TcpStream};
pub use transport::PeerName;
pub use udp::UdpSocket;
pub use unix::{UnixListener, UnixStream};
pub use writer::{StreamWriter, DEFAULT_HIGH_WATER};
