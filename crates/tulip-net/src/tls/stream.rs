//! `TlsStream` and the two handshakes. rustls does the protocol;
//! futures-rustls drives it over any futures-io stream, so the handshake and
//! every record are polled by the tulip task that awaits them, on its loop.

use super::coalesce::Coalesce;
use super::error::tls_io_error;
use super::{SslError, TlsContext};
use crate::tcp::TcpStream;
use futures_lite::io::{AsyncRead, AsyncWrite};
use futures_rustls::{TlsAcceptor, TlsConnector};
use rustls_pki_types::ServerName;
use std::fmt;
use std::future::Future;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// A TLS connection over a stream, by default a [`TcpStream`] (what asyncio's
/// `open_connection(..., ssl=ctx)` runs on; its `ssl.SSLObject` answers
/// what this type's methods answer).
///
/// Implements futures-io's `AsyncRead` and `AsyncWrite`. Writes are
/// encrypted into rustls's buffer and may stay there while the socket is
/// full: **flush** after writing (as with a `BufWriter`). `close` sends TLS's
/// `close_notify`, flushes, then shuts down the socket's write side. A read
/// of 0 bytes is the peer's `close_notify`; a peer that closes the socket
/// without one is reported as `UnexpectedEof` (asyncio's `SSLEOFError`), so
/// a truncation attack cannot pass for the end of the data. Errors of TLS
/// itself carry an [`SslError`] inside the `io::Error`.
///
/// ```
/// use futures_lite::{AsyncReadExt, AsyncWriteExt};
/// use tulip_net::tls::{tls_accept, tls_connect, TlsContext};
/// use tulip_net::{TcpListener, TcpStream};
/// # let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
/// # let (cert_pem, key_pem) = (made.cert.pem(), made.signing_key.serialize_pem());
///
/// let server_ctx = TlsContext::server(&cert_pem, &key_pem).unwrap();
/// let client_ctx = TlsContext::client().with_ca_pem(&cert_pem).unwrap();
/// tulip::run(async move {
///     let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
///     let addr = listener.local_addr().unwrap();
///     let server = tulip::create_task(async move {
///         let (tcp, _) = listener.accept().await.unwrap();
///         let mut tls = tls_accept(&server_ctx, tcp).await.unwrap();
///         let mut buf = [0; 4];
///         tls.read_exact(&mut buf).await.unwrap();
///         tls.write_all(&buf).await.unwrap();
///         tls.close().await.unwrap();
///     });
///     let tcp = TcpStream::connect(addr).await.unwrap();
///     let mut tls = tls_connect(&client_ctx, "localhost", tcp).await.unwrap();
///     tls.write_all(b"ping").await.unwrap();
///     tls.flush().await.unwrap();
///     let mut echoed = Vec::new();
///     tls.read_to_end(&mut echoed).await.unwrap();
///     assert_eq!(echoed, b"ping");
///     server.await.unwrap();
/// });
/// ```
pub struct TlsStream<IO = TcpStream> {
    inner: futures_rustls::TlsStream<Coalesce<IO>>,
    /// The name a client connected to: rustls's client connection does not
    /// keep it, and it names the host in hostname errors.
    client_name: Option<String>,
}

/// Awaits `handshake` within the context's time limit.
async fn bounded<T>(limit: Duration, handshake: impl Future<Output = T>) -> Result<T, SslError> {
    tulip_timer::timeout(limit, handshake).await.map_err(|_| SslError::HandshakeTimeout(limit))
}

/// Runs the client's handshake over `io` and returns the connection
/// (asyncio's `open_connection(..., ssl=ctx, server_hostname=name)` on an
/// existing socket, or `loop.start_tls` on the client side).
/// `server_hostname` is checked against the certificate and sent as SNI
/// (not for an IP address, which TLS forbids there).
///
/// ```
/// use tulip_net::tls::{tls_accept, tls_connect, TlsContext};
/// use tulip_net::{TcpListener, TcpStream};
/// # let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
/// # let (cert_pem, key_pem) = (made.cert.pem(), made.signing_key.serialize_pem());
/// let server_ctx = TlsContext::server(&cert_pem, &key_pem).unwrap();
/// let client_ctx = TlsContext::client().with_ca_pem(&cert_pem).unwrap();
/// tulip::run(async move {
///     let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
///     let tcp = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
///     let accept = tulip::create_task(async move {
///         let (tcp, _) = listener.accept().await.unwrap();
///         tls_accept(&server_ctx, tcp).await.map(|_| ())
///     });
///     let tls = tls_connect(&client_ctx, "localhost", tcp).await.unwrap();
///     assert_eq!(tls.server_name(), Some("localhost"));
///     assert_eq!(tls.version(), Some("TLSv1.3"));
///     accept.await.unwrap().unwrap();
/// });
/// ```
pub async fn tls_connect<IO>(ctx: &TlsContext, server_hostname: &str, io: IO) -> Result<TlsStream<IO>, SslError>
where
    IO: AsyncRead + AsyncWrite + Unpin,
{
    let config = ctx.client_config()?;
    let name = ServerName::try_from(server_hostname.to_owned())
        .map_err(|_| SslError::InvalidHostname(server_hostname.to_owned()))?;
    let handshake = TlsConnector::from(config).connect(name, Coalesce::new(io));
    let stream = bounded(ctx.get_handshake_timeout(), handshake)
        .await?
        .map_err(|e| SslError::from_io(e, Some(server_hostname)))?;
    Ok(TlsStream { inner: stream.into(), client_name: Some(server_hostname.to_owned()) })
}

