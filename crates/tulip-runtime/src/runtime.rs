//! [`Runtime`]: n threads, each running its own [`EventLoop`], and the
//! [`RuntimeHandle`] that reaches any of them from anywhere.

use crate::affinity;
use std::cell::RefCell;
use std::future::Future;
use std::io;
use std::ops::Deref;
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use tulip_process::LoopSignals;
use tulip_reactor::{run_coroutine_threadsafe, ConcurrentFuture, EventLoop, RemoteHandle};

/// A loop index that the runtime does not have (Python's `IndexError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("loop index {index} out of range: the runtime has {loops} loops")]
pub struct IndexError {
    /// The index asked for.
    pub index: usize,
    /// How many loops the runtime has.
    pub loops: usize,
}

struct Inner {
    remotes: Vec<RemoteHandle>,
    cores: Vec<Option<usize>>,
}

thread_local! {
    /// On a loop thread of a runtime: the runtime and this loop's index.
    static CURRENT: RefCell<Option<(RuntimeHandle, usize)>> = const { RefCell::new(None) };
}

/// A `Send + Sync + Clone` handle to every loop of a [`Runtime`]: start work
/// on loop k from any thread or loop, reach a loop's [`RemoteHandle`], stop
/// them all.
///
/// ```
/// let rt = tulip::Runtime::new(2).unwrap();
/// let handle = rt.handle();
/// // From loop 0, start work on loop 1 and await it there.
/// let from_1 = rt.spawn_on(0, move || async move {
///     let index = handle.spawn_on(1, || async { tulip::RuntimeHandle::current_index() }).unwrap();
///     index.await.unwrap()
/// });
/// assert_eq!(from_1.unwrap().result().unwrap(), Some(1));
/// rt.shutdown();
/// ```
#[derive(Clone)]
pub struct RuntimeHandle {
    inner: Arc<Inner>,
}

impl RuntimeHandle {
    /// The runtime whose loop runs on this thread, if any.
    ///
    /// ```
    /// assert!(tulip::RuntimeHandle::current().is_none());
    /// let rt = tulip::Runtime::new(1).unwrap();
    /// let inside = rt.spawn_on(0, || async { tulip::RuntimeHandle::current().map(|h| h.loops()) });
    /// assert_eq!(inside.unwrap().result().unwrap(), Some(1));
    /// ```
    pub fn current() -> Option<RuntimeHandle> {
        CURRENT.try_with(|c| c.borrow().as_ref().map(|(h, _)| h.clone())).ok().flatten()
    }

    /// The index of the loop running on this thread, if it is a runtime's.
    ///
    /// ```
    /// let rt = tulip::Runtime::new(2).unwrap();
    /// let k = rt.spawn_on(1, || async { tulip::RuntimeHandle::current_index() });
    /// assert_eq!(k.unwrap().result().unwrap(), Some(1));
    /// ```
    pub fn current_index() -> Option<usize> {
        CURRENT.try_with(|c| c.borrow().as_ref().map(|(_, k)| *k)).ok().flatten()
    }

    /// How many loops (and threads) the runtime has.
    ///
    /// ```
    /// assert_eq!(tulip::Runtime::new(3).unwrap().loops(), 3);
    /// ```
    pub fn loops(&self) -> usize {
        self.inner.remotes.len()
    }

    /// The [`RemoteHandle`] of loop `k` (`call_soon_threadsafe`, `stop`).
    ///
    /// ```
    /// let rt = tulip::Runtime::new(1).unwrap();
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// rt.remote(0).unwrap().call_soon_threadsafe(move || tx.send("on loop 0").unwrap()).unwrap();
    /// assert_eq!(rx.recv().unwrap(), "on loop 0");
    /// assert!(rt.remote(1).is_err());
    /// ```
    pub fn remote(&self, k: usize) -> Result<&RemoteHandle, IndexError> {
        self.inner.remotes.get(k).ok_or(IndexError { index: k, loops: self.loops() })
    }

    /// The core loop `k`'s thread is pinned to; `None` if it is not pinned
    /// (pinning switched off, refused by the OS, or `k` out of range).
    ///
    /// ```
    /// let rt = tulip::Runtime::builder().loops(1).pin_to_cores(false).build().unwrap();
    /// assert_eq!(rt.core(0), None);
    /// ```
    pub fn core(&self, k: usize) -> Option<usize> {
        self.inner.cores.get(k).copied().flatten()
    }

    /// Starts the future `make` builds as a task on loop `k`, from any
    /// thread or loop (asyncio's `run_coroutine_threadsafe`): `make` is
    /// `Send` and runs on loop k's thread, so the future it returns need
    /// not be (it may hold `Rc`s, sockets of that loop, ...). The returned
    /// [`ConcurrentFuture`] is awaited from a task of any loop, or blocked
    /// on from a plain thread (`result()`); it can also cancel the task.
    ///
    /// ```
    /// use std::rc::Rc;
    /// let rt = tulip::Runtime::new(2).unwrap();
    /// let len = rt.spawn_on(1, || {
    ///     let local = Rc::new(vec![1, 2, 3]); // !Send, made on loop 1
    ///     async move { local.len() }
    /// });
    /// assert_eq!(len.unwrap().result().unwrap(), 3);
    /// ```
    pub fn spawn_on<M, F>(&self, k: usize, make: M) -> Result<ConcurrentFuture<F::Output>, IndexError>
    where
        M: FnOnce() -> F + Send + 'static,
        F: Future + 'static,
        F::Output: Send + 'static,
    {
        Ok(run_coroutine_threadsafe(make, self.remote(k)?))
    }

