//! aiohttp's `web.Request`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use bytes::{Bytes, BytesMut};
use http::{HeaderMap, Method, Uri, Version};
use http_body_util::BodyExt;

use crate::{Application, HTTPException};

/// The path parameters of the matched route (aiohttp's `match_info`).
///
/// ```
/// use tulip::web::{self, Application, Request, Response, TestClient};
/// async fn show(req: Request) -> Response {
///     let info = req.match_info();
///     Response::text(format!("{}/{}", info.get("user").unwrap(), info.get("tail").unwrap()))
/// }
/// let mut app = Application::new();
/// app.add_routes([web::get("/u/{user}/{tail:.*}", show)]);
/// tulip::run(async {
///     let client = TestClient::start(app).await.unwrap();
///     assert_eq!(client.get("/u/ann/a/b%20c").await.unwrap().text(), "ann/a/b c");
///     client.close().await;
/// });
/// ```
#[derive(Debug, Default, Clone)]
pub struct MatchInfo {
    pairs: crate::pattern::Params,
}

impl MatchInfo {
    /// The value of parameter `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| &**k == name).map(|(_, v)| v.as_str())
    }

    /// Every parameter, in pattern order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(k, v)| (&**k, v.as_str()))
    }
}

/// A query string or form, multi-valued (aiohttp's `MultiDict`).
///
/// ```
/// let q = tulip::web::MultiDict::from_pairs(vec![("a".into(), "1".into()), ("a".into(), "2".into())]);
/// assert_eq!(q.get("a"), Some("1"));
/// assert_eq!(q.get_all("a"), ["1", "2"]);
/// ```
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct MultiDict {
    pairs: Vec<(String, String)>,
}

impl MultiDict {
    /// A dict of these pairs, in order.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        MultiDict { pairs }
    }

    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Every value of `key`, in order (aiohttp's `getall`).
    pub fn get_all(&self, key: &str) -> Vec<&str> {
        self.pairs.iter().filter(|(k, _)| k == key).map(|(_, v)| v.as_str()).collect()
    }

    /// Every pair, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// How many pairs.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// No pairs.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

/// Where a prepared `StreamResponse` leaves its head for the server (one
/// per connection: HTTP/1 handles one request at a time).
pub(crate) type PreparedSlot = Rc<RefCell<Option<hyper::Response<crate::body::ResBody>>>>;

/// The head a `StreamResponse` left in `slot`, if any. Looked at before
/// taking: a take moves the whole slot (~150 bytes), empty for almost
/// every request.
pub(crate) fn take_prepared(slot: &PreparedSlot) -> Option<hyper::Response<crate::body::ResBody>> {
    let mut s = slot.borrow_mut();
    if s.is_some() {
        s.take()
    } else {
        None
    }
}

/// An HTTP request (aiohttp's `web.Request`).
///
/// ```
/// use tulip::web::{self, Application, Request, Response, TestClient};
///
/// async fn inspect(mut request: Request) -> web::Result<Response> {
///     let who = request.cookies().get("user").cloned().unwrap_or_default();
///     let tags = request.query().get_all("tag").join("+");
///     let form = request.post().await?; // urlencoded (or multipart) fields
///     Ok(Response::text(format!(
///         "{} {} tags={tags} user={who} a={} from={}",
///         request.method(),
///         request.path(),
///         form.get("a").unwrap_or("-"),
///         request.remote().unwrap_or("?"),
///     )))
/// }
///
/// let mut app = Application::new();
/// app.add_routes([web::post("/in spect", inspect)]);
/// tulip::run(async {
///     let client = TestClient::start(app).await.unwrap();
///     let headers = [("cookie", "user=ann"), ("content-type", "application/x-www-form-urlencoded")];
///     let resp = client.request(http::Method::POST, "/in%20spect?tag=a&tag=b", &headers, "a=1".into()).await.unwrap();
///     assert_eq!(resp.text(), "POST /in spect tags=a+b user=ann a=1 from=127.0.0.1");
///     client.close().await;
/// });
/// ```
pub struct Request(pub(crate) Box<Inner>);

/// Boxed: a request is ~400 bytes, moved into each middleware's and the
/// handler's future; one allocation costs less than those copies.
pub(crate) struct Inner {
    pub(crate) head: http::request::Parts,
    body: Option<crate::req_body::ReqBody>,
    cached: Option<Bytes>,
    /// The decoded path when it differs from the URI's.
    path: Option<String>,
    pub(crate) match_info: MatchInfo,
    /// The current application (a sub-application's own for its routes).
    app: Rc<Application>,
    /// The applications from the root to the sub-application that
    /// answered; `None` for the root's own routes.
    apps: Option<Rc<[Rc<Application>]>>,
    remote: Option<Rc<str>>,
    pub(crate) prepared: PreparedSlot,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.0.head.method)
            .field("uri", &self.0.head.uri)
            .finish_non_exhaustive()
    }
}

