//! Gathers rustls's queued records into one write.
//!
//! rustls hands its queued TLS records to the socket as one vectored write;
//! futures-io's default `poll_write_vectored`, which tulip's sockets use,
//! writes only the first buffer. futures-rustls loops until the queue is
//! empty in the normal case, but when the handshake fails it makes one
//! "last-gasp" write before giving up: with only the first record sent, the
//! fatal alert behind it (say `no_application_protocol` after a server
//! hello) never reaches the peer, which then sees a bare EOF instead of the
//! reason. Copying the records into one buffer sends them in one `send(2)`,
//! which also keeps a handshake flight in one TCP segment under
//! `TCP_NODELAY`. The copy is small next to the encryption of the same bytes.

use futures_lite::io::{AsyncRead, AsyncWrite};
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll};

/// At most this much is copied per write (four full TLS records).
const MAX_GATHER: usize = 64 * 1024;

pub(crate) struct Coalesce<IO> {
    io: IO,
    buf: Vec<u8>,
}

impl<IO> Coalesce<IO> {
    pub(crate) fn new(io: IO) -> Self {
        Coalesce { io, buf: Vec::new() }
    }

    pub(crate) fn get_ref(&self) -> &IO {
        &self.io
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for Coalesce<IO> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for Coalesce<IO> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if bufs.iter().filter(|b| !b.is_empty()).nth(1).is_none() {
            // Zero or one buffer: nothing to gather.
            let one = bufs.iter().find(|b| !b.is_empty()).map_or(&[][..], |b| &b[..]);
            return Pin::new(&mut this.io).poll_write(cx, one);
        }
        this.buf.clear();
        for b in bufs {
            let room = MAX_GATHER - this.buf.len();
            if room == 0 {
                break;
            }
            this.buf.extend_from_slice(&b[..b.len().min(room)]);
        }
        // A short write is fine: the caller learns how many bytes of the
        // concatenation went out, as with writev(2).
        Pin::new(&mut this.io).poll_write(cx, &this.buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_close(cx)
    }
}
