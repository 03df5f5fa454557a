//! One connection: hyper's HTTP/1 server over a tulip stream, with our
//! limits, and a switch that shuts it down gracefully.

use std::cell::{Cell, RefCell};
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use futures_lite::io::{AsyncRead, AsyncWrite};
use hyper::body::Incoming;
use tulip_hyper::{HyperIo, SocketIo};

use crate::body::ResBody;
use crate::conn_timer::{ConnClock, ConnTimer, HeadRecord, WatchedIo};
use crate::reply::Reply;
use crate::server::Handling;
use crate::tasks::TaskSet;

/// The limits of a server's connections (aiohttp's defaults where it has them).
#[derive(Debug, Clone)]
pub(crate) struct Limits {
    pub(crate) keepalive_timeout: Duration,
    pub(crate) header_read_timeout: Duration,
    pub(crate) max_header_size: usize,
    pub(crate) max_headers: usize,
    pub(crate) max_connections: usize,
    pub(crate) shutdown_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            keepalive_timeout: Duration::from_secs(75),
            header_read_timeout: Duration::from_secs(10),
            max_header_size: 16 * 1024,
            max_headers: 100,
            max_connections: 1024,
            shutdown_timeout: Duration::from_secs(60),
        }
    }
}

/// Tells one connection to finish its request and close.
#[derive(Default)]
pub(crate) struct Switch {
    off: Cell<bool>,
    waker: RefCell<Option<Waker>>,
}

impl Switch {
    /// Ready once the switch is off (an upgraded connection's wait).
    #[cfg(feature = "ws")]
    pub(crate) fn poll_off(&self, cx: &mut Context<'_>) -> Poll<()> {
        if self.off.get() {
            return Poll::Ready(());
        }
        *self.waker.borrow_mut() = Some(cx.waker().clone());
        Poll::Pending
    }

    pub(crate) fn turn_off(&self) {
        self.off.set(true);
        if let Some(w) = self.waker.borrow_mut().take() {
            w.wake();
        }
    }
}

/// hyper's service: each request to [`Handling::start`], answered by a
/// [`Reply`].
struct Service {
    handling: Rc<Handling>,
    remote: Option<Rc<str>>,
    /// Holds the connection task's waker, for [`Reply::start`].
    switch: Rc<Switch>,
    clock: Arc<ConnClock>,
    record: Rc<HeadRecord>,
    prepared: crate::request::PreparedSlot,
    /// A WebSocket's 101 was answered: the connection goes to it after.
    #[cfg(feature = "ws")]
    upgrade: crate::reply::UpgradeSlot,
}

impl hyper::service::Service<hyper::Request<Incoming>> for Service {
    type Response = hyper::Response<ResBody>;
    type Error = Infallible;
    type Future = Reply;

    fn call(&self, req: hyper::Request<Incoming>) -> Reply {
        self.clock.mark_served();
        let (handling, prepared) = (self.handling.clone(), self.prepared.clone());
        #[cfg(feature = "ws")]
        let upgrade = self.upgrade.clone();
        match crate::server::check_head(&req, &self.record) {
            Err(reason) => Reply::refuse(
                handling,
                reason,
                prepared,
                #[cfg(feature = "ws")]
                upgrade,
            ),
            Ok(if_modified_since) => {
                let started = self.handling.start(req, self.remote.clone(), &self.prepared, if_modified_since);
                let mut reply = Reply::new(
                    handling,
                    started,
                    prepared,
                    #[cfg(feature = "ws")]
                    upgrade,
                );
                // Cloned, not borrowed: the handler may turn the switch off.
                let waker = self.switch.waker.borrow().clone();
                if let Some(waker) = waker {
                    reply.start(&waker);
                }
                reply
            }
        }
    }
}

/// What a connection is served over: hyper's I/O traits (tulip's own
/// sockets through [`SocketIo`], which reads into hyper's buffer without
/// zeroing it; any other stream through [`HyperIo`]), and, for a
/// WebSocket that takes the connection over, the stream they wrap.
pub(crate) trait ConnIo: hyper::rt::Read + hyper::rt::Write + Unpin + 'static {
    /// The wrapped stream, for the WebSocket.
    #[cfg(feature = "ws")]
    fn into_stream(self) -> crate::ws::BoxIo;
}

