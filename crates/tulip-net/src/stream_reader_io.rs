//! futures-io's `AsyncRead` and `AsyncBufRead` for `StreamReader`, so that
//! a library (a codec, an HTTP parser, `futures_lite::io::copy`) can read
//! through the same buffer as `readline` and friends.

use crate::stream_reader::StreamReader;
use futures_lite::io::{AsyncBufRead, AsyncRead};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

impl AsyncRead for StreamReader {
    /// What is buffered, else one read from the socket (straight into `buf`
    /// when it is large); 0 at EOF.
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.get_mut().poll_read_into(cx, buf)
    }
}

impl AsyncBufRead for StreamReader {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.get_mut();
        if this.buffer().is_empty() {
            match this.poll_fill(cx, 0) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(_)) => {}
            }
        }
        Poll::Ready(Ok(this.buffer()))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        let this = self.get_mut();
        let amt = amt.min(this.buffer().len());
        StreamReader::consume(this, amt);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use futures_lite::{AsyncBufReadExt, AsyncReadExt};

    #[test]
    fn futures_io_reads_share_the_buffer_with_readline() {
        tulip::run(async {
            let server = tulip::start_server(
                |_r, mut w| async move { w.write(b"first\nsecond\nrest").unwrap() },
                "127.0.0.1",
                0,
            )
            .await
            .unwrap();
            let (r, _w) = tulip::open_connection("127.0.0.1", server.sockets()[0].port()).await.unwrap();
            let mut r = r;
            assert_eq!(r.readline().await.unwrap(), b"first\n");
            let mut line = String::new();
            AsyncBufReadExt::read_line(&mut r, &mut line).await.unwrap();
            assert_eq!(line, "second\n");
            let mut rest = Vec::new();
            AsyncReadExt::read_to_end(&mut r, &mut rest).await.unwrap();
            assert_eq!(rest, b"rest");
            server.close();
        });
    }
}
