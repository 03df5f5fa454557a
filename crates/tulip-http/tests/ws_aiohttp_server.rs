//! tulip's WebSocket client (`ws_connect`) against aiohttp's WebSocket
//! server (in a virtual environment the test creates when none is found).
#![allow(clippy::unwrap_used)]

mod common;

use bytes::Bytes;
use common::aiohttp::aiohttp_python;
use common::PyServer;
use serde_json::{json, Value};
use tulip::http::{ClientError, ClientSession, WSMessage};

fn start() -> Option<PyServer> {
    let py = aiohttp_python()?;
    Some(PyServer::start(&py, include_str!("common/aiohttp_ws_server.py"), &[]))
}

async fn server_log(s: &ClientSession, port: u16) -> Value {
    s.get(format!("http://127.0.0.1:{port}/log")).send().await.unwrap().json().await.unwrap()
}

#[test]
fn echo_text_binary_json_ping_and_close_codes() {
    let Some(srv) = start() else { return };
    tulip::run(async move {
        let s = ClientSession::new();
        let url = format!("ws://127.0.0.1:{}/echo", srv.port);
        let ws = s.ws_connect(url.as_str()).protocols(["v2", "chat"]).autoping(false).await.unwrap();
        assert_eq!(ws.protocol().as_deref(), Some("chat"), "the server's pick among ours");
        ws.send_str("héllo").await.unwrap();
        assert_eq!(ws.receive().await.unwrap(), WSMessage::Text("héllo".into()));
        ws.send_bytes(&b"\x00\x01\xff"[..]).await.unwrap();
        assert_eq!(ws.receive().await.unwrap(), WSMessage::Binary(Bytes::from_static(b"\x00\x01\xff")));
        ws.send_json(&json!({"n": [1, 2]})).await.unwrap();
        assert_eq!(ws.receive_json::<Value>().await.unwrap(), json!({"n": [1, 2]}));
        // Without autoping the pong to our ping, and aiohttp's ping, show.
        ws.ping(&b"are you there"[..]).await.unwrap();
        assert_eq!(ws.receive().await.unwrap(), WSMessage::Pong(Bytes::from_static(b"are you there")));
        ws.send_str("ping-me").await.unwrap();
        assert_eq!(ws.receive().await.unwrap(), WSMessage::Ping(Bytes::from_static(b"from aiohttp")));
        // Our close code is what aiohttp's handler sees; it answers with
        // 1000 (its `close()` default), which becomes our close code, as
        // aiohttp's own client reports it.
        assert!(ws.close(4000, "done").await.unwrap());
        assert_eq!(ws.close_code(), Some(1000));
        assert!(!ws.close(1000, "").await.unwrap(), "a second close does nothing");
        assert_eq!(ws.receive().await.unwrap(), WSMessage::Closed);
        assert!(matches!(ws.send_str("late").await, Err(tulip::http::WebSocketError::ConnectionReset)));
        assert_eq!(server_log(&s, srv.port).await, json!([["echo", 4000]]));
        s.close().await;
    });
}

#[test]
fn the_handshake_carries_the_sessions_headers_and_cookies() {
    let Some(srv) = start() else { return };
    tulip::run(async move {
        let s = ClientSession::builder().header("x-token", "t0k3n").build().unwrap();
        // A host name: like aiohttp's, the jar keeps no cookies of IP addresses.
        s.get(format!("http://localhost:{}/cookie", srv.port)).send().await.unwrap();
        let ws = s.ws_connect(format!("ws://localhost:{}/hello", srv.port)).protocols(["chat"]).await.unwrap();
        let got: Value = ws.receive_json().await.unwrap();
        assert_eq!(got, json!({"token": "t0k3n", "cookies": {"session": "s3cr3t"}, "protocol": "chat"}));
        assert_eq!(ws.protocol(), None, "the server offered no subprotocol: none, as in aiohttp");
        ws.close(1000, "").await.unwrap();
        // A plain HTTP route is no WebSocket: aiohttp's WSServerHandshakeError.
        let err = s.ws_connect(format!("ws://127.0.0.1:{}/log", srv.port)).await.unwrap_err();
        match err {
            ClientError::WSServerHandshake(e) => {
                assert_eq!((e.status, e.message.as_str()), (200, "Invalid response status"))
            }
            other => panic!("{other:?}"),
        }
        s.close().await;
    });
}

