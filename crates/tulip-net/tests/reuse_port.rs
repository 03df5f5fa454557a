#![allow(clippy::unwrap_used)]
//! SO_REUSEPORT: several loops listen on one port, each on its own socket,
//! and the kernel shares the connections out.

use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::Duration;
use tulip::net::{start_server_with, ServerOptions, TcpListener};

#[test]
fn without_reuse_port_a_second_listener_on_the_port_is_refused() {
    tulip::run(async {
        let first = TcpListener::bind_with("127.0.0.1:0".parse().unwrap(), ServerOptions::new()).unwrap();
        let err = TcpListener::bind_with(first.local_addr().unwrap(), ServerOptions::new()).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
    });
}

#[test]
fn a_listener_without_reuse_port_blocks_one_with_it() {
    tulip::run(async {
        let plain = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let opts = ServerOptions::new().reuse_port(true);
        // Every socket on the port must ask for SO_REUSEPORT.
        assert!(TcpListener::bind_with(plain.local_addr().unwrap(), opts).is_err());
    });
}

#[test]
fn servers_on_two_loops_share_one_port_and_both_get_connections() {
    let rt = tulip::Runtime::new(2).unwrap();
    let opts = ServerOptions::new().reuse_port(true).backlog(256);
    // Each loop answers with its index, so the client sees who accepted.
    let (port_tx, port_rx) = mpsc::channel();
    let first = rt
        .spawn_on(0, move || async move {
            let server = start_server_with(answer_with_loop_index, "127.0.0.1", 0, opts).await.unwrap();
            port_tx.send(server.sockets()[0].port()).unwrap();
            server.serve_forever().await
        })
        .unwrap();
    let port = port_rx.recv().unwrap();
    let (ready_tx, ready_rx) = mpsc::channel();
    let second = rt
        .spawn_on(1, move || async move {
            let server = start_server_with(answer_with_loop_index, "127.0.0.1", port, opts).await.unwrap();
            ready_tx.send(()).unwrap();
            server.serve_forever().await
        })
        .unwrap();
    ready_rx.recv().unwrap();
    let mut per_loop = [0usize; 2];
    for _ in 0..64 {
        let mut c = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        c.write_all(b"?").unwrap();
        let mut who = [0u8; 1];
        c.read_exact(&mut who).unwrap();
        per_loop[usize::from(who[0] - b'0')] += 1;
    }
    assert_eq!(per_loop[0] + per_loop[1], 64);
    // 64 connections from 64 source ports hashed over two sockets: one
    // socket getting all of them has odds of 2^-63.
    assert!(per_loop[0] > 0 && per_loop[1] > 0, "the kernel spread them: {per_loop:?}");
    assert!(first.cancel() && second.cancel());
    rt.shutdown();
}

async fn answer_with_loop_index(mut r: tulip::StreamReader, mut w: tulip::StreamWriter) {
    if r.read(1).await.is_ok() {
        let k = tulip::RuntimeHandle::current_index().unwrap();
        let _ = w.write(&[b'0' + k as u8]);
        let _ = w.drain().await;
    }
}
