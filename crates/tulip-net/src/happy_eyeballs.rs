//! Happy Eyeballs (RFC 8305) for TCP: connect to a host name by racing its
//! addresses, IPv6 and IPv4 alternating, a new attempt every 250 ms while
//! the earlier ones are pending; the first to connect wins.

use crate::addrinfo::getaddrinfo;
use crate::tcp::TcpStream;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;
use tulip_combinators::{wait, ReturnWhen};
use tulip_reactor::create_task;

impl TcpStream {
    /// Connects to `host:port`, resolving the name on the blocking pool and
    /// racing the addresses with Happy Eyeballs (what
    /// [`open_connection`](crate::open_connection) does, for a bare socket).
    ///
    /// ```
    /// tulip::run(async {
    ///     let listener = tulip::TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    ///     let port = listener.local_addr().unwrap().port();
    ///     let s = tulip::TcpStream::connect_host("localhost", port).await.unwrap();
    ///     assert!(s.peer_addr().unwrap().ip().is_loopback());
    /// });
    /// ```
    pub async fn connect_host(host: &str, port: u16) -> io::Result<TcpStream> {
        let addrs = getaddrinfo(host, port).await?;
        if addrs.is_empty() {
            return Err(io::Error::new(io::ErrorKind::NotFound, format!("no address found for {host}")));
        }
        happy_eyeballs(interleave_families(addrs)).await
    }
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
        let mut wait = wait(pending).return_when(ReturnWhen::FirstCompleted);
        if more {
            wait = wait.timeout(ATTEMPT_DELAY);
        }
        // Never empty: an attempt was just added, or some are pending.
        let Ok((done, still)) = wait.await else { return Err(last) };
        pending = still;
        for attempt in done {
            match attempt.await {
                Ok(Ok(stream)) => {
                    for loser in &pending {
                        loser.cancel();
                    }
                    return Ok(stream);
                }
                Ok(Err(e)) => last = e,
                Err(e) => last = e.into(),
            }
        }
    }
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
