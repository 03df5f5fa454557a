//! tulip's `WebSocketResponse` against aiohttp's WebSocket client (in a
//! virtual environment the test creates when none is found).
#![allow(clippy::unwrap_used)]

#[path = "../../tulip-http/tests/common/aiohttp.rs"]
mod aiohttp;

use std::cell::RefCell;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures_lite::StreamExt;
use serde_json::{json, Value};
use tulip::web::{self, Application, Request, TestServer, WSMessage, WebSocketResponse};

thread_local! {
    /// What the handlers saw, for the test on the same thread.
    static LOG: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn log(line: String) {
    LOG.with(|l| l.borrow_mut().push(line));
}

fn logged() -> Vec<String> {
    LOG.with(|l| l.borrow().clone())
}

async fn echo(request: Request) -> web::Result<WebSocketResponse> {
    let mut ws = WebSocketResponse::new().with_protocols(["chat"]);
    ws.prepare(&request).await?;
    while let Some(msg) = ws.next().await {
        let sent = match msg {
            WSMessage::Text(t) if t == "ping-me" => ws.ping(&b"from tulip"[..]).await,
            WSMessage::Text(t) => ws.send_str(&t).await,
            WSMessage::Binary(b) => ws.send_bytes(b).await,
            _ => Ok(()),
        };
        sent.unwrap();
    }
    log(format!("echo {:?}", ws.close_code()));
    Ok(ws)
}

async fn close(request: Request) -> web::Result<WebSocketResponse> {
    let mut ws = WebSocketResponse::new();
    ws.prepare(&request).await?;
    ws.send_str("bye").await.unwrap();
    assert!(ws.close(4001, "custom").await.unwrap());
    log(format!("close {:?}", ws.close_code()));
    Ok(ws)
}

async fn small(request: Request) -> web::Result<WebSocketResponse> {
    let mut ws = WebSocketResponse::new().with_max_msg_size(1024);
    ws.prepare(&request).await?;
    let msg = ws.receive().await.unwrap();
    log(format!("small {:?} {:?}", msg.type_(), ws.close_code()));
    if let WSMessage::Error(e) = msg {
        log(format!("small error {e} {:?}", e.code()));
    }
    Ok(ws)
}

async fn big(request: Request) -> web::Result<WebSocketResponse> {
    let mut ws = WebSocketResponse::new();
    ws.prepare(&request).await?;
    ws.send_str(&"y".repeat(2000)).await.unwrap();
    let msg = ws.receive().await.unwrap();
    log(format!("big {msg:?} {:?}", ws.close_code()));
    Ok(ws)
}

fn app() -> Application {
    let mut app = Application::new();
    app.add_routes([
        web::get("/echo", echo),
        web::get("/close", close),
        web::get("/small", small),
        web::get("/big", big),
    ]);
    app
}

fn script() -> String {
    let path = std::env::temp_dir().join(format!("tulip-web-ws-client-{}.py", std::process::id()));
    if !path.exists() {
        let tmp = path.with_extension(format!("{:?}", std::thread::current().id()));
        std::fs::write(&tmp, include_str!("peers/aiohttp_ws_client.py")).unwrap();
        std::fs::rename(&tmp, &path).unwrap();
    }
    path.to_string_lossy().into_owned()
}

/// Runs the aiohttp client's `scenario` against `base` (off the loop) and
/// returns what it printed last.
async fn client(py: &str, base: &str, scenario: &str) -> Value {
    let args = [script(), base.to_string(), scenario.to_string()];
    let py = py.to_string();
    let out = tulip::to_thread(move || Command::new(py).args(args).stderr(Stdio::inherit()).output().unwrap()).await;
    let text = String::from_utf8(out.stdout).unwrap();
    serde_json::from_str(text.lines().last().unwrap_or("null")).unwrap()
}

fn serve<F: std::future::Future<Output = ()> + 'static>(test: impl FnOnce(String, TestServer) -> F + 'static) {
    let Some(py) = aiohttp::aiohttp_python() else { return };
    tulip::run(async move {
        let server = TestServer::start(app()).await.unwrap();
        test(py, server).await;
    });
}

