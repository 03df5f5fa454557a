//! aiohttp's `test_utils.TestServer`: an application served on a
//! loopback port or in memory, on the running loop (its client is in
//! `test_client.rs`).
//!
//! In memory, nothing waits on the OS: a loop on a virtual clock
//! (`EventLoop::builder().virtual_clock()`) jumps over a handler's
//! hour-long `sleep`, the server's keep-alive timeout and a client's
//! `wait_for` as it does over any timer. On a port, the listening socket
//! is a wait for the outside world, so such a loop waits in real time.

use std::net::{Ipv4Addr, SocketAddr};
use std::rc::{Rc, Weak};

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
    /// Shared only weakly, with [`TestConnector`]s: `close` takes it back.
    runner: Rc<AppRunner>,
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
        Ok(TestServer { runner: Rc::new(runner), addr: Some(addr) })
    }

    /// Sets `app` up with no socket: it is reached through
    /// [`connect_in_memory`](Self::connect_in_memory) (as a [`TestClient`](crate::TestClient)
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
        Ok(TestServer { runner: Rc::new(runner), addr: None })
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
        pipe_to(&self.runner)
    }

    /// A handle that opens in-memory connections to this server, for as
    /// long as it runs: `'static` and cloneable, so a
    /// `tulip::http::ClientSession` can use it through its connector's
    /// `connect_with`, and tests use the real client API.
    ///
    /// ```
    /// use tulip::http::{ClientSession, TcpConnector};
    /// use tulip::web::{self, Application, Request, Response, TestServer};
    /// let mut app = Application::new();
    /// app.add_routes([web::get("/", |_: Request| async { Response::text("hi") })]);
    /// tulip::run(async {
    ///     let server = TestServer::in_memory(app).await.unwrap();
    ///     let pipes = server.connector();
    ///     let connector = TcpConnector::builder()
    ///         .connect_with(move |_host, _port| std::future::ready(pipes.connect()))
    ///         .build();
    ///     let session = ClientSession::builder().connector(connector).build().unwrap();
    ///     let mut resp = session.get(server.make_url("/")).send().await.unwrap();
    ///     assert_eq!(resp.text().await.unwrap(), "hi");
    ///     session.close().await;
    ///     server.close().await.unwrap();
    /// });
    /// ```
    pub fn connector(&self) -> TestConnector {
        TestConnector { runner: Rc::downgrade(&self.runner) }
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

    /// `http://<addr><path>` (the `Host` a [`TestClient`](crate::TestClient) sends, too).
    pub fn make_url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr())
    }

    /// The runner (e.g. for [`AppRunner::connections`]).
    pub fn runner(&self) -> &AppRunner {
        &self.runner
    }

    /// Shuts the application down gracefully.
    pub async fn close(self) -> Result<(), WebError> {
        // Connectors hold it only weakly and never across an await.
        let mut runner = Rc::try_unwrap(self.runner).map_err(|_| WebError::NotSetUp)?;
        runner.cleanup().await
    }
}

fn pipe_to(runner: &AppRunner) -> Result<DuplexStream, WebError> {
    let (client, server) = tulip_net::duplex(PIPE_BUFFER);
    runner.serve_connection(server, Some(IN_MEMORY_REMOTE))?;
    Ok(client)
}

/// Opens in-memory connections to a [`TestServer`] (made by
/// [`TestServer::connector`]); once the server is closed, connecting
/// fails with `NotConnected`.
///
/// ```
/// use tulip::web::{Application, TestServer};
/// tulip::run(async {
///     let server = TestServer::in_memory(Application::new()).await.unwrap();
///     let pipes = server.connector();
///     assert!(pipes.connect().is_ok());
///     server.close().await.unwrap();
///     assert_eq!(pipes.connect().unwrap_err().kind(), std::io::ErrorKind::NotConnected);
/// });
/// ```
#[derive(Debug, Clone)]
pub struct TestConnector {
    runner: Weak<AppRunner>,
}

impl TestConnector {
    /// A new connection: the client's end of a pipe the server serves.
    ///
    /// ```
    /// use futures_lite::{AsyncReadExt, AsyncWriteExt};
    /// tulip::run(async {
    ///     let server = tulip::web::TestServer::in_memory(tulip::web::Application::new()).await.unwrap();
    ///     let mut conn = server.connector().connect().unwrap();
    ///     conn.write_all(b"GET / HTTP/1.0\r\n\r\n").await.unwrap();
    ///     let mut answer = String::new();
    ///     conn.read_to_string(&mut answer).await.unwrap();
    ///     assert!(answer.starts_with("HTTP/1.0 404"), "{answer}");
    ///     server.close().await.unwrap();
    /// });
    /// ```
    pub fn connect(&self) -> std::io::Result<DuplexStream> {
        let closed = || std::io::Error::new(std::io::ErrorKind::NotConnected, "the test server is closed");
        let runner = self.runner.upgrade().ok_or_else(closed)?;
        pipe_to(&runner).map_err(|_| closed())
    }
}
