//! The builder of a [`TcpConnector`] (aiohttp's `TCPConnector(...)`
//! arguments) and `UnixConnector`.

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::Duration;

use tulip_net::tls::TlsContext;

use crate::connector::{Config, ConnectorInner, TcpConnector};
use crate::dns::DnsCache;
use crate::pool::PoolState;

/// Builds a [`TcpConnector`] with aiohttp's defaults.
///
/// ```
/// let c = tulip::http::TcpConnector::builder().force_close(true).build();
/// assert!(c.force_close());
/// ```
#[derive(Clone)]
#[must_use]
pub struct TcpConnectorBuilder {
    cfg: Config,
    keepalive: Duration,
    use_dns_cache: bool,
    ttl_dns_cache: Option<Duration>,
}

impl Default for TcpConnectorBuilder {
    fn default() -> Self {
        TcpConnectorBuilder {
            cfg: Config {
                limit: 100,
                limit_per_host: 0,
                force_close: false,
                tls: None,
                insecure: false,
                unix: None,
                opener: None,
            },
            keepalive: Duration::from_secs(15),
            use_dns_cache: true,
            ttl_dns_cache: Some(Duration::from_secs(10)),
        }
    }
}

impl TcpConnectorBuilder {
    /// Connections in use at once, all hosts together (100; 0: no limit).
    ///
    /// ```
    /// assert_eq!(tulip::http::TcpConnector::builder().limit(0).build().limit(), 0);
    /// ```
    pub fn limit(mut self, n: usize) -> Self {
        self.cfg.limit = n;
        self
    }

    /// Connections in use at once per (scheme, host, port) (0: no limit).
    ///
    /// ```
    /// assert_eq!(tulip::http::TcpConnector::builder().limit_per_host(4).build().limit_per_host(), 4);
    /// ```
    pub fn limit_per_host(mut self, n: usize) -> Self {
        self.cfg.limit_per_host = n;
        self
    }

    /// How long an idle connection is kept for reuse (15 s).
    ///
    /// ```
    /// let _ = tulip::http::TcpConnector::builder().keepalive_timeout(std::time::Duration::from_secs(5)).build();
    /// ```
    pub fn keepalive_timeout(mut self, d: Duration) -> Self {
        self.keepalive = d;
        self
    }

    /// Close each connection after its response instead of keeping it.
    ///
    /// ```
    /// assert!(tulip::http::TcpConnector::builder().force_close(true).build().force_close());
    /// ```
    pub fn force_close(mut self, yes: bool) -> Self {
        self.cfg.force_close = yes;
        self
    }

    /// Whether resolved names are cached (on by default).
    ///
    /// ```
    /// let _ = tulip::http::TcpConnector::builder().use_dns_cache(false).build();
    /// ```
    pub fn use_dns_cache(mut self, yes: bool) -> Self {
        self.use_dns_cache = yes;
        self
    }

    /// How long a resolved name is cached (10 s; a `Duration`, or `None`: forever).
    ///
    /// ```
    /// let _ = tulip::http::TcpConnector::builder().ttl_dns_cache(std::time::Duration::from_secs(60)).build();
    /// let _ = tulip::http::TcpConnector::builder().ttl_dns_cache(None).build();
    /// ```
    pub fn ttl_dns_cache(mut self, ttl: impl Into<Option<Duration>>) -> Self {
        self.ttl_dns_cache = ttl.into();
        self
    }

    /// The TLS context for https (aiohttp's `ssl=`): a custom CA
    /// (`with_ca_pem`), a client certificate (`with_client_cert`), ALPN.
    ///
    /// ```
    /// let ctx = tulip::net::tls::TlsContext::client();
    /// let _ = tulip::http::TcpConnector::builder().tls_context(ctx).build();
    /// ```
    pub fn tls_context(mut self, ctx: TlsContext) -> Self {
        self.cfg.tls = Some(ctx);
        self
    }

