//! Futures given up on leave no waker behind: each poll of `drain()` or
//! `wait_closed()` used to push a waker that nothing removed, so racing them
//! against a timeout grew memory without bound.
#![allow(clippy::unwrap_used)]

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Wake, Waker};
use tulip::{open_connection, start_server, EventLoop};

struct Counting;
impl Wake for Counting {
    fn wake(self: Arc<Self>) {}
}

/// Runs `poll_once` (which polls a fresh future once and drops it) `n`
/// times with a waker we can count; returns how many clones of the waker
/// are still held.
fn clones_left_after(n: usize, mut poll_once: impl FnMut(&mut Context<'_>)) -> usize {
    let probe = Arc::new(Counting);
    let waker = Waker::from(probe.clone());
    for _ in 0..n {
        poll_once(&mut Context::from_waker(&waker));
    }
    drop(waker);
    Arc::strong_count(&probe) - 1
}

fn pending_once(fut: impl Future, cx: &mut Context<'_>) {
    assert!(pin!(fut).poll(cx).is_pending());
}

#[test]
fn an_abandoned_drain_deregisters_its_waker() {
    EventLoop::new().run_until_complete(async {
        // A peer that never reads: the writer's buffer passes the high mark.
        let server = start_server(
            |r, w| async move {
                let _keep_open = (r, w);
                std::future::pending::<()>().await
            },
            "127.0.0.1",
            0,
        )
        .await
        .unwrap();
        let (_r, mut w) = open_connection("127.0.0.1", server.sockets()[0].port()).await.unwrap();
        while w.write(&[7u8; 64 * 1024]).is_ok() {}
        assert!(w.buffered() > 64 * 1024);
        assert_eq!(clones_left_after(1000, |cx| pending_once(w.drain(), cx)), 0);
        server.close();
    });
}

#[test]
fn an_abandoned_wait_closed_deregisters_its_waker() {
    EventLoop::new().run_until_complete(async {
        let server = start_server(|_r, _w| async {}, "127.0.0.1", 0).await.unwrap();
        assert_eq!(clones_left_after(1000, |cx| pending_once(server.wait_closed(), cx)), 0);
        assert_eq!(clones_left_after(1000, |cx| pending_once(server.serve_forever(), cx)), 0);
        server.close();
    });
}
