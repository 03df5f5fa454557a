//! asyncio's `StreamReader`: buffered reads by size, by line, or up to a
//! separator, every one of them cancellation-safe.

use crate::read_buffer::ReadBuffer;
pub use crate::stream_errors::{IncompleteReadError, LimitOverrunError, StreamError};
use crate::transport::Transport;
use std::future::poll_fn;
use std::io;
use std::rc::Rc;
use std::task::{Context, Poll};

/// asyncio's default buffer limit for `readline`/`readuntil`: 64 KiB.
pub const DEFAULT_LIMIT: usize = 64 * 1024;

/// The reading half of a connection from [`open_connection`](crate::open_connection)
/// or a [`start_server`](crate::start_server) callback (asyncio's
/// `StreamReader`): buffered reads by size, by line, or up to a separator.
///
/// ```
/// use tulip::{open_connection, start_server, EventLoop};
/// let ev = EventLoop::new();
/// ev.run_until_complete(async {
///     let server = start_server(|_r, mut w| async move {
///         w.write(b"line one\nline two\nrest").unwrap();
///         w.close();
///     }, "127.0.0.1", 0).await.unwrap();
///     let port = server.sockets()[0].port();
///     let (mut reader, _writer) = open_connection("127.0.0.1", port).await.unwrap();
///     assert_eq!(reader.readline().await.unwrap(), b"line one\n");
///     assert_eq!(reader.readuntil(b"two").await.unwrap(), b"line two");
///     assert_eq!(reader.read_to_eof().await.unwrap(), b"\nrest");
///     assert!(reader.at_eof());
///     server.close();
/// });
/// ```
///
/// Every read method is cancellation-safe: a future dropped at any await
/// point (under `timeout`, `wait_for`, a `select`) loses and duplicates
/// nothing. Bytes stay in the buffer until a call returns them.
pub struct StreamReader {
    transport: Rc<Transport>,
    buf: ReadBuffer,
    eof: bool,
    limit: usize,
}

impl StreamReader {
    pub(crate) fn new(transport: Rc<Transport>, limit: usize) -> Self {
        StreamReader { transport, buf: ReadBuffer::default(), eof: false, limit }
    }

    /// A reader of the read end of a pipe (a child's stdout or stderr, as
    /// tulip-process hands them out), on the running loop.
    ///
    /// ```
    /// use std::io::Write;
    /// tulip::run(async {
    ///     let (rx, mut tx) = std::io::pipe().unwrap();
    ///     tx.write_all(b"from the pipe\n").unwrap();
    ///     drop(tx);
    ///     let mut r = tulip::StreamReader::from_pipe(rx.into()).unwrap();
    ///     assert_eq!(r.read_to_eof().await.unwrap(), b"from the pipe\n");
    /// });
    /// ```
    pub fn from_pipe(fd: std::os::fd::OwnedFd) -> io::Result<Self> {
        Ok(Self::new(Rc::new(Transport::pipe(fd)?), DEFAULT_LIMIT))
    }

