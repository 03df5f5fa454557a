//! One HTTP connection: hyper's request sender over a socket, and the
//! handshake that makes it.

use futures_lite::io::{AsyncRead, AsyncWrite};
use hyper::body::Incoming;
use hyper::client::conn::http1;
use tulip_hyper::HyperIo;

use crate::body::SendBody;

/// hyper's sender of one connection.
pub(crate) enum Sender {
    H1(http1::SendRequest<SendBody>),
    #[cfg(feature = "http2")]
    H2(hyper::client::conn::http2::SendRequest<SendBody>),
}

impl Sender {
    /// Whether hyper knows the connection is gone.
    pub(crate) fn is_closed(&self) -> bool {
        match self {
            Sender::H1(s) => s.is_closed(),
            #[cfg(feature = "http2")]
            Sender::H2(s) => s.is_closed(),
        }
    }

    /// Whether this is HTTP/2 (requests then carry the absolute URI).
    pub(crate) fn is_h2(&self) -> bool {
        !matches!(self, Sender::H1(_))
    }

    /// Waits until the connection can take a request (a reused one may
    /// turn out closed here).
    pub(crate) async fn ready(&mut self) -> Result<(), hyper::Error> {
        match self {
            Sender::H1(s) => s.ready().await,
            #[cfg(feature = "http2")]
            Sender::H2(s) => s.ready().await,
        }
    }

    /// Sends the request in `req`, taken out only here, as hyper is
    /// called: a request is ~250 bytes, and each `async fn` it passed
    /// through by value copied it into its own state. `None` if `req`
    /// held none. An `async fn` rather than a boxed future: hyper's send
    /// futures are small, and a box was an allocation per request.
    pub(crate) async fn send(
        &mut self,
        req: &mut Option<http::Request<SendBody>>,
    ) -> Option<Result<http::Response<Incoming>, hyper::Error>> {
        let req = req.take()?;
        Some(match self {
            Sender::H1(s) => s.send_request(req).await,
            #[cfg(feature = "http2")]
            Sender::H2(s) => s.send_request(req).await,
        })
    }
}

/// Runs hyper's HTTP/1.1 (or, with `h2`, HTTP/2) handshake over `io`; the
/// connection's driver becomes an internal task of the loop, which ends
/// (closing the socket) once the sender and any response body are dropped.
pub(crate) async fn handshake<T>(io: T, h2: bool, max_buf_size: usize) -> Result<Sender, hyper::Error>
where
    T: AsyncRead + AsyncWrite + Unpin + 'static,
{
    handshake_io(HyperIo::new(io), h2, max_buf_size).await
}

/// [`handshake`] over a plain socket, read straight into hyper's
/// uninitialised buffer: a futures-io stream's `HyperIo` zeroes what it
/// offers each read first (~0.65 k instructions a request, callgrind).
pub(crate) async fn handshake_socket<S>(socket: S, max_buf_size: usize) -> Result<Sender, hyper::Error>
where
    S: tulip_hyper::Socket + 'static,
{
    handshake_io(tulip_hyper::SocketIo::new(socket), false, max_buf_size).await
}

async fn handshake_io<I>(io: I, h2: bool, max_buf_size: usize) -> Result<Sender, hyper::Error>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + 'static,
{
    #[cfg(feature = "http2")]
    if h2 {
        let (sender, conn) = hyper::client::conn::http2::Builder::new(tulip_hyper::LocalExec)
            .timer(tulip_hyper::LoopTimer)
            .handshake(io)
            .await?;
        drop(tulip_reactor::get_running_loop().create_internal_task(async move {
            let _ = conn.await;
        }));
        return Ok(Sender::H2(sender));
    }
    let _ = h2;
    let (sender, conn) = http1::Builder::new().max_buf_size(max_buf_size).handshake(io).await?;
    drop(tulip_reactor::get_running_loop().create_internal_task(async move {
        let _ = conn.await;
    }));
    Ok(Sender::H1(sender))
}