    /// Asks every loop to stop. Each then cancels its remaining tasks
    /// (their destructors run, as at the end of `asyncio.run`) and closes;
    /// [`Runtime::join`] waits for that. Loops already closed are skipped.
    ///
    /// ```
    /// let rt = tulip::Runtime::new(2).unwrap();
    /// let h = rt.handle();
    /// rt.spawn_on(0, move || async move { h.stop() }).unwrap();
    /// rt.join(); // returns: loop 0 stopped every loop
    /// ```
    pub fn stop(&self) {
        for r in &self.inner.remotes {
            // Refused only by a closed loop: nothing left to stop.
            let _ = r.stop();
        }
    }
}

impl std::fmt::Debug for RuntimeHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuntimeHandle").field("loops", &self.loops()).field("cores", &self.inner.cores).finish()
    }
}

/// Configures a [`Runtime`]: how many loops, whether to pin them, whether
/// SIGINT/SIGTERM stop them.
#[derive(Debug, Clone)]
pub struct RuntimeBuilder {
    loops: usize,
    pin: bool,
    stop_on_signals: bool,
    name: String,
}

impl Default for RuntimeBuilder {
    fn default() -> Self {
        RuntimeBuilder { loops: available_cores(), pin: true, stop_on_signals: false, name: "tulip-loop".into() }
    }
}

impl RuntimeBuilder {
    /// The number of loops (default: one per core this process may use).
    pub fn loops(mut self, n: usize) -> Self {
        self.loops = n;
        self
    }

    /// Pin loop k's thread to the k-th core this process may use (modulo
    /// their number), where the OS allows (Linux); default on.
    pub fn pin_to_cores(mut self, pin: bool) -> Self {
        self.pin = pin;
        self
    }

    /// Stop every loop on SIGINT or SIGTERM (each loop's own
    /// `add_signal_handler`; Unix). Default off: the process's dispositions
    /// are left alone.
    pub fn stop_on_signals(mut self, stop: bool) -> Self {
        self.stop_on_signals = stop;
        self
    }

    /// The threads' names: `{prefix}-{k}` (default `tulip-loop`).
    pub fn thread_name(mut self, prefix: impl Into<String>) -> Self {
        self.name = prefix.into();
        self
    }

    /// Starts the threads and their loops; every loop is running (or about
    /// to: work sent to it queues) when this returns.
    ///
    /// # Errors
    /// `InvalidInput` for zero loops; the OS's error if a thread, a loop or
    /// a signal handler could not be made (the loops made so far are closed).
    ///
    /// ```
    /// let rt = tulip::Runtime::builder().loops(2).thread_name("worker").build().unwrap();
    /// let name = rt.spawn_on(1, || async { std::thread::current().name().map(str::to_owned) });
    /// assert_eq!(name.unwrap().result().unwrap().as_deref(), Some("worker-1"));
    /// assert!(tulip::Runtime::builder().loops(0).build().is_err());
    /// ```
    pub fn build(self) -> io::Result<Runtime> {
        if self.loops == 0 {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "a runtime needs at least one loop"));
        }
        let allowed = if self.pin { affinity::allowed_cores() } else { Vec::new() };
        let mut threads = Vec::with_capacity(self.loops);
        let mut starts = Vec::with_capacity(self.loops);
        let mut gos = Vec::with_capacity(self.loops);
        for k in 0..self.loops {
            let core = (!allowed.is_empty()).then(|| allowed[k % allowed.len()]);
            let (started, start) = mpsc::channel();
            let (go, went) = mpsc::channel();
            let stop_on_signals = self.stop_on_signals;
            let thread = std::thread::Builder::new()
                .name(format!("{}-{k}", self.name))
                .spawn(move || loop_thread(k, core, stop_on_signals, started, went))?;
            threads.push(thread);
            starts.push(start);
            gos.push(go);
        }
        let mut remotes = Vec::with_capacity(self.loops);
        let mut cores = Vec::with_capacity(self.loops);
        for start in starts {
            // A thread that dies before answering dropped its sender.
            match start.recv().unwrap_or_else(|_| Err(io::Error::other("a loop thread died while starting"))) {
                Ok((remote, core)) => {
                    remotes.push(remote);
                    cores.push(core);
                }
                Err(e) => {
                    // Dropping `gos` tells the other threads to close their loops.
                    drop(gos);
                    for t in threads {
                        let _ = t.join();
                    }
                    return Err(e);
                }
            }
        }
        let handle = RuntimeHandle { inner: Arc::new(Inner { remotes, cores }) };
        for go in gos {
            // A thread that is gone has nothing to run.
            let _ = go.send(handle.clone());
        }
        Ok(Runtime { handle, threads })
    }
}

