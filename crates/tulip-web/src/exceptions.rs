//! aiohttp's `web.HTTPException` family, as one value type a handler
//! returns (`Err(HTTPException::not_found())`) instead of raising.

use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

/// An HTTP error (or redirect) answered instead of a response: aiohttp's
/// `HTTPException` family, as a value.
///
/// A handler returns `Err(exc)` (or the bare value); the client gets
/// `exc.status()` with a `text/plain` body `"<code>: <reason>"` unless
/// [`with_text`](Self::with_text) replaced it. Middlewares see it as the
/// `Err` of `next.run(req).await`, as aiohttp's middlewares catch it.
///
/// | aiohttp | tulip |
/// |---|---|
/// | `HTTPBadRequest()` | [`HTTPException::bad_request`] |
/// | `HTTPForbidden()` | [`HTTPException::forbidden`] |
/// | `HTTPNotFound()` | [`HTTPException::not_found`] |
/// | `HTTPMethodNotAllowed(method, allowed)` | [`HTTPException::method_not_allowed`] |
/// | `HTTPRequestEntityTooLarge(max, actual)` | [`HTTPException::request_entity_too_large`] |
/// | `HTTPFound(location)`, `HTTPSeeOther`, `HTTPMovedPermanently` | [`HTTPException::found`], [`HTTPException::see_other`], [`HTTPException::moved_permanently`] |
/// | `HTTPInternalServerError()` | [`HTTPException::internal_server_error`] |
/// | any other | [`HTTPException::new`]`(StatusCode::..)` |
///
/// ```
/// use tulip::web::HTTPException;
/// let e = HTTPException::found("/login");
/// assert_eq!(e.status(), 302);
/// assert_eq!(e.headers()["location"], "/login");
/// assert_eq!(HTTPException::not_found().text(), "404: Not Found");
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", .0.text)]
pub struct HTTPException(Box<Inner>);

/// Boxed: handlers return `Result<Response, HTTPException>`, and the
/// error should not make every `Ok` large.
#[derive(Debug, Clone)]
struct Inner {
    status: StatusCode,
    text: String,
    headers: HeaderMap,
}

impl HTTPException {
    /// An exception answering `status` with aiohttp's default body
    /// `"<code>: <reason>"`.
    ///
    /// ```
    /// let e = tulip::web::HTTPException::new(http::StatusCode::IM_A_TEAPOT);
    /// assert_eq!(e.text(), "418: I'm a teapot");
    /// ```
    pub fn new(status: StatusCode) -> Self {
        let text = format!("{}: {}", status.as_u16(), status.canonical_reason().unwrap_or(""));
        HTTPException(Box::new(Inner { status, text, headers: HeaderMap::new() }))
    }

    /// Replaces the body text.
    ///
    /// ```
    /// let e = tulip::web::HTTPException::bad_request().with_text("no name");
    /// assert_eq!(e.text(), "no name");
    /// ```
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.0.text = text.into();
        self
    }

    /// Adds a header to the answer (ignored if the name or value is invalid).
    ///
    /// ```
    /// let e = tulip::web::HTTPException::forbidden().with_header("x-why", "policy");
    /// assert_eq!(e.headers()["x-why"], "policy");
    /// ```
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            self.0.headers.append(n, v);
        }
        self
    }

    /// The status code answered.
    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    /// The body text.
    pub fn text(&self) -> &str {
        &self.0.text
    }

    /// The extra headers (e.g. `Location`, `Allow`).
    pub fn headers(&self) -> &HeaderMap {
        &self.0.headers
    }

    /// 400 (aiohttp's `HTTPBadRequest`).
    ///
    /// ```
    /// assert_eq!(tulip::web::HTTPException::bad_request().status(), 400);
    /// ```
    pub fn bad_request() -> Self {
        Self::new(StatusCode::BAD_REQUEST)
    }

    /// 403 (`HTTPForbidden`).
    ///
    /// ```
    /// assert_eq!(tulip::web::HTTPException::forbidden().status(), 403);
    /// ```
    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN)
    }

    /// 404 (`HTTPNotFound`).
    ///
    /// ```
    /// assert_eq!(tulip::web::HTTPException::not_found().status(), 404);
    /// ```
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND)
    }

    /// 405 with `Allow` listing `allowed` (`HTTPMethodNotAllowed`).
    ///
    /// ```
    /// let e = tulip::web::HTTPException::method_not_allowed(&["GET", "HEAD"]);
    /// assert_eq!(e.headers()["allow"], "GET,HEAD");
    /// ```
    pub fn method_not_allowed(allowed: &[&str]) -> Self {
        let mut sorted: Vec<&str> = allowed.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        Self::new(StatusCode::METHOD_NOT_ALLOWED).with_header("allow", &sorted.join(","))
    }

    /// 413 (`HTTPRequestEntityTooLarge`) with aiohttp's text.
    ///
    /// ```
    /// let e = tulip::web::HTTPException::request_entity_too_large(1024, 2048);
    /// assert_eq!(e.status(), 413);
    /// assert!(e.text().contains("1024"));
    /// ```
    pub fn request_entity_too_large(max_size: usize, actual_size: usize) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE)
            .with_text(format!("Maximum request body size {max_size} exceeded, actual body size {actual_size}"))
    }

    /// 500 (`HTTPInternalServerError`).
    ///
    /// ```
    /// assert_eq!(tulip::web::HTTPException::internal_server_error().status(), 500);
    /// ```
    pub fn internal_server_error() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// 302 to `location` (`HTTPFound`).
    ///
    /// ```
    /// assert_eq!(tulip::web::HTTPException::found("/").status(), 302);
    /// ```
    pub fn found(location: &str) -> Self {
        Self::new(StatusCode::FOUND).with_header("location", location)
    }

    /// 303 to `location` (`HTTPSeeOther`).
    ///
    /// ```
    /// assert_eq!(tulip::web::HTTPException::see_other("/").status(), 303);
    /// ```
    pub fn see_other(location: &str) -> Self {
        Self::new(StatusCode::SEE_OTHER).with_header("location", location)
    }

    /// 301 to `location` (`HTTPMovedPermanently`).
    ///
    /// ```
    /// assert_eq!(tulip::web::HTTPException::moved_permanently("/").status(), 301);
    /// ```
    pub fn moved_permanently(location: &str) -> Self {
        Self::new(StatusCode::MOVED_PERMANENTLY).with_header("location", location)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn allow_is_sorted_and_deduplicated() {
        let e = HTTPException::method_not_allowed(&["POST", "GET", "HEAD", "GET"]);
        assert_eq!(e.headers()["allow"], "GET,HEAD,POST");
        assert_eq!(e.text(), "405: Method Not Allowed");
    }

    #[test]
    fn an_invalid_header_is_left_out() {
        let e = HTTPException::found("bad\nvalue");
        assert!(e.headers().get("location").is_none());
    }
}
