//! Name resolution with aiohttp's DNS cache (`ttl_dns_cache`), and Happy
//! Eyeballs over the addresses found.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use tulip_combinators::{wait, ReturnWhen};
use tulip_net::TcpStream;
use tulip_reactor::create_task;

use crate::timeout::now;

/// RFC 8305's delay before the next address is tried alongside.
const ATTEMPT_DELAY: Duration = Duration::from_millis(250);

/// A cached answer: the addresses and when they were resolved.
type Entry = (Vec<SocketAddr>, Instant);

/// Resolved addresses per (host, port), each kept `ttl` (`None`: forever).
pub(crate) struct DnsCache {
    enabled: bool,
    ttl: Option<Duration>,
    entries: RefCell<HashMap<(String, u16), Entry>>,
}

impl DnsCache {
    pub(crate) fn new(enabled: bool, ttl: Option<Duration>) -> Self {
        DnsCache { enabled, ttl, entries: RefCell::new(HashMap::new()) }
    }

    /// The addresses of `host:port`: an IP literal as is, else from the
    /// cache while fresh, else from `getaddrinfo` (on the blocking pool).
    pub(crate) async fn resolve(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return Ok(vec![SocketAddr::new(ip, port)]);
        }
        let key = (host.to_ascii_lowercase(), port);
        if self.enabled {
            if let Some((addrs, at)) = self.entries.borrow().get(&key) {
                if self.ttl.is_none_or(|ttl| now().saturating_duration_since(*at) < ttl) {
                    return Ok(addrs.clone());
                }
            }
        }
        let addrs = tulip_net::getaddrinfo(host, port).await?;
        if addrs.is_empty() {
            return Err(io::Error::new(io::ErrorKind::NotFound, format!("no address found for {host}")));
        }
        if self.enabled {
            self.entries.borrow_mut().insert(key, (addrs.clone(), now()));
        }
        Ok(addrs)
    }

    /// Forgets every cached name (aiohttp's `clear_dns_cache()`).
    pub(crate) fn clear(&self) {
        self.entries.borrow_mut().clear();
    }
}

/// Connects to one of `addrs`, IPv6 and IPv4 alternating, starting a new
/// attempt every 250 ms while earlier ones are pending (Happy Eyeballs);
/// each attempt is limited to `sock_connect`. The socket gets TCP_NODELAY:
/// without it small requests stall on Nagle and delayed ACKs.
pub(crate) async fn connect_addrs(addrs: Vec<SocketAddr>, sock_connect: Option<Duration>) -> io::Result<TcpStream> {
    let (v6, v4): (Vec<_>, Vec<_>) = addrs.into_iter().partition(SocketAddr::is_ipv6);
    let mut order = Vec::with_capacity(v6.len() + v4.len());
    let (mut a, mut b) = (v6.into_iter(), v4.into_iter());
    loop {
        match (a.next(), b.next()) {
            (None, None) => break,
            (x, y) => order.extend(x.into_iter().chain(y)),
        }
    }
    let mut next = order.into_iter();
    let mut pending = Vec::new();
    let mut last = io::Error::new(io::ErrorKind::NotFound, "no address to connect to");
    loop {
        if let Some(addr) = next.next() {
            pending.push(create_task(attempt(addr, sock_connect)));
        } else if pending.is_empty() {
            return Err(last);
        }
        let mut race = wait(pending, ReturnWhen::FirstCompleted);
        if next.len() > 0 {
            race = race.timeout(ATTEMPT_DELAY);
        }
        let (done, still) = race.await;
        pending = still;
        for task in done {
            match task.result() {
                Ok(Ok(stream)) => {
                    for loser in &pending {
                        loser.cancel();
                    }
                    stream.set_nodelay(true)?;
                    return Ok(stream);
                }
                Ok(Err(e)) => last = e,
                Err(e) => last = io::Error::other(e.to_string()),
            }
        }
    }
}

async fn attempt(addr: SocketAddr, limit: Option<Duration>) -> io::Result<TcpStream> {
    match limit {
        None => TcpStream::connect(addr).await,
        Some(limit) => tulip_timer::timeout(limit, TcpStream::connect(addr))
            .await
            .unwrap_or_else(|_| Err(io::Error::new(io::ErrorKind::TimedOut, format!("connect to {addr} timed out")))),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn ip_literals_skip_the_resolver_and_names_are_cached() {
        tulip::run(async {
            let cache = DnsCache::new(true, Some(Duration::from_secs(10)));
            assert_eq!(cache.resolve("[::1]", 80).await.unwrap(), vec!["[::1]:80".parse().unwrap()]);
            let first = cache.resolve("localhost", 8080).await.unwrap();
            assert!(first.iter().all(|a| a.ip().is_loopback()));
            assert_eq!(cache.entries.borrow().len(), 1);
            cache.clear();
            assert!(cache.entries.borrow().is_empty());
        });
    }

    #[test]
    fn connect_sets_nodelay() {
        tulip::run(async {
            let listener = tulip_net::TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
            let addr = listener.local_addr().unwrap();
            let s = connect_addrs(vec![addr], Some(Duration::from_secs(5))).await.unwrap();
            assert!(s.nodelay().unwrap());
        });
    }
}
