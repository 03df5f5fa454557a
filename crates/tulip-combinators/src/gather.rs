//! asyncio's `gather`: run futures as tasks, collect their outputs in input
//! order.

use super::completions::Completions;
use super::ChildError;
use std::future::Future as StdFuture;
use std::pin::Pin;
use std::task::{Context, Poll};
use tulip_task::TaskError;

/// Collects outputs in input order; fails at the first child `split` calls
/// a failure. Dropped before it finishes, it cancels the children.
struct Collect<R, T> {
    children: Completions<R>,
    out: Vec<Option<T>>,
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
        let out = (0..children.len()).map(|_| None).collect();
        Collect { children, out, finished: false }
    }

    fn poll<X>(
        &mut self,
        cx: &mut Context<'_>,
        split: impl Fn(Result<R, TaskError>) -> Result<T, X>,
    ) -> Poll<Result<Vec<T>, X>> {
        assert!(!self.finished, "gather polled after completion");
        while let Poll::Ready(Some((index, out))) = self.children.poll_next(cx) {
            match split(out) {
                Ok(v) => self.out[index] = Some(v),
                Err(e) => return Poll::Ready(Err(self.finish_early(e))),
            }
        }
        if self.children.remaining() > 0 {
            return Poll::Pending;
        }
        self.finished = true;
        Poll::Ready(Ok(std::mem::take(&mut self.out).into_iter().flatten().collect()))
    }

    /// asyncio's fail-fast: the error goes to the caller at once and the
    /// other children are left running, not cancelled.
    fn finish_early<X>(&mut self, e: X) -> X {
        self.finished = true;
        self.children.cancel_on_drop = false;
        self.children.forget_parent();
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
    use tulip_task::TaskError;

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

    type Child = Pin<Box<dyn StdFuture<Output = ()>>>;

    /// Children of mixed types, each erased to a future writing its slot.
    #[derive(Default)]
    pub struct Builder(Vec<Child>);

    impl Builder {
        /// Adds a child; its output will be in the returned slot.
        pub fn add<F: StdFuture + 'static>(&mut self, fut: F) -> Slot<F::Output> {
            let slot = Rc::new(RefCell::new(None));
            let s = slot.clone();
            self.0.push(Box::pin(async move { *s.borrow_mut() = Some(fut.await) }));
            Slot(slot)
        }

        /// Spawns every child and waits for all (fail-fast), then takes the
        /// outputs out of the slots.
        #[track_caller]
        pub fn run<S: TakeAll>(self, slots: S) -> Run<S> {
            Run { inner: Collect::new(self.0), slots: Some(slots) }
        }
    }

    /// The future `gather!` expands to.
    pub struct Run<S> {
        inner: Collect<(), ()>,
        slots: Option<S>,
    }

    impl<S: TakeAll + Unpin> StdFuture for Run<S> {
        type Output = Result<S::Output, TaskError>;

        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
            match self.inner.poll(cx, |r| r) {
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
/// others keep running). Up to 12 futures. Must be used inside a running
/// loop; dropping it before it resolves cancels the children.
///
/// ```
/// use tulip::{gather, EventLoop};
/// let ev = EventLoop::new();
/// let (n, s) = ev.run_until_complete(async { gather!(async { 1 }, async { "two" }).await }).unwrap();
/// assert_eq!((n, s), (1, "two"));
/// ```
#[macro_export]
macro_rules! gather {
    ($($fut:expr),+ $(,)?) => {{
        let mut __builder = $crate::__gather_support::Builder::default();
        let __slots = ($(__builder.add($fut),)+);
        __builder.run(__slots)
    }};
}
