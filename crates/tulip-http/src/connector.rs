//! aiohttp's `TcpConnector` (and `UnixConnector`): the keep-alive pool,
//! DNS, TCP, TLS and the HTTP handshake.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use tulip_net::tls::TlsContext;
use tulip_task::Task;

use crate::conn::Sender;
use crate::dns::DnsCache;
use crate::errors::{ClientError, ServerTimeoutError};
use crate::pool::{Acquire, PoolState, WaiterId};
use crate::proxy::ProxyKey;
use crate::timeout::{deadline_after, now, until, ClientTimeout};

/// Which pool a connection belongs to.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub(crate) struct ConnKey {
    pub(crate) https: bool,
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) proxy: Option<ProxyKey>,
}

/// aiohttp's `TcpConnector`: a pool of keep-alive connections with
/// `limit` (100) connections in all and `limit_per_host` (0: no limit) per
/// host; callers beyond them wait, first come first served. Idle
/// connections are closed after `keepalive_timeout` (15 s); `force_close`
/// keeps none. Names resolve through the loop's `getaddrinfo`, cached for
/// `ttl_dns_cache` (10 s), and addresses race with Happy Eyeballs; every
/// socket gets TCP_NODELAY. https verifies against the system's roots
/// unless given a context (or told [`danger_accept_invalid_certs`]).
/// Clones share the pool.
///
/// [`danger_accept_invalid_certs`]: TcpConnectorBuilder::danger_accept_invalid_certs
///
/// ```
/// use std::time::Duration;
/// use tulip::http::TcpConnector;
/// let connector = TcpConnector::builder()
///     .limit(10)
///     .limit_per_host(2)
///     .keepalive_timeout(Duration::from_secs(30))
///     .build();
/// assert_eq!(connector.limit(), 10);
/// assert_eq!(connector.limit_per_host(), 2);
/// ```
#[derive(Clone)]
pub struct TcpConnector {
    pub(crate) inner: Rc<ConnectorInner>,
}

impl fmt::Debug for TcpConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pool = self.inner.pool.borrow();
        f.debug_struct("TcpConnector")
            .field("limit", &self.inner.cfg.limit)
            .field("limit_per_host", &self.inner.cfg.limit_per_host)
            .field("acquired", &pool.acquired())
            .field("idle", &pool.idle_count())
            .finish()
    }
}

#[derive(Clone)]
pub(crate) struct Config {
    limit: usize,
    limit_per_host: usize,
    force_close: bool,
    pub(crate) tls: Option<TlsContext>,
    pub(crate) insecure: bool,
    pub(crate) unix: Option<PathBuf>,
}

pub(crate) struct ConnectorInner {
    pub(crate) cfg: Config,
    pool: RefCell<PoolState<ConnKey, Sender>>,
    pub(crate) dns: DnsCache,
    pub(crate) tls: RefCell<Option<TlsContext>>,
    cleanup: RefCell<Option<Task<()>>>,
}

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
            cfg: Config { limit: 100, limit_per_host: 0, force_close: false, tls: None, insecure: false, unix: None },
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

impl Default for TcpConnector {
    fn default() -> Self {
        TcpConnector::builder().build()
    }
}

impl TcpConnector {
    /// A connector with aiohttp's defaults.
    ///
    /// ```
    /// assert_eq!(tulip::http::TcpConnector::new().limit_per_host(), 0);
    /// ```
    pub fn new() -> Self {
        TcpConnector::default()
    }

    /// A builder with aiohttp's defaults.
    ///
    /// ```
    /// let _ = tulip::http::TcpConnector::builder().limit(5).build();
    /// ```
    pub fn builder() -> TcpConnectorBuilder {
        TcpConnectorBuilder::default()
    }

    /// The total limit.
    ///
    /// ```
    /// assert_eq!(tulip::http::TcpConnector::new().limit(), 100);
    /// ```
    pub fn limit(&self) -> usize {
        self.inner.cfg.limit
    }

    /// The per-host limit.
    ///
    /// ```
    /// assert_eq!(tulip::http::TcpConnector::new().limit_per_host(), 0);
    /// ```
    pub fn limit_per_host(&self) -> usize {
        self.inner.cfg.limit_per_host
    }

    /// Whether connections are closed after each response.
    ///
    /// ```
    /// assert!(!tulip::http::TcpConnector::new().force_close());
    /// ```
    pub fn force_close(&self) -> bool {
        self.inner.cfg.force_close
    }

    /// Connections in use now (or being made).
    ///
    /// ```
    /// assert_eq!(tulip::http::TcpConnector::new().acquired(), 0);
    /// ```
    pub fn acquired(&self) -> usize {
        self.inner.pool.borrow().acquired()
    }

    /// Idle keep-alive connections now.
    ///
    /// ```
    /// assert_eq!(tulip::http::TcpConnector::new().idle(), 0);
    /// ```
    pub fn idle(&self) -> usize {
        self.inner.pool.borrow().idle_count()
    }

    /// Callers waiting for a free connection slot.
    ///
    /// ```
    /// assert_eq!(tulip::http::TcpConnector::new().waiting(), 0);
    /// ```
    pub fn waiting(&self) -> usize {
        self.inner.pool.borrow().waiting()
    }

    /// Whether [`close`](Self::close) was called.
    ///
    /// ```
    /// assert!(!tulip::http::TcpConnector::new().closed());
    /// ```
    pub fn closed(&self) -> bool {
        self.inner.pool.borrow().is_closed()
    }