impl<S: AsyncRead + AsyncWrite + Unpin + 'static> ConnIo for HyperIo<S> {
    #[cfg(feature = "ws")]
    fn into_stream(self) -> crate::ws::BoxIo {
        Box::new(self.into_inner())
    }
}

impl<S: tulip_hyper::Socket + AsyncRead + 'static> ConnIo for SocketIo<S> {
    #[cfg(feature = "ws")]
    fn into_stream(self) -> crate::ws::BoxIo {
        Box::new(self.into_inner())
    }
}

/// Serves `io` until the client or the switch ends it. hyper answers what
/// it cannot parse (400, 431 for a head over the limit) and closes.
pub(crate) async fn serve<IO: ConnIo>(
    io: IO,
    remote: Option<Rc<str>>,
    handling: Rc<Handling>,
    limits: &Limits,
    switch: Rc<Switch>,
) {
    let clock = ConnClock::new();
    let record = HeadRecord::new(limits.max_header_size + 1024);
    let io = WatchedIo { inner: io, clock: clock.clone(), record: record.clone() };
    let timer = ConnTimer { clock: clock.clone(), header_timeout: limits.header_read_timeout };
    let mut b = hyper::server::conn::http1::Builder::new();
    b.timer(timer)
        // Ours ends a head earlier; hyper's is the idle (keep-alive) limit.
        .header_read_timeout(limits.keepalive_timeout)
        .max_header_size(limits.max_header_size)
        .max_headers(limits.max_headers)
        .keep_alive(true);
    #[cfg(feature = "ws")]
    let upgrade: crate::reply::UpgradeSlot = Rc::default();
    let service = Service {
        handling,
        remote,
        switch: switch.clone(),
        clock,
        record,
        prepared: Rc::default(),
        #[cfg(feature = "ws")]
        upgrade: upgrade.clone(),
    };
    let conn = b.serve_connection(io, service);
    let mut graceful = Graceful { conn: Box::pin(conn), switch, shutting: false };
    // Errors are the client's (a reset, a timeout, bad framing hyper answered).
    let done = (&mut graceful).await;
    #[cfg(feature = "ws")]
    let handoff = upgrade.borrow_mut().take();
    #[cfg(feature = "ws")]
    if let Some(handoff) = handoff {
        // hyper wrote the 101 and stopped before shutting the socket down.
        let io = done.is_ok().then(|| {
            let parts = Pin::into_inner(graceful.conn).into_parts();
            let io = parts.io.inner.into_stream();
            (io, parts.read_buf)
        });
        Box::pin(crate::ws::hand_over(handoff, io, &graceful.switch)).await;
    }
    let _ = done;
}

struct Graceful<C> {
    conn: Pin<Box<C>>,
    switch: Rc<Switch>,
    shutting: bool,
}

type Http1Conn<IO> = hyper::server::conn::http1::Connection<WatchedIo<IO>, Service>;

impl<IO: ConnIo> Future for Graceful<Http1Conn<IO>> {
    type Output = hyper::Result<()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<hyper::Result<()>> {
        if !self.shutting && self.switch.off.get() {
            self.shutting = true;
            self.conn.as_mut().graceful_shutdown();
        }
        if !self.shutting {
            // Before hyper runs: `Service::call` starts handlers with it.
            let mut w = self.switch.waker.borrow_mut();
            if !w.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                *w = Some(cx.waker().clone());
            }
        }
        self.conn.as_mut().poll(cx)
    }
}

/// A server's connections.
pub(crate) type Connections = TaskSet<Rc<Switch>>;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::Application;

    /// async-task moves a task's future into a box of its own from 2 KiB
    /// on, and a future that big is copied there at every connection. The
    /// WebSocket hand-over (about 4.6 KiB of state, with tungstenite's
    /// buffers) is boxed where it runs, so the connection's future is a few
    /// hundred bytes (it was 5,008 with the hand-over inline).
    #[test]
    fn a_connection_future_stays_small() {
        tulip::run(async {
            let (a, _b) = tulip_net::UnixStream::pair().unwrap();
            let handling = Rc::new(Handling::new(Rc::new(Application::new()), None));
            let limits = Limits::default();
            let fut = serve(SocketIo::new(a), None, handling, &limits, Rc::default());
            let size = std::mem::size_of_val(&fut);
            assert!(size < 1024, "the connection future is {size} bytes");
        });
    }
}
