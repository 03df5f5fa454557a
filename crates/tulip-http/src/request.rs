//! The request builder (`session.get(url)…`) and what `send()` does.

use std::borrow::Borrow;
use std::rc::Rc;

use http::header::{self, HeaderName, HeaderValue};
use http::{HeaderMap, Method};
use serde::Serialize;
use url::Url;

use crate::auth::BasicAuth;
use crate::body::Body;
use crate::errors::{ClientError, InvalidURL, InvalidUrlKind};
use crate::send::run;
use crate::session::SessionInner;
use crate::timeout::ClientTimeout;

/// What a URL argument may be: `&str`, `String`, or a parsed [`Url`].
pub trait IntoUrl {
    /// The URL as given: parsed later, against the session's `base_url`.
    fn into_url_input(self) -> UrlInput;

    /// The URL's text when it is text, looked up in the session's cache
    /// of the last URL before [`into_url_input`](Self::into_url_input)
    /// copies it: a client asking for the same URL again and again then
    /// allocates no copy of it per request.
    #[doc(hidden)]
    fn url_text(&self) -> Option<&str> {
        None
    }
}

/// A URL argument, parsed or not yet.
#[derive(Debug, Clone)]
pub enum UrlInput {
    /// Text, maybe relative to the session's `base_url`.
    Text(String),
    /// A parsed URL.
    Url(Url),
}

impl IntoUrl for &str {
    fn into_url_input(self) -> UrlInput {
        UrlInput::Text(self.to_string())
    }
    fn url_text(&self) -> Option<&str> {
        Some(self)
    }
}
impl IntoUrl for String {
    fn into_url_input(self) -> UrlInput {
        UrlInput::Text(self)
    }
    fn url_text(&self) -> Option<&str> {
        Some(self)
    }
}
impl IntoUrl for &String {
    fn into_url_input(self) -> UrlInput {
        UrlInput::Text(self.clone())
    }
    fn url_text(&self) -> Option<&str> {
        Some(self)
    }
}

/// A request's URL: as given, or the session's parse of the same text.
pub(crate) enum RequestUrl {
    Given(UrlInput),
    /// The session's last URL, whose text this request gave again.
    Cached(Rc<Url>),
}

impl std::fmt::Debug for RequestUrl {
    /// As the URL given would show (a cached one as its parse).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RequestUrl::Given(u) => u.fmt(f),
            RequestUrl::Cached(u) => f.debug_tuple("Url").field(&**u).finish(),
        }
    }
}

impl RequestUrl {
    /// `url`, from the session's cache when its text is the last one parsed.
    pub(crate) fn new(session: &SessionInner, url: impl IntoUrl) -> Self {
        let cached = url.url_text().and_then(|text| {
            let last = session.last_url.borrow();
            last.as_ref().filter(|(t, _)| t == text).map(|(_, u)| Rc::clone(u))
        });
        match cached {
            Some(u) => RequestUrl::Cached(u),
            None => RequestUrl::Given(url.into_url_input()),
        }
    }
}
impl IntoUrl for Url {
    fn into_url_input(self) -> UrlInput {
        UrlInput::Url(self)
    }
}
impl IntoUrl for &Url {
    fn into_url_input(self) -> UrlInput {
        UrlInput::Url(self.clone())
    }
}

