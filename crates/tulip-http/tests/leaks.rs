//! Nothing leaks: after faults, timeouts, cancellations and a close, the
//! process has the file descriptors it had before.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::script::{read_head, send, until_closed, Script};
use common::{fd_count, PyServer};
use tulip::http::{ClientSession, ClientTimeout, TcpConnector};

/// The tests of this file take turns: fds are counted process-wide.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn fds_return_to_baseline_after_faults_and_close() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let py = PyServer::http();
    let garbage = Script::start(|mut s, _| {
        read_head(&mut s);
        send(&mut s, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
        until_closed(&mut s);
    });
    let short = Script::start(|mut s, _| {
        read_head(&mut s);
        send(&mut s, b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort");
    });
    let silent = Script::start(|mut s, _| {
        read_head(&mut s);
        until_closed(&mut s);
    });
    let baseline = fd_count();
    let servers = std::rc::Rc::new((py, garbage, short, silent));
    let shared = std::rc::Rc::clone(&servers);
    tulip::run(async move {
        let (py, garbage, short, silent) = &*shared;
        let connector = TcpConnector::builder().limit(4).build();
        let s = ClientSession::builder().connector(connector).build().unwrap();
        for _ in 0..3 {
            // Good requests, kept alive, some dropped half-read.
            s.get(py.url("/json")).send().await.unwrap().read().await.unwrap();
            drop(s.get(py.url("/gzip")).send().await.unwrap());
            s.get(py.url("/redirect/2")).send().await.unwrap().read().await.unwrap();
            assert_eq!(s.connector().idle(), 1, "the good connection was kept");
            // Faults.
            assert!(s.get(garbage.url("/")).send().await.unwrap().read().await.is_err());
            assert!(s.get(short.url("/")).send().await.unwrap().read().await.is_err());
            let t = ClientTimeout { sock_read: Some(Duration::from_millis(50)), ..ClientTimeout::default() };
            assert!(s.get(silent.url("/")).timeout(t).send().await.is_err());
            // A request cancelled mid-flight.
            let task = {
                let (s, url) = (s.clone(), py.url("/sleep?ms=500"));
                tulip::create_task(async move { s.get(url).send().await.map(|_| ()) })
            };
            tulip::sleep(Duration::from_millis(50)).await;
            task.cancel();
            let _ = task.await;
        }
        assert_eq!(s.connector().acquired(), 0);
        s.close().await;
        assert_eq!(s.connector().idle(), 0);
        // Let the connections' driver tasks finish closing.
        tulip::sleep(Duration::from_millis(50)).await;
    });
    let (_py, garbage, short, silent) = &*servers;
    garbage.wait_idle();
    short.wait_idle();
    silent.wait_idle();
    assert_eq!(fd_count(), baseline, "every socket closed");
}

#[test]
fn idle_connections_close_after_keepalive_timeout() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let py = PyServer::http();
    tulip::run(async move {
        let c = TcpConnector::builder().keepalive_timeout(Duration::from_millis(200)).build();
        let s = ClientSession::builder().connector(c).build().unwrap();
        s.get(py.url("/json")).send().await.unwrap().read().await.unwrap();
        assert_eq!(s.connector().idle(), 1);
        tulip::sleep(Duration::from_millis(600)).await;
        assert_eq!(s.connector().idle(), 0, "expired by the cleanup timer");
        s.close().await;
    });
}

#[test]
fn a_connection_reused_and_released_again_still_expires() {
    // The cleanup task runs while the one connection is out again (the
    // pool is empty then) and outlives that; the connection released
    // after it must still be closed when its keep-alive runs out.
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let py = PyServer::http();
    tulip::run(async move {
        let c = TcpConnector::builder().keepalive_timeout(Duration::from_millis(200)).build();
        let s = ClientSession::builder().connector(c).build().unwrap();
        for _ in 0..3 {
            s.get(py.url("/json")).send().await.unwrap().read().await.unwrap();
        }
        assert_eq!(s.connector().idle(), 1);
        tulip::sleep(Duration::from_millis(150)).await;
        s.get(py.url("/json")).send().await.unwrap().read().await.unwrap();
        assert_eq!(s.connector().idle(), 1, "still alive, reused");
        tulip::sleep(Duration::from_millis(700)).await;
        assert_eq!(s.connector().idle(), 0, "expired by the cleanup timer");
        s.close().await;
    });
}
