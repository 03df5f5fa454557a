//! asyncio's `loop.getaddrinfo`: the OS resolver blocks, so it runs on the
//! blocking pool.

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use tulip_blocking::to_thread;

/// Resolves `host:port` on the blocking pool (asyncio's
/// `loop.getaddrinfo`): the OS resolver blocks, so it never runs on the loop.
///
/// ```
/// let ev = tulip::EventLoop::new();
/// let addrs = ev.run_until_complete(tulip::getaddrinfo("localhost", 80)).unwrap();
/// assert!(addrs.iter().all(|a| a.ip().is_loopback() && a.port() == 80));
/// ```
pub async fn getaddrinfo(host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
    // Literal addresses need no resolver thread.
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let host = host.to_owned();
    to_thread(move || (host.as_str(), port).to_socket_addrs().map(|it| it.collect())).await
}
