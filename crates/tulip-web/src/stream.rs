//! aiohttp's `web.StreamResponse`: the head sent by `prepare`, the body
//! written piece by piece (chunked unless a `Content-Length` was set).

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

pub use crate::body::ConnectionResetError;
use crate::body::{pipe, PipeWriter, ResBody};
use crate::response::Payload;
use crate::{Request, Response};

/// A response whose body is written as it is made (aiohttp's
/// `StreamResponse`): set status and headers, `prepare(&request)` sends
/// them, `write` sends body pieces (waiting while 64 KiB are unsent),
/// `write_eof` ends it; then return it from the handler.
///
/// If the client goes away, `write` fails with [`ConnectionResetError`].
///
/// ```
/// use tulip::web::{self, Application, Request, StreamResponse, TestClient};
///
/// async fn count(request: Request) -> web::Result<StreamResponse> {
///     let mut resp = StreamResponse::new();
///     resp.set_content_type("text/plain");
///     resp.prepare(&request).await?;
///     for i in 0..3 {
///         resp.write(format!("{i}\n")).await.map_err(|_| web::HTTPException::bad_request())?;
///         tulip::sleep(std::time::Duration::from_millis(1)).await;
///     }
///     resp.write_eof().await;
///     Ok(resp)
/// }
///
/// let mut app = Application::new();
/// app.add_routes([web::get("/count", count)]);
/// tulip::run(async {
///     let client = TestClient::start(app).await.unwrap();
///     let resp = client.get("/count").await.unwrap();
///     assert_eq!(resp.headers()["transfer-encoding"], "chunked");
///     assert_eq!(resp.text(), "0\n1\n2\n");
///     client.close().await;
/// });
/// ```
#[derive(Debug, Default)]
pub struct StreamResponse {
    status: StatusCode,
    headers: HeaderMap,
    writer: Option<PipeWriter>,
}

impl StreamResponse {
    /// A 200 response, not yet prepared.
    pub fn new() -> Self {
        StreamResponse::default()
    }

    /// Sets the status (before `prepare`).
    ///
    /// # Panics
    /// On a status outside 100..=999.
    pub fn set_status(&mut self, status: u16) {
        #[allow(clippy::expect_used)]
        let code = StatusCode::from_u16(status).expect("an HTTP status is a number in 100..=999");
        self.status = code;
    }

    /// The headers, to change before `prepare`.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.headers
    }

    /// Sets a header (an invalid name or value is left out).
    pub fn set_header(&mut self, name: &str, value: &str) {
        if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            self.headers.insert(n, v);
        }
    }

    /// Sets `Content-Type`.
    pub fn set_content_type(&mut self, content_type: &str) {
        self.set_header("content-type", content_type);
    }

    /// Whether `prepare` was called (aiohttp's `prepared`).
    pub fn prepared(&self) -> bool {
        self.writer.is_some()
    }

    /// Sends the status and headers (aiohttp's `await resp.prepare(request)`);
    /// a second call does nothing.
    pub async fn prepare(&mut self, request: &Request) -> Result<(), crate::HTTPException> {
        if self.writer.is_some() {
            return Ok(());
        }
        let (w, r) = pipe();
        let mut res = hyper::Response::new(ResBody::Pipe(r));
        *res.status_mut() = self.status;
        *res.headers_mut() = self.headers.clone();
        *request.0.prepared.borrow_mut() = Some(res);
        self.writer = Some(w);
        Ok(())
    }

    /// Sends a piece of the body; waits while 64 KiB are still unsent. An
    /// error if the client went away or the response is not prepared.
    pub async fn write(&mut self, data: impl Into<Bytes>) -> Result<(), ConnectionResetError> {
        match &self.writer {
            Some(w) => w.write(data.into()).await,
            None => Err(ConnectionResetError),
        }
    }

    /// Ends the body (aiohttp's `write_eof`); returning the response does
    /// it too.
    pub async fn write_eof(&mut self) {
        if let Some(w) = &self.writer {
            w.eof();
        }
    }
}

impl From<StreamResponse> for Response {
    fn from(s: StreamResponse) -> Self {
        match s.writer {
            Some(w) => Response { status: s.status, headers: s.headers, payload: Payload::Prepared(w) },
            None => {
                let mut r = Response::new();
                r.status = s.status;
                r.headers = s.headers;
                r
            }
        }
    }
}