impl Request {
    pub(crate) fn new(
        head: http::request::Parts,
        body: crate::req_body::ReqBody,
        path: Option<String>,
        app: Rc<Application>,
        remote: Option<Rc<str>>,
        prepared: PreparedSlot,
    ) -> Self {
        // Written into the allocation rather than built beside it and
        // copied there: one `memcpy` of ~400 bytes fewer (callgrind).
        Request(Box::write(
            Box::new_uninit(),
            Inner {
                head,
                body: Some(body),
                cached: None,
                path,
                match_info: MatchInfo::default(),
                app,
                apps: None,
                remote,
                prepared,
            },
        ))
    }

    /// The request is a sub-application's: `sub` is current, `apps` its path.
    pub(crate) fn set_apps(&mut self, sub: Rc<Application>, apps: Rc<[Rc<Application>]>) {
        self.0.app = sub;
        self.0.apps = Some(apps);
    }

    /// Makes `app` (one of the path's) the current application.
    pub(crate) fn enter_app(&mut self, app: Rc<Application>) {
        self.0.app = app;
    }

    /// The application the request came in through: its limits apply.
    fn root_app(&self) -> &Application {
        self.0.apps.as_ref().and_then(|a| a.first()).unwrap_or(&self.0.app)
    }

    pub(crate) fn set_match_info(&mut self, pairs: crate::pattern::Params) {
        self.0.match_info = MatchInfo { pairs };
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.0.head.method
    }

    /// The request target as sent.
    pub fn uri(&self) -> &Uri {
        &self.0.head.uri
    }

    /// The HTTP version.
    pub fn version(&self) -> Version {
        self.0.head.version
    }

    /// The percent-decoded path (aiohttp's `request.path`).
    pub fn path(&self) -> &str {
        self.0.path.as_deref().unwrap_or(self.0.head.uri.path())
    }

    /// The path as sent, still encoded (aiohttp's `raw_path`, without the query).
    pub fn raw_path(&self) -> &str {
        self.0.head.uri.path()
    }

    /// The query string, undecoded (`""` if none).
    pub fn query_string(&self) -> &str {
        self.0.head.uri.query().unwrap_or("")
    }

    /// The decoded query, multi-valued (aiohttp's `request.query`).
    pub fn query(&self) -> MultiDict {
        MultiDict::from_pairs(crate::urlenc::parse_query(self.query_string()))
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.0.head.headers
    }

    /// The `Host` header (aiohttp's `request.host`).
    pub fn host(&self) -> Option<&str> {
        self.0.head.headers.get(http::header::HOST).and_then(|v| v.to_str().ok())
    }

    /// The media type of `Content-Type`, without parameters
    /// (`application/octet-stream` if absent, as in aiohttp).
    pub fn content_type(&self) -> &str {
        self.0
            .head
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map_or("application/octet-stream", |s| s.split(';').next().unwrap_or("").trim())
    }

