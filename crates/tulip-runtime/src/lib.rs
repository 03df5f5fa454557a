//! A loop per core for tulip: [`Runtime`] starts n threads, each running its
//! own event loop, pinned to a core where the OS allows (Linux:
//! `sched_setaffinity`), and [`run_per_core`] runs a main on each of them,
//! as `asyncio.run` on every core.
//!
//! tulip's unit of scale is the loop, never a work-stealing scheduler (the
//! thread-per-core shape of glommio, monoio and actix-rt, and of asyncio
//! users who run one process per core). Each loop keeps its own tasks,
//! timers and sockets; work crosses between loops only where the program
//! says so:
//!
//! * **Start work on loop k** from any thread or loop:
//!   [`RuntimeHandle::spawn_on`]`(k, || future)`, asyncio's
//!   `run_coroutine_threadsafe`. The closure is `Send`; the future it builds
//!   on loop k need not be. The returned `ConcurrentFuture` is awaited from
//!   a task of another loop or blocked on from a plain thread.
//! * **Pass messages between loops** with any `Send` async channel: its
//!   wakers are `Send`, and a waker of a loop's task used on another thread
//!   wakes that loop through its remote queue. `async-channel` works as is
//!   (below); so do `futures::channel::mpsc` and `oneshot`. tulip-sync's
//!   primitives (`Queue`, `Lock`, ...) are per loop (`!Send`), like
//!   asyncio's.
//! * **Serve on every loop**: each loop opens its own listening socket with
//!   `SO_REUSEPORT` (tulip-net's `ServerOptions::reuse_port`) and the kernel
//!   spreads the connections (examples/echo_per_core.rs; for an aiohttp-style
//!   app, tulip::web's `RunApp::per_core`, examples/web_hello_per_core.rs).
//! * **Shut down**: [`RuntimeHandle::stop`], [`RuntimeBuilder::stop_on_signals`]
//!   (SIGINT/SIGTERM stop every loop), or [`run_per_core`], which cancels
//!   every main on SIGINT/SIGTERM. A stopping loop cancels its tasks (their
//!   destructors run) and closes.
//!
//! Used alone, next to the reactor (here, loop 1 sends numbers to loop 0
//! over an `async-channel`):
//!
//! ```
//! use tulip_runtime::Runtime;
//!
//! let rt = Runtime::new(2).unwrap();
//! let (tx, rx) = async_channel::bounded::<u32>(16);
//! let consumer = rt.spawn_on(0, move || async move {
//!     let mut sum = 0;
//!     while let Ok(n) = rx.recv().await {
//!         sum += n;
//!     }
//!     sum
//! }).unwrap();
//! rt.spawn_on(1, move || async move {
//!     for n in 1..=100 {
//!         tx.send(n).await.unwrap();
//!     }
//!     // dropping `tx` closes the channel: the consumer's loop ends
//! }).unwrap();
//! assert_eq!(consumer.result().unwrap(), 5050);
//! rt.shutdown();
//! ```

mod affinity;
mod per_core;
mod runtime;

pub use per_core::run_per_core;
pub use runtime::{IndexError, Runtime, RuntimeBuilder, RuntimeHandle};
