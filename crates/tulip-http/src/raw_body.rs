//! The response body as it comes off the connection: hyper's frames as an
//! `AsyncBufRead`, under the `sock_read` and total timeouts. At the body's
//! end the connection goes back to the pool; on an error, a timeout or a
//! drop before the end it is closed — never reused half-read.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::{Buf, Bytes};
use futures_lite::io::{AsyncBufRead, AsyncRead};
use http_body::Body as _;
use hyper::body::Incoming;
use tulip_timer::Sleep;

use crate::connector::Conn;
use crate::errors::{ClientError, ServerTimeoutError};
use crate::hyper_errors::payload_error;
use crate::timeout::now;

pub(crate) struct RawBody {
    incoming: Option<Incoming>,
    conn: Option<Conn>,
    chunk: Bytes,
    sock_read: Option<Duration>,
    gap: Option<Pin<Box<Sleep>>>,
    total: Option<(Instant, Duration)>,
    total_timer: Option<Pin<Box<Sleep>>>,
    failed: bool,
}

impl RawBody {
    pub(crate) fn new(
        incoming: Incoming,
        conn: Conn,
        sock_read: Option<Duration>,
        total: Option<(Instant, Duration)>,
    ) -> Self {
        let mut body = RawBody {
            incoming: Some(incoming),
            conn: Some(conn),
            chunk: Bytes::new(),
            sock_read,
            gap: None,
            total,
            total_timer: None,
            failed: false,
        };
        body.check_end();
        body
    }

    /// The rest of the current chunk, taken whole (no copy).
    pub(crate) fn take_chunk(&mut self) -> Bytes {
        std::mem::take(&mut self.chunk)
    }

    /// Whether the whole body was received.
    pub(crate) fn is_done(&self) -> bool {
        self.incoming.is_none() && !self.failed
    }

    /// Ends the body early: the connection is closed, not reused.
    pub(crate) fn discard(&mut self) {
        self.incoming = None;
        self.conn = None;
        self.chunk = Bytes::new();
    }

    fn check_end(&mut self) {
        if self.incoming.as_ref().is_some_and(|b| b.is_end_stream()) {
            self.finish();
        }
    }

    fn finish(&mut self) {
        self.incoming = None;
        self.gap = None;
        self.total_timer = None;
        if let Some(conn) = self.conn.take() {
            if !conn.force_close() {
                conn.keep();
            }
        }
    }

    fn fail(&mut self, e: ClientError) -> Poll<io::Result<&[u8]>> {
        self.failed = true;
        self.discard();
        Poll::Ready(Err(e.into_io()))
    }
}

impl AsyncBufRead for RawBody {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.get_mut();
        loop {
            if !this.chunk.is_empty() {
                return Poll::Ready(Ok(&this.chunk[..]));
            }
            let Some(incoming) = this.incoming.as_mut() else {
                return Poll::Ready(Ok(&[]));
            };
            match Pin::new(incoming).poll_frame(cx) {
                Poll::Ready(None) => {
                    this.finish();
                    return Poll::Ready(Ok(&[]));
                }
                Poll::Ready(Some(Err(e))) => return this.fail(payload_error(e)),
                Poll::Ready(Some(Ok(frame))) => {
                    this.gap = None;
                    if let Ok(data) = frame.into_data() {
                        this.chunk = data;
                    }
                    this.check_end();
                    continue;
                }
                Poll::Pending => {}
            }
            if let Some(limit) = this.sock_read {
                let gap = this.gap.get_or_insert_with(|| Box::pin(tulip_timer::sleep_until(now() + limit)));
                if gap.as_mut().poll(cx).is_ready() {
                    return this.fail(ServerTimeoutError::sock_read(limit).into());
                }
            }
            if let Some((at, total)) = this.total {
                let timer = this.total_timer.get_or_insert_with(|| Box::pin(tulip_timer::sleep_until(at)));
                if timer.as_mut().poll(cx).is_ready() {
                    return this.fail(ClientError::Timeout(total));
                }
            }
            return Poll::Pending;
        }
    }

    fn consume(mut self: Pin<&mut Self>, amt: usize) {
        let n = amt.min(self.chunk.len());
        self.chunk.advance(n);
    }
}

impl AsyncRead for RawBody {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let n = match self.as_mut().poll_fill_buf(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Ready(Ok(avail)) => {
                let n = avail.len().min(buf.len());
                buf[..n].copy_from_slice(&avail[..n]);
                n
            }
        };
        self.consume(n);
        Poll::Ready(Ok(n))
    }
}
