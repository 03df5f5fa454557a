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
    pub(crate) cookies: Vec<(String, String)>,
    pub(crate) json_serialize: Option<JsonSerialize>,
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
            // asyncio's default handler prints aiohttp's report as these lines.
            message: "Unclosed client session\nclient_session: <tulip::http::ClientSession>".into(),
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
    ///
    /// ```
    /// let session = tulip::http::ClientSession::new();
    /// assert_eq!(session.connector().limit(), 100);
    /// tulip::run(async move { session.close().await });
    /// ```
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
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.request("GET", &url).send().await.unwrap();
    ///     assert_eq!(resp.status(), 200);
    ///     session.close().await;
    /// });
    /// ```
    pub fn request<M>(&self, method: M, url: impl IntoUrl) -> RequestBuilder
    where
        M: TryInto<Method>,
        M::Error: Into<http::Error>,
    {
        RequestBuilder::new(Rc::clone(&self.inner), method, url.into_url_input())
    }

    /// A GET request.
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.get(&url).send().await.unwrap();
    ///     assert_eq!(resp.method(), tulip::http::Method::GET);
    ///     session.close().await;
    /// });
    /// ```
    pub fn get(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::GET, url)
    }

    /// A POST request.
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.post(&url).body("x").send().await.unwrap();
    ///     assert_eq!(resp.method(), tulip::http::Method::POST);
    ///     session.close().await;
    /// });
    /// ```
    pub fn post(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::POST, url)
    }

    /// A PUT request.
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.put(&url).body("x").send().await.unwrap();
    ///     assert_eq!(resp.method(), tulip::http::Method::PUT);
    ///     session.close().await;
    /// });
    /// ```
    pub fn put(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::PUT, url)
    }

    /// A PATCH request.
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.patch(&url).body("x").send().await.unwrap();
    ///     assert_eq!(resp.method(), tulip::http::Method::PATCH);
    ///     session.close().await;
    /// });
    /// ```
    pub fn patch(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::PATCH, url)
    }

    /// A DELETE request.
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.delete(&url).send().await.unwrap();
    ///     assert_eq!(resp.method(), tulip::http::Method::DELETE);
    ///     session.close().await;
    /// });
    /// ```
    pub fn delete(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::DELETE, url)
    }

    /// A HEAD request.
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.head(&url).send().await.unwrap();
    ///     assert_eq!(resp.content_length(), Some(2));
    ///     session.close().await;
    /// });
    /// ```
    pub fn head(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::HEAD, url)
    }

    /// An OPTIONS request.
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.options(&url).send().await.unwrap();
    ///     assert_eq!(resp.status(), 200);
    ///     session.close().await;
    /// });
    /// ```
    pub fn options(&self, url: impl IntoUrl) -> RequestBuilder {
        self.request(Method::OPTIONS, url)
    }

    /// Closes the session and, if it owns it, its connector (idle
    /// connections close now, busy ones when their responses are done).
    /// Later requests fail with [`ClientError::SessionClosed`].
    ///
    /// ```
    /// tulip::run(async {
    ///     let session = tulip::http::ClientSession::new();
    ///     session.close().await;
    ///     assert!(session.closed());
    ///     let err = session.get("http://127.0.0.1:9/").send().await.unwrap_err();
    ///     assert!(matches!(err, tulip::http::ClientError::SessionClosed));
    /// });
    /// ```
    pub async fn close(&self) {
        if self.inner.closed.replace(true) {
            return;
        }
        if self.inner.connector_owner {
            self.inner.connector.close().await;
        }
    }

    /// Whether [`close`](Self::close) was called.
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     assert!(!session.closed());
    ///     let _ = &url;
    ///     session.close().await;
    /// });
    /// ```
    pub fn closed(&self) -> bool {
        self.inner.closed.get()
    }

    /// The session's cookie jar.
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     assert!(session.cookie_jar().is_empty());
    ///     let _ = &url;
    ///     session.close().await;
    /// });
    /// ```
    pub fn cookie_jar(&self) -> &CookieJar {
        &self.inner.jar
    }

    /// The session's connector (its pool).
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     session.get(&url).send().await.unwrap().read().await.unwrap();
    ///     assert_eq!(session.connector().idle(), 1);
    ///     session.close().await;
    /// });
    /// ```
    pub fn connector(&self) -> &TcpConnector {
        &self.inner.connector
    }

    /// The default headers.
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     assert!(session.headers().is_empty());
    ///     let _ = &url;
    ///     session.close().await;
    /// });
    /// ```
    pub fn headers(&self) -> &HeaderMap {
        &self.inner.headers
    }

    /// The default timeouts.
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     assert_eq!(session.timeout(), tulip::http::ClientTimeout::default());
    ///     let _ = &url;
    ///     session.close().await;
    /// });
    /// ```
    pub fn timeout(&self) -> ClientTimeout {
        self.inner.timeout
    }
}

