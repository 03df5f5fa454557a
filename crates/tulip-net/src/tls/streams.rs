//! asyncio's streams over TLS: `open_connection(host, port, ssl=ctx)`,
//! `start_server(cb, host, port, ssl=ctx)` and `writer.start_tls(ctx)`,
//! giving the same `StreamReader` / `StreamWriter` as plain TCP.

use super::{connect, tls_accept, tls_connect, SslError, TlsContext};
use crate::open_connection::streams;
use crate::server::{bind_all, serve_listeners, Server};
use crate::stream_reader::StreamReader;
use crate::stream_writer::StreamWriter;
use crate::transport::Transport;
use std::cell::RefCell;
use std::future::Future;
use std::io;
use std::rc::Rc;

/// Connects to `host:port` over TLS (Happy Eyeballs, then the handshake
/// with `host` as the server name) and returns the connection's reader and
/// writer (asyncio's `open_connection(host, port, ssl=ctx)`).
///
/// ```
/// use tulip_net::tls::{self, TlsContext};
/// # let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
/// # let (cert_pem, key_pem) = (made.cert.pem(), made.signing_key.serialize_pem());
/// let server_ctx = TlsContext::server(&cert_pem, &key_pem).unwrap();
/// let client_ctx = TlsContext::client().with_ca_pem(&cert_pem).unwrap();
/// tulip::run(async move {
///     let server = tls::start_server(|mut r, mut w| async move {
///         let line = r.readline().await.unwrap();
///         w.write(&line).unwrap();
///         w.close();
///     }, "127.0.0.1", 0, server_ctx).await.unwrap();
///     let port = server.sockets()[0].port();
///     let (mut r, mut w) = tls::open_connection(&client_ctx, "localhost", port).await.unwrap();
///     w.write(b"over tls\n").unwrap();
///     assert_eq!(r.readline().await.unwrap(), b"over tls\n");
///     server.close();
/// });
/// ```
pub async fn open_connection(
    ctx: &TlsContext,
    host: &str,
    port: u16,
) -> Result<(StreamReader, StreamWriter), SslError> {
    let tls = connect(ctx, host, port).await?;
    Ok(streams(Transport::Tls(Box::new(RefCell::new(tls)))))
}

/// Listens on `host:port` and runs `client_connected_cb(reader, writer)`
/// for every connection once its TLS handshake is done (asyncio's
/// `start_server(cb, host, port, ssl=ctx)`). Each handshake runs in the
/// connection's own task, so a slow or silent client holds up nobody; one
/// that fails is reported through the loop's exception handler and skipped.
/// See [`open_connection`] for an example.
pub async fn start_server<F, Fut>(client_connected_cb: F, host: &str, port: u16, ctx: TlsContext) -> io::Result<Server>
where
    F: Fn(StreamReader, StreamWriter) -> Fut + 'static,
    Fut: Future<Output = ()> + 'static,
{
    ctx.server_config().map_err(io::Error::from)?;
    let listeners = bind_all(host, port).await?;
    let ctx = Rc::new(ctx);
    Ok(serve_listeners(client_connected_cb, listeners, move |tcp| {
        let ctx = ctx.clone();
        Box::pin(async move {
            let tls = tls_accept(&ctx, tcp).await.map_err(io::Error::from)?;
            Ok(Transport::Tls(Box::new(RefCell::new(tls))))
        })
    }))
}

impl StreamWriter {
    /// Upgrades a plain TCP connection to TLS in place of its reader and
    /// writer (asyncio's `writer.start_tls(ctx, server_hostname=)`, as used
    /// by STARTTLS protocols). A client context runs the client handshake
    /// with `server_hostname`; a server context, the server's. What the
    /// writer buffered is sent first; the reader must have nothing buffered
    /// (bytes read past the upgrade point would belong to the handshake).
    /// Ownership makes asyncio's rule that the old pair is unusable
    /// explicit: both are consumed, a new pair comes back.
    ///
    /// ```
    /// use tulip_net::tls::TlsContext;
    /// # let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    /// # let (cert_pem, key_pem) = (made.cert.pem(), made.signing_key.serialize_pem());
    /// let server_ctx = TlsContext::server(&cert_pem, &key_pem).unwrap();
    /// let client_ctx = TlsContext::client().with_ca_pem(&cert_pem).unwrap();
    /// tulip::run(async move {
    ///     // A STARTTLS-style server: a plain greeting, then TLS.
    ///     let server = tulip::start_server(move |r, mut w| {
    ///         let ctx = server_ctx.clone();
    ///         async move {
    ///             w.write(b"220 ready\n").unwrap();
    ///             w.drain().await.unwrap();
    ///             let (mut r, mut w) = w.start_tls(r, &ctx, None).await.unwrap();
    ///             let line = r.readline().await.unwrap();
    ///             w.write(&line).unwrap();
    ///             w.close();
    ///         }
    ///     }, "127.0.0.1", 0).await.unwrap();
    ///     let (mut r, w) = tulip::open_connection("127.0.0.1", server.sockets()[0].port()).await.unwrap();
    ///     assert_eq!(r.readline().await.unwrap(), b"220 ready\n");
    ///     let (mut r, mut w) = w.start_tls(r, &client_ctx, Some("localhost")).await.unwrap();
    ///     w.write(b"secret\n").unwrap();
    ///     assert_eq!(r.readline().await.unwrap(), b"secret\n");
    ///     server.close();
    /// });
    /// ```
    pub async fn start_tls(
        mut self,
        reader: StreamReader,
        ctx: &TlsContext,
        server_hostname: Option<&str>,
    ) -> Result<(StreamReader, StreamWriter), SslError> {
        futures_lite::AsyncWriteExt::flush(&mut self).await?;
        if reader.has_buffered() {
            return Err(SslError::WrongContext("start_tls: the reader holds bytes read past the upgrade point"));
        }
        let transport = self.transport();
        drop((self, reader));
        let Ok(transport) = Rc::try_unwrap(transport) else {
            return Err(SslError::WrongContext("start_tls: the connection is still in use elsewhere"));
        };
        let Transport::Tcp(tcp) = transport else {
            return Err(SslError::WrongContext("start_tls: only a plain TCP connection can be upgraded"));
        };
        let tls = if ctx.is_server() {
            tls_accept(ctx, tcp).await?
        } else {
            let Some(name) = server_hostname else {
                return Err(SslError::WrongContext("start_tls: a client upgrade needs the server's host name"));
            };
            tls_connect(ctx, name, tcp).await?
        };
        Ok(streams(Transport::Tls(Box::new(RefCell::new(tls)))))
    }
}
