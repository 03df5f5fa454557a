//! The `futures-io` traits for tulip's stream sockets, written once for
//! TCP and Unix streams (both wrap an `IoSource` of a std stream whose
//! `&Self` reads and writes).

/// Implements `AsyncRead`/`AsyncWrite` for `$ty` and `&$ty`, where `$ty`
/// has a field `io: IoSource<std type>` and the std type has `shutdown`.
macro_rules! impl_stream_io {
    ($ty:ty) => {
        impl $ty {
            /// Polls a read into `buf`, which need not be initialised:
            /// `recv(2)` (through socket2) writes straight into it, so a
            /// caller with uninitialised memory (hyper's read buffer) does
            /// not zero it first. `Ready(Ok(n))`: the first `n` bytes of
            /// `buf` were written by the read; 0 is the end of the stream.
            ///
            /// ```
            /// use std::mem::MaybeUninit;
            /// use futures_lite::AsyncWriteExt;
            /// tulip::run(async {
            ///     let (a, mut b) = tulip::UnixStream::pair().unwrap();
            ///     b.write_all(b"hi").await.unwrap();
            ///     let mut buf = [MaybeUninit::<u8>::uninit(); 16];
            ///     let n = std::future::poll_fn(|cx| a.poll_read_uninit(cx, &mut buf)).await.unwrap();
            ///     assert_eq!(n, 2);
            /// });
            /// ```
            pub fn poll_read_uninit(
                &self,
                cx: &mut std::task::Context<'_>,
                buf: &mut [std::mem::MaybeUninit<u8>],
            ) -> std::task::Poll<std::io::Result<usize>> {
                self.io.poll_read_stream(cx, buf, |s, buf| socket2::SockRef::from(s).recv(buf))
            }
        }

        impl futures_lite::io::AsyncRead for &$ty {
            fn poll_read(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &mut [u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                self.io.poll_read_stream(cx, buf, |s, buf| std::io::Read::read(&mut &*s, buf))
            }
        }

        impl futures_lite::io::AsyncWrite for &$ty {
            fn poll_write(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                self.io.poll_write_stream(cx, buf, |s, buf| std::io::Write::write(&mut &*s, buf))
            }

            fn poll_flush(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                // Nothing is buffered on our side.
                std::task::Poll::Ready(Ok(()))
            }

            fn poll_close(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::task::Poll::Ready(match self.io.get_ref().shutdown(std::net::Shutdown::Write) {
                    Err(e) if e.kind() == std::io::ErrorKind::NotConnected => Ok(()),
                    r => r,
                })
            }
        }

        impl futures_lite::io::AsyncRead for $ty {
            fn poll_read(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &mut [u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                std::pin::Pin::new(&mut &*self).poll_read(cx, buf)
            }
        }

        impl futures_lite::io::AsyncWrite for $ty {
            fn poll_write(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                std::pin::Pin::new(&mut &*self).poll_write(cx, buf)
            }

            fn poll_flush(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::pin::Pin::new(&mut &*self).poll_flush(cx)
            }

            fn poll_close(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::pin::Pin::new(&mut &*self).poll_close(cx)
            }
        }
    };
}

pub(crate) use impl_stream_io;
