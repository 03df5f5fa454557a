//! asyncio's `gather`: run futures as tasks, collect their outputs in input
//! order.

use super::completions::Completions;
use super::ChildError;
use std::future::Future as StdFuture;
use std::pin::Pin;
use std::task::{Context, Poll};
use tulip_task::{Task, TaskError};

/// Collects outputs in input order; fails at the first child `split` calls
/// a failure. Dropped before it finishes, it cancels the children.
struct Collect<R, T> {
    /// The outputs are kept in their children's places.
    children: Completions<R, T>,
    finished: bool,
}

impl<R: 'static, T> Collect<R, T> {
    #[track_caller]
    fn new<I>(futs: I) -> Self
    where
        I: IntoIterator,
        I::Item: StdFuture<Output = R> + 'static,
    {
        let futs = futs.into_iter();
        let mut children = Completions::new(true);
        children.reserve(futs.size_hint().0);
        for f in futs {
            children.spawn(f);
        }
        Collect { children, finished: false }
    }

    fn poll<X>(
        &mut self,
        cx: &mut Context<'_>,
        split: impl Fn(Result<R, TaskError>) -> Result<T, X>,
    ) -> Poll<Result<Vec<T>, X>> {
        assert!(!self.finished, "gather polled after completion");
        while let Poll::Ready(Some((index, out))) = self.children.poll_next(cx) {
            match split(out) {
                Ok(v) => self.children.keep(index, v),
                Err(e) => return Poll::Ready(Err(self.finish_early(e))),
            }
        }
        if self.children.remaining() > 0 {
            return Poll::Pending;
        }
        self.finished = true;
        Poll::Ready(Ok(self.children.take_kept()))
    }

    /// asyncio's fail-fast: the error goes to the caller at once and the
    /// other children are left running, not cancelled; a later panic of
    /// one of them counts as retrieved (asyncio's gather marks it so).
    fn finish_early<X>(&mut self, e: X) -> X {
        self.finished = true;
        self.children.detach_all_retrieved();
        e
    }
}

/// The future returned by [`gather`].
#[must_use = "futures do nothing unless awaited (the children run anyway)"]
pub struct Gather<T> {
    inner: Collect<T, T>,
}

// Never pin-projected: the outputs and task handles inside are only
// moved while not pinned by us, so the wrapper is `Unpin` whatever `T` is.
impl<T> Unpin for Gather<T> {}

/// asyncio's `gather(*aws)`: runs every future as a task on the running loop
/// (at once, as `ensure_future` does) and resolves to their outputs **in input
/// order**, whatever order they finish in.
///
/// Fail-fast: if a child panics (or is cancelled), the gather resolves at
/// once to that [`TaskError`] and the other children keep running. For
/// children that return `Result`, [`try_gather`] also fails fast on `Err`;
/// [`gather_all`] returns every outcome instead. Dropping the gather before
/// it resolves cancels every child it spawned (asyncio: cancelling the
/// gather cancels its children).
///
/// # Panics
/// If no loop is running on this thread.
///
/// ```
/// use std::time::Duration;
/// use tulip::{gather, EventLoop};
/// let ev = EventLoop::new();
/// let out = ev.run_until_complete(async {
///     gather([3u64, 1, 2].map(|ms| async move {
///         tulip::sleep(Duration::from_millis(ms)).await;
///         ms
///     }))
///     .await
/// });
/// assert_eq!(out.unwrap(), [3, 1, 2]);
/// ```
#[track_caller]
pub fn gather<I, F, T>(futs: I) -> Gather<T>
where
    I: IntoIterator<Item = F>,
    F: StdFuture<Output = T> + 'static,
    T: 'static,
{
    Gather { inner: Collect::new(futs) }
}

impl<T: 'static> StdFuture for Gather<T> {
    type Output = Result<Vec<T>, TaskError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.poll(cx, |r| r)
    }
}

