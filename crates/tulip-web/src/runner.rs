//! aiohttp's `AppRunner`, `TCPSite` and `UnixSite`: an application served
//! on sockets of a running loop, and its graceful shutdown.

use std::cell::RefCell;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::Duration;

use tulip_hyper::SocketIo;
use tulip_net::{ServerOptions, TcpListener, UnixListener};
use tulip_sync::Semaphore;
use tulip_task::Task;

use crate::access_log::AccessLog;
use crate::conn::{self, Connections, Limits, Switch};
use crate::server::Handling;
use crate::Application;

/// Errors of running an application.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// A socket could not be bound or used.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A start-up, shutdown or clean-up hook failed.
    #[error("application hook failed: {0}")]
    Hook(String),
    /// `setup` was not called, or `cleanup` already was.
    #[error("the runner is not set up")]
    NotSetUp,
    /// A loop of `RunApp::per_core` failed outside the application (its
    /// work panicked, or the loop closed early).
    #[error("a worker loop failed: {0}")]
    Worker(String),
}

/// What a runner's sites share.
struct Shared {
    handling: Rc<Handling>,
    limits: Limits,
    conns: Connections,
    permits: Rc<Semaphore>,
    accepting: RefCell<Vec<Task<()>>>,
}

/// Runs an application on sites (aiohttp's `web.AppRunner`): `setup`
/// runs the start-up hooks; sites ([`TCPSite`], [`UnixSite`]) then accept
/// connections; `cleanup` shuts down gracefully: stops accepting, runs
/// `on_shutdown`, lets in-flight requests finish within `shutdown_timeout`
/// (60 s) while idle keep-alive connections close, cancels what is left
/// (a cancelled handler is dropped at its next await), runs the clean-ups.
///
/// ```
/// use tulip::web::{self, AppRunner, Application, Request, Response, TCPSite};
/// tulip::run(async {
///     let mut app = Application::new();
///     app.add_routes([web::get("/", |_: Request| async { Response::text("hi") })]);
///     let mut runner = AppRunner::new(app);
///     runner.setup().await.unwrap();
///     let site = TCPSite::new(&runner, "127.0.0.1", 0).start().await.unwrap();
///     assert!(site.name().starts_with("http://127.0.0.1:"));
///     runner.cleanup().await.unwrap();
/// });
/// ```
pub struct AppRunner {
    app: Option<Application>,
    frozen: Option<Rc<Application>>,
    limits: Limits,
    access_log: Option<AccessLog>,
    shared: Option<Rc<Shared>>,
}

impl std::fmt::Debug for AppRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppRunner").field("limits", &self.limits).finish_non_exhaustive()
    }
}

impl AppRunner {
    /// A runner of `app`, with aiohttp's limits: keep-alive 75 s, shutdown
    /// 60 s; and ours: heads at most 16 KiB (431) and 10 s once begun, at
    /// most 1024 connections at once (accepting pauses at the cap).
    pub fn new(app: Application) -> Self {
        AppRunner { app: Some(app), frozen: None, limits: Limits::default(), access_log: None, shared: None }
    }

    /// How long `cleanup` lets in-flight requests run (aiohttp's `shutdown_timeout`).
    pub fn with_shutdown_timeout(mut self, t: Duration) -> Self {
        self.limits.shutdown_timeout = t;
        self
    }

    /// How long an idle connection waits for its next request (aiohttp's `keepalive_timeout`).
    pub fn with_keepalive_timeout(mut self, t: Duration) -> Self {
        self.limits.keepalive_timeout = t;
        self
    }

    /// How long a request's head may take once begun (slowloris); also the
    /// wait for a new connection's first request.
    pub fn with_header_read_timeout(mut self, t: Duration) -> Self {
        self.limits.header_read_timeout = t;
        self
    }

    /// The largest request head (a larger one is answered 431).
    pub fn with_max_header_size(mut self, bytes: usize) -> Self {
        self.limits.max_header_size = bytes;
        self
    }

    /// How many connections are served at once; at the cap, accepting
    /// pauses (the kernel's backlog holds the rest).
    pub fn with_max_connections(mut self, n: usize) -> Self {
        self.limits.max_connections = n.max(1);
        self
    }

    /// Logs each request to `log` (aiohttp's `access_log`).
    pub fn with_access_log(mut self, log: AccessLog) -> Self {
        self.access_log = Some(log);
        self
    }

    /// Freezes the application and runs its start-up hooks (aiohttp's
    /// `await runner.setup()`).
    pub async fn setup(&mut self) -> Result<(), WebError> {
        let app = Rc::new(self.app.take().ok_or(WebError::NotSetUp)?);
        app.startup().await.map_err(|e| WebError::Hook(e.to_string()))?;
        self.shared = Some(Rc::new(Shared {
            handling: Rc::new(Handling::new(app.clone(), self.access_log.clone())),
            permits: Rc::new(Semaphore::new(self.limits.max_connections)),
            limits: self.limits.clone(),
            conns: Connections::default(),
            accepting: RefCell::default(),
        }));
        self.frozen = Some(app);
        Ok(())
    }

