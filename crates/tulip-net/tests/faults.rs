//! Faults and peers not covered in `io_tcp.rs`: a reset connection, a tokio
//! server, Unix-socket streams, name resolution, an undrained writer.
#![allow(clippy::unwrap_used)]

mod common;

use common::echo_server;
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::time::Duration;
use tulip::{
    getaddrinfo, open_connection, open_unix_connection, start_server, start_unix_server, EventLoop, PeerName,
    StreamError,
};

#[test]
fn a_reset_connection_is_an_error_value_and_the_loop_goes_on() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (connected, go) = std::sync::mpsc::channel::<()>();
    let peer = std::thread::spawn(move || {
        let (s, _) = listener.accept().unwrap();
        // Reset only once the client has finished connecting (a reset that
        // beats the connect is the connect's error, another test's case).
        go.recv().unwrap();
        // Linger 0: close sends RST instead of FIN.
        socket2::SockRef::from(&s).set_linger(Some(Duration::ZERO)).unwrap();
        drop(s);
    });
    EventLoop::new().run_until_complete(async move {
        let (mut r, _w) = open_connection("127.0.0.1", addr.port()).await.unwrap();
        connected.send(()).unwrap();
        let e = r.read(16).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ConnectionReset, "{e:?}");
        // The loop still serves other connections.
        let server = echo_server().await;
        let (mut r, mut w) = open_connection("127.0.0.1", server.sockets()[0].port()).await.unwrap();
        w.write(b"still here\n").unwrap();
        assert_eq!(r.readline().await.unwrap(), b"still here\n");
        server.close();
    });
    peer.join().unwrap();
}

#[test]
fn tulip_client_talks_to_a_tokio_server() {
    let (tx, rx) = std::sync::mpsc::channel::<SocketAddr>();
    let server = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async move {
            use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            let (s, _) = listener.accept().await.unwrap();
            let (r, mut w) = s.into_split();
            let mut lines = BufReader::new(r).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                w.write_all(line.to_uppercase().as_bytes()).await.unwrap();
                w.write_all(b"\n").await.unwrap();
            }
        });
    });
    let addr = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    EventLoop::new().run_until_complete(async move {
        let (mut r, mut w) = open_connection("127.0.0.1", addr.port()).await.unwrap();
        w.writelines([&b"hello "[..], b"tokio\n", b"second\n"]).unwrap();
        w.drain().await.unwrap();
        assert_eq!(r.readline().await.unwrap(), b"HELLO TOKIO\n");
        assert_eq!(r.readline().await.unwrap(), b"SECOND\n");
        w.close();
        w.wait_closed().await.unwrap();
        // The tokio server ends the connection when it sees our EOF.
        assert_eq!(r.read(16).await.unwrap(), b"");
        assert!(r.at_eof());
    });
    server.join().unwrap();
}

#[test]
fn unix_socket_streams_echo_lines_and_report_eof() {
    let dir = std::env::temp_dir().join(format!("tulip-io-faults-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("echo.sock");
    let _ = std::fs::remove_file(&path);
    let p = path.clone();
    EventLoop::new().run_until_complete(async move {
        let server = start_unix_server(
            |mut r, mut w| async move {
                while let Ok(line) = r.readline().await {
                    if line.is_empty() || w.write(&line).is_err() {
                        break;
                    }
                }
                w.close();
            },
            &p,
        )
        .await
        .unwrap();
        let (mut r, mut w) = open_unix_connection(&p).await.unwrap();
        assert!(matches!(w.get_extra_info("peername"), Some(tulip::net::ExtraInfo::Peername(PeerName::Unix(_)))));
        w.write(b"over unix\n").unwrap();
        assert_eq!(r.readline().await.unwrap(), b"over unix\n");
        w.close();
        assert_eq!(r.readline().await.unwrap(), b"");
        assert!(r.at_eof());
        server.close();
        server.wait_closed().await;
    });
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_dir(&dir);
}

#[test]
fn localhost_resolves_and_open_connection_finds_the_ipv4_server() {
    EventLoop::new().run_until_complete(async {
        let server = echo_server().await;
        let port = server.sockets()[0].port();
        let addrs = getaddrinfo("localhost", port).await.unwrap();
        assert!(addrs.iter().all(|a| a.ip().is_loopback() && a.port() == port), "{addrs:?}");
        // "localhost" may resolve to ::1 first, where nothing listens:
        // open_connection falls back to 127.0.0.1.
        let (mut r, mut w) = open_connection("localhost", port).await.unwrap();
        w.write(b"by name\n").unwrap();
        assert_eq!(r.readline().await.unwrap(), b"by name\n");
        server.close();
    });
}

#[test]
fn an_unknown_host_is_an_error_value() {
    EventLoop::new().run_until_complete(async {
        assert!(getaddrinfo("no-such-host.invalid", 80).await.is_err());
        assert!(open_connection("no-such-host.invalid", 80).await.is_err());
    });
}

#[test]
fn a_writer_that_never_drains_is_refused_not_grown() {
    EventLoop::new().run_until_complete(async {
        // A server that never reads: the client's buffers fill up.
        let server = start_server(
            |r, _w| async move {
                tulip_timer::sleep(Duration::from_secs(30)).await;
                drop(r);
            },
            "127.0.0.1",
            0,
        )
        .await
        .unwrap();
        let (_r, mut w) = open_connection("127.0.0.1", server.sockets()[0].port()).await.unwrap();
        let chunk = vec![0u8; 64 * 1024];
        let mut refused = None;
        for i in 0..10_000 {
            if let Err(e) = w.write(&chunk) {
                refused = Some((i, e.kind()));
                break;
            }
        }
        let (at, kind) = refused.expect("write never refused data");
        assert_eq!(kind, ErrorKind::WouldBlock);
        let (high, _) = w.get_write_buffer_limits();
        assert!(w.buffered() <= 16 * high + chunk.len(), "buffered {} after {at} writes", w.buffered());
        // drain() waits (the peer reads nothing): bounded by a timeout.
        assert!(tulip_timer::timeout(Duration::from_millis(50), w.drain()).await.is_err());
        server.close();
    });
}

#[test]
fn incomplete_read_error_displays_the_counts() {
    EventLoop::new().run_until_complete(async {
        let server = start_server(|_r, mut w| async move { w.write(b"abc").unwrap() }, "127.0.0.1", 0).await.unwrap();
        let (mut r, _w) = open_connection("127.0.0.1", server.sockets()[0].port()).await.unwrap();
        let e = r.readexactly(8).await.unwrap_err();
        assert!(matches!(&e, StreamError::IncompleteRead(i) if i.partial == b"abc"), "{e:?}");
        assert!(e.to_string().contains('3') && e.to_string().contains('8'), "{e}");
        server.close();
    });
}

#[test]
fn a_unix_server_replaces_a_stale_socket_file_and_removes_its_own_at_close() {
    let dir = std::env::temp_dir().join(format!("tulip-stale-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("stale.sock");
    let _ = std::fs::remove_file(&path);
    // A server that died without cleaning up leaves its socket file behind.
    drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
    assert!(path.exists());
    let p = path.clone();
    EventLoop::new().run_until_complete(async move {
        let server = start_unix_server(|_r, mut w| async move { w.write(b"up\n").unwrap() }, &p)
            .await
            .expect("a stale socket file must not make bind fail");
        let (mut r, _w) = open_unix_connection(&p).await.unwrap();
        assert_eq!(r.readline().await.unwrap(), b"up\n");
        server.close();
    });
    assert!(!path.exists(), "close removes the server's socket file");
}
