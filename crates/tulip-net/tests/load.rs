//! Load on loopback, bounded in count and time: no fd leaks over 10,000
//! connections, and 1,000 connections open at once.
#![allow(clippy::unwrap_used)]

use tulip::{create_task, open_connection, start_server, EventLoop};

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map(|d| d.count()).unwrap_or(0)
}

/// The tests of this file open many fds, and one counts them: they take
/// turns.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn take_turn() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Raises the soft fd limit as far as the hard limit allows; returns it.
fn raise_fd_limit() -> u64 {
    let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit/setrlimit only read/write the struct we pass.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return 1024;
        }
        lim.rlim_cur = lim.rlim_max.min(65_536);
        libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim);
    }
    lim.rlim_cur
}

#[test]
fn fd_count_returns_to_start_after_10000_connect_close_cycles() {
    let _turn = take_turn();
    if !std::path::Path::new("/proc/self/fd").exists() {
        eprintln!("no /proc/self/fd; skipping");
        return;
    }
    let ev = EventLoop::new();
    ev.run_until_complete(async {
        let server = start_server(
            |mut r, _w| async move {
                let _ = r.read_to_eof().await;
            },
            "127.0.0.1",
            0,
        )
        .await
        .unwrap();
        let port = server.sockets()[0].port();
        // Warm up (thread pool, first connection) before taking the baseline.
        drop(open_connection("127.0.0.1", port).await.unwrap());
        tulip_timer::sleep(std::time::Duration::from_millis(20)).await;
        let before = open_fds();
        for _ in 0..10_000 {
            let (_r, mut w) = open_connection("127.0.0.1", port).await.unwrap();
            w.close();
        }
        // Let the server side see every EOF and drop its sockets.
        for _ in 0..200 {
            if open_fds() <= before {
                break;
            }
            tulip_timer::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert!(open_fds() <= before, "fds: {} before, {} after", before, open_fds());
        server.close();
    });
}

#[test]
fn a_thousand_concurrent_connections() {
    let _turn = take_turn();
    let limit = raise_fd_limit();
    // Each connection costs two fds here (both ends are in this process).
    let n = if limit >= 2_200 { 1_000 } else { ((limit as usize).saturating_sub(100) / 2).max(10) };
    let ev = EventLoop::new();
    ev.run_until_complete(async move {
        let server = start_server(
            |mut r, mut w| async move {
                let line = r.readline().await.unwrap();
                w.write(&line).unwrap();
                w.drain().await.unwrap();
            },
            "127.0.0.1",
            0,
        )
        .await
        .unwrap();
        let port = server.sockets()[0].port();
        let mut clients = Vec::new();
        for i in 0..n {
            clients.push(create_task(async move {
                let (mut r, mut w) = open_connection("127.0.0.1", port).await.unwrap();
                let msg = format!("client {i}\n");
                w.write(msg.as_bytes()).unwrap();
                let back = r.readline().await.unwrap();
                assert_eq!(back, msg.as_bytes());
            }));
        }
        for c in clients {
            c.await.unwrap();
        }
        server.close();
    });
}
