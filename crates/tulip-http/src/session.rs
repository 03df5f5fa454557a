//! aiohttp's `ClientSession`, its builder, and the one-shot `request`.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::panic::Location;
use std::rc::Rc;

use http::{HeaderMap, Method};
use url::Url;

use crate::auth::BasicAuth;
use crate::connector::TcpConnector;
use crate::cookies::CookieJar;
use crate::request::{IntoUrl, RequestBuilder, RequestUrl};
use crate::session_builder::{JsonSerialize, SessionBuilder};
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
    pub(crate) inner: Rc<SessionInner>,
}

pub(crate) struct SessionInner {
    pub(crate) base_url: Option<Url>,
    pub(crate) headers: HeaderMap,
    pub(crate) jar: CookieJar,
    pub(crate) auth: Option<BasicAuth>,
    pub(crate) timeout: ClientTimeout,
    pub(crate) connector: TcpConnector,
    pub(crate) connector_owner: bool,
    pub(crate) raise_for_status: bool,
    pub(crate) allow_insecure_redirects: bool,
    pub(crate) auto_decompress: bool,
    pub(crate) proxy: Option<String>,
    pub(crate) proxy_auth: Option<BasicAuth>,
    pub(crate) cookies: Vec<(String, String)>,
    pub(crate) json_serialize: Option<JsonSerialize>,
    pub(crate) closed: Cell<bool>,
    pub(crate) one_shot: bool,
    pub(crate) created: &'static Location<'static>,
    /// The last URL text resolved to a URL that can be requested, and
    /// that URL (checked once, when cached): a client that asks
    /// for the same URL again and again parses (and IDNA-maps) it once.
    pub(crate) last_url: RefCell<Option<(String, Rc<Url>)>>,
    /// The pool key, Host header and request target of the last URL sent to.
    pub(crate) targets: crate::target::TargetCache,
    /// The requests' total deadlines, behind one timer.
    pub(crate) deadlines: crate::total::Deadlines,
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
        RequestBuilder::new(Rc::clone(&self.inner), method, RequestUrl::new(&self.inner, url))
    }

    /// Opens a WebSocket (aiohttp's `await session.ws_connect(url)`):
    /// `ws://`/`wss://` (or `http://`/`https://`) through the session's
    /// connector, with its headers, cookies, auth and timeout; options
    /// are [`WsConnect`](crate::WsConnect)'s methods. A server that does
    /// not answer 101 correctly is [`ClientError::WSServerHandshake`](crate::ClientError::WSServerHandshake).
    ///
    /// ```
    /// use tulip::web::{self, Application, Request, WebSocketResponse};
    ///
    /// async fn hello(request: Request) -> web::Result<WebSocketResponse> {
    ///     let mut ws = WebSocketResponse::new();
    ///     ws.prepare(&request).await?;
    ///     ws.send_str("hello").await.ok();
    ///     ws.close(1000, "").await.ok();
    ///     Ok(ws)
    /// }
    ///
    /// let mut app = Application::new();
    /// app.add_routes([web::get("/", hello)]);
    /// tulip::run(async {
    ///     let server = web::TestServer::start(app).await.unwrap();
    ///     let session = tulip::http::ClientSession::new();
    ///     let ws = session.ws_connect(server.make_url("/")).await.unwrap();
    ///     assert_eq!(ws.receive_str().await.unwrap(), "hello");
    ///     assert_eq!(ws.receive().await.unwrap().close_code(), Some(1000));
    ///     session.close().await;
    ///     server.close().await.unwrap();
    /// });
    /// ```
    #[cfg(feature = "ws")]
    pub fn ws_connect(&self, url: impl IntoUrl) -> crate::WsConnect {
        crate::WsConnect {
            req: RequestBuilder::new(Rc::clone(&self.inner), Method::GET, RequestUrl::Given(url.into_url_input())),
            protocols: Vec::new(),
            origin: None,
            cfg: tulip_ws::WsConfig::default(),
        }
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
    /// Later requests fail with [`ClientError::SessionClosed`](crate::ClientError::SessionClosed).
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
    RequestBuilder::new(Rc::new(inner), method, RequestUrl::Given(url.into_url_input()))
}
