//! `sock_read` limits reading only (aiohttp's): a slow streamed upload
//! whose whole takes longer than it is not cut off, while the wait for
//! the answer after the upload still is.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Read;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::script::{read_head, send, Script};
use futures_lite::AsyncWriteExt;
use tulip::http::{Body, ClientConnectionError, ClientError, ClientSession, ClientTimeout, ServerTimeoutKind};

const SOCK_READ: Duration = Duration::from_millis(400);

/// Reads a chunked body to its last chunk.
fn read_chunked(s: &mut TcpStream) {
    let mut got = Vec::new();
    let mut b = [0u8; 1024];
    while !got.ends_with(b"0\r\n\r\n") {
        match s.read(&mut b) {
            Ok(0) | Err(_) => return,
            Ok(n) => got.extend_from_slice(&b[..n]),
        }
    }
}

/// A body of six chunks, 150 ms apart: each well within `SOCK_READ`,
/// the whole (~900 ms) over it.
fn slow_body() -> Body {
    let (mut tx, rx) = tulip::net::duplex(64);
    drop(tulip::create_task(async move {
        for _ in 0..6 {
            tulip::sleep(Duration::from_millis(150)).await;
            tx.write_all(b"chunk").await.unwrap();
        }
    }));
    Body::from_reader(rx)
}

fn timeout() -> ClientTimeout {
    ClientTimeout { sock_read: Some(SOCK_READ), total: Some(Duration::from_secs(30)), ..ClientTimeout::default() }
}

#[test]
fn a_slow_upload_is_not_cut_off_by_sock_read() {
    let srv = Script::start(|mut s, _| {
        read_head(&mut s);
        read_chunked(&mut s);
        send(&mut s, b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nuploaded");
    });
    tulip::run(async move {
        let session = ClientSession::new();
        let start = Instant::now();
        let mut r = session.post(srv.url("/")).body(slow_body()).timeout(timeout()).send().await.unwrap();
        assert!(start.elapsed() >= Duration::from_millis(800), "the upload was not slow: {:?}", start.elapsed());
        assert_eq!(r.text().await.unwrap(), "uploaded");
        session.close().await;
    });
}

#[test]
fn sock_read_still_limits_the_wait_for_the_answer_after_the_upload() {
    let srv = Script::start(|mut s, _| {
        read_head(&mut s);
        read_chunked(&mut s);
        std::thread::sleep(Duration::from_secs(3));
        send(&mut s, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    });
    tulip::run(async move {
        let session = ClientSession::new();
        let start = Instant::now();
        let err = session.post(srv.url("/")).body(slow_body()).timeout(timeout()).send().await.unwrap_err();
        let ClientError::Connection(ClientConnectionError::ServerTimeout(e)) = &err else { panic!("{err:?}") };
        assert_eq!(e.kind, ServerTimeoutKind::SockRead);
        let took = start.elapsed();
        // The upload (~900 ms), then sock_read of silence; not the 3 s.
        assert!(took >= Duration::from_millis(800) + SOCK_READ, "{took:?}");
        assert!(took < Duration::from_millis(2800), "{took:?}");
        session.close().await;
    });
}
