//! https against `openssl s_server` with certificates made at test time.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use tulip::http::{ClientConnectionError, ClientError, ClientSession, ConnectorErrorKind, TcpConnector};
use tulip::net::tls::TlsContext;

struct Pki {
    ca: String,
    server: (String, String),
    client: (String, String),
}

fn pki() -> Pki {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "tulip-http test CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::DigitalSignature];
    let ca_key = KeyPair::generate().unwrap();
    let ca_pem = ca.self_signed(&ca_key).unwrap().pem();
    let issuer = Issuer::new(ca, ca_key);
    let leaf = |names: Vec<String>| {
        let key = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(names).unwrap().signed_by(&key, &issuer).unwrap();
        (cert.pem(), key.serialize_pem())
    };
    Pki {
        ca: ca_pem,
        server: leaf(vec!["localhost".into(), "127.0.0.1".into()]),
        client: leaf(vec!["client.test".into()]),
    }
}

/// `openssl s_server -www` on a free port; killed on drop.
struct SServer {
    child: Child,
    port: u16,
}

impl SServer {
    fn start(pki: &Pki, require_client_cert: bool) -> Option<SServer> {
        if Command::new("openssl").arg("version").output().is_err() {
            println!("skipped: openssl is not installed");
            return None;
        }
        // A directory per server: tests run in parallel, each with its own
        // CA, and must not read each other's certificates.
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("tulip-http-tls-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = |name: &str, text: &str| -> PathBuf {
            let p = dir.join(name);
            std::fs::write(&p, text).unwrap();
            p
        };
        let (cert, key, ca) =
            (file("cert.pem", &pki.server.0), file("key.pem", &pki.server.1), file("ca.pem", &pki.ca));
        // The port is free when picked but may be taken before s_server
        // binds it: wait for its "ACCEPT" line, and pick again if it exits.
        for _ in 0..5 {
            let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            let mut cmd = Command::new("openssl");
            cmd.args(["s_server", "-www", "-accept"]).arg(format!("127.0.0.1:{port}"));
            cmd.arg("-cert").arg(&cert).arg("-key").arg(&key);
            if require_client_cert {
                cmd.arg("-Verify").arg("1").arg("-CAfile").arg(&ca);
            }
            let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
            let out = child.stdout.take().unwrap();
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                use std::io::BufRead;
                let mut lines = std::io::BufReader::new(out).lines();
                let accepted = lines.by_ref().map_while(Result::ok).any(|l| l.starts_with("ACCEPT"));
                let _ = tx.send(accepted);
                lines.for_each(drop); // keep the pipe drained
            });
            if rx.recv_timeout(Duration::from_secs(10)).unwrap_or(false) {
                return Some(SServer { child, port });
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("s_server did not start");
    }
}

impl Drop for SServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn session_with(ctx: Option<TlsContext>, insecure: bool) -> ClientSession {
    let mut c = TcpConnector::builder().danger_accept_invalid_certs(insecure);
    if let Some(ctx) = ctx {
        c = c.tls_context(ctx);
    }
    ClientSession::builder().connector(c.build()).build().unwrap()
}

#[test]
fn verified_against_a_custom_ca_by_name_and_by_ip() {
    let pki = pki();
    let Some(srv) = SServer::start(&pki, false) else { return };
    let ctx = TlsContext::client().with_ca_pem(&pki.ca).unwrap();
    let port = srv.port;
    tulip::run(async move {
        let s = session_with(Some(ctx), false);
        for host in ["localhost", "127.0.0.1"] {
            let mut r = s.get(format!("https://{host}:{port}/")).send().await.unwrap();
            assert_eq!(r.status(), 200);
            let page = r.text().await.unwrap();
            assert!(page.contains("Ciphers"), "s_server's status page: {page:.200}");
        }
        s.close().await;
    });
}

#[test]
fn the_system_roots_refuse_an_unknown_ca_unless_told_not_to_check() {
    let pki = pki();
    let Some(srv) = SServer::start(&pki, false) else { return };
    let url = format!("https://localhost:{}/", srv.port);
    tulip::run(async move {
        let s = session_with(None, false);
        let err = s.get(&url).send().await.unwrap_err();
        let ClientError::Connection(ClientConnectionError::Connector(e)) = &err else { panic!("{err:?}") };
        assert_eq!(e.kind, ConnectorErrorKind::Certificate, "{err}");
        assert!(err.to_string().contains("ssl:default"), "{err}");
        s.close().await;

        let s = session_with(None, true);
        assert_eq!(s.get(&url).send().await.unwrap().status(), 200);
        s.close().await;
    });
}