/// A request being built (aiohttp's keyword arguments of `session.get(…)`);
/// [`send`](Self::send) makes it. Errors of the builder's arguments (a bad
/// header, a JSON value that does not serialise) are returned by `send`.
///
/// ```
/// # use std::io::{Read, Write};
/// # let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
/// # let url = format!("http://{}/weather", listener.local_addr().unwrap());
/// # let server = std::thread::spawn(move || { let (mut s, _) = listener.accept().unwrap(); let mut b = vec![0; 4096];
/// #   let n = s.read(&mut b).unwrap(); s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").unwrap();
/// #   String::from_utf8_lossy(&b[..n]).into_owned() });
/// tulip::run(async move {
///     let session = tulip::http::ClientSession::new();
///     let mut resp = session
///         .get(&url)
///         .params(&[("q", "Moscow"), ("units", "metric")])
///         .header("X-Trace", "1")
///         .send()
///         .await
///         .unwrap();
///     assert_eq!(resp.text().await.unwrap(), "ok");
///     session.close().await;
/// });
/// let head = server.join().unwrap();
/// assert!(head.starts_with("GET /weather?q=Moscow&units=metric HTTP/1.1\r\n"));
/// assert!(head.contains("x-trace: 1\r\n"));
/// ```
#[must_use = "a request does nothing until .send().await"]
pub struct RequestBuilder {
    pub(crate) session: Rc<SessionInner>,
    pub(crate) method: Method,
    pub(crate) url: RequestUrl,
    pub(crate) body: Option<Body>,
    pub(crate) allow_redirects: bool,
    pub(crate) max_redirects: usize,
    pub(crate) raise_for_status: Option<bool>,
    /// Boxed, made by the first builder call that sets one of them.
    pub(crate) extras: Option<Box<Extras>>,
}

/// What a request sets only now and then. Inline they made the builder
/// ~550 bytes, moved into every request's future (and kept there) and
/// copied on the way; a request that sets one pays an allocation instead.
#[derive(Default)]
pub(crate) struct Extras {
    pub(crate) params: Vec<(String, String)>,
    pub(crate) headers: HeaderMap,
    pub(crate) timeout: Option<ClientTimeout>,
    pub(crate) auth: Option<BasicAuth>,
    pub(crate) proxy: Option<String>,
    pub(crate) proxy_auth: Option<BasicAuth>,
    pub(crate) error: Option<ClientError>,
}

impl std::fmt::Debug for RequestBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestBuilder").field("method", &self.method).field("url", &self.url).finish()
    }
}

impl RequestBuilder {
    pub(crate) fn new<M>(session: Rc<SessionInner>, method: M, url: RequestUrl) -> Self
    where
        M: TryInto<Method>,
        M::Error: Into<http::Error>,
    {
        let (method, error) = match method.try_into() {
            Ok(m) => (m, None),
            Err(e) => (Method::GET, Some(ClientError::InvalidHeader(format!("invalid method: {}", e.into())))),
        };
        let mut req = RequestBuilder {
            session,
            method,
            url,
            body: None,
            allow_redirects: true,
            max_redirects: 10,
            raise_for_status: None,
            extras: None,
        };
        if let Some(e) = error {
            req.extras().error = Some(e);
        }
        req
    }

    pub(crate) fn extras(&mut self) -> &mut Extras {
        self.extras.get_or_insert_with(Box::default)
    }

    fn fail(mut self, e: ClientError) -> Self {
        self.extras().error.get_or_insert(e);
        self
    }

