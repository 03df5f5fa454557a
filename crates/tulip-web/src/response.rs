//! aiohttp's `web.Response` and `json_response`, and what a handler may
//! return.

use std::path::PathBuf;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, SET_COOKIE};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

use crate::body::PipeWriter;
use crate::HTTPException;

pub(crate) const TEXT_PLAIN: &str = "text/plain; charset=utf-8";

/// What the server sends for a [`Response`].
#[derive(Debug)]
pub(crate) enum Payload {
    Bytes(Bytes),
    /// A `StreamResponse` already prepared: its head is gone, its body is
    /// this pipe; returning it ends the body.
    Prepared(PipeWriter),
    /// A `FileResponse`: opened and streamed by the server.
    File(PathBuf),
}

/// An HTTP response (aiohttp's `web.Response`): status, headers, body.
///
/// ```
/// use tulip::web::Response;
/// let r = Response::text("Hello, Anonymous");
/// assert_eq!(r.status(), 200);
/// assert_eq!(r.headers()["content-type"], "text/plain; charset=utf-8");
/// assert_eq!(r.body_bytes().unwrap(), "Hello, Anonymous");
/// ```
#[derive(Debug)]
pub struct Response {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) payload: Payload,
}

impl Default for Response {
    fn default() -> Self {
        Response::new()
    }
}

impl Response {
    /// An empty 200 response.
    ///
    /// ```
    /// assert_eq!(tulip::web::Response::new().status(), 200);
    /// ```
    pub fn new() -> Self {
        Response { status: StatusCode::OK, headers: HeaderMap::new(), payload: Payload::Bytes(Bytes::new()) }
    }

    /// A `text/plain; charset=utf-8` response (aiohttp's `Response(text=..)`).
    ///
    /// ```
    /// let r = tulip::web::Response::text(format!("Hello, {}", "bob"));
    /// assert_eq!(r.body_bytes().unwrap(), "Hello, bob");
    /// ```
    pub fn text(text: impl Into<String>) -> Self {
        let mut r = Response::new();
        r.payload = Payload::Bytes(Bytes::from(text.into()));
        r.headers.insert(CONTENT_TYPE, HeaderValue::from_static(TEXT_PLAIN));
        r
    }

    /// A response with these bytes as its body and no content type
    /// (aiohttp's `Response(body=..)`, which then says
    /// `application/octet-stream`; so does this one).
    ///
    /// ```
    /// let r = tulip::web::Response::body(&b"\x00\x01"[..]);
    /// assert_eq!(r.headers()["content-type"], "application/octet-stream");
    /// ```
    pub fn body(body: impl Into<Bytes>) -> Self {
        let mut r = Response::new();
        r.payload = Payload::Bytes(body.into());
        r.with_content_type("application/octet-stream")
    }

    /// A JSON response (aiohttp's `json_response`); an error if `value`
    /// cannot be serialised (a 500 when returned with `?`).
    ///
    /// ```
    /// let r = tulip::web::Response::json(&serde_json::json!({"ok": true})).unwrap();
    /// assert_eq!(r.headers()["content-type"], "application/json; charset=utf-8");
    /// assert_eq!(r.body_bytes().unwrap(), r#"{"ok":true}"#);
    /// ```
    pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<Self, HTTPException> {
        let body = serde_json::to_vec(value)
            .map_err(|e| HTTPException::internal_server_error().with_text(format!("JSON encoding failed: {e}")))?;
        Ok(Response::body(body).with_content_type("application/json; charset=utf-8"))
    }

    /// Sets the status (builder style).
    ///
    /// ```
    /// let r = tulip::web::Response::text("made").with_status(201);
    /// assert_eq!(r.status(), 201);
    /// ```
    ///
    /// # Panics
    /// On a status outside 100..=999 (a programming error, like aiohttp's
    /// `ValueError`).
    pub fn with_status(mut self, status: u16) -> Self {
        self.set_status(status);
        self
    }

    /// Sets the status.
    ///
    /// # Panics
    /// On a status outside 100..=999.
    pub fn set_status(&mut self, status: u16) {
        #[allow(clippy::expect_used)]
        let code = StatusCode::from_u16(status).expect("an HTTP status is a number in 100..=999");
        self.status = code;
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The headers, to change.
    ///
    /// ```
    /// let mut r = tulip::web::Response::text("x");
    /// r.headers_mut().insert("x-served-by", http::HeaderValue::from_static("tulip"));
    /// assert_eq!(r.headers()["x-served-by"], "tulip");
    /// ```
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.headers
    }

