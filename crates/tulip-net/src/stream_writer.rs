//! asyncio's `StreamWriter`, with its flow control.

use crate::transport::{PeerName, Transport};
use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::io;
use std::net::Shutdown;
use std::rc::Rc;
use std::task::Poll;
use tulip_task::{Task, WakerSet};

/// asyncio's default high-water mark of a transport's write buffer.
pub const DEFAULT_HIGH_WATER: usize = 64 * 1024;

struct WriterState {
    transport: Rc<Transport>,
    pending: RefCell<Vec<u8>>,
    error: RefCell<Option<(io::ErrorKind, String)>>,
    closing: Cell<bool>,
    /// `close`/`abort` (the whole connection), not `write_eof` (one way).
    full_close: Cell<bool>,
    closed: Cell<bool>,
    /// The background flush, while one runs (an `abort` cancels it): while
    /// it does, data goes out in order through it.
    flush: RefCell<Option<Task<()>>>,
    /// Tasks in `drain` or `wait_closed`.
    waiters: WakerSet,
    high: Cell<usize>,
    low: Cell<usize>,
}

impl WriterState {
    fn wake_all(&self) {
        self.waiters.wake_all();
    }

    /// A background flush is running.
    fn flushing(&self) -> bool {
        self.flush.borrow().is_some()
    }

    fn error(&self) -> Option<io::Error> {
        self.error.borrow().as_ref().map(|(k, m)| io::Error::new(*k, m.clone()))
    }

    fn finish_close(&self) {
        if self.closing.get() && !self.closed.get() {
            let how = if self.full_close.get() { Shutdown::Both } else { Shutdown::Write };
            let _ = self.transport.shutdown(how);
            self.closed.set(true);
        }
        self.wake_all();
    }
}

/// The writing half of a connection (asyncio's `StreamWriter`).
///
/// [`write`](Self::write) never waits: it hands data to the socket at once
/// when it can, and buffers the rest, which a background flush sends as
/// the socket drains. [`drain`](Self::drain) is the flow control: it waits
/// while more than the high-water mark (64 KiB) is buffered, until the
/// buffer is back under the low-water mark. A writer that never drains
/// cannot grow memory without bound: past 16 × the high-water mark, `write`
/// refuses data with `WouldBlock` (nothing is lost: the caller still has it).
///
/// ```
/// use tulip::{open_connection, start_server, EventLoop};
/// let ev = EventLoop::new();
/// ev.run_until_complete(async {
///     let server = start_server(|mut r, mut w| async move {
///         let line = r.readline().await.unwrap();
///         w.write(&line).unwrap();
///         w.drain().await.unwrap();
///     }, "127.0.0.1", 0).await.unwrap();
///     let (mut r, mut w) = open_connection("127.0.0.1", server.sockets()[0].port()).await.unwrap();
///     w.writelines([&b"echo "[..], b"me\n"]).unwrap();
///     w.drain().await.unwrap();
///     assert_eq!(r.readline().await.unwrap(), b"echo me\n");
///     w.close();
///     w.wait_closed().await.unwrap();
///     server.close();
/// });
/// ```
pub struct StreamWriter {
    state: Rc<WriterState>,
    /// The entry of the `AsyncWrite` polls among the waiters.
    poll_key: Option<usize>,
}

impl StreamWriter {
    /// A writer of the write end of a pipe (a child's stdin, as
    /// tulip-process hands it out), on the running loop. Closing it closes
    /// the pipe.
    ///
    /// ```
    /// use std::io::Read;
    /// tulip::run(async {
    ///     let (mut rx, tx) = std::io::pipe().unwrap();
    ///     let mut w = tulip::StreamWriter::from_pipe(tx.into()).unwrap();
    ///     w.write(b"into the pipe").unwrap();
    ///     w.close();
    ///     w.wait_closed().await.unwrap();
    ///     let mut got = String::new();
    ///     rx.read_to_string(&mut got).unwrap();
    ///     assert_eq!(got, "into the pipe");
    /// });
    /// ```
    pub fn from_pipe(fd: std::os::fd::OwnedFd) -> io::Result<Self> {
        Ok(Self::new(Rc::new(Transport::pipe(fd)?)))
    }