/// Runs the server's handshake over an accepted `io` (what asyncio's
/// `start_server(..., ssl=ctx)` does for each connection).
///
/// ```
/// use tulip_net::tls::{tls_accept, tls_connect, TlsContext};
/// use tulip_net::{TcpListener, TcpStream};
/// # let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
/// # let (cert_pem, key_pem) = (made.cert.pem(), made.signing_key.serialize_pem());
/// let server_ctx = TlsContext::server(&cert_pem, &key_pem).unwrap();
/// let client_ctx = TlsContext::client().with_ca_pem(&cert_pem).unwrap();
/// tulip::run(async move {
///     let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
///     let tcp = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
///     let client = tulip::create_task(async move { tls_connect(&client_ctx, "localhost", tcp).await.map(|_| ()) });
///     let (tcp, _) = listener.accept().await.unwrap();
///     let tls = tls_accept(&server_ctx, tcp).await.unwrap();
///     assert_eq!(tls.server_name(), Some("localhost")); // the client's SNI
///     assert!(tls.is_server_side());
///     client.await.unwrap().unwrap();
/// });
/// ```
pub async fn tls_accept<IO>(ctx: &TlsContext, io: IO) -> Result<TlsStream<IO>, SslError>
where
    IO: AsyncRead + AsyncWrite + Unpin,
{
    let config = ctx.server_config()?;
    let handshake = TlsAcceptor::from(config).accept(Coalesce::new(io));
    let stream = bounded(ctx.get_handshake_timeout(), handshake).await?.map_err(|e| SslError::from_io(e, None))?;
    Ok(TlsStream { inner: stream.into(), client_name: None })
}

impl<IO> TlsStream<IO> {
    /// The peer's certificate (the leaf), DER-encoded (asyncio's
    /// `getpeercert(binary_form=True)`); `None` from a client that sent none.
    ///
    /// ```
    /// # use tulip_net::tls::{tls_accept, tls_connect, TlsContext};
    /// # use tulip_net::{TcpListener, TcpStream};
    /// # let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    /// # let (cert_pem, key_pem) = (made.cert.pem(), made.signing_key.serialize_pem());
    /// # let server_ctx = TlsContext::server(&cert_pem, &key_pem).unwrap();
    /// # let client_ctx = TlsContext::client().with_ca_pem(&cert_pem).unwrap();
    /// # tulip::run(async move {
    /// #     let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    /// #     let tcp = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// #     let accept = tulip::create_task(async move {
    /// #         let (tcp, _) = listener.accept().await.unwrap();
    /// #         tls_accept(&server_ctx, tcp).await.map(|_| ())
    /// #     });
    /// let tls = tls_connect(&client_ctx, "localhost", tcp).await.unwrap();
    /// assert_eq!(tls.peer_certificate(), Some(made.cert.der().as_ref()));
    /// #     accept.await.unwrap().unwrap();
    /// # });
    /// ```
    pub fn peer_certificate(&self) -> Option<&[u8]> {
        self.inner.get_ref().1.peer_certificates()?.first().map(|c| c.as_ref())
    }

