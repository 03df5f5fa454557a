//! The limits and refusals hyper leaves to a server, checked with raw
//! bytes over a TcpStream.

#![allow(clippy::unwrap_used)]

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use futures_lite::{AsyncReadExt, AsyncWriteExt};
use tulip::web::{self, AppRunner, Application, Request, Response, TestServer};

async fn hello(request: Request) -> Response {
    let name = request.match_info().get("name").unwrap_or("Anonymous");
    Response::text(format!("Hello, {name}"))
}

async fn echo(mut request: Request) -> web::Result<Response> {
    Ok(Response::text(request.text().await?))
}

fn app() -> Application {
    let mut app = Application::new();
    app.add_routes([web::get("/", hello), web::get("/{name}", hello), web::post("/echo", echo)]);
    app
}

/// Sends `raw`, then reads until the server closes (or `limit` passes).
async fn exchange(server: &TestServer, raw: &[u8], limit: Duration) -> (String, bool) {
    let mut tcp = tulip::TcpStream::connect(server.addr()).await.unwrap();
    tcp.write_all(raw).await.unwrap();
    let mut out = Vec::new();
    let closed = tulip::timeout(limit, async {
        let mut buf = [0u8; 4096];
        loop {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .is_ok();
    (String::from_utf8_lossy(&out).into_owned(), closed)
}

fn status_lines(s: &str) -> Vec<&str> {
    s.lines().filter(|l| l.starts_with("HTTP/1.1 ")).collect()
}

/// Each smuggling shape: a 400, then the connection closes, and the
/// request after it in the same bytes is never answered.
#[test]
fn smuggling_shapes_get_400_and_close() {
    let cases: &[(&str, &[u8])] = &[
        (
            "CL+TE",
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
        ),
        ("two CLs", b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabcGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("differing CLs", b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 30\r\n\r\nabcGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("obs-fold", b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("bare CR", b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("no Host", b"GET / HTTP/1.1\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("two Hosts", b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("TE not chunked", b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nabcGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"),
        (
            "broken chunked",
            b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
        ),
    ];
    tulip::run(async move {
        let server = TestServer::start(app()).await.unwrap();
        for (name, raw) in cases {
            let (out, closed) = exchange(&server, raw, Duration::from_secs(10)).await;
            assert!(closed, "{name}: the connection stays open");
            assert_eq!(status_lines(&out), ["HTTP/1.1 400 Bad Request"], "{name}: {out}");
            assert!(!out.contains("smuggled"), "{name}: {out}");
        }
        server.close().await.unwrap();
    });
}

#[test]
fn http10_without_host_is_served() {
    tulip::run(async {
        let server = TestServer::start(app()).await.unwrap();
        let (out, closed) = exchange(&server, b"GET /ann HTTP/1.0\r\n\r\n", Duration::from_secs(10)).await;
        assert!(closed);
        assert!(out.starts_with("HTTP/1.0 200 OK\r\n") || out.starts_with("HTTP/1.1 200 OK\r\n"), "{out}");
        assert!(out.ends_with("Hello, ann"));
        server.close().await.unwrap();
    });
}

#[test]
fn a_head_over_16k_is_431() {
    tulip::run(async {
        let server = TestServer::start(app()).await.unwrap();
        let big = format!("GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n", "a".repeat(17 * 1024));
        let (out, closed) = exchange(&server, big.as_bytes(), Duration::from_secs(10)).await;
        assert!(closed);
        assert!(out.starts_with("HTTP/1.1 431 "), "{out}");
        // Just under the limit is fine.
        let ok = format!("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: {}\r\n\r\n", "a".repeat(15 * 1024));
        let (out, _) = exchange(&server, ok.as_bytes(), Duration::from_secs(10)).await;
        assert!(out.starts_with("HTTP/1.1 200 OK"), "{out}");
        server.close().await.unwrap();
    });
}

/// A head dribbled one byte at a time is cut off at the header read
/// timeout, although each byte arrives well inside the keep-alive timeout.
#[test]
fn slowloris_is_cut_off_by_the_header_read_timeout() {
    tulip::run(async {
        let runner = AppRunner::new(app())
            .with_header_read_timeout(Duration::from_millis(300))
            .with_keepalive_timeout(Duration::from_secs(30));
        let server = TestServer::start_with(runner).await.unwrap();
        let mut tcp = tulip::TcpStream::connect(server.addr()).await.unwrap();
        let start = Instant::now();
        let head = b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        let mut cut = false;
        for b in head {
            if tcp.write_all(&[*b]).await.is_err() {
                cut = true;
                break;
            }
            tulip::sleep(Duration::from_millis(50)).await;
            let mut buf = [0u8; 64];
            // A closed socket reads 0 (or an error) at once.
            if let Ok(r) = tulip::timeout(Duration::from_millis(1), tcp.read(&mut buf)).await {
                if matches!(r, Ok(0) | Err(_)) {
                    cut = true;
                    break;
                }
            }
        }
        let took = start.elapsed();
        assert!(cut, "the dribbling client was never cut off");
        assert!(took >= Duration::from_millis(300), "cut off early: {took:?}");
        assert!(took < Duration::from_secs(3), "cut off late: {took:?}");
        server.close().await.unwrap();
    });
}

/// A connection that never sends a byte is closed at the header timeout;
/// an idle kept-alive one lasts the keep-alive timeout.
#[test]
fn silent_and_idle_connections_close_at_their_timeouts() {
    tulip::run(async {
        let runner = AppRunner::new(app())
            .with_header_read_timeout(Duration::from_millis(200))
            .with_keepalive_timeout(Duration::from_millis(1500));
        let server = TestServer::start_with(runner).await.unwrap();
        let t = Instant::now();
        let (out, closed) = exchange(&server, b"", Duration::from_secs(5)).await;
        assert!(closed && out.is_empty());
        let silent = t.elapsed();
        let t = Instant::now();
        let (out, closed) = exchange(&server, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", Duration::from_secs(10)).await;
        let idle = t.elapsed();
        assert!(closed);
        assert_eq!(status_lines(&out), ["HTTP/1.1 200 OK"]);
        assert!(silent >= Duration::from_millis(200) && silent < Duration::from_millis(1400), "{silent:?}");
        assert!(idle >= Duration::from_millis(1500), "idle connection closed after {idle:?}");
        assert!(idle < Duration::from_secs(8), "{idle:?}");
        server.close().await.unwrap();
    });
}

/// At the connection cap, a further client waits in the backlog until a
/// connection closes.
#[test]
fn the_connection_cap_pauses_accepting() {
    tulip::run(async {
        let server = TestServer::start_with(AppRunner::new(app()).with_max_connections(2)).await.unwrap();
        let a = tulip::TcpStream::connect(server.addr()).await.unwrap();
        let b = tulip::TcpStream::connect(server.addr()).await.unwrap();
        let mut c = tulip::TcpStream::connect(server.addr()).await.unwrap();
        c.write_all(b"GET /c HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
        let mut buf = [0u8; 256];
        let early = tulip::timeout(Duration::from_millis(300), c.read(&mut buf)).await;
        assert!(early.is_err(), "the third connection was served past the cap");
        assert_eq!(server.runner().connections(), 2);
        drop(a);
        let n = tulip::timeout(Duration::from_secs(5), c.read(&mut buf)).await.unwrap().unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).ends_with("Hello, c"));
        drop(b);
        server.close().await.unwrap();
    });
}

/// A panicking handler: 500 to its client, a report to the loop's
/// exception handler, and the next request is served.
#[test]
fn a_panicking_handler_is_a_500_and_a_report() {
    tulip::run(async {
        let reports = Rc::new(std::cell::RefCell::new(Vec::new()));
        let r = reports.clone();
        tulip::get_running_loop().set_exception_handler(move |ctx| {
            r.borrow_mut().push(format!(
                "{}: {}",
                ctx.message,
                ctx.exception.as_ref().map(|e| e.to_string()).unwrap_or_default()
            ))
        });
        let mut app = app();
        app.add_routes([web::get("/boom/now", |_: Request| async {
            if true {
                panic!("handler exploded");
            }
            Response::new()
        })]);
        let client = web::TestClient::start(app).await.unwrap();
        let resp = client.get("/boom/now").await.unwrap();
        assert_eq!(resp.status(), 500);
        assert_eq!(resp.text(), "500: Internal Server Error");
        assert_eq!(*reports.borrow(), ["Error handling request: handler exploded"]);
        assert_eq!(client.get("/still").await.unwrap().text(), "Hello, still");
        client.close().await;
    });
}

/// A client that disconnects mid-request cancels its handler (the
/// handler's future is dropped at its await).
#[test]
fn a_disconnecting_client_cancels_its_handler() {
    struct Dropped(Rc<Cell<bool>>);
    impl Drop for Dropped {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }
    tulip::run(async {
        let dropped = Rc::new(Cell::new(false));
        let finished = Rc::new(Cell::new(false));
        let (d, f) = (dropped.clone(), finished.clone());
        let mut app = Application::new();
        app.add_routes([web::get("/slow", move |_: Request| {
            let (d, f) = (d.clone(), f.clone());
            async move {
                let _guard = Dropped(d);
                tulip::sleep(Duration::from_secs(5)).await;
                f.set(true);
                Response::text("late")
            }
        })]);
        let server = TestServer::start(app).await.unwrap();
        let mut tcp = tulip::TcpStream::connect(server.addr()).await.unwrap();
        tcp.write_all(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
        tulip::sleep(Duration::from_millis(100)).await;
        drop(tcp);
        let deadline = Instant::now() + Duration::from_secs(3);
        while !dropped.get() && Instant::now() < deadline {
            tulip::sleep(Duration::from_millis(10)).await;
        }
        assert!(dropped.get(), "the handler kept running after its client left");
        assert!(!finished.get());
        server.close().await.unwrap();
    });
}
