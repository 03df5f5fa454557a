//! `run_app` on a loop per core (cargo feature `runtime`): every loop of a
//! `tulip_runtime::Runtime` builds its own [`Application`] from a `Send`
//! factory and accepts on its own `SO_REUSEPORT` socket; a stop (signal or
//! [`StopHandle`]) shuts every loop down gracefully.

use std::net::SocketAddr;
use std::sync::{mpsc, Arc};

use tulip_process::LoopSignals;
use tulip_reactor::ConcurrentFuture;
use tulip_runtime::Runtime;

use crate::run_app::{finish, on_signals, print_banner, start_site, RunOptions};
use crate::{Application, RunApp, WebError};

/// What `RunApp::per_core` serves: an application built on each loop of a
/// loop per core by a `Send` factory.
pub struct PerCore<F> {
    factory: Arc<F>,
    workers: Option<usize>,
}

impl<F> std::fmt::Debug for PerCore<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PerCore").field("workers", &self.workers).finish_non_exhaustive()
    }
}

/// [`RunApp::per_core`]`(factory).run()`: the application `factory`
/// builds, served on every core until SIGINT or SIGTERM.
///
/// ```no_run
/// use tulip::web::{self, Application, Request, Response};
///
/// web::run_app_per_core(|| {
///     let mut app = Application::new();
///     app.add_routes([web::get("/", |_: Request| async { Response::text("hi") })]);
///     app
/// })
/// .unwrap();
/// ```
pub fn run_app_per_core<F>(factory: F) -> Result<(), WebError>
where
    F: Fn() -> Application + Send + Sync + 'static,
{
    RunApp::per_core(factory).run()
}

impl<F> RunApp<PerCore<F>>
where
    F: Fn() -> Application + Send + Sync + 'static,
{
    /// `run_app` on a loop per core: each loop (a thread pinned to a core,
    /// one per core unless [`workers`](Self::workers) says otherwise) calls
    /// `factory` to build its own application (its handlers and state stay
    /// on that loop, `!Send` as they like), runs its start-up hooks, and
    /// accepts on its own `SO_REUSEPORT` socket on the same port: the
    /// kernel spreads the connections, the loops share nothing. SIGINT or
    /// SIGTERM (or [`StopHandle::stop`]) stops every loop, each with
    /// aiohttp's graceful shutdown (see [`AppRunner`](crate::AppRunner)):
    /// stop accepting, let in-flight requests finish within
    /// `shutdown_timeout`, run its clean-up hooks.
    ///
    /// A Unix socket ([`path`](Self::path)) takes one worker only.
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use tulip::web::{self, Application, Request, Response, RunApp};
    ///
    /// let workers = RunApp::per_core(|| {
    ///     let mut app = Application::new();
    ///     app.add_routes([web::get("/", |_: Request| async { Response::text("hi") })]);
    ///     app
    /// })
    /// .workers(2)
    /// .host("127.0.0.1")
    /// .port(0)
    /// .handle_signals(false)
    /// .start()
    /// .unwrap();
    /// let mut c = std::net::TcpStream::connect(workers.local_addr().unwrap()).unwrap();
    /// c.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    /// let mut answer = String::new();
    /// c.read_to_string(&mut answer).unwrap();
    /// assert!(answer.starts_with("HTTP/1.1 200") && answer.ends_with("hi"));
    /// workers.stop();
    /// workers.wait().unwrap();
    /// ```
    pub fn per_core(factory: F) -> Self {
        RunApp { source: PerCore { factory: Arc::new(factory), workers: None }, opts: RunOptions::default() }
    }

    /// How many loops serve (default: one per core this process may use).
    pub fn workers(mut self, n: usize) -> Self {
        self.source.workers = Some(n);
        self
    }

    /// Serves until SIGINT or SIGTERM on every loop, printing aiohttp's
    /// banner once all have started; returns when every loop has shut
    /// down (the first error of any).
    ///
    /// # Errors
    /// As [`start`](Self::start), then the first loop's failed clean-up.
    pub fn run(self) -> Result<(), WebError> {
        let print = self.opts.print;
        let workers = self.start()?;
        if print {
            print_banner(workers.name());
        }
        workers.wait()
    }

    /// Starts the loops and their sites and returns once every loop
    /// accepts (no banner); [`Workers::wait`] then waits for the end.
    ///
    /// # Errors
    /// Zero workers, or a Unix path with more than one; a runtime that
    /// could not start; any loop's start-up hook or bind that failed (the
    /// loops already started are shut down first).
    pub fn start(self) -> Result<Workers, WebError> {
        let invalid = |why: &str| WebError::Io(std::io::Error::new(std::io::ErrorKind::InvalidInput, why));
        let mut builder = Runtime::builder().thread_name("tulip-web");
        if let Some(n) = self.source.workers {
            if n == 0 {
                return Err(invalid("run_app needs at least one worker"));
            }
            builder = builder.loops(n);
        }
        let rt = builder.build()?;
        if self.opts.path.is_some() && rt.loops() > 1 {
            return Err(invalid("a Unix socket cannot be sharded by SO_REUSEPORT: serve it with one worker"));
        }
        let handle = rt.handle();
        let (stop_tx, stop_rx) = async_channel::bounded(1);
        // From here on, dropping `workers` (an early return) stops the
        // loops started so far gracefully and ends the runtime.
        let mut workers =
            Workers { rt: Some(rt), stop: StopHandle(stop_tx), done: Vec::new(), name: String::new(), addr: None };
        let mut opts = self.opts;
        for k in 0..handle.loops() {
            let (ready_tx, ready) = mpsc::channel();
            let (factory, o, stop, stopped) =
                (self.source.factory.clone(), opts.clone(), workers.stop.clone(), stop_rx.clone());
            let spawned = handle.spawn_on(k, move || worker(factory(), o, stop, stopped, ready_tx));
            workers.done.push(spawned.map_err(|e| WebError::Worker(e.to_string()))?);
            match ready.recv() {
                // Loop 0 may have picked the port; the others join it.
                Ok(Ok((name, addr))) if k == 0 => {
                    opts.port = addr.map_or(opts.port, |a| a.port());
                    (workers.name, workers.addr) = (name, addr);
                }
                Ok(Ok(_)) => {}
                Ok(Err(e)) => return Err(e),
                Err(_) => return Err(WebError::Worker(format!("loop {k} stopped before its site started"))),
            }
        }
        Ok(workers)
    }
}