/// The future returned by [`gather_tasks`].
#[must_use = "futures do nothing unless awaited (the tasks run anyway)"]
pub struct GatherTasks<T> {
    inner: Collect<Result<T, TaskError>, T>,
}

// Never pin-projected (see `Gather`).
impl<T> Unpin for GatherTasks<T> {}

/// asyncio's `gather(*tasks)` for tasks you created: their outputs in input
/// order, or — fail-fast — the first [`TaskError`] of a task that panicked
/// or was cancelled, one level of `Result` as asyncio has one raise.
/// Dropping the gather before it resolves cancels the tasks.
///
/// ```
/// use tulip::{create_task, gather_tasks};
/// tulip::run(async {
///     let tasks = [1, 2, 3].map(|n| create_task(async move { n * 10 }));
///     assert_eq!(gather_tasks(tasks).await.unwrap(), [10, 20, 30]);
///     let failing = [create_task(async { 1 }), create_task(async { panic!("boom") })];
///     assert!(gather_tasks(failing).await.unwrap_err().is_panic());
/// });
/// ```
#[track_caller]
pub fn gather_tasks<I, T>(tasks: I) -> GatherTasks<T>
where
    I: IntoIterator<Item = Task<T>>,
    T: 'static,
{
    GatherTasks { inner: Collect::new(tasks) }
}

impl<T: 'static> StdFuture for GatherTasks<T> {
    type Output = Result<Vec<T>, TaskError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.poll(cx, |r| r.and_then(|inner| inner))
    }
}

/// The future returned by [`try_gather`].
#[must_use = "futures do nothing unless awaited (the children run anyway)"]
pub struct TryGather<T, E> {
    inner: Collect<Result<T, E>, T>,
}

// Never pin-projected: the outputs and task handles inside are only
// moved while not pinned by us, so the wrapper is `Unpin` whatever `T` is.
impl<T, E> Unpin for TryGather<T, E> {}

/// [`gather`] for children that return `Result<T, E>`: resolves to every
/// `T` in input order, or fails fast with the first failure to happen — an
/// `Err(e)` ([`ChildError::Failed`]), a panic or a cancellation — while the
/// other children keep running. This is how asyncio's "the first exception
/// propagates" is expressed for Rust futures.
///
/// ```
/// use tulip::{try_gather, ChildError, EventLoop};
/// let ev = EventLoop::new();
/// let r = ev.run_until_complete(async {
///     try_gather([1, -2, 3].map(|n| async move { if n > 0 { Ok(n) } else { Err(format!("bad {n}")) } })).await
/// });
/// assert!(matches!(r, Err(ChildError::Failed(e)) if e == "bad -2"));
/// ```
#[track_caller]
pub fn try_gather<I, F, T, E>(futs: I) -> TryGather<T, E>
where
    I: IntoIterator<Item = F>,
    F: StdFuture<Output = Result<T, E>> + 'static,
    T: 'static,
    E: 'static,
{
    TryGather { inner: Collect::new(futs) }
}

impl<T: 'static, E: 'static> StdFuture for TryGather<T, E> {
    type Output = Result<Vec<T>, ChildError<E>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.poll(cx, |r| match r {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(ChildError::Failed(e)),
            Err(e) => Err(e.into()),
        })
    }
}

/// The future returned by [`gather_all`].
#[must_use = "futures do nothing unless awaited (the children run anyway)"]
pub struct GatherAll<T> {
    inner: Collect<T, Result<T, TaskError>>,
}

// Never pin-projected: the outputs and task handles inside are only
// moved while not pinned by us, so the wrapper is `Unpin` whatever `T` is.
impl<T> Unpin for GatherAll<T> {}

