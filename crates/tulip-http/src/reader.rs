//! `resp.content`: aiohttp's `StreamReader` over the decoded body.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_lite::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt};
use futures_lite::Stream;

use crate::decode::Source;
use crate::errors::{ClientError, ClientPayloadError};

/// How much the reader buffers, and the longest line `readline` returns
/// (aiohttp's `ValueError: Chunk too big` beyond its limit).
const BUF: usize = 64 * 1024;
const MAX_LINE: usize = 2 * BUF;

/// The response body as a stream (aiohttp's `resp.content`): `read(n)`,
/// `readany`, `readline`, `readexactly`, `iter_chunked`, `iter_any`, and
/// futures-io's `AsyncRead`/`AsyncBufRead` for everything else (e.g.
/// `futures_lite::io::copy` into a file). Bytes come decoded (gzip,
/// deflate). Errors keep their [`ClientError`] inside the `io::Error`.
///
/// ```
/// # use std::io::{Read, Write};
/// # let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
/// # let url = format!("http://{}/", listener.local_addr().unwrap());
/// # std::thread::spawn(move || { let (mut s, _) = listener.accept().unwrap(); let mut b = [0; 4096]; let _ = s.read(&mut b);
/// #   s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\none\ntwo\nend.").unwrap(); });
/// use futures_lite::StreamExt;
/// tulip::run(async move {
///     let session = tulip::http::ClientSession::new();
///     let mut resp = session.get(&url).send().await.unwrap();
///     let content = resp.content();
///     assert_eq!(content.readline().await.unwrap(), "one\n");
///     assert_eq!(content.read(2).await.unwrap(), "tw");
///     let rest: Vec<_> = content.iter_chunked(2).map(|c| c.unwrap()).collect().await;
///     assert_eq!(rest, ["o\n", "en", "d."]);
///     assert!(content.at_eof());
///     session.close().await;
/// });
/// ```
pub struct BodyReader {
    inner: Source,
    eof: bool,
}

impl std::fmt::Debug for BodyReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BodyReader").field("eof", &self.eof).finish()
    }
}

impl BodyReader {
    pub(crate) fn new(source: Source) -> Self {
        BodyReader { inner: source, eof: false }
    }

    /// Up to `n` bytes; empty at the end (aiohttp's `read(n)`).
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nab\ncd\nefghij");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let mut resp = session.get(&url).send().await.unwrap();
    ///     assert_eq!(resp.content().read(4).await.unwrap(), "ab\ncd"[..4]);
    ///     session.close().await;
    /// });
    /// ```
    pub async fn read(&mut self, n: usize) -> Result<Bytes, ClientError> {
        let mut buf = vec![0; n.min(1 << 20)];
        let got = self.inner.read(&mut buf).await.map_err(ClientError::from_io)?;
        if got == 0 && n > 0 {
            self.eof = true;
        }
        buf.truncate(got);
        Ok(buf.into())
    }

    /// Whatever is buffered or arrives next; empty at the end (aiohttp's `readany`).
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nab\ncd\nefghij");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let mut resp = session.get(&url).send().await.unwrap();
    ///     assert!(!resp.content().readany().await.unwrap().is_empty());
    ///     session.close().await;
    /// });
    /// ```
    pub async fn readany(&mut self) -> Result<Bytes, ClientError> {
        self.read(BUF).await
    }