    /// The protocol ALPN agreed on, e.g. `b"h2"` (asyncio's
    /// `selected_alpn_protocol()`); `None` if either side offered none.
    ///
    /// ```
    /// # use tulip_net::tls::{tls_accept, tls_connect, TlsContext};
    /// # use tulip_net::{TcpListener, TcpStream};
    /// # let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    /// # let (cert_pem, key_pem) = (made.cert.pem(), made.signing_key.serialize_pem());
    /// let server_ctx = TlsContext::server(&cert_pem, &key_pem).unwrap().alpn(["h2", "http/1.1"]);
    /// let client_ctx = TlsContext::client().with_ca_pem(&cert_pem).unwrap().alpn(["http/1.1"]);
    /// # tulip::run(async move {
    /// #     let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    /// #     let tcp = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// #     let accept = tulip::create_task(async move {
    /// #         let (tcp, _) = listener.accept().await.unwrap();
    /// #         tls_accept(&server_ctx, tcp).await.map(|_| ())
    /// #     });
    /// let tls = tls_connect(&client_ctx, "localhost", tcp).await.unwrap();
    /// assert_eq!(tls.negotiated_protocol(), Some(&b"http/1.1"[..]));
    /// #     accept.await.unwrap().unwrap();
    /// # });
    /// ```
    pub fn negotiated_protocol(&self) -> Option<&[u8]> {
        self.inner.get_ref().1.alpn_protocol()
    }

    /// On a client, the name it connected to (`server_hostname`); on a
    /// server, the name the client asked for by SNI, if it sent one
    /// (asyncio's `SSLObject.server_hostname`). See [`tls_accept`] for an
    /// example of both.
    ///
    /// ```
    /// # use tulip_net::tls::{tls_accept, tls_connect, TlsContext};
    /// # use tulip_net::{TcpListener, TcpStream};
    /// # let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    /// # let (cert_pem, key_pem) = (made.cert.pem(), made.signing_key.serialize_pem());
    /// # let server_ctx = TlsContext::server(&cert_pem, &key_pem).unwrap();
    /// # let client_ctx = TlsContext::client().with_ca_pem(&cert_pem).unwrap();
    /// # tulip::run(async move {
    /// #     let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    /// #     let tcp = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// #     let accept = tulip::create_task(async move {
    /// #         let (tcp, _) = listener.accept().await.unwrap();
    /// #         tls_accept(&server_ctx, tcp).await.map(|_| ())
    /// #     });
    /// let tls = tls_connect(&client_ctx, "localhost", tcp).await.unwrap();
    /// assert_eq!(tls.server_name(), Some("localhost"));
    /// #     accept.await.unwrap().unwrap();
    /// # });
    /// ```
    pub fn server_name(&self) -> Option<&str> {
        match &self.inner {
            futures_rustls::TlsStream::Client(_) => self.client_name.as_deref(),
            futures_rustls::TlsStream::Server(s) => s.get_ref().1.server_name(),
        }
    }

