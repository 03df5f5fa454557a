//! Sockets and streams on the loop, against peers no one here wrote: std
//! sockets in threads, a tokio client, CPython's socket module.
#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::process::{Command, Stdio};
use std::time::Duration;
use tulip::{open_connection, start_server, EventLoop, StreamError, TcpListener, TcpStream, UdpSocket};

mod common;
use common::echo_server;

fn lp() -> EventLoop {
    EventLoop::new()
}

#[test]
fn std_client_thread_talks_to_a_tulip_server() {
    lp().run_until_complete(async {
        let server = echo_server().await;
        let addr = server.sockets()[0];
        let reply = tulip::to_thread(move || {
            let mut s = std::net::TcpStream::connect(addr).unwrap();
            s.write_all(b"hello from std\n").unwrap();
            s.shutdown(Shutdown::Write).unwrap();
            let mut out = String::new();
            s.read_to_string(&mut out).unwrap();
            out
        })
        .await;
        assert_eq!(reply, "hello from std\n");
        server.close();
        server.wait_closed().await;
    });
}

#[test]
fn tokio_client_talks_to_a_tulip_server() {
    lp().run_until_complete(async {
        let server = echo_server().await;
        let addr = server.sockets()[0];
        let reply = tulip::to_thread(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
                s.write_all(b"hello from tokio").await.unwrap();
                s.shutdown().await.unwrap();
                let mut out = Vec::new();
                s.read_to_end(&mut out).await.unwrap();
                out
            })
        })
        .await;
        assert_eq!(reply, b"hello from tokio");
        server.close();
    });
}

#[test]
fn tulip_client_talks_to_a_python_echo_server() {
    let script = "import socket\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen()\nprint(s.getsockname()[1],flush=True)\nc,_=s.accept()\nwhile True:\n  d=c.recv(65536)\n  if not d: break\n  c.sendall(d)\nc.close()\n";
    let Ok(mut child) = Command::new("python3").args(["-c", script]).stdout(Stdio::piped()).spawn() else {
        eprintln!("python3 not available; skipping");
        return;
    };
    let mut line = String::new();
    let mut stdout = child.stdout.take().unwrap();
    let mut byte = [0u8; 1];
    while stdout.read(&mut byte).unwrap() == 1 && byte[0] != b'\n' {
        line.push(byte[0] as char);
    }
    let port: u16 = line.trim().parse().unwrap();
    lp().run_until_complete(async move {
        let (mut r, mut w) = open_connection("127.0.0.1", port).await.unwrap();
        w.write(b"ping\n").unwrap();
        assert_eq!(r.readline().await.unwrap(), b"ping\n");
        w.close();
        w.wait_closed().await.unwrap();
        assert!(r.read_to_eof().await.unwrap().is_empty());
        assert!(r.at_eof());
    });
    assert!(child.wait().unwrap().success());
}

#[test]
fn half_close_lets_the_peer_answer() {
    lp().run_until_complete(async {
        let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = listener.local_addr().unwrap();
        let client = TcpStream::connect(addr).await.unwrap();
        let (server, _) = listener.accept().await.unwrap();
        client.send_all(b"question").await.unwrap();
        client.shutdown(Shutdown::Write).unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 16];
        loop {
            let n = server.recv(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, b"question");
        server.send_all(b"answer").await.unwrap();
        drop(server);
        let n = client.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"answer");
    });
}

#[test]
fn connection_refused_is_an_error_value() {
    lp().run_until_complete(async {
        // Bind then drop: nobody listens on that port any more.
        let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let err = TcpStream::connect(addr).await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
        let err = open_connection("127.0.0.1", addr.port()).await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
    });
}

#[test]
fn peer_closing_mid_read_gives_incomplete_read_with_the_partial_data() {
    lp().run_until_complete(async {
        let server = start_server(
            |_r, mut w| async move {
                w.write(b"12345").unwrap();
                w.close();
            },
            "127.0.0.1",
            0,
        )
        .await
        .unwrap();
        let (mut r, _w) = open_connection("127.0.0.1", server.sockets()[0].port()).await.unwrap();
        match r.readexactly(10).await {
            Err(StreamError::IncompleteRead(e)) => {
                assert_eq!(e.partial, b"12345");
                assert_eq!(e.expected, Some(10));
            }
            other => panic!("{other:?}"),
        }
        server.close();
    });
}

