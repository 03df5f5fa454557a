//! Rust's addition to asyncio's toolbox: `gather` without tasks. The
//! futures are polled in place, inside the awaiting task, so they may borrow
//! from it (no `'static`, no `Rc`, no clones): a local fan-out over borrowed
//! data. Every child is polled on each wake-up of the awaiting task (cheap
//! for the handful of futures this is for; use [`gather`](crate::gather)
//! for many). A panic of a child unwinds through the awaiting task at once,
//! like any panic in its own code; nothing is left running.

use std::future::Future as StdFuture;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Polls every unfinished future of `children` once; true when all are done.
fn poll_all<F: StdFuture>(
    children: &mut [Option<Pin<Box<F>>>],
    out: &mut [Option<F::Output>],
    cx: &mut Context<'_>,
) -> bool {
    let mut all_done = true;
    for (child, slot) in children.iter_mut().zip(out.iter_mut()) {
        let Some(fut) = child.as_mut() else { continue };
        match fut.as_mut().poll(cx) {
            Poll::Ready(v) => {
                *slot = Some(v);
                *child = None;
            }
            Poll::Pending => all_done = false,
        }
    }
    all_done
}

/// The future returned by [`gather_local`].
#[must_use = "futures do nothing unless awaited"]
pub struct GatherLocal<F: StdFuture> {
    children: Vec<Option<Pin<Box<F>>>>,
    out: Vec<Option<F::Output>>,
}

impl<F: StdFuture> Unpin for GatherLocal<F> {}

/// `gather` polled in place: resolves to every output in input order. The
/// futures run inside the awaiting task — they may borrow its locals — and
/// are dropped with it (asyncio has no such thing: its coroutines always
/// become tasks).
///
/// ```
/// use std::time::Duration;
/// tulip::run(async {
///     let names = vec!["a".to_string(), "bb".to_string(), "ccc".to_string()];
///     // Borrowed, not cloned: each future reads one of `names`.
///     let lens = tulip::gather_local(names.iter().map(|n| async move {
///         tulip::sleep(Duration::from_millis(n.len() as u64)).await;
///         n.len()
///     }))
///     .await;
///     assert_eq!(lens, [1, 2, 3]);
///     assert_eq!(names.len(), 3); // still ours
/// });
/// ```
pub fn gather_local<I, F>(futs: I) -> GatherLocal<F>
where
    I: IntoIterator<Item = F>,
    F: StdFuture,
{
    let children: Vec<_> = futs.into_iter().map(|f| Some(Box::pin(f))).collect();
    let out = children.iter().map(|_| None).collect();
    GatherLocal { children, out }
}

impl<F: StdFuture> StdFuture for GatherLocal<F> {
    type Output = Vec<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if !poll_all(&mut this.children, &mut this.out, cx) {
            return Poll::Pending;
        }
        Poll::Ready(std::mem::take(&mut this.out).into_iter().flatten().collect())
    }
}

/// Support for [`join!`](crate::join!); not a public API.
#[doc(hidden)]
pub mod support {
    pub use super::gather_local;
    use std::future::Future as StdFuture;
    use std::pin::Pin;

    /// One child of `join!`, its output type erased to `()` (it writes a slot).
    pub type Child<'a> = Pin<Box<dyn StdFuture<Output = ()> + 'a>>;

    /// Wraps `fut` so that its output lands in `slot`.
    pub fn child<'a, F: StdFuture + 'a>(fut: F, slot: &'a std::cell::Cell<Option<F::Output>>) -> Child<'a> {
        Box::pin(async move { slot.set(Some(fut.await)) })
    }

    /// Takes a slot's output (every child finished when `join!` resolves).
    pub fn take<T>(slot: &std::cell::Cell<Option<T>>) -> T {
        match slot.take() {
            Some(v) => v,
            None => unreachable!("join!: a child finished without an output"),
        }
    }
}

/// `gather!` polled in place, for futures of different types: a future of a tuple of
/// their outputs in argument order. The futures run inside the awaiting
/// task and may borrow from it (see [`gather_local`]); a panic unwinds
/// through the caller. Rust's addition: asyncio always makes tasks.
///
/// ```
/// tulip::run(async {
///     let data = vec![1, 2, 3];
///     let (sum, max) = tulip::join!(async { data.iter().sum::<i32>() }, async { data.iter().max().copied() }).await;
///     assert_eq!((sum, max), (6, Some(3)));
/// });
/// ```
#[macro_export]
macro_rules! join {
    ($($fut:expr),+ $(,)?) => {
        async {
            $crate::__join_impl!(@slots [] [$($fut),+])
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __join_impl {
    // Give each future a slot: each `__slot` comes from its own expansion,
    // so hygiene keeps them apart.
    (@slots [$(($s:ident $f:expr))*] [$fut:expr $(, $rest:expr)*]) => {
        $crate::__join_impl!(@slots [$(($s $f))* (__slot $fut)] [$($rest),*])
    };
    (@slots [$(($n:ident $f:expr))*] []) => {{
        $(let $n = ::std::cell::Cell::new(None);)*
        $crate::__join_support::gather_local([$($crate::__join_support::child($f, &$n)),*]).await;
        ($($crate::__join_support::take(&$n),)*)
    }};
}
