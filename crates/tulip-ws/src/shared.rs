//! The state one connection's handles share, and aiohttp's receive, send
//! and close on it. tungstenite frames; this keeps aiohttp's rules: what
//! a receive returns, who answers a close, when the transport closes.

use std::cell::{Cell, RefCell};
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use async_tungstenite::tungstenite::error::{CapacityError, Error as TError, ProtocolError};
use async_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use async_tungstenite::tungstenite::protocol::frame::CloseFrame;
use async_tungstenite::tungstenite::protocol::Role;
use async_tungstenite::tungstenite::Message;
use async_tungstenite::WebSocketStream;
use futures_lite::future::poll_fn;
use futures_lite::io::{AsyncRead, AsyncWrite};
use futures_lite::Stream;
use futures_util::Sink;
use tulip_sync::{Event, Lock};
use tulip_task::Task;

use crate::{WSMessage, WebSocketError, WsConfig};

/// A stream a WebSocket runs over (TCP, TLS, Unix, an upgraded HTTP
/// connection).
pub trait WsIo: AsyncRead + AsyncWrite + Unpin {}
impl<T: AsyncRead + AsyncWrite + Unpin> WsIo for T {}

/// The boxed stream of a WebSocket.
pub type BoxIo = Box<dyn WsIo>;

type Ws = WebSocketStream<BoxIo>;

/// aiohttp's `WebSocketResponse` counts reads of a closed connection; the
/// fifth raises.
const THRESHOLD_CONNLOST_ACCESS: u32 = 5;

#[derive(Default)]
struct State {
    /// This side sent its close, or the connection failed (aiohttp's `_closed`).
    closed: bool,
    /// The peer's close arrived (aiohttp's `_closing`).
    closing: bool,
    close_code: Option<u16>,
    /// A receive is waiting for a frame.
    waiting: bool,
    /// What a waiting receive returns at once (CLOSING, a heartbeat's ERROR).
    interrupt: Option<WSMessage>,
    recv_waker: Option<Waker>,
    /// `close` calls waiting for that receive to return.
    close_waiters: Vec<Waker>,
    conn_lost: u32,
    exception: Option<WebSocketError>,
    /// The loop's time of the last frame read (the heartbeat's clock).
    last_rx: Option<Instant>,
    transport_closed: bool,
}

/// One frame read, or why none was.
enum Read {
    Msg(Message),
    Interrupted(WSMessage),
    End,
    Failed(TError),
}

pub(crate) struct Shared {
    ws: RefCell<Option<Ws>>,
    attached: Cell<bool>,
    st: RefCell<State>,
    send_lock: Lock,
    pub(crate) cfg: Cell<WsConfig>,
    pub(crate) protocol: RefCell<Option<String>>,
    pub(crate) heartbeat: RefCell<Option<Task<()>>>,
    /// Set once the transport is closed (or everything dropped).
    pub(crate) done: std::rc::Rc<Event>,
}

impl Drop for Shared {
    fn drop(&mut self) {
        if let Some(t) = self.heartbeat.get_mut().take() {
            t.cancel();
        }
        self.done.set();
    }
}

/// Resets `waiting` when a receive ends, however it ends (a cancelled
/// receive included), and lets a waiting `close` go on.
struct Waiting<'a>(&'a Shared);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let mut st = self.0.st.borrow_mut();
        st.waiting = false;
        st.recv_waker = None;
        for w in st.close_waiters.drain(..) {
            w.wake();
        }
    }
}

fn now() -> Instant {
    tulip_reactor::get_running_loop().time()
}

impl Shared {
    pub(crate) fn new() -> Self {
        Shared {
            ws: RefCell::new(None),
            attached: Cell::new(false),
            st: RefCell::new(State::default()),
            send_lock: Lock::new(),
            cfg: Cell::new(WsConfig::default()),
            protocol: RefCell::new(None),
            heartbeat: RefCell::new(None),
            done: std::rc::Rc::new(Event::new()),
        }
    }

    pub(crate) async fn attach(&self, io: BoxIo, read: Vec<u8>, role: Role, cfg: WsConfig) {
        let ws = WebSocketStream::from_partially_read(io, read, role, Some(cfg.tungstenite())).await;
        *self.ws.borrow_mut() = Some(ws);
        self.cfg.set(cfg);
        self.attached.set(true);
        self.st.borrow_mut().last_rx = Some(now());
    }

