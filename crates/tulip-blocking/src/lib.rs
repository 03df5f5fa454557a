//! Blocking work off the event loop: asyncio's `to_thread` and
//! `loop.run_in_executor(None, f)`.
//!
//! A process-wide pool of at most `min(32, cpus + 4)` threads (asyncio's
//! default) runs the functions; it grows on demand and its threads exit
//! after 10 s idle. The futures it returns know nothing of any loop: a
//! finished job wakes the awaiting task's waker, so they work under any
//! executor (the Rust reference point is smol's `blocking`).
//!
//! Used alone:
//!
//! ```
//! let len = futures_lite::future::block_on(tulip_blocking::to_thread(|| {
//!     std::fs::read_dir(".").map(|d| d.count()).unwrap_or(0)
//! }));
//! assert!(len > 0);
//! ```

mod job_count;
mod pool;
mod to_thread;

pub use job_count::{JobCount, JobCountGuard};
pub use to_thread::{run_in_executor, to_thread, ToThread};