    /// One line, with its `\n` (the last one may lack it); empty at the end.
    /// A line longer than 128 KiB is an error (aiohttp: "Chunk too big").
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nab\ncd\nefghij");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let mut resp = session.get(&url).send().await.unwrap();
    ///     assert_eq!(resp.content().readline().await.unwrap(), "ab\n");
    ///     session.close().await;
    /// });
    /// ```
    pub async fn readline(&mut self) -> Result<Bytes, ClientError> {
        let mut line = Vec::new();
        loop {
            let avail = self.inner.fill_buf().await.map_err(ClientError::from_io)?;
            if avail.is_empty() {
                self.eof = true;
                return Ok(line.into());
            }
            let (take, done) = match avail.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (avail.len(), false),
            };
            line.extend_from_slice(&avail[..take]);
            Pin::new(&mut self.inner).consume(take);
            if done {
                return Ok(line.into());
            }
            if line.len() > MAX_LINE {
                return Err(ClientPayloadError::new("Chunk too big: a line longer than 128 KiB").into());
            }
        }
    }

    /// Exactly `n` bytes, or a payload error if the body ends first
    /// (aiohttp's `IncompleteReadError`).
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nab\ncd\nefghij");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let mut resp = session.get(&url).send().await.unwrap();
    ///     assert_eq!(resp.content().readexactly(5).await.unwrap(), "ab\ncd");
    ///     assert!(resp.content().readexactly(100).await.is_err());
    ///     session.close().await;
    /// });
    /// ```
    pub async fn readexactly(&mut self, n: usize) -> Result<Bytes, ClientError> {
        let mut buf = BytesMut::zeroed(n);
        let mut filled = 0;
        while filled < n {
            let got = self.inner.read(&mut buf[filled..]).await.map_err(ClientError::from_io)?;
            if got == 0 {
                self.eof = true;
                return Err(
                    ClientPayloadError::new(format!("{filled} bytes read on a total of {n} expected bytes")).into()
                );
            }
            filled += got;
        }
        Ok(buf.freeze())
    }

    /// The rest of the body.
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nab\ncd\nefghij");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let mut resp = session.get(&url).send().await.unwrap();
    ///     assert_eq!(resp.content().read_to_end().await.unwrap(), "ab\ncd\nefghij");
    ///     session.close().await;
    /// });
    /// ```
    pub async fn read_to_end(&mut self) -> Result<Bytes, ClientError> {
        // Whole chunks, not copies: a body that came in one piece is
        // returned as hyper gave it (and without a `Vec` to hold it).
        let mut first: Option<Bytes> = None;
        let mut chunks: Vec<Bytes> = Vec::new();
        loop {
            let chunk = match &mut self.inner {
                Source::Raw(raw) => {
                    if raw.fill_buf().await.map_err(ClientError::from_io)?.is_empty() {
                        break;
                    }
                    raw.take_chunk()
                }
                Source::Decoded(d) => {
                    let avail = d.fill_buf().await.map_err(ClientError::from_io)?;
                    if avail.is_empty() {
                        break;
                    }
                    let chunk = Bytes::copy_from_slice(avail);
                    Pin::new(&mut *d).consume(chunk.len());
                    chunk
                }
            };
            match first.take() {
                None if chunks.is_empty() => first = Some(chunk),
                Some(f) => chunks.extend([f, chunk]),
                None => chunks.push(chunk),
            }
        }
        self.eof = true;
        Ok(match first {
            Some(only) => only,
            None if chunks.is_empty() => Bytes::new(),
            None => chunks.concat().into(),
        })
    }

    /// The body in chunks of at most `n` bytes (aiohttp's `iter_chunked`).
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nab\ncd\nefghij");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let mut resp = session.get(&url).send().await.unwrap();
    ///     use futures_lite::StreamExt;
    ///     let n = resp.content().iter_chunked(5).count().await;
    ///     assert_eq!(n, 3);
    ///     session.close().await;
    /// });
    /// ```
    pub fn iter_chunked(&mut self, n: usize) -> impl Stream<Item = Result<Bytes, ClientError>> + '_ {
        futures_lite::stream::unfold((self, false), move |(r, stop)| async move {
            if stop {
                return None;
            }
            match r.read(n.max(1)).await {
                Ok(b) if b.is_empty() => None,
                Ok(b) => Some((Ok(b), (r, false))),
                Err(e) => Some((Err(e), (r, true))),
            }
        })
    }

    /// The body in chunks as they arrive (aiohttp's `iter_any`).
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nab\ncd\nefghij");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let mut resp = session.get(&url).send().await.unwrap();
    ///     use futures_lite::StreamExt;
    ///     let all: Vec<_> = resp.content().iter_any().map(|c| c.unwrap()).collect().await;
    ///     assert_eq!(all.concat(), b"ab\ncd\nefghij");
    ///     session.close().await;
    /// });
    /// ```
    pub fn iter_any(&mut self) -> impl Stream<Item = Result<Bytes, ClientError>> + '_ {
        self.iter_chunked(BUF)
    }

    /// Whether the end of the body was reached.
    ///
    /// ```
    /// # let url = tulip::http::__doc::canned(b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nab\ncd\nefghij");
    /// tulip::run(async move {
    ///     let session = tulip::http::ClientSession::new();
    ///     let mut resp = session.get(&url).send().await.unwrap();
    ///     assert!(!resp.content().at_eof());
    ///     resp.content().read_to_end().await.unwrap();
    ///     assert!(resp.content().at_eof());
    ///     session.close().await;
    /// });
    /// ```
    pub fn at_eof(&self) -> bool {
        self.eof
    }

    /// Drops the rest of the body and closes the connection.
    pub(crate) fn discard(&mut self) {
        if let Some(raw) = self.inner.raw_mut() {
            raw.discard();
        }
    }

    /// Whether the connection's part is over (the body fully received).
    pub(crate) fn received_all(&mut self) -> bool {
        self.inner.raw_mut().is_none_or(|r| r.is_done())
    }
}

impl AsyncRead for BodyReader {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let res = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(0)) = res {
            if !buf.is_empty() {
                self.eof = true;
            }
        }
        res
    }
}

impl AsyncBufRead for BodyReader {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.get_mut();
        Pin::new(&mut this.inner).poll_fill_buf(cx)
    }

    fn consume(mut self: Pin<&mut Self>, amt: usize) {
        Pin::new(&mut self.inner).consume(amt);
    }
}