#[test]
fn readuntil_past_the_limit_is_a_limit_overrun_and_keeps_the_data() {
    lp().run_until_complete(async {
        let server = start_server(
            |_r, mut w| async move {
                let big = vec![b'x'; 100 * 1024];
                w.write(&big).unwrap();
                w.write(b"\n").unwrap();
                w.drain().await.unwrap();
                w.close();
            },
            "127.0.0.1",
            0,
        )
        .await
        .unwrap();
        let (mut r, _w) = open_connection("127.0.0.1", server.sockets()[0].port()).await.unwrap();
        match r.readuntil(b"\n").await {
            Err(StreamError::LimitOverrun(e)) => assert!(e.consumed > r.limit()),
            other => panic!("{other:?}"),
        }
        // Nothing was lost: the data is still there.
        let rest = r.read_to_eof().await.unwrap();
        assert_eq!(rest.len(), 100 * 1024 + 1);
        server.close();
    });
}

#[test]
fn writing_to_a_closed_peer_is_an_error_and_the_loop_goes_on() {
    lp().run_until_complete(async {
        let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
        let (server, _) = listener.accept().await.unwrap();
        drop(server);
        let chunk = vec![0u8; 64 * 1024];
        let mut failed = None;
        for _ in 0..1000 {
            if let Err(e) = client.send_all(&chunk).await {
                failed = Some(e);
                break;
            }
        }
        let e = failed.expect("writes to a closed peer must fail");
        assert!(matches!(e.kind(), std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset), "{e:?}");
    });
    // The loop is still usable.
    assert_eq!(lp().run_until_complete(async { 1 }), 1);
}

#[test]
fn large_transfer_of_100_mib_streams_through() {
    const TOTAL: usize = 100 * 1024 * 1024;
    lp().run_until_complete(async {
        let server = start_server(
            |mut r, mut w| async move {
                let mut n = 0usize;
                loop {
                    let d = r.read(256 * 1024).await.unwrap();
                    if d.is_empty() {
                        break;
                    }
                    n += d.len();
                }
                w.write(n.to_string().as_bytes()).unwrap();
                w.close();
            },
            "127.0.0.1",
            0,
        )
        .await
        .unwrap();
        let (mut r, mut w) = open_connection("127.0.0.1", server.sockets()[0].port()).await.unwrap();
        let chunk = vec![7u8; 64 * 1024];
        for _ in 0..TOTAL / chunk.len() {
            w.write(&chunk).unwrap();
            w.drain().await.unwrap();
        }
        // Half-close: the server sees EOF, and we keep reading its answer.
        w.write_eof();
        let count = r.read_to_eof().await.unwrap();
        assert_eq!(String::from_utf8(count).unwrap(), TOTAL.to_string());
        server.close();
    });
}

#[test]
fn udp_round_trip_with_a_std_peer() {
    let peer = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let peer_addr = peer.local_addr().unwrap();
    let echo = std::thread::spawn(move || {
        let mut buf = [0u8; 1500];
        let (n, from) = peer.recv_from(&mut buf).unwrap();
        peer.send_to(&buf[..n], from).unwrap();
    });
    lp().run_until_complete(async move {
        let s = UdpSocket::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        s.send_to(b"datagram", peer_addr).await.unwrap();
        let mut buf = [0u8; 64];
        let (n, from): (usize, SocketAddr) = s.recv_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"datagram"[..], peer_addr));
    });
    echo.join().unwrap();
}

#[test]
fn connect_timeout_connects_in_time() {
    lp().run_until_complete(async {
        let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let r = TcpStream::connect_timeout(listener.local_addr().unwrap(), Duration::from_secs(5)).await;
        assert!(r.is_ok());
    });
}