type Started = io::Result<(RemoteHandle, Option<usize>)>;

/// The body of loop k's thread: pin, make the loop, report, wait for the
/// runtime's handle, run until stopped, then finish like `asyncio.run`.
fn loop_thread(
    k: usize,
    core: Option<usize>,
    stop_on_signals: bool,
    started: mpsc::Sender<Started>,
    go: mpsc::Receiver<RuntimeHandle>,
) {
    let core = core.filter(|&c| affinity::pin_current_thread(c));
    let ev = match EventLoop::builder().build() {
        Ok(ev) => ev,
        Err(e) => {
            let _ = started.send(Err(e));
            return;
        }
    };
    if stop_on_signals {
        for signal in [libc::SIGINT, libc::SIGTERM] {
            // The handler runs on this loop, so it stops this loop; every
            // loop that handles the signal gets it.
            if let Err(e) = ev.add_signal_handler(signal, || tulip_reactor::get_running_loop().stop()) {
                let _ = started.send(Err(e));
                return;
            }
        }
    }
    if started.send(Ok((ev.remote(), core))).is_err() {
        return;
    }
    let Ok(handle) = go.recv() else { return };
    CURRENT.with(|c| *c.borrow_mut() = Some((handle, k)));
    ev.run_forever();
    ev.cancel_all_tasks();
    ev.close();
    // The handle holds every loop's remote: let go of it with the loop.
    let _ = CURRENT.try_with(|c| c.borrow_mut().take());
}

/// The number of cores this process may run on (at least 1).
fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// n threads, each running its own event loop, pinned to a core where the
/// OS allows: tulip's unit of scale is the loop, one per core, never a
/// work-stealing scheduler.
///
/// Work goes to a loop with [`spawn_on`](RuntimeHandle::spawn_on) (the
/// runtime derefs to its [`RuntimeHandle`]); each loop keeps its own tasks,
/// timers and sockets. Dropping the runtime, or [`shutdown`](Self::shutdown),
/// stops every loop, cancels what is left on it and joins the threads.
///
/// ```
/// let rt = tulip::Runtime::new(2).unwrap();
/// let answers: Vec<_> = (0..rt.loops())
///     .map(|k| rt.spawn_on(k, move || async move { k * 10 }).unwrap())
///     .collect();
/// let sum: usize = answers.into_iter().map(|a| a.result().unwrap()).sum();
/// assert_eq!(sum, 10);
/// rt.shutdown();
/// ```
pub struct Runtime {
    handle: RuntimeHandle,
    threads: Vec<JoinHandle<()>>,
}

impl Runtime {
    /// A runtime of `n` loops, pinned, signals left alone (see
    /// [`builder`](Self::builder) for the options).
    ///
    /// # Errors
    /// As [`RuntimeBuilder::build`].
    pub fn new(n: usize) -> io::Result<Runtime> {
        RuntimeBuilder::default().loops(n).build()
    }

    /// A builder (default: a loop per core, pinned, signals left alone).
    pub fn builder() -> RuntimeBuilder {
        RuntimeBuilder::default()
    }

    /// A `Send + Sync` handle to the loops, to keep after the runtime is
    /// moved (into a loop's task, say).
    pub fn handle(&self) -> RuntimeHandle {
        self.handle.clone()
    }

    /// Waits until every loop has stopped (through [`RuntimeHandle::stop`],
    /// a signal with [`RuntimeBuilder::stop_on_signals`], or each loop's own
    /// `stop()`), cancelled its tasks and closed.
    ///
    /// # Panics
    /// If a loop's thread panicked, with its payload.
    ///
    /// Called on one of the runtime's own loops (the runtime was moved into
    /// a task), it waits for the other loops only: that loop cannot finish
    /// while it waits here, and closes once its current step returns.
    pub fn join(mut self) {
        if let Some(payload) = join_all(std::mem::take(&mut self.threads)) {
            std::panic::resume_unwind(payload);
        }
    }

    /// Stops every loop and waits for them to close (what dropping the
    /// runtime does, but a loop thread's panic propagates here).
    pub fn shutdown(self) {
        self.handle.stop();
        self.join();
    }
}

impl Deref for Runtime {
    type Target = RuntimeHandle;

    fn deref(&self) -> &RuntimeHandle {
        &self.handle
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if self.threads.is_empty() {
            return;
        }
        self.handle.stop();
        // A loop thread's panic is not re-raised from a destructor.
        let _ = join_all(std::mem::take(&mut self.threads));
    }
}

/// Joins every thread but the calling one (a thread cannot join itself);
/// returns the first panic payload.
fn join_all(threads: Vec<JoinHandle<()>>) -> Option<Box<dyn std::any::Any + Send>> {
    let me = std::thread::current().id();
    let mut panic = None;
    for t in threads {
        if t.thread().id() == me {
            continue;
        }
        if let Err(payload) = t.join() {
            panic.get_or_insert(payload);
        }
    }
    panic
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Runtime").field(&self.handle).finish()
    }
}
