//! hyper's errors as aiohttp's.

use std::error::Error as _;
use std::io;

use crate::errors::{ClientError, ClientOSError, ClientPayloadError, ClientResponseError, ServerDisconnectedError};

/// The io::Error somewhere in `e`'s sources, if any.
fn io_source(e: &hyper::Error) -> Option<&io::Error> {
    let mut cur = e.source();
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<io::Error>() {
            return Some(io);
        }
        cur = err.source();
    }
    None
}

/// The error of a request whose response head did not arrive (aiohttp:
/// a bad head is a `ClientResponseError` with status 400; a closed
/// connection `ServerDisconnectedError`; a socket error `ClientOSError`).
pub(crate) fn request_error(e: hyper::Error, url: &url::Url) -> ClientError {
    if e.is_parse() || e.is_parse_status() {
        // hyper names no "too large" kind; its message says it.
        let big = e.to_string().contains("too large");
        let what = if big { "response head too large" } else { "invalid response head" };
        return ClientResponseError {
            status: 400,
            message: format!("{what}: {e}"),
            headers: None,
            url: url.to_string(),
        }
        .into();
    }
    if let Some(io) = io_source(&e) {
        if io.kind() == io::ErrorKind::UnexpectedEof {
            return ServerDisconnectedError::default().into();
        }
        return ClientOSError(io::Error::new(io.kind(), io.to_string())).into();
    }
    if e.is_incomplete_message() || e.is_canceled() || e.is_closed() {
        return ServerDisconnectedError::default().into();
    }
    ClientOSError(io::Error::other(e)).into()
}

/// The error of a body that broke off (aiohttp's `ClientPayloadError`).
pub(crate) fn payload_error(e: hyper::Error) -> ClientError {
    let cut = io_source(&e).is_some_and(|io| io.kind() == io::ErrorKind::UnexpectedEof);
    if cut || e.is_incomplete_message() {
        return ClientPayloadError::with_source("Response payload is not completed", e).into();
    }
    ClientPayloadError::with_source("Response payload error", e).into()
}

/// Whether a failure on a *reused* connection means the server had closed
/// it while idle, so the request may be sent again once (aiohttp retries
/// on `ServerDisconnectedError` and `ClientOSError`).
pub(crate) fn is_dead_connection(e: &ClientError) -> bool {
    use crate::errors::ClientConnectionError as C;
    matches!(e, ClientError::Connection(C::ServerDisconnected(_) | C::OS(_)))
}
