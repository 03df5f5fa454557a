//! Following a redirect: the next request's method, body and headers.

use http::{header, HeaderMap, Method};
use url::Url;

use crate::auth::BasicAuth;
use crate::body::Body;
use crate::errors::{ClientError, InvalidURL, InvalidUrlKind};

/// Whether `status` is a redirect to follow.
pub(crate) fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// The request of one hop.
pub(crate) struct Hop {
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Option<Body>,
    pub(crate) auth: Option<BasicAuth>,
}

/// What to do with a redirect response.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Follow {
    /// `hop` was updated: send it.
    Go,
    /// Return the redirect response itself (its body cannot be resent).
    Stop,
}

/// Updates `hop` to follow a `status` redirect to `location`.
///
/// 301, 302 and 303 become GET without a body (HEAD stays HEAD); 307 and
/// 308 keep the method and body, so a streamed body, which cannot be sent
/// twice, stops there. Crossing to another origin drops Authorization,
/// Cookie and Proxy-Authorization (the jar's cookies for the new URL are
/// added anew); https → http is refused unless `allow_insecure`.
pub(crate) fn follow(status: u16, location: &str, hop: &mut Hop, allow_insecure: bool) -> Result<Follow, ClientError> {
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
    let to_get = matches!(status, 301..=303) && hop.method != Method::HEAD;
    if to_get {
        hop.method = Method::GET;
        hop.body = None;
        for h in [header::CONTENT_TYPE, header::CONTENT_LENGTH, header::TRANSFER_ENCODING] {
            hop.headers.remove(h);
        }
    } else if hop.body.as_ref().is_some_and(|b| b.as_bytes().is_none()) {
        return Ok(Follow::Stop);
    }
    if next.origin() != hop.url.origin() {
        for h in [header::AUTHORIZATION, header::COOKIE, header::PROXY_AUTHORIZATION] {
            hop.headers.remove(h);
        }
        hop.auth = None;
    }
    hop.url = next;
    Ok(Follow::Go)
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
            url: Url::parse(url).unwrap(),
            headers,
            body: Some("x".into()),
            auth: Some(BasicAuth::new("u", "p")),
        }
    }

    #[test]
    fn see_other_becomes_get_and_307_keeps_post() {
        let mut h = hop(Method::POST, "http://a.test/form");
        assert_eq!(follow(303, "/done", &mut h, false).unwrap(), Follow::Go);
        assert_eq!((h.method.clone(), h.url.as_str()), (Method::GET, "http://a.test/done"));
        assert!(h.body.is_none() && h.headers.get(header::CONTENT_TYPE).is_none());
        assert!(h.headers.get(header::AUTHORIZATION).is_some(), "same origin keeps credentials");
        let mut h = hop(Method::POST, "http://a.test/form");
        follow(307, "/again", &mut h, false).unwrap();
        assert_eq!(h.method, Method::POST);
        assert!(h.body.is_some());
        let mut h = hop(Method::HEAD, "http://a.test/");
        follow(302, "/x", &mut h, false).unwrap();
        assert_eq!(h.method, Method::HEAD);
    }

    #[test]
    fn cross_origin_drops_credentials_and_downgrade_is_refused() {
        let mut h = hop(Method::GET, "http://a.test/");
        follow(302, "http://b.test/", &mut h, false).unwrap();
        assert!(h.headers.get(header::AUTHORIZATION).is_none() && h.headers.get(header::COOKIE).is_none());
        assert!(h.auth.is_none());
        let mut h = hop(Method::GET, "https://a.test/");
        assert!(matches!(follow(302, "http://a.test/", &mut h, false), Err(ClientError::InvalidURL(_))));
        assert_eq!(follow(302, "http://a.test/", &mut h, true).unwrap(), Follow::Go);
        assert!(follow(302, "ftp://a.test/", &mut hop(Method::GET, "http://a.test/"), false).is_err());
    }

    #[test]
    fn a_streamed_body_is_not_resent() {
        let mut h = hop(Method::PUT, "http://a.test/");
        h.body = Some(Body::from_reader(futures_lite::io::Cursor::new(vec![1u8])));
        assert_eq!(follow(308, "/b", &mut h, false).unwrap(), Follow::Stop);
    }
}
