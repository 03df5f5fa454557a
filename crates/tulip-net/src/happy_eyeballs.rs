//! Happy Eyeballs (RFC 8305) for TCP: connect to a host name by racing its
//! addresses, IPv6 and IPv4 alternating, a new attempt every 250 ms while
//! the earlier ones are pending; the first to connect wins.
//!
//! The attempts are polled in place by the connecting future, not spawned
//! as tasks: dropping the future (a cancelled or timed-out connect) drops
//! every attempt and its socket at once, and nothing is left running.

use crate::addrinfo::getaddrinfo;
use crate::tcp::TcpStream;
use std::future::{poll_fn, Future};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

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
        TcpStream::connect_any(addrs, None).await
    }

    /// Connects to the first of `addrs` to answer, racing them with Happy
    /// Eyeballs: IPv6 and IPv4 alternating, the next attempt started 250 ms
    /// after the last one or as soon as one fails; each attempt limited to
    /// `attempt_timeout` if given (aiohttp's `sock_connect`). Dropping the
    /// future cancels every attempt. The error is the last attempt's.
    ///
    /// ```
    /// tulip::run(async {
    ///     let listener = tulip::TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    ///     let open = listener.local_addr().unwrap();
    ///     let closed = { let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap(); l.local_addr().unwrap() };
    ///     let s = tulip::TcpStream::connect_any(vec![closed, open], None).await.unwrap();
    ///     assert_eq!(s.peer_addr().unwrap(), open);
    /// });
    /// ```
    pub async fn connect_any(addrs: Vec<SocketAddr>, attempt_timeout: Option<Duration>) -> io::Result<TcpStream> {
        race(interleave_families(addrs), attempt_timeout).await
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

type Attempt = Pin<Box<dyn Future<Output = io::Result<TcpStream>>>>;

fn attempt(addr: SocketAddr, limit: Option<Duration>) -> Attempt {
    match limit {
        None => Box::pin(TcpStream::connect(addr)),
        Some(limit) => Box::pin(async move {
            match tulip_timer::timeout(limit, TcpStream::connect(addr)).await {
                Ok(outcome) => outcome,
                Err(_) => Err(io::Error::new(io::ErrorKind::TimedOut, format!("connect to {addr} timed out"))),
            }
        }),
    }
}

async fn race(addrs: Vec<SocketAddr>, limit: Option<Duration>) -> io::Result<TcpStream> {
    let mut next = addrs.into_iter();
    let mut running: Vec<Attempt> = Vec::new();
    // Fires when the next address is due alongside the running ones.
    let mut stagger: Option<Pin<Box<tulip_timer::Sleep>>> = None;
    let mut last = io::Error::new(io::ErrorKind::NotFound, "no address to connect to");
    let mut start_next = true;
    poll_fn(move |cx| loop {
        if start_next {
            start_next = false;
            if let Some(addr) = next.next() {
                running.push(attempt(addr, limit));
                stagger = (next.len() > 0).then(|| Box::pin(tulip_timer::sleep(ATTEMPT_DELAY)));
            }
        }
        let mut failed = false;
        let mut i = 0;
        while i < running.len() {
            match running[i].as_mut().poll(cx) {
                Poll::Ready(Ok(stream)) => return Poll::Ready(Ok(stream)),
                Poll::Ready(Err(e)) => {
                    last = e;
                    drop(running.swap_remove(i));
                    failed = true;
                }
                Poll::Pending => i += 1,
            }
        }
        if running.is_empty() && next.len() == 0 {
            return Poll::Ready(Err(std::mem::replace(&mut last, io::ErrorKind::NotFound.into())));
        }
        // RFC 8305: a failure starts the next attempt at once.
        let due = stagger.as_mut().is_some_and(|s| s.as_mut().poll(cx).is_ready());
        if failed || due || running.is_empty() {
            start_next = true;
            continue;
        }
        return Poll::Pending;
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::interleave_families;
    use crate::tcp::TcpStream;
    use std::time::Duration;

    /// A connect that is dropped (cancelled, timed out) leaves no attempt
    /// running: the attempts are the future's, not detached tasks.
    #[test]
    fn dropping_the_connect_drops_every_attempt() {
        let ev = tulip_reactor::EventLoop::new();
        // A backlog of 0 filled by connections never accepted: the kernel
        // drops further SYNs, so connects to it hang.
        let listener =
            socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap_or_else(|e| panic!("{e}"));
        let any: std::net::SocketAddr = "127.0.0.1:0".parse().unwrap_or_else(|e| panic!("{e}"));
        listener.bind(&any.into()).unwrap_or_else(|e| panic!("{e}"));
        listener.listen(0).unwrap_or_else(|e| panic!("{e}"));
        let addr = listener.local_addr().ok().and_then(|a| a.as_socket()).unwrap_or_else(|| panic!("no address"));
        let _fillers: Vec<_> = (0..3)
            .filter_map(|_| std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).ok())
            .collect();
        ev.run_until_complete(async move {
            let before = tulip_reactor::all_tasks().len();
            let connect = TcpStream::connect_any(vec![addr, addr, addr], None);
            let timed_out = tulip_timer::timeout(Duration::from_millis(600), connect).await.is_err();
            assert!(timed_out, "the connects were meant to hang");
            assert_eq!(tulip_reactor::all_tasks().len(), before);
        });
        ev.close();
    }

    #[test]
    fn families_alternate_starting_with_ipv6() {
        let a = |s: &str| s.parse().unwrap_or_else(|e| panic!("{e}"));
        let got = interleave_families(vec![a("1.1.1.1:1"), a("2.2.2.2:1"), a("[::1]:1"), a("3.3.3.3:1")]);
        assert_eq!(got, vec![a("[::1]:1"), a("1.1.1.1:1"), a("2.2.2.2:1"), a("3.3.3.3:1")]);
    }
}
