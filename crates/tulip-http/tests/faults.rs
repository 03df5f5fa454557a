//! A scripted fault server: each misbehaviour gives the right error,
//! promptly, and leaves the pool empty.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::script::{read_head, send, until_closed, Script};
use tulip::http::{
    ClientConnectionError, ClientError, ClientSession, ClientTimeout, InvalidUrlKind, ServerTimeoutKind,
};

const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

/// A session whose total timeout would be the last resort (30 s): each
/// error below must come well before it.
fn session() -> ClientSession {
    let t = ClientTimeout { total: Some(Duration::from_secs(30)), ..ClientTimeout::default() };
    ClientSession::builder().timeout(t).build().unwrap()
}

fn prompt(start: Instant) {
    assert!(start.elapsed() < Duration::from_secs(5), "took {:?}", start.elapsed());
}

fn after_close(s: &ClientSession) {
    assert_eq!(s.connector().acquired(), 0, "no connection held");
    assert_eq!(s.connector().idle(), 0, "pool empty after close");
}

#[test]
fn slow_headers_hit_sock_read() {
    let srv = Script::start(|mut s, _| {
        read_head(&mut s);
        std::thread::sleep(Duration::from_secs(3));
        send(&mut s, OK);
    });
    tulip::run(async move {
        let s = session();
        let t = ClientTimeout { sock_read: Some(Duration::from_millis(200)), ..ClientTimeout::default() };
        let start = Instant::now();
        let err = s.get(srv.url("/")).timeout(t).send().await.unwrap_err();
        let ClientError::Connection(ClientConnectionError::ServerTimeout(e)) = &err else { panic!("{err:?}") };
        assert_eq!(e.kind, ServerTimeoutKind::SockRead);
        prompt(start);
        s.close().await;
        after_close(&s);
    });
}

