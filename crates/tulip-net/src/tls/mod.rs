//! TLS for tulip's streams: asyncio's `ssl` module, on rustls (cargo
//! feature `tls`).
//!
//! The protocol is rustls's (with the *ring* crypto provider; TLS 1.2 and
//! 1.3), driven over tulip's sockets by futures-rustls: the handshake and
//! every record are polled by the task that awaits them, on its loop. Trusted
//! roots come from the OS store (rustls-native-certs).
//!
//! | asyncio | tulip |
//! |---|---|
//! | `ssl.create_default_context()` | [`TlsContext::client()`] |
//! | `ctx.load_verify_locations(cafile=)`, `ctx.load_cert_chain(cert, key)` | [`TlsContext::with_ca_file`], [`TlsContext::with_client_cert`] |
//! | `SSLContext(PROTOCOL_TLS_SERVER)`, `load_cert_chain` | [`TlsContext::server`] |
//! | `open_connection(host, port, ssl=ctx)` | [`open_connection`]`(&ctx, host, port)` → `(StreamReader, StreamWriter)`; or [`connect`] for a bare [`TlsStream`] |
//! | `start_server(cb, host, port, ssl=ctx)` | [`start_server`]`(cb, host, port, ctx)` |
//! | `writer.start_tls(ctx, server_hostname=)` | [`StreamWriter::start_tls`](crate::StreamWriter::start_tls); on a bare socket [`tls_connect`] / [`tls_accept`] |
//! | `writer.get_extra_info('peercert')`, `('cipher')` | [`StreamWriter::get_extra_info`](crate::StreamWriter::get_extra_info) |
//! | `ssl.SSLError`, `SSLCertVerificationError`, `SSLEOFError` | [`SslError`], [`SslError::CertificateVerify`], [`SslError::Eof`] |
//! | `getpeercert(True)`, `selected_alpn_protocol()`, `version()`, `cipher()` | [`TlsStream::peer_certificate`], [`TlsStream::negotiated_protocol`], [`TlsStream::version`], [`TlsStream::cipher`] |
//!
//! ```
//! use futures_lite::{AsyncReadExt, AsyncWriteExt};
//! use tulip_net::tls::{self, TlsContext};
//! use tulip_net::TcpListener;
//! # let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
//! # let (cert_pem, key_pem) = (made.cert.pem(), made.signing_key.serialize_pem());
//!
//! // A server with its certificate, and a client that trusts it.
//! let server_ctx = TlsContext::server(&cert_pem, &key_pem).unwrap();
//! let client_ctx = TlsContext::client().with_ca_pem(&cert_pem).unwrap();
//! tulip::run(async move {
//!     let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
//!     let port = listener.local_addr().unwrap().port();
//!     tulip::create_task(async move {
//!         let (tcp, _) = listener.accept().await.unwrap();
//!         let mut tls = tls::tls_accept(&server_ctx, tcp).await.unwrap();
//!         let mut line = [0; 5];
//!         tls.read_exact(&mut line).await.unwrap();
//!         tls.write_all(&line).await.unwrap();
//!         tls.close().await.unwrap();
//!     });
//!     let mut tls = tls::connect(&client_ctx, "localhost", port).await.unwrap();
//!     tls.write_all(b"hi!\r\n").await.unwrap();
//!     tls.flush().await.unwrap(); // TLS buffers: flush, as with a BufWriter
//!     let mut back = Vec::new();
//!     tls.read_to_end(&mut back).await.unwrap();
//!     assert_eq!(back, b"hi!\r\n");
//! });
//! ```

mod coalesce;
mod connect;
mod context;
mod error;
mod pem;
mod stream;
mod streams;
mod verify;

pub use connect::connect;
pub use context::TlsContext;
pub use error::{CertificateVerifyReason, SslError};
pub use stream::{tls_accept, tls_connect, TlsStream};
pub use streams::{open_connection, start_server};