    /// The application, once set up.
    pub fn app(&self) -> Option<&Rc<Application>> {
        self.frozen.as_ref()
    }

    /// How many connections are open.
    pub fn connections(&self) -> usize {
        self.shared.as_ref().map_or(0, |s| s.conns.len())
    }

    /// Serves one connection over `stream`, any byte stream — an end of
    /// an in-memory [`tulip::net::duplex`](tulip_net::duplex) pipe,
    /// a socket accepted elsewhere — as a site serves the sockets it
    /// accepts (aiohttp's `runner.server` as a protocol factory): the
    /// same limits, counted in [`connections`](Self::connections), waiting
    /// for a slot at the connection cap, shut down by `cleanup`. `remote`
    /// is what [`Request::remote`](crate::Request::remote) says.
    ///
    /// ```
    /// use futures_lite::{AsyncReadExt, AsyncWriteExt};
    /// use tulip::web::{self, AppRunner, Application, Request, Response};
    /// tulip::run(async {
    ///     let mut app = Application::new();
    ///     app.add_routes([web::get("/", |_: Request| async { Response::text("hi") })]);
    ///     let mut runner = AppRunner::new(app);
    ///     runner.setup().await.unwrap();
    ///     let (mut client, server) = tulip::net::duplex(64 * 1024);
    ///     runner.serve_connection(server, None).unwrap();
    ///     client.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.unwrap();
    ///     let mut answer = String::new();
    ///     client.read_to_string(&mut answer).await.unwrap();
    ///     assert!(answer.starts_with("HTTP/1.1 200 OK") && answer.ends_with("hi"));
    ///     runner.cleanup().await.unwrap();
    /// });
    /// ```
    pub fn serve_connection<S>(&self, stream: S, remote: Option<&str>) -> Result<(), WebError>
    where
        S: futures_lite::io::AsyncRead + futures_lite::io::AsyncWrite + Unpin + 'static,
    {
        let shared = self.shared()?;
        let permit = shared.permits.clone().acquire_owned();
        spawn_connection(&shared, tulip_hyper::HyperIo::new(stream), remote.map(Rc::from), permit);
        Ok(())
    }

    fn shared(&self) -> Result<Rc<Shared>, WebError> {
        self.shared.clone().ok_or(WebError::NotSetUp)
    }

    /// Shuts down gracefully and runs the clean-up hooks (aiohttp's
    /// `await runner.cleanup()`); see the type's note for the order.
    pub async fn cleanup(&mut self) -> Result<(), WebError> {
        let shared = self.shared.take().ok_or(WebError::NotSetUp)?;
        let app = self.frozen.take().ok_or(WebError::NotSetUp)?;
        let accepting: Vec<Task<()>> = shared.accepting.borrow_mut().drain(..).collect();
        for t in &accepting {
            t.cancel();
        }
        // Until each accept loop has ended, its listener is open: a client
        // could still connect after `cleanup` returned (aiohttp's site
        // stop has closed the socket by then).
        for t in accepting {
            let _ = t.await;
        }
        let shutdown = app.shutdown().await;
        for s in shared.conns.extras() {
            s.turn_off();
        }
        let deadline = tulip_reactor::get_running_loop().time() + shared.limits.shutdown_timeout;
        let left = deadline.saturating_duration_since(tulip_reactor::get_running_loop().time());
        if !shared.conns.wait_empty(left).await {
            shared.conns.cancel_all();
        }
        let left = deadline.saturating_duration_since(tulip_reactor::get_running_loop().time());
        if !shared.handling.detached.wait_empty(left).await {
            shared.handling.detached.cancel_all();
        }
        let cleanup = app.cleanup().await;
        shutdown.and(cleanup).map_err(|e| WebError::Hook(e.to_string()))
    }
}

/// Serves `stream` in a connection task of `shared` once `permit` (a slot
/// under the connection cap) is had; the slot frees when it ends.
fn spawn_connection<S, P>(shared: &Rc<Shared>, stream: S, remote: Option<Rc<str>>, permit: P)
where
    S: conn::ConnIo,
    P: std::future::Future + 'static,
{
    let switch = Rc::new(Switch::default());
    let (handling, s2) = (shared.handling.clone(), shared.clone());
    shared.conns.spawn_with(switch.clone(), async move {
        let permit = permit.await;
        conn::serve(stream, remote, handling, &s2.limits, switch).await;
        drop(permit);
    });
}

