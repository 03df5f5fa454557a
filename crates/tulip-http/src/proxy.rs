//! HTTP proxies (aiohttp's `proxy=` and `proxy_auth=`): plain http goes
//! to the proxy in absolute form; https goes through a CONNECT tunnel,
//! with TLS to the origin inside it.

use std::io;

use futures_lite::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use http::header::HeaderValue;
use url::Url;

use crate::auth::BasicAuth;
use crate::errors::{
    ClientError, ClientOSError, ClientResponseError, InvalidURL, InvalidUrlKind, ServerDisconnectedError,
};

/// A proxy a request goes through: part of the pool's key, so connections
/// through different proxies (or credentials) are never mixed.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub(crate) struct ProxyKey {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) auth: Option<HeaderValue>,
}

impl ProxyKey {
    /// From a proxy URL (`http://[user:pass@]host:port`) and credentials.
    pub(crate) fn parse(text: &str, auth: Option<&BasicAuth>) -> Result<ProxyKey, ClientError> {
        let url =
            Url::parse(text).map_err(|e| InvalidURL::new(text, format!("bad proxy URL: {e}"), InvalidUrlKind::Url))?;
        if url.scheme() != "http" {
            return Err(InvalidURL::new(text, "only http:// proxies are supported", InvalidUrlKind::Url).into());
        }
        let host = url.host_str().filter(|h| !h.is_empty());
        let host = host.ok_or_else(|| InvalidURL::new(text, "a proxy URL needs a host", InvalidUrlKind::Url))?;
        let from_url = BasicAuth::from_url(&url);
        let auth = match auth.or(from_url.as_ref()) {
            Some(a) => Some(a.header_value()?),
            None => None,
        };
        Ok(ProxyKey { host: host.to_string(), port: url.port_or_known_default().unwrap_or(80), auth })
    }
}

/// The longest answer to CONNECT accepted.
const MAX_CONNECT_HEAD: usize = 16 * 1024;

/// Opens a tunnel to `host:port` through the proxy connection `io`
/// (`CONNECT host:port`) and returns `io`, now a pipe to the origin. A
/// refusal is aiohttp's `ClientHttpProxyError`: a [`ClientResponseError`]
/// with the proxy's status. The answer's head is parsed by httparse
/// (hyper's parser); hyper's own upgrade API needs a `Send` connection.
pub(crate) async fn connect_tunnel<T>(mut io: T, proxy: &ProxyKey, host: &str, port: u16) -> Result<T, ClientError>
where
    T: AsyncRead + AsyncWrite + Unpin,
{
    let authority = format!("{host}:{port}");
    let proxy_url = format!("http://{}:{}/", proxy.host, proxy.port);
    let os = |e: io::Error| ClientError::from(ClientOSError(e));
    let mut head = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n").into_bytes();
    if let Some(auth) = &proxy.auth {
        head.extend_from_slice(b"Proxy-Authorization: ");
        head.extend_from_slice(auth.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    io.write_all(&head).await.map_err(os)?;
    io.flush().await.map_err(os)?;
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    // Byte by byte: nothing past the head may be consumed, it is TLS's.
    while !buf.ends_with(b"\r\n\r\n") {
        if buf.len() >= MAX_CONNECT_HEAD {
            return Err(refused(502, "the proxy's answer to CONNECT is too long", &proxy_url));
        }
        if io.read(&mut byte).await.map_err(os)? == 0 {
            return Err(
                ServerDisconnectedError { message: "the proxy closed the connection during CONNECT".into() }.into()
            );
        }
        buf.push(byte[0]);
    }
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut resp = httparse::Response::new(&mut headers);
    match resp.parse(&buf) {
        Ok(httparse::Status::Complete(_)) => {}
        _ => return Err(refused(502, "the proxy's answer to CONNECT is not HTTP", &proxy_url)),
    }
    match resp.code {
        Some(200..=299) => Ok(io),
        code => {
            let code = code.unwrap_or(502);
            let why = format!("the proxy refused CONNECT {authority}: {code} {}", resp.reason.unwrap_or(""));
            Err(refused(code, &why, &proxy_url))
        }
    }
}

fn refused(status: u16, message: &str, url: &str) -> ClientError {
    ClientResponseError { status, message: message.into(), headers: None, url: url.into() }.into()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn proxy_urls() {
        let p = ProxyKey::parse("http://u:p@proxy.test:3128", None).unwrap();
        assert_eq!((p.host.as_str(), p.port), ("proxy.test", 3128));
        assert_eq!(p.auth.unwrap(), "Basic dTpw");
        let p = ProxyKey::parse("http://proxy.test", Some(&BasicAuth::new("a", "b"))).unwrap();
        assert_eq!(p.port, 80);
        assert!(p.auth.is_some());
        assert!(ProxyKey::parse("socks5://proxy.test:1080", None).is_err());
        assert!(ProxyKey::parse("nonsense", None).is_err());
    }
}
