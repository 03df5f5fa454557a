//! StreamWriter: the background flush is the runtime's own, close flushes
//! then closes, abort lets go at once, and AsyncWrite goes through the same
//! flow control.
#![allow(clippy::unwrap_used)]

use futures_lite::{AsyncReadExt, AsyncWriteExt};
use std::time::Duration;
use tulip::{open_connection, start_server};

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// The tests that count this process's fds take turns.
static COUNTING_FDS: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn counting_fds() -> std::sync::MutexGuard<'static, ()> {
    COUNTING_FDS.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[test]
fn the_background_flush_survives_asyncio_shutdown_idiom() {
    const CHUNK: usize = 1 << 20;
    // The peer is a plain thread (the idiom cancels every task): it reads
    // everything, slowly at first, and says how much it got.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let peer = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        std::thread::sleep(Duration::from_millis(50));
        let mut all = Vec::new();
        std::io::Read::read_to_end(&mut s, &mut all).unwrap();
        all.len()
    });
    let sent = tulip::run(async move {
        let (_r, mut w) = open_connection("127.0.0.1", port).await.unwrap();
        w.set_write_buffer_limits(1 << 30, 0);
        // Written until some is left for the background flush: how much
        // the kernel takes at once depends on its socket buffers (up to
        // tens of MiB here), so a fixed size does not always leave any.
        let mut sent = 0;
        while w.buffered() == 0 && sent < 512 * CHUNK {
            w.write(&vec![1u8; CHUNK]).unwrap();
            sent += CHUNK;
        }
        assert!(w.buffered() > 0, "the test needs data left for the background flush");
        // asyncio's shutdown idiom: cancel every other task, then finish.
        let me = tulip::current_task().unwrap();
        for t in tulip::all_tasks() {
            if t.id() != me.id() {
                t.cancel(None);
            }
        }
        tulip::sleep(Duration::ZERO).await;
        w.close();
        tulip::timeout(Duration::from_secs(10), w.wait_closed()).await.expect("wait_closed hung").unwrap();
        sent
    });
    assert_eq!(peer.join().unwrap(), sent, "every byte written reaches the peer");
}

#[test]
fn abort_lets_go_of_peers_that_never_read() {
    const PEERS: usize = 100;
    let _turn = counting_fds();
    tulip::run(async {
        let aborted = std::rc::Rc::new(std::cell::Cell::new(0usize));
        let count = aborted.clone();
        let server = start_server(
            move |_r, mut w| {
                let count = count.clone();
                async move {
                    while w.write(&[0u8; 64 * 1024]).is_ok() {}
                    w.abort();
                    count.set(count.get() + 1);
                }
            },
            "127.0.0.1",
            0,
        )
        .await
        .unwrap();
        let addr = server.sockets()[0];
        let before = open_fds();
        // Clients that connect and never read: their fds stay open here.
        let clients: Vec<_> = (0..PEERS).map(|_| std::net::TcpStream::connect(addr).unwrap()).collect();
        for _ in 0..2_000 {
            if aborted.get() == PEERS {
                break;
            }
            tulip::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(aborted.get(), PEERS, "every handler wrote, aborted and returned");
        tulip::sleep(Duration::from_millis(20)).await;
        let after = open_fds();
        assert!(after <= before + PEERS + 15, "server-side sockets kept: {before} fds before, {after} after");
        drop(clients);
        server.close();
    });
}

#[test]
fn async_write_goes_through_flow_control() {
    tulip::run(async {
        let server = start_server(
            |mut r, mut w| async move {
                let all = r.read_to_eof().await.unwrap();
                AsyncWriteExt::write_all(&mut w, all.len().to_string().as_bytes()).await.unwrap();
                AsyncWriteExt::close(&mut w).await.unwrap();
            },
            "127.0.0.1",
            0,
        )
        .await
        .unwrap();
        let (mut r, mut w) = open_connection("127.0.0.1", server.sockets()[0].port()).await.unwrap();
        let chunk = vec![9u8; 100_000];
        for _ in 0..50 {
            AsyncWriteExt::write_all(&mut w, &chunk).await.unwrap();
            assert!(w.buffered() <= 64 * 1024 + chunk.len(), "write_all must wait for the flush");
        }
        AsyncWriteExt::flush(&mut w).await.unwrap();
        assert_eq!(w.buffered(), 0);
        w.write_eof();
        let mut answer = String::new();
        AsyncReadExt::read_to_string(&mut r, &mut answer).await.unwrap();
        assert_eq!(answer, "5000000");
        server.close();
    });
}

#[test]
fn a_closing_loop_aborts_what_is_still_open() {
    let _turn = counting_fds();
    let before = open_fds();
    tulip::run(async {
        // A peer that never reads, and data left in our writer's buffer.
        let server = start_server(
            |r, w| async move {
                let _keep = (r, w);
                std::future::pending::<()>().await
            },
            "127.0.0.1",
            0,
        )
        .await
        .unwrap();
        let (_r, mut w) = open_connection("127.0.0.1", server.sockets()[0].port()).await.unwrap();
        while w.write(&[0u8; 64 * 1024]).is_ok() {}
        assert!(w.buffered() > 0);
        // Returning leaves the flush, the server and both sockets to the
        // loop's close.
    });
    let after = open_fds();
    // A leak would be the server's and the client's sockets at least; the
    // other tests of this file may hold a few fds meanwhile.
    assert!(after <= before + 12, "fds kept after the loop closed: {before} before, {after} after");
}
