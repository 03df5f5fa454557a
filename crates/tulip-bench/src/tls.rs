//! TLS workloads over loopback, client and server on the same loop: an echo
//! of 1 KiB records on one connection (`tls_echo`) and full handshakes, one
//! connection after another (`tls_handshakes`).
//!
//! All three runtimes run the same rustls 0.23 with the same configuration,
//! so the rows compare the runtimes, not the TLS stacks: ring as the crypto
//! provider, rustls's safe default protocol versions (TLS 1.2 and 1.3: the
//! connections negotiate 1.3) and cipher suites, the OS's trusted roots plus
//! the test certificate, the WebPKI verifier, no client authentication, and
//! rustls's default session caches. tulip builds its configuration through
//! [`TlsContext`] (futures-rustls over tulip's sockets); tokio uses
//! tokio-rustls over `tokio::net`, and smol futures-rustls over async-io's
//! `Async<TcpStream>`, both with configurations built here the way
//! `TlsContext` builds its own. Every socket gets `TCP_NODELAY`, as asyncio
//! sets it on TLS connections.
//!
//! The certificate (rcgen, ECDSA P-256, self-signed) is made before each
//! sample and not timed, nor are the contexts. Each row also reports CPU time
//! per operation (`getrusage`), steadier than wall time on a shared machine.

use crate::core::{scaled, smol_local, tokio_local};
use crate::harness::{Sample, Unit, Workload};
use crate::io::listener;
use crate::streams::Clock;
use rustls::client::WebPkiServerVerifier;
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use std::sync::{Arc, OnceLock};
use tulip_net::tls::TlsContext;

/// The TLS workloads.
pub fn workloads() -> Vec<Workload> {
    vec![
        Workload {
            name: "tls_echo",
            unit: Unit::Seconds,
            extra_label: Some("wall µs/round trip"),
            tulip: echo::tulip,
            tokio: echo::tokio,
            smol: echo::smol,
        },
        Workload {
            name: "tls_handshakes",
            unit: Unit::Seconds,
            extra_label: Some("wall µs/handshake"),
            tulip: handshakes::tulip,
            tokio: handshakes::tokio,
            smol: handshakes::smol,
        },
    ]
}

/// The name the echo connects to. The certificate also covers
/// `*.` [`HS_DOMAIN`], for the handshake rows' names.
const NAME: &str = "localhost";

/// Each handshake connects to a name of its own under this domain, so that
/// no connection finds a session ticket from the one before in the client's
/// session cache: every handshake is a full one (certificate, signature and
/// its verification), not a resumption. (webpki wants two labels after a
/// wildcard, hence not `*.localhost`.)
const HS_DOMAIN: &str = "hs.localhost";

/// A self-signed certificate and its key, in the forms each side wants.
struct Cert {
    cert_pem: String,
    key_pem: String,
    cert_der: CertificateDer<'static>,
    key_der: Vec<u8>,
}

fn cert() -> Cert {
    let made = rcgen::generate_simple_self_signed(vec![NAME.to_string(), format!("*.{HS_DOMAIN}")])
        .unwrap_or_else(|e| panic!("rcgen: {e}"));
    Cert {
        cert_pem: made.cert.pem(),
        key_pem: made.signing_key.serialize_pem(),
        cert_der: made.cert.der().clone(),
        key_der: made.signing_key.serialize_der(),
    }
}

/// tulip's server and client contexts for `c`.
fn tulip_contexts(c: &Cert) -> (TlsContext, TlsContext) {
    let server = TlsContext::server(&c.cert_pem, &c.key_pem).unwrap_or_else(|e| panic!("server context: {e}"));
    let client = TlsContext::client().with_ca_pem(&c.cert_pem).unwrap_or_else(|e| panic!("client context: {e}"));
    (server, client)
}

/// The OS's trusted roots, read once per process, as `TlsContext` reads them.
fn system_roots() -> RootCertStore {
    static ROOTS: OnceLock<RootCertStore> = OnceLock::new();
    ROOTS
        .get_or_init(|| {
            let mut roots = RootCertStore::empty();
            roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
            roots
        })
        .clone()
}

