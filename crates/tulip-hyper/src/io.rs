//! hyper's I/O traits over futures-io streams, and back.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_lite::io::{AsyncRead, AsyncWrite};

/// A futures-io stream (tulip's `TcpStream`, `UnixStream`, `TlsStream`, …)
/// as hyper's `rt::Read + rt::Write`: what hyper's `handshake` and
/// `serve_connection` take.
///
/// ```
/// tulip::run(async {
///     let listener = tulip::TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
///     let tcp = tulip::TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
///     let io = tulip_hyper::HyperIo::new(tcp);
///     assert!(io.get_ref().peer_addr().is_ok());
///     let _tcp: tulip::TcpStream = io.into_inner();
/// });
/// ```
#[derive(Debug)]
pub struct HyperIo<T> {
    inner: T,
    /// How many bytes of hyper's buffer the next read offers (see
    /// `poll_read`): grows while reads fill it, shrinks when they don't.
    window: usize,
}

/// The smallest and largest read window. hyper's buffer starts at 8 KiB and
/// grows to ~400 KiB for big bodies.
const MIN_WINDOW: usize = 2 * 1024;
const MAX_WINDOW: usize = 256 * 1024;

impl<T> HyperIo<T> {
    /// Wraps `inner`.
    pub fn new(inner: T) -> Self {
        HyperIo { inner, window: MIN_WINDOW }
    }

    /// The wrapped stream.
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// The wrapped stream, mutably.
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// Unwraps the stream.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: AsyncRead + Unpin> hyper::rt::Read for HyperIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        // Read straight into hyper's buffer. futures-io reads need
        // initialised bytes, and hyper hands a fresh cursor (nothing
        // initialised) to every poll, Pending ones included: zeroing all of
        // it cost ~8 KiB of memset per poll, the largest cost of a small
        // request (callgrind). So only a window is offered, sized like an
        // adaptive read buffer: doubled while reads fill it (a big body
        // soon reads in large pieces), halved when they use under a quarter.
        let window = self.window.min(buf.remaining());
        let unfilled = buf.initialize_unfilled_to(window);
        let len = unfilled.len();
        let n = match Pin::new(&mut self.inner).poll_read(cx, unfilled) {
            Poll::Ready(Ok(n)) => n,
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending => return Poll::Pending,
        };
        if n > len {
            return Poll::Ready(Err(io::Error::other("poll_read reported more bytes than its buffer holds")));
        }
        if n == len && len > 0 {
            self.window = (self.window * 2).min(MAX_WINDOW);
        } else if n < len / 4 {
            self.window = (self.window / 2).max(MIN_WINDOW);
        }
        // SAFETY: `initialize_unfilled_to(len)` initialised the first `len`
        // bytes of the unfilled part, and `n <= len` was checked above, so
        // the `n` bytes the cursor advances over are initialised.
        unsafe { buf.advance(n) };
        Poll::Ready(Ok(()))
    }
}

