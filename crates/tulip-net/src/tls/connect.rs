//! `tls::connect`: resolve, connect, handshake.

use super::{tls_connect, SslError, TlsContext, TlsStream};
use crate::tcp::TcpStream;

/// Resolves `host` (on the blocking pool), connects to `host:port` and runs
/// the TLS handshake with `host` as the server name: the TLS half of
/// asyncio's `open_connection(host, port, ssl=ctx)`. The resolved addresses
/// race with Happy Eyeballs, as [`open_connection`](crate::open_connection)'s do;
/// the socket gets `TCP_NODELAY`, as asyncio sets it, so small TLS records
/// (the handshake's flights, short requests) are not held back by Nagle.
///
/// ```
/// use futures_lite::{AsyncReadExt, AsyncWriteExt};
/// use tulip_net::tls::{self, TlsContext};
/// use tulip_net::TcpListener;
/// # let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
/// # let (cert_pem, key_pem) = (made.cert.pem(), made.signing_key.serialize_pem());
/// let server_ctx = TlsContext::server(&cert_pem, &key_pem).unwrap();
/// let client_ctx = TlsContext::client().with_ca_pem(&cert_pem).unwrap();
/// tulip::run(async move {
///     let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
///     let port = listener.local_addr().unwrap().port();
///     let server = tulip::create_task(async move {
///         let (tcp, _) = listener.accept().await.unwrap();
///         let mut tls = tls::tls_accept(&server_ctx, tcp).await.unwrap();
///         tls.write_all(b"hello\n").await.unwrap();
///         tls.close().await.unwrap();
///     });
///     let mut tls = tls::connect(&client_ctx, "localhost", port).await.unwrap();
///     let mut got = String::new();
///     tls.read_to_string(&mut got).await.unwrap();
///     assert_eq!(got, "hello\n");
///     server.await.unwrap();
/// });
/// ```
pub async fn connect(ctx: &TlsContext, host: &str, port: u16) -> Result<TlsStream, SslError> {
    // A server context would fail only after the connect: fail first.
    ctx.client_config()?;
    let tcp = TcpStream::connect_host(host, port).await?;
    // Best effort, as in asyncio: a socket that refuses the option still works.
    let _ = tcp.set_nodelay(true);
    tls_connect(ctx, host, tcp).await
}