    pub(crate) fn new(transport: Rc<Transport>) -> Self {
        StreamWriter {
            poll_key: None,
            state: Rc::new(WriterState {
                transport,
                pending: RefCell::new(Vec::new()),
                error: RefCell::new(None),
                closing: Cell::new(false),
                full_close: Cell::new(false),
                closed: Cell::new(false),
                flush: RefCell::new(None),
                waiters: WakerSet::new(),
                high: Cell::new(DEFAULT_HIGH_WATER),
                low: Cell::new(DEFAULT_HIGH_WATER / 4),
            }),
        }
    }

    /// Sends `data` or buffers it (asyncio's `write`). Errors: the writer is
    /// closing, the connection failed earlier, or too much is buffered
    /// (`WouldBlock`: await [`drain`](Self::drain) first).
    pub fn write(&mut self, mut data: &[u8]) -> io::Result<()> {
        let st = &self.state;
        if let Some(e) = st.error() {
            return Err(e);
        }
        if st.closing.get() {
            return Err(io::Error::new(io::ErrorKind::BrokenPipe, "the writer is closing"));
        }
        if st.pending.borrow().len() + data.len() > st.high.get().saturating_mul(16) {
            return Err(io::Error::new(io::ErrorKind::WouldBlock, "write buffer full: await drain()"));
        }
        if !st.flushing() {
            while !data.is_empty() {
                match st.transport.try_write(data) {
                    Ok(0) => break,
                    Ok(n) => data = &data[n..],
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        *st.error.borrow_mut() = Some((e.kind(), e.to_string()));
                        return Err(e);
                    }
                }
            }
        }
        if !data.is_empty() {
            st.pending.borrow_mut().extend_from_slice(data);
            self.start_flush();
        }
        Ok(())
    }

    /// Writes each buffer in turn (asyncio's `writelines`).
    pub fn writelines<'a>(&mut self, lines: impl IntoIterator<Item = &'a [u8]>) -> io::Result<()> {
        for line in lines {
            self.write(line)?;
        }
        Ok(())
    }

    fn start_flush(&self) {
        if self.state.flushing() {
            return;
        }
        let st = self.state.clone();
        // The runtime's own task: not in `all_tasks()`, so asyncio's shutdown
        // idiom (cancel every other task, then write, close, wait_closed)
        // does not cancel it; a closing loop still does.
        let task = tulip_reactor::get_running_loop().create_internal_task(async move {
            loop {
                let n = {
                    let result = poll_fn(|cx| {
                        let pending = st.pending.borrow();
                        if pending.is_empty() {
                            return Poll::Ready(Ok(0));
                        }
                        st.transport.poll_write(cx, &pending)
                    })
                    .await;
                    match result {
                        Ok(n) => n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => {
                            *st.error.borrow_mut() = Some((e.kind(), e.to_string()));
                            st.pending.borrow_mut().clear();
                            break;
                        }
                    }
                };
                let left = {
                    let mut pending = st.pending.borrow_mut();
                    let done = n.min(pending.len());
                    pending.drain(..done);
                    pending.len()
                };
                if left <= st.low.get() {
                    st.wake_all();
                }
                if left == 0 || n == 0 {
                    break;
                }
            }
            let itself = st.flush.borrow_mut().take();
            drop(itself);
            st.finish_close();
        });
        // Stored before it first runs: it takes itself out when it ends.
        *self.state.flush.borrow_mut() = Some(task);
    }

    /// Waits until the buffer is small enough to write more (asyncio's
    /// `drain`): at once while at most the high-water mark is buffered.
    /// Reports a connection error that the background flush met.
    pub async fn drain(&mut self) -> io::Result<()> {
        let st = &*self.state;
        st.waiters
            .wait_until(|| match st.error() {
                Some(e) => Some(Err(e)),
                None => (st.pending.borrow().len() <= st.high.get()).then_some(Ok(())),
            })
            .await
    }

    /// Sets the flow-control water marks (asyncio's
    /// `transport.set_write_buffer_limits(high, low)`); `low` is capped at
    /// `high`. Defaults: 64 KiB and 16 KiB.
    ///
    /// ```
    /// let ev = tulip::EventLoop::new();
    /// ev.run_until_complete(async {
    ///     let server = tulip::start_server(|_r, _w| async {}, "127.0.0.1", 0).await.unwrap();
    ///     let (_r, mut w) = tulip::open_connection("127.0.0.1", server.sockets()[0].port()).await.unwrap();
    ///     w.set_write_buffer_limits(1 << 20, 1 << 18);
    ///     assert_eq!(w.get_write_buffer_limits(), (1 << 20, 1 << 18));
    ///     server.close();
    /// });
    /// ```
    pub fn set_write_buffer_limits(&mut self, high: usize, low: usize) {
        self.state.high.set(high);
        self.state.low.set(low.min(high));
    }

    /// The (high, low) water marks.
    pub fn get_write_buffer_limits(&self) -> (usize, usize) {
        (self.state.high.get(), self.state.low.get())
    }

    /// Bytes buffered and not yet handed to the socket.
    pub fn buffered(&self) -> usize {
        self.state.pending.borrow().len()
    }

    /// Closes the connection once the buffer is flushed, as asyncio's
    /// transport does: the peer sees the end of the stream, and this side's
    /// reader reaches EOF. Further writes are refused. To keep reading the
    /// answer, use [`write_eof`](Self::write_eof); to drop what is
    /// buffered, [`abort`](Self::abort).
    pub fn close(&mut self) {
        self.state.full_close.set(true);
        self.begin_close();
    }

    fn begin_close(&self) {
        self.state.closing.set(true);
        if !self.state.flushing() {
            self.state.finish_close();
        }
    }

    /// Closes at once, discarding what is buffered (asyncio's
    /// `transport.abort()`): the way to let go of a peer that stopped
    /// reading. The background flush stops, waiters of `drain` and
    /// `wait_closed` return, and the socket is released as soon as the
    /// reader and the writer are dropped.
    ///
    /// ```
    /// use tulip::{open_connection, start_server};
    /// tulip::run(async {
    ///     // A peer that never reads.
    ///     let server = start_server(|r, w| async move {
    ///         let _keep = (r, w);
    ///         std::future::pending::<()>().await
    ///     }, "127.0.0.1", 0).await.unwrap();
    ///     let (_r, mut w) = open_connection("127.0.0.1", server.sockets()[0].port()).await.unwrap();
    ///     while w.write(&[0u8; 65536]).is_ok() {}
    ///     assert!(w.buffered() > 0);
    ///     w.abort();
    ///     assert_eq!(w.buffered(), 0);
    ///     w.wait_closed().await.unwrap();
    ///     server.close();
    /// });
    /// ```
    pub fn abort(&mut self) {
        let st = &self.state;
        drop(std::mem::take(&mut *st.pending.borrow_mut()));
        let flush = st.flush.borrow_mut().take();
        if let Some(task) = flush {
            task.cancel();
        }
        st.full_close.set(true);
        self.begin_close();
    }

    /// Half-closes (asyncio's `write_eof`): once the buffer is flushed the
    /// peer sees the end of the stream, while this side's reader keeps
    /// reading its answer. Further writes are refused.
    ///
    /// ```
    /// use tulip::{open_connection, start_server, EventLoop};
    /// let ev = EventLoop::new();
    /// ev.run_until_complete(async {
    ///     // The server counts bytes until the client's EOF, then answers.
    ///     let server = start_server(|mut r, mut w| async move {
    ///         let all = r.read_to_eof().await.unwrap();
    ///         w.write(format!("{} bytes\n", all.len()).as_bytes()).unwrap();
    ///     }, "127.0.0.1", 0).await.unwrap();
    ///     let (mut r, mut w) = open_connection("127.0.0.1", server.sockets()[0].port()).await.unwrap();
    ///     assert!(w.can_write_eof());
    ///     w.write(b"twelve bytes").unwrap();
    ///     w.write_eof();
    ///     assert_eq!(r.readline().await.unwrap(), b"12 bytes\n");
    ///     server.close();
    /// });
    /// ```
    pub fn write_eof(&mut self) {
        self.begin_close();
    }

    /// Whether [`write_eof`](Self::write_eof) is supported: always, for
    /// sockets and pipes.
    pub fn can_write_eof(&self) -> bool {
        true
    }

    /// True once `close` was called.
    pub fn is_closing(&self) -> bool {
        self.state.closing.get()
    }

    /// Waits until `close` has completed (the buffer flushed, the write
    /// side shut down); reports a connection error met on the way.
    pub async fn wait_closed(&mut self) -> io::Result<()> {
        let st = &*self.state;
        st.waiters
            .wait_until(|| match st.error() {
                Some(e) => Some(Err(e)),
                None => st.closed.get().then_some(Ok(())),
            })
            .await
    }

    /// The peer's address (asyncio's `get_extra_info("peername")`).
    pub fn peername(&self) -> io::Result<PeerName> {
        self.state.transport.peername()
    }

    /// The local address of a TCP connection (`get_extra_info("sockname")`).
    pub fn sockname(&self) -> Option<std::net::SocketAddr> {
        self.state.transport.sockname()
    }

    /// asyncio's `get_extra_info(name)`: `"peername"`, `"sockname"`, and
    /// over TLS `"peercert"` (the peer's certificate, DER), `"cipher"`,
    /// `"ssl_version"` and `"selected_alpn_protocol"`; `None` for any other
    /// name, or what the connection does not have.
    ///
    /// ```
    /// use tulip::net::ExtraInfo;
    /// tulip::run(async {
    ///     let server = tulip::start_server(|_r, _w| async {}, "127.0.0.1", 0).await.unwrap();
    ///     let (_r, w) = tulip::open_connection("127.0.0.1", server.sockets()[0].port()).await.unwrap();
    ///     assert!(matches!(w.get_extra_info("peername"), Some(ExtraInfo::Peername(_))));
    ///     assert!(w.get_extra_info("peercert").is_none()); // not TLS
    ///     server.close();
    /// });
    /// ```
    pub fn get_extra_info(&self, name: &str) -> Option<ExtraInfo> {
        match name {
            "peername" => self.peername().ok().map(ExtraInfo::Peername),
            "sockname" => self.sockname().map(ExtraInfo::Sockname),
            #[cfg(feature = "tls")]
            "peercert" | "cipher" | "ssl_version" | "selected_alpn_protocol" => {
                let tls = self.state.transport.tls()?;
                match name {
                    "peercert" => tls.peer_certificate().map(|c| ExtraInfo::Peercert(c.to_vec())),
                    "cipher" => tls.cipher().map(ExtraInfo::Cipher),
                    "ssl_version" => tls.version().map(ExtraInfo::SslVersion),
                    _ => tls.negotiated_protocol().map(|p| ExtraInfo::SelectedAlpnProtocol(p.to_vec())),
                }
            }
            _ => None,
        }
    }

    /// The transport, for `start_tls` (which takes it over).
    #[cfg(feature = "tls")]
    pub(crate) fn transport(&self) -> Rc<Transport> {
        self.state.transport.clone()
    }
}

