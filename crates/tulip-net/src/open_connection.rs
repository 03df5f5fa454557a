//! asyncio's `open_connection` and `open_unix_connection`: connect, and get
//! the connection as a reader and a writer. TCP connections race the
//! resolved addresses with Happy Eyeballs (RFC 8305).

use crate::stream_reader::{StreamReader, DEFAULT_LIMIT};
use crate::stream_writer::StreamWriter;
use crate::tcp::TcpStream;
use crate::transport::Transport;
use crate::unix::UnixStream;
use std::io;
use std::path::Path;
use std::rc::Rc;

/// A connection's reader and writer, sharing its transport.
pub(crate) fn streams(transport: Transport) -> (StreamReader, StreamWriter) {
    let transport = Rc::new(transport);
    (StreamReader::new(transport.clone(), DEFAULT_LIMIT), StreamWriter::new(transport))
}

/// Connects to `host:port` and returns the connection's reader and writer
/// (asyncio's `open_connection`). The name is resolved on the blocking pool;
/// with several addresses, connection attempts follow Happy Eyeballs
/// (RFC 8305): addresses alternate between IPv6 and IPv4, a new attempt
/// starts every 250 ms while earlier ones are still pending, and the first
/// to connect wins (the others are cancelled).
///
/// ```
/// let ev = tulip::EventLoop::new();
/// ev.run_until_complete(async {
///     let server = tulip::start_server(|_r, _w| async {}, "127.0.0.1", 0).await.unwrap();
///     let port = server.sockets()[0].port();
///     let (_reader, writer) = tulip::open_connection("localhost", port).await.unwrap();
///     assert!(!writer.is_closing());
///     server.close();
/// });
/// ```
pub async fn open_connection(host: &str, port: u16) -> io::Result<(StreamReader, StreamWriter)> {
    let s = TcpStream::connect_host(host, port).await?;
    let _ = s.set_nodelay(true);
    Ok(streams(Transport::Tcp(s)))
}

/// Connects to the Unix socket `path` (asyncio's `open_unix_connection`).
///
/// ```
/// let dir = std::env::temp_dir().join(format!("tulip-doc-ouc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("s.sock");
/// let _ = std::fs::remove_file(&path);
/// let ev = tulip::EventLoop::new();
/// ev.run_until_complete(async move {
///     let server = tulip::start_unix_server(|_r, mut w| async move {
///         w.write(b"hi\n").unwrap();
///     }, &path).await.unwrap();
///     let (mut r, _w) = tulip::open_unix_connection(&path).await.unwrap();
///     assert_eq!(r.readline().await.unwrap(), b"hi\n");
///     server.close();
/// });
/// ```
pub async fn open_unix_connection(path: impl AsRef<Path>) -> io::Result<(StreamReader, StreamWriter)> {
    Ok(streams(Transport::Unix(UnixStream::connect(path).await?)))
}