    /// Reads once from the OS into the buffer (room for at least `at_least`
    /// more bytes): `Ok(false)` at EOF. Nothing changes unless it returns
    /// `Ready`, so a caller dropped while it is pending loses nothing.
    pub(crate) fn poll_fill(&mut self, cx: &mut Context<'_>, at_least: usize) -> Poll<io::Result<bool>> {
        if self.eof {
            return Poll::Ready(Ok(false));
        }
        let spare = self.buf.spare(at_least);
        let offered = spare.len();
        match self.transport.poll_read(cx, spare) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Ready(Ok(0)) => {
                self.eof = true;
                Poll::Ready(Ok(false))
            }
            Poll::Ready(Ok(n)) => {
                self.buf.commit(n, offered);
                Poll::Ready(Ok(true))
            }
        }
    }

    async fn fill(&mut self, at_least: usize) -> io::Result<bool> {
        poll_fn(|cx| self.poll_fill(cx, at_least)).await
    }

    /// True if bytes are buffered and not consumed.
    #[cfg(feature = "tls")]
    pub(crate) fn has_buffered(&self) -> bool {
        !self.buf.is_empty()
    }

    /// The bytes buffered and not consumed.
    pub(crate) fn buffer(&self) -> &[u8] {
        self.buf.data()
    }

    /// Consumes `n` buffered bytes.
    pub(crate) fn consume(&mut self, n: usize) {
        self.buf.discard(n);
    }

    /// Up to `n` bytes: what is buffered, or one read from the socket if
    /// nothing is (asyncio's `read(n)`); empty at EOF.
    ///
    /// ```
    /// use tulip::{open_connection, start_server};
    /// tulip::run(async {
    ///     let server = start_server(|_r, mut w| async move { w.write(b"hello").unwrap() }, "127.0.0.1", 0).await.unwrap();
    ///     let (mut r, _w) = open_connection("127.0.0.1", server.sockets()[0].port()).await.unwrap();
    ///     let got = r.read(3).await.unwrap();
    ///     assert!(!got.is_empty() && got.len() <= 3 && b"hel".starts_with(&got));
    ///     server.close();
    /// });
    /// ```
    pub async fn read(&mut self, n: usize) -> io::Result<Vec<u8>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        if self.buf.is_empty() {
            self.fill(0).await?;
        }
        let take = n.min(self.buf.len());
        Ok(self.buf.take(take))
    }

    /// Like [`read`](Self::read), into `out`: how many bytes were copied (0
    /// at EOF, or for an empty `out`). With nothing buffered and a large
    /// `out`, the socket reads straight into it.
    ///
    /// ```
    /// use tulip::{open_connection, start_server};
    /// tulip::run(async {
    ///     let server = start_server(|_r, mut w| async move { w.write(b"hi").unwrap() }, "127.0.0.1", 0).await.unwrap();
    ///     let (mut r, _w) = open_connection("127.0.0.1", server.sockets()[0].port()).await.unwrap();
    ///     let mut out = [0u8; 2];
    ///     r.readexactly_into(&mut out).await.unwrap();
    ///     assert_eq!(&out, b"hi");
    ///     server.close();
    /// });
    /// ```
    pub async fn read_into(&mut self, out: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| self.poll_read_into(cx, out)).await
    }

    pub(crate) fn poll_read_into(&mut self, cx: &mut Context<'_>, out: &mut [u8]) -> Poll<io::Result<usize>> {
        if out.is_empty() {
            return Poll::Ready(Ok(0));
        }
        if self.buf.is_empty() {
            if self.eof {
                return Poll::Ready(Ok(0));
            }
            // Big reads skip the copy through the buffer.
            if out.len() >= crate::read_buffer::MAX_READ {
                return match self.transport.poll_read(cx, out) {
                    Poll::Ready(Ok(0)) => {
                        self.eof = true;
                        Poll::Ready(Ok(0))
                    }
                    other => other,
                };
            }
            match self.poll_fill(cx, 0) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(_)) => {}
            }
        }
        Poll::Ready(Ok(self.buf.take_into(out)))
    }

    /// Everything until the end of the stream (asyncio's `read(-1)`).
    pub async fn read_to_eof(&mut self) -> io::Result<Vec<u8>> {
        while self.fill(0).await? {}
        let all = self.buf.len();
        Ok(self.buf.take(all))
    }

    /// Exactly `n` bytes (asyncio's `readexactly`), or
    /// `IncompleteReadError` with what was read if the stream ends first.
    pub async fn readexactly(&mut self, n: usize) -> Result<Vec<u8>, StreamError> {
        self.fill_to(n).await?;
        Ok(self.buf.take(n))
    }

    /// [`readexactly`](Self::readexactly) into `out` (its length is `n`);
    /// at an early end, `IncompleteReadError` holds the bytes, and `out` is
    /// left as it was.
    pub async fn readexactly_into(&mut self, out: &mut [u8]) -> Result<(), StreamError> {
        self.fill_to(out.len()).await?;
        self.buf.take_into(out);
        Ok(())
    }

    /// Waits until `n` bytes are buffered; at EOF first, consumes what
    /// there is into an `IncompleteReadError`.
    async fn fill_to(&mut self, n: usize) -> Result<(), StreamError> {
        while self.buf.len() < n {
            let missing = n - self.buf.len();
            if !self.fill(missing).await? {
                let all = self.buf.len();
                return Err(IncompleteReadError { partial: self.buf.take(all), expected: Some(n) }.into());
            }
        }
        Ok(())
    }

    /// Data up to and including `separator` (asyncio's `readuntil`), as
    /// CPython 3.11 does it:
    /// * at EOF without it: `IncompleteReadError` holding (and consuming)
    ///   everything buffered;
    /// * not found within the limit: `LimitOverrunError` with `consumed` =
    ///   how far the search got; found past the limit: `LimitOverrunError`
    ///   with `consumed` = where it starts. Either way **the data stays in
    ///   the buffer** (read it with [`read`](Self::read), or use
    ///   [`readline`](Self::readline), which discards).
    pub async fn readuntil(&mut self, separator: &[u8]) -> Result<Vec<u8>, StreamError> {
        let end = self.find_separator(separator).await?;
        Ok(self.buf.take(end))
    }

    /// Where the data up to and including `separator` ends, reading as
    /// needed; the errors of [`readuntil`](Self::readuntil).
    async fn find_separator(&mut self, separator: &[u8]) -> Result<usize, StreamError> {
        let seplen = separator.len();
        if seplen == 0 {
            return Err(
                io::Error::new(io::ErrorKind::InvalidInput, "Separator should be at least one-byte string").into()
            );
        }
        let mut offset = 0;
        loop {
            let data = self.buf.data();
            if data.len() - offset >= seplen {
                if let Some(pos) = find(&data[offset..], separator) {
                    let isep = offset + pos;
                    if isep > self.limit {
                        return Err(LimitOverrunError { consumed: isep, found: true }.into());
                    }
                    return Ok(isep + seplen);
                }
                offset = data.len() + 1 - seplen;
                if offset > self.limit {
                    return Err(LimitOverrunError { consumed: offset, found: false }.into());
                }
            }
            if self.eof {
                let all = self.buf.len();
                return Err(IncompleteReadError { partial: self.buf.take(all), expected: None }.into());
            }
            self.fill(0).await?;
        }
    }

    /// One line, `\n` included (asyncio's `readline`); at EOF, the partial
    /// last line (empty once everything was read). A line longer than the
    /// limit is an error after which reading can go on, as in CPython 3.11:
    /// if the `\n` is in the buffer, the line up to it is discarded, else
    /// the whole buffer is; the error's `consumed` says where the search
    /// stopped.
    pub async fn readline(&mut self) -> Result<Vec<u8>, StreamError> {
        match self.find_separator(b"\n").await {
            Ok(end) => Ok(self.buf.take(end)),
            Err(StreamError::IncompleteRead(e)) => Ok(e.partial),
            Err(StreamError::LimitOverrun(e)) => {
                if self.buf.data().get(e.consumed) == Some(&b'\n') {
                    self.buf.discard(e.consumed + 1);
                } else {
                    let all = self.buf.len();
                    self.buf.discard(all);
                }
                Err(e.into())
            }
            Err(e) => Err(e),
        }
    }

    /// True when the stream ended and the buffer is empty.
    pub fn at_eof(&self) -> bool {
        self.eof && self.buf.is_empty()
    }

    /// The buffer limit of `readline`/`readuntil`.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Changes the buffer limit (asyncio's `limit=` argument of
    /// `open_connection`/`start_server`; default [`DEFAULT_LIMIT`]).
    ///
    /// ```
    /// let ev = tulip::EventLoop::new();
    /// ev.run_until_complete(async {
    ///     let server = tulip::start_server(|_r, mut w| async move {
    ///         w.write(b"a line longer than eight bytes\n").unwrap();
    ///     }, "127.0.0.1", 0).await.unwrap();
    ///     let (mut r, _w) = tulip::open_connection("127.0.0.1", server.sockets()[0].port()).await.unwrap();
    ///     r.set_limit(8);
    ///     assert!(matches!(r.readline().await, Err(tulip::StreamError::LimitOverrun(_))));
    ///     server.close();
    /// });
    /// ```
    pub fn set_limit(&mut self, limit: usize) {
        self.limit = limit;
    }

    /// Bytes of buffer storage this reader holds (what an idle connection
    /// costs, beyond the kernel's socket buffers).
    ///
    /// ```
    /// tulip::run(async {
    ///     let (rx, _tx) = std::io::pipe().unwrap();
    ///     let r = tulip::StreamReader::from_pipe(rx.into()).unwrap();
    ///     assert_eq!(r.buffer_capacity(), 0); // nothing before the first read
    /// });
    /// ```
    pub fn buffer_capacity(&self) -> usize {
        self.buf.capacity()
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    match needle {
        [b] => haystack.iter().position(|x| x == b),
        _ => haystack.windows(needle.len()).position(|w| w == needle),
    }
}

impl std::fmt::Debug for StreamReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamReader").field("buffered", &self.buf.len()).field("eof", &self.eof).finish()
    }
}