    pub(crate) fn prepared(&self) -> bool {
        self.attached.get()
    }

    pub(crate) fn closed(&self) -> bool {
        self.st.borrow().closed
    }

    pub(crate) fn close_code(&self) -> Option<u16> {
        self.st.borrow().close_code
    }

    pub(crate) fn exception(&self) -> Option<WebSocketError> {
        self.st.borrow().exception.clone()
    }

    pub(crate) fn last_rx(&self) -> Option<Instant> {
        self.st.borrow().last_rx
    }

    fn check_prepared(&self) -> Result<(), WebSocketError> {
        match self.attached.get() {
            true => Ok(()),
            false => Err(WebSocketError::Runtime("Call .prepare() first")),
        }
    }

    fn poll_frame(&self, cx: &mut Context<'_>) -> Poll<Read> {
        {
            let mut st = self.st.borrow_mut();
            if let Some(m) = st.interrupt.take() {
                return Poll::Ready(Read::Interrupted(m));
            }
            st.recv_waker = Some(cx.waker().clone());
        }
        let polled = match self.ws.borrow_mut().as_mut() {
            Some(ws) => Pin::new(ws).poll_next(cx),
            None => return Poll::Ready(Read::End),
        };
        let Poll::Ready(item) = polled else { return Poll::Pending };
        self.st.borrow_mut().last_rx = Some(now());
        Poll::Ready(match item {
            Some(Ok(m)) => Read::Msg(m),
            Some(Err(e)) => Read::Failed(e),
            None => Read::End,
        })
    }

    /// aiohttp's `receive(timeout)`.
    pub(crate) async fn receive(&self, timeout: Option<Duration>) -> Result<WSMessage, WebSocketError> {
        self.check_prepared()?;
        loop {
            {
                let mut st = self.st.borrow_mut();
                if st.waiting {
                    return Err(WebSocketError::Runtime("Concurrent call to receive() is not allowed"));
                }
                if st.closed {
                    st.conn_lost += 1;
                    if st.conn_lost >= THRESHOLD_CONNLOST_ACCESS {
                        return Err(WebSocketError::Runtime("WebSocket connection is closed."));
                    }
                    return Ok(WSMessage::Closed);
                }
                if st.closing {
                    return Ok(WSMessage::Closing);
                }
                st.waiting = true;
            }
            let guard = Waiting(self);
            let read = poll_fn(|cx| self.poll_frame(cx));
            let read = match timeout {
                Some(d) => tulip_timer::timeout(d, read).await.ok(),
                None => Some(read.await),
            };
            drop(guard);
            let Some(read) = read else {
                return Err(WebSocketError::Timeout("receive timed out".into()));
            };
            let cfg = self.cfg.get();
            match read {
                Read::Interrupted(m) => return Ok(m),
                Read::Msg(Message::Text(t)) => return Ok(WSMessage::Text(t.as_str().to_owned())),
                Read::Msg(Message::Binary(b)) => return Ok(WSMessage::Binary(b)),
                Read::Msg(Message::Ping(b)) => {
                    // tungstenite queued the pong; send it now, not with
                    // the next frame.
                    let _ = self.flush().await;
                    if !cfg.autoping {
                        return Ok(WSMessage::Ping(b));
                    }
                }
                Read::Msg(Message::Pong(b)) => {
                    if !cfg.autoping {
                        return Ok(WSMessage::Pong(b));
                    }
                }
                Read::Msg(Message::Close(frame)) => {
                    let (code, message) =
                        frame.map(|f| (u16::from(f.code), f.reason.as_str().to_owned())).unwrap_or((0, String::new()));
                    {
                        let mut st = self.st.borrow_mut();
                        st.closing = true;
                        st.close_code = Some(code);
                    }
                    self.stop_heartbeat();
                    if cfg.autoclose && !self.closed() {
                        // tungstenite queued the echo of the peer's close.
                        self.close(crate::WSCloseCode::OK, "").await?;
                    }
                    return Ok(WSMessage::Close { code, message });
                }
                Read::Msg(Message::Frame(_)) => {}
                Read::End => {
                    self.st.borrow_mut().close_code.get_or_insert(crate::WSCloseCode::OK);
                    self.close_transport().await;
                    return Ok(WSMessage::Closed);
                }
                Read::Failed(e) => return Ok(self.fail(e).await),
            }
        }
    }

