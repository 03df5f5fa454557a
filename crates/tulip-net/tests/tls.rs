//! TLS against peers no one here wrote: OpenSSL's `s_server` and
//! `s_client`, Python's `ssl`, and tulip against itself, with certificates
//! made at test time. Each test is bounded by `tls_support::LIMIT`.
#![cfg(feature = "tls")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod tls_support;

use futures_lite::io::BufReader;
use futures_lite::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
use rustls::AlertDescription;
use std::io::{self, BufRead};
use std::process::{Command, Stdio};
use std::time::Duration;
use tls_support::{have, openssl_s_server, path, run, Peer, Pki};
use tulip::create_task;
use tulip_net::tls::{self, tls_accept, tls_connect, CertificateVerifyReason, SslError, TlsContext, TlsStream};
use tulip_net::{TcpListener, TcpStream};

fn trusting(pki: &Pki) -> TlsContext {
    TlsContext::client().with_ca_pem(&pki.ca_pem).unwrap()
}

fn bind() -> (TcpListener, std::net::SocketAddr) {
    let l = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = l.local_addr().unwrap();
    (l, addr)
}

/// Writes `line`, flushes, and reads one line back.
async fn exchange(tls: &mut TlsStream, line: &str) -> io::Result<String> {
    tls.write_all(line.as_bytes()).await?;
    tls.flush().await?;
    let mut reader = BufReader::new(tls);
    let mut back = String::new();
    reader.read_line(&mut back).await?;
    Ok(back)
}

/// The `SslError` inside an `io::Error` from a TLS stream.
fn ssl_error(e: &io::Error) -> Option<&SslError> {
    e.get_ref()?.downcast_ref::<SslError>()
}

// --- real peers ---------------------------------------------------------

#[test]
fn tulip_client_talks_to_openssl_s_server() {
    if !have("openssl", "version") {
        return;
    }
    let pki = Pki::new();
    run(async move {
        let (_server, port) = openssl_s_server(&[
            "-cert",
            path(&pki.server.cert_path),
            "-key",
            path(&pki.server.key_path),
            "-rev", // answers each line reversed
        ])
        .await;
        let mut tls = tls::connect(&trusting(&pki), "localhost", port).await.unwrap();
        assert!(tls.get_ref().nodelay().unwrap(), "tls::connect sets TCP_NODELAY");
        assert_eq!(tls.peer_certificate(), Some(&pki.server.der[..]));
        assert_eq!(exchange(&mut tls, "hello openssl\n").await.unwrap().trim_end(), "lssnepo olleh");
        tls.close().await.unwrap();
    });
}

#[test]
fn tulip_client_verifies_an_ip_address_against_openssl() {
    if !have("openssl", "version") {
        return;
    }
    let pki = Pki::new();
    run(async move {
        let (_server, port) =
            openssl_s_server(&["-cert", path(&pki.server.cert_path), "-key", path(&pki.server.key_path), "-rev"]).await;
        // The certificate's IP address SAN is what is checked (no SNI for IPs).
        let tcp = TcpStream::connect(format!("127.0.0.1:{port}").parse().unwrap()).await.unwrap();
        let mut tls = tls_connect(&trusting(&pki), "127.0.0.1", tcp).await.unwrap();
        assert_eq!(exchange(&mut tls, "ip\n").await.unwrap().trim_end(), "pi");
    });
}

#[test]
fn openssl_s_client_talks_to_tulip_server() {
    if !have("openssl", "version") {
        return;
    }
    let pki = Pki::new();
    let ctx = TlsContext::server(&pki.server.cert_pem, &pki.server.key_pem).unwrap();
    run(async move {
        let (listener, addr) = bind();
        let server = create_task(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut tls = tls_accept(&ctx, tcp).await.unwrap();
            assert_eq!(tls.server_name(), Some("localhost"), "s_client sent SNI");
            let mut reader = BufReader::new(&mut tls);
            let mut line = String::new();
            reader.read_line(&mut line).await.unwrap();
            tls.write_all(format!("tulip got: {line}").as_bytes()).await.unwrap();
            tls.close().await.unwrap(); // close_notify: s_client exits
            line
        });
        let (mut peer, out) = tls_support::openssl_s_client(addr, &pki.ca_path, b"ping from s_client\n").await;
        assert_eq!(server.await.unwrap(), "ping from s_client\n");
        assert_eq!(out, "tulip got: ping from s_client\n");
        let status = tulip::to_thread(move || peer.0.wait()).await.unwrap();
        assert!(status.success(), "s_client verified tulip's certificate and exited cleanly: {status}");
    });
}