/// The peers' rustls configurations for `c`: what `TlsContext::server` and
/// `TlsContext::client().with_ca_pem(cert)` build.
fn peer_configs(c: &Cert) -> (Arc<ServerConfig>, Arc<ClientConfig>) {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(c.key_der.clone()));
    let server = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap_or_else(|e| panic!("server versions: {e}"))
        .with_no_client_auth()
        .with_single_cert(vec![c.cert_der.clone()], key)
        .unwrap_or_else(|e| panic!("server certificate: {e}"));
    let mut roots = system_roots();
    roots.add(c.cert_der.clone()).unwrap_or_else(|e| panic!("root: {e}"));
    let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .unwrap_or_else(|e| panic!("verifier: {e}"));
    let client = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap_or_else(|e| panic!("client versions: {e}"))
        .with_webpki_verifier(verifier)
        .with_no_client_auth();
    (Arc::new(server), Arc::new(client))
}

fn server_name(name: &str) -> ServerName<'static> {
    ServerName::try_from(name.to_owned()).unwrap_or_else(|e| panic!("server name {name}: {e}"))
}

/// Checks that a peer's connection made the handshake a row measures.
fn check_handshake(conn: &rustls::CommonState, want: rustls::HandshakeKind) {
    assert_eq!(conn.handshake_kind(), Some(want), "handshake kind");
    assert_eq!(conn.protocol_version(), Some(rustls::ProtocolVersion::TLSv1_3), "protocol version");
}

/// One TLS connection, N round trips of 1 KiB: the client writes a record
/// and flushes, the server reads it whole, writes it back and flushes, the
/// client reads it whole. The clock starts after the handshake and one
/// untimed round trip (which also delivers the server's session tickets).
mod echo {
    use super::*;
    use futures_lite::{AsyncReadExt, AsyncWriteExt};
    const TRIPS: usize = 100_000;
    const MSG: usize = 1024;

    pub fn tulip(scale: f64) -> Sample {
        use tulip_net::tls::{tls_accept, tls_connect};
        let trips = scaled(TRIPS, scale);
        let c = cert();
        let (server_ctx, client_ctx) = tulip_contexts(&c);
        let (l, addr) = listener();
        tulip::run(async move {
            let l = tulip::TcpListener::from_std(l).unwrap_or_else(|e| panic!("{e}"));
            let server = tulip::create_task(async move {
                let (tcp, _) = l.accept().await.unwrap_or_else(|e| panic!("{e}"));
                let _ = tcp.set_nodelay(true);
                let mut s = tls_accept(&server_ctx, tcp).await.unwrap_or_else(|e| panic!("tls_accept: {e}"));
                let mut buf = [0u8; MSG];
                while s.read_exact(&mut buf).await.is_ok() {
                    if s.write_all(&buf).await.is_err() || s.flush().await.is_err() {
                        break;
                    }
                }
                let _ = s.close().await;
            });
            let tcp = tulip::TcpStream::connect(addr).await.unwrap_or_else(|e| panic!("{e}"));
            let _ = tcp.set_nodelay(true);
            let mut s = tls_connect(&client_ctx, NAME, tcp).await.unwrap_or_else(|e| panic!("tls_connect: {e}"));
            assert_eq!(s.version(), Some("TLSv1.3"));
            let mut buf = [7u8; MSG];
            let mut clock = None;
            for i in 0..=trips {
                if i == 1 {
                    clock = Some(Clock::start());
                }
                s.write_all(&buf).await.unwrap_or_else(|e| panic!("{e}"));
                s.flush().await.unwrap_or_else(|e| panic!("{e}"));
                s.read_exact(&mut buf).await.unwrap_or_else(|e| panic!("{e}"));
            }
            let sample = clock.map(|c| c.sample(trips));
            let _ = s.close().await;
            let _ = server.await;
            sample.unwrap_or_else(|| panic!("no round trips"))
        })
    }