    /// Query parameters, added to the URL's own (aiohttp's `params=`).
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.get(&url).params([("q", "Moscow"), ("units", "metric")]).send().await.unwrap();
    ///     assert_eq!(resp.status(), 200);
    ///     session.close().await;
    /// });
    /// ```
    pub fn params<I, K, V, P>(mut self, params: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: Borrow<(K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        for p in params {
            let (k, v) = p.borrow();
            self.extras().params.push((k.as_ref().to_string(), v.as_ref().to_string()));
        }
        self
    }

    /// Adds a header (aiohttp's `headers=`); it replaces the session's
    /// default of that name. A value with CR or LF is refused by `send`.
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.get(&url).header("Accept", "application/json").send().await.unwrap();
    ///     assert_eq!(resp.status(), 200);
    ///     session.close().await;
    /// });
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
                self.extras().headers.append(n, v);
                self
            }
            Err(e) => self.fail(e),
        }
    }

    /// A JSON body (aiohttp's `json=`), with `Content-Type: application/json`.
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.post(&url).json(&serde_json::json!({"name": "tulip"})).send().await.unwrap();
    ///     assert_eq!(resp.status(), 200);
    ///     session.close().await;
    /// });
    /// ```
    pub fn json<T: Serialize + ?Sized>(mut self, value: &T) -> Self {
        let written = match &self.session.json_serialize {
            Some(write) => serde_json::to_value(value).map(|v| write(&v).into_bytes()),
            None => serde_json::to_vec(value),
        };
        match written {
            Ok(bytes) => {
                self.set_default_type("application/json");
                self.body = Some(bytes.into());
                self
            }
            Err(e) => self.fail(e.into()),
        }
    }

    /// A form body, `application/x-www-form-urlencoded` (aiohttp's `data={…}`).
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.post(&url).form([("user", "me"), ("lang", "rust")]).send().await.unwrap();
    ///     assert_eq!(resp.status(), 200);
    ///     session.close().await;
    /// });
    /// ```
    pub fn form<I, K, V, P>(mut self, fields: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: Borrow<(K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        for p in fields {
            let (k, v) = p.borrow();
            ser.append_pair(k.as_ref(), v.as_ref());
        }
        self.set_default_type("application/x-www-form-urlencoded");
        self.body = Some(ser.finish().into());
        self
    }

    /// A body: bytes, text, or [`Body::from_reader`] for a stream
    /// (aiohttp's `data=`).
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.post(&url).body("raw bytes").send().await.unwrap();
    ///     assert_eq!(resp.status(), 200);
    ///     session.close().await;
    /// });
    /// ```
    pub fn body(mut self, body: impl Into<Body>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// Timeouts for this request instead of the session's (the whole
    /// [`ClientTimeout`], or a `Duration` for the total).
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.get(&url).timeout(tulip::http::ClientTimeout { total: Some(std::time::Duration::from_secs(5)), ..Default::default() }).send().await.unwrap();
    ///     assert_eq!(resp.status(), 200);
    ///     session.close().await;
    /// });
    /// ```
    pub fn timeout(mut self, timeout: impl Into<ClientTimeout>) -> Self {
        self.extras().timeout = Some(timeout.into());
        self
    }

    /// Whether redirects are followed (yes by default).
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.get(&url).allow_redirects(false).send().await.unwrap();
    ///     assert_eq!(resp.status(), 200);
    ///     session.close().await;
    /// });
    /// ```
    pub fn allow_redirects(mut self, yes: bool) -> Self {
        self.allow_redirects = yes;
        self
    }

    /// The redirect limit (10): as in aiohttp, the `n`-th redirect response
    /// is a [`TooManyRedirects`](crate::TooManyRedirects) (0: no limit).
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.get(&url).max_redirects(3).send().await.unwrap();
    ///     assert_eq!(resp.status(), 200);
    ///     session.close().await;
    /// });
    /// ```
    pub fn max_redirects(mut self, n: usize) -> Self {
        self.max_redirects = n;
        self
    }

    /// Basic credentials for this request (aiohttp's `auth=`).
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.get(&url).auth(tulip::http::BasicAuth::new("user", "pass")).send().await.unwrap();
    ///     assert_eq!(resp.status(), 200);
    ///     session.close().await;
    /// });
    /// ```
    pub fn auth(mut self, auth: BasicAuth) -> Self {
        self.extras().auth = Some(auth);
        self
    }

    /// Whether a 4xx/5xx answer is an error, instead of the session's setting.
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.get(&url).raise_for_status(true).send().await.unwrap();
    ///     assert_eq!(resp.status(), 200);
    ///     session.close().await;
    /// });
    /// ```
    pub fn raise_for_status(mut self, yes: bool) -> Self {
        self.raise_for_status = Some(yes);
        self
    }

    /// Go through this HTTP proxy (aiohttp's `proxy=`, e.g.
    /// "http://proxy:3128"): https through a CONNECT tunnel, http in
    /// absolute form. Credentials in the URL become `Proxy-Authorization`.
    ///
    /// ```
    /// # let proxy = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.get("http://example.com/").proxy(&proxy).send().await.unwrap();
    ///     assert_eq!(resp.status(), 200);
    ///     session.close().await;
    /// });
    /// ```
    pub fn proxy(mut self, url: impl AsRef<str>) -> Self {
        self.extras().proxy = Some(url.as_ref().to_string());
        self
    }

    /// Credentials for the proxy (aiohttp's `proxy_auth=`).
    ///
    /// ```
    /// # let proxy = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.get("http://example.com/").proxy(&proxy).proxy_auth(tulip::http::BasicAuth::new("me", "secret")).send().await.unwrap();
    ///     assert_eq!(resp.status(), 200);
    ///     session.close().await;
    /// });
    /// ```
    pub fn proxy_auth(mut self, auth: BasicAuth) -> Self {
        self.extras().proxy_auth = Some(auth);
        self
    }

    fn set_default_type(&mut self, mime: &'static str) {
        let headers = &mut self.extras().headers;
        if !headers.contains_key(header::CONTENT_TYPE) {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
        }
    }

    /// Sends the request: connects (or reuses a connection), follows
    /// redirects, stores cookies, and returns once the response head is in;
    /// the body is read from the [`ClientResponse`](crate::ClientResponse).
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.get(&url).send().await.unwrap();
    ///     assert_eq!(resp.status(), 200);
    ///     session.close().await;
    /// });
    /// ```
    // Not an `async fn` around `run`: that would hold the builder in one
    // future and move it into another at the first poll.
    pub fn send(self) -> impl std::future::Future<Output = Result<crate::ClientResponse, ClientError>> {
        run(self)
    }

    /// `text` parsed (joined to the session's fixed `base`), from the
    /// session's one-entry cache when it was the last text parsed (then
    /// `true`: it was checked before it was cached).
    fn parse_text(&self, text: &str, base: Option<&Url>) -> Result<(Rc<Url>, bool), url::ParseError> {
        if let Some((_, u)) = self.session.last_url.borrow().as_ref().filter(|(t, _)| t == text) {
            return Ok((Rc::clone(u), true));
        }
        let url = match base {
            Some(base) => base.join(text)?,
            None => Url::parse(text)?,
        };
        Ok((Rc::new(url), false))
    }

    /// The absolute URL with the params added. Shared (`Rc`) with the
    /// session's cache: a change (the params, the credentials taken out)
    /// copies it first. Only URLs that can be requested are cached, so
    /// one from the cache is not checked again.
    pub(crate) fn resolve_url(&self) -> Result<Rc<Url>, ClientError> {
        let invalid = |text: &str, why: String| InvalidURL::new(text, why, InvalidUrlKind::Url);
        let (mut url, checked, text) = match (&self.url, &self.session.base_url) {
            (RequestUrl::Cached(u), _) => (Rc::clone(u), true, None),
            (RequestUrl::Given(UrlInput::Url(u)), _) => (Rc::new(u.clone()), false, None),
            (RequestUrl::Given(UrlInput::Text(t)), base) => {
                let (u, cached) = self.parse_text(t, base.as_ref()).map_err(|e| invalid(t, e.to_string()))?;
                (u, cached, Some(t))
            }
        };
        if !checked {
            if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
                return Err(
                    invalid(url.as_str(), "only http and https URLs with a host can be requested".into()).into()
                );
            }
            if let Some(t) = text {
                *self.session.last_url.borrow_mut() = Some((t.clone(), Rc::clone(&url)));
            }
        }
        if let Some(params) = self.extras.as_ref().map(|x| &x.params).filter(|p| !p.is_empty()) {
            Rc::make_mut(&mut url).query_pairs_mut().extend_pairs(params.iter());
        }
        Ok(url)
    }
}

/// A header name and value, or why not (CR/LF and other control bytes
/// are refused by `http`'s parser: no header injection).
pub(crate) fn parse_header<K, V>(name: K, value: V) -> Result<(HeaderName, HeaderValue), ClientError>
where
    HeaderName: TryFrom<K>,
    <HeaderName as TryFrom<K>>::Error: Into<http::Error>,
    HeaderValue: TryFrom<V>,
    <HeaderValue as TryFrom<V>>::Error: Into<http::Error>,
{
    let name =
        HeaderName::try_from(name).map_err(|e| ClientError::InvalidHeader(format!("bad header name: {}", e.into())))?;
    let value = HeaderValue::try_from(value).map_err(|e| {
        ClientError::InvalidHeader(format!("{name}: {} (CR, LF and other control characters are refused)", e.into()))
    })?;
    Ok((name, value))
}