const PYTHON_SERVER: &str = r#"
import socket, ssl, sys
cert, key, ending = sys.argv[1], sys.argv[2], sys.argv[3]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ctx.set_alpn_protocols(["h2", "http/1.1"])
srv = socket.create_server(("127.0.0.1", 0))
srv.settimeout(20)
print(srv.getsockname()[1], flush=True)
conn, _ = srv.accept()
conn.settimeout(20)
tls = ctx.wrap_socket(conn, server_side=True)
line = tls.makefile("rb").readline()
tls.sendall(b"python got: " + line + tls.selected_alpn_protocol().encode() + b"\n")
if ending == "close_notify":
    tls.unwrap().close()
else:
    # TCP FIN without TLS's close_notify: what a truncation attack looks like
    tls.shutdown(socket.SHUT_RDWR)
    tls.close()
"#;

/// Starts the Python server above; returns it and its port.
async fn python_server(pki: &Pki, ending: &str) -> (Peer, u16) {
    let mut child = Command::new("python3")
        .args(["-c", PYTHON_SERVER, path(&pki.server.cert_path), path(&pki.server.key_path), ending])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let peer = Peer(child);
    let port = tulip::to_thread(move || {
        let mut line = String::new();
        std::io::BufReader::new(stdout).read_line(&mut line).map(|_| line)
    })
    .await
    .unwrap();
    (peer, port.trim().parse().expect("the script prints its port"))
}

#[test]
fn tulip_client_talks_to_python_ssl_server() {
    if !have("python3", "--version") {
        return;
    }
    let pki = Pki::new();
    run(async move {
        let (_server, port) = python_server(&pki, "close_notify").await;
        let ctx = trusting(&pki).alpn(["http/1.1"]);
        let mut tls = tls::connect(&ctx, "localhost", port).await.unwrap();
        assert_eq!(tls.negotiated_protocol(), Some(&b"http/1.1"[..]));
        tls.write_all(b"hello python\n").await.unwrap();
        tls.flush().await.unwrap();
        let mut all = String::new();
        tls.read_to_string(&mut all).await.unwrap(); // ends at Python's close_notify
        assert_eq!(all, "python got: hello python\nhttp/1.1\n");
        tls.close().await.unwrap(); // our close_notify lets Python's unwrap() return
    });
}

#[test]
fn a_close_without_close_notify_is_an_unexpected_eof() {
    if !have("python3", "--version") {
        return;
    }
    let pki = Pki::new();
    run(async move {
        let (_server, port) = python_server(&pki, "truncate").await;
        let mut tls = tls::connect(&trusting(&pki).alpn(["h2"]), "localhost", port).await.unwrap();
        tls.write_all(b"x\n").await.unwrap();
        tls.flush().await.unwrap();
        let mut all = Vec::new();
        let err = tls.read_to_end(&mut all).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof, "{err}");
        assert_eq!(all, b"python got: x\nh2\n", "the data before the truncation still arrives");
    });
}

// --- tulip against itself ------------------------------------------------

#[test]
fn tulip_client_and_server_agree_on_alpn_and_see_each_others_certificates() {
    let pki = Pki::new();
    let server_ctx = TlsContext::server(&pki.server.cert_pem, &pki.server.key_pem)
        .unwrap()
        .alpn(["h2", "http/1.1"])
        .require_client_cert(&pki.ca_pem)
        .unwrap();
    let client_ctx = trusting(&pki)
        .with_client_cert(&pki.client.cert_pem, &pki.client.key_pem)
        .unwrap()
        .alpn(["spdy/1", "http/1.1"]);
    let (server_der, client_der) = (pki.server.der.clone(), pki.client.der.clone());
    run(async move {
        let (listener, addr) = bind();
        let server = create_task(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut tls = tls_accept(&server_ctx, tcp).await.unwrap();
            assert!(tls.is_server_side());
            assert_eq!(tls.negotiated_protocol(), Some(&b"http/1.1"[..]));
            assert_eq!(tls.peer_certificate(), Some(&client_der[..]));
            assert_eq!(tls.server_name(), Some("localhost"));
            let mut buf = [0; 5];
            tls.read_exact(&mut buf).await.unwrap();
            tls.write_all(&buf).await.unwrap();
            tls.close().await.unwrap();
        });
        let tcp = TcpStream::connect(addr).await.unwrap();
        let mut tls = tls_connect(&client_ctx, "localhost", tcp).await.unwrap();
        assert!(!tls.is_server_side());
        assert_eq!(tls.negotiated_protocol(), Some(&b"http/1.1"[..]));
        assert_eq!(tls.peer_certificate(), Some(&server_der[..]));
        assert_eq!(tls.version(), Some("TLSv1.3"));
        tls.write_all(b"tulip").await.unwrap();
        tls.flush().await.unwrap();
        let mut back = Vec::new();
        tls.read_to_end(&mut back).await.unwrap();
        assert_eq!(back, b"tulip");
        server.await.unwrap();
    });
}