    pub fn tokio(scale: f64) -> Sample {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let trips = scaled(TRIPS, scale);
        let c = cert();
        let (server_cfg, client_cfg) = peer_configs(&c);
        let (l, addr) = listener();
        tokio_local(async move {
            l.set_nonblocking(true).unwrap_or_else(|e| panic!("{e}"));
            let l = tokio::net::TcpListener::from_std(l).unwrap_or_else(|e| panic!("{e}"));
            let server = tokio::task::spawn_local(async move {
                let (tcp, _) = l.accept().await.unwrap_or_else(|e| panic!("{e}"));
                let _ = tcp.set_nodelay(true);
                let acceptor = tokio_rustls::TlsAcceptor::from(server_cfg);
                let mut s = acceptor.accept(tcp).await.unwrap_or_else(|e| panic!("accept: {e}"));
                let mut buf = [0u8; MSG];
                while s.read_exact(&mut buf).await.is_ok() {
                    if s.write_all(&buf).await.is_err() || s.flush().await.is_err() {
                        break;
                    }
                }
                let _ = s.shutdown().await;
            });
            let tcp = tokio::net::TcpStream::connect(addr).await.unwrap_or_else(|e| panic!("{e}"));
            let _ = tcp.set_nodelay(true);
            let connector = tokio_rustls::TlsConnector::from(client_cfg);
            let mut s = connector.connect(server_name(NAME), tcp).await.unwrap_or_else(|e| panic!("connect: {e}"));
            check_handshake(s.get_ref().1, rustls::HandshakeKind::Full);
            let mut buf = [7u8; MSG];
            let mut clock = None;
            for i in 0..=trips {
                if i == 1 {
                    clock = Some(Clock::start());
                }
                s.write_all(&buf).await.unwrap_or_else(|e| panic!("{e}"));
                s.flush().await.unwrap_or_else(|e| panic!("{e}"));
                s.read_exact(&mut buf).await.unwrap_or_else(|e| panic!("{e}"));
            }
            let sample = clock.map(|c| c.sample(trips));
            let _ = s.shutdown().await;
            let _ = server.await;
            sample.unwrap_or_else(|| panic!("no round trips"))
        })
    }

    pub fn smol(scale: f64) -> Sample {
        let trips = scaled(TRIPS, scale);
        let c = cert();
        let (server_cfg, client_cfg) = peer_configs(&c);
        let (l, addr) = listener();
        smol_local(|ex| async move {
            let l = async_io::Async::new(l).unwrap_or_else(|e| panic!("{e}"));
            let server = ex.spawn(async move {
                let (tcp, _) = l.accept().await.unwrap_or_else(|e| panic!("{e}"));
                let _ = tcp.get_ref().set_nodelay(true);
                let acceptor = futures_rustls::TlsAcceptor::from(server_cfg);
                let mut s = acceptor.accept(tcp).await.unwrap_or_else(|e| panic!("accept: {e}"));
                let mut buf = [0u8; MSG];
                while s.read_exact(&mut buf).await.is_ok() {
                    if s.write_all(&buf).await.is_err() || s.flush().await.is_err() {
                        break;
                    }
                }
                let _ = s.close().await;
            });
            let tcp = async_io::Async::<std::net::TcpStream>::connect(addr).await.unwrap_or_else(|e| panic!("{e}"));
            let _ = tcp.get_ref().set_nodelay(true);
            let connector = futures_rustls::TlsConnector::from(client_cfg);
            let mut s = connector.connect(server_name(NAME), tcp).await.unwrap_or_else(|e| panic!("connect: {e}"));
            check_handshake(s.get_ref().1, rustls::HandshakeKind::Full);
            let mut buf = [7u8; MSG];
            let mut clock = None;
            for i in 0..=trips {
                if i == 1 {
                    clock = Some(Clock::start());
                }
                s.write_all(&buf).await.unwrap_or_else(|e| panic!("{e}"));
                s.flush().await.unwrap_or_else(|e| panic!("{e}"));
                s.read_exact(&mut buf).await.unwrap_or_else(|e| panic!("{e}"));
            }
            let sample = clock.map(|c| c.sample(trips));
            let _ = s.close().await;
            server.await;
            sample.unwrap_or_else(|| panic!("no round trips"))
        })
    }
}

