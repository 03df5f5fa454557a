//! # tulip — asyncio, in Rust
//!
//! tulip is an async runtime with the shape of Python's `asyncio`: one
//! single-threaded event loop per thread, tasks that may be `!Send`,
//! asyncio's names and semantics, Rust's types (`Result`, `Duration`, RAII
//! guards). This crate is the facade: it adds names, not machinery; the work
//! happens in `tulip-task`, `tulip-timer`, `tulip-sync`, `tulip-blocking`,
//! `tulip-combinators`, `tulip-reactor`, and the optional layers
//! `tulip-net` (cargo feature `net`) and `tulip-process` (`process`), both
//! on by default: `default-features = false` builds the core alone.
//!
//! ```
//! use std::time::Duration;
//!
//! async fn say_after(delay: Duration, what: &str) -> String {
//!     tulip::sleep(delay).await;
//!     what.to_string()
//! }
//!
//! let out = tulip::run(async {
//!     let hello = tulip::create_task(say_after(Duration::from_millis(2), "hello"));
//!     let world = tulip::create_task(say_after(Duration::from_millis(1), "world"));
//!     format!("{} {}", hello.await.unwrap(), world.await.unwrap())
//! });
//! assert_eq!(out, "hello world");
//! ```
//!
//! ## asyncio → tulip
//!
//! | asyncio | tulip |
//! |---|---|
//! | `asyncio.run(main())` | [`run`]`(main())` → the future's output |
//! | `asyncio.new_event_loop()` | [`new_event_loop`], [`EventLoop::new`] |
//! | `asyncio.get_event_loop()` | [`get_event_loop`]: the running loop, else the thread's own |
//! | `asyncio.get_running_loop()` | [`get_running_loop`] → [`LoopHandle`] |
//! | `loop.run_until_complete(aw)` | [`EventLoop::run_until_complete`] |
//! | `loop.run_forever()`, `loop.stop()` | [`EventLoop::run_forever`], [`LoopHandle::stop`] |
//! | `loop.close()`, `is_closed()`, `is_running()` | [`EventLoop::close`] (also on drop), [`LoopHandle::is_closed`], [`LoopHandle::is_running`] |
//! | `loop.call_soon(cb)` → `Handle` | [`LoopHandle::call_soon`] → [`Handle`] |
//! | `loop.call_later(d, cb)`, `call_at(when, cb)` → `TimerHandle` | [`LoopHandle::call_later`], [`LoopHandle::call_at`] → [`TimerHandle`] |
//! | `loop.call_soon_threadsafe(cb)` | [`RemoteHandle::call_soon_threadsafe`] (from [`LoopHandle::remote`]) |
//! | `loop.time()` | [`LoopHandle::time`] → `Instant` |
//! | `loop.set_exception_handler(h)`, `call_exception_handler(ctx)` | [`LoopHandle::set_exception_handler`], [`LoopHandle::call_exception_handler`], [`ExceptionContext`] |
//! | `loop.set_debug(True)`, `PYTHONASYNCIODEBUG=1` | [`LoopHandle::set_debug`], `TULIP_DEBUG=1` |
//! | `loop.create_future()`, `asyncio.Future` | [`LoopHandle::create_future`], [`Future`] |
//! | `fut.result()`, `exception()`, `done()`, `cancelled()`, `cancel(msg)` | [`Future::result`], [`Future::exception`], [`Future::done`], [`Future::cancelled`], [`Future::cancel`] |
//! | `fut.set_result(v)`, `set_exception(e)` | [`Future::set_result`], [`Future::set_exception`] → [`InvalidStateError`] if done |
//! | `fut.add_done_callback(cb)`, `remove_done_callback(cb)` | [`Future::add_done_callback`] → [`CallbackId`], [`Future::remove_done_callback`] |
//! | `asyncio.create_task(coro, name=)` | [`create_task`], [`create_task_named`] → [`Task`] |
//! | `asyncio.ensure_future(aw)` | [`ensure_future`] |
//! | `task.cancel()`, `cancelled()`, `done()`, `get_name()`, `set_name()` | [`Task::cancel`], [`Task::cancelled`], [`Task::done`], [`Task::name`], [`Task::set_name`] |
//! | `task.result()`, `exception()`, `add_done_callback(cb)`, `remove_done_callback(cb)` | [`Task::result`], [`Task::exception`], [`Task::add_done_callback`] → [`TaskCallbackId`], [`Task::remove_done_callback`] |
//! | `task.cancelling()`, `uncancel()`, the `CancelledError`'s message | [`Task::cancelling`], [`Task::uncancel`], [`TaskRef::cancel_message`] (also from cleanup code, via [`current_task`]) |
//! | `await task` | `task.await` → `Result<T, `[`TaskError`]`>` (cancelled or panicked); [`Task::propagate`] re-raises the panic; [`Task::shared`] for several awaiters |
//! | `asyncio.current_task()`, `all_tasks()` | [`current_task`], [`all_tasks`] → [`TaskRef`] |
//! | `asyncio.sleep(d)`, `sleep(0)` | [`sleep`]`(d)`; `sleep(Duration::ZERO)` yields exactly once |
//! | `CancelledError`, `InvalidStateError` | [`CancelledError`], [`InvalidStateError`] |
//! | `asyncio.gather(*aws)` | [`gather()`]`(iter)` → outputs in input order; [`gather!`]`(a, b, c)` → a tuple (a [`Task`] argument is awaited as is); [`gather_tasks`] for tasks; [`try_gather`] for `Result` children |
//! | `gather(..., return_exceptions=True)` | [`gather_all`] → every outcome in place |
//! | `asyncio.wait(aws, timeout=, return_when=)` | [`wait`]`(tasks)` (`.return_when(`[`ReturnWhen`]`::..)`, `.timeout(d)`) → `Ok((done, pending))` tasks, [`ValueError`] if empty |
//! | `asyncio.as_completed(aws, timeout=)` | [`as_completed`] (`.timeout(d)`): a `Stream`, or `while let Some(r) = it.next().await` |
//! | `async with asyncio.timeout(d)`, `timeout_at(when)` | [`timeout`]`(d, fut)`, [`timeout_at`]`(Some(when), fut)` → [`Timeout`] (`when()`, `reschedule()`, `expired()`, [`TimeoutHandle`]) |
//! | `asyncio.wait_for(aw, timeout)` | [`wait_for`]`(fut, Some(d))` → `Err(TimeoutError)`, [`wait_for_task`] → `Err(`[`WaitForError`]`)`; the inner work is cancelled |
//! | `asyncio.shield(aw)` | [`shield`]`(task)` |
//! | `except CancelledError:` around an await | [`on_cancel`]`(fut, cleanup)` |
//! | `async with resource:` (an `__aexit__` that awaits) | [`async_with`]`(resource, body, exit)` |
//! | `async for x in aiter:`, async generators | [`StreamExt`] (`while let Some(x) = s.next().await`), [`stream::unfold`] |
//! | `async with asyncio.TaskGroup() as tg` | [`TaskGroup::new`], [`TaskGroup::create_task`], `tg.wait().await` → [`TaskGroupError`] with every failure |
//! | `asyncio.Lock()`, `async with lock:`, `lock.locked()` | [`Lock::new`], `let _g = lock.acquire().await` → [`LockGuard`] (drop or `release()`), [`Lock::locked`] |
//! | `asyncio.Semaphore(n)`, `BoundedSemaphore(n)` | [`Semaphore::new`], [`BoundedSemaphore::new`]: `acquire().await` → [`SemaphorePermit`]; `forget()` + `release()`; over-release → [`ValueError`] |
//! | `asyncio.Event()`: `set`, `clear`, `is_set`, `wait` | [`Event`]: same names |
//! | `asyncio.Condition()`: `wait`, `wait_for`, `notify(n)`, `notify_all` | [`Condition`]: `guard = cond.wait(guard).await`, [`Condition::wait_for`], [`Condition::notify`], [`Condition::notify_all`] ([`NotifyError`] without the lock) |
//! | `asyncio.Barrier(n)`: `wait`, `reset`, `abort`, `parties`, `n_waiting`, `broken` | [`Barrier`]: same names → `Result<usize, `[`BrokenBarrierError`]`>` |
//! | `asyncio.Queue(maxsize)`, `LifoQueue`, `PriorityQueue` | [`Queue`], [`LifoQueue`], [`PriorityQueue`] (`put`/`get`, `*_nowait` → [`QueueFull`]/[`QueueEmpty`], `task_done`, `join`, `shutdown` → [`QueueShutDown`]); all in [`sync`] |
//!
//!
//! ## Networking and threads
//!
//! | asyncio | tulip |
//! |---|---|
//! | `asyncio.open_connection(host, port)` | [`open_connection`]`(host, port)` → ([`StreamReader`], [`StreamWriter`]) |
//! | `asyncio.start_server(cb, host, port)` → `Server` | [`start_server`] → [`Server`] (`serve_forever`, `close`, `wait_closed`, `sockets`) |
//! | `open_unix_connection`, `start_unix_server` | [`open_unix_connection`], [`start_unix_server`] |
//! | `reader.read(n)`, `readline()`, `readexactly(n)`, `readuntil(sep)`, `at_eof()` | same names; [`IncompleteReadError`], [`LimitOverrunError`] |
//! | `writer.write(data)`, `writelines`, `drain()`, `close()`, `wait_closed()`, `is_closing()`, `get_extra_info("peername")` | same names on [`StreamWriter`] |
//! | `loop.sock_connect`, `sock_accept`, `sock_recv(_into)`, `sock_sendall` | [`TcpStream::connect`], [`TcpListener::accept`], [`TcpStream::recv`], [`TcpStream::send_all`] (also `AsyncRead`/`AsyncWrite`) |
//! | `loop.sock_sendto`, `sock_recvfrom` | [`UdpSocket::send_to`], [`UdpSocket::recv_from`] |
//! | `loop.sock_recv(sock, n)`, `sock_recv_into`, `sock_sendall`, `sock_connect`, `sock_accept`, `sock_sendto`, `sock_recvfrom` on a socket you own | [`LoopSockets::sock_recv`] & co. (`use tulip::LoopSockets`, in the prelude): the same calls, as methods of the loop, on any non-blocking socket fd (std, `socket2`) |
//! | `writer.write_eof()`, `can_write_eof()` | [`StreamWriter::write_eof`], [`StreamWriter::can_write_eof`] |
//! | `loop.add_reader(fd, cb)`, `add_writer`, `remove_reader`, `remove_writer` | [`LoopHandle::add_reader`] & co. (level-triggered callbacks); or [`IoSource`]`::new(fd)` with `readable()` / `writable()` / `read_with` |
//! | `limit=`, `transport.set_write_buffer_limits(high, low)` | [`StreamReader::set_limit`], [`StreamWriter::set_write_buffer_limits`] |
//! | `loop.getaddrinfo(host, port)` | [`getaddrinfo`] (on the blocking pool) |
//! | `asyncio.to_thread(f)`, `loop.run_in_executor(None, f)` | [`to_thread`], [`run_in_executor`] |
//! | `asyncio.create_subprocess_exec(..)`, `create_subprocess_shell(cmd)` | [`create_subprocess_exec`]`(Command)`, [`create_subprocess_shell`] → [`Process`] (`stdin`/`stdout`/`stderr` streams, `wait`, `communicate`, `returncode`, `kill`, `terminate`) |
//! | `loop.add_signal_handler(sig, cb)`, `remove_signal_handler(sig)` | [`LoopSignals::add_signal_handler`], [`LoopSignals::remove_signal_handler`] (`use tulip::LoopSignals`, in the prelude); numbers in [`signals`] |
//! | `asyncio.run_coroutine_threadsafe(coro, loop)` | [`run_coroutine_threadsafe`]`(|| fut, &remote)` → [`ConcurrentFuture`] (`result()`, `result_timeout()`, `cancel()`) |
//! | aiohttp's `ClientSession()`, `session.get(url, params=)`, `aiohttp.request(m, url)` | `tulip::http::ClientSession::new()`, `session.get(url).params(..).send().await`, `tulip::http::request(m, url)` (feature `http`, on by default) |
//! | aiohttp's `web.WebSocketResponse()`, `session.ws_connect(url)` | `tulip::web::WebSocketResponse`, `session.ws_connect(url).await` → `tulip::http::ClientWebSocketResponse` (feature `ws`, on by default) |
//!
//! Beyond asyncio: [`EventLoop::builder`]`().virtual_clock()` gives a loop
//! whose clock jumps to the next timer when nothing else can run (trio's
//! `MockClock`), for fast, deterministic tests of timing code; [`join!`]
//! and [`gather_local`] run futures concurrently in place, borrowing the
//! caller's data.
//! [`Runtime`] and [`run_per_core`] run a loop per core (pinned threads,
//! [`RuntimeHandle::spawn_on`] to start work on loop k from anywhere), the
//! thread-per-core shape of asyncio's one process per core.
//!
//! ## What differs, and why
//!
//! Only what Rust itself rules out; each with the idiom that replaces it
//! (the guide `docs/python-idioms.md` has a runnable program for each).
//!
//! * **No exceptions.** A task's uncaught exception is a panic: awaiting
//!   the task gives `Err(`[`TaskError::Panicked`]`(..))`, or
//!   [`Task::propagate`] re-raises it in the awaiter. Expected failures are
//!   `Result`s; `?` converts tulip's errors into `std::io::Error`. The loop
//!   prints a task's panic only once nobody handled it, as asyncio prints
//!   an unretrieved exception ([`LoopHandle::set_print_task_panics`]).
//! * **Cancellation is dropping the future**, at its next scheduling point:
//!   it cannot be caught and swallowed. `finally:` is a `Drop` guard,
//!   `except CancelledError:` is [`on_cancel`]; work that must survive the
//!   caller's cancellation goes in a task awaited through [`shield`].
//! * **No async destructors.** Cleanup that awaits goes in
//!   [`async_with`]'s exit, which is awaited after the body returns or
//!   panics; if the caller is cancelled inside the body, only the
//!   resource's `Drop` runs.
//! * **Ownership.** A task's future is `'static` (move owned values in,
//!   share with `Rc`); [`join!`] and [`gather_local`] poll borrowed futures
//!   in place instead. Awaiting a [`Task`] takes its output: read it with
//!   [`Task::result`] (a clone), or await a [`Task::shared`] handle from
//!   several places. Dropping a handle detaches the task (there is no
//!   garbage collector to take it away); a task cancelled while awaiting a
//!   handle cancels the awaited task, as asyncio does.
//! * **Closures cannot be compared**: `remove_done_callback` takes the
//!   [`CallbackId`] / [`TaskCallbackId`] that `add_done_callback` returned.
//! * **No variadic or keyword arguments**: [`gather!`] (and [`join!`]) take
//!   futures of different types and give a tuple; options are builder
//!   methods (`wait(tasks).return_when(..).timeout(d)`) and `Option`s
//!   (`wait_for(fut, None)`).
//! * **No `yield` in async functions**: async iterators and generators are
//!   [`Stream`]s ([`StreamExt`], [`stream::unfold`]).
//! * **A cancellation cannot stop code midway and let it go on**: asyncio's
//!   `TaskGroup` cancels the parent's body at a child's failure and resumes
//!   it after the `async with`; in tulip the body runs until it awaits
//!   [`TaskGroup::wait`] (put long work in a child). And as the group's
//!   outputs are a `Vec<T>`, a child cancelled from outside is reported
//!   ([`ChildError::Cancelled`]) rather than silently missing.
//! * **Types decide what a timeout cancels**: [`wait_for`] drops a plain
//!   future; a [`Task`] is timed out with [`wait_for_task`], which cancels
//!   it (dropping a handle would only detach it).

