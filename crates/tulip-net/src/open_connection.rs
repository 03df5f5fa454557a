//! asyncio's `open_connection` and `open_unix_connection`: connect, and get
//! the connection as a reader and a writer. TCP connections race the
//! resolved addresses with Happy Eyeballs (RFC 8305).

use crate::addrinfo::getaddrinfo;
use crate::stream_reader::{StreamReader, DEFAULT_LIMIT};
use crate::stream_writer::StreamWriter;
use crate::tcp::TcpStream;
use crate::transport::Transport;
use crate::unix::UnixStream;
use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::rc::Rc;
use std::time::Duration;
use tulip_combinators::{wait, ReturnWhen};
use tulip_reactor::create_task;

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
    let addrs = getaddrinfo(host, port).await?;
    if addrs.is_empty() {
        return Err(io::Error::new(io::ErrorKind::NotFound, format!("no address found for {host}")));
    }
    let s = happy_eyeballs(interleave_families(addrs)).await?;
    let _ = s.set_nodelay(true);
    Ok(streams(Transport::Tcp(s)))
}

/// RFC 8305's "Connection Attempt Delay".
const ATTEMPT_DELAY: Duration = Duration::from_millis(250);

/// Orders addresses IPv6, IPv4, IPv6, ... keeping each family's order.
fn interleave_families(addrs: Vec<SocketAddr>) -> Vec<SocketAddr> {
    let (v6, v4): (Vec<_>, Vec<_>) = addrs.into_iter().partition(SocketAddr::is_ipv6);
    let (mut v6, mut v4) = (v6.into_iter(), v4.into_iter());
    let mut out = Vec::new();
    loop {
        match (v6.next(), v4.next()) {
            (None, None) => return out,
            (a, b) => out.extend(a.into_iter().chain(b)),
        }
    }
}

async fn happy_eyeballs(addrs: Vec<SocketAddr>) -> io::Result<TcpStream> {
    let mut pending = Vec::new();
    let mut next = addrs.into_iter();
    let mut last = io::Error::new(io::ErrorKind::NotFound, "no address to connect to");
    loop {
        if let Some(addr) = next.next() {
            pending.push(create_task(TcpStream::connect(addr)));
        } else if pending.is_empty() {
            return Err(last);
        }
        let more = next.len() > 0;
        let mut wait = wait(pending, ReturnWhen::FirstCompleted);
        if more {
            wait = wait.timeout(ATTEMPT_DELAY);
        }
        let (done, still) = wait.await;
        pending = still;
        for attempt in done {
            match attempt.result() {
                Ok(Ok(stream)) => {
                    for loser in &pending {
                        loser.cancel();
                    }
                    return Ok(stream);
                }
                Ok(Err(e)) => last = e,
                Err(e) => last = io::Error::other(e.to_string()),
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::interleave_families;

    #[test]
    fn families_alternate_starting_with_ipv6() {
        let a = |s: &str| s.parse().unwrap_or_else(|e| panic!("{e}"));
        let got = interleave_families(vec![a("1.1.1.1:1"), a("2.2.2.2:1"), a("[::1]:1"), a("3.3.3.3:1")]);
        assert_eq!(got, vec![a("[::1]:1"), a("1.1.1.1:1"), a("2.2.2.2:1"), a("3.3.3.3:1")]);
    }
}
