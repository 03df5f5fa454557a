//! aiohttp's `web.run_app`: serve until SIGINT or SIGTERM, then shut down
//! gracefully; the options every way of running shares.

use std::io::Write;
use std::net::SocketAddr;
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
/// [`AppRunner`]). [`RunApp`] sets the host, port, Unix path and limits,
/// and (`RunApp::per_core`, cargo feature `runtime`) serves on a loop per
/// core.
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

/// `run_app` with options (aiohttp's keyword arguments). `S` says what is
/// served: one [`Application`] on a new loop ([`RunApp::new`]), or, with
/// the cargo feature `runtime`, an application built on each loop of a
/// loop per core (`RunApp::per_core`).
///
/// ```no_run
/// # let app = tulip::web::Application::new();
/// tulip::web::RunApp::new(app).host("127.0.0.1").port(8000).run().unwrap();
/// ```
#[derive(Debug)]
pub struct RunApp<S = OneApp> {
    pub(crate) source: S,
    pub(crate) opts: RunOptions,
}

/// What [`RunApp::new`] serves: one application, on one loop.
#[derive(Debug)]
pub struct OneApp {
    app: Application,
    access_log: Option<AccessLog>,
}

/// The options of [`RunApp`] that do not depend on what it serves (`Send`,
/// so that every loop of a runtime gets a copy).
#[derive(Debug, Clone)]
pub(crate) struct RunOptions {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) path: Option<PathBuf>,
    pub(crate) shutdown_timeout: Duration,
    pub(crate) print: bool,
    pub(crate) handle_signals: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            host: "0.0.0.0".into(),
            port: 8080,
            path: None,
            shutdown_timeout: Duration::from_secs(60),
            print: true,
            handle_signals: true,
        }
    }
}

impl RunApp {
    /// `run_app(app)`'s defaults.
    pub fn new(app: Application) -> Self {
        RunApp { source: OneApp { app, access_log: None }, opts: RunOptions::default() }
    }

    /// Logs each request (off by default: aiohttp's access log prints only
    /// once Python's logging is configured).
    pub fn access_log(mut self, log: AccessLog) -> Self {
        self.source.access_log = Some(log);
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
        let opts = self.opts;
        if opts.handle_signals {
            let s = stop.clone();
            on_signals(move || s.set())?;
        }
        let started = start_site(self.source.app, self.source.access_log, &opts, false).await;
        let done = match started {
            Ok((runner, name, _)) => {
                if opts.print {
                    print_banner(&name);
                }
                stop.wait().await;
                finish(runner, &opts).await
            }
            Err(e) => Err(e),
        };
        if opts.handle_signals {
            for sig in [libc::SIGINT, libc::SIGTERM] {
                let _ = lp.remove_signal_handler(sig);
            }
        }
        done
    }
}

impl<S> RunApp<S> {
    /// The host (`0.0.0.0`).
    pub fn host(mut self, host: &str) -> Self {
        self.opts.host = host.to_string();
        self
    }

    /// The port (8080; 0 for any free one, printed in the banner).
    pub fn port(mut self, port: u16) -> Self {
        self.opts.port = port;
        self
    }

    /// Serve on a Unix socket at `path` instead of TCP.
    pub fn path(mut self, path: impl Into<PathBuf>) -> Self {
        self.opts.path = Some(path.into());
        self
    }

    /// How long in-flight requests may finish at shutdown (60 s).
    pub fn shutdown_timeout(mut self, t: Duration) -> Self {
        self.opts.shutdown_timeout = t;
        self
    }

    /// Whether to print the banner (aiohttp's `print=`).
    pub fn print(mut self, yes: bool) -> Self {
        self.opts.print = yes;
        self
    }

    /// Whether SIGINT and SIGTERM shut the server down (aiohttp's
    /// `handle_signals=`; default on). Off, the process's dispositions are
    /// left alone.
    pub fn handle_signals(mut self, yes: bool) -> Self {
        self.opts.handle_signals = yes;
        self
    }
}

/// Runs `stop` on the running loop at SIGINT or SIGTERM.
pub(crate) fn on_signals(stop: impl Fn() + Clone + 'static) -> Result<(), WebError> {
    let lp = tulip_reactor::get_running_loop();
    for sig in [libc::SIGINT, libc::SIGTERM] {
        lp.add_signal_handler(sig, stop.clone())?;
    }
    Ok(())
}

/// Sets `app` up and starts its site: the runner, the site's name and its
/// TCP address. A site that cannot start is cleaned up after (the start-up
/// hooks have run), as aiohttp's `run_app` does.
pub(crate) async fn start_site(
    app: Application,
    access_log: Option<AccessLog>,
    opts: &RunOptions,
    reuse_port: bool,
) -> Result<(AppRunner, String, Option<SocketAddr>), WebError> {
    let mut runner = AppRunner::new(app).with_shutdown_timeout(opts.shutdown_timeout);
    if let Some(log) = access_log {
        runner = runner.with_access_log(log);
    }
    runner.setup().await?;
    let site = match &opts.path {
        Some(p) => UnixSite::new(&runner, p).start().await.map(|s| (s.name(), None)),
        None => TCPSite::new(&runner, &opts.host, opts.port)
            .reuse_port(reuse_port)
            .start()
            .await
            .map(|s| (s.name(), s.local_addr())),
    };
    match site {
        Ok((name, addr)) => Ok((runner, name, addr)),
        Err(e) => {
            let _ = runner.cleanup().await;
            Err(e)
        }
    }
}

/// The graceful shutdown of a started site (and its socket file).
pub(crate) async fn finish(mut runner: AppRunner, opts: &RunOptions) -> Result<(), WebError> {
    let done = runner.cleanup().await;
    if let Some(p) = &opts.path {
        let _ = std::fs::remove_file(p);
    }
    done
}

/// aiohttp's banner.
pub(crate) fn print_banner(name: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "======== Running on {name} ========\n(Press CTRL+C to quit)");
    let _ = out.flush();
}
