//! The connection's rules over a socket pair, both ends tulip-ws.

use std::time::Duration;

use futures_lite::io::AsyncWriteExt;
use futures_lite::StreamExt;

use crate::{Role, WSMessage, WebSocket, WebSocketError, WsConfig};

async fn pair(server_cfg: WsConfig, client_cfg: WsConfig) -> (WebSocket, WebSocket) {
    let (a, b) = tulip::UnixStream::pair().unwrap();
    let (server, client) = (WebSocket::new(), WebSocket::new());
    server.attach(Box::new(a), Vec::new(), Role::Server, None, server_cfg).await;
    client.attach(Box::new(b), Vec::new(), Role::Client, None, client_cfg).await;
    (server, client)
}

#[test]
fn nothing_works_before_attach() {
    tulip::run(async {
        let ws = WebSocket::new();
        assert!(!ws.prepared());
        let not_yet = WebSocketError::Runtime("Call .prepare() first");
        assert_eq!(ws.receive().await, Err(not_yet.clone()));
        assert_eq!(ws.send_str("x").await, Err(not_yet.clone()));
        assert_eq!(ws.close(1000, "").await, Err(not_yet));
    });
}

#[test]
fn the_closing_side_gets_the_answer_and_the_other_the_close() {
    tulip::run(async {
        let (server, client) = pair(WsConfig::default(), WsConfig::default()).await;
        let peer = tulip::create_task(async move {
            let got = client.receive().await.unwrap();
            (got, client.close_code(), client.receive().await.unwrap())
        });
        assert!(server.close(4001, "custom").await.unwrap());
        let (got, code, after) = peer.await.unwrap();
        assert_eq!(got, WSMessage::Close { code: 4001, message: "custom".into() });
        assert_eq!((code, after), (Some(4001), WSMessage::Closed));
        assert_eq!(server.close_code(), Some(4001), "the client echoed the code");
        assert_eq!(server.send_str("late").await, Err(WebSocketError::ConnectionReset));
    });
}

#[test]
fn a_message_over_the_limit_is_an_error_here_and_1009_there() {
    tulip::run(async {
        let small = WsConfig { max_msg_size: 16, ..WsConfig::default() };
        let (server, client) = pair(small, WsConfig::default()).await;
        let peer = tulip::create_task(async move {
            client.send_bytes(vec![7u8; 100]).await.unwrap();
            client.receive().await.unwrap()
        });
        let got = server.receive().await.unwrap();
        assert_eq!(got.type_(), crate::WSMsgType::ERROR);
        let WSMessage::Error(e) = got else { unreachable!() };
        assert_eq!(e.to_string(), "Message size 100 exceeds limit 16");
        assert_eq!(peer.await.unwrap().close_code(), Some(1009));
        assert_eq!(server.close_code(), Some(1009));
    });
}

#[test]
fn the_stream_yields_messages_and_ends_at_the_close() {
    tulip::run(async {
        let (mut server, client) = pair(WsConfig::default(), WsConfig::default()).await;
        client.send_str("a").await.unwrap();
        client.ping(&b"swallowed"[..]).await.unwrap();
        client.send_bytes(&b"b"[..]).await.unwrap();
        let closer = tulip::create_task(async move { client.close(1000, "").await.unwrap() });
        let all: Vec<WSMessage> = (&mut server).collect().await;
        assert_eq!(all, [WSMessage::Text("a".into()), WSMessage::Binary(bytes::Bytes::from_static(b"b"))]);
        assert!(closer.await.unwrap());
    });
}

#[test]
fn a_peer_gone_without_a_close_frame_is_closed_with_1006() {
    tulip::run(async {
        let (a, mut b) = tulip::UnixStream::pair().unwrap();
        let server = WebSocket::new();
        server.attach(Box::new(a), Vec::new(), Role::Server, None, WsConfig::default()).await;
        b.close().await.unwrap();
        drop(b);
        assert_eq!(server.receive().await.unwrap(), WSMessage::Closed);
        assert_eq!(server.close_code(), Some(1006));
    });
}

#[test]
fn a_receive_times_out() {
    tulip::run(async {
        let (server, _client) = pair(WsConfig::default(), WsConfig::default()).await;
        let got = server.receive_timeout(Duration::from_millis(20)).await;
        assert!(matches!(got, Err(WebSocketError::Timeout(_))));
        assert!(!server.closed(), "a timeout leaves the connection open");
    });
}
