//! tulip's WebSocket server and client against each other: concurrency,
//! timeouts, heartbeat, closed connections, and cancellation at every
//! await point leaving no connection, task or descriptor behind.
#![allow(clippy::unwrap_used)]

use std::cell::RefCell;
use std::time::Duration;

use futures_lite::StreamExt;
use tulip::http::{ClientSession, WebSocketError};
use tulip::web::{self, Application, Request, TestServer, WSMessage, WeakWebSocket, WebSocketResponse};

thread_local! {
    /// The server's WebSockets, weakly: none may outlive the test's server.
    static SERVED: RefCell<Vec<WeakWebSocket>> = const { RefCell::new(Vec::new()) };
    static LOG: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn log(line: String) {
    LOG.with(|l| l.borrow_mut().push(line));
}

async fn echo(request: Request) -> web::Result<WebSocketResponse> {
    let mut ws = WebSocketResponse::new();
    ws.prepare(&request).await?;
    SERVED.with(|s| s.borrow_mut().push(ws.downgrade()));
    while let Some(msg) = ws.next().await {
        match msg {
            WSMessage::Text(t) => ws.send_str(&t).await.unwrap_or(()),
            WSMessage::Binary(b) => ws.send_bytes(b).await.unwrap_or(()),
            other => log(format!("echo saw {other:?}")),
        }
    }
    Ok(ws)
}

/// Pings every 100 ms of silence; logs how the connection ended.
async fn beating(request: Request) -> web::Result<WebSocketResponse> {
    let mut ws = WebSocketResponse::new().with_heartbeat(Duration::from_millis(100));
    ws.prepare(&request).await?;
    let msg = ws.receive().await.unwrap();
    log(format!("beating {:?} {:?}", msg.type_(), ws.close_code()));
    if let WSMessage::Error(e) = msg {
        log(e.to_string());
    }
    Ok(ws)
}

/// Waits for one message at most 100 ms.
async fn impatient(request: Request) -> web::Result<WebSocketResponse> {
    let mut ws = WebSocketResponse::new().with_receive_timeout(Duration::from_millis(100));
    ws.prepare(&request).await?;
    let got = ws.receive().await;
    log(format!("impatient {got:?}"));
    // A stream ends after yielding the error.
    let rest: Vec<WSMessage> = (&mut ws).collect().await;
    log(format!("impatient stream {rest:?}"));
    ws.close(1000, "").await.unwrap();
    Ok(ws)
}

/// Returns its WebSocket without closing it.
async fn hello(request: Request) -> web::Result<WebSocketResponse> {
    let mut ws = WebSocketResponse::new();
    ws.prepare(&request).await?;
    ws.send_str("hi").await.unwrap();
    Ok(ws)
}

fn app() -> Application {
    let mut app = Application::new();
    app.add_routes([
        web::get("/echo", echo),
        web::get("/beating", beating),
        web::get("/impatient", impatient),
        web::get("/hello", hello),
    ]);
    app
}

fn logged() -> Vec<String> {
    LOG.with(|l| l.borrow().clone())
}

/// The tests here take turns: one counts the process's descriptors.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

#[test]
fn a_receive_waiting_in_one_task_returns_closing_when_another_closes() {
    let _serial = serial();
    tulip::run(async {
        let server = TestServer::start(app()).await.unwrap();
        let s = ClientSession::new();
        let ws = s.ws_connect(server.make_url("/echo")).await.unwrap();
        let reader = ws.clone();
        let waiting = tulip::create_task(async move { reader.receive().await });
        tulip::sleep(Duration::from_millis(20)).await;
        assert!(matches!(ws.receive().await, Err(WebSocketError::Runtime(m)) if m.contains("Concurrent")));
        assert!(ws.close(1000, "bye").await.unwrap());
        assert_eq!(waiting.await.unwrap().unwrap(), WSMessage::Closing);
        assert_eq!(ws.close_code(), Some(1000), "the server echoed our code");
        // Reads of a closed connection: CLOSED, then aiohttp's RuntimeError at the fifth.
        for _ in 0..4 {
            assert_eq!(ws.receive().await.unwrap(), WSMessage::Closed);
        }
        assert!(matches!(ws.receive().await, Err(WebSocketError::Runtime("WebSocket connection is closed."))));
        s.close().await;
        server.close().await.unwrap();
    });
}

#[test]
fn a_websocket_returned_open_is_closed_with_1000() {
    let _serial = serial();
    tulip::run(async {
        let server = TestServer::start(app()).await.unwrap();
        let s = ClientSession::new();
        let ws = s.ws_connect(server.make_url("/hello")).await.unwrap();
        assert_eq!(ws.receive_str().await.unwrap(), "hi");
        assert_eq!(ws.receive().await.unwrap(), WSMessage::Close { code: 1000, message: String::new() });
        s.close().await;
        server.close().await.unwrap();
    });
}

#[test]
fn receive_timeout_raises_and_ends_the_stream() {
    let _serial = serial();
    tulip::run(async {
        let server = TestServer::start(app()).await.unwrap();
        let s = ClientSession::new();
        let ws = s.ws_connect(server.make_url("/impatient")).await.unwrap();
        assert_eq!(ws.receive().await.unwrap().close_code(), Some(1000));
        assert_eq!(
            logged(),
            [
                r#"impatient Err(Timeout("receive timed out"))"#.to_string(),
                r#"impatient stream [Error(Timeout("receive timed out"))]"#.to_string(),
            ]
        );
        s.close().await;
        server.close().await.unwrap();
    });
}

#[test]
fn a_heartbeat_drops_a_peer_that_never_answers_and_keeps_one_that_does() {
    let _serial = serial();
    tulip::run(async {
        let server = TestServer::start(app()).await.unwrap();
        let s = ClientSession::new();
        // This client never reads, so it never answers the pings.
        let deaf = s.ws_connect(server.make_url("/beating")).await.unwrap();
        tulip::sleep(Duration::from_millis(600)).await;
        assert_eq!(logged()[0], "beating Error Some(1006)");
        assert!(logged()[1].starts_with("No PONG received after 0.05 seconds"), "{:?}", logged());
        drop(deaf);
        // This one reads (and so answers) and stays until it closes.
        let alive = s.ws_connect(server.make_url("/beating")).await.unwrap();
        let reader = alive.clone();
        let pings = tulip::create_task(async move { reader.receive().await });
        tulip::sleep(Duration::from_millis(600)).await;
        assert_eq!(logged().len(), 2, "still open after several heartbeats: {:?}", logged());
        pings.cancel();
        alive.close(1000, "").await.unwrap();
        tulip::sleep(Duration::from_millis(50)).await;
        assert_eq!(logged()[2], "beating Close Some(1000)");
        s.close().await;
        server.close().await.unwrap();
    });
}

/// One client's whole conversation; the test cancels it after a delay
/// that grows from zero until it finishes, so every await point (connect,
/// handshake, each send and receive, the close) gets a cancellation.
async fn conversation(url: String) {
    let s = ClientSession::new();
    let ws = s.ws_connect(url).await.unwrap();
    ws.send_str("one").await.unwrap();
    assert_eq!(ws.receive_str().await.unwrap(), "one");
    ws.send_bytes(vec![0u8; 100_000]).await.unwrap();
    assert_eq!(ws.receive_bytes().await.unwrap().len(), 100_000);
    ws.ping(&b"p"[..]).await.unwrap();
    ws.close(1000, "").await.unwrap();
    s.close().await;
}

#[test]
fn cancelling_at_every_await_point_leaks_nothing() {
    let _serial = serial();
    let baseline = open_fds();
    tulip::run(async {
        // A cancelled conversation drops its session unclosed: expected here.
        tulip::get_running_loop().set_exception_handler(|_| {});
        let mut finished = 0;
        for steps in 0..2000u64 {
            let server = TestServer::start(app()).await.unwrap();
            let url = server.make_url("/echo");
            let talk = tulip::create_task(conversation(url));
            // The first steps are yields, then ever longer sleeps.
            for _ in 0..steps.min(20) {
                tulip::sleep(Duration::ZERO).await;
            }
            if steps > 20 {
                tulip::sleep(Duration::from_micros(100 * (steps - 20))).await;
            }
            let done = talk.done();
            talk.cancel();
            let _ = talk.await;
            server.close().await.unwrap();
            tulip::sleep(Duration::from_millis(1)).await;
            let alive = SERVED.with(|s| s.borrow_mut().drain(..).filter(|w| w.upgrade().is_some()).count());
            assert_eq!(alive, 0, "a WebSocket outlived its server (cancelled after {steps} steps)");
            assert!(tulip::all_tasks().len() <= 1, "tasks left after {steps} steps: {}", tulip::all_tasks().len());
            if done {
                println!("finished after {steps} steps");
                finished += 1;
                if finished > 2 {
                    break;
                }
            }
        }
        assert!(finished > 0, "the conversation never finished");
    });
    assert_eq!(open_fds(), baseline, "descriptors leaked");
}