/// What [`StreamWriter::get_extra_info`] reports; asyncio returns a
/// different Python type for each name.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ExtraInfo {
    /// `"peername"`: the remote address.
    Peername(PeerName),
    /// `"sockname"`: the local address of a TCP connection.
    Sockname(std::net::SocketAddr),
    /// `"peercert"`: the peer's TLS certificate, DER-encoded.
    Peercert(Vec<u8>),
    /// `"cipher"`: the TLS cipher suite's name.
    Cipher(&'static str),
    /// `"ssl_version"`: the TLS version's name.
    SslVersion(&'static str),
    /// `"selected_alpn_protocol"`: the protocol ALPN settled on.
    SelectedAlpnProtocol(Vec<u8>),
}

impl StreamWriter {
    /// The `AsyncWrite` side: ready once `ready` says so, else registered
    /// among the waiters (one entry, kept until the writer is dropped).
    pub(crate) fn poll_until<R>(
        &mut self,
        cx: &mut std::task::Context<'_>,
        ready: impl FnOnce(&Self) -> Option<R>,
    ) -> Poll<R> {
        match ready(self) {
            Some(r) => Poll::Ready(r),
            None => {
                self.state.waiters.register(&mut self.poll_key, cx.waker());
                Poll::Pending
            }
        }
    }

    /// The error the connection met, if any.
    pub(crate) fn failure(&self) -> Option<io::Error> {
        self.state.error()
    }

    /// Whether `close` completed.
    pub(crate) fn is_closed(&self) -> bool {
        self.state.closed.get()
    }

    /// The high-water mark.
    pub(crate) fn high_water(&self) -> usize {
        self.state.high.get()
    }
}

impl Drop for StreamWriter {
    fn drop(&mut self) {
        if let Some(key) = self.poll_key.take() {
            self.state.waiters.remove(key);
        }
    }
}

impl std::fmt::Debug for StreamWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamWriter").field("buffered", &self.buffered()).field("closing", &self.is_closing()).finish()
    }
}
