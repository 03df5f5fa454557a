//! aiohttp's `ClientSession`, its builder, and the one-shot `request`.

use std::cell::Cell;
use std::fmt;
use std::panic::Location;
use std::rc::Rc;

use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Method};
use url::Url;

use crate::auth::BasicAuth;
use crate::connector::TcpConnector;
use crate::cookies::CookieJar;
use crate::errors::{ClientError, InvalidURL, InvalidUrlKind};
use crate::request::{parse_header, IntoUrl, RequestBuilder};
use crate::timeout::ClientTimeout;

/// A client session (aiohttp's `ClientSession`): a connection pool, a
/// cookie jar, default headers, auth and timeouts shared by its requests.
/// Clones share the session. Close it with [`close`](Self::close); a
/// session dropped unclosed is reported as "Unclosed client session"
/// through the loop's exception handler, as aiohttp reports it.
///
/// ```
/// # use std::io::{Read, Write};
/// # let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
/// # let url = format!("http://{}/", listener.local_addr().unwrap());
/// # std::thread::spawn(move || { let (mut s, _) = listener.accept().unwrap(); let mut b = [0; 4096]; let _ = s.read(&mut b);
/// #   s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello").unwrap(); });
/// use tulip::http::ClientSession;
/// tulip::run(async move {
///     let session = ClientSession::new();
///     let mut resp = session.get(&url).send().await.unwrap();
///     assert_eq!(resp.status(), 200);
///     assert_eq!(resp.headers()["content-type"], "text/plain");
///     assert_eq!(resp.text().await.unwrap(), "hello");
///     session.close().await;
/// });
/// ```
#[derive(Clone)]
pub struct ClientSession {
    inner: Rc<SessionInner>,
}

pub(crate) struct SessionInner {
    pub(crate) base_url: Option<Url>,
    pub(crate) headers: HeaderMap,
    pub(crate) jar: CookieJar,
    pub(crate) auth: Option<BasicAuth>,
    pub(crate) timeout: ClientTimeout,
    pub(crate) connector: TcpConnector,
    connector_owner: bool,
    pub(crate) raise_for_status: bool,
    pub(crate) allow_insecure_redirects: bool,
    pub(crate) auto_decompress: bool,
    pub(crate) proxy: Option<String>,
    pub(crate) proxy_auth: Option<BasicAuth>,
    pub(crate) closed: Cell<bool>,
    one_shot: bool,
    created: &'static Location<'static>,
}

impl fmt::Debug for ClientSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientSession")
            .field("base_url", &self.inner.base_url.as_ref().map(Url::as_str))
            .field("closed", &self.inner.closed.get())
            .field("connector", &self.inner.connector)
            .finish()
    }
}

impl Drop for SessionInner {
    fn drop(&mut self) {
        if self.closed.get() || self.one_shot {
            return;
        }
        let ctx = tulip_task::ExceptionContext {
            message: format!("Unclosed client session (created at {})", self.created),
            source: Some(self.created),
            ..tulip_task::ExceptionContext::default()
        };
        match tulip_reactor::try_get_running_loop() {
            Some(lp) => lp.call_exception_handler(ctx),
            None => tulip_task::default_exception_handler(&ctx),
        }
    }
}

impl Default for ClientSession {
    #[track_caller]
    fn default() -> Self {
        ClientSession::new()
    }
}

impl ClientSession {
    /// A session with aiohttp's defaults: a [`TcpConnector`] (limit 100,
    /// keep-alive 15 s), a [`CookieJar`], [`ClientTimeout::default`]
    /// (total 300 s, sock_connect 30 s).
    #[track_caller]
    pub fn new() -> Self {
        ClientSession { inner: Rc::new(SessionBuilder::new(Location::caller()).inner()) }
    }

    /// A builder for a session with other settings.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tulip::http::{BasicAuth, ClientSession, ClientTimeout, TcpConnector};
    /// let session = ClientSession::builder()
    ///     .base_url("http://127.0.0.1:8080/api/")
    ///     .header("User-Agent", "seeds/1.0")
    ///     .auth(BasicAuth::new("user", "pass"))
    ///     .timeout(ClientTimeout { total: Some(Duration::from_secs(60)), ..ClientTimeout::default() })
    ///     .connector(TcpConnector::builder().limit(10).build())
    ///     .raise_for_status(true)
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(session.timeout().total, Some(Duration::from_secs(60)));
    /// tulip::run(async move { session.close().await });
    /// ```
    #[track_caller]
    pub fn builder() -> SessionBuilder {
        SessionBuilder::new(Location::caller())
    }

