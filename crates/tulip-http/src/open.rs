//! Opening a new connection: Unix socket, or DNS + Happy Eyeballs (maybe
//! to a proxy, maybe through its CONNECT tunnel), then TLS, then hyper's
//! handshake.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;

use futures_lite::io::{AsyncRead, AsyncWrite};
use tulip_net::tls::{SslError, TlsContext};

use crate::conn::{handshake, handshake_socket, Sender};
use crate::connector::{ConnKey, TcpConnector};
use crate::dns::connect_addrs;
use crate::errors::{ClientConnectorError, ClientError, ConnectorErrorKind, ServerTimeoutError, SslShown};
use crate::proxy::connect_tunnel;

/// hyper's read buffer cap, which also caps the response head: aiohttp
/// refuses header lines over 8190 bytes; a head over this is refused.
const MAX_BUF_SIZE: usize = 128 * 1024;

/// A byte stream a connection runs over.
pub(crate) trait Stream: AsyncRead + AsyncWrite + Unpin {}
impl<T: AsyncRead + AsyncWrite + Unpin> Stream for T {}

type OpenedStream = Pin<Box<dyn Future<Output = io::Result<Box<dyn Stream>>>>>;
type OpenFn = dyn Fn(&str, u16) -> OpenedStream;

/// The caller's way to open a connection (`connect_with`).
#[derive(Clone)]
pub(crate) struct Opener(Rc<OpenFn>);

impl Opener {
    pub(crate) fn new<F, Fut, S>(open: F) -> Self
    where
        F: Fn(&str, u16) -> Fut + 'static,
        Fut: Future<Output = io::Result<S>> + 'static,
        S: Stream + 'static,
    {
        Opener(Rc::new(move |host, port| {
            let fut = open(host, port);
            Box::pin(async move { fut.await.map(|s| Box::new(s) as Box<dyn Stream>) })
        }))
    }
}

/// A new connection's stream, before any HTTP: one type per way of
/// opening, so the HTTP handshake stays monomorphic.
pub(crate) enum Opened {
    Unix(tulip_net::UnixStream),
    Tcp(tulip_net::TcpStream),
    /// h2 when ALPN chose it.
    Tls(Box<tulip_net::tls::TlsStream<tulip_net::TcpStream>>, bool),
    /// The caller's stream (`connect_with`), and TLS over it.
    Custom(Box<dyn Stream>),
    CustomTls(Box<tulip_net::tls::TlsStream<Box<dyn Stream>>>, bool),
}

impl TcpConnector {
    /// A new connection for `key`.
    pub(crate) async fn open(&self, key: &ConnKey, sock_connect: Option<Duration>) -> Result<Sender, ClientError> {
        let ssl = if key.https { SslShown::Default } else { SslShown::No };
        let fail =
            |kind, source| ClientConnectorError { host: key.host.to_string(), port: key.port, ssl, kind, source };
        let hs = |e: hyper::Error| fail(ConnectorErrorKind::Os, io::Error::other(e));
        let sender = match self.open_stream(key, sock_connect, cfg!(feature = "http2")).await? {
            Opened::Unix(s) => handshake_socket(s, MAX_BUF_SIZE).await,
            Opened::Tcp(s) => handshake_socket(s, MAX_BUF_SIZE).await,
            Opened::Tls(s, h2) => handshake(*s, h2, MAX_BUF_SIZE).await,
            Opened::Custom(s) => handshake(s, false, MAX_BUF_SIZE).await,
            Opened::CustomTls(s, h2) => handshake(*s, h2, MAX_BUF_SIZE).await,
        };
        Ok(sender.map_err(hs)?)
    }