pub use tulip_blocking::{run_in_executor, to_thread, ToThread};
pub use tulip_combinators::{
    as_completed, async_with, gather, gather_all, gather_local, gather_tasks, join, on_cancel, shield, try_gather,
    wait, wait_for, wait_for_task, AsCompleted, AsCompletedError, ChildError, Gather, GatherAll, GatherLocal,
    GatherTasks, ReturnWhen, Shield, SpawnError, TaskGroup, TaskGroupError, TryGather, Wait, WaitFor, WaitForError,
};
/// Streams, asyncio's async iterators (futures-lite's, which tulip's own
/// streams implement).
#[doc(no_inline)]
pub use tulip_combinators::{stream, Stream, StreamExt};
/// aiohttp's HTTP client: `ClientSession`, `request`, `TcpConnector`,
/// `ClientTimeout` (the `tulip-http` crate; cargo feature `http`, on by
/// default).
#[cfg(feature = "http")]
pub use tulip_http as http;
/// asyncio's networking: sockets, `loop.sock_*`, streams and servers (the
/// `tulip-net` crate; cargo feature `net`, on by default), and with the
/// feature `tls` (on by default) `tulip::net::tls`, asyncio's `ssl`.
#[cfg(feature = "net")]
pub use tulip_net as net;
#[cfg(feature = "net")]
pub use tulip_net::{
    getaddrinfo, open_connection, open_unix_connection, start_server, start_server_on, start_unix_server, ExtraInfo,
    IncompleteReadError, LimitOverrunError, LoopSockets, PeerName, Server, StreamError, StreamReader, StreamWriter,
    TcpListener, TcpStream, UdpSocket, UnixListener, UnixStream, DEFAULT_HIGH_WATER, DEFAULT_LIMIT,
};
/// asyncio's subprocesses and signal handlers (the `tulip-process` crate;
/// cargo feature `process`, on by default).
#[cfg(feature = "process")]
pub use tulip_process as process;
#[cfg(feature = "process")]
pub use tulip_process::{create_subprocess_exec, create_subprocess_shell, signals, LoopSignals, Process};
pub use tulip_reactor::{
    all_tasks, create_task, create_task_named, current_task, ensure_future, get_event_loop, get_running_loop,
    new_event_loop, run, run_coroutine_threadsafe, try_get_running_loop, ConcurrentFuture, EventLoop, Handle, IoSource,
    LoopBuilder, LoopHandle, RemoteHandle, RuntimeError, TimerHandle,
};
/// A loop per core (the `tulip-runtime` crate; cargo feature `runtime`, on
/// by default): [`Runtime`], [`run_per_core`].
#[cfg(feature = "runtime")]
pub use tulip_runtime::{run_per_core, IndexError, Runtime, RuntimeBuilder, RuntimeHandle};
/// asyncio's synchronisation primitives and queues (the `tulip-sync` crate).
pub use tulip_sync as sync;
pub use tulip_sync::{
    Barrier, BaseQueue, BoundedSemaphore, BrokenBarrierError, Condition, Event, GetNowaitError, LifoQueue, Lock,
    LockGuard, NotifyError, OwnedLockGuard, OwnedSemaphorePermit, PriorityQueue, PutNowaitError, Queue, QueueEmpty,
    QueueFull, QueueShutDown, Semaphore, SemaphorePermit, ValueError,
};
pub use tulip_task::{
    CallbackId, CancelledError, Exception, ExceptionContext, Future, FutureError, InvalidStateError, PanicError,
    SharedTask, Task, TaskCallbackId, TaskError, TaskInfo, TaskRef, TaskState,
};
pub use tulip_timer::{
    sleep, sleep_until, timeout, timeout_at, Sleep, Timeout, TimeoutError, TimeoutHandle, TimeoutStateError,
};
/// aiohttp.web's server: `Application`, routes, `Request`, `Response`,
/// `run_app` (the `tulip-web` crate; cargo feature `web`, on by default).
#[cfg(feature = "web")]
pub use tulip_web as web;

/// The names most programs need: `use tulip::prelude::*;`.
///
/// It leaves out asyncio's `Future` ([`tulip::Future`](crate::Future)): a
/// glob import of a type named `Future` would hide std's `Future` trait in
/// edition 2024 (E0404). Write `tulip::Future` where you mean asyncio's.
///
/// ```edition2024
/// use tulip::prelude::*;
///
/// // std's `Future` trait is still the one in scope.
/// fn twice(f: impl Future<Output = u32>) -> impl Future<Output = u32> {
///     async move { f.await * 2 }
/// }
/// assert_eq!(run(twice(async { 21 })), 42);
/// ```
pub mod prelude {
    #[cfg(feature = "process")]
    pub use crate::LoopSignals;
    #[cfg(feature = "net")]
    pub use crate::LoopSockets;
    #[doc(no_inline)]
    pub use crate::StreamExt;
    pub use crate::{create_task, get_event_loop, get_running_loop, run, sleep, EventLoop, Task, TaskError};
    #[doc(no_inline)]
    pub use std::time::Duration;
}

/// docs/python-idioms.md: each of its Rust snippets runs as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/python-idioms.md")]
pub struct PythonIdiomsGuide;
