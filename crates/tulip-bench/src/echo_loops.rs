//! The two halves of every TCP echo workload, written once for both I/O
//! trait families: the server's echo of fixed-size messages and the
//! client's round trips. futures-io for tulip and smol, tokio's traits for
//! tokio (the same body, expanded over each family's traits); how a
//! runtime connects, accepts and spawns stays with each workload.

/// `echo` and `round_trips` over the traits `$io` names.
macro_rules! echo_halves {
    ($($io:tt)+) => {
        use $($io)+::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

        /// Echoes `N`-byte messages read from `r` to `w` until the peer
        /// closes (or either side fails).
        pub async fn echo<const N: usize>(mut r: impl AsyncRead + Unpin, mut w: impl AsyncWrite + Unpin) {
            let mut buf = [0u8; N];
            while r.read_exact(&mut buf).await.is_ok() {
                if w.write_all(&buf).await.is_err() {
                    break;
                }
            }
        }

        /// `trips` round trips of an `N`-byte message over `s`; a failed
        /// one is a broken benchmark, so it panics.
        pub async fn round_trips<const N: usize>(mut s: impl AsyncRead + AsyncWrite + Unpin, trips: usize) {
            let mut buf = [7u8; N];
            for _ in 0..trips {
                s.write_all(&buf).await.unwrap_or_else(|e| panic!("{e}"));
                s.read_exact(&mut buf).await.unwrap_or_else(|e| panic!("{e}"));
            }
        }
    };
}

echo_halves!(futures_lite);

/// The same halves over tokio's I/O traits.
pub mod tokio_io {
    echo_halves!(tokio::io);
}
