//! aiohttp's `test_utils.TestClient`: hyper's HTTP/1 client of a
//! [`TestServer`], over its port or an in-memory pipe.

use std::cell::RefCell;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use tulip_hyper::HyperIo;

use crate::{Application, TestServer, WebError};

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
    ///
    /// ```
    /// use tulip::web::{self, Application, Request, Response, TestClient};
    /// let mut app = Application::new();
    /// app.add_routes([web::post("/echo", |mut req: Request| async move {
    ///     let kind = req.headers().get("x-kind").map(|v| v.to_str().unwrap_or("").to_string());
    ///     let body = req.text().await?;
    ///     Response::json(&serde_json::json!({ "body": body, "kind": kind }))
    /// })]);
    /// tulip::run(async {
    ///     let client = TestClient::start(app).await.unwrap();
    ///     let v: serde_json::Value = client.post("/echo", "x").await.unwrap().json().unwrap();
    ///     assert_eq!(v, serde_json::json!({ "body": "x", "kind": null }));
    ///     client.close().await;
    /// });
    /// ```
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
    /// The server is closed (an in-memory connection could not be made).
    #[error(transparent)]
    Server(#[from] WebError),
}

/// A client of a [`TestServer`] (aiohttp's `TestClient`): hyper's HTTP/1
/// client over one kept-alive connection, opened again when the server
/// closed it — a loopback TCP connection to a server on a port, an
/// in-memory pipe to an [in-memory](TestServer::in_memory) one.
///
/// [`start`](Self::start) serves on a port, as aiohttp's `TestClient`
/// does (peers outside the loop can then be pointed at
/// [`TestServer::make_url`] too); [`in_memory`](Self::in_memory) uses no
/// socket, for tests on a virtual clock.
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
    /// Serves `app` on a loopback port and makes a client for it.
    ///
    /// ```
    /// use tulip::web::{self, Application, Request, Response, TestClient};
    /// let mut app = Application::new();
    /// app.add_routes([web::post("/echo", |mut req: Request| async move {
    ///     let kind = req.headers().get("x-kind").map(|v| v.to_str().unwrap_or("").to_string());
    ///     let body = req.text().await?;
    ///     Response::json(&serde_json::json!({ "body": body, "kind": kind }))
    /// })]);
    /// tulip::run(async {
    ///     let client = TestClient::start(app).await.unwrap();
    ///     assert!(client.server().addr().ip().is_loopback());
    ///     client.close().await;
    /// });
    /// ```
    pub async fn start(app: Application) -> Result<Self, WebError> {
        Ok(Self::new(TestServer::start(app).await?))
    }

    /// Serves `app` in memory ([`TestServer::in_memory`]) and makes a
    /// client for it: on a virtual clock, a handler's hour of `sleep`
    /// passes at once.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tulip::web::{self, Application, Request, Response, TestClient};
    /// let mut app = Application::new();
    /// app.add_routes([web::get("/slow", |_: Request| async {
    ///     tulip::sleep(Duration::from_secs(3600)).await;
    ///     Response::text("done")
    /// })]);
    /// let ev = tulip::EventLoop::builder().virtual_clock().build().unwrap();
    /// let wall = std::time::Instant::now();
    /// ev.run_until_complete(async {
    ///     let client = TestClient::in_memory(app).await.unwrap();
    ///     assert_eq!(client.get("/slow").await.unwrap().text(), "done");
    ///     client.close().await;
    /// });
    /// assert!(wall.elapsed() < Duration::from_secs(60));
    /// ```
    pub async fn in_memory(app: Application) -> Result<Self, WebError> {
        Ok(Self::new(TestServer::in_memory(app).await?))
    }

    /// A client of `server`, through its transport (see the type's note).
    ///
    /// ```
    /// use tulip::web::{self, Application, Request, Response, TestClient};
    /// let mut app = Application::new();
    /// app.add_routes([web::post("/echo", |mut req: Request| async move {
    ///     let kind = req.headers().get("x-kind").map(|v| v.to_str().unwrap_or("").to_string());
    ///     let body = req.text().await?;
    ///     Response::json(&serde_json::json!({ "body": body, "kind": kind }))
    /// })]);
    /// tulip::run(async {
    ///     let server = tulip::web::TestServer::start(app).await.unwrap();
    ///     let client = TestClient::new(server);
    ///     client.close().await;
    /// });
    /// ```
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
    ///
    /// ```
    /// use tulip::web::{self, Application, Request, Response, TestClient};
    /// let mut app = Application::new();
    /// app.add_routes([web::post("/echo", |mut req: Request| async move {
    ///     let kind = req.headers().get("x-kind").map(|v| v.to_str().unwrap_or("").to_string());
    ///     let body = req.text().await?;
    ///     Response::json(&serde_json::json!({ "body": body, "kind": kind }))
    /// })]);
    /// tulip::run(async {
    ///     let client = TestClient::start(app).await.unwrap();
    ///     let resp = client.post("/echo", "hi").await.unwrap();
    ///     assert_eq!(resp.json::<serde_json::Value>().unwrap()["body"], "hi");
    ///     client.close().await;
    /// });
    /// ```
    pub async fn post(&self, path: &str, body: impl Into<Bytes>) -> Result<TestResponse, TestClientError> {
        self.request(Method::POST, path, &[], body.into()).await
    }

    /// Any request; `Host` is added.
    ///
    /// ```
    /// use tulip::web::{self, Application, Request, Response, TestClient};
    /// let mut app = Application::new();
    /// app.add_routes([web::post("/echo", |mut req: Request| async move {
    ///     let kind = req.headers().get("x-kind").map(|v| v.to_str().unwrap_or("").to_string());
    ///     let body = req.text().await?;
    ///     Response::json(&serde_json::json!({ "body": body, "kind": kind }))
    /// })]);
    /// tulip::run(async {
    ///     let client = TestClient::start(app).await.unwrap();
    ///     let resp = client.request(http::Method::POST, "/echo", &[("x-kind", "note")], "hi".into()).await.unwrap();
    ///     assert_eq!(resp.status(), 200);
    ///     assert_eq!(resp.headers()["content-type"], "application/json; charset=utf-8");
    ///     assert_eq!(resp.bytes().as_ref(), br#"{"body":"hi","kind":"note"}"#);
    ///     client.close().await;
    /// });
    /// ```
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Bytes,
    ) -> Result<TestResponse, TestClientError> {
        let mut b = hyper::Request::builder().method(method).uri(path).header("host", self.server.addr().to_string());
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
        if self.server.is_in_memory() {
            handshake(self.server.connect_in_memory()?).await
        } else {
            handshake(tulip_net::TcpStream::connect(self.server.addr()).await?).await
        }
    }

    /// Closes the connection and the server (errors of the server's
    /// clean-up hooks are dropped; use [`TestServer::close`] to see them).
    ///
    /// ```
    /// use tulip::web::{self, Application, Request, Response, TestClient};
    /// let mut app = Application::new();
    /// app.add_routes([web::post("/echo", |mut req: Request| async move {
    ///     let kind = req.headers().get("x-kind").map(|v| v.to_str().unwrap_or("").to_string());
    ///     let body = req.text().await?;
    ///     Response::json(&serde_json::json!({ "body": body, "kind": kind }))
    /// })]);
    /// tulip::run(async {
    ///     let client = TestClient::start(app).await.unwrap();
    ///     let addr = client.server().addr();
    ///     client.close().await;
    ///     assert!(std::net::TcpStream::connect(addr).is_err(), "the server is closed");
    /// });
    /// ```
    pub async fn close(self) {
        drop(self.sender.borrow_mut().take());
        let _ = self.server.close().await;
    }
}

/// hyper's HTTP/1 handshake over `io`; its driver runs as a task of the loop.
async fn handshake<IO>(io: IO) -> Result<SendRequest<Full<Bytes>>, TestClientError>
where
    IO: futures_lite::io::AsyncRead + futures_lite::io::AsyncWrite + Unpin + 'static,
{
    let (sender, conn) = hyper::client::conn::http1::handshake(HyperIo::new(io)).await?;
    drop(tulip_reactor::get_running_loop().create_internal_task(conn));
    Ok(sender)
}
