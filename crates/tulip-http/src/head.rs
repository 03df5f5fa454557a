//! The response headers the client acts on, found in one pass over the
//! map: looked up one by one (Set-Cookie for the jar and the response,
//! Location, Content-Encoding, Content-Type), each lookup hashed its name
//! and probed the map, ~400 instructions a response with none of them.

use std::borrow::Cow;

use http::header::{self, HeaderMap, HeaderValue};

/// The first value of each header the client reads (as `HeaderMap::get`
/// gives it), and whether any Set-Cookie came.
#[derive(Default)]
pub(crate) struct Head<'a> {
    pub(crate) location: Option<&'a HeaderValue>,
    pub(crate) content_encoding: Option<&'a HeaderValue>,
    pub(crate) content_type: Option<&'a HeaderValue>,
    pub(crate) set_cookie: bool,
}

impl<'a> Head<'a> {
    pub(crate) fn scan(headers: &'a HeaderMap) -> Self {
        let mut head = Head::default();
        for (name, value) in headers {
            if name == header::SET_COOKIE {
                head.set_cookie = true;
            } else if name == header::LOCATION {
                head.location.get_or_insert(value);
            } else if name == header::CONTENT_ENCODING {
                head.content_encoding.get_or_insert(value);
            } else if name == header::CONTENT_TYPE {
                head.content_type.get_or_insert(value);
            }
        }
        head
    }
}

/// Content-Type's media type (lower-case, aiohttp's
/// "application/octet-stream" without one) and charset.
pub(crate) fn parse_content_type(value: Option<&HeaderValue>) -> (Cow<'static, str>, Option<String>) {
    let Some(raw) = value.and_then(|v| v.to_str().ok()) else {
        return (Cow::Borrowed("application/octet-stream"), None);
    };
    let mut parts = raw.split(';');
    let mime = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let charset = parts.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case("charset").then(|| v.trim().trim_matches('"').to_string())
    });
    (Cow::Owned(mime), charset)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_scan_finds_what_get_finds() {
        let mut h = HeaderMap::new();
        h.append(header::CONTENT_LENGTH, "5".parse().unwrap());
        h.append(header::LOCATION, "/a".parse().unwrap());
        h.append(header::LOCATION, "/b".parse().unwrap());
        h.append(header::SET_COOKIE, "k=v".parse().unwrap());
        h.append(header::CONTENT_TYPE, "text/plain".parse().unwrap());
        let head = Head::scan(&h);
        assert_eq!(head.location, h.get(header::LOCATION));
        assert_eq!(head.location.unwrap(), "/a");
        assert_eq!(head.content_type, h.get(header::CONTENT_TYPE));
        assert!(head.set_cookie);
        assert!(head.content_encoding.is_none());
        let empty = HeaderMap::new();
        let none = Head::scan(&empty);
        assert!(!none.set_cookie && none.location.is_none() && none.content_type.is_none());
    }

    #[test]
    fn content_type_and_charset_parse() {
        let v: HeaderValue = "Text/HTML; Charset=\"ISO-8859-1\"".parse().unwrap();
        assert_eq!(parse_content_type(Some(&v)), ("text/html".into(), Some("ISO-8859-1".into())));
        assert_eq!(parse_content_type(None).0, "application/octet-stream");
    }
}
