//! proptest state machine: awaiting handles of one `Future` created, polled
//! (with the same or a new waker), dropped, while the future is completed by
//! `set_result` or `cancel`. Checked after every step: the future holds one
//! waker per live awaiter that is waiting (never more), each the awaiter's
//! latest; on completion each of them is woken exactly once, and no replaced
//! or dropped waker ever is.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use std::future::Future as _;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Wake, Waker};
use tulip_task::Future;

#[derive(Default)]
struct Count(AtomicUsize);

impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl Count {
    fn wakes(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

#[derive(Debug, Clone)]
enum Op {
    Create,
    /// Poll the i-th awaiter; `true`: with a new waker.
    Poll(usize, bool),
    Drop(usize),
    SetResult(u8),
    Cancel,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => Just(Op::Create),
        4 => (any::<usize>(), any::<bool>()).prop_map(|(i, fresh)| Op::Poll(i, fresh)),
        2 => any::<usize>().prop_map(Op::Drop),
        1 => any::<u8>().prop_map(Op::SetResult),
        1 => Just(Op::Cancel),
    ]
}

struct Awaiter {
    handle: Future<u8>,
    /// Registered with the future: polled while it was pending.
    waiting: bool,
    /// The waker of its latest poll, and the wakes it must have had.
    current: Arc<Count>,
    expected_wakes: usize,
}

proptest! {
    #[test]
    fn awaiters_hold_one_waker_each_and_are_woken_once(ops in proptest::collection::vec(op(), 1..60)) {
        let fut: Future<u8> = Future::new();
        let mut live: Vec<Awaiter> = Vec::new();
        // Wakers no awaiter uses any more (replaced, or their awaiter
        // dropped), with the wakes they had by then.
        let mut retired: Vec<(Arc<Count>, usize)> = Vec::new();
        let mut done = false;
        for op in ops {
            match op {
                Op::Create => live.push(Awaiter {
                    handle: fut.clone(),
                    waiting: false,
                    current: Arc::default(),
                    expected_wakes: 0,
                }),
                Op::Poll(i, fresh) => {
                    if live.is_empty() {
                        continue;
                    }
                    let n = live.len();
                    let a = &mut live[i % n];
                    if fresh {
                        let old = std::mem::take(&mut a.current);
                        prop_assert_eq!(old.wakes(), a.expected_wakes);
                        retired.push((old, a.expected_wakes));
                        a.expected_wakes = 0;
                    }
                    let waker = Waker::from(a.current.clone());
                    let ready = Pin::new(&mut a.handle).poll(&mut Context::from_waker(&waker)).is_ready();
                    prop_assert_eq!(ready, done);
                    a.waiting = !done;
                }
                Op::Drop(i) => {
                    if live.is_empty() {
                        continue;
                    }
                    let a = live.remove(i % live.len());
                    prop_assert_eq!(a.current.wakes(), a.expected_wakes);
                    retired.push((a.current, a.expected_wakes));
                }
                Op::SetResult(_) | Op::Cancel => {
                    let completed = match op {
                        Op::SetResult(v) => fut.set_result(v).is_ok(),
                        _ => fut.cancel(None),
                    };
                    prop_assert_eq!(completed, !done);
                    if completed {
                        done = true;
                        for a in live.iter_mut().filter(|a| a.waiting) {
                            a.expected_wakes += 1;
                            a.waiting = false;
                        }
                    }
                }
            }
            // One waker clone per waiting awaiter: its own latest one.
            let held = |c: &Arc<Count>| Arc::strong_count(c) - 1;
            let waiting = live.iter().filter(|a| a.waiting).count();
            let held_by_live: usize = live.iter().map(|a| held(&a.current)).sum();
            prop_assert!(held_by_live <= live.len());
            prop_assert_eq!(held_by_live, waiting);
            for a in &live {
                prop_assert_eq!(held(&a.current), usize::from(a.waiting));
                prop_assert_eq!(a.current.wakes(), a.expected_wakes, "woken exactly once on completion");
            }
            for (r, wakes) in &retired {
                prop_assert_eq!(held(r), 0, "a replaced or dropped waker is still held");
                prop_assert_eq!(r.wakes(), *wakes, "a replaced or dropped waker was woken");
            }
        }
    }
}
