//! `Content-Encoding: gzip` and `deflate`, decoded as the body is read
//! (aiohttp's `auto_decompress`).

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use async_compression::futures::bufread::{DeflateDecoder, GzipDecoder, ZlibDecoder};
use futures_lite::io::{AsyncBufRead, AsyncRead, BufReader};

use crate::errors::{ClientError, ClientPayloadError};
use crate::raw_body::RawBody;

/// How much decoded body is buffered.
const DECODED_BUF: usize = 64 * 1024;

/// The body as a buffered reader: hyper's chunks as they are (no copy, no
/// extra buffer), or the decoder's output through a buffer.
#[allow(clippy::large_enum_variant)] // Raw is the common case: boxing it would allocate per response.
pub(crate) enum Source {
    Raw(RawBody),
    /// Boxed: a decoder's state is large, and every response (most not
    /// compressed) would carry and move it.
    Decoded(Box<BufReader<Decoded>>),
}

impl Source {
    /// The reader for a `Content-Encoding` value (`None` or unknown: as is).
    pub(crate) fn new(encoding: Option<&str>, raw: RawBody) -> Self {
        let decoded = match encoding.map(|e| e.trim().to_ascii_lowercase()).as_deref() {
            Some("gzip" | "x-gzip") => Decoded::Gzip(GzipDecoder::new(raw)),
            Some("deflate") => Decoded::Deflate(Some(raw)),
            _ => return Source::Raw(raw),
        };
        Source::Decoded(Box::new(BufReader::with_capacity(DECODED_BUF, decoded)))
    }

    pub(crate) fn raw_mut(&mut self) -> Option<&mut RawBody> {
        match self {
            Source::Raw(r) => Some(r),
            Source::Decoded(d) => d.get_mut().raw_mut(),
        }
    }
}

impl AsyncRead for Source {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Source::Raw(r) => Pin::new(r).poll_read(cx, buf),
            Source::Decoded(d) => Pin::new(&mut **d).poll_read(cx, buf),
        }
    }
}

impl AsyncBufRead for Source {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        match self.get_mut() {
            Source::Raw(r) => Pin::new(r).poll_fill_buf(cx),
            Source::Decoded(d) => Pin::new(&mut **d).poll_fill_buf(cx),
        }
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        match self.get_mut() {
            Source::Raw(r) => Pin::new(r).consume(amt),
            Source::Decoded(d) => Pin::new(&mut **d).consume(amt),
        }
    }
}

/// The body with its content coding being undone.
pub(crate) enum Decoded {
    Gzip(GzipDecoder<RawBody>),
    Zlib(ZlibDecoder<RawBody>),
    RawDeflate(DeflateDecoder<RawBody>),
    /// "deflate" is meant to be zlib-wrapped but some servers send it raw:
    /// decided on the first byte, as aiohttp does (zlib's CM nibble is 8).
    Deflate(Option<RawBody>),
}

impl Decoded {
    pub(crate) fn raw_mut(&mut self) -> Option<&mut RawBody> {
        match self {
            Decoded::Gzip(d) => Some(d.get_mut()),
            Decoded::Zlib(d) => Some(d.get_mut()),
            Decoded::RawDeflate(d) => Some(d.get_mut()),
            Decoded::Deflate(r) => r.as_mut(),
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Decoded::Gzip(_) => "gzip",
            _ => "deflate",
        }
    }
}

impl AsyncRead for Decoded {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if let Decoded::Deflate(raw) = this {
            let Some(r) = raw.as_mut() else {
                return Poll::Ready(Ok(0));
            };
            let first = match Pin::new(&mut *r).poll_fill_buf(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(avail)) => avail.first().copied(),
            };
            let Some(r) = raw.take() else {
                return Poll::Ready(Ok(0));
            };
            *this = match first {
                // An empty body: nothing to decode.
                None => return Poll::Ready(Ok(0)),
                Some(b) if b & 0x0f == 8 => Decoded::Zlib(ZlibDecoder::new(r)),
                Some(_) => Decoded::RawDeflate(DeflateDecoder::new(r)),
            };
        }
        let name = this.name();
        let res = match this {
            Decoded::Gzip(d) => Pin::new(d).poll_read(cx, buf),
            Decoded::Zlib(d) => Pin::new(d).poll_read(cx, buf),
            Decoded::RawDeflate(d) => Pin::new(d).poll_read(cx, buf),
            Decoded::Deflate(_) => Poll::Ready(Ok(0)),
        };
        match res {
            // A decoder's own complaint (bad data) becomes aiohttp's message;
            // errors of the body underneath pass through.
            Poll::Ready(Err(e)) if !carries_client_error(&e) => {
                let msg = format!("Can not decode content-encoding: {name}");
                Poll::Ready(Err(ClientError::from(ClientPayloadError::with_source(&msg, e)).into_io()))
            }
            other => other,
        }
    }
}

fn carries_client_error(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|i| i.is::<ClientError>())
}
