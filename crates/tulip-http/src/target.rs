//! What a request derives from its URL for the wire: the pool's key, the
//! `Host` header and the request target. A session keeps them for the
//! last URL it sent to: clients send to the same URL again and again, and
//! deriving them (an `Rc<str>` and a keyed hash for the key, a validated
//! copy for the header, a parse for the target) was ~1,000 instructions
//! of every request.

use std::cell::{OnceCell, RefCell};
use std::rc::Rc;

use http::header::HeaderValue;
use http::HeaderMap;
use url::Url;

use crate::connector::ConnKey;
use crate::errors::{ClientError, InvalidURL, InvalidUrlKind};
use crate::proxy::ProxyKey;

/// The wire's view of one URL (through one proxy, or none), shared
/// (`Rc`) by the cache and the requests to it.
pub(crate) struct Target {
    pub(crate) key: ConnKey,
    /// host[:port] as the URL serializes it (the port only when not the
    /// scheme's default).
    pub(crate) host: HeaderValue,
    /// The origin form: path and query.
    pub(crate) origin: http::Uri,
    /// The default headers of a request here without headers of its own,
    /// made at the first such request.
    pub(crate) defaults: OnceCell<HeaderMap>,
}

/// The last URL's [`Target`], per session.
#[derive(Default)]
pub(crate) struct TargetCache(RefCell<Option<(Rc<Url>, Rc<Target>)>>);

impl TargetCache {
    /// `url`'s target through `proxy`, from the cache when it was the last.
    /// The same `Rc` (from the session's URL cache) is the same URL
    /// without comparing the text.
    pub(crate) fn get(&self, url: &Rc<Url>, proxy: Option<&Rc<ProxyKey>>) -> Result<Rc<Target>, ClientError> {
        let same = |u: &Rc<Url>| Rc::ptr_eq(u, url) || **u == **url;
        if let Some((_, t)) = self.0.borrow().as_ref().filter(|(u, t)| same(u) && t.key.proxy.as_ref() == proxy) {
            return Ok(Rc::clone(t));
        }
        let target = Rc::new(derive(url, proxy)?);
        *self.0.borrow_mut() = Some((Rc::clone(url), Rc::clone(&target)));
        Ok(target)
    }
}

fn derive(url: &Url, proxy: Option<&Rc<ProxyKey>>) -> Result<Target, ClientError> {
    let key = ConnKey::new(
        url.scheme() == "https",
        Rc::from(url.host_str().unwrap_or_default()),
        url.port_or_known_default().unwrap_or(80),
        proxy.cloned(),
    );
    let host = &url[url::Position::BeforeHost..url::Position::AfterPort];
    let host = HeaderValue::from_str(host).map_err(|e| ClientError::InvalidHeader(format!("host: {e}")))?;
    let origin = parse_uri(url, &url[url::Position::BeforePath..url::Position::AfterQuery])?;
    Ok(Target { key, host, origin, defaults: OnceCell::new() })
}

/// The absolute form (to a proxy, or over HTTP/2).
pub(crate) fn absolute(url: &Url) -> Result<http::Uri, ClientError> {
    parse_uri(url, url.as_str())
}

fn parse_uri(url: &Url, target: &str) -> Result<http::Uri, ClientError> {
    target.parse().map_err(|e| InvalidURL::new(url.as_str(), format!("{e}"), InvalidUrlKind::Url).into())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_target_is_derived_from_the_url_and_reused_for_the_same_url_only() {
        let cache = TargetCache::default();
        let a = Rc::new(Url::parse("http://example.com:8080/p?q=1").unwrap());
        let t = cache.get(&a, None).unwrap();
        assert_eq!((t.host.to_str().unwrap(), t.origin.to_string()), ("example.com:8080", "/p?q=1".into()));
        assert_eq!((&*t.key.host, t.key.port, t.key.https), ("example.com", 8080, false));
        let again = cache.get(&a, None).unwrap();
        assert!(Rc::ptr_eq(&t, &again), "the same URL is served from the cache");
        let equal = Rc::new((*a).clone());
        assert!(Rc::ptr_eq(&t, &cache.get(&equal, None).unwrap()), "so is an equal URL in another Rc");
        let b = Rc::new(Url::parse("https://example.com/other").unwrap());
        let t = cache.get(&b, None).unwrap();
        assert_eq!((t.host.to_str().unwrap(), t.origin.to_string(), t.key.port), ("example.com", "/other".into(), 443));
        let proxy = Rc::new(ProxyKey { host: "proxy".into(), port: 3128, auth: None });
        let via = cache.get(&b, Some(&proxy)).unwrap();
        assert_eq!(via.key.proxy, Some(proxy), "another proxy is another key");
        assert!(cache.get(&b, None).unwrap().key.proxy.is_none());
    }
}