    /// A request with `method` ("GET" or [`Method::GET`]); relative URLs
    /// join the session's `base_url`.
    pub fn request<M>(&self, method: M, url: impl IntoUrl) -> RequestBuilder
    where
        M: TryInto<Method>,
        M::Error: Into<http::Error>,
    {
        RequestBuilder::new(Rc::clone(&self.inner), method, url.into_url_input())
    }

    /// A GET request.
    pub fn get(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::GET, url)
    }

    /// A POST request.
    pub fn post(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::POST, url)
    }

    /// A PUT request.
    pub fn put(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::PUT, url)
    }

    /// A PATCH request.
    pub fn patch(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::PATCH, url)
    }

    /// A DELETE request.
    pub fn delete(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::DELETE, url)
    }

    /// A HEAD request.
    pub fn head(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::HEAD, url)
    }

    /// An OPTIONS request.
    pub fn options(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::OPTIONS, url)
    }

    /// Closes the session and, if it owns it, its connector (idle
    /// connections close now, busy ones when their responses are done).
    /// Later requests fail with [`ClientError::SessionClosed`].
    pub async fn close(&self) {
        if self.inner.closed.replace(true) {
            return;
        }
        if self.inner.connector_owner {
            self.inner.connector.close().await;
        }
    }

    /// Whether [`close`](Self::close) was called.
    pub fn closed(&self) -> bool {
        self.inner.closed.get()
    }

    /// The session's cookie jar.
    pub fn cookie_jar(&self) -> &CookieJar {
        &self.inner.jar
    }

    /// The session's connector (its pool).
    pub fn connector(&self) -> &TcpConnector {
        &self.inner.connector
    }

    /// The default headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.inner.headers
    }

    /// The default timeouts.
    pub fn timeout(&self) -> ClientTimeout {
        self.inner.timeout
    }
}

/// Builds a [`ClientSession`] (aiohttp's `ClientSession(...)` arguments).
#[must_use]
pub struct SessionBuilder {
    base_url: Option<String>,
    headers: HeaderMap,
    jar: Option<CookieJar>,
    auth: Option<BasicAuth>,
    timeout: ClientTimeout,
    connector: Option<TcpConnector>,
    connector_owner: bool,
    raise_for_status: bool,
    allow_insecure_redirects: bool,
    auto_decompress: bool,
    proxy: Option<String>,
    proxy_auth: Option<BasicAuth>,
    one_shot: bool,
    error: Option<ClientError>,
    created: &'static Location<'static>,
}

impl fmt::Debug for SessionBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionBuilder").field("base_url", &self.base_url).finish()
    }
}

impl SessionBuilder {
    fn new(created: &'static Location<'static>) -> Self {
        SessionBuilder {
            base_url: None,
            headers: HeaderMap::new(),
            jar: None,
            auth: None,
            timeout: ClientTimeout::default(),
            connector: None,
            connector_owner: true,
            raise_for_status: false,
            allow_insecure_redirects: false,
            auto_decompress: true,
            proxy: None,
            proxy_auth: None,
            one_shot: false,
            error: None,
            created,
        }
    }

    /// The URL relative request URLs join (aiohttp's `base_url`; end its
    /// path with '/' to join below it).
    pub fn base_url(mut self, url: impl AsRef<str>) -> Self {
        self.base_url = Some(url.as_ref().to_string());
        self
    }

