//! The session's cookie jar (aiohttp's `CookieJar`) on `cookie_store`:
//! domain, path, secure, expiry and public-suffix rules.

use std::cell::RefCell;
use std::net::IpAddr;
use std::rc::Rc;
use std::sync::OnceLock;

use cookie_store::{CookieStore, RawCookie};
use http::{HeaderMap, HeaderValue};
use url::Url;

use crate::errors::ClientError;

/// A cookie jar a session sends and fills (aiohttp's `CookieJar`); clone
/// it to share one jar between sessions. Like aiohttp's default
/// (`unsafe=False`), cookies from hosts given by IP address are refused;
/// [`CookieJar::unsafe_`] accepts them. A cookie that arrives already
/// expired (`Expires=Thu, 01 Jan 1970 …`, `Max-Age=0`) deletes the stored
/// one of the same name, domain and path. Cookies for a public suffix
/// (`Domain=co.uk`) are refused when a public suffix list is known: the
/// system's (`/usr/share/publicsuffix/public_suffix_list.dat`, or the file
/// `$TULIP_PUBLIC_SUFFIX_LIST` names), or one given to
/// [`CookieJar::with_public_suffix_list`].
///
/// ```
/// use tulip::http::CookieJar;
/// let jar = CookieJar::new();
/// let url = url::Url::parse("http://example.com/").unwrap();
/// jar.update_cookies(&url, ["session=abc; Path=/"]);
/// assert_eq!(jar.filter_cookies(&url), vec![("session".to_string(), "abc".to_string())]);
/// jar.update_cookies(&url, ["session=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT"]);
/// assert!(jar.is_empty());
/// ```
#[derive(Clone)]
pub struct CookieJar {
    store: Rc<RefCell<CookieStore>>,
    allow_ip: bool,
    dummy: bool,
}

impl std::fmt::Debug for CookieJar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CookieJar").field("len", &self.len()).field("unsafe", &self.allow_ip).finish()
    }
}

impl Default for CookieJar {
    fn default() -> Self {
        let store = match system_suffix_list() {
            Some(list) => CookieStore::default().with_suffix_list(list.clone()),
            None => CookieStore::default(),
        };
        CookieJar { store: Rc::new(RefCell::new(store)), allow_ip: false, dummy: false }
    }
}

/// The system's public suffix list, read once per process.
fn system_suffix_list() -> Option<&'static publicsuffix::List> {
    static LIST: OnceLock<Option<publicsuffix::List>> = OnceLock::new();
    LIST.get_or_init(|| {
        let path = std::env::var_os("TULIP_PUBLIC_SUFFIX_LIST")
            .unwrap_or_else(|| "/usr/share/publicsuffix/public_suffix_list.dat".into());
        let text = std::fs::read(path).ok()?;
        publicsuffix::List::from_bytes(&text).ok()
    })
    .as_ref()
}

impl CookieJar {
    /// An empty jar that refuses cookies for the public suffixes of `list`
    /// (the text of publicsuffix.org's list), instead of the system's.
    ///
    /// ```
    /// use tulip::http::CookieJar;
    /// let jar = CookieJar::with_public_suffix_list("// ===BEGIN ICANN DOMAINS===\nuk\nco.uk\n").unwrap();
    /// let url = url::Url::parse("http://shop.example.co.uk/").unwrap();
    /// jar.update_cookies(&url, ["a=1; Domain=co.uk", "b=2; Domain=example.co.uk"]);
    /// assert_eq!(jar.filter_cookies(&url), vec![("b".to_string(), "2".to_string())]);
    /// ```
    pub fn with_public_suffix_list(list: &str) -> Result<Self, ClientError> {
        let list = publicsuffix::List::from_bytes(list.as_bytes())
            .map_err(|e| ClientError::Decode { encoding: "public suffix list".into(), reason: e.to_string() })?;
        let store = CookieStore::default().with_suffix_list(list);
        Ok(CookieJar { store: Rc::new(RefCell::new(store)), allow_ip: false, dummy: false })
    }

    /// An empty jar.
    ///
    /// ```
    /// assert!(tulip::http::CookieJar::new().is_empty());
    /// ```
    pub fn new() -> Self {
        CookieJar::default()
    }

    /// A jar that also keeps cookies from IP-address hosts (aiohttp's
    /// `CookieJar(unsafe=True)`).
    ///
    /// ```
    /// use tulip::http::CookieJar;
    /// let url = url::Url::parse("http://127.0.0.1:8080/").unwrap();
    /// let safe = CookieJar::new();
    /// safe.update_cookies(&url, ["a=1"]);
    /// assert!(safe.is_empty());
    /// let open = CookieJar::unsafe_();
    /// open.update_cookies(&url, ["a=1"]);
    /// assert_eq!(open.len(), 1);
    /// ```
    pub fn unsafe_() -> Self {
        CookieJar { allow_ip: true, ..CookieJar::default() }
    }

