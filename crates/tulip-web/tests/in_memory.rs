//! TestServer and TestClient in memory, on a virtual clock: long sleeps,
//! client timeouts and the server's own timeouts pass in virtual time while
//! the wall clock hardly moves; a pipe's end dropped is a client gone.

#![allow(clippy::unwrap_used)]

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use futures_lite::{AsyncReadExt, AsyncWriteExt};
use tulip::web::{self, AppRunner, Application, Request, Response, TestClient, TestServer};

/// Generous: the machine is shared; an hour of real waiting is far above.
const WALL_LIMIT: Duration = Duration::from_secs(5);

fn virtual_loop() -> tulip::EventLoop {
    tulip::EventLoop::builder().virtual_clock().build().unwrap()
}

fn now() -> Instant {
    tulip::get_running_loop().time()
}

fn app() -> Application {
    let mut app = Application::new();
    app.add_routes([
        web::get("/", |_: Request| async { Response::text("hi") }),
        web::get("/hour", |_: Request| async {
            tulip::sleep(Duration::from_secs(3600)).await;
            Response::text("an hour later")
        }),
        web::get("/who", |r: Request| async move { Response::text(r.remote().unwrap_or("-").to_string()) }),
    ]);
    app
}

/// Reads until the server closes; the bytes and how long it took (loop time).
async fn read_until_closed(conn: &mut tulip::net::DuplexStream) -> (String, Duration) {
    let start = now();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match conn.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    (String::from_utf8_lossy(&out).into_owned(), now() - start)
}

#[test]
fn a_handler_sleeping_an_hour_answers_at_once() {
    let wall = Instant::now();
    let (text, took) = virtual_loop().run_until_complete(async {
        let client = TestClient::in_memory(app()).await.unwrap();
        assert!(client.server().is_in_memory());
        let start = now();
        let text = client.get("/hour").await.unwrap().text();
        let took = now() - start;
        // The same kept-alive connection serves the next request.
        assert_eq!(client.get("/").await.unwrap().text(), "hi");
        assert_eq!(client.server().runner().connections(), 1);
        client.close().await;
        (text, took)
    });
    assert_eq!(text, "an hour later");
    assert!(took >= Duration::from_secs(3600), "{took:?}");
    assert!(wall.elapsed() < WALL_LIMIT, "{:?}", wall.elapsed());
}

#[test]
fn a_client_timeout_of_30_virtual_seconds_fires_against_an_hour() {
    let wall = Instant::now();
    virtual_loop().run_until_complete(async {
        let client = TestClient::in_memory(app()).await.unwrap();
        let start = now();
        let r = tulip::wait_for(client.get("/hour"), Some(Duration::from_secs(30))).await;
        let took = now() - start;
        assert!(r.is_err(), "the hour-long handler answered within 30 s");
        assert!(took >= Duration::from_secs(30) && took < Duration::from_secs(60), "{took:?}");
        // The cancelled request's connection is not reused half-way; a new
        // request gets a fresh answer.
        assert_eq!(client.get("/").await.unwrap().text(), "hi");
        client.close().await;
    });
    assert!(wall.elapsed() < WALL_LIMIT, "{:?}", wall.elapsed());
}

/// Dribbles a head a byte a virtual second until the server closes; it
/// must close at the 10 s header timeout, though each byte comes well
/// inside the keep-alive timeout.
async fn assert_cut_at_the_header_timeout(slow: &mut tulip::net::DuplexStream) {
    let start = now();
    for b in b"GET / HTTP/1.1\r\nHost: t\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" {
        if slow.write_all(&[*b]).await.is_err() {
            break;
        }
        tulip::sleep(Duration::from_secs(1)).await;
    }
    let took = now() - start;
    assert!(took >= Duration::from_secs(10) && took < Duration::from_secs(20), "slowloris cut after {took:?}");
}

