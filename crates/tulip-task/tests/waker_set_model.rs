//! WakerSet against a model: entries live exactly as long as their waiting
//! futures, and `wake_all` wakes each registered waiter once.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Wake, Waker};
use tulip_task::WakerSet;

#[derive(Default)]
struct Count(AtomicUsize);
impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[derive(Debug, Clone)]
enum Op {
    New,
    Poll(usize),
    Drop(usize),
    WakeAll,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![Just(Op::New), (0..8usize).prop_map(Op::Poll), (0..8usize).prop_map(Op::Drop), Just(Op::WakeAll)]
}

struct Waiter<'a> {
    fut: Pin<Box<dyn Future<Output = ()> + 'a>>,
    count: Arc<Count>,
    /// Holds an entry in the set.
    registered: bool,
    /// Its entry holds a waker not woken yet.
    armed: bool,
    expected_wakes: usize,
}

proptest! {
    #[test]
    fn entries_follow_their_futures_and_each_is_woken_once(ops in proptest::collection::vec(op(), 1..60)) {
        let set = WakerSet::new();
        let mut waiters: Vec<Option<Waiter<'_>>> = Vec::new();
        for op in ops {
            match op {
                Op::New => waiters.push(Some(Waiter {
                    fut: Box::pin(set.wait_until(|| None::<()>)),
                    count: Arc::default(),
                    registered: false,
                    armed: false,
                    expected_wakes: 0,
                })),
                Op::Poll(i) => {
                    if let Some(Some(w)) = waiters.get_mut(i) {
                        let waker = Waker::from(w.count.clone());
                        prop_assert!(w.fut.as_mut().poll(&mut Context::from_waker(&waker)).is_pending());
                        w.registered = true;
                        w.armed = true;
                    }
                }
                Op::Drop(i) => {
                    if let Some(slot) = waiters.get_mut(i) {
                        let gone = slot.take();
                        if let Some(w) = gone {
                            let count = w.count.clone();
                            let expected = w.expected_wakes;
                            drop(w);
                            prop_assert_eq!(count.0.load(Ordering::SeqCst), expected);
                            // Our two handles: none is left in the set.
                            prop_assert_eq!(Arc::strong_count(&count), 1);
                        }
                    }
                }
                Op::WakeAll => {
                    set.wake_all();
                    for w in waiters.iter_mut().flatten() {
                        if w.armed {
                            w.expected_wakes += 1;
                            w.armed = false;
                        }
                    }
                }
            }
            let live = waiters.iter().flatten().filter(|w| w.registered).count();
            prop_assert_eq!(set.len(), live);
            for w in waiters.iter().flatten() {
                prop_assert_eq!(w.count.0.load(Ordering::SeqCst), w.expected_wakes);
            }
        }
    }
}