/// Implements hyper's `rt::Write` for `$ty<$t>` (bounded by `$bound`) by
/// its field `inner`'s futures-io `AsyncWrite`.
macro_rules! impl_hyper_write {
    ($ty:ident, $t:ident, $($bound:tt)+) => {
        impl<$t: $($bound)+> hyper::rt::Write for $ty<$t> {
            fn poll_write(
                mut self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                futures_lite::io::AsyncWrite::poll_write(std::pin::Pin::new(&mut self.inner), cx, buf)
            }

            fn poll_write_vectored(
                mut self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                bufs: &[std::io::IoSlice<'_>],
            ) -> std::task::Poll<std::io::Result<usize>> {
                futures_lite::io::AsyncWrite::poll_write_vectored(std::pin::Pin::new(&mut self.inner), cx, bufs)
            }

            fn is_write_vectored(&self) -> bool {
                // futures-io has no way to ask; hyper then flattens headers
                // and body into one buffer, which is one write either way.
                false
            }

            fn poll_flush(
                mut self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                futures_lite::io::AsyncWrite::poll_flush(std::pin::Pin::new(&mut self.inner), cx)
            }

            fn poll_shutdown(
                mut self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                futures_lite::io::AsyncWrite::poll_close(std::pin::Pin::new(&mut self.inner), cx)
            }
        }
    };
}

pub(crate) use impl_hyper_write;

impl_hyper_write!(HyperIo, T, AsyncWrite + Unpin);

/// A hyper `rt::Read + rt::Write` stream (such as `hyper::upgrade::Upgraded`)
/// as a futures-io `AsyncRead + AsyncWrite`, e.g. to run TLS through a
/// proxy's CONNECT tunnel.
///
/// ```
/// use futures_lite::{AsyncReadExt, AsyncWriteExt};
/// use tulip_hyper::{FuturesIo, HyperIo};
/// tulip::run(async {
///     let (a, b) = tulip::UnixStream::pair().unwrap();
///     // Round trip: futures-io → hyper → futures-io.
///     let mut a = FuturesIo::new(HyperIo::new(a));
///     let mut b = FuturesIo::new(HyperIo::new(b));
///     a.write_all(b"ping").await.unwrap();
///     let mut got = [0; 4];
///     b.read_exact(&mut got).await.unwrap();
///     assert_eq!(&got, b"ping");
/// });
/// ```
#[derive(Debug)]
pub struct FuturesIo<T> {
    inner: T,
}

impl<T> FuturesIo<T> {
    /// Wraps `inner`.
    pub fn new(inner: T) -> Self {
        FuturesIo { inner }
    }

    /// Unwraps the stream.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: hyper::rt::Read + Unpin> AsyncRead for FuturesIo<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let mut read_buf = hyper::rt::ReadBuf::new(buf);
        match Pin::new(&mut self.inner).poll_read(cx, read_buf.unfilled()) {
            Poll::Ready(Ok(())) => Poll::Ready(Ok(read_buf.filled().len())),
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T: hyper::rt::Write + Unpin> AsyncWrite for FuturesIo<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::task::Waker;

    /// A reader that claims more bytes than it was given: the adapter must
    /// refuse it rather than advance hyper's cursor past initialised bytes.
    struct Liar;
    impl AsyncRead for Liar {
        fn poll_read(self: Pin<&mut Self>, _: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
            Poll::Ready(Ok(buf.len() + 1))
        }
    }

    /// Reads in pieces of at most 3 bytes.
    struct Trickle(&'static [u8]);
    impl AsyncRead for Trickle {
        fn poll_read(mut self: Pin<&mut Self>, _: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
            let n = self.0.len().min(buf.len()).min(3);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Poll::Ready(Ok(n))
        }
    }

    /// One read through the adapter into an uninitialised buffer of `cap`
    /// bytes; the bytes hyper's cursor reports filled.
    fn read_once<T: AsyncRead + Unpin>(io: &mut HyperIo<T>, cap: usize) -> io::Result<Vec<u8>> {
        let mut cx = Context::from_waker(Waker::noop());
        let mut storage = vec![std::mem::MaybeUninit::uninit(); cap];
        let mut rb = hyper::rt::ReadBuf::uninit(&mut storage);
        match hyper::rt::Read::poll_read(Pin::new(io), &mut cx, rb.unfilled()) {
            Poll::Ready(r) => r.map(|()| rb.filled().to_vec()),
            Poll::Pending => Err(io::ErrorKind::WouldBlock.into()),
        }
    }

    #[test]
    fn a_reader_that_overstates_is_an_error() {
        let err = read_once(&mut HyperIo::new(Liar), 8).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::Other);
    }

    /// Reads whatever is offered, up to what is left of `0`.
    struct Source(usize);
    impl AsyncRead for Source {
        fn poll_read(mut self: Pin<&mut Self>, _: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
            let n = self.0.min(buf.len());
            self.0 -= n;
            Poll::Ready(Ok(n))
        }
    }

    #[test]
    fn the_read_window_grows_while_reads_fill_it_and_shrinks_after() {
        let mut io = HyperIo::new(Source(1 << 20));
        let sizes: Vec<usize> = (0..9).map(|_| read_once(&mut io, 1 << 20).unwrap().len()).collect();
        assert_eq!(sizes[0], MIN_WINDOW);
        assert!(sizes.windows(2).all(|w| w[1] >= w[0]), "{sizes:?}");
        assert_eq!(*sizes.last().unwrap(), MAX_WINDOW);
        // A short read: the next offer is smaller, never below the minimum.
        io.get_mut().0 = 10;
        assert_eq!(read_once(&mut io, 1 << 20).unwrap().len(), 10);
        assert_eq!(io.window, MAX_WINDOW / 2);
        // Never more than hyper's buffer has room for.
        io.get_mut().0 = 1 << 20;
        assert_eq!(read_once(&mut io, 100).unwrap().len(), 100);
    }

    #[test]
    fn reads_fill_uninitialised_buffers_in_order() {
        let mut io = HyperIo::new(Trickle(b"hello world"));
        let mut out = Vec::new();
        loop {
            let got = read_once(&mut io, 5).unwrap();
            if got.is_empty() {
                break;
            }
            assert!(got.len() <= 3);
            out.extend(got);
        }
        assert_eq!(out, b"hello world");
    }
}