    /// A jar that keeps nothing (aiohttp's `DummyCookieJar`).
    ///
    /// ```
    /// let jar = tulip::http::CookieJar::dummy();
    /// jar.update_cookies(&url::Url::parse("http://example.com/").unwrap(), ["a=1"]);
    /// assert!(jar.is_empty());
    /// ```
    pub fn dummy() -> Self {
        CookieJar { dummy: true, ..CookieJar::default() }
    }

    /// Stores `Set-Cookie` values received from `url`.
    ///
    /// ```
    /// let jar = tulip::http::CookieJar::new();
    /// jar.update_cookies(&url::Url::parse("http://example.com/").unwrap(), ["a=1", "b=2"]);
    /// assert_eq!(jar.len(), 2);
    /// ```
    pub fn update_cookies<I, S>(&self, url: &Url, set_cookie: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        if self.dummy || (!self.allow_ip && is_ip_host(url)) {
            return;
        }
        let parsed: Vec<RawCookie<'static>> =
            set_cookie.into_iter().filter_map(|s| RawCookie::parse(s.as_ref().to_string()).ok()).collect();
        self.store.borrow_mut().store_response_cookies(parsed.into_iter(), url);
    }

    /// The (name, value) pairs to send to `url` (aiohttp's `filter_cookies`).
    ///
    /// ```
    /// let jar = tulip::http::CookieJar::new();
    /// let secure = url::Url::parse("https://example.com/").unwrap();
    /// jar.update_cookies(&secure, ["s=1; Secure"]);
    /// assert!(jar.filter_cookies(&url::Url::parse("http://example.com/").unwrap()).is_empty());
    /// assert_eq!(jar.filter_cookies(&secure).len(), 1);
    /// ```
    pub fn filter_cookies(&self, url: &Url) -> Vec<(String, String)> {
        self.store.borrow().get_request_values(url).map(|(n, v)| (n.to_string(), v.to_string())).collect()
    }

    /// How many unexpired cookies the jar holds.
    ///
    /// ```
    /// assert_eq!(tulip::http::CookieJar::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.store.borrow().iter_unexpired().count()
    }

    /// Whether the jar holds no unexpired cookie.
    ///
    /// ```
    /// assert!(tulip::http::CookieJar::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes every cookie (aiohttp's `clear()`).
    ///
    /// ```
    /// let jar = tulip::http::CookieJar::new();
    /// jar.update_cookies(&url::Url::parse("http://example.com/").unwrap(), ["a=1"]);
    /// jar.clear();
    /// assert!(jar.is_empty());
    /// ```
    pub fn clear(&self) {
        self.store.borrow_mut().clear();
    }

    pub(crate) fn store_from(&self, url: &Url, headers: &HeaderMap) {
        // Most responses set none: skip the jar (and its host checks).
        if !headers.contains_key(http::header::SET_COOKIE) {
            return;
        }
        let values = headers.get_all(http::header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok());
        self.update_cookies(url, values);
    }

    /// The `Cookie` header for `url`, if the jar has any for it.
    pub(crate) fn header_for(&self, url: &Url) -> Option<HeaderValue> {
        // An empty jar (the common case) matches nothing: skip the
        // domain and path matching of every request.
        self.store.borrow().iter_any().next()?;
        let pairs = self.filter_cookies(url);
        if pairs.is_empty() {
            return None;
        }
        let joined = pairs.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("; ");
        HeaderValue::from_str(&joined).ok()
    }
}

fn is_ip_host(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)) => true,
        Some(url::Host::Domain(d)) => d.parse::<IpAddr>().is_ok(),
        None => false,
    }
}

/// A response's `Set-Cookie` cookies (aiohttp's `resp.cookies`).
pub(crate) fn parse_set_cookies(headers: &HeaderMap) -> Vec<RawCookie<'static>> {
    headers
        .get_all(http::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|s| RawCookie::parse(s.to_string()).ok())
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_system_public_suffix_list_is_used_when_present() {
        if system_suffix_list().is_none() {
            println!("skipped: no public suffix list on this system");
            return;
        }
        let jar = CookieJar::new();
        let url = Url::parse("http://shop.example.co.uk/").unwrap();
        jar.update_cookies(&url, ["a=1; Domain=co.uk", "b=2; Domain=example.co.uk"]);
        assert_eq!(jar.filter_cookies(&url), vec![("b".to_string(), "2".to_string())]);
    }

    #[test]
    fn max_age_zero_deletes_and_paths_scope() {
        let jar = CookieJar::new();
        let url = Url::parse("http://example.com/a/b").unwrap();
        jar.update_cookies(&url, ["x=1; Path=/a", "y=2; Path=/"]);
        assert_eq!(jar.filter_cookies(&Url::parse("http://example.com/other").unwrap()).len(), 1);
        assert!(jar.header_for(&url).unwrap().to_str().unwrap().contains("x=1"));
        jar.update_cookies(&url, ["x=; Path=/a; Max-Age=0"]);
        assert_eq!(jar.len(), 1);
    }
}