    /// Forgets the cached DNS answers (aiohttp's `clear_dns_cache()`).
    ///
    /// ```
    /// tulip::http::TcpConnector::new().clear_dns_cache();
    /// ```
    pub fn clear_dns_cache(&self) {
        self.inner.dns.clear();
    }

    /// Closes the idle connections and refuses new ones; connections in
    /// use close when their responses are done.
    ///
    /// ```
    /// let c = tulip::http::TcpConnector::new();
    /// tulip::run(async move { c.close().await; assert!(c.closed()) });
    /// ```
    pub async fn close(&self) {
        let (conns, wakers) = self.inner.pool.borrow_mut().close();
        drop(conns);
        wakers.into_iter().for_each(std::task::Waker::wake);
        if let Some(task) = self.inner.cleanup.borrow_mut().take() {
            task.cancel();
        }
        // Let the dropped connections' driver tasks see their senders gone
        // and close their sockets before the caller goes on.
        tulip_timer::sleep(Duration::ZERO).await;
    }

    /// A connection for `key`: a slot (waiting FIFO), then an idle
    /// connection or a new one, all within `timeout.connect`.
    pub(crate) async fn connect(&self, key: &ConnKey, timeout: &ClientTimeout) -> Result<Conn, ClientError> {
        let limit = timeout.connect;
        let deadline = deadline_after(limit);
        let host = key.host.clone();
        until(deadline, self.connect_now(key, timeout.sock_connect), move || {
            ServerTimeoutError::connect(&host, limit.unwrap_or_default()).into()
        })
        .await
    }

    async fn connect_now(&self, key: &ConnKey, sock_connect: Option<Duration>) -> Result<Conn, ClientError> {
        if self.closed() {
            return Err(ClientError::SessionClosed);
        }
        let queued = self.inner.pool.borrow_mut().acquire(key);
        if let Acquire::Queued(id) = queued {
            SlotWait { inner: &self.inner, key, id, done: false }.await?;
        }
        let mut conn =
            Conn { inner: Rc::clone(&self.inner), key: key.clone(), sender: None, reused: false, held: true };
        let idle = self.inner.pool.borrow_mut().take_idle(key, now(), |s| !s.is_closed());
        if let Some(sender) = idle {
            conn.sender = Some(sender);
            conn.reused = true;
            return Ok(conn);
        }
        conn.sender = Some(self.open(key, sock_connect).await?);
        Ok(conn)
    }
}

/// Waits for a queued slot; leaving the queue if dropped first.
struct SlotWait<'a> {
    inner: &'a Rc<ConnectorInner>,
    key: &'a ConnKey,
    id: WaiterId,
    done: bool,
}

impl Future for SlotWait<'_> {
    type Output = Result<(), ClientError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut pool = self.inner.pool.borrow_mut();
        if pool.poll_waiter(self.id, Some(cx.waker())) {
            drop(pool);
            self.done = true;
            return Poll::Ready(Ok(()));
        }
        if pool.is_closed() {
            return Poll::Ready(Err(ClientError::SessionClosed));
        }
        Poll::Pending
    }
}

impl Drop for SlotWait<'_> {
    fn drop(&mut self) {
        if !self.done {
            let wakers = self.inner.pool.borrow_mut().cancel_waiter(self.id, self.key);
            wakers.into_iter().for_each(std::task::Waker::wake);
        }
    }
}

/// A connection held by one request. Dropped, it gives its slot back and
/// closes the connection; only [`Conn::keep`], called when a response was
/// read to its end, returns it to the pool.
pub(crate) struct Conn {
    inner: Rc<ConnectorInner>,
    key: ConnKey,
    sender: Option<Sender>,
    pub(crate) reused: bool,
    held: bool,
}

impl Conn {
    pub(crate) fn sender(&mut self) -> Option<&mut Sender> {
        self.sender.as_mut()
    }

    pub(crate) fn force_close(&self) -> bool {
        self.inner.cfg.force_close
    }

    pub(crate) fn is_h2(&self) -> bool {
        self.sender.as_ref().is_some_and(Sender::is_h2)
    }

    /// The response was read to its end: back to the pool for reuse.
    pub(crate) fn keep(mut self) {
        let sender = self.sender.take().filter(|s| !s.is_closed());
        self.give_back(sender);
    }

    fn give_back(&mut self, sender: Option<Sender>) {
        if !std::mem::take(&mut self.held) {
            return;
        }
        let kept = sender.is_some();
        let wakers = self.inner.pool.borrow_mut().release(&self.key, sender, Some(now()));
        wakers.into_iter().for_each(std::task::Waker::wake);
        if kept {
            schedule_cleanup(&self.inner);
        }
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.give_back(None);
    }
}

/// Closes idle connections when their keep-alive runs out, from one
/// internal task per connector that sleeps until the next expiry.
fn schedule_cleanup(inner: &Rc<ConnectorInner>) {
    if inner.cleanup.borrow().as_ref().is_some_and(|t| !t.done()) || inner.pool.borrow().idle_count() == 0 {
        return;
    }
    let Some(lp) = tulip_reactor::try_get_running_loop() else {
        return;
    };
    let weak: Weak<ConnectorInner> = Rc::downgrade(inner);
    let task = lp.create_internal_task(async move {
        loop {
            let next = match weak.upgrade() {
                Some(inner) => inner.pool.borrow().next_expiry(),
                None => return,
            };
            let Some(at) = next else { return };
            tulip_timer::sleep_until(at).await;
            let Some(inner) = weak.upgrade() else { return };
            let expired = inner.pool.borrow_mut().expire(now());
            drop(expired);
        }
    });
    *inner.cleanup.borrow_mut() = Some(task);
}
