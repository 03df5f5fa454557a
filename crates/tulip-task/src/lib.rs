//! asyncio's `Future` and `Task` for Rust.
//!
//! * [`Future<T>`]: the asyncio Future state machine — pending, then done
//!   with a result or an exception, or cancelled — with done callbacks and
//!   `InvalidStateError` / `CancelledError` for wrong-state calls. It works
//!   on its own: with no loop installed on the thread, done callbacks run
//!   inline when the future completes.
//! * [`Task<T>`]: a future driven by an executor, built on `async-task`:
//!   states pending / running / done / cancelled, cancellation that drops the
//!   future at its next scheduling point, panics caught and handed to whoever
//!   awaits the task (or reported if nobody does), and a handle whose drop
//!   detaches rather than cancels.
//!
//! The event loop (`tulip-reactor`) installs itself through [`LoopHooks`]
//! so that callbacks go through its `call_soon` and reports through its
//! exception handler. To use the crate alone, drive futures with any
//! executor, and spawn tasks with [`TaskBuilder::spawn_local`] and your own
//! run queue.
//!
//! ```
//! use tulip_task::{Future, FutureError};
//!
//! let fut: Future<String> = Future::new();
//! fut.add_done_callback(|f| println!("callback sees {:?}", f.result()));
//! let reader = fut.clone();
//! fut.set_result("done".to_string()).unwrap();
//! let value = futures_lite::future::block_on(reader).unwrap();
//! assert_eq!(value, "done");
//! assert!(matches!(fut.set_result("again".into()), Err(_)));
//! # let _: Option<FutureError> = None;
//! ```

mod builder;
mod current;
mod done_callbacks;
mod error;
mod exception;
mod extra;
mod future;
mod hooks;
mod host;
mod meta;
mod panics;
mod prefetch;
mod runnable;
mod shared;
mod spawn;
mod task;
mod task_future;
mod task_ref;
mod thread_bound;
mod waiters;
mod waker_set;

pub use builder::TaskBuilder;
pub use current::with_current_meta;
pub use done_callbacks::TaskCallbackId;
pub use error::{panic_message, CancelledError, FutureError, InvalidStateError, PanicError, TaskError};
pub use exception::{default_exception_handler, Exception, ExceptionContext, TaskInfo};
pub use future::{CallbackId, Future};
pub use hooks::{call_soon, enter_hooks, report, HooksGuard, LoopHooks};
pub use host::{enter_task_host, HostGuard, Scheduler, SchedulerRef, TaskHost};
pub use meta::{TaskMeta, TaskState};
pub use prefetch::prefetch_waker;
pub use runnable::TaskRunnable;
pub use shared::SharedTask;
pub use spawn::{create_task, spawn_on};
pub use task::Task;
pub use task_ref::TaskRef;
pub use waker_set::WakerSet;