#[test]
fn aiohttp_echoes_text_binary_json_and_negotiates_the_protocol() {
    serve(|py, server| async move {
        let got = client(&py, &server.make_url(""), "echo").await;
        assert_eq!(got["protocol"], "chat", "the client's first that the server knows");
        assert_eq!(got["text"], json!(["TEXT", "héllo", ""]));
        assert_eq!(got["binary"], json!(["BINARY", "0001ff", ""]));
        assert_eq!(got["json"], json!({"n": [1, 2]}));
        // tulip echoes the client's close code, which aiohttp then reports.
        assert_eq!(got["close_code"], 4000);
        server.close().await.unwrap();
        assert_eq!(logged(), ["echo Some(4000)"]);
    });
}

#[test]
fn pings_are_answered_and_pongs_swallowed() {
    serve(|py, server| async move {
        let got = client(&py, &server.make_url(""), "ping").await;
        assert_eq!(got["pong"], json!(["PONG", "61726520796f75207468657265", ""]));
        assert_eq!(got["server_ping"], json!(["PING", "66726f6d2074756c6970", ""]));
        assert_eq!(got["after"], json!(["TEXT", "after", ""]), "the unsolicited pong was swallowed");
        server.close().await.unwrap();
    });
}

#[test]
fn the_servers_close_code_and_reason_reach_aiohttp() {
    serve(|py, server| async move {
        let got = client(&py, &server.make_url(""), "server_close").await;
        assert_eq!(got["first"], json!(["TEXT", "bye", ""]));
        assert_eq!(got["close"], json!(["CLOSE", 4001, "custom"]));
        assert_eq!(got["close_code"], 4001);
        server.close().await.unwrap();
        // aiohttp's client answers a close with 1000.
        assert_eq!(logged(), ["close Some(1000)"]);
    });
}

#[test]
fn messages_over_max_msg_size_close_with_1009_both_ways() {
    serve(|py, server| async move {
        let got = client(&py, &server.make_url(""), "too_big").await;
        assert_eq!(got["close"], json!(["CLOSE", 1009, ""]));
        assert_eq!(got["close_code"], 1009);
        let got = client(&py, &server.make_url(""), "server_too_big").await;
        assert_eq!(got["msg"][0], "ERROR", "{got}");
        assert_eq!(got["close_code"], 1009);
        server.close().await.unwrap();
        let log = logged();
        assert_eq!(log[0], "small Error Some(1009)");
        assert_eq!(log[1], "small error Message size 2000 exceeds limit 1024 Some(1009)");
        assert_eq!(log[2], r#"big Close { code: 1009, message: "" } Some(1009)"#);
    });
}

#[test]
fn a_plain_request_to_a_websocket_route_is_answered_400() {
    serve(|py, server| async move {
        let got = client(&py, &server.make_url(""), "bad_handshake").await;
        assert_eq!(got["status"], 400);
        assert!(got["text"].as_str().unwrap().starts_with("No WebSocket UPGRADE hdr"), "{got}");
        server.close().await.unwrap();
    });
}

#[test]
fn shutdown_closes_open_websockets_with_going_away() {
    serve(|py, server| async move {
        let base = server.make_url("");
        let mut child = Command::new(&py)
            .args([script(), base, "shutdown".into()])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (first, rest) = tulip::to_thread(move || {
            let mut lines = BufReader::new(stdout).lines();
            let first = lines.next().unwrap().unwrap();
            (first, lines)
        })
        .await;
        assert_eq!(first, r#"{"connected": true}"#);
        let started = Instant::now();
        server.close().await.unwrap();
        // Not the 60 s shutdown timeout: the WebSocket closed at once.
        assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
        let last = tulip::to_thread(move || {
            let last = rest.map(Result::unwrap).last().unwrap();
            child.wait().unwrap();
            last
        })
        .await;
        let got: Value = serde_json::from_str(&last).unwrap();
        assert_eq!(got["close"], json!(["CLOSE", 1001, "Server shutdown"]));
        assert_eq!(got["close_code"], 1001);
        // The handler's loop ended at CLOSING, before the client's answer
        // (as in aiohttp's on_shutdown recipe).
        assert_eq!(logged(), ["echo None"]);
    });
}
