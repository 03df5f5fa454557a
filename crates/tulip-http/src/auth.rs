//! aiohttp's `BasicAuth`.

use base64::Engine;
use http::HeaderValue;

use crate::errors::ClientError;

/// HTTP Basic credentials (aiohttp's `BasicAuth(login, password)`), sent
/// as `Authorization: Basic …`. Like aiohttp's default `latin1` encoding,
/// characters beyond U+00FF are refused rather than mangled.
///
/// ```
/// use tulip::http::BasicAuth;
/// let auth = BasicAuth::new("Aladdin", "open sesame");
/// assert_eq!(auth.encode().unwrap(), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
/// assert_eq!(BasicAuth::decode("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==").unwrap(), auth);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasicAuth {
    /// The user name; it may not contain ':'.
    pub login: String,
    /// The password.
    pub password: String,
}

impl BasicAuth {
    /// Credentials for `login` and `password`.
    ///
    /// ```
    /// let auth = tulip::http::BasicAuth::new("user", "pass");
    /// assert_eq!(auth.login, "user");
    /// ```
    pub fn new(login: impl Into<String>, password: impl Into<String>) -> Self {
        BasicAuth { login: login.into(), password: password.into() }
    }

    /// The `Authorization` header's value; an error for a ':' in the login
    /// or a character latin-1 cannot encode.
    ///
    /// ```
    /// assert!(tulip::http::BasicAuth::new("a:b", "c").encode().is_err());
    /// ```
    pub fn encode(&self) -> Result<String, ClientError> {
        if self.login.contains(':') {
            return Err(ClientError::InvalidHeader("a BasicAuth login may not contain \":\"".into()));
        }
        let mut raw = Vec::with_capacity(self.login.len() + self.password.len() + 1);
        for c in self.login.chars().chain(std::iter::once(':')).chain(self.password.chars()) {
            let b = u8::try_from(u32::from(c))
                .map_err(|_| ClientError::InvalidHeader(format!("BasicAuth: {c:?} is not latin-1")))?;
            raw.push(b);
        }
        Ok(format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(raw)))
    }

    /// Parses an `Authorization: Basic …` value (aiohttp's `BasicAuth.decode`).
    ///
    /// ```
    /// assert!(tulip::http::BasicAuth::decode("Bearer x").is_none());
    /// ```
    pub fn decode(header: &str) -> Option<BasicAuth> {
        let (scheme, data) = header.trim().split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let raw = base64::engine::general_purpose::STANDARD.decode(data.trim()).ok()?;
        let text: String = raw.iter().map(|&b| char::from(b)).collect();
        let (login, password) = text.split_once(':')?;
        Some(BasicAuth::new(login, password))
    }

    /// The credentials in a URL's user-info part, percent-decoded, if any
    /// (aiohttp's `BasicAuth.from_url`).
    ///
    /// ```
    /// let url = url::Url::parse("http://me:s%40fe@example.com/").unwrap();
    /// let auth = tulip::http::BasicAuth::from_url(&url).unwrap();
    /// assert_eq!((auth.login.as_str(), auth.password.as_str()), ("me", "s@fe"));
    /// ```
    pub fn from_url(url: &url::Url) -> Option<BasicAuth> {
        if url.username().is_empty() && url.password().is_none() {
            return None;
        }
        let dec = |s: &str| {
            url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        Some(BasicAuth::new(dec(url.username()), dec(url.password().unwrap_or(""))))
    }

    pub(crate) fn header_value(&self) -> Result<HeaderValue, ClientError> {
        HeaderValue::from_str(&self.encode()?).map_err(|e| ClientError::InvalidHeader(e.to_string()))
    }
}

/// Whether `url` carries a user name or a password. Credentials serialize
/// as `user[:password]@` right before the host (empty ones are not kept),
/// so the text before the host ends in `@` exactly when `username()` or
/// `password()` has one: a slice and a byte, where the two accessors cost
/// ~90 instructions of every request.
pub(crate) fn has_credentials(url: &url::Url) -> bool {
    url[..url::Position::BeforeHost].ends_with('@')
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn has_credentials_agrees_with_the_url_accessors() {
        let urls = [
            "http://example.com/",
            "http://me@example.com/",
            "http://me:pw@example.com:8080/p?q=1",
            "http://:pw@example.com/",
            "http://me:@example.com/",
            "http://@example.com/",
            "http://:@example.com/",
            "https://a%40b:c%3Ad@127.0.0.1/",
            "http://[::1]:80/",
            "http://u@[::1]/",
            "http://example.com/path@with-at?x=@#@",
        ];
        for text in urls {
            let url = url::Url::parse(text).unwrap();
            let expected = !url.username().is_empty() || url.password().is_some();
            assert_eq!(has_credentials(&url), expected, "{text}");
        }
        assert!(has_credentials(&url::Url::parse("http://me:pw@example.com/").unwrap()));
        assert!(!has_credentials(&url::Url::parse("http://example.com/a@b").unwrap()));
    }
}