/// M connections one after another, each: TCP connect, a full TLS 1.3
/// handshake (to a name of its own, see [`HS_DOMAIN`]), one byte each way,
/// then an orderly close both ways (`close_notify` and FIN from the client,
/// then from the server, each side reading the other's to the end). The
/// server accepts the next connection only when it is done with the last.
mod handshakes {
    use super::*;
    use futures_lite::{AsyncReadExt, AsyncWriteExt};
    const HANDSHAKES: usize = 3_000;

    fn name(i: usize) -> String {
        format!("c{i}.{HS_DOMAIN}")
    }

    pub fn tulip(scale: f64) -> Sample {
        use tulip_net::tls::{tls_accept, tls_connect};
        let n = scaled(HANDSHAKES, scale);
        let c = cert();
        let (server_ctx, client_ctx) = tulip_contexts(&c);
        let (l, addr) = listener();
        tulip::run(async move {
            let clock = Clock::start();
            let l = tulip::TcpListener::from_std(l).unwrap_or_else(|e| panic!("{e}"));
            let server = tulip::create_task(async move {
                for _ in 0..n {
                    let (tcp, _) = l.accept().await.unwrap_or_else(|e| panic!("{e}"));
                    let _ = tcp.set_nodelay(true);
                    let mut s = tls_accept(&server_ctx, tcp).await.unwrap_or_else(|e| panic!("tls_accept: {e}"));
                    let mut b = [0u8; 1];
                    s.read_exact(&mut b).await.unwrap_or_else(|e| panic!("server read: {e}"));
                    s.write_all(&b).await.unwrap_or_else(|e| panic!("server write: {e}"));
                    s.flush().await.unwrap_or_else(|e| panic!("server flush: {e}"));
                    assert_eq!(s.read(&mut b).await.unwrap_or_else(|e| panic!("server eof: {e}")), 0);
                    let _ = s.close().await;
                }
            });
            for i in 0..n {
                let tcp = tulip::TcpStream::connect(addr).await.unwrap_or_else(|e| panic!("{e}"));
                let _ = tcp.set_nodelay(true);
                let mut s =
                    tls_connect(&client_ctx, &name(i), tcp).await.unwrap_or_else(|e| panic!("tls_connect: {e}"));
                let mut b = [1u8; 1];
                s.write_all(&b).await.unwrap_or_else(|e| panic!("client write: {e}"));
                s.flush().await.unwrap_or_else(|e| panic!("client flush: {e}"));
                s.read_exact(&mut b).await.unwrap_or_else(|e| panic!("client read: {e}"));
                s.close().await.unwrap_or_else(|e| panic!("client close: {e}"));
                assert_eq!(s.read(&mut b).await.unwrap_or_else(|e| panic!("client eof: {e}")), 0);
            }
            let _ = server.await;
            clock.sample(n)
        })
    }