    /// What a read error makes of the connection, and the message for it.
    async fn fail(&self, e: TError) -> WSMessage {
        let (code, message) = match e {
            TError::Capacity(CapacityError::MessageTooLong { size, max_size }) => {
                (crate::WSCloseCode::MESSAGE_TOO_BIG, format!("Message size {size} exceeds limit {max_size}"))
            }
            TError::Capacity(c) => (crate::WSCloseCode::MESSAGE_TOO_BIG, c.to_string()),
            TError::Utf8(_) => (crate::WSCloseCode::INVALID_TEXT, "Invalid UTF-8 text message".into()),
            TError::Protocol(ProtocolError::ResetWithoutClosingHandshake) => {
                // The peer went away without a close frame: aiohttp's EOF.
                self.st.borrow_mut().close_code = Some(crate::WSCloseCode::ABNORMAL_CLOSURE);
                self.close_transport().await;
                return WSMessage::Closed;
            }
            TError::Protocol(p) => (crate::WSCloseCode::PROTOCOL_ERROR, p.to_string()),
            other => {
                let err = WebSocketError::Connection(other.to_string());
                {
                    let mut st = self.st.borrow_mut();
                    st.close_code = Some(crate::WSCloseCode::ABNORMAL_CLOSURE);
                    st.exception = Some(err.clone());
                }
                self.close_transport().await;
                return WSMessage::Error(err);
            }
        };
        let err = WebSocketError::Protocol { code, message };
        self.st.borrow_mut().close_code = Some(code);
        let _ = self.close(code, "").await;
        // Our close's code stands: the peer's reply only acknowledges it.
        self.st.borrow_mut().close_code = Some(code);
        WSMessage::Error(err)
    }