#[test]
fn no_common_alpn_protocol_fails_the_handshake() {
    let pki = Pki::new();
    let server_ctx = TlsContext::server(&pki.server.cert_pem, &pki.server.key_pem).unwrap().alpn(["h2"]);
    let client_ctx = trusting(&pki).alpn(["http/1.1"]);
    run(async move {
        let (listener, addr) = bind();
        let server = create_task(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            tls_accept(&server_ctx, tcp).await.map(|_| ())
        });
        let tcp = TcpStream::connect(addr).await.unwrap();
        let err = tls_connect(&client_ctx, "localhost", tcp).await.unwrap_err();
        assert!(
            matches!(err, SslError::Handshake(rustls::Error::AlertReceived(AlertDescription::NoApplicationProtocol))),
            "{err}"
        );
        assert!(matches!(server.await.unwrap(), Err(SslError::Handshake(rustls::Error::NoApplicationProtocol))));
    });
}

// --- certificates that must be refused -----------------------------------

/// Connects a client with `ctx` to `openssl s_server` presenting `leaf`;
/// the server lives as long as the `Peer` returned.
async fn connect_to_openssl(
    ctx: &TlsContext,
    name: &str,
    leaf: &tls_support::Leaf,
) -> (Peer, Result<TlsStream, SslError>) {
    let (server, port) =
        openssl_s_server(&["-cert", path(&leaf.cert_path), "-key", path(&leaf.key_path), "-rev"]).await;
    (server, tls::connect(ctx, name, port).await)
}

fn verify_reason((_server, r): (Peer, Result<TlsStream, SslError>)) -> (CertificateVerifyReason, String) {
    match r {
        Err(e @ SslError::CertificateVerify { .. }) => {
            let message = e.to_string();
            let SslError::CertificateVerify { reason } = e else { unreachable!() };
            (reason, message)
        }
        Err(e) => panic!("expected a certificate verify error, got {e:?}"),
        Ok(_) => panic!("the certificate was accepted"),
    }
}

#[test]
fn a_certificate_for_another_host_is_a_hostname_mismatch() {
    if !have("openssl", "version") {
        return;
    }
    let pki = Pki::new();
    run(async move {
        let (reason, message) = verify_reason(connect_to_openssl(&trusting(&pki), "localhost", &pki.other_host).await);
        assert_eq!(
            reason,
            CertificateVerifyReason::HostnameMismatch {
                expected: "localhost".into(),
                presented: vec!["other.example".into()]
            },
        );
        assert!(message.contains("Hostname mismatch, certificate is not valid for 'localhost'"), "{message}");
        assert!(message.ends_with("(it is valid for other.example)"), "{message}");
    });
}

#[test]
fn a_certificate_from_an_unknown_ca_is_an_unknown_issuer() {
    if !have("openssl", "version") {
        return;
    }
    let pki = Pki::new();
    run(async move {
        // The system roots only: the test CA is not among them.
        let (reason, message) =
            verify_reason(connect_to_openssl(&TlsContext::client(), "localhost", &pki.server).await);
        assert_eq!(reason, CertificateVerifyReason::UnknownIssuer);
        assert!(message.contains("unknown issuer"), "{message}");
    });
}

#[test]
fn an_expired_certificate_is_reported_as_expired() {
    if !have("openssl", "version") {
        return;
    }
    let pki = Pki::new();
    run(async move {
        let (reason, message) = verify_reason(connect_to_openssl(&trusting(&pki), "localhost", &pki.expired).await);
        assert!(matches!(reason, CertificateVerifyReason::Expired { .. }), "{reason:?}");
        // 2021-01-01T00:00:00Z
        assert!(message.contains("certificate has expired (not valid after 1609459200"), "{message}");
    });
}

