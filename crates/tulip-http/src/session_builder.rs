//! The builder of a [`ClientSession`]: aiohttp's `ClientSession(...)` arguments.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::panic::Location;
use std::rc::Rc;

use http::header::{HeaderName, HeaderValue};
use http::HeaderMap;
use url::Url;

use crate::auth::BasicAuth;
use crate::connector::TcpConnector;
use crate::cookies::CookieJar;
use crate::errors::{ClientError, InvalidURL, InvalidUrlKind};
use crate::request::parse_header;
use crate::session::{ClientSession, SessionInner};
use crate::timeout::ClientTimeout;

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
    pub(crate) fn new(created: &'static Location<'static>) -> Self {
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

    pub(crate) fn inner(self) -> SessionInner {
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
            last_url: RefCell::new(None),
            targets: crate::target::TargetCache::default(),
            deadlines: crate::total::Deadlines::default(),
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