    /// Sends one message and flushes, one sender at a time.
    pub(crate) async fn send(&self, msg: Message) -> Result<(), WebSocketError> {
        self.check_prepared()?;
        let _turn = self.send_lock.acquire().await;
        let mut msg = Some(msg);
        poll_fn(|cx| {
            let mut ws = self.ws.borrow_mut();
            let Some(ws) = ws.as_mut() else { return Poll::Ready(Err(WebSocketError::ConnectionReset)) };
            if msg.is_some() {
                match Pin::new(&mut *ws).poll_ready(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Err(_)) => return Poll::Ready(Err(WebSocketError::ConnectionReset)),
                    Poll::Ready(Ok(())) => {}
                }
                if let Some(m) = msg.take() {
                    if Pin::new(&mut *ws).start_send(m).is_err() {
                        return Poll::Ready(Err(WebSocketError::ConnectionReset));
                    }
                }
            }
            Pin::new(ws).poll_flush(cx).map_err(|_| WebSocketError::ConnectionReset)
        })
        .await
    }

    async fn flush(&self) -> Result<(), WebSocketError> {
        let _turn = self.send_lock.acquire().await;
        poll_fn(|cx| match self.ws.borrow_mut().as_mut() {
            Some(ws) => Pin::new(ws).poll_flush(cx).map_err(|_| WebSocketError::ConnectionReset),
            None => Poll::Ready(Err(WebSocketError::ConnectionReset)),
        })
        .await
    }

    /// aiohttp's `close(code, message)`: true if this call closed it.
    pub(crate) async fn close(&self, code: u16, message: &str) -> Result<bool, WebSocketError> {
        self.check_prepared()?;
        {
            let mut st = self.st.borrow_mut();
            if st.closed {
                return Ok(false);
            }
            st.closed = true;
        }
        self.stop_heartbeat();
        if self.st.borrow().closing {
            // The peer closed first: tungstenite queued the echo of its
            // frame (and refuses another); send that.
            let _ = self.flush().await;
            self.close_transport().await;
            return Ok(true);
        }
        let frame = CloseFrame { code: CloseCode::from(code), reason: message.into() };
        // Bounded too: a peer that reads nothing would keep a send (ours,
        // or one we wait behind) waiting for ever.
        let sent = tulip_timer::timeout(self.cfg.get().close_timeout, self.send(Message::Close(Some(frame)))).await;
        if !matches!(sent, Ok(Ok(()))) {
            self.st.borrow_mut().close_code = Some(crate::WSCloseCode::ABNORMAL_CLOSURE);
            self.close_transport().await;
            return Ok(true);
        }
        // A receive waiting in another task returns CLOSING first: one
        // reader at a time.
        poll_fn(|cx| {
            let mut st = self.st.borrow_mut();
            if !st.waiting {
                return Poll::Ready(());
            }
            if st.interrupt.is_none() {
                st.interrupt = Some(WSMessage::Closing);
                if let Some(w) = st.recv_waker.take() {
                    w.wake();
                }
            }
            st.close_waiters.push(cx.waker().clone());
            Poll::Pending
        })
        .await;
        if self.st.borrow().closing {
            self.close_transport().await;
            return Ok(true);
        }
        let reply = async {
            loop {
                match poll_fn(|cx| self.poll_frame(cx)).await {
                    Read::Msg(Message::Close(f)) => return f.map(|f| u16::from(f.code)).or(Some(0)),
                    Read::Msg(_) | Read::Interrupted(_) => {}
                    Read::End | Read::Failed(_) => return None,
                }
            }
        };
        let code = match tulip_timer::timeout(self.cfg.get().close_timeout, reply).await {
            Ok(Some(c)) => Some(c),
            Ok(None) => self.close_code().or(Some(crate::WSCloseCode::ABNORMAL_CLOSURE)),
            Err(_) => Some(crate::WSCloseCode::ABNORMAL_CLOSURE),
        };
        self.st.borrow_mut().close_code = code;
        self.close_transport().await;
        Ok(true)
    }

    /// Ends the connection without a close handshake (a heartbeat's
    /// missing pong): 1006, and a waiting receive gets `err`.
    pub(crate) fn abort(&self, err: WebSocketError) {
        {
            let mut st = self.st.borrow_mut();
            if st.closed {
                return;
            }
            st.closed = true;
            st.transport_closed = true;
            st.close_code = Some(crate::WSCloseCode::ABNORMAL_CLOSURE);
            st.exception = Some(err.clone());
            if st.waiting && !st.closing {
                st.interrupt = Some(WSMessage::Error(err));
            }
        }
        self.drop_transport();
    }

    fn stop_heartbeat(&self) {
        if let Some(t) = self.heartbeat.borrow_mut().take() {
            t.cancel();
        }
    }

    /// Shuts our side down, then reads (and drops) what the peer still
    /// sends until it closes, at most `close_timeout`: closing a socket
    /// with unread input resets it, which can destroy the close frame
    /// just sent. Then the socket is closed.
    async fn close_transport(&self) {
        {
            let mut st = self.st.borrow_mut();
            if st.transport_closed {
                return;
            }
            st.transport_closed = true;
            st.closed = true;
        }
        self.stop_heartbeat();
        let drain = async {
            let _ = poll_fn(|cx| match self.ws.borrow_mut().as_mut() {
                Some(ws) => Pin::new(ws.get_mut()).poll_close(cx),
                None => Poll::Ready(Ok(())),
            })
            .await;
            let mut buf = [0u8; 4096];
            loop {
                let n = poll_fn(|cx| match self.ws.borrow_mut().as_mut() {
                    Some(ws) => Pin::new(ws.get_mut()).poll_read(cx, &mut buf),
                    None => Poll::Ready(Ok(0)),
                })
                .await;
                if !matches!(n, Ok(n) if n > 0) {
                    break;
                }
            }
        };
        let _ = tulip_timer::timeout(self.cfg.get().close_timeout, drain).await;
        self.drop_transport();
    }

    /// Closes the socket; a receive waiting on it (in another task) wakes
    /// to find it gone.
    fn drop_transport(&self) {
        self.ws.borrow_mut().take();
        let waiting = self.st.borrow_mut().recv_waker.take();
        if let Some(w) = waiting {
            w.wake();
        }
        self.done.set();
    }
}