    pub fn tokio(scale: f64) -> Sample {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let n = scaled(HANDSHAKES, scale);
        let c = cert();
        let (server_cfg, client_cfg) = peer_configs(&c);
        let (l, addr) = listener();
        tokio_local(async move {
            let clock = Clock::start();
            l.set_nonblocking(true).unwrap_or_else(|e| panic!("{e}"));
            let l = tokio::net::TcpListener::from_std(l).unwrap_or_else(|e| panic!("{e}"));
            let server = tokio::task::spawn_local(async move {
                let acceptor = tokio_rustls::TlsAcceptor::from(server_cfg);
                for _ in 0..n {
                    let (tcp, _) = l.accept().await.unwrap_or_else(|e| panic!("{e}"));
                    let _ = tcp.set_nodelay(true);
                    let mut s = acceptor.accept(tcp).await.unwrap_or_else(|e| panic!("accept: {e}"));
                    let mut b = [0u8; 1];
                    s.read_exact(&mut b).await.unwrap_or_else(|e| panic!("server read: {e}"));
                    s.write_all(&b).await.unwrap_or_else(|e| panic!("server write: {e}"));
                    s.flush().await.unwrap_or_else(|e| panic!("server flush: {e}"));
                    assert_eq!(s.read(&mut b).await.unwrap_or_else(|e| panic!("server eof: {e}")), 0);
                    let _ = s.shutdown().await;
                }
            });
            let connector = tokio_rustls::TlsConnector::from(client_cfg);
            for i in 0..n {
                let tcp = tokio::net::TcpStream::connect(addr).await.unwrap_or_else(|e| panic!("{e}"));
                let _ = tcp.set_nodelay(true);
                let mut s =
                    connector.connect(server_name(&name(i)), tcp).await.unwrap_or_else(|e| panic!("connect: {e}"));
                check_handshake(s.get_ref().1, rustls::HandshakeKind::Full);
                let mut b = [1u8; 1];
                s.write_all(&b).await.unwrap_or_else(|e| panic!("client write: {e}"));
                s.flush().await.unwrap_or_else(|e| panic!("client flush: {e}"));
                s.read_exact(&mut b).await.unwrap_or_else(|e| panic!("client read: {e}"));
                s.shutdown().await.unwrap_or_else(|e| panic!("client close: {e}"));
                assert_eq!(s.read(&mut b).await.unwrap_or_else(|e| panic!("client eof: {e}")), 0);
            }
            let _ = server.await;
            clock.sample(n)
        })
    }

    pub fn smol(scale: f64) -> Sample {
        let n = scaled(HANDSHAKES, scale);
        let c = cert();
        let (server_cfg, client_cfg) = peer_configs(&c);
        let (l, addr) = listener();
        smol_local(|ex| async move {
            let clock = Clock::start();
            let l = async_io::Async::new(l).unwrap_or_else(|e| panic!("{e}"));
            let server = ex.spawn(async move {
                let acceptor = futures_rustls::TlsAcceptor::from(server_cfg);
                for _ in 0..n {
                    let (tcp, _) = l.accept().await.unwrap_or_else(|e| panic!("{e}"));
                    let _ = tcp.get_ref().set_nodelay(true);
                    let mut s = acceptor.accept(tcp).await.unwrap_or_else(|e| panic!("accept: {e}"));
                    let mut b = [0u8; 1];
                    s.read_exact(&mut b).await.unwrap_or_else(|e| panic!("server read: {e}"));
                    s.write_all(&b).await.unwrap_or_else(|e| panic!("server write: {e}"));
                    s.flush().await.unwrap_or_else(|e| panic!("server flush: {e}"));
                    assert_eq!(s.read(&mut b).await.unwrap_or_else(|e| panic!("server eof: {e}")), 0);
                    let _ = s.close().await;
                }
            });
            let connector = futures_rustls::TlsConnector::from(client_cfg);
            for i in 0..n {
                let tcp = async_io::Async::<std::net::TcpStream>::connect(addr).await.unwrap_or_else(|e| panic!("{e}"));
                let _ = tcp.get_ref().set_nodelay(true);
                let mut s =
                    connector.connect(server_name(&name(i)), tcp).await.unwrap_or_else(|e| panic!("connect: {e}"));
                check_handshake(s.get_ref().1, rustls::HandshakeKind::Full);
                let mut b = [1u8; 1];
                s.write_all(&b).await.unwrap_or_else(|e| panic!("client write: {e}"));
                s.flush().await.unwrap_or_else(|e| panic!("client flush: {e}"));
                s.read_exact(&mut b).await.unwrap_or_else(|e| panic!("client read: {e}"));
                s.close().await.unwrap_or_else(|e| panic!("client close: {e}"));
                assert_eq!(s.read(&mut b).await.unwrap_or_else(|e| panic!("client eof: {e}")), 0);
            }
            server.await;
            clock.sample(n)
        })
    }
}
