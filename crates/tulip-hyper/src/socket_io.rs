//! hyper's I/O traits over tulip's own sockets, reading straight into
//! hyper's uninitialised buffer; and a read hook for any hyper stream.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_lite::io::AsyncWrite;

mod sealed {
    /// A socket whose read writes into uninitialised memory (`recv(2)`)
    /// and reports truly how many bytes it wrote: `SocketIo` relies on
    /// both, so only tulip's own sockets implement it.
    pub trait Sealed {
        fn poll_read_uninit(
            &self,
            cx: &mut std::task::Context<'_>,
            buf: &mut [std::mem::MaybeUninit<u8>],
        ) -> std::task::Poll<std::io::Result<usize>>;
    }

    /// Each of tulip's sockets, by its own `poll_read_uninit`.
    macro_rules! sealed_sockets {
        ($($ty:ty),*) => {$(
            impl Sealed for $ty {
                fn poll_read_uninit(
                    &self,
                    cx: &mut std::task::Context<'_>,
                    buf: &mut [std::mem::MaybeUninit<u8>],
                ) -> std::task::Poll<std::io::Result<usize>> {
                    <$ty>::poll_read_uninit(self, cx, buf)
                }
            }
            impl super::Socket for $ty {}
        )*};
    }

    sealed_sockets!(tulip_net::TcpStream, tulip_net::UnixStream);
}

/// The streams [`SocketIo`] takes: tulip's `TcpStream` and `UnixStream`
/// (sealed: `SocketIo` trusts their reads to report only bytes they wrote).
pub trait Socket: sealed::Sealed + AsyncWrite + Unpin {}

/// A tulip `TcpStream` or `UnixStream` as hyper's `rt::Read + rt::Write`,
/// like [`HyperIo`](crate::HyperIo) but reading straight into hyper's
/// uninitialised buffer: a futures-io read needs initialised bytes, so
/// `HyperIo` zeroes what it offers first (~400 instructions of `memset`
/// per request of a small-request server, callgrind).
///
/// ```
/// use bytes::Bytes;
/// use http_body_util::Full;
/// use tulip_hyper::{HyperIo, SocketIo};
/// tulip::run(async {
///     let (a, b) = tulip::UnixStream::pair().unwrap();
///     tulip::create_task(async move {
///         let hello = hyper::service::service_fn(|_req: hyper::Request<hyper::body::Incoming>| async {
///             Ok::<_, std::convert::Infallible>(hyper::Response::new(Full::new(Bytes::from("hi"))))
///         });
///         let _ = hyper::server::conn::http1::Builder::new().serve_connection(SocketIo::new(a), hello).await;
///     });
///     let (mut sender, conn) = hyper::client::conn::http1::handshake(HyperIo::new(b)).await.unwrap();
///     tulip::create_task(conn);
///     let req = hyper::Request::get("/").header("host", "x").body(Full::new(Bytes::new())).unwrap();
///     assert_eq!(sender.send_request(req).await.unwrap().status(), 200);
/// });
/// ```
#[derive(Debug)]
pub struct SocketIo<S> {
    inner: S,
}

impl<S: Socket> SocketIo<S> {
    /// Wraps `socket`; [`get_ref`](Self::get_ref) and
    /// [`into_inner`](Self::into_inner) give it back.
    ///
    /// ```
    /// tulip::run(async {
    ///     let (a, _b) = tulip::UnixStream::pair().unwrap();
    ///     let io = tulip_hyper::SocketIo::new(a);
    ///     assert!(io.get_ref().peer_addr().is_ok());
    ///     let _socket: tulip::UnixStream = io.into_inner();
    /// });
    /// ```
    pub fn new(socket: S) -> Self {
        SocketIo { inner: socket }
    }

    /// The wrapped socket.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Unwraps the socket.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: Socket> hyper::rt::Read for SocketIo<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        // SAFETY: the sealed socket's read only writes bytes into this
        // memory (`recv(2)`), never de-initialises any, which is what
        // `as_mut` asks of its caller.
        let dst = unsafe { buf.as_mut() };
        let len = dst.len();
        let n = ready!(self.inner.poll_read_uninit(cx, dst))?;
        if n > len {
            return Poll::Ready(Err(io::Error::other("a read reported more bytes than its buffer holds")));
        }
        // SAFETY: the read wrote (so initialised) the first `n` bytes of
        // the unfilled part it was given, and `n <= len` was checked.
        unsafe { buf.advance(n) };
        Poll::Ready(Ok(()))
    }
}

crate::io::impl_hyper_write!(SocketIo, S, Socket);