/// asyncio's `gather(*aws, return_exceptions=True)`: waits for every child
/// and returns each outcome in input order — the output, or the
/// [`TaskError`] of a child that panicked or was cancelled. (A child
/// returning `Result` keeps its `Err` in place too.)
///
/// ```
/// use tulip::{gather_all, EventLoop};
/// let ev = EventLoop::new();
/// let out = ev.run_until_complete(async {
///     gather_all([1, 0, 2].map(|n| async move { if n == 0 { panic!("zero") } n })).await
/// });
/// assert_eq!(*out[0].as_ref().unwrap(), 1);
/// assert!(out[1].as_ref().unwrap_err().is_panic());
/// assert_eq!(*out[2].as_ref().unwrap(), 2);
/// ```
#[track_caller]
pub fn gather_all<I, F, T>(futs: I) -> GatherAll<T>
where
    I: IntoIterator<Item = F>,
    F: StdFuture<Output = T> + 'static,
    T: 'static,
{
    GatherAll { inner: Collect::new(futs) }
}

impl<T: 'static> StdFuture for GatherAll<T> {
    type Output = Vec<Result<T, TaskError>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.inner.poll(cx, Ok::<_, std::convert::Infallible>) {
            Poll::Ready(Ok(v)) => Poll::Ready(v),
            Poll::Ready(Err(never)) => match never {},
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Support for [`gather!`](crate::gather!); not a public API.
#[doc(hidden)]
pub mod support {
    use super::Collect;
    use std::cell::RefCell;
    use std::future::Future as StdFuture;
    use std::pin::Pin;
    use std::rc::Rc;
    use std::task::{Context, Poll};
    use tulip_task::{Task, TaskError};

    /// Where one child of `gather!` leaves its output.
    pub struct Slot<T>(Rc<RefCell<Option<T>>>);

    impl<T> Slot<T> {
        fn take(self) -> T {
            match self.0.borrow_mut().take() {
                Some(v) => v,
                None => unreachable!("gather!: a child finished without an output"),
            }
        }
    }

    /// A child's own failure (a [`Task`] passed in that panicked or was
    /// cancelled) comes out as its output, to fail the gather fast.
    type Child = Pin<Box<dyn StdFuture<Output = Result<(), TaskError>>>>;

    /// Children of mixed types, each erased to a future writing its slot.
    #[derive(Default)]
    pub struct Builder(Vec<Child>);

    impl Builder {
        /// Adds a child; its output will be in the returned slot.
        pub fn add<F: StdFuture + 'static>(&mut self, fut: F) -> Slot<F::Output> {
            let slot = Rc::new(RefCell::new(None));
            let s = slot.clone();
            self.0.push(Box::pin(async move {
                *s.borrow_mut() = Some(fut.await);
                Ok(())
            }));
            Slot(slot)
        }

        /// Adds a task: its output goes in the slot, its failure fails the
        /// gather (asyncio awaits a task passed to gather as is).
        pub fn add_task<T: 'static>(&mut self, task: Task<T>) -> Slot<T> {
            let slot = Rc::new(RefCell::new(None));
            let s = slot.clone();
            self.0.push(Box::pin(async move { task.await.map(|v| *s.borrow_mut() = Some(v)) }));
            Slot(slot)
        }

        /// Spawns every child and waits for all (fail-fast), then takes the
        /// outputs out of the slots.
        #[track_caller]
        pub fn run<S: TakeAll>(self, slots: S) -> Run<S> {
            Run { inner: Collect::new(self.0), slots: Some(slots) }
        }
    }

    /// One argument of `gather!`, sorted by type through method lookup:
    /// `(&&Arg(x)).add_to(b)` finds [`AddTask`] for a [`Task`] (the impl on
    /// `&Arg<Task<T>>` needs no auto-deref) before [`AddFuture`] (on `Arg<F>`).
    pub struct Arg<F>(pub RefCell<Option<F>>);

    impl<F> Arg<F> {
        /// Wraps one argument.
        pub fn new(f: F) -> Self {
            Arg(RefCell::new(Some(f)))
        }

        fn take(&self) -> F {
            match self.0.borrow_mut().take() {
                Some(f) => f,
                None => unreachable!("gather!: an argument added twice"),
            }
        }
    }

    /// `gather!` of a [`Task`]: awaited as is.
    pub trait AddTask<T> {
        /// Adds the task to the builder.
        fn add_to(&self, b: &mut Builder) -> Slot<T>;
    }

    impl<T: 'static> AddTask<T> for &Arg<Task<T>> {
        fn add_to(&self, b: &mut Builder) -> Slot<T> {
            b.add_task(self.take())
        }
    }

    /// `gather!` of any other future: run as a task.
    pub trait AddFuture<T> {
        /// Adds the future to the builder.
        fn add_to(&self, b: &mut Builder) -> Slot<T>;
    }

    impl<F: StdFuture + 'static> AddFuture<F::Output> for Arg<F> {
        fn add_to(&self, b: &mut Builder) -> Slot<F::Output> {
            b.add(self.take())
        }
    }

    /// The future `gather!` expands to.
    pub struct Run<S> {
        inner: Collect<Result<(), TaskError>, ()>,
        slots: Option<S>,
    }

    impl<S: TakeAll + Unpin> StdFuture for Run<S> {
        type Output = Result<S::Output, TaskError>;

        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
            match self.inner.poll(cx, |r| r.and_then(|inner| inner)) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
                Poll::Ready(Ok(_)) => match self.slots.take() {
                    Some(s) => Poll::Ready(Ok(s.take_all())),
                    None => unreachable!("gather! polled after completion"),
                },
            }
        }
    }

    /// A tuple of slots whose outputs become a tuple of values.
    pub trait TakeAll {
        /// The tuple of outputs.
        type Output;
        /// Takes every output.
        fn take_all(self) -> Self::Output;
    }

    macro_rules! take_all {
        ($($t:ident $v:ident),+) => {
            impl<$($t),+> TakeAll for ($(Slot<$t>,)+) {
                type Output = ($($t,)+);
                fn take_all(self) -> Self::Output {
                    let ($($v,)+) = self;
                    ($($v.take(),)+)
                }
            }
        };
    }
    take_all!(A a);
    take_all!(A a, B b);
    take_all!(A a, B b, C c);
    take_all!(A a, B b, C c, D d);
    take_all!(A a, B b, C c, D d, E e);
    take_all!(A a, B b, C c, D d, E e, F f);
    take_all!(A a, B b, C c, D d, E e, F f, G g);
    take_all!(A a, B b, C c, D d, E e, F f, G g, H h);
    take_all!(A a, B b, C c, D d, E e, F f, G g, H h, I i);
    take_all!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j);
    take_all!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k);
    take_all!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l);
}