    /// Adds a header (builder style); an invalid name or value is left out.
    ///
    /// ```
    /// let r = tulip::web::Response::text("x").with_header("cache-control", "no-store");
    /// assert_eq!(r.headers()["cache-control"], "no-store");
    /// ```
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            self.headers.append(n, v);
        }
        self
    }

    /// Sets `Content-Type` (builder style).
    ///
    /// ```
    /// let r = tulip::web::Response::text("<p>hi</p>").with_content_type("text/html; charset=utf-8");
    /// assert_eq!(r.headers()["content-type"], "text/html; charset=utf-8");
    /// ```
    pub fn with_content_type(mut self, content_type: &str) -> Self {
        if let Ok(v) = HeaderValue::try_from(content_type) {
            self.headers.insert(CONTENT_TYPE, v);
        }
        self
    }

    /// The body, unless it is streamed (a prepared `StreamResponse` or a
    /// file).
    pub fn body_bytes(&self) -> Option<&Bytes> {
        match &self.payload {
            Payload::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// Adds a `Set-Cookie` (aiohttp's `set_cookie(name, value, ...)`;
    /// build a [`cookie::Cookie`] for the attributes: path, max-age, …).
    ///
    /// ```
    /// use tulip::web::{Cookie, Response};
    /// let mut r = Response::text("hi");
    /// r.set_cookie(Cookie::build(("session", "abc")).path("/").http_only(true).build());
    /// assert_eq!(r.headers()["set-cookie"], "session=abc; HttpOnly; Path=/");
    /// ```
    pub fn set_cookie(&mut self, cookie: cookie::Cookie<'_>) {
        if let Ok(v) = HeaderValue::try_from(cookie.encoded().to_string()) {
            self.headers.append(SET_COOKIE, v);
        }
    }

    /// Tells the client to drop a cookie (aiohttp's `del_cookie`): an
    /// expired, empty one with path `/`.
    ///
    /// ```
    /// let mut r = tulip::web::Response::text("bye");
    /// r.del_cookie("session");
    /// let v = r.headers()["set-cookie"].to_str().unwrap();
    /// assert!(v.starts_with("session=; ") && v.contains("Max-Age=0"));
    /// ```
    pub fn del_cookie(&mut self, name: &str) {
        let c = cookie::Cookie::build((name.to_string(), ""))
            .path("/")
            .max_age(cookie::time::Duration::ZERO)
            .expires(cookie::time::OffsetDateTime::UNIX_EPOCH)
            .build();
        self.set_cookie(c);
    }
}

impl From<HTTPException> for Response {
    fn from(e: HTTPException) -> Self {
        let mut r = Response::text(e.text().to_string());
        r.status = e.status();
        for (k, v) in e.headers() {
            r.headers.append(k.clone(), v.clone());
        }
        r
    }
}

/// A `Result` of a handler: `Ok(response)` or an [`HTTPException`] to
/// answer instead (`web::Result<Response>`).
pub type Result<T, E = HTTPException> = std::result::Result<T, E>;

/// What a handler may return: a [`Response`], an [`HTTPException`], or a
/// `Result` of the two.
///
/// ```
/// use tulip::web::{HTTPException, IntoResponse, Response};
/// assert_eq!(Response::text("x").into_result().unwrap().status(), 200);
/// assert_eq!(HTTPException::not_found().into_result().unwrap_err().status(), 404);
/// ```
pub trait IntoResponse {
    /// The response, or the exception to answer.
    fn into_result(self) -> Result<Response>;
}

impl IntoResponse for Response {
    fn into_result(self) -> Result<Response> {
        Ok(self)
    }
}

impl IntoResponse for HTTPException {
    fn into_result(self) -> Result<Response> {
        Err(self)
    }
}

impl<R: Into<Response>> IntoResponse for Result<R> {
    fn into_result(self) -> Result<Response> {
        self.map(Into::into)
    }
}

/// aiohttp's `web.json_response(data)`: [`Response::json`].
///
/// ```
/// let r = tulip::web::json_response(&vec![1, 2, 3]).unwrap();
/// assert_eq!(r.body_bytes().unwrap(), "[1,2,3]");
/// ```
pub fn json_response<T: serde::Serialize + ?Sized>(value: &T) -> Result<Response> {
    Response::json(value)
}
