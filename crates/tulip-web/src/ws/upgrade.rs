//! Handing an upgraded connection from hyper to its `WebSocketResponse`.
//!
//! hyper's own upgrade (`hyper::upgrade::on`) needs a `Send` connection
//! and tulip's sockets are `!Send`, so the server takes the HTTP/1
//! connection apart itself once hyper has written the 101
//! (`Connection::into_parts`: the socket and the bytes read past the
//! head) and hands both over here. The connection's task then lives as
//! long as the WebSocket, so the socket still counts toward the server's
//! connection limit, and at shutdown it closes the WebSocket with 1001
//! (GOING_AWAY, "Server shutdown"), as aiohttp's documented `on_shutdown`
//! recipe does.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use tulip_sync::Event;
use tulip_ws::{BoxIo, WSCloseCode, WeakWebSocket, WebSocket};

/// What the 101's body carries from the handler to its connection.
#[derive(Default)]
pub struct Handoff {
    io: RefCell<Option<(BoxIo, Bytes)>>,
    /// The connection ended without handing over.
    conn_gone: Cell<bool>,
    prepare_waker: RefCell<Option<Waker>>,
    ws: RefCell<Option<WeakWebSocket>>,
    /// The handler attached the socket, or gave up on it.
    settled: Event,
    /// The handler returned its WebSocket still open: aiohttp then closes it.
    returned: RefCell<Option<WebSocket>>,
    conn_waker: RefCell<Option<Waker>>,
}

impl std::fmt::Debug for Handoff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handoff").finish_non_exhaustive()
    }
}

impl Handoff {
    /// The socket, once the connection hands it over; `None` if the
    /// connection ended first (the client left before the 101).
    pub(crate) fn poll_take(&self, cx: &mut Context<'_>) -> Poll<Option<(BoxIo, Bytes)>> {
        if let Some(io) = self.io.borrow_mut().take() {
            return Poll::Ready(Some(io));
        }
        if self.conn_gone.get() {
            return Poll::Ready(None);
        }
        *self.prepare_waker.borrow_mut() = Some(cx.waker().clone());
        Poll::Pending
    }

    /// The handler attached the socket to `ws`.
    pub(crate) fn attached(&self, ws: WeakWebSocket) {
        *self.ws.borrow_mut() = Some(ws);
        self.settled.set();
    }

    /// The handler is done with `ws` (its response was dropped) and left
    /// it open: the connection closes it with 1000, as aiohttp's
    /// `write_eof` does when a handler returns.
    pub(crate) fn returned(&self, ws: WebSocket) {
        *self.returned.borrow_mut() = Some(ws);
        if let Some(w) = self.conn_waker.borrow_mut().take() {
            w.wake();
        }
    }

    fn wake_prepare(&self) {
        if let Some(w) = self.prepare_waker.borrow_mut().take() {
            w.wake();
        }
    }
}

/// Dropped by `prepare` however it ends: if it never attached the socket
/// (cancelled, or the connection went away), the connection stops waiting.
pub(crate) struct Settle(pub(crate) Rc<Handoff>);

impl Drop for Settle {
    fn drop(&mut self) {
        self.0.settled.set();
    }
}

/// The connection's part, after hyper wrote the 101: hands `io` (and the
/// bytes hyper read past the head) to the handler, then waits until the
/// WebSocket's socket is closed, closing it with 1001 when `switch` turns
/// off first.
pub(crate) async fn hand_over(h: Rc<Handoff>, io: Option<(BoxIo, Bytes)>, switch: &crate::conn::Switch) {
    match io {
        Some(io) => *h.io.borrow_mut() = Some(io),
        None => h.conn_gone.set(true),
    }
    h.wake_prepare();
    h.settled.wait().await;
    // Whatever the handler did not take goes now (closing the socket).
    h.io.borrow_mut().take();
    let Some(weak) = h.ws.borrow_mut().take() else { return };
    let closed = weak.wait_closed();
    let mut closed = std::pin::pin!(closed);
    let end = futures_lite::future::poll_fn(|cx| {
        if closed.as_mut().poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        if let Some(ws) = h.returned.borrow_mut().take() {
            return Poll::Ready(Some((ws, WSCloseCode::OK, "")));
        }
        *h.conn_waker.borrow_mut() = Some(cx.waker().clone());
        let ws = || weak.upgrade().map(|ws| (ws, WSCloseCode::GOING_AWAY, "Server shutdown"));
        switch.poll_off(cx).map(|()| ws())
    })
    .await;
    if let Some((ws, code, why)) = end {
        let _ = ws.close(code, why).await;
    }
}
