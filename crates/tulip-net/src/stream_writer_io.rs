//! futures-io's `AsyncWrite` for `StreamWriter`: a library (a codec, an
//! HTTP client) can write through asyncio's flow control.
//!
//! * `poll_write` takes the whole buffer (handed to the socket or buffered,
//!   as `write` does) while at most the high-water mark is buffered, and
//!   waits for the background flush otherwise.
//! * `poll_flush` waits until nothing is buffered — stricter than `drain`,
//!   which returns below the high-water mark, because `AsyncWrite` promises
//!   the data has left the writer.
//! * `poll_close` is `close()` (flush, then close the connection), waited for.

use crate::stream_writer::StreamWriter;
use futures_lite::io::AsyncWrite;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

impl AsyncWrite for StreamWriter {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match this.poll_until(cx, |w| match w.failure() {
            Some(e) => Some(Err(e)),
            None if w.is_closing() => Some(Err(io::Error::new(io::ErrorKind::BrokenPipe, "the writer is closing"))),
            None => (w.buffered() <= w.high_water()).then_some(Ok(())),
        }) {
            Poll::Ready(Ok(())) => Poll::Ready(this.write(buf).map(|()| buf.len())),
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().poll_until(cx, |w| match w.failure() {
            Some(e) => Some(Err(e)),
            None => (w.buffered() == 0).then_some(Ok(())),
        })
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if !this.is_closing() {
            this.close();
        }
        this.poll_until(cx, |w| match w.failure() {
            Some(e) => Some(Err(e)),
            None => w.is_closed().then_some(Ok(())),
        })
    }
}