#[test]
fn dangerous_accept_any_certificate_accepts_what_verification_refuses() {
    if !have("openssl", "version") {
        return;
    }
    let pki = Pki::new();
    run(async move {
        let ctx = TlsContext::client().dangerous_accept_any_certificate();
        let (_server, tls) = connect_to_openssl(&ctx, "localhost", &pki.expired).await;
        let mut tls = tls.unwrap();
        assert_eq!(exchange(&mut tls, "abc\n").await.unwrap().trim_end(), "cba");
    });
}

// --- client certificates --------------------------------------------------

fn openssl_requiring_client_cert(pki: &Pki) -> Vec<&str> {
    vec![
        "-cert",
        path(&pki.server.cert_path),
        "-key",
        path(&pki.server.key_path),
        "-CAfile",
        path(&pki.ca_path),
        "-Verify",
        "1", // a client certificate is required
        "-verify_return_error",
        "-rev",
    ]
}

#[test]
fn openssl_requiring_a_client_certificate_accepts_ours() {
    if !have("openssl", "version") {
        return;
    }
    let pki = Pki::new();
    run(async move {
        let (_server, port) = openssl_s_server(&openssl_requiring_client_cert(&pki)).await;
        let ctx = trusting(&pki).with_client_cert(&pki.client.cert_pem, &pki.client.key_pem).unwrap();
        let mut tls = tls::connect(&ctx, "localhost", port).await.unwrap();
        assert_eq!(exchange(&mut tls, "with a cert\n").await.unwrap().trim_end(), "trec a htiw");
    });
}

/// In TLS 1.3 the client finishes its handshake before the server has
/// judged its certificate, so a refusal can arrive as the first read's error.
async fn refusal(ctx: &TlsContext, port: u16) -> SslError {
    let mut tls = match tls::connect(ctx, "localhost", port).await {
        Err(e) => return e,
        Ok(tls) => tls,
    };
    let err = exchange(&mut tls, "without\n").await.expect_err("the server refused the client");
    match err.into_inner().map(|inner| inner.downcast::<SslError>()) {
        Some(Ok(e)) => *e,
        other => panic!("expected an SslError inside the io::Error, got {other:?}"),
    }
}

#[test]
fn openssl_requiring_a_client_certificate_refuses_a_client_without_one() {
    if !have("openssl", "version") {
        return;
    }
    let pki = Pki::new();
    run(async move {
        let (_server, port) = openssl_s_server(&openssl_requiring_client_cert(&pki)).await;
        let err = refusal(&trusting(&pki), port).await;
        assert!(
            matches!(err, SslError::Handshake(rustls::Error::AlertReceived(AlertDescription::CertificateRequired))),
            "{err:?}"
        );
        assert!(err.to_string().contains("CertificateRequired"), "{err}");
    });
}

#[test]
fn tulip_server_requiring_a_client_certificate_refuses_none_and_strangers() {
    let pki = Pki::new();
    let server_ctx = TlsContext::server(&pki.server.cert_pem, &pki.server.key_pem)
        .unwrap()
        .require_client_cert(&pki.ca_pem)
        .unwrap();
    let without = trusting(&pki);
    let stranger = trusting(&pki).with_client_cert(&pki.stranger.cert_pem, &pki.stranger.key_pem).unwrap();
    run(async move {
        for (client_ctx, name) in [(without, "no certificate"), (stranger, "a self-signed certificate")] {
            let (listener, addr) = bind();
            let ctx = server_ctx.clone();
            let server = create_task(async move {
                let (tcp, _) = listener.accept().await.unwrap();
                tls_accept(&ctx, tcp).await.map(|_| ())
            });
            let err = refusal(&client_ctx, addr.port()).await;
            assert!(matches!(err, SslError::Handshake(rustls::Error::AlertReceived(_))), "{name}: {err:?}");
            match server.await.unwrap() {
                Err(SslError::Handshake(rustls::Error::NoCertificatesPresented)) if name == "no certificate" => {}
                Err(SslError::CertificateVerify { reason: CertificateVerifyReason::UnknownIssuer })
                    if name != "no certificate" => {}
                other => panic!("{name}: the server said {other:?}"),
            }
        }
    });
}

// --- handshakes that do not finish ------------------------------------------