#[test]
fn a_client_certificate_when_the_server_requires_one() {
    let pki = pki();
    let Some(srv) = SServer::start(&pki, true) else { return };
    let url = format!("https://localhost:{}/", srv.port);
    let plain = TlsContext::client().with_ca_pem(&pki.ca).unwrap();
    let with_cert = plain.clone().with_client_cert(&pki.client.0, &pki.client.1).unwrap();
    tulip::run(async move {
        let s = session_with(Some(plain), false);
        let refused = async { s.get(&url).send().await?.read().await }.await;
        assert!(refused.is_err(), "no certificate, no page");
        s.close().await;

        let s = session_with(Some(with_cert), false);
        let mut r = s.get(&url).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(!r.read().await.unwrap().is_empty());
        s.close().await;
    });
}

#[test]
fn https_through_a_connect_tunnel() {
    let pki = pki();
    let Some(srv) = SServer::start(&pki, false) else { return };
    let proxy = common::proxy::Proxy::start(None);
    let (proxy_url, seen) = (proxy.url(), std::sync::Arc::clone(&proxy.seen));
    let ctx = TlsContext::client().with_ca_pem(&pki.ca).unwrap();
    let port = srv.port;
    tulip::run(async move {
        let s = session_with(Some(ctx), false);
        let mut r = s.get(format!("https://localhost:{port}/")).proxy(&proxy_url).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("Ciphers"));
        assert_eq!(seen.lock().unwrap()[0].0, format!("CONNECT localhost:{port} HTTP/1.1"));
        s.close().await;
    });
    let refusing = common::proxy::Proxy::start(Some("Basic secret"));
    let proxy_url = refusing.url();
    tulip::run(async move {
        let s = session_with(None, true);
        let err = s.get(format!("https://localhost:{port}/")).proxy(&proxy_url).send().await.unwrap_err();
        assert_eq!(err.status(), Some(407), "{err:?}");
        s.close().await;
    });
}

#[test]
fn an_https_to_http_redirect_is_refused_unless_allowed() {
    use bytes::Bytes;
    use http_body_util::Full;
    let pki = pki();
    let server_ctx = TlsContext::server(&pki.server.0, &pki.server.1).unwrap();
    let client_ctx = TlsContext::client().with_ca_pem(&pki.ca).unwrap();
    let plain = common::script::Script::start(|mut s, _| {
        common::script::read_head(&mut s);
        common::script::send(&mut s, b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nplain");
    });
    let to_http = plain.url("/");
    tulip::run(async move {
        let listener = tulip::TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let port = listener.local_addr().unwrap().port();
        tulip::create_task(async move {
            loop {
                let (tcp, _) = listener.accept().await.unwrap();
                let tls = tulip::net::tls::tls_accept(&server_ctx, tcp).await.unwrap();
                let to = to_http.clone();
                tulip::create_task(async move {
                    let svc = hyper::service::service_fn(move |_req: hyper::Request<hyper::body::Incoming>| {
                        let to = to.clone();
                        async move {
                            let resp = hyper::Response::builder()
                                .status(302)
                                .header("Location", to)
                                .body(Full::new(Bytes::new()))
                                .unwrap();
                            Ok::<_, std::convert::Infallible>(resp)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(tulip_hyper::HyperIo::new(tls), svc)
                        .await;
                });
            }
        });
        let url = format!("https://localhost:{port}/");
        let s = session_with(Some(client_ctx.clone()), false);
        let err = s.get(&url).send().await.unwrap_err();
        let ClientError::InvalidURL(e) = &err else { panic!("{err:?}") };
        assert_eq!(e.kind, tulip::http::InvalidUrlKind::InsecureRedirect);
        s.close().await;
        let c = TcpConnector::builder().tls_context(client_ctx).build();
        let s = ClientSession::builder().connector(c).allow_insecure_redirects(true).build().unwrap();
        let mut r = s.get(&url).send().await.unwrap();
        assert_eq!(r.text().await.unwrap(), "plain");
        assert_eq!(r.history()[0].url().scheme(), "https");
        s.close().await;
    });
}
