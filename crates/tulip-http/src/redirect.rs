//! Following a redirect: the next request's method, body and headers.

use http::{header, HeaderMap, Method};
use std::rc::Rc;

use url::Url;

use crate::auth::BasicAuth;
use crate::body::Body;
use crate::errors::{ClientError, ClientPayloadError, InvalidURL, InvalidUrlKind};

/// Whether `status` is a redirect to follow.
pub(crate) fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// The request of one hop.
pub(crate) struct Hop {
    pub(crate) method: Method,
    /// Shared with the session's URL cache and the response: no copy of
    /// the URL per request.
    pub(crate) url: Rc<Url>,
    /// `None` when the request set none (the common case): nothing to
    /// build or to drop (an empty map's drop is a call).
    pub(crate) headers: Option<HeaderMap>,
    pub(crate) body: Option<Body>,
    pub(crate) auth: Option<BasicAuth>,
}

/// Updates `hop` to follow a `status` redirect to `location`.
///
/// As aiohttp 3.x: 303 becomes GET without a body (HEAD stays HEAD), and
/// so does a POST answered 301 or 302; every other case keeps the method
/// and body, and a streamed body, which cannot be sent twice, is then a
/// `ClientPayloadError`. Crossing to another origin drops Authorization,
/// Cookie and Proxy-Authorization (the jar's cookies for the new URL are
/// added anew); https → http is refused unless `allow_insecure`.
pub(crate) fn follow(status: u16, location: &str, hop: &mut Hop, allow_insecure: bool) -> Result<(), ClientError> {
    let next = hop
        .url
        .join(location)
        .map_err(|e| InvalidURL::new(location, format!("invalid redirect location: {e}"), InvalidUrlKind::Redirect))?;
    if !matches!(next.scheme(), "http" | "https") {
        return Err(
            InvalidURL::new(next.as_str(), "redirect to a non-HTTP URL", InvalidUrlKind::NonHttpRedirect).into()
        );
    }
    if hop.url.scheme() == "https" && next.scheme() == "http" && !allow_insecure {
        return Err(InvalidURL::new(
            next.as_str(),
            "refusing a redirect from https to http (allow it with allow_insecure_redirects)",
            InvalidUrlKind::InsecureRedirect,
        )
        .into());
    }
    let to_get =
        (status == 303 && hop.method != Method::HEAD) || (matches!(status, 301 | 302) && hop.method == Method::POST);
    if to_get {
        hop.method = Method::GET;
        hop.body = None;
        for h in [header::CONTENT_TYPE, header::CONTENT_LENGTH, header::TRANSFER_ENCODING] {
            if let Some(m) = hop.headers.as_mut() {
                m.remove(h);
            }
        }
    } else if hop.body.as_ref().is_some_and(|b| b.as_bytes().is_none()) {
        return Err(ClientPayloadError::new(
            "Cannot follow redirect with a consumed request body. Use bytes, or allow_redirects(false).",
        )
        .into());
    }
    if next.origin() != hop.url.origin() {
        for h in [header::AUTHORIZATION, header::COOKIE, header::PROXY_AUTHORIZATION] {
            if let Some(m) = hop.headers.as_mut() {
                m.remove(h);
            }
        }
        hop.auth = None;
    }
    hop.url = Rc::new(next);
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn hop(method: Method, url: &str) -> Hop {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, "Basic eDp5".parse().unwrap());
        headers.insert(header::COOKIE, "a=1".parse().unwrap());
        headers.insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
        Hop {
            method,
            url: Rc::new(Url::parse(url).unwrap()),
            headers: Some(headers),
            body: Some("x".into()),
            auth: Some(BasicAuth::new("u", "p")),
        }
    }

    #[test]
    fn see_other_becomes_get_and_307_keeps_post() {
        let mut h = hop(Method::POST, "http://a.test/form");
        follow(303, "/done", &mut h, false).unwrap();
        assert_eq!((h.method.clone(), h.url.as_str()), (Method::GET, "http://a.test/done"));
        assert!(h.body.is_none() && h.headers.as_ref().unwrap().get(header::CONTENT_TYPE).is_none());
        assert!(h.headers.as_ref().unwrap().get(header::AUTHORIZATION).is_some(), "same origin keeps credentials");
        let mut h = hop(Method::POST, "http://a.test/form");
        follow(307, "/again", &mut h, false).unwrap();
        assert_eq!(h.method, Method::POST);
        assert!(h.body.is_some());
        let mut h = hop(Method::HEAD, "http://a.test/");
        follow(303, "/x", &mut h, false).unwrap();
        assert_eq!(h.method, Method::HEAD);
        let mut h = hop(Method::POST, "http://a.test/");
        follow(302, "/x", &mut h, false).unwrap();
        assert_eq!(h.method, Method::GET);
        let mut h = hop(Method::PUT, "http://a.test/");
        follow(301, "/x", &mut h, false).unwrap();
        assert!(h.method == Method::PUT && h.body.is_some(), "aiohttp keeps a PUT on 301");
    }

    #[test]
    fn cross_origin_drops_credentials_and_downgrade_is_refused() {
        let mut h = hop(Method::GET, "http://a.test/");
        follow(302, "http://b.test/", &mut h, false).unwrap();
        assert!(
            h.headers.as_ref().unwrap().get(header::AUTHORIZATION).is_none()
                && h.headers.as_ref().unwrap().get(header::COOKIE).is_none()
        );
        assert!(h.auth.is_none());
        let mut h = hop(Method::GET, "https://a.test/");
        assert!(matches!(follow(302, "http://a.test/", &mut h, false), Err(ClientError::InvalidURL(_))));
        follow(302, "http://a.test/", &mut h, true).unwrap();
        assert!(follow(302, "ftp://a.test/", &mut hop(Method::GET, "http://a.test/"), false).is_err());
    }

    #[test]
    fn a_streamed_body_is_not_resent() {
        let mut h = hop(Method::PUT, "http://a.test/");
        h.body = Some(Body::from_reader(futures_lite::io::Cursor::new(vec![1u8])));
        assert!(matches!(follow(308, "/b", &mut h, false), Err(ClientError::Payload(_))));
    }
}