/// Polls `inner` to read into `buf`, then shows `seen` the bytes it read
/// (empty at the end of the stream): a hook on what a connection
/// receives, without initialising hyper's buffer (tulip-web's header
/// timeout and raw-head record watch its sockets this way).
///
/// ```
/// use std::task::{Context, Poll, Waker};
/// tulip::run(async {
///     let (a, b) = tulip::UnixStream::pair().unwrap();
///     futures_lite::AsyncWriteExt::write_all(&mut &b, b"ping").await.unwrap();
///     let mut io = tulip_hyper::SocketIo::new(a);
///     let mut storage = [std::mem::MaybeUninit::uninit(); 16];
///     let mut rb = hyper::rt::ReadBuf::uninit(&mut storage);
///     let mut seen = Vec::new();
///     std::future::poll_fn(|cx| {
///         tulip_hyper::poll_read_observed(std::pin::Pin::new(&mut io), cx, rb.unfilled(), |b| seen.extend_from_slice(b))
///     })
///     .await
///     .unwrap();
///     assert_eq!(rb.filled(), b"ping");
///     assert_eq!(seen, b"ping");
/// });
/// ```
pub fn poll_read_observed<R: hyper::rt::Read + ?Sized>(
    inner: Pin<&mut R>,
    cx: &mut Context<'_>,
    mut buf: hyper::rt::ReadBufCursor<'_>,
    seen: impl FnOnce(&[u8]),
) -> Poll<io::Result<()>> {
    // SAFETY: only a `ReadBuf` is made over this memory, and a `ReadBuf`
    // never de-initialises bytes (it only fills them), which is what
    // `as_mut` asks of its caller.
    let mut rb = hyper::rt::ReadBuf::uninit(unsafe { buf.as_mut() });
    ready!(inner.poll_read(cx, rb.unfilled()))?;
    let filled = rb.filled();
    let n = filled.len();
    seen(filled);
    // SAFETY: `rb`'s filled part — the first `n` bytes of the unfilled
    // memory `buf` gave — is initialised: `ReadBuf` only counts as filled
    // what was initialised.
    unsafe { buf.advance(n) };
    Poll::Ready(Ok(()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use futures_lite::AsyncWriteExt;

    /// Reads through `io` into an uninitialised buffer of `cap` bytes until
    /// `want` bytes came (or the stream ended).
    async fn read_all<R: hyper::rt::Read + Unpin>(io: &mut R, cap: usize, want: usize) -> Vec<u8> {
        let mut out = Vec::new();
        while out.len() < want {
            let mut storage = vec![std::mem::MaybeUninit::uninit(); cap];
            let mut rb = hyper::rt::ReadBuf::uninit(&mut storage);
            std::future::poll_fn(|cx| hyper::rt::Read::poll_read(Pin::new(&mut *io), cx, rb.unfilled())).await.unwrap();
            if rb.filled().is_empty() {
                break;
            }
            assert!(rb.filled().len() <= cap);
            out.extend_from_slice(rb.filled());
        }
        out
    }

    #[test]
    fn a_socket_reads_into_uninitialised_memory_in_order_then_ends() {
        tulip::run(async {
            let listener = tulip::TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
            let mut client = tulip::TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
            let (server, _) = listener.accept().await.unwrap();
            let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
            let sent = data.clone();
            let writer = tulip::create_task(async move {
                client.write_all(&sent).await.unwrap();
                client.close().await.unwrap();
            });
            let mut io = SocketIo::new(server);
            // Small pieces, so many reads are short or exactly full.
            let got = read_all(&mut io, 777, usize::MAX).await;
            writer.await.unwrap();
            assert_eq!(got, data);
        });
    }

    #[test]
    fn the_hook_sees_exactly_what_hyper_gets() {
        tulip::run(async {
            let (a, mut b) = tulip::UnixStream::pair().unwrap();
            b.write_all(b"hello world").await.unwrap();
            drop(b);
            let mut io = SocketIo::new(a);
            let mut seen = Vec::new();
            let mut got = Vec::new();
            loop {
                let mut storage = [std::mem::MaybeUninit::uninit(); 4];
                let mut rb = hyper::rt::ReadBuf::uninit(&mut storage);
                std::future::poll_fn(|cx| {
                    poll_read_observed(Pin::new(&mut io), cx, rb.unfilled(), |s| seen.extend_from_slice(s))
                })
                .await
                .unwrap();
                if rb.filled().is_empty() {
                    break;
                }
                got.extend_from_slice(rb.filled());
            }
            assert_eq!(got, b"hello world");
            assert_eq!(seen, got);
        });
    }
}