/// aiohttp's 75 s keep-alive: an idle connection closes after it, in
/// virtual time; a silent new connection closes at the header timeout.
#[test]
fn keep_alive_and_header_timeouts_run_on_virtual_time() {
    let wall = Instant::now();
    virtual_loop().run_until_complete(async {
        let server = TestServer::in_memory(app()).await.unwrap();
        let mut idle = server.connect_in_memory().unwrap();
        idle.write_all(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n").await.unwrap();
        let (out, took) = read_until_closed(&mut idle).await;
        assert!(out.starts_with("HTTP/1.1 200 OK") && out.ends_with("hi"), "{out}");
        assert!(took >= Duration::from_secs(75) && took < Duration::from_secs(90), "idle closed after {took:?}");

        let mut silent = server.connect_in_memory().unwrap();
        let (out, took) = read_until_closed(&mut silent).await;
        assert!(out.is_empty(), "{out}");
        assert!(took >= Duration::from_secs(10) && took < Duration::from_secs(20), "silent closed after {took:?}");

        // A head begun but never finished: cut at the header timeout too,
        // though each byte comes well inside the keep-alive timeout.
        let mut slow = server.connect_in_memory().unwrap();
        assert_cut_at_the_header_timeout(&mut slow).await;
        server.close().await.unwrap();
    });
    assert!(wall.elapsed() < WALL_LIMIT, "{:?}", wall.elapsed());
}

/// Reads one answer to `GET /` ("hi") from a kept-alive connection.
async fn read_hi(conn: &mut tulip::net::DuplexStream) -> String {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while !out.ends_with(b"hi") {
        let n = conn.read(&mut buf).await.unwrap();
        assert!(n > 0, "closed early: {}", String::from_utf8_lossy(&out));
        out.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A connection's timeouts share one timer entry that moves with each
/// request: the keep-alive limit counts from the last answer (not the
/// first), and a head begun later on the connection is still cut at the
/// header timeout (the entry moved earlier than the keep-alive deadline).
#[test]
fn a_kept_alive_connections_timeouts_follow_each_request() {
    let wall = Instant::now();
    virtual_loop().run_until_complete(async {
        let server = TestServer::in_memory(app()).await.unwrap();
        let mut idle = server.connect_in_memory().unwrap();
        for _ in 0..3 {
            // 60 s apart: past the first head's 10 s deadline and inside 75 s.
            idle.write_all(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n").await.unwrap();
            assert!(read_hi(&mut idle).await.starts_with("HTTP/1.1 200 OK"));
            tulip::sleep(Duration::from_secs(60)).await;
        }
        idle.write_all(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n").await.unwrap();
        read_hi(&mut idle).await;
        let (out, took) = read_until_closed(&mut idle).await;
        assert!(out.is_empty(), "{out}");
        assert!(took >= Duration::from_secs(75) && took < Duration::from_secs(90), "idle closed after {took:?}");

        let mut slow = server.connect_in_memory().unwrap();
        for _ in 0..2 {
            slow.write_all(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n").await.unwrap();
            read_hi(&mut slow).await;
            tulip::sleep(Duration::from_secs(30)).await;
        }
        assert_cut_at_the_header_timeout(&mut slow).await;
        server.close().await.unwrap();
    });
    assert!(wall.elapsed() < WALL_LIMIT, "{:?}", wall.elapsed());
}

/// Configured limits apply to in-memory connections as to sockets.
#[test]
fn a_runners_limits_hold_in_memory() {
    virtual_loop().run_until_complete(async {
        let runner = AppRunner::new(app()).with_keepalive_timeout(Duration::from_secs(5)).with_max_connections(1);
        let server = TestServer::in_memory_with(runner).await.unwrap();
        let mut first = server.connect_in_memory().unwrap();
        let mut second = server.connect_in_memory().unwrap();
        first.write_all(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n").await.unwrap();
        second.write_all(b"GET /who HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").await.unwrap();
        let start = now();
        let (out, took) = read_until_closed(&mut second).await;
        // The second waited for the only slot: the first's 5 s keep-alive.
        assert!(out.ends_with("127.0.0.1"), "{out}");
        assert!(took >= Duration::from_secs(5) && took < Duration::from_secs(10), "{took:?}");
        let (first_out, _) = read_until_closed(&mut first).await;
        assert!(first_out.ends_with("hi"));
        assert!(now() - start < Duration::from_secs(10));
        server.close().await.unwrap();
    });
}

/// Dropping the client's end mid-request is a disconnect: the handler is
/// cancelled at its await (its destructors run), in virtual time.
#[test]
fn dropping_the_pipe_cancels_the_handler() {
    struct Dropped(Rc<Cell<bool>>);
    impl Drop for Dropped {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }
    let dropped = Rc::new(Cell::new(false));
    let (d, started) = (dropped.clone(), Rc::new(Cell::new(false)));
    let s = started.clone();
    let mut app = Application::new();
    app.add_routes([web::get("/", move |_: Request| {
        let (guard, s) = (Dropped(d.clone()), s.clone());
        async move {
            s.set(true);
            let _guard = guard;
            tulip::sleep(Duration::from_secs(3600)).await;
            Response::text("never")
        }
    })]);
    let wall = Instant::now();
    virtual_loop().run_until_complete(async move {
        let server = TestServer::in_memory(app).await.unwrap();
        let mut conn = server.connect_in_memory().unwrap();
        conn.write_all(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n").await.unwrap();
        while !started.get() {
            tulip::sleep(Duration::from_secs(1)).await;
        }
        assert!(!dropped.get());
        drop(conn);
        tulip::sleep(Duration::from_secs(1)).await;
        assert!(dropped.get(), "the handler outlived its client");
        assert_eq!(server.runner().connections(), 0);
        server.close().await.unwrap();
    });
    assert!(wall.elapsed() < WALL_LIMIT, "{:?}", wall.elapsed());
}

/// Closing the server ends its idle in-memory connections (EOF to the
/// client) and refuses new ones.
#[test]
fn closing_the_server_ends_its_pipes() {
    virtual_loop().run_until_complete(async {
        let server = TestServer::in_memory(app()).await.unwrap();
        let mut conn = server.connect_in_memory().unwrap();
        conn.write_all(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n").await.unwrap();
        let mut head = [0u8; 17];
        conn.read_exact(&mut head).await.unwrap();
        assert_eq!(&head, b"HTTP/1.1 200 OK\r\n");
        let start = now();
        let reader = tulip::create_task(async move { read_until_closed(&mut conn).await });
        tulip::sleep(Duration::from_secs(1)).await;
        server.close().await.unwrap();
        let (rest, _) = reader.await.unwrap();
        assert!(rest.ends_with("hi"), "{rest}");
        // Well before the 75 s keep-alive: the shutdown closed it.
        assert!(now() - start < Duration::from_secs(70));
    });
    virtual_loop().run_until_complete(async {
        let mut runner = AppRunner::new(app());
        runner.setup().await.unwrap();
        runner.cleanup().await.unwrap();
        let (_client, server_end) = tulip::net::duplex(16);
        assert!(matches!(runner.serve_connection(server_end, None), Err(web::WebError::NotSetUp)));
    });
}

/// A TCP TestServer takes in-memory connections too, and its TestClient
/// still goes over the socket (`remote` is the socket's peer).
#[test]
fn a_tcp_server_serves_pipes_as_well() {
    tulip::run(async {
        let client = TestClient::start(app()).await.unwrap();
        assert!(!client.server().is_in_memory());
        assert_eq!(client.get("/who").await.unwrap().text(), "127.0.0.1");
        let mut conn = client.server().connect_in_memory().unwrap();
        conn.write_all(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").await.unwrap();
        let (out, _) = read_until_closed(&mut conn).await;
        assert!(out.starts_with("HTTP/1.1 200 OK") && out.ends_with("hi"), "{out}");
        client.close().await;
    });
}

/// The real client against an in-memory server: its own timeouts run on
/// the virtual clock too (aiohttp's default total of 300 s against an
/// hour-long handler), and its pool reuses the pipe.
#[test]
fn a_client_session_talks_to_an_in_memory_server() {
    use tulip::http::{ClientError, ClientSession, TcpConnector};
    let wall = Instant::now();
    virtual_loop().run_until_complete(async {
        let server = TestServer::in_memory(app()).await.unwrap();
        let pipes = server.connector();
        let connector =
            TcpConnector::builder().connect_with(move |_host, _port| std::future::ready(pipes.connect())).build();
        let session = ClientSession::builder().connector(connector).build().unwrap();
        let mut r = session.get(server.make_url("/who")).send().await.unwrap();
        assert_eq!(r.text().await.unwrap(), "127.0.0.1");
        assert_eq!(session.get(server.make_url("/")).send().await.unwrap().text().await.unwrap(), "hi");
        assert_eq!(server.runner().connections(), 1, "the pool kept one pipe");
        let start = now();
        let err = session.get(server.make_url("/hour")).send().await.unwrap_err();
        let took = now() - start;
        assert!(matches!(err, ClientError::Timeout(_)), "{err:?}");
        assert!(took >= Duration::from_secs(300) && took < Duration::from_secs(330), "{took:?}");
        session.close().await;
        server.close().await.unwrap();
        // Closed: the connector's opener fails, as a refused connection.
        let err = session_after_close().await;
        assert!(matches!(err, ClientError::Connection(_)), "{err:?}");
    });
    assert!(wall.elapsed() < WALL_LIMIT, "{:?}", wall.elapsed());
}

async fn session_after_close() -> tulip::http::ClientError {
    use tulip::http::{ClientSession, TcpConnector};
    let server = TestServer::in_memory(app()).await.unwrap();
    let pipes = server.connector();
    server.close().await.unwrap();
    let connector =
        TcpConnector::builder().connect_with(move |_host, _port| std::future::ready(pipes.connect())).build();
    let session = ClientSession::builder().connector(connector).build().unwrap();
    let err = session.get("http://127.0.0.1:0/").send().await.unwrap_err();
    session.close().await;
    err
}
