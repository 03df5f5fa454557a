//! aiohttp's `test_utils`: an application served on a loopback port or
//! in memory, and a client for it, both on the running loop.
//!
//! In memory, nothing waits on the OS: a loop on a virtual clock
//! (`EventLoop::builder().virtual_clock()`) jumps over a handler's
//! hour-long `sleep`, the server's keep-alive timeout and a client's
//! `wait_for` as it does over any timer. On a port, the listening socket
//! is a wait for the outside world, so such a loop waits in real time.

use std::cell::RefCell;
use std::net::{Ipv4Addr, SocketAddr};

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use tulip_hyper::HyperIo;
use tulip_net::DuplexStream;

use crate::{AppRunner, Application, TCPSite, WebError};

/// Each direction of an in-memory connection buffers this much (a
/// socket's buffer, roughly).
const PIPE_BUFFER: usize = 64 * 1024;

/// What an in-memory connection's requests see as their peer (as
/// aiohttp's `make_mocked_request`).
const IN_MEMORY_REMOTE: &str = "127.0.0.1";

/// An application under test (aiohttp's `TestServer`): on `127.0.0.1` at
/// a free port ([`start`](Self::start)), or with no socket at all
/// ([`in_memory`](Self::in_memory)), its connections then in-memory pipes
/// made by [`connect_in_memory`](Self::connect_in_memory) (which works for
/// both). Use in-memory under a virtual clock; a port for peers outside the
/// loop (curl, Python).
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
    /// `None`: in memory only.
    addr: Option<SocketAddr>,
}

impl TestServer {
    /// Sets `app` up and serves it on a loopback port.
    pub async fn start(app: Application) -> Result<Self, WebError> {
        Self::start_with(AppRunner::new(app)).await
    }

    /// Serves on a loopback port with a runner configured by the caller
    /// (limits, access log).
    pub async fn start_with(mut runner: AppRunner) -> Result<Self, WebError> {
        runner.setup().await?;
        let site = TCPSite::new(&runner, "127.0.0.1", 0).start().await?;
        let addr = site.local_addr().ok_or(WebError::NotSetUp)?;
        Ok(TestServer { runner, addr: Some(addr) })
    }

    /// Sets `app` up with no socket: it is reached through
    /// [`connect_in_memory`](Self::connect_in_memory) (as a [`TestClient`]
    /// of it does).
    ///
    /// ```
    /// use tulip::web::{Application, TestServer};
    /// tulip::run(async {
    ///     let server = TestServer::in_memory(Application::new()).await.unwrap();
    ///     assert!(server.is_in_memory());
    ///     assert_eq!(server.make_url("/x"), "http://127.0.0.1:0/x");
    ///     server.close().await.unwrap();
    /// });
    /// ```
    pub async fn in_memory(app: Application) -> Result<Self, WebError> {
        Self::in_memory_with(AppRunner::new(app)).await
    }

    /// [`in_memory`](Self::in_memory) with a runner configured by the caller.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tulip::web::{AppRunner, Application, TestServer};
    /// tulip::run(async {
    ///     let runner = AppRunner::new(Application::new()).with_keepalive_timeout(Duration::from_secs(5));
    ///     let server = TestServer::in_memory_with(runner).await.unwrap();
    ///     server.close().await.unwrap();
    /// });
    /// ```
    pub async fn in_memory_with(mut runner: AppRunner) -> Result<Self, WebError> {
        runner.setup().await?;
        Ok(TestServer { runner, addr: None })
    }

    /// A new connection to the server through an in-memory pipe: the
    /// returned end is the client's (futures-io `AsyncRead + AsyncWrite`);
    /// the server serves the other as an accepted socket, its requests'
    /// [`remote`](crate::Request::remote) `127.0.0.1`.
    ///
    /// ```
    /// use futures_lite::{AsyncReadExt, AsyncWriteExt};
    /// use tulip::web::{Application, TestServer};
    /// tulip::run(async {
    ///     let server = TestServer::in_memory(Application::new()).await.unwrap();
    ///     let mut conn = server.connect_in_memory().unwrap();
    ///     conn.write_all(b"GET /nope HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").await.unwrap();
    ///     let mut answer = String::new();
    ///     conn.read_to_string(&mut answer).await.unwrap();
    ///     assert!(answer.starts_with("HTTP/1.1 404"));
    ///     server.close().await.unwrap();
    /// });
    /// ```
    pub fn connect_in_memory(&self) -> Result<DuplexStream, WebError> {
        let (client, server) = tulip_net::duplex(PIPE_BUFFER);
        self.runner.serve_connection(server, Some(IN_MEMORY_REMOTE))?;
        Ok(client)
    }

    /// Whether the server has no socket (made by [`in_memory`](Self::in_memory)).
    ///
    /// ```
    /// tulip::run(async {
    ///     let server = tulip::web::TestServer::start(tulip::web::Application::new()).await.unwrap();
    ///     assert!(!server.is_in_memory());
    ///     server.close().await.unwrap();
    /// });
    /// ```
    pub fn is_in_memory(&self) -> bool {
        self.addr.is_none()
    }

    /// The server's address; `127.0.0.1:0` (where nothing listens) for an
    /// in-memory server.
    pub fn addr(&self) -> SocketAddr {
        self.addr.unwrap_or(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
    }

    /// `http://<addr><path>` (the `Host` a [`TestClient`] sends, too).
    pub fn make_url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr())
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
        match self.server.addr {
            Some(addr) => handshake(tulip_net::TcpStream::connect(addr).await?).await,
            None => handshake(self.server.connect_in_memory()?).await,
        }
    }

    /// Closes the connection and the server (errors of the server's
    /// clean-up hooks are dropped; use [`TestServer::close`] to see them).
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