/// A session's JSON writer (aiohttp's `json_serialize=`).
pub(crate) type JsonSerialize = Rc<dyn Fn(&serde_json::Value) -> String>;

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
    cookies: Vec<(String, String)>,
    json_serialize: Option<JsonSerialize>,
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
            cookies: Vec::new(),
            json_serialize: None,
            one_shot: false,
            error: None,
            created,
        }
    }

    /// The URL relative request URLs join (aiohttp's `base_url`; end its
    /// path with '/' to join below it).
    ///
    /// ```
    /// let session = tulip::http::ClientSession::builder().base_url("http://127.0.0.1:8080/api/").build().unwrap();
    /// tulip::run(async move { session.close().await });
    /// ```
    pub fn base_url(mut self, url: impl AsRef<str>) -> Self {
        self.base_url = Some(url.as_ref().to_string());
        self
    }

    /// A default header of every request (aiohttp's `headers=`).
    ///
    /// ```
    /// let session = tulip::http::ClientSession::builder().header("User-Agent", "my-app/1.0").build().unwrap();
    /// tulip::run(async move { session.close().await });
    /// ```
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

    /// Cookies sent with every request, to every host (aiohttp's
    /// `cookies=`, which it keeps with no domain); a name or value with
    /// `;`, `=` (in the name), whitespace or control characters is refused.
    ///
    /// ```
    /// let session = tulip::http::ClientSession::builder().cookies([("session", "abc")]).build().unwrap();
    /// tulip::run(async move { session.close().await });
    /// assert!(tulip::http::ClientSession::builder().cookies([("a;b", "c")]).build().is_err());
    /// ```
    pub fn cookies<I, K, V>(mut self, cookies: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        for (k, v) in cookies {
            let (k, v) = (k.into(), v.into());
            let bad = |s: &str, extra: &[char]| {
                s.chars().any(|c| c.is_control() || c.is_whitespace() || c == ';' || extra.contains(&c))
            };
            if k.is_empty() || bad(&k, &['=', ',']) || bad(&v, &[',']) {
                self.error.get_or_insert(ClientError::InvalidHeader(format!("bad cookie {k:?}={v:?}")));
            } else {
                self.cookies.push((k, v));
            }
        }
        self
    }

    /// How `.json(&value)` bodies are written (aiohttp's `json_serialize=`;
    /// default: serde_json's compact form).
    ///
    /// ```
    /// let session = tulip::http::ClientSession::builder()
    ///     .json_serialize(|v| serde_json::to_string_pretty(v).unwrap_or_default())
    ///     .build()
    ///     .unwrap();
    /// tulip::run(async move { session.close().await });
    /// ```
    pub fn json_serialize(mut self, f: impl Fn(&serde_json::Value) -> String + 'static) -> Self {
        self.json_serialize = Some(Rc::new(f));
        self
    }

    /// The cookie jar (a clone shares it; aiohttp's `cookie_jar=`).
    ///
    /// ```
    /// let session = tulip::http::ClientSession::builder().cookie_jar(tulip::http::CookieJar::unsafe_()).build().unwrap();
    /// tulip::run(async move { session.close().await });
    /// ```
    pub fn cookie_jar(mut self, jar: CookieJar) -> Self {
        self.jar = Some(jar);
        self
    }

    /// Basic credentials for every request (aiohttp's `auth=`).
    ///
    /// ```
    /// let session = tulip::http::ClientSession::builder().auth(tulip::http::BasicAuth::new("user", "pass")).build().unwrap();
    /// tulip::run(async move { session.close().await });
    /// ```
    pub fn auth(mut self, auth: BasicAuth) -> Self {
        self.auth = Some(auth);
        self
    }

    /// The default timeouts (aiohttp's `timeout=`; a `Duration` is the total).
    ///
    /// ```
    /// let session = tulip::http::ClientSession::builder().timeout(tulip::http::ClientTimeout::none()).build().unwrap();
    /// tulip::run(async move { session.close().await });
    /// ```
    pub fn timeout(mut self, timeout: impl Into<ClientTimeout>) -> Self {
        self.timeout = timeout.into();
        self
    }

    /// The connector (aiohttp's `connector=`); the session closes it on
    /// `close()` unless [`connector_owner`](Self::connector_owner)`(false)`.
    ///
    /// ```
    /// let session = tulip::http::ClientSession::builder().connector(tulip::http::TcpConnector::builder().limit(10).build()).build().unwrap();
    /// tulip::run(async move { session.close().await });
    /// ```
    pub fn connector(mut self, connector: impl Into<TcpConnector>) -> Self {
        self.connector = Some(connector.into());
        self
    }

    /// Whether closing the session closes the connector (yes).
    ///
    /// ```
    /// let session = tulip::http::ClientSession::builder().connector_owner(false).build().unwrap();
    /// tulip::run(async move { session.close().await });
    /// ```
    pub fn connector_owner(mut self, yes: bool) -> Self {
        self.connector_owner = yes;
        self
    }

    /// Every 4xx/5xx response becomes a [`ClientResponseError`](crate::ClientResponseError).
    ///
    /// ```
    /// let session = tulip::http::ClientSession::builder().raise_for_status(true).build().unwrap();
    /// tulip::run(async move { session.close().await });
    /// ```
    pub fn raise_for_status(mut self, yes: bool) -> Self {
        self.raise_for_status = yes;
        self
    }

    /// Follow redirects from https to http (refused by default).
    ///
    /// ```
    /// let session = tulip::http::ClientSession::builder().allow_insecure_redirects(true).build().unwrap();
    /// tulip::run(async move { session.close().await });
    /// ```
    pub fn allow_insecure_redirects(mut self, yes: bool) -> Self {
        self.allow_insecure_redirects = yes;
        self
    }

    /// Whether gzip/deflate bodies are decoded (yes; aiohttp's `auto_decompress`).
    ///
    /// ```
    /// let session = tulip::http::ClientSession::builder().auto_decompress(false).build().unwrap();
    /// tulip::run(async move { session.close().await });
    /// ```
    pub fn auto_decompress(mut self, yes: bool) -> Self {
        self.auto_decompress = yes;
        self
    }

    /// The HTTP proxy of every request (aiohttp 3.10's session `proxy=`).
    ///
    /// ```
    /// let session = tulip::http::ClientSession::builder().proxy("http://proxy.example:3128").build().unwrap();
    /// tulip::run(async move { session.close().await });
    /// ```
    pub fn proxy(mut self, url: impl AsRef<str>) -> Self {
        self.proxy = Some(url.as_ref().to_string());
        self
    }

    /// Credentials for the session's proxy (aiohttp's `proxy_auth=`).
    ///
    /// ```
    /// let session = tulip::http::ClientSession::builder().proxy("http://proxy.example:3128").proxy_auth(tulip::http::BasicAuth::new("u", "p")).build().unwrap();
    /// tulip::run(async move { session.close().await });
    /// ```
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
            cookies: self.cookies,
            json_serialize: self.json_serialize,
            closed: Cell::new(false),
            one_shot: self.one_shot,
            created: self.created,
        }
    }

    /// The session, or the first bad argument (a base URL that is not an
    /// absolute http(s) URL, a bad header).
    ///
    /// ```
    /// let session = tulip::http::ClientSession::builder().build().unwrap();
    /// tulip::run(async move { session.close().await });
    /// ```
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
