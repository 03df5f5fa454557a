//! aiohttp's `ClientResponse`.

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use cookie_store::RawCookie;
use http::{HeaderMap, Method, StatusCode, Version};
use serde::de::DeserializeOwned;
use url::Url;

use crate::charset::decode_text;
use crate::errors::{ClientError, ClientResponseError, ContentTypeError};
use crate::reader::BodyReader;

/// How much of an unread body [`ClientResponse::release`] reads to keep
/// the connection; beyond it the connection is closed instead.
const DRAIN_LIMIT: usize = 64 * 1024;

/// A response (aiohttp's `ClientResponse`): status, headers, and the body
/// to read once — [`read`](Self::read) keeps it, so `text`/`json` after it
/// work. Dropping it before the body's end closes the connection (it is
/// never reused half-read); reading to the end returns it to the pool.
///
/// ```
/// # use std::io::{Read, Write};
/// # let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
/// # let url = format!("http://{}/", listener.local_addr().unwrap());
/// # std::thread::spawn(move || { let (mut s, _) = listener.accept().unwrap(); let mut b = [0; 4096]; let _ = s.read(&mut b);
/// #   s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 13\r\n\r\n{\"ok\": true }").unwrap(); });
/// tulip::run(async move {
///     let session = tulip::http::ClientSession::new();
///     let mut resp = session.get(&url).send().await.unwrap();
///     assert_eq!((resp.status(), resp.reason()), (200, "OK"));
///     assert_eq!(resp.content_type(), "application/json");
///     assert_eq!(resp.charset(), Some("utf-8"));
///     assert_eq!(resp.content_length(), Some(13));
///     let v: serde_json::Value = resp.json().await.unwrap();
///     assert_eq!(v["ok"], true);
///     assert_eq!(resp.text().await.unwrap(), "{\"ok\": true }");
///     session.close().await;
/// });
/// ```
pub struct ClientResponse(Box<Inner>);

/// Boxed: a response is ~650 bytes, moved through every layer of
/// `send()` (the result of each `async fn`), ~1,500 instructions of
/// `memcpy` a request; one allocation is cheaper.
struct Inner {
    method: Method,
    url: std::rc::Rc<Url>,
    status: StatusCode,
    /// Borrowed when the phrase is the status's canonical one (no allocation).
    reason: Cow<'static, str>,
    version: Version,
    headers: HeaderMap,
    history: Vec<ClientResponse>,
    cookies: Vec<RawCookie<'static>>,
    content_type: Cow<'static, str>,
    charset: Option<String>,
    content: BodyReader,
    body: Option<Bytes>,
}

impl fmt::Debug for ClientResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<ClientResponse({}) [{} {}]>", self.0.url, self.0.status.as_u16(), self.0.reason)
    }
}

