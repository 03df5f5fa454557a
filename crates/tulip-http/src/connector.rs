//! aiohttp's `TcpConnector` (and `UnixConnector`): the keep-alive pool,
//! DNS, TCP, TLS and the HTTP handshake.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tulip_net::tls::TlsContext;
use tulip_task::Task;

use crate::conn::Sender;
use crate::connector_builder::TcpConnectorBuilder;
use crate::dns::DnsCache;
use crate::errors::{ClientError, ServerTimeoutError};
use crate::pool::{Acquire, PoolState, WaiterId};
use crate::proxy::ProxyKey;
use crate::timeout::{deadline_after, now, until, ClientTimeout};

/// Which pool a connection belongs to.
#[derive(Clone, Debug)]
pub(crate) struct ConnKey {
    pub(crate) https: bool,
    /// Shared: the key is cloned into the pool and the held connection.
    pub(crate) host: Rc<str>,
    pub(crate) port: u16,
    /// Shared: a key is cloned and moved a few times a request, and a
    /// proxy's strings inline made every copy of it large.
    pub(crate) proxy: Option<Rc<ProxyKey>>,
    /// The fields' keyed (SipHash) hash, computed once: the pool looks a
    /// key up three times a request, and rehashing the host each time
    /// was ~1,200 instructions of every request.
    hash: u64,
}

thread_local! {
    /// One key per thread: the same fields hash alike on one loop, and the
    /// keys stay secret (a pool keyed by hosts from the network).
    static KEY_HASHER: std::hash::RandomState = std::hash::RandomState::new();
}

impl ConnKey {
    pub(crate) fn new(https: bool, host: Rc<str>, port: u16, proxy: Option<Rc<ProxyKey>>) -> Self {
        let hash = KEY_HASHER.with(|s| std::hash::BuildHasher::hash_one(s, (https, &*host, port, &proxy)));
        ConnKey { https, host, port, proxy, hash }
    }
}

impl PartialEq for ConnKey {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash
            && self.https == other.https
            && self.port == other.port
            // The same `Rc` (a request's key and the pool's copy of it)
            // is equal without comparing the text.
            && (Rc::ptr_eq(&self.host, &other.host) || self.host == other.host)
            && self.proxy == other.proxy
    }
}

impl Eq for ConnKey {}

impl std::hash::Hash for ConnKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
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
    pub(crate) limit: usize,
    pub(crate) limit_per_host: usize,
    pub(crate) force_close: bool,
    pub(crate) tls: Option<TlsContext>,
    pub(crate) insecure: bool,
    pub(crate) unix: Option<PathBuf>,
    pub(crate) opener: Option<crate::open::Opener>,
}

pub(crate) struct ConnectorInner {
    pub(crate) cfg: Config,
    pub(crate) pool: RefCell<PoolState<ConnKey, Sender>>,
    pub(crate) dns: DnsCache,
    pub(crate) tls: RefCell<Option<TlsContext>>,
    pub(crate) cleanup: RefCell<Option<Task<()>>>,
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
    /// connection or a new one, all within `timeout.connect`. `now`: the
    /// loop's time if the caller just read it (a clock read saved).
    pub(crate) async fn connect(
        &self,
        key: &ConnKey,
        timeout: &ClientTimeout,
        now: Option<Instant>,
    ) -> Result<Conn, ClientError> {
        let limit = timeout.connect;
        let deadline = deadline_after(limit);
        let host = &key.host;
        let connecting = std::pin::pin!(self.connect_now(key, timeout.sock_connect, now));
        match deadline {
            // Awaited here rather than through `until`: one layer fewer
            // to poll and to pass the result up through.
            None => connecting.await,
            Some(_) => {
                until(deadline, connecting, || ServerTimeoutError::connect(host, limit.unwrap_or_default()).into())
                    .await
            }
        }
    }

    async fn connect_now(
        &self,
        key: &ConnKey,
        sock_connect: Option<Duration>,
        mut at: Option<Instant>,
    ) -> Result<Conn, ClientError> {
        if self.closed() {
            return Err(ClientError::SessionClosed);
        }
        let queued = self.inner.pool.borrow_mut().acquire(key);
        if let Acquire::Queued(id) = queued {
            SlotWait { inner: &self.inner, key, id, done: false }.await?;
            at = None;
        }
        let mut conn =
            Conn { inner: Rc::clone(&self.inner), key: key.clone(), sender: None, reused: false, held: true };
        let at = at.unwrap_or_else(now);
        let idle = self.inner.pool.borrow_mut().take_idle(key, at, |s| !s.is_closed());
        if let Some(sender) = idle {
            conn.sender = Some(sender);
            conn.reused = true;
            conn.share_h2();
            return Ok(conn);
        }
        // Boxed: opening (DNS, Happy Eyeballs, TLS, the handshake) is a
        // future of kilobytes that every request's future would otherwise
        // carry, and copy at each move, for the rare request that opens.
        conn.sender = Some(Box::pin(self.open(key, sock_connect)).await?);
        conn.share_h2();
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
    /// An HTTP/2 connection serves many requests at once: its slot goes
    /// back to the pool at once with a clone of the sender kept idle, so
    /// the next request takes it while this one is in flight (and the
    /// keep-alive clock restarts with every request). This request keeps
    /// its own clone, outside the pool's count.
    fn share_h2(&mut self) {
        #[cfg(feature = "http2")]
        if let Some(Sender::H2(s)) = &self.sender {
            let shared = Sender::H2(s.clone());
            self.give_back(Some(shared));
        }
    }

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
///
/// Finding nothing idle, the task does not end at once: a busy client
/// takes its connections back out of the pool right after releasing them,
/// and a task spawned at each release and ended at its first run cost a
/// spawn per request. It sleeps one keep-alive period instead (nothing
/// released from then on can expire sooner) and ends only if the pool is
/// still without idle connections when it wakes.
fn schedule_cleanup(inner: &Rc<ConnectorInner>) {
    if inner.cleanup.borrow().as_ref().is_some_and(|t| !t.done()) || inner.pool.borrow().idle_count() == 0 {
        return;
    }
    let Some(lp) = tulip_reactor::try_get_running_loop() else {
        return;
    };
    let weak: Weak<ConnectorInner> = Rc::downgrade(inner);
    let task = lp.create_internal_task(async move {
        let mut idle_seen = true;
        loop {
            let next = match weak.upgrade() {
                Some(inner) => {
                    let pool = inner.pool.borrow();
                    match pool.next_expiry() {
                        Some(at) => Some(at),
                        None if idle_seen && !pool.is_closed() => {
                            Some(tulip_timer::saturating_add(now(), pool.keepalive()))
                        }
                        None => None,
                    }
                }
                None => return,
            };
            let Some(at) = next else { return };
            tulip_timer::sleep_until(at).await;
            let Some(inner) = weak.upgrade() else { return };
            let mut pool = inner.pool.borrow_mut();
            idle_seen = pool.idle_count() > 0;
            let expired = pool.expire(now());
            drop(pool);
            drop(expired);
        }
    });
    *inner.cleanup.borrow_mut() = Some(task);
}