/// What a loop reports once its site accepts: the site's name and address.
type Ready = Result<(String, Option<SocketAddr>), WebError>;

/// One loop's life: serve `app` until stopped, then shut down gracefully.
/// A failure to start goes to `ready` (and the loop's outcome is `Ok`).
async fn worker(
    app: Application,
    opts: RunOptions,
    stop: StopHandle,
    stopped: async_channel::Receiver<()>,
    ready: mpsc::Sender<Ready>,
) -> Result<(), WebError> {
    let lp = tulip_reactor::get_running_loop();
    // Any loop's signal stops them all (each loop also gets it: tulip-process
    // runs every loop's handler).
    let signals = if opts.handle_signals { on_signals(move || stop.stop()) } else { Ok(()) };
    let started = match signals {
        Ok(()) => start_site(app, None, &opts, true).await,
        Err(e) => Err(e),
    };
    let done = match started {
        Ok((runner, name, addr)) => {
            let _ = ready.send(Ok((name, addr)));
            // Err once the channel is closed: the stop.
            let _ = stopped.recv().await;
            finish(runner, &opts).await
        }
        Err(e) => {
            let _ = ready.send(Err(e));
            Ok(())
        }
    };
    if opts.handle_signals {
        for sig in [libc::SIGINT, libc::SIGTERM] {
            let _ = lp.remove_signal_handler(sig);
        }
    }
    done
}

/// Stops every loop of a [`Workers`] gracefully, from any thread or loop
/// (`Send + Sync + Clone`).
#[derive(Debug, Clone)]
pub struct StopHandle(async_channel::Sender<()>);

impl StopHandle {
    /// Starts every loop's graceful shutdown (as SIGINT does); a second
    /// call does nothing.
    pub fn stop(&self) {
        self.0.close();
    }
}

/// The loops serving an application, from `RunApp::per_core(..).start()`.
/// Dropping it stops them and waits for their graceful shutdown.
pub struct Workers {
    rt: Option<Runtime>,
    stop: StopHandle,
    done: Vec<ConcurrentFuture<Result<(), WebError>>>,
    name: String,
    addr: Option<SocketAddr>,
}

impl std::fmt::Debug for Workers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workers").field("name", &self.name).field("loops", &self.done.len()).finish()
    }
}

impl Workers {
    /// `http://host:port` (aiohttp's `site.name`), with the bound port.
    /// (See [`stop_handle`](Self::stop_handle)'s example.)
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The TCP address every loop accepts on (`None` for a Unix socket).
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.addr
    }

    /// How many loops serve.
    /// (See [`stop_handle`](Self::stop_handle)'s example.)
    pub fn loops(&self) -> usize {
        self.done.len()
    }

    /// A handle that stops every loop, to keep while [`wait`](Self::wait)
    /// blocks.
    ///
    /// ```
    /// use tulip::web::{Application, RunApp};
    /// let workers = RunApp::per_core(Application::new).workers(2).host("127.0.0.1").port(0).handle_signals(false).start().unwrap();
    /// assert_eq!(workers.loops(), 2);
    /// assert!(workers.name().starts_with("http://127.0.0.1:"));
    /// let stop = workers.stop_handle();
    /// std::thread::spawn(move || stop.stop());
    /// workers.wait().unwrap();
    /// ```
    pub fn stop_handle(&self) -> StopHandle {
        self.stop.clone()
    }

    /// Starts every loop's graceful shutdown ([`StopHandle::stop`]).
    pub fn stop(&self) {
        self.stop.stop();
    }

    /// Waits until every loop has shut down (after a signal or a stop),
    /// then ends the runtime.
    ///
    /// # Errors
    /// The first loop's failed shut-down or clean-up hook; a loop whose
    /// work panicked ([`WebError::Worker`]).
    pub fn wait(mut self) -> Result<(), WebError> {
        self.finish()
    }

    fn finish(&mut self) -> Result<(), WebError> {
        let mut first = Ok(());
        for f in self.done.drain(..) {
            let outcome = f.result().map_err(|e| WebError::Worker(e.to_string())).and_then(|r| r);
            if first.is_ok() {
                first = outcome;
            }
        }
        if let Some(rt) = self.rt.take() {
            rt.shutdown();
        }
        first
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        if !self.done.is_empty() {
            self.stop();
            let _ = self.finish();
        }
    }
}