#[test]
fn slow_body_hits_sock_read_between_chunks() {
    let srv = Script::start(|mut s, _| {
        read_head(&mut s);
        send(&mut s, b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
        std::thread::sleep(Duration::from_secs(3));
    });
    tulip::run(async move {
        let s = session();
        let t = ClientTimeout { sock_read: Some(Duration::from_millis(200)), ..ClientTimeout::default() };
        let start = Instant::now();
        let mut r = s.get(srv.url("/")).timeout(t).send().await.unwrap();
        let err = r.read().await.unwrap_err();
        assert!(err.is_timeout(), "{err:?}");
        prompt(start);
        drop(r);
        s.close().await;
        after_close(&s);
    });
}

#[test]
fn reset_mid_body_is_a_payload_error() {
    let srv = Script::start(|mut s, _| {
        // Unread request bytes make the kernel answer the close with RST.
        let mut b = [0u8; 4];
        let _ = std::io::Read::read(&mut s, &mut b);
        send(&mut s, b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n");
        send(&mut s, &[b'x'; 1000]);
        std::thread::sleep(Duration::from_millis(50));
    });
    tulip::run(async move {
        let s = session();
        let start = Instant::now();
        let result = async { s.get(srv.url("/")).send().await?.read().await }.await;
        let err = result.unwrap_err();
        assert!(err.is_payload() || err.is_connection(), "{err:?}");
        prompt(start);
        s.close().await;
        after_close(&s);
    });
}

#[test]
fn short_content_length_is_a_payload_error() {
    let srv = Script::start(|mut s, _| {
        read_head(&mut s);
        send(&mut s, b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b");
    });
    tulip::run(async move {
        let s = session();
        let start = Instant::now();
        let mut r = s.get(srv.url("/")).send().await.unwrap();
        let err = r.read().await.unwrap_err();
        let ClientError::Payload(p) = &err else { panic!("{err:?}") };
        assert!(p.message.contains("not completed"), "{p}");
        prompt(start);
        drop(r);
        s.close().await;
        after_close(&s);
    });
}

#[test]
fn chunked_garbage_fails_promptly_not_at_the_total_timeout() {
    let srv = Script::start(|mut s, _| {
        read_head(&mut s);
        send(&mut s, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\ngood\r\nzz;\r\nbad\r\n");
        // Keep the connection open: only the parser can end this.
        until_closed(&mut s);
    });
    tulip::run(async move {
        let s = session();
        let start = Instant::now();
        let mut r = s.get(srv.url("/")).send().await.unwrap();
        let err = r.read().await.unwrap_err();
        assert!(err.is_payload(), "{err:?}");
        prompt(start);
        drop(r);
        s.close().await;
        after_close(&s);
    });
}

#[test]
fn a_redirect_loop_is_too_many_redirects() {
    let srv = Script::start(|mut s, _| {
        while read_head(&mut s) {
            send(&mut s, b"HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n");
        }
    });
    tulip::run(async move {
        let s = session();
        let err = s.get(srv.url("/")).send().await.unwrap_err();
        assert!(matches!(err, ClientError::TooManyRedirects(_)), "{err:?}");
        assert_eq!(srv.accepted(), 1, "the loop ran on one kept-alive connection");
        s.close().await;
        after_close(&s);
    });
}

#[test]
fn a_megabyte_header_is_refused() {
    let srv = Script::start(|mut s, _| {
        read_head(&mut s);
        send(&mut s, b"HTTP/1.1 200 OK\r\nX-Big: ");
        send(&mut s, &vec![b'a'; 1 << 20]);
        send(&mut s, b"\r\nContent-Length: 0\r\n\r\n");
    });
    tulip::run(async move {
        let s = session();
        let start = Instant::now();
        let err = s.get(srv.url("/")).send().await.unwrap_err();
        let ClientError::Response(e) = &err else { panic!("{err:?}") };
        assert_eq!(e.status, 400);
        assert!(e.message.contains("too large"), "{}", e.message);
        prompt(start);
        s.close().await;
        after_close(&s);
    });
}

#[test]
fn a_dead_kept_alive_connection_is_retried_once_for_get_only() {
    // Connection 0 answers once, then reads the next request and closes
    // without answering (the server dropped the idle connection just as
    // the client reused it); later connections answer normally.
    let srv = Script::start(|mut s, n| {
        read_head(&mut s);
        send(&mut s, OK);
        if n == 0 || n == 2 {
            read_head(&mut s);
            return;
        }
        while read_head(&mut s) {
            send(&mut s, OK);
        }
    });
    tulip::run(async move {
        let s = session();
        assert_eq!(s.get(srv.url("/")).send().await.unwrap().text().await.unwrap(), "ok");
        let mut r = s.get(srv.url("/")).send().await.unwrap();
        assert_eq!(r.text().await.unwrap(), "ok");
        assert_eq!(srv.accepted(), 2, "retried on a new connection");
        s.close().await;

        // A POST is not idempotent: the same failure is reported.
        let s = session();
        s.get(srv.url("/")).send().await.unwrap().text().await.unwrap();
        let err = s.post(srv.url("/")).body("x").send().await.unwrap_err();
        assert!(err.is_connection(), "{err:?}");
        s.close().await;
        after_close(&s);
    });
}

#[test]
fn header_injection_is_refused_before_connecting() {
    let srv = Script::start(|mut s, _| {
        read_head(&mut s);
        send(&mut s, OK);
    });
    tulip::run(async move {
        let s = session();
        let err = s.get(srv.url("/")).header("X-A", "v\r\nInjected: 1").send().await.unwrap_err();
        assert!(matches!(err, ClientError::InvalidHeader(_)), "{err:?}");
        let err = s.get(srv.url("/")).header("Bad Name", "v").send().await.unwrap_err();
        assert!(matches!(err, ClientError::InvalidHeader(_)), "{err:?}");
        assert!(ClientSession::builder().header("X", "a\nb").build().is_err());
        assert_eq!(srv.accepted(), 0, "nothing was sent");
        s.close().await;
    });
}

#[test]
fn malformed_urls_and_refused_connections() {
    tulip::run(async {
        let s = session();
        for bad in ["http://", "not a url", "ftp://example.com/", "http://exa mple.com/", "mailto:x@y"] {
            let err = s.get(bad).send().await.unwrap_err();
            let ClientError::InvalidURL(e) = &err else { panic!("{bad}: {err:?}") };
            assert_eq!(e.kind, InvalidUrlKind::Url);
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let err = s.get(format!("http://127.0.0.1:{port}/")).send().await.unwrap_err();
        let ClientError::Connection(ClientConnectionError::Connector(e)) = &err else { panic!("{err:?}") };
        assert_eq!((e.host.as_str(), e.port), ("127.0.0.1", port));
        assert!(err.to_string().starts_with(&format!("Cannot connect to host 127.0.0.1:{port} ssl:False [")));
        assert!(s.get("http://no-such-host.invalid/").send().await.unwrap_err().is_connection());
        s.close().await;
        after_close(&s);
    });
}

#[test]
fn sock_connect_limits_a_connect_that_never_completes() {
    use std::os::fd::AsRawFd;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    // A backlog of 0 and fillers that are never accepted: the kernel drops
    // further SYNs, so a connect hangs (no route off the machine needed).
    // SAFETY: the fd is the listener's, open for the whole call; listen()
    // only changes its backlog.
    assert_eq!(unsafe { libc::listen(listener.as_raw_fd(), 0) }, 0);
    let fillers: Vec<_> =
        (0..3).filter_map(|_| std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).ok()).collect();
    tulip::run(async move {
        let s = session();
        let t = ClientTimeout { sock_connect: Some(Duration::from_millis(300)), ..ClientTimeout::default() };
        let start = Instant::now();
        let err = s.get(format!("http://{addr}/")).timeout(t).send().await.unwrap_err();
        let ClientError::Connection(ClientConnectionError::ServerTimeout(e)) = &err else { panic!("{err:?}") };
        assert_eq!(e.kind, ServerTimeoutKind::Connect);
        assert!(start.elapsed() >= Duration::from_millis(300));
        prompt(start);
        s.close().await;
        after_close(&s);
    });
    drop((fillers, listener));
}

#[test]
fn bad_gzip_is_a_payload_error_and_total_covers_the_body() {
    let srv = Script::start(|mut s, n| {
        read_head(&mut s);
        if n == 0 {
            send(&mut s, b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 8\r\n\r\nnotgzip!");
            until_closed(&mut s);
        } else {
            // The head at once, then a trickle slower than the total timeout.
            send(&mut s, b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
            for _ in 0..50 {
                send(&mut s, b"x");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    });
    tulip::run(async move {
        let s = session();
        let mut r = s.get(srv.url("/")).send().await.unwrap();
        let err = r.read().await.unwrap_err();
        let ClientError::Payload(p) = &err else { panic!("{err:?}") };
        assert!(p.message.contains("Can not decode content-encoding: gzip"), "{p}");
        drop(r);
        // The gzip body itself was framed correctly: its connection was
        // kept, and its script answers nothing more. A new session opens
        // a new connection.
        s.close().await;
        let s = session();
        let t = ClientTimeout { total: Some(Duration::from_millis(400)), ..ClientTimeout::default() };
        let start = Instant::now();
        let mut r = s.get(srv.url("/")).timeout(t).send().await.unwrap();
        let err = r.read().await.unwrap_err();
        assert!(matches!(err, ClientError::Timeout(_)), "{err:?}");
        assert!(start.elapsed() >= Duration::from_millis(400));
        prompt(start);
        drop(r);
        s.close().await;
        after_close(&s);
    });
}
