//! aiohttp's `ClientTimeout`, on the loop's clock.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use crate::errors::ClientError;

/// aiohttp's `ClientTimeout`: four limits, each `None` for none.
///
/// * `total`: the whole operation — connecting, sending, redirects and
///   reading the body (asyncio's `TimeoutError`, [`ClientError::Timeout`]).
/// * `connect`: getting a connection, *including the wait for a free slot
///   of the pool* (aiohttp's `ConnectionTimeoutError`).
/// * `sock_connect`: one socket connect to one address.
/// * `sock_read`: the longest gap between two pieces of data from the
///   server, the response head included (aiohttp's `SocketTimeoutError`).
///   It limits reading only: while a streamed request body is still being
///   uploaded it does not run (`total` does); the wait for the head counts
///   from the upload's end.
///
/// The default is aiohttp's: `total` 300 s, `sock_connect` 30 s, the others
/// `None`. Timers run on the loop's clock, so a virtual clock drives them.
///
/// ```
/// use std::time::Duration;
/// use tulip::http::ClientTimeout;
/// let t = ClientTimeout { total: Some(Duration::from_secs(60)), ..ClientTimeout::default() };
/// assert_eq!(t.sock_connect, Some(Duration::from_secs(30)));
/// assert_eq!(ClientTimeout::default().total, Some(Duration::from_secs(300)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientTimeout {
    /// The whole request, body included.
    pub total: Option<Duration>,
    /// Pool wait plus connection set-up.
    pub connect: Option<Duration>,
    /// One socket connect.
    pub sock_connect: Option<Duration>,
    /// The longest silence while reading.
    pub sock_read: Option<Duration>,
}

impl Default for ClientTimeout {
    fn default() -> Self {
        ClientTimeout {
            total: Some(Duration::from_secs(300)),
            connect: None,
            sock_connect: Some(Duration::from_secs(30)),
            sock_read: None,
        }
    }
}

impl ClientTimeout {
    /// No limit at all (aiohttp's `ClientTimeout()` with every field `None`).
    ///
    /// ```
    /// assert_eq!(tulip::http::ClientTimeout::none().total, None);
    /// ```
    pub fn none() -> Self {
        ClientTimeout { total: None, connect: None, sock_connect: None, sock_read: None }
    }
}

/// A bare duration is the total timeout, aiohttp's old `timeout=5`, with
/// the other limits at their defaults.
///
/// ```
/// use std::time::Duration;
/// let t: tulip::http::ClientTimeout = Duration::from_secs(5).into();
/// assert_eq!((t.total, t.sock_connect), (Some(Duration::from_secs(5)), Some(Duration::from_secs(30))));
/// ```
impl From<Duration> for ClientTimeout {
    fn from(total: Duration) -> Self {
        ClientTimeout { total: Some(total), ..ClientTimeout::default() }
    }
}

/// The loop's time: its timers' clock (the same clock, read without
/// taking a handle to the loop: a few times a request).
pub(crate) fn now() -> Instant {
    tulip_timer::Timers::with_current(tulip_timer::Timers::now).unwrap_or_else(Instant::now)
}

/// `now + d`, or `None` for no limit.
pub(crate) fn deadline_after(d: Option<Duration>) -> Option<Instant> {
    d.map(|d| tulip_timer::saturating_add(now(), d))
}

/// Runs `fut` until `deadline`, turning expiry into `on_timeout()`.
///
/// Takes the future pinned by the caller: request futures are large, and
/// an `async fn` taking one by value would copy it into its own state and
/// again into `pin!`, on every request.
pub(crate) async fn until<T, F: Future<Output = Result<T, ClientError>>>(
    deadline: Option<Instant>,
    fut: Pin<&mut F>,
    on_timeout: impl FnOnce() -> ClientError,
) -> Result<T, ClientError> {
    match deadline {
        None => fut.await,
        Some(d) => tulip_timer::timeout_at(Some(d), fut).await.unwrap_or_else(|_| Err(on_timeout())),
    }
}
