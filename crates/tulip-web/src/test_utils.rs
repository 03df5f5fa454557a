//! aiohttp's `test_utils`: an application on a loopback port and a client
//! for it, both on the running loop (so a virtual clock drives both).

use std::cell::RefCell;
use std::net::SocketAddr;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use tulip_hyper::HyperIo;

use crate::{AppRunner, Application, TCPSite, WebError};

/// An application served on `127.0.0.1` at a free port (aiohttp's
/// `TestServer`).
///
/// ```
/// tulip::run(async {
///     let server = tulip::web::TestServer::start(tulip::web::Application::new()).await.unwrap();
///     assert!(server.make_url("/x").starts_with("http://127.0.0.1:"));
///     server.close().await.unwrap();
/// });
/// ```
#[derive(Debug)]
pub struct TestServer {
    runner: AppRunner,
    addr: SocketAddr,
}

impl TestServer {
    /// Sets `app` up and serves it.
    pub async fn start(app: Application) -> Result<Self, WebError> {
        Self::start_with(AppRunner::new(app)).await
    }

    /// Serves with a runner configured by the caller (limits, access log).
    pub async fn start_with(mut runner: AppRunner) -> Result<Self, WebError> {
        runner.setup().await?;
        let site = TCPSite::new(&runner, "127.0.0.1", 0).start().await?;
        let addr = site.local_addr().ok_or(WebError::NotSetUp)?;
        Ok(TestServer { runner, addr })
    }

    /// The server's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn make_url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The runner (e.g. for [`AppRunner::connections`]).
    pub fn runner(&self) -> &AppRunner {
        &self.runner
    }

    /// Shuts the application down gracefully.
    pub async fn close(mut self) -> Result<(), WebError> {
        self.runner.cleanup().await
    }
}

/// A whole response received by a [`TestClient`].
#[derive(Debug, Clone)]
pub struct TestResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl TestResponse {
    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body.
    pub fn bytes(&self) -> &Bytes {
        &self.body
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> serde_json::Result<T> {
        serde_json::from_slice(&self.body)
    }
}

/// A client's failure.
#[derive(Debug, thiserror::Error)]
pub enum TestClientError {
    /// Connecting failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// hyper failed (the server closed, bad framing).
    #[error(transparent)]
    Http(#[from] hyper::Error),
    /// The request could not be built.
    #[error(transparent)]
    Request(#[from] http::Error),
}

/// A client of a [`TestServer`] (aiohttp's `TestClient`): hyper's HTTP/1
/// client over one kept-alive connection, opened again when the server
/// closed it.
///
/// ```
/// use tulip::web::{self, Application, Request, Response, TestClient};
/// let mut app = Application::new();
/// app.add_routes([web::post("/echo", |mut r: Request| async move {
///     Ok::<_, web::HTTPException>(Response::text(r.text().await?))
/// })]);
/// tulip::run(async {
///     let client = TestClient::start(app).await.unwrap();
///     let resp = client.post("/echo", "ping").await.unwrap();
///     assert_eq!(resp.text(), "ping");
///     assert_eq!(client.get("/echo").await.unwrap().status(), 405);
///     client.close().await;
/// });
/// ```
#[derive(Debug)]
pub struct TestClient {
    server: TestServer,
    sender: RefCell<Option<SendRequest<Full<Bytes>>>>,
}

impl TestClient {
    /// Serves `app` and makes a client for it.
    pub async fn start(app: Application) -> Result<Self, WebError> {
        Ok(Self::new(TestServer::start(app).await?))
    }

    /// A client of `server`.
    pub fn new(server: TestServer) -> Self {
        TestClient { server, sender: RefCell::new(None) }
    }

    /// The server.
    pub fn server(&self) -> &TestServer {
        &self.server
    }

    /// A GET.
    pub async fn get(&self, path: &str) -> Result<TestResponse, TestClientError> {
        self.request(Method::GET, path, &[], Bytes::new()).await
    }

    /// A POST of `body`.
    pub async fn post(&self, path: &str, body: impl Into<Bytes>) -> Result<TestResponse, TestClientError> {
        self.request(Method::POST, path, &[], body.into()).await
    }

    /// Any request; `Host` is added.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Bytes,
    ) -> Result<TestResponse, TestClientError> {
        let mut b = hyper::Request::builder().method(method).uri(path).header("host", self.server.addr.to_string());
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let req = b.body(Full::new(body))?;
        let cached = self.sender.borrow_mut().take();
        let mut sender = match cached {
            Some(mut s) => match s.ready().await {
                Ok(()) => s,
                Err(_) => self.connect().await?,
            },
            None => self.connect().await?,
        };
        let res = sender.send_request(req).await?;
        let (parts, body) = res.into_parts();
        let body = body.collect().await?.to_bytes();
        *self.sender.borrow_mut() = Some(sender);
        Ok(TestResponse { status: parts.status, headers: parts.headers, body })
    }

    async fn connect(&self) -> Result<SendRequest<Full<Bytes>>, TestClientError> {
        let tcp = tulip_net::TcpStream::connect(self.server.addr).await?;
        let (sender, conn) = hyper::client::conn::http1::handshake(HyperIo::new(tcp)).await?;
        drop(tulip_reactor::get_running_loop().create_internal_task(conn));
        Ok(sender)
    }

    /// Closes the connection and the server (errors of the server's
    /// clean-up hooks are dropped; use [`TestServer::close`] to see them).
    pub async fn close(self) {
        drop(self.sender.borrow_mut().take());
        let _ = self.server.close().await;
    }
}
