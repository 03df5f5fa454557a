//! aiohttp's `web.run_app`: serve until SIGINT or SIGTERM, then shut down
//! gracefully.

use std::io::Write;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::Duration;

use tulip_process::LoopSignals;
use tulip_sync::Event;

use crate::{AccessLog, AppRunner, Application, TCPSite, UnixSite, WebError};

/// aiohttp's `web.run_app(app)`: serves `app` on `0.0.0.0:8080` in a new
/// event loop, printing aiohttp's banner
///
/// ```text
/// ======== Running on http://0.0.0.0:8080 ========
/// (Press CTRL+C to quit)
/// ```
///
/// until SIGINT or SIGTERM, then shuts down gracefully (see
/// [`AppRunner`]). [`RunApp`] sets the host, port, Unix path and limits.
///
/// ```no_run
/// use tulip::web::{self, Application, Request, Response};
///
/// async fn handle(request: Request) -> Response {
///     let name = request.match_info().get("name").unwrap_or("Anonymous");
///     Response::text(format!("Hello, {name}"))
/// }
///
/// let mut app = Application::new();
/// app.add_routes([web::get("/", handle), web::get("/{name}", handle)]);
/// web::run_app(app).unwrap();
/// ```
pub fn run_app(app: Application) -> Result<(), WebError> {
    RunApp::new(app).run()
}

/// `run_app` with options (aiohttp's keyword arguments).
///
/// ```no_run
/// # let app = tulip::web::Application::new();
/// tulip::web::RunApp::new(app).host("127.0.0.1").port(8000).run().unwrap();
/// ```
#[derive(Debug)]
pub struct RunApp {
    app: Application,
    host: String,
    port: u16,
    path: Option<PathBuf>,
    shutdown_timeout: Duration,
    access_log: Option<AccessLog>,
    print: bool,
}

impl RunApp {
    /// `run_app(app)`'s defaults.
    pub fn new(app: Application) -> Self {
        RunApp {
            app,
            host: "0.0.0.0".into(),
            port: 8080,
            path: None,
            shutdown_timeout: Duration::from_secs(60),
            access_log: None,
            print: true,
        }
    }

    /// The host (`0.0.0.0`).
    pub fn host(mut self, host: &str) -> Self {
        self.host = host.to_string();
        self
    }

    /// The port (8080; 0 for any free one, printed in the banner).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Serve on a Unix socket at `path` instead of TCP.
    pub fn path(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// How long in-flight requests may finish at shutdown (60 s).
    pub fn shutdown_timeout(mut self, t: Duration) -> Self {
        self.shutdown_timeout = t;
        self
    }

    /// Logs each request (off by default: aiohttp's access log prints only
    /// once Python's logging is configured).
    pub fn access_log(mut self, log: AccessLog) -> Self {
        self.access_log = Some(log);
        self
    }

    /// Whether to print the banner (aiohttp's `print=`).
    pub fn print(mut self, yes: bool) -> Self {
        self.print = yes;
        self
    }

    /// Runs until SIGINT or SIGTERM, in a new event loop.
    pub fn run(self) -> Result<(), WebError> {
        let ev = tulip_reactor::EventLoop::new();
        ev.run_until_complete(self.serve())
    }

    async fn serve(self) -> Result<(), WebError> {
        let lp = tulip_reactor::get_running_loop();
        let stop = Rc::new(Event::new());
        for sig in [libc::SIGINT, libc::SIGTERM] {
            let s = stop.clone();
            lp.add_signal_handler(sig, move || s.set())?;
        }
        let mut runner = AppRunner::new(self.app).with_shutdown_timeout(self.shutdown_timeout);
        if let Some(log) = self.access_log {
            runner = runner.with_access_log(log);
        }
        runner.setup().await?;
        let name = match &self.path {
            Some(p) => UnixSite::new(&runner, p).start().await?.name(),
            None => TCPSite::new(&runner, &self.host, self.port).start().await?.name(),
        };
        if self.print {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "======== Running on {name} ========\n(Press CTRL+C to quit)");
            let _ = out.flush();
        }
        stop.wait().await;
        let done = runner.cleanup().await;
        for sig in [libc::SIGINT, libc::SIGTERM] {
            let _ = lp.remove_signal_handler(sig);
        }
        if let Some(p) = &self.path {
            let _ = std::fs::remove_file(p);
        }
        done
    }
}