    /// `Content-Length`, if sent and valid.
    pub fn content_length(&self) -> Option<u64> {
        self.0.head.headers.get(http::header::CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
    }

    /// The cookies sent (aiohttp's `request.cookies`).
    pub fn cookies(&self) -> HashMap<String, String> {
        let mut out = HashMap::new();
        for v in self.0.head.headers.get_all(http::header::COOKIE) {
            let Ok(s) = v.to_str() else { continue };
            for c in cookie::Cookie::split_parse_encoded(s.to_string()).flatten() {
                out.insert(c.name().to_string(), c.value().to_string());
            }
        }
        out
    }

    /// The path parameters of the matched route.
    pub fn match_info(&self) -> &MatchInfo {
        &self.0.match_info
    }

    /// The application (aiohttp's `request.app`), for its state:
    /// `request.app().get(&KEY)`. In a sub-application's middlewares and
    /// handlers it is the sub-application; in its parent's middlewares,
    /// the parent.
    pub fn app(&self) -> &Rc<Application> {
        &self.0.app
    }

    /// The state of the current application and then of each one above it
    /// (aiohttp's `request.config_dict`, a `ChainMapProxy`): a
    /// sub-application's handler finds its parent's keys too.
    ///
    /// ```
    /// use tulip::web::{self, AppKey, Application, Request, Response, TestClient};
    /// static DB: AppKey<&str> = AppKey::new("db");
    /// static NAME: AppKey<&str> = AppKey::new("name");
    ///
    /// async fn show(req: Request) -> Response {
    ///     let conf = req.config_dict();
    ///     Response::text(format!("{} {}", conf.get(&NAME).unwrap(), conf.get(&DB).unwrap()))
    /// }
    /// let mut admin = Application::new();
    /// admin.insert(&NAME, "admin");
    /// admin.add_routes([web::get("/", show)]);
    /// let mut app = Application::new();
    /// app.insert(&DB, "postgres");
    /// app.insert(&NAME, "root");
    /// app.add_subapp("/admin", admin);
    /// tulip::run(async {
    ///     let client = TestClient::start(app).await.unwrap();
    ///     assert_eq!(client.get("/admin/").await.unwrap().text(), "admin postgres");
    ///     client.close().await;
    /// });
    /// ```
    pub fn config_dict(&self) -> crate::ConfigDict<'_> {
        let apps = match &self.0.apps {
            Some(apps) => {
                let upto = apps.iter().position(|a| Rc::ptr_eq(a, &self.0.app)).map_or(apps.len(), |i| i + 1);
                &apps[..upto]
            }
            None => std::slice::from_ref(&self.0.app),
        };
        crate::ConfigDict::new(apps)
    }

    /// The peer's address (aiohttp's `request.remote`): `ip` for TCP, the
    /// socket path (often empty) for Unix sockets.
    pub fn remote(&self) -> Option<&str> {
        self.0.remote.as_deref()
    }

    /// Whether the request has a body left to read (aiohttp's `can_read_body`).
    pub fn can_read_body(&self) -> bool {
        self.0.body.as_ref().is_some_and(|b| !http_body::Body::is_end_stream(b))
    }

    /// The whole body (aiohttp's `await request.read()`), at most the
    /// application's `client_max_size`: a larger one is a 413; a broken one
    /// (bad chunked framing, a client gone) a 400. Read once, then cached.
    pub async fn read(&mut self) -> Result<Bytes, HTTPException> {
        if let Some(b) = &self.0.cached {
            return Ok(b.clone());
        }
        let max = self.root_app().client_max_size;
        if let Some(len) = self.content_length() {
            if len > max as u64 {
                return Err(HTTPException::request_entity_too_large(max, usize::try_from(len).unwrap_or(usize::MAX)));
            }
        }
        let mut buf = BytesMut::new();
        if let Some(mut body) = self.0.body.take() {
            while let Some(frame) = body.frame().await {
                let frame = frame.map_err(|e| HTTPException::bad_request().with_text(format!("400: {e}")))?;
                if let Ok(data) = frame.into_data() {
                    if buf.len() + data.len() > max {
                        return Err(HTTPException::request_entity_too_large(max, buf.len() + data.len()));
                    }
                    buf.extend_from_slice(&data);
                }
            }
        }
        let b = buf.freeze();
        self.0.cached = Some(b.clone());
        Ok(b)
    }

    /// The body as text (aiohttp's `text()`): UTF-8, invalid bytes replaced.
    pub async fn text(&mut self) -> Result<String, HTTPException> {
        let b = self.read().await?;
        Ok(String::from_utf8_lossy(&b).into_owned())
    }

    /// The body parsed as JSON (aiohttp's `json()`); a 400 if it does not parse.
    pub async fn json<T: serde::de::DeserializeOwned>(&mut self) -> Result<T, HTTPException> {
        let b = self.read().await?;
        serde_json::from_slice(&b).map_err(|e| HTTPException::bad_request().with_text(format!("Invalid JSON: {e}")))
    }