    /// A default header of every request (aiohttp's `headers=`).
    pub fn header<K, V>(mut self, name: K, value: V) -> Self
    where
        HeaderName: TryFrom<K>,
        <HeaderName as TryFrom<K>>::Error: Into<http::Error>,
        HeaderValue: TryFrom<V>,
        <HeaderValue as TryFrom<V>>::Error: Into<http::Error>,
    {
        match parse_header(name, value) {
            Ok((n, v)) => {
                self.headers.append(n, v);
            }
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
        self
    }

    /// The cookie jar (a clone shares it; aiohttp's `cookie_jar=`).
    pub fn cookie_jar(mut self, jar: CookieJar) -> Self {
        self.jar = Some(jar);
        self
    }

    /// Basic credentials for every request (aiohttp's `auth=`).
    pub fn auth(mut self, auth: BasicAuth) -> Self {
        self.auth = Some(auth);
        self
    }

    /// The default timeouts (aiohttp's `timeout=`).
    pub fn timeout(mut self, timeout: ClientTimeout) -> Self {
        self.timeout = timeout;
        self
    }

    /// The connector (aiohttp's `connector=`); the session closes it on
    /// `close()` unless [`connector_owner`](Self::connector_owner)`(false)`.
    pub fn connector(mut self, connector: impl Into<TcpConnector>) -> Self {
        self.connector = Some(connector.into());
        self
    }

    /// Whether closing the session closes the connector (yes).
    pub fn connector_owner(mut self, yes: bool) -> Self {
        self.connector_owner = yes;
        self
    }

    /// Every 4xx/5xx response becomes a [`ClientResponseError`](crate::ClientResponseError).
    pub fn raise_for_status(mut self, yes: bool) -> Self {
        self.raise_for_status = yes;
        self
    }

    /// Follow redirects from https to http (refused by default).
    pub fn allow_insecure_redirects(mut self, yes: bool) -> Self {
        self.allow_insecure_redirects = yes;
        self
    }

    /// Whether gzip/deflate bodies are decoded (yes; aiohttp's `auto_decompress`).
    pub fn auto_decompress(mut self, yes: bool) -> Self {
        self.auto_decompress = yes;
        self
    }

    /// The HTTP proxy of every request (aiohttp 3.10's session `proxy=`).
    pub fn proxy(mut self, url: impl AsRef<str>) -> Self {
        self.proxy = Some(url.as_ref().to_string());
        self
    }

    /// Credentials for the session's proxy (aiohttp's `proxy_auth=`).
    pub fn proxy_auth(mut self, auth: BasicAuth) -> Self {
        self.proxy_auth = Some(auth);
        self
    }

    pub(crate) fn one_shot(mut self) -> Self {
        self.one_shot = true;
        self
    }

    fn inner(self) -> SessionInner {
        SessionInner {
            base_url: None,
            headers: self.headers,
            jar: self.jar.unwrap_or_default(),
            auth: self.auth,
            timeout: self.timeout,
            connector: self.connector.unwrap_or_default(),
            connector_owner: self.connector_owner,
            raise_for_status: self.raise_for_status,
            allow_insecure_redirects: self.allow_insecure_redirects,
            auto_decompress: self.auto_decompress,
            proxy: self.proxy,
            proxy_auth: self.proxy_auth,
            closed: Cell::new(false),
            one_shot: self.one_shot,
            created: self.created,
        }
    }

    /// The session, or the first bad argument (a base URL that is not an
    /// absolute http(s) URL, a bad header).
    pub fn build(mut self) -> Result<ClientSession, ClientError> {
        let base = match self.base_url.take() {
            None => None,
            Some(text) => {
                let url = Url::parse(&text)
                    .map_err(|e| InvalidURL::new(&text, format!("bad base_url: {e}"), InvalidUrlKind::Url))?;
                if !matches!(url.scheme(), "http" | "https") {
                    return Err(InvalidURL::new(&text, "base_url must be http or https", InvalidUrlKind::Url).into());
                }
                Some(url)
            }
        };
        if let Some(e) = self.error.take() {
            // Built only to be dropped: not an unclosed session.
            self.one_shot = true;
            return Err(e);
        }
        let mut inner = self.inner();
        inner.base_url = base;
        Ok(ClientSession { inner: Rc::new(inner) })
    }
}

/// aiohttp's `aiohttp.request(method, url)`: one request on a session of
/// its own, whose connection closes once the response is done.
///
/// ```
/// # use std::io::{Read, Write};
/// # let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
/// # let url = format!("http://{}/events", listener.local_addr().unwrap());
/// # std::thread::spawn(move || { let (mut s, _) = listener.accept().unwrap(); let mut b = [0; 4096]; let _ = s.read(&mut b);
/// #   s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 14\r\n\r\n[{\"id\": \"1\"}]\n").unwrap(); });
/// tulip::run(async move {
///     let mut resp = tulip::http::request("GET", &url).send().await.unwrap();
///     assert_eq!(resp.headers()["content-type"], "application/json");
///     let events: Vec<serde_json::Value> = resp.json().await.unwrap();
///     assert_eq!(events[0]["id"], "1");
/// });
/// ```
#[track_caller]
pub fn request<M>(method: M, url: impl IntoUrl) -> RequestBuilder
where
    M: TryInto<Method>,
    M::Error: Into<http::Error>,
{
    let connector = TcpConnector::builder().force_close(true).build();
    let inner = SessionBuilder::new(Location::caller()).connector(connector).one_shot().inner();
    RequestBuilder::new(Rc::new(inner), method, url.into_url_input())
}