#[test]
fn a_silent_peer_hits_the_handshake_timeout() {
    let pki = Pki::new();
    let client_ctx = trusting(&pki).handshake_timeout(Duration::from_millis(200));
    let server_ctx = TlsContext::server(&pki.server.cert_pem, &pki.server.key_pem)
        .unwrap()
        .handshake_timeout(Duration::from_millis(200));
    run(async move {
        // A server that accepts and says nothing.
        let (listener, addr) = bind();
        let held = create_task(async move { listener.accept().await.map(|(tcp, _)| tcp) });
        let tcp = TcpStream::connect(addr).await.unwrap();
        let err = tls_connect(&client_ctx, "localhost", tcp).await.unwrap_err();
        assert!(matches!(err, SslError::HandshakeTimeout(d) if d == Duration::from_millis(200)), "{err:?}");
        assert_eq!(io::Error::from(err).kind(), io::ErrorKind::TimedOut);
        drop(held.await);

        // A client that connects and says nothing.
        let (listener, addr) = bind();
        let _silent = TcpStream::connect(addr).await.unwrap();
        let (tcp, _) = listener.accept().await.unwrap();
        let err = tls_accept(&server_ctx, tcp).await.unwrap_err();
        assert!(matches!(err, SslError::HandshakeTimeout(_)), "{err:?}");
    });
}

#[test]
fn a_peer_that_hangs_up_mid_handshake_is_an_eof() {
    let pki = Pki::new();
    let ctx = trusting(&pki);
    run(async move {
        let (listener, addr) = bind();
        let server = create_task(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            // Read the ClientHello (so closing sends FIN, not RST), then hang up.
            let mut hello = vec![0; 16 * 1024];
            let n = tcp.recv(&mut hello).await.unwrap();
            assert!(n > 0);
            tcp.shutdown(std::net::Shutdown::Write).unwrap();
        });
        let tcp = TcpStream::connect(addr).await.unwrap();
        let err = tls_connect(&ctx, "localhost", tcp).await.unwrap_err();
        assert!(matches!(err, SslError::Eof), "{err:?}");
        server.await.unwrap();
    });
}

// --- misuse ------------------------------------------------------------------

#[test]
fn contexts_refuse_bad_input_and_the_wrong_side() {
    let pki = Pki::new();
    assert!(matches!(TlsContext::server("junk", &pki.server.key_pem), Err(SslError::InvalidCertificate(_))));
    assert!(matches!(TlsContext::server(&pki.server.cert_pem, "junk"), Err(SslError::InvalidKey(_))));
    let mismatched = TlsContext::server(&pki.server.cert_pem, &pki.client.key_pem).unwrap_err();
    assert!(mismatched.to_string().contains("does not belong to the certificate"), "{mismatched}");
    assert!(matches!(TlsContext::client().with_ca_pem("junk"), Err(SslError::InvalidCertificate(_))));
    assert!(matches!(TlsContext::client().with_ca_file(pki.dir.0.join("missing.pem")), Err(SslError::Io(_))));
    assert!(TlsContext::client().with_ca_file(&pki.ca_path).is_ok());
    assert!(matches!(TlsContext::client().require_client_cert(&pki.ca_pem), Err(SslError::WrongContext(_))));
    let server = TlsContext::server(&pki.server.cert_pem, &pki.server.key_pem).unwrap();
    assert!(matches!(server.clone().with_ca_pem(&pki.ca_pem), Err(SslError::WrongContext(_))));
    run(async move {
        let err = tls::connect(&server, "localhost", 1).await.unwrap_err();
        assert!(matches!(err, SslError::WrongContext(_)), "{err:?}");
        let (_listener, addr) = bind();
        let tcp = TcpStream::connect(addr).await.unwrap();
        let err = tls_connect(&TlsContext::client(), "not a host name!", tcp).await.unwrap_err();
        assert!(matches!(err, SslError::InvalidHostname(_)), "{err:?}");
        let tcp = TcpStream::connect(addr).await.unwrap();
        assert!(matches!(tls_accept(&TlsContext::client(), tcp).await, Err(SslError::WrongContext(_))));
    });
}

#[test]
fn ssl_errors_inside_io_errors_are_found_again() {
    let e: io::Error = SslError::Eof.into();
    assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
    assert!(matches!(ssl_error(&e), Some(SslError::Eof)));
    let e: io::Error = SslError::Io(io::ErrorKind::ConnectionReset.into()).into();
    assert_eq!(e.kind(), io::ErrorKind::ConnectionReset, "socket errors stay socket errors");
}