    /// The form of a `POST`, `PUT`, `PATCH`, `DELETE` or `TRACE` request
    /// (aiohttp's `post()`): an `application/x-www-form-urlencoded` body's
    /// fields, or a `multipart/form-data` body's text fields and file parts
    /// ([`PostData`](crate::PostData)); empty for other methods and content
    /// types. The whole body is read (within `client_max_size`, else a
    /// 413), at most `client_max_fields` fields (else a 413); a malformed
    /// multipart body is a 400.
    pub async fn post(&mut self) -> Result<crate::PostData, HTTPException> {
        let form_method = matches!(self.0.head.method, Method::POST | Method::PUT | Method::PATCH | Method::DELETE)
            || self.0.head.method == Method::TRACE;
        let max_fields = self.root_app().client_max_fields;
        match self.content_type() {
            _ if !form_method => Ok(crate::PostData::default()),
            "application/x-www-form-urlencoded" => {
                let b = self.read().await?;
                let pairs: Vec<(String, String)> =
                    form_urlencoded::parse(&b).into_owned().take(max_fields + 1).collect();
                if pairs.len() > max_fields {
                    return Err(too_many_fields(max_fields));
                }
                Ok(crate::PostData::from_fields(MultiDict::from_pairs(pairs)))
            }
            "multipart/form-data" => {
                let boundary = crate::multipart::boundary(&self.0.head.headers)?;
                let b = self.read().await?;
                crate::multipart::parse_form(b, boundary, max_fields).await
            }
            _ => Ok(crate::PostData::default()),
        }
    }

    /// A `multipart/*` body's parts as they arrive (aiohttp's `await
    /// request.multipart()`), for uploads too large to hold: unlike
    /// `post()`, the body as a whole is not limited (as in aiohttp), a
    /// part's `read()`/`text()` are (`client_max_size`), and its chunks
    /// are not. A 400 without a boundary, or when the body was already
    /// taken by [`content`](Self::content).
    ///
    /// ```
    /// use tulip::web::{self, Application, Request, Response, TestClient};
    /// async fn names(mut req: Request) -> web::Result<Response> {
    ///     let mut reader = req.multipart()?;
    ///     let mut out = Vec::new();
    ///     while let Some(part) = reader.next().await? {
    ///         let name = part.name().unwrap_or("?").to_string();
    ///         out.push(format!("{name}={}", part.text().await?));
    ///     }
    ///     Ok(Response::text(out.join("&")))
    /// }
    /// let mut app = Application::new();
    /// app.add_routes([web::post("/", names)]);
    /// let body = "--b\r\ncontent-disposition: form-data; name=\"a\"\r\n\r\n1\r\n\
    ///             --b\r\ncontent-disposition: form-data; name=\"b\"\r\n\r\n2\r\n--b--\r\n";
    /// tulip::run(async {
    ///     let client = TestClient::start(app).await.unwrap();
    ///     let ct = [("content-type", "multipart/form-data; boundary=b")];
    ///     let resp = client.request(http::Method::POST, "/", &ct, body.into()).await.unwrap();
    ///     assert_eq!(resp.text(), "a=1&b=2");
    ///     let plain = client.request(http::Method::POST, "/", &[], "x".into()).await.unwrap();
    ///     assert_eq!(plain.status(), 400);
    ///     client.close().await;
    /// });
    /// ```
    pub fn multipart(&mut self) -> Result<crate::MultipartReader, HTTPException> {
        let boundary = crate::multipart::boundary(&self.0.head.headers)?;
        let body = match (self.0.cached.clone(), self.0.body.take()) {
            (Some(b), _) => crate::multipart::BodyBytes::Cached(Some(b)),
            (None, Some(body)) => crate::multipart::BodyBytes::Body(body),
            (None, None) => {
                return Err(HTTPException::bad_request().with_text("400: the request body was already taken"))
            }
        };
        Ok(crate::MultipartReader::new(body, boundary, self.root_app().client_max_size))
    }

    /// The body as a stream of chunks (aiohttp's `request.content`), for
    /// bodies too large to hold; `client_max_size` does not apply. `None`
    /// once the body was read or taken.
    pub fn content(&mut self) -> Option<BodyStream> {
        self.0.body.take().map(|b| BodyStream { body: b })
    }
}

/// aiohttp's answer to a form of more than `max` fields.
pub(crate) fn too_many_fields(max: usize) -> HTTPException {
    HTTPException::new(http::StatusCode::PAYLOAD_TOO_LARGE)
        .with_text(format!("Maximum number of form fields {max} exceeded."))
}

/// A request body read chunk by chunk ([`Request::content`]).
#[derive(Debug)]
pub struct BodyStream {
    body: crate::req_body::ReqBody,
}

impl BodyStream {
    /// The next chunk; `None` at the end; a 400 if the body is broken.
    pub async fn read_chunk(&mut self) -> Option<Result<Bytes, HTTPException>> {
        loop {
            match self.body.frame().await? {
                Ok(f) => {
                    if let Ok(d) = f.into_data() {
                        return Some(Ok(d));
                    }
                }
                Err(e) => return Some(Err(HTTPException::bad_request().with_text(format!("400: {e}")))),
            }
        }
    }
}
