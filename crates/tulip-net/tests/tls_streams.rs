//! asyncio's streams over TLS: `tls::start_server` and `tls::open_connection`
//! against peers no one here wrote (openssl s_client, Python's ssl), a
//! STARTTLS upgrade, and `get_extra_info` over TLS.
#![cfg(feature = "tls")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod tls_support;

use std::io::Read;
use std::process::{Command, Stdio};
use tls_support::{have, path, run, Peer, Pki};
use tulip_net::tls::{self, SslError, TlsContext};
use tulip_net::ExtraInfo;

#[test]
fn openssl_s_client_talks_to_a_tls_stream_server() {
    if !have("openssl", "version") {
        return;
    }
    let pki = Pki::new();
    let ctx = TlsContext::server(&pki.server.cert_pem, &pki.server.key_pem).unwrap();
    run(async move {
        let server = tls::start_server(
            |mut r, mut w| async move {
                let line = r.readline().await.unwrap();
                w.write(b"tulip got: ").unwrap();
                w.write(&line).unwrap();
                w.close();
                let _ = w.wait_closed().await;
            },
            "127.0.0.1",
            0,
            ctx,
        )
        .await
        .unwrap();
        let addr = server.sockets()[0];
        let (_peer, out) = tls_support::openssl_s_client(addr, &pki.ca_path, b"ping from s_client\n").await;
        assert_eq!(out, "tulip got: ping from s_client\n");
        server.close();
    });
}

const PYTHON_CLIENT: &str = r#"
import socket, ssl, sys
port, cafile = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=cafile)
ctx.set_alpn_protocols(["demo/1"])
with socket.create_connection(("127.0.0.1", port)) as raw:
    with ctx.wrap_socket(raw, server_hostname="localhost") as s:
        s.sendall(b"hello from python\n")
        print(s.recv(100).decode(), end="")
"#;

#[test]
fn python_ssl_client_talks_to_a_tls_stream_server_with_alpn() {
    if !have("python3", "--version") {
        return;
    }
    let pki = Pki::new();
    let ctx = TlsContext::server(&pki.server.cert_pem, &pki.server.key_pem).unwrap().alpn(["demo/1"]);
    run(async move {
        let server = tls::start_server(
            |mut r, mut w| async move {
                let alpn = match w.get_extra_info("selected_alpn_protocol") {
                    Some(ExtraInfo::SelectedAlpnProtocol(p)) => String::from_utf8(p).unwrap(),
                    _ => "none".into(),
                };
                let line = r.readline().await.unwrap();
                w.write(format!("alpn={alpn} line={}", String::from_utf8_lossy(&line)).as_bytes()).unwrap();
                w.close();
                let _ = w.wait_closed().await;
            },
            "127.0.0.1",
            0,
            ctx,
        )
        .await
        .unwrap();
        let port = server.sockets()[0].port().to_string();
        let ca = path(&pki.ca_path).to_string();
        let out = tulip::to_thread(move || {
            let child = Command::new("python3")
                .args(["-c", PYTHON_CLIENT, &port, &ca])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let peer = Peer(child);
            let mut out = String::new();
            let mut child = peer;
            child.0.stdout.take().unwrap().read_to_string(&mut out).unwrap();
            out
        })
        .await;
        assert_eq!(out, "alpn=demo/1 line=hello from python\n");
        server.close();
    });
}

#[test]
fn a_tls_stream_client_sees_the_servers_certificate_and_cipher() {
    let pki = Pki::new();
    let server_ctx = TlsContext::server(&pki.server.cert_pem, &pki.server.key_pem).unwrap();
    let client_ctx = TlsContext::client().with_ca_pem(&pki.ca_pem).unwrap();
    let server_der = pki.server.der.clone();
    run(async move {
        let server = tls::start_server(|_r, _w| async {}, "127.0.0.1", 0, server_ctx).await.unwrap();
        let port = server.sockets()[0].port();
        let (_r, w) = tls::open_connection(&client_ctx, "localhost", port).await.unwrap();
        match w.get_extra_info("peercert") {
            Some(ExtraInfo::Peercert(der)) => assert_eq!(der, server_der),
            other => panic!("peercert: {other:?}"),
        }
        assert!(
            matches!(w.get_extra_info("cipher"), Some(ExtraInfo::Cipher(c)) if c.contains("AES") || c.contains("CHACHA"))
        );
        assert!(matches!(w.get_extra_info("peername"), Some(ExtraInfo::Peername(_))));
        server.close();
    });
}

#[test]
fn a_wrong_host_name_fails_open_connection_with_a_clear_error() {
    let pki = Pki::new();
    let server_ctx = TlsContext::server(&pki.other_host.cert_pem, &pki.other_host.key_pem).unwrap();
    let client_ctx = TlsContext::client().with_ca_pem(&pki.ca_pem).unwrap();
    run(async move {
        let server = tls::start_server(|_r, _w| async {}, "127.0.0.1", 0, server_ctx).await.unwrap();
        tulip::get_running_loop().set_exception_handler(|_| {}); // the server reports the failed handshake
        let port = server.sockets()[0].port();
        match tls::open_connection(&client_ctx, "localhost", port).await {
            Err(e @ SslError::CertificateVerify { .. }) => assert!(e.to_string().contains("localhost"), "{e}"),
            Err(e) => panic!("wrong error: {e}"),
            Ok(_) => panic!("a certificate for another host was accepted"),
        }
        server.close();
    });
}

#[test]
fn start_tls_refuses_a_reader_that_read_past_the_upgrade_point() {
    let pki = Pki::new();
    let client_ctx = TlsContext::client().with_ca_pem(&pki.ca_pem).unwrap();
    run(async move {
        let server = tulip::start_server(
            |_r, mut w| async move {
                w.write(b"220 ready\nunexpected bytes").unwrap();
                let _ = w.drain().await;
            },
            "127.0.0.1",
            0,
        )
        .await
        .unwrap();
        let (mut r, w) = tulip::open_connection("127.0.0.1", server.sockets()[0].port()).await.unwrap();
        tulip::sleep(std::time::Duration::from_millis(20)).await;
        assert_eq!(r.readline().await.unwrap(), b"220 ready\n");
        assert!(matches!(w.start_tls(r, &client_ctx, Some("localhost")).await, Err(SslError::WrongContext(_))));
        server.close();
    });
}

#[test]
fn start_tls_as_a_client_needs_the_servers_host_name() {
    let pki = Pki::new();
    let client_ctx = TlsContext::client().with_ca_pem(&pki.ca_pem).unwrap();
    run(async move {
        let server = tulip::start_server(|_r, _w| async {}, "127.0.0.1", 0).await.unwrap();
        let (r, w) = tulip::open_connection("127.0.0.1", server.sockets()[0].port()).await.unwrap();
        assert!(matches!(w.start_tls(r, &client_ctx, None).await, Err(SslError::WrongContext(_))));
        server.close();
    });
}