    /// **Turns certificate verification off** for every https connection
    /// (aiohttp's `ssl=False`): traffic is encrypted to whoever answers.
    /// For tests and peers verified otherwise only.
    ///
    /// ```
    /// let _ = tulip::http::TcpConnector::builder().danger_accept_invalid_certs(true).build();
    /// ```
    pub fn danger_accept_invalid_certs(mut self, yes: bool) -> Self {
        self.cfg.insecure = yes;
        self
    }

    /// Connect every request to this Unix socket instead of over TCP
    /// (aiohttp's `UnixConnector(path)`); the URL still gives Host and path.
    ///
    /// ```
    /// let _ = tulip::http::TcpConnector::builder().unix_socket("/run/docker.sock").build();
    /// ```
    pub fn unix_socket(mut self, path: impl Into<PathBuf>) -> Self {
        self.cfg.unix = Some(path.into());
        self
    }

    /// Open every connection with `open(host, port)` instead of a socket:
    /// any byte stream, e.g. an in-memory pipe to a
    /// `tulip::web::TestServer` (see its `connector`), so tests use the
    /// real client against it, on a virtual clock too. No DNS and no
    /// proxy; https still runs TLS over the stream. An error of `open` is
    /// a `ClientConnectorError`.
    ///
    /// ```
    /// use futures_lite::{AsyncReadExt, AsyncWriteExt};
    /// tulip::run(async {
    ///     let connector = tulip::http::TcpConnector::builder()
    ///         .connect_with(|_host, _port| async {
    ///             let (client, mut server) = tulip::net::duplex(4096);
    ///             drop(tulip::create_task(async move {
    ///                 let mut head = [0u8; 16];
    ///                 let _ = server.read(&mut head).await;
    ///                 let _ = server.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").await;
    ///             }));
    ///             Ok(client)
    ///         })
    ///         .build();
    ///     let session = tulip::http::ClientSession::builder().connector(connector).build().unwrap();
    ///     let mut r = session.get("http://anywhere.test/").send().await.unwrap();
    ///     assert_eq!(r.text().await.unwrap(), "ok");
    ///     session.close().await;
    /// });
    /// ```
    pub fn connect_with<F, Fut, S>(mut self, open: F) -> Self
    where
        F: Fn(&str, u16) -> Fut + 'static,
        Fut: std::future::Future<Output = std::io::Result<S>> + 'static,
        S: futures_lite::io::AsyncRead + futures_lite::io::AsyncWrite + Unpin + 'static,
    {
        self.cfg.opener = Some(crate::open::Opener::new(open));
        self
    }

    /// The connector.
    ///
    /// ```
    /// let c = tulip::http::TcpConnector::builder().build();
    /// assert_eq!(c.limit(), 100);
    /// ```
    pub fn build(self) -> TcpConnector {
        let keepalive = if self.cfg.force_close { Duration::ZERO } else { self.keepalive };
        TcpConnector {
            inner: Rc::new(ConnectorInner {
                pool: RefCell::new(PoolState::new(self.cfg.limit, self.cfg.limit_per_host, keepalive)),
                dns: DnsCache::new(self.use_dns_cache, self.ttl_dns_cache),
                tls: RefCell::new(None),
                cleanup: RefCell::new(None),
                cfg: self.cfg,
            }),
        }
    }
}

/// aiohttp's `UnixConnector(path)`: a connector whose every connection goes
/// to one Unix socket. Pass it where a [`TcpConnector`] goes.
///
/// ```
/// let c: tulip::http::TcpConnector = tulip::http::UnixConnector::new("/tmp/app.sock").into();
/// assert_eq!(c.limit(), 100);
/// ```
#[derive(Debug, Clone)]
pub struct UnixConnector(TcpConnector);

impl UnixConnector {
    /// A connector to the socket at `path`.
    ///
    /// ```
    /// let _ = tulip::http::UnixConnector::new("/tmp/app.sock");
    /// ```
    pub fn new(path: impl Into<PathBuf>) -> Self {
        UnixConnector(TcpConnector::builder().unix_socket(path).build())
    }
}

impl From<UnixConnector> for TcpConnector {
    fn from(u: UnixConnector) -> Self {
        u.0
    }
}
