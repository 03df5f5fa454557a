//! The tulip event loop: asyncio's loop for Rust.
//!
//! One [`EventLoop`] per thread, single-threaded like asyncio's: a FIFO
//! ready queue of task steps and callbacks, the timer queue of
//! `tulip-timer`, and an OS poller (`polling`: epoll/kqueue/IOCP) it waits
//! on when nothing is ready. Tasks may be `!Send`. Other threads reach a
//! loop through its [`RemoteHandle`] (`call_soon_threadsafe`), and wakers
//! used from other threads work too: both wake a sleeping loop through the
//! poller.
//!
//! Use it alone (without the `tulip` facade) like this:
//!
//! ```
//! use std::time::Duration;
//! use tulip_reactor::{EventLoop, create_task};
//!
//! let ev = EventLoop::new();
//! let total = ev.run_until_complete(async {
//!     let a = create_task(async {
//!         tulip_timer::sleep(Duration::from_millis(2)).await;
//!         1
//!     });
//!     let b = create_task(async { 2 });
//!     a.await.unwrap() + b.await.unwrap()
//! });
//! assert_eq!(total, 3);
//! ```
//!
//! An iteration follows asyncio's `_run_once`: wait for I/O (for no time at
//! all if work is ready, else until the next timer), queue the expired
//! timers, then run exactly the work that was ready at that point — work it
//! schedules runs in the next iteration.

mod add_reader;
#[cfg(target_os = "linux")]
mod epoll_edge;
mod error;
mod event_loop;
mod handles;
mod io_source;
mod locals;
mod loop_handle;
mod notifier;
mod os_wait;
mod ready;
mod remote;
mod runners;
mod running;
mod source;
mod state;
mod threadsafe;
mod virtual_time;

pub use error::RuntimeError;
pub use event_loop::{EventLoop, LoopBuilder};
pub use handles::{Handle, TimerHandle};
pub use io_source::IoSource;
pub use loop_handle::LoopHandle;
pub use remote::RemoteHandle;
pub use runners::run;
pub use running::{
    all_tasks, create_task, create_task_named, current_task, ensure_future, get_event_loop, get_running_loop,
    new_event_loop, try_get_running_loop,
};
pub use threadsafe::{run_coroutine_threadsafe, ConcurrentFuture};