    /// The protocol version, named as asyncio's `SSLObject.version()` names
    /// it: `"TLSv1.3"` or `"TLSv1.2"`.
    ///
    /// See [`tls_connect`] for an example.
    ///
    /// ```
    /// # use tulip_net::tls::{tls_accept, tls_connect, TlsContext};
    /// # use tulip_net::{TcpListener, TcpStream};
    /// # let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    /// # let (cert_pem, key_pem) = (made.cert.pem(), made.signing_key.serialize_pem());
    /// # let server_ctx = TlsContext::server(&cert_pem, &key_pem).unwrap();
    /// # let client_ctx = TlsContext::client().with_ca_pem(&cert_pem).unwrap();
    /// # tulip::run(async move {
    /// #     let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    /// #     let tcp = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// #     let accept = tulip::create_task(async move {
    /// #         let (tcp, _) = listener.accept().await.unwrap();
    /// #         tls_accept(&server_ctx, tcp).await.map(|_| ())
    /// #     });
    /// let tls = tls_connect(&client_ctx, "localhost", tcp).await.unwrap();
    /// assert_eq!(tls.version(), Some("TLSv1.3"));
    /// assert!(tls.cipher().unwrap().starts_with("TLS13_"));
    /// #     accept.await.unwrap().unwrap();
    /// # });
    /// ```
    pub fn version(&self) -> Option<&'static str> {
        match self.inner.get_ref().1.protocol_version()? {
            rustls::ProtocolVersion::TLSv1_3 => Some("TLSv1.3"),
            rustls::ProtocolVersion::TLSv1_2 => Some("TLSv1.2"),
            _ => None,
        }
    }

    /// The cipher suite's IANA-style name, e.g. `"TLS13_AES_256_GCM_SHA384"`
    /// (the first field of asyncio's `cipher()`). Example at
    /// [`version`](Self::version).
    ///
    /// ```
    /// # use tulip_net::tls::{tls_accept, tls_connect, TlsContext};
    /// # use tulip_net::{TcpListener, TcpStream};
    /// # let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    /// # let (cert_pem, key_pem) = (made.cert.pem(), made.signing_key.serialize_pem());
    /// # let server_ctx = TlsContext::server(&cert_pem, &key_pem).unwrap();
    /// # let client_ctx = TlsContext::client().with_ca_pem(&cert_pem).unwrap();
    /// # tulip::run(async move {
    /// #     let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    /// #     let tcp = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// #     let accept = tulip::create_task(async move {
    /// #         let (tcp, _) = listener.accept().await.unwrap();
    /// #         tls_accept(&server_ctx, tcp).await.map(|_| ())
    /// #     });
    /// let tls = tls_connect(&client_ctx, "localhost", tcp).await.unwrap();
    /// assert!(tls.cipher().is_some());
    /// #     accept.await.unwrap().unwrap();
    /// # });
    /// ```
    pub fn cipher(&self) -> Option<&'static str> {
        self.inner.get_ref().1.negotiated_cipher_suite()?.suite().as_str()
    }

    /// Whether this end accepted the connection (asyncio's
    /// `SSLObject.server_side`). Example at [`tls_accept`].
    ///
    /// ```
    /// # use tulip_net::tls::{tls_accept, tls_connect, TlsContext};
    /// # use tulip_net::{TcpListener, TcpStream};
    /// # let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    /// # let (cert_pem, key_pem) = (made.cert.pem(), made.signing_key.serialize_pem());
    /// # let server_ctx = TlsContext::server(&cert_pem, &key_pem).unwrap();
    /// # let client_ctx = TlsContext::client().with_ca_pem(&cert_pem).unwrap();
    /// # tulip::run(async move {
    /// #     let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    /// #     let tcp = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    /// #     let accept = tulip::create_task(async move {
    /// #         let (tcp, _) = listener.accept().await.unwrap();
    /// #         tls_accept(&server_ctx, tcp).await.map(|_| ())
    /// #     });
    /// let tls = tls_connect(&client_ctx, "localhost", tcp).await.unwrap();
    /// assert!(!tls.is_server_side());
    /// #     accept.await.unwrap().unwrap();
    /// # });
    /// ```
    pub fn is_server_side(&self) -> bool {
        matches!(self.inner, futures_rustls::TlsStream::Server(_))
    }

    /// The stream underneath, e.g. for [`TcpStream::peer_addr`] (asyncio's
    /// `get_extra_info("socket")`). Reading or writing it directly would
    /// corrupt the TLS session, hence no `get_mut`.
    ///
    /// ```
    /// # use tulip_net::tls::{tls_accept, tls_connect, TlsContext};
    /// # use tulip_net::{TcpListener, TcpStream};
    /// # let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    /// # let (cert_pem, key_pem) = (made.cert.pem(), made.signing_key.serialize_pem());
    /// # let server_ctx = TlsContext::server(&cert_pem, &key_pem).unwrap();
    /// # let client_ctx = TlsContext::client().with_ca_pem(&cert_pem).unwrap();
    /// # tulip::run(async move {
    /// #     let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    /// let addr = listener.local_addr().unwrap();
    /// let tcp = TcpStream::connect(addr).await.unwrap();
    /// #     let accept = tulip::create_task(async move {
    /// #         let (tcp, _) = listener.accept().await.unwrap();
    /// #         tls_accept(&server_ctx, tcp).await.map(|_| ())
    /// #     });
    /// let tls = tls_connect(&client_ctx, "localhost", tcp).await.unwrap();
    /// assert_eq!(tls.get_ref().peer_addr().unwrap(), addr);
    /// #     accept.await.unwrap().unwrap();
    /// # });
    /// ```
    pub fn get_ref(&self) -> &IO {
        self.inner.get_ref().0.get_ref()
    }

    fn name(&self) -> Option<&str> {
        self.client_name.as_deref()
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin> AsyncRead for TlsStream<IO> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_read(cx, buf);
        r.map_err(|e| tls_io_error(e, this.name()))
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin> AsyncWrite for TlsStream<IO> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_write(cx, buf);
        r.map_err(|e| tls_io_error(e, this.name()))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        r.map_err(|e| tls_io_error(e, this.name()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_flush(cx);
        r.map_err(|e| tls_io_error(e, this.name()))
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // futures-rustls queues close_notify, writes it out, then closes the
        // stream underneath (for TcpStream: shutdown(Write)).
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_close(cx);
        r.map_err(|e| tls_io_error(e, this.name()))
    }
}

impl<IO: fmt::Debug> fmt::Debug for TlsStream<IO> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsStream")
            .field("io", self.get_ref())
            .field("server_side", &self.is_server_side())
            .field("server_name", &self.server_name())
            .field("version", &self.version())
            .field("alpn", &self.negotiated_protocol().map(String::from_utf8_lossy))
            .finish()
    }
}
