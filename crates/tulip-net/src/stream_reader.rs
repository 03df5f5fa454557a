//! asyncio's `StreamReader`.

use crate::transport::Transport;
use std::future::poll_fn;
use std::io;
use std::rc::Rc;

/// asyncio's default buffer limit for `readline`/`readuntil`: 64 KiB.
pub const DEFAULT_LIMIT: usize = 64 * 1024;

/// `readexactly` or `readuntil` met the end of the stream first (asyncio's
/// `IncompleteReadError`); `partial` holds what was read, and is not lost.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} bytes read on a total of {} expected bytes", partial.len(), expected.map_or("undefined".to_string(), |n| n.to_string()))]
pub struct IncompleteReadError {
    /// The bytes read before the end of the stream.
    pub partial: Vec<u8>,
    /// How many were asked for (`None` for `readuntil`).
    pub expected: Option<usize>,
}

/// The separator was not found within the buffer limit (asyncio's
/// `LimitOverrunError`); the data stays in the buffer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("separator is not found, and chunk exceeds the limit ({consumed} bytes buffered)")]
pub struct LimitOverrunError {
    /// How many bytes are buffered.
    pub consumed: usize,
}

/// Why a `StreamReader` call failed.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// The socket failed.
    #[error(transparent)]
    Io(#[from] io::Error),
    /// The stream ended early.
    #[error(transparent)]
    IncompleteRead(#[from] IncompleteReadError),
    /// The line or chunk is longer than the limit.
    #[error(transparent)]
    LimitOverrun(#[from] LimitOverrunError),
}

impl From<StreamError> for io::Error {
    /// For `?` in functions returning `io::Result`: an early end becomes
    /// `UnexpectedEof`, a limit overrun `InvalidData` (the message says which).
    fn from(e: StreamError) -> io::Error {
        match e {
            StreamError::Io(e) => e,
            StreamError::IncompleteRead(e) => io::Error::new(io::ErrorKind::UnexpectedEof, e),
            StreamError::LimitOverrun(e) => io::Error::new(io::ErrorKind::InvalidData, e),
        }
    }
}

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
pub struct StreamReader {
    transport: Rc<Transport>,
    buf: Vec<u8>,
    /// Bytes of `buf` before this offset were already consumed.
    start: usize,
    eof: bool,
    limit: usize,
}

const READ_CHUNK: usize = 64 * 1024;

impl StreamReader {
    pub(crate) fn new(transport: Rc<Transport>, limit: usize) -> Self {
        StreamReader { transport, buf: Vec::new(), start: 0, eof: false, limit }
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

    fn buffered(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    fn consume(&mut self, n: usize) -> Vec<u8> {
        let out = self.buf[self.start..self.start + n].to_vec();
        self.start += n;
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        }
        out
    }

    /// Reads one chunk from the socket into the buffer; false at EOF.
    async fn fill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.start > 0 && self.start * 2 >= self.buf.len() {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        let old = self.buf.len();
        self.buf.resize(old + READ_CHUNK, 0);
        let transport = self.transport.clone();
        let spare = &mut self.buf[old..];
        let n = poll_fn(|cx| transport.poll_read(cx, spare)).await;
        let n = match n {
            Ok(n) => n,
            Err(e) => {
                self.buf.truncate(old);
                return Err(e);
            }
        };
        self.buf.truncate(old + n);
        if n == 0 {
            self.eof = true;
        }
        Ok(n > 0)
    }

    /// Up to `n` bytes: what is buffered, or one read from the socket if
    /// nothing is (asyncio's `read(n)`); empty at EOF.
    pub async fn read(&mut self, n: usize) -> io::Result<Vec<u8>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        if self.buffered().is_empty() {
            self.fill().await?;
        }
        let take = n.min(self.buffered().len());
        Ok(self.consume(take))
    }

    /// Everything until the end of the stream (asyncio's `read(-1)`).
    pub async fn read_to_eof(&mut self) -> io::Result<Vec<u8>> {
        while self.fill().await? {}
        let all = self.buffered().len();
        Ok(self.consume(all))
    }

    /// Exactly `n` bytes (asyncio's `readexactly`), or
    /// `IncompleteReadError` with what was read if the stream ends first.
    pub async fn readexactly(&mut self, n: usize) -> Result<Vec<u8>, StreamError> {
        while self.buffered().len() < n {
            if !self.fill().await? {
                let all = self.buffered().len();
                return Err(IncompleteReadError { partial: self.consume(all), expected: Some(n) }.into());
            }
        }
        Ok(self.consume(n))
    }

    /// Data up to and including `separator` (asyncio's `readuntil`). At EOF
    /// without it: `IncompleteReadError` holding the rest. If the limit is
    /// reached first: `LimitOverrunError`, the data left in the buffer.
    pub async fn readuntil(&mut self, separator: &[u8]) -> Result<Vec<u8>, StreamError> {
        if separator.is_empty() {
            return Err(
                io::Error::new(io::ErrorKind::InvalidInput, "separator should be at least one-byte string").into()
            );
        }
        let mut searched = 0;
        loop {
            let data = self.buffered();
            if let Some(pos) = find(&data[searched..], separator) {
                let end = searched + pos + separator.len();
                if end > self.limit {
                    return Err(LimitOverrunError { consumed: end }.into());
                }
                return Ok(self.consume(end));
            }
            searched = data.len().saturating_sub(separator.len() - 1);
            if data.len() > self.limit {
                return Err(LimitOverrunError { consumed: data.len() }.into());
            }
            if !self.fill().await? {
                let all = self.buffered().len();
                return Err(IncompleteReadError { partial: self.consume(all), expected: None }.into());
            }
        }
    }

    /// One line, `\n` included (asyncio's `readline`); at EOF, the partial
    /// last line (empty once everything was read).
    pub async fn readline(&mut self) -> Result<Vec<u8>, StreamError> {
        match self.readuntil(b"\n").await {
            Err(StreamError::IncompleteRead(e)) => Ok(e.partial),
            other => other,
        }
    }

    /// True when the stream ended and the buffer is empty.
    pub fn at_eof(&self) -> bool {
        self.eof && self.buffered().is_empty()
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
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

impl std::fmt::Debug for StreamReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamReader").field("buffered", &self.buffered().len()).field("eof", &self.eof).finish()
    }
}
