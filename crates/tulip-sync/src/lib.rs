//! # tulip-sync — asyncio's synchronisation primitives
//!
//! [`Lock`], [`Event`], [`Condition`], [`Semaphore`], [`BoundedSemaphore`],
//! [`Barrier`] and the queues ([`Queue`], [`LifoQueue`], [`PriorityQueue`])
//! with asyncio's names and semantics, re-exported by the `tulip` facade as
//! `tulip::sync` (and at its root).
//!
//! ## Any executor
//!
//! The primitives only use [`Waker`](std::task::Waker)s: no timer, no
//! reactor, no dependency on tulip's loop. They work under tulip, tokio's
//! `LocalSet`, smol's `LocalExecutor`, or a plain `block_on`:
//!
//! ```
//! use futures_lite::future::{block_on, poll_once, zip};
//! use tulip_sync::{Lock, Queue};
//!
//! let lock = Lock::new();
//! let queue = Queue::new(1);
//! block_on(async {
//!     let producer = async {
//!         for i in 0..3 {
//!             queue.put(i).await.unwrap();
//!         }
//!     };
//!     let consumer = async {
//!         let mut got = Vec::new();
//!         for _ in 0..3 {
//!             let _guard = lock.acquire().await; // `async with lock:`
//!             got.push(queue.get().await.unwrap());
//!         }
//!         got
//!     };
//!     let ((), got) = zip(producer, consumer).await;
//!     assert_eq!(got, [0, 1, 2]);
//! });
//! assert!(block_on(poll_once(lock.acquire())).is_some());
//! ```
//!
//! ## Single-loop types (`!Send`, `!Sync`)
//!
//! Like asyncio's primitives ("not thread-safe"), these are meant for the
//! tasks of **one** event loop, and tulip runs one loop per thread. So they
//! are built on `Cell`/`RefCell` and hold `Waker`s in a plain slab: no
//! atomics, no mutex, no lock-free queue, which is what makes them faster
//! than `tokio::sync` or `async-lock` on a single thread. The price is
//! enforced by the compiler rather than discovered at run time: the types
//! are `!Send` and `!Sync`, so moving or sharing one between threads (say,
//! with `Arc` into `std::thread::spawn`) does not compile. Share them between
//! tasks of a loop with `Rc` or by reference. (For cross-thread hand-offs
//! use the loop's thread-safe entry points, e.g. `call_soon_threadsafe`.)
//!
//! The decision was measured, not assumed. `benches/thread_safety.rs` runs
//! [`Lock`] against the *same* FIFO hand-off algorithm made thread-safe (an
//! `AtomicBool` fast path, a `std::sync::Mutex` around the waiter queue —
//! never contended, there is one thread) and against the thread-safe peers,
//! under `futures_lite::future::block_on`. Median ns per acquire + release
//! of six runs on the project's 2-core machine, quiet:
//!
//! | ns per acquire + release | `Cell`/`RefCell` (shipped) | same, atomic + `Mutex` | `async_lock::Mutex` | `tokio::sync::Mutex` |
//! |---|---:|---:|---:|---:|
//! | uncontended | 4.4 | 7.0 | 11.0 | 18.0 |
//! | two tasks alternating, each acquisition a hand-off | 27.5 | 39.0 | 117.3 | 62.4 |
//!
//! Ratio shipped / thread-safe variant: 0.63 uncontended, 0.70 with
//! hand-offs (five earlier runs while the machine was busy: 0.61–0.64 and
//! 0.56–1.25, medians 0.63 and 0.73).
//!
//! Thread safety would cost about 40–60 % more per operation, for a
//! capability tulip's one-loop-per-thread design never uses; on the
//! issue's workloads (`docs/benchmarks.md`) the single-loop types are at
//! 0.43 (lock contention), 0.73 (queues) and 0.50 (event fan-out) of the
//! fastest thread-safe peer (the semaphore, at 1.1, is bound by the task
//! switches strict FIFO hand-off implies, not by the primitive). Hence
//! `!Send + !Sync`.
//!
//! ```compile_fail
//! let lock = std::sync::Arc::new(tulip_sync::Lock::new());
//! std::thread::spawn(move || drop(lock)); // error: `Lock` is not `Sync`
//! ```
//!
//! ```compile_fail
//! let queue = tulip_sync::Queue::<u32>::new(0);
//! std::thread::spawn(move || queue.put_nowait(1)); // error: `Queue` is not `Send`
//! ```
//!
//! ## Fairness and cancellation
//!
//! Every waiting operation queues in FIFO order, and a release *hands* what
//! it frees — the lock, a permit, a notification, an item, a queue slot — to
//! the oldest waiter, so a newcomer cannot barge in. Dropping a waiting
//! future (cancelling its task) removes it from the queue; if it had already
//! been handed something, it passes it on to the next waiter: nothing is lost
//! or duplicated. The asyncio bugs this rules out (python/asyncio#270,
//! python/cpython#90155, #111693) each have a test in `tests/`.
//!
//! RAII replaces `async with`: [`Lock::acquire`] gives a [`LockGuard`],
//! [`Semaphore::acquire`] a [`SemaphorePermit`]; dropping either releases.
//! For a primitive in an `Rc`, [`Lock::acquire_owned`] and
//! [`Semaphore::acquire_owned`] give guards that own a reference to it
//! ([`OwnedLockGuard`], [`OwnedSemaphorePermit`]) and so can outlive the
//! borrow. [`Condition::wait`] takes the guard and gives it back, so "wait
//! without holding the lock" does not compile, and it refuses a guard of
//! another lock.

mod barrier;
mod bounded_semaphore;
mod condition;
mod error;
mod event;
mod lock;
mod permits;
mod queue;
mod queue_futures;
mod queue_state;
pub mod queue_store;
mod semaphore;
mod waitq;

pub use barrier::Barrier;
pub use bounded_semaphore::BoundedSemaphore;
pub use condition::Condition;
pub use error::{
    BrokenBarrierError, GetNowaitError, NotifyError, PutNowaitError, QueueEmpty, QueueFull, QueueShutDown, ValueError,
};
pub use event::Event;
pub use lock::{Lock, LockGuard, OwnedLockGuard};
pub use queue::{BaseQueue, LifoQueue, PriorityQueue, Queue};
pub use queue_store::QueueStore;
pub use semaphore::{OwnedSemaphorePermit, Semaphore, SemaphorePermit};

/// The futures returned by the waiting methods, by primitive.
pub mod futures {
    pub use crate::barrier::Wait as BarrierWait;
    pub use crate::event::Wait as EventWait;
    pub use crate::lock::Acquire as LockAcquire;
    pub use crate::lock::AcquireOwned as LockAcquireOwned;
    pub use crate::queue_futures::{Get as QueueGet, Join as QueueJoin, Put as QueuePut};
    pub use crate::semaphore::Acquire as SemaphoreAcquire;
    pub use crate::semaphore::AcquireOwned as SemaphoreAcquireOwned;
}