/// asyncio's `gather(a, b, c)` for futures of different types: runs each as
/// a task and resolves to `Result<(A, B, C), TaskError>` — the outputs as a
/// tuple in argument order, or the first panic/cancellation (fail-fast, the
/// others keep running). A [`Task`] argument is awaited as is: its output
/// goes in the tuple and its panic or cancellation fails the gather (as
/// asyncio's gather takes a task). Up to 12 futures. Must be used inside a
/// running loop; dropping it before it resolves cancels the children.
///
/// ```
/// tulip::run(async {
///     let (n, s) = tulip::gather!(async { 1 }, async { "two" }).await.unwrap();
///     assert_eq!((n, s), (1, "two"));
///     let task = tulip::create_task(async { 3 });
///     let (t, f) = tulip::gather!(task, async { 4.5 }).await.unwrap();
///     assert_eq!((t, f), (3, 4.5));
///     let broken = tulip::create_task(async { panic!("boom") });
///     assert!(tulip::gather!(broken, tulip::sleep(std::time::Duration::from_secs(9))).await.is_err());
/// });
/// ```
#[macro_export]
macro_rules! gather {
    ($($fut:expr),+ $(,)?) => {{
        #[allow(unused_imports)]
        use $crate::__gather_support::{AddFuture as _, AddTask as _};
        let mut __builder = $crate::__gather_support::Builder::default();
        let __slots = ($((&&$crate::__gather_support::Arg::new($fut)).add_to(&mut __builder),)+);
        __builder.run(__slots)
    }};
}