    /// A new connection's stream for `key`: a Unix socket, or DNS + Happy
    /// Eyeballs (maybe to a proxy, maybe through its CONNECT tunnel), then
    /// TLS for https (offering h2 by ALPN when `h2`).
    pub(crate) async fn open_stream(
        &self,
        key: &ConnKey,
        sock_connect: Option<Duration>,
        h2: bool,
    ) -> Result<Opened, ClientError> {
        let ssl = if key.https { SslShown::Default } else { SslShown::No };
        let fail = |host: &str, port, kind, source| ClientConnectorError { host: host.into(), port, ssl, kind, source };
        if let Some(open) = &self.inner.cfg.opener {
            let stream = (open.0)(&key.host, key.port)
                .await
                .map_err(|e| fail(&key.host, key.port, ConnectorErrorKind::Os, e))?;
            if key.https {
                let (tls, h2) = self.tls(stream, key, h2).await?;
                return Ok(Opened::CustomTls(Box::new(tls), h2));
            }
            return Ok(Opened::Custom(stream));
        }
        if let Some(path) = &self.inner.cfg.unix {
            let stream = tulip_net::UnixStream::connect(path)
                .await
                .map_err(|e| fail(&key.host, key.port, ConnectorErrorKind::Os, e))?;
            return Ok(Opened::Unix(stream));
        }
        // Where the socket goes: the origin, or the proxy.
        let (host, port) = match &key.proxy {
            Some(p) => (p.host.as_str(), p.port),
            None => (&*key.host, key.port),
        };
        let addrs =
            self.inner.dns.resolve(host, port).await.map_err(|e| fail(host, port, ConnectorErrorKind::Os, e))?;
        let tcp = connect_addrs(addrs, sock_connect).await.map_err(|e| -> ClientError {
            match (e.kind(), sock_connect) {
                (io::ErrorKind::TimedOut, Some(d)) => ServerTimeoutError::connect(host, d).into(),
                _ => fail(host, port, ConnectorErrorKind::Os, e).into(),
            }
        })?;
        match (&key.proxy, key.https) {
            (_, false) => Ok(Opened::Tcp(tcp)),
            (None, true) => self.tls(tcp, key, h2).await.map(|(t, h2)| Opened::Tls(Box::new(t), h2)),
            (Some(proxy), true) => {
                let tunnel = connect_tunnel(tcp, proxy, &key.host, key.port).await?;
                self.tls(tunnel, key, h2).await.map(|(t, h2)| Opened::Tls(Box::new(t), h2))
            }
        }
    }

    async fn tls<T: Stream + 'static>(
        &self,
        io: T,
        key: &ConnKey,
        h2: bool,
    ) -> Result<(tulip_net::tls::TlsStream<T>, bool), ClientError> {
        let fail = |kind, source| ClientConnectorError {
            host: key.host.to_string(),
            port: key.port,
            ssl: SslShown::Default,
            kind,
            source,
        };
        let mut ctx = self.tls_context();
        if !h2 && cfg!(feature = "http2") && self.inner.cfg.tls.is_none() {
            ctx = ctx.alpn(["http/1.1"]);
        }
        let name = key.host.trim_start_matches('[').trim_end_matches(']');
        let tls = tulip_net::tls::tls_connect(&ctx, name, io).await.map_err(|e| {
            let kind = match e {
                SslError::CertificateVerify { .. } => ConnectorErrorKind::Certificate,
                SslError::Io(_) => ConnectorErrorKind::Os,
                _ => ConnectorErrorKind::Ssl,
            };
            fail(kind, io::Error::other(e))
        })?;
        let h2 = tls.negotiated_protocol() == Some(b"h2".as_slice());
        Ok((tls, h2))
    }

    /// The connector's TLS context, made once: the one given, or the
    /// system's roots; with ALPN h2 under the `http2` feature.
    fn tls_context(&self) -> TlsContext {
        if let Some(ctx) = self.inner.tls.borrow().as_ref() {
            return ctx.clone();
        }
        let mut ctx = self.inner.cfg.tls.clone().unwrap_or_else(TlsContext::client);
        if self.inner.cfg.insecure {
            ctx = ctx.dangerous_accept_any_certificate();
        }
        if cfg!(feature = "http2") && self.inner.cfg.tls.is_none() {
            ctx = ctx.alpn(["h2", "http/1.1"]);
        }
        *self.inner.tls.borrow_mut() = Some(ctx.clone());
        ctx
    }
}