#[test]
fn the_servers_close_code_and_reason_arrive() {
    let Some(srv) = start() else { return };
    tulip::run(async move {
        let s = ClientSession::new();
        let ws = s.ws_connect(format!("http://127.0.0.1:{}/close", srv.port)).await.unwrap();
        assert_eq!(ws.receive_str().await.unwrap(), "bye");
        assert_eq!(ws.receive().await.unwrap(), WSMessage::Close { code: 4001, message: "custom".into() });
        assert_eq!(ws.close_code(), Some(4001));
        assert_eq!(ws.receive().await.unwrap(), WSMessage::Closed);
        s.close().await;
    });
}

#[test]
fn messages_over_max_msg_size_close_with_1009_both_ways() {
    let Some(srv) = start() else { return };
    tulip::run(async move {
        let s = ClientSession::new();
        // aiohttp's limit: it closes with 1009.
        let ws = s.ws_connect(format!("ws://127.0.0.1:{}/small", srv.port)).await.unwrap();
        ws.send_str(&"x".repeat(2000)).await.unwrap();
        assert_eq!(ws.receive().await.unwrap().close_code(), Some(1009));
        assert_eq!(ws.close_code(), Some(1009));
        // Ours: an ERROR for us, a 1009 close for aiohttp.
        let ws = s.ws_connect(format!("ws://127.0.0.1:{}/big", srv.port)).max_msg_size(1024).await.unwrap();
        match ws.receive().await.unwrap() {
            WSMessage::Error(e) => {
                assert_eq!(e.code(), Some(1009));
                assert_eq!(e.to_string(), "Message size 2000 exceeds limit 1024");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(ws.close_code(), Some(1009));
        assert_eq!(ws.receive().await.unwrap(), WSMessage::Closed);
        let log = server_log(&s, srv.port).await;
        // aiohttp's handler gets ERROR and then, its reader failed, calls
        // it 1006: the same as with aiohttp's own client.
        assert_eq!(log[0], json!(["small", "ERROR", 1006]));
        assert_eq!(log[1], json!(["big", "CLOSE", 1009, 1009]));
        s.close().await;
    });
}

#[test]
fn wss_goes_through_the_connectors_tls() {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let Some(py) = aiohttp_python() else { return };
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_key = KeyPair::generate().unwrap();
    let ca_pem = ca.self_signed(&ca_key).unwrap().pem();
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".into()]).unwrap().signed_by(&key, &issuer).unwrap();
    let dir = std::env::temp_dir().join(format!("tulip-http-wss-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();
    let srv = PyServer::start(
        &py,
        include_str!("common/aiohttp_ws_server.py"),
        &[cert_path.to_str().unwrap(), key_path.to_str().unwrap()],
    );
    tulip::run(async move {
        let ctx = tulip::net::tls::TlsContext::client().with_ca_pem(&ca_pem).unwrap();
        let connector = tulip::http::TcpConnector::builder().tls_context(ctx).build();
        let s = ClientSession::builder().connector(connector).build().unwrap();
        let ws = s.ws_connect(format!("wss://localhost:{}/echo", srv.port)).await.unwrap();
        ws.send_str("over tls").await.unwrap();
        assert_eq!(ws.receive_str().await.unwrap(), "over tls");
        ws.close(1000, "").await.unwrap();
        // The system's roots do not know the test's CA: a certificate error.
        let plain = ClientSession::new();
        let err = plain.ws_connect(format!("wss://localhost:{}/echo", srv.port)).await.unwrap_err();
        assert!(err.is_connection(), "{err:?}");
        plain.close().await;
        s.close().await;
    });
    let _ = std::fs::remove_dir_all(dir);
}
