//! asyncio's subprocesses and Unix signal handlers for the tulip event loop.
//!
//! * [`create_subprocess_exec`] / [`create_subprocess_shell`] start a child
//!   whose pipes are tulip-net's [`StreamReader`](tulip_net::StreamReader)
//!   and [`StreamWriter`](tulip_net::StreamWriter); [`Process`] waits,
//!   communicates and signals.
//! * [`LoopSignals`] adds `add_signal_handler` / `remove_signal_handler` to
//!   the loop.
//!
//! Used alone, next to the reactor:
//!
//! ```
//! let ev = tulip_reactor::EventLoop::new();
//! let (out, status) = ev.run_until_complete(async {
//!     let p = tulip_process::create_subprocess_shell("echo hi").await.unwrap();
//!     let (out, _err, status) = p.communicate(None).await.unwrap();
//!     (out, status)
//! });
//! assert_eq!(out, b"hi\n");
//! assert!(status.success());
//! ```

mod orphans;
mod reaper;
mod signal_handlers;
mod signal_pipe;
mod signal_registry;
mod subprocess;

pub use signal_handlers::{signals, LoopSignals};
pub use subprocess::{create_subprocess_exec, create_subprocess_shell, Process};