/// Accepts on `accept` until cancelled, pausing at the connection cap.
async fn accept_loop<L, S, F>(shared: Rc<Shared>, listener: L, accept: F)
where
    S: conn::ConnIo,
    F: for<'a> Fn(
        &'a L,
    )
        -> std::pin::Pin<Box<dyn std::future::Future<Output = std::io::Result<(S, Option<Rc<str>>)>> + 'a>>,
{
    loop {
        let permit = shared.permits.clone().acquire_owned().await;
        match accept(&listener).await {
            Ok((stream, remote)) => spawn_connection(&shared, stream, remote, async { permit }),
            Err(e) => {
                drop(permit);
                // Out of descriptors or buffers: wait for some to free up
                // (aborted handshakes are retried at once).
                if e.kind() != std::io::ErrorKind::ConnectionAborted {
                    tulip_timer::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }
}

/// A site on TCP (aiohttp's `web.TCPSite`).
#[derive(Debug)]
pub struct TCPSite {
    shared: Option<Rc<Shared>>,
    host: String,
    port: u16,
    reuse_port: bool,
    addr: Option<SocketAddr>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Shared")
    }
}

impl TCPSite {
    /// A site of `runner` on `host:port` (port 0: any free port).
    pub fn new(runner: &AppRunner, host: &str, port: u16) -> Self {
        TCPSite { shared: runner.shared().ok(), host: host.to_string(), port, reuse_port: false, addr: None }
    }

    /// `SO_REUSEPORT` (aiohttp's `reuse_port=`; default off): several
    /// sockets, one per loop, may listen on the same port, and the kernel
    /// spreads the connections among them (`RunApp::per_core` does this).
    ///
    /// ```
    /// use tulip::web::{AppRunner, Application, TCPSite};
    /// tulip::run(async {
    ///     let (mut a, mut b) = (AppRunner::new(Application::new()), AppRunner::new(Application::new()));
    ///     a.setup().await.unwrap();
    ///     b.setup().await.unwrap();
    ///     let first = TCPSite::new(&a, "127.0.0.1", 0).reuse_port(true).start().await.unwrap();
    ///     let port = first.local_addr().unwrap().port();
    ///     // A second runner on the same port: allowed by SO_REUSEPORT.
    ///     let second = TCPSite::new(&b, "127.0.0.1", port).reuse_port(true).start().await.unwrap();
    ///     assert_eq!(second.local_addr(), first.local_addr());
    ///     a.cleanup().await.unwrap();
    ///     b.cleanup().await.unwrap();
    /// });
    /// ```
    pub fn reuse_port(mut self, on: bool) -> Self {
        self.reuse_port = on;
        self
    }

    /// Binds and starts accepting (aiohttp's `await site.start()`).
    pub async fn start(mut self) -> Result<Self, WebError> {
        let shared = self.shared.clone().ok_or(WebError::NotSetUp)?;
        let (host, port) = (self.host.clone(), self.port);
        let addrs = tulip_blocking::to_thread(move || {
            std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port)).map(|a| a.collect::<Vec<_>>())
        })
        .await?;
        let first = addrs
            .first()
            .copied()
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::AddrNotAvailable, "host resolves to nothing"))?;
        // aiohttp's reuse_address, and a backlog for bursts.
        let options = ServerOptions::new().reuse_port(self.reuse_port).backlog(1024);
        let listener = TcpListener::bind_with(first, options)?;
        self.addr = Some(listener.local_addr()?);
        let task = tulip_reactor::get_running_loop().create_internal_task(accept_loop(
            shared.clone(),
            listener,
            |l: &TcpListener| {
                Box::pin(async move {
                    let (s, peer) = l.accept().await?;
                    // Small responses go out at once (aiohttp sets it too).
                    let _ = s.set_nodelay(true);
                    Ok((SocketIo::new(s), Some(Rc::from(peer.ip().to_string()))))
                })
            },
        ));
        shared.accepting.borrow_mut().push(task);
        Ok(self)
    }

    /// The bound address, once started.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.addr
    }

    /// `http://host:port` (aiohttp's `site.name`), with the bound port.
    pub fn name(&self) -> String {
        let port = self.addr.map_or(self.port, |a| a.port());
        if self.host.contains(':') {
            format!("http://[{}]:{port}", self.host)
        } else {
            format!("http://{}:{port}", self.host)
        }
    }
}

/// A site on a Unix socket (aiohttp's `web.UnixSite`).
#[derive(Debug)]
pub struct UnixSite {
    shared: Option<Rc<Shared>>,
    path: PathBuf,
}

impl UnixSite {
    /// A site of `runner` at `path`.
    pub fn new(runner: &AppRunner, path: impl Into<PathBuf>) -> Self {
        UnixSite { shared: runner.shared().ok(), path: path.into() }
    }

    /// Binds and starts accepting.
    pub async fn start(self) -> Result<Self, WebError> {
        let shared = self.shared.clone().ok_or(WebError::NotSetUp)?;
        let listener = UnixListener::bind(&self.path)?;
        let task = tulip_reactor::get_running_loop().create_internal_task(accept_loop(
            shared.clone(),
            listener,
            |l: &UnixListener| {
                Box::pin(async move {
                    let (s, _) = l.accept().await?;
                    Ok((SocketIo::new(s), None))
                })
            },
        ));
        shared.accepting.borrow_mut().push(task);
        Ok(self)
    }

    /// `http://unix:<path>:` (aiohttp's `site.name`).
    pub fn name(&self) -> String {
        format!("http://unix:{}:", self.path.display())
    }
}