impl ClientResponse {
    pub(crate) fn new(
        method: Method,
        url: std::rc::Rc<Url>,
        parts: http::response::Parts,
        content: BodyReader,
        (content_type, charset): (Cow<'static, str>, Option<String>),
        cookies: Vec<RawCookie<'static>>,
    ) -> Self {
        let reason = parts
            .extensions
            .get::<hyper::ext::ReasonPhrase>()
            .map(|r| Cow::Owned(String::from_utf8_lossy(r.as_bytes()).into_owned()))
            .or_else(|| parts.status.canonical_reason().map(Cow::Borrowed))
            .unwrap_or_default();
        ClientResponse(Box::new(Inner {
            method,
            url,
            status: parts.status,
            reason,
            version: parts.version,
            headers: parts.headers,
            history: Vec::new(),
            cookies,
            content_type,
            charset,
            content,
            body: None,
        }))
    }

    pub(crate) fn set_history(&mut self, history: Vec<ClientResponse>) {
        self.0.history = history;
    }

    /// The status code, e.g. 200.
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\nSet-Cookie: k=v\r\n\r\nhello");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.get(&url).send().await.unwrap();
    ///     assert_eq!(resp.status(), 200);
    ///     session.close().await;
    /// });
    /// ```
    pub fn status(&self) -> u16 {
        self.0.status.as_u16()
    }

    /// The reason phrase the server sent, e.g. "OK".
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.get(&url).send().await.unwrap();
    ///     assert_eq!(resp.reason(), "Not Found");
    ///     session.close().await;
    /// });
    /// ```
    pub fn reason(&self) -> &str {
        &self.0.reason
    }

    /// Whether the status is below 400 (aiohttp's `ok`).
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.get(&url).send().await.unwrap();
    ///     assert!(!resp.ok());
    ///     session.close().await;
    /// });
    /// ```
    pub fn ok(&self) -> bool {
        self.0.status.as_u16() < 400
    }

    /// The request's method.
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\nSet-Cookie: k=v\r\n\r\nhello");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.get(&url).send().await.unwrap();
    ///     assert_eq!(resp.method(), tulip::http::Method::GET);
    ///     session.close().await;
    /// });
    /// ```
    pub fn method(&self) -> &Method {
        &self.0.method
    }

    /// The HTTP version of the response.
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\nSet-Cookie: k=v\r\n\r\nhello");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.get(&url).send().await.unwrap();
    ///     assert_eq!(resp.version(), tulip::http::http_types::Version::HTTP_11);
    ///     session.close().await;
    /// });
    /// ```
    pub fn version(&self) -> Version {
        self.0.version
    }

    /// The headers (multi-valued: `get_all`).
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\nSet-Cookie: k=v\r\n\r\nhello");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.get(&url).send().await.unwrap();
    ///     assert_eq!(resp.headers()["content-length"], "5");
    ///     session.close().await;
    /// });
    /// ```
    pub fn headers(&self) -> &HeaderMap {
        &self.0.headers
    }

    /// The URL of this response (after redirects, the last one).
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\nSet-Cookie: k=v\r\n\r\nhello");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.get(&url).send().await.unwrap();
    ///     assert_eq!(resp.url().as_str(), url);
    ///     session.close().await;
    /// });
    /// ```
    pub fn url(&self) -> &Url {
        &self.0.url
    }

    /// The redirect responses that led here, first first.
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\nSet-Cookie: k=v\r\n\r\nhello");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.get(&url).send().await.unwrap();
    ///     assert!(resp.history().is_empty());
    ///     session.close().await;
    /// });
    /// ```
    pub fn history(&self) -> &[ClientResponse] {
        &self.0.history
    }

    /// The cookies this response set (its `Set-Cookie` headers).
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\nSet-Cookie: k=v\r\n\r\nhello");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.get(&url).send().await.unwrap();
    ///     assert_eq!(resp.cookies()[0].name(), "k");
    ///     session.close().await;
    /// });
    /// ```
    pub fn cookies(&self) -> &[RawCookie<'static>] {
        &self.0.cookies
    }

    /// The media type, lower-case, without parameters; aiohttp's default
    /// "application/octet-stream" when there is no Content-Type.
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\nSet-Cookie: k=v\r\n\r\nhello");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.get(&url).send().await.unwrap();
    ///     assert_eq!(resp.content_type(), "text/plain");
    ///     session.close().await;
    /// });
    /// ```
    pub fn content_type(&self) -> &str {
        &self.0.content_type
    }

    /// The `charset` parameter of the Content-Type, if any.
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\nSet-Cookie: k=v\r\n\r\nhello");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.get(&url).send().await.unwrap();
    ///     assert_eq!(resp.charset(), Some("utf-8"));
    ///     session.close().await;
    /// });
    /// ```
    pub fn charset(&self) -> Option<&str> {
        self.0.charset.as_deref()
    }

    /// The Content-Length header, if any.
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\nSet-Cookie: k=v\r\n\r\nhello");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.get(&url).send().await.unwrap();
    ///     assert_eq!(resp.content_length(), Some(5));
    ///     session.close().await;
    /// });
    /// ```
    pub fn content_length(&self) -> Option<u64> {
        self.0.headers.get(http::header::CONTENT_LENGTH)?.to_str().ok()?.trim().parse().ok()
    }

    /// An error for a status of 400 or more (aiohttp's
    /// `raise_for_status()`): a [`ClientResponseError`] with status,
    /// reason and headers.
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let resp = session.get(&url).send().await.unwrap();
    ///     assert_eq!(resp.raise_for_status().unwrap_err().status(), Some(404));
    ///     session.close().await;
    /// });
    /// ```
    pub fn raise_for_status(&self) -> Result<(), ClientError> {
        if self.ok() {
            return Ok(());
        }
        Err(ClientResponseError {
            status: self.status(),
            message: self.0.reason.to_string(),
            headers: Some(Box::new(self.0.headers.clone())),
            url: self.0.url.to_string(),
        }
        .into())
    }

    /// The body reader (aiohttp's `resp.content`).
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\nSet-Cookie: k=v\r\n\r\nhello");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let mut resp = session.get(&url).send().await.unwrap();
    ///     assert_eq!(resp.content().read(3).await.unwrap(), "hel");
    ///     session.close().await;
    /// });
    /// ```
    pub fn content(&mut self) -> &mut BodyReader {
        &mut self.0.content
    }

    /// The whole body (decoded), kept for later calls.
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\nSet-Cookie: k=v\r\n\r\nhello");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let mut resp = session.get(&url).send().await.unwrap();
    ///     assert_eq!(resp.read().await.unwrap(), "hello");
    ///     session.close().await;
    /// });
    /// ```
    pub async fn read(&mut self) -> Result<Bytes, ClientError> {
        if let Some(b) = &self.0.body {
            return Ok(b.clone());
        }
        let body = self.0.content.read_to_end().await?;
        self.0.body = Some(body.clone());
        Ok(body)
    }

    /// The body as text, in the charset the headers give; without one,
    /// UTF-8 (an error on bytes that are not UTF-8).
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\nSet-Cookie: k=v\r\n\r\nhello");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let mut resp = session.get(&url).send().await.unwrap();
    ///     assert_eq!(resp.text().await.unwrap(), "hello");
    ///     session.close().await;
    /// });
    /// ```
    pub async fn text(&mut self) -> Result<String, ClientError> {
        let encoding = self.0.charset.clone().unwrap_or_else(|| "utf-8".into());
        self.text_with_encoding(&encoding).await
    }

    /// The body as text in `encoding` ("utf-8", "latin-1"/"iso-8859-1",
    /// "ascii", "utf-16le"/"utf-16be"; another is an error).
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\nSet-Cookie: k=v\r\n\r\nhello");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let mut resp = session.get(&url).send().await.unwrap();
    ///     assert_eq!(resp.text_with_encoding("latin-1").await.unwrap(), "hello");
    ///     session.close().await;
    /// });
    /// ```
    pub async fn text_with_encoding(&mut self, encoding: &str) -> Result<String, ClientError> {
        let body = self.read().await?;
        decode_text(&body, encoding)
    }

    /// The body parsed as JSON; a [`ContentTypeError`] unless the content
    /// type is JSON (`application/json`, `application/…+json`); a body of
    /// only whitespace reads as `null`, as aiohttp returns `None`.
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 8\r\n\r\n{\"a\": 1}");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let mut resp = session.get(&url).send().await.unwrap();
    ///     let v: serde_json::Value = resp.json().await.unwrap();
    ///     assert_eq!(v["a"], 1);
    ///     session.close().await;
    /// });
    /// ```
    pub async fn json<T: DeserializeOwned>(&mut self) -> Result<T, ClientError> {
        if !is_json(&self.0.content_type) {
            return Err(ContentTypeError {
                status: self.status(),
                message: format!("Attempt to decode JSON with unexpected mimetype: {}", self.0.content_type),
                headers: Box::new(self.0.headers.clone()),
                url: self.0.url.to_string(),
            }
            .into());
        }
        self.json_unchecked().await
    }

    /// The body parsed as JSON, whatever the content type (aiohttp's
    /// `json(content_type=None)`).
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 4\r\nSet-Cookie: k=v\r\n\r\n\"hi\"");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let mut resp = session.get(&url).send().await.unwrap();
    ///     let v: String = resp.json_unchecked().await.unwrap();
    ///     assert_eq!(v, "hi");
    ///     session.close().await;
    /// });
    /// ```
    pub async fn json_unchecked<T: DeserializeOwned>(&mut self) -> Result<T, ClientError> {
        let body = self.read().await?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(serde_json::from_slice(b"null")?);
        }
        Ok(serde_json::from_slice(&body)?)
    }

    /// Finishes with the response: a short unread rest of the body is read
    /// so the connection can be reused; a long one closes it.
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\nSet-Cookie: k=v\r\n\r\nhello");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let mut resp = session.get(&url).send().await.unwrap();
    ///     resp.release().await;
    ///     assert_eq!(session.connector().idle(), 1);
    ///     session.close().await;
    /// });
    /// ```
    pub async fn release(&mut self) {
        if self.0.body.is_some() || self.0.content.received_all() {
            return;
        }
        let mut drained = 0;
        while drained <= DRAIN_LIMIT {
            match self.0.content.readany().await {
                Ok(chunk) if chunk.is_empty() => return,
                Ok(chunk) => drained += chunk.len(),
                Err(_) => return,
            }
        }
        self.0.content.discard();
    }

    /// Closes the connection now, dropping the rest of the body.
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\nSet-Cookie: k=v\r\n\r\nhello");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let mut resp = session.get(&url).send().await.unwrap();
    ///     resp.close();
    ///     assert_eq!(session.connector().idle(), 0);
    ///     session.close().await;
    /// });
    /// ```
    pub fn close(&mut self) {
        self.0.content.discard();
    }
}

/// aiohttp's test for JSON: `application/json` or `application/<x>+json`.
fn is_json(mime: &str) -> bool {
    mime.strip_prefix("application/").is_some_and(|sub| sub == "json" || sub.ends_with("+json"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn json_types() {
        assert!(is_json("application/json"));
        assert!(is_json("application/vnd.github+json"));
        assert!(!is_json("text/json"));
        assert!(!is_json("application/jsonp"));
    }
}
