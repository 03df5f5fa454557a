//! as_completed: completion order, timeouts, Stream and while-let use.
#![allow(clippy::unwrap_used)]

use futures_lite::StreamExt;
use proptest::prelude::*;
use std::time::Duration;
use tulip::{as_completed, AsCompletedError, EventLoop};
use tulip_timer::sleep;

fn vloop() -> EventLoop {
    EventLoop::builder().virtual_clock().build().unwrap()
}

proptest! {
    #[test]
    fn as_completed_order_equals_sorted_deadlines(delays in prop::collection::vec(0u64..1000, 0..40)) {
        let ev = vloop();
        let d = delays.clone();
        let got = ev.run_until_complete(async move {
            let mut it = as_completed(d.into_iter().enumerate().map(|(i, ms)| async move {
                sleep(Duration::from_millis(ms)).await;
                (ms, i)
            }));
            let mut got = Vec::new();
            while let Some(r) = it.next().await {
                got.push(r.unwrap());
            }
            got
        });
        let mut want: Vec<_> = delays.into_iter().enumerate().map(|(i, ms)| (ms, i)).collect();
        // Equal deadlines fire in the order they were set (FIFO timers).
        want.sort();
        prop_assert_eq!(got, want);
    }
}

#[test]
fn as_completed_is_a_stream() {
    let v: Vec<u64> = vloop().run_until_complete(async {
        as_completed([2u64, 1].map(|s| async move {
            sleep(Duration::from_secs(s)).await;
            s
        }))
        .map(|r| r.unwrap())
        .collect()
        .await
    });
    assert_eq!(v, [1, 2]);
}

#[test]
fn as_completed_after_timeout_the_remaining_ones_yield_timeout_error() {
    let items = vloop().run_until_complete(async {
        let it = as_completed([1u64, 5, 9].map(|s| async move {
            sleep(Duration::from_secs(s)).await;
            s
        }))
        .timeout(Duration::from_secs(3));
        it.collect::<Vec<_>>().await
    });
    assert_eq!(items.len(), 3);
    assert_eq!(*items[0].as_ref().unwrap(), 1);
    assert!(items[1..].iter().all(|r| matches!(r, Err(AsCompletedError::Timeout(_)))));
}

#[test]
fn as_completed_yields_a_panic_as_a_task_error_in_its_turn() {
    let items = vloop().run_until_complete(async {
        as_completed([2u64, 1].map(|s| async move {
            sleep(Duration::from_secs(s)).await;
            assert!(s != 1, "one");
            s
        }))
        .collect::<Vec<_>>()
        .await
    });
    assert!(matches!(&items[0], Err(AsCompletedError::Task(e)) if e.is_panic()));
    assert_eq!(*items[1].as_ref().unwrap(), 2);
}

/// asyncio's as_completed leaves the children it has not yielded running
/// when the iteration stops.
#[test]
fn dropping_as_completed_leaves_the_other_children_running() {
    let ev = EventLoop::builder().virtual_clock().build().unwrap();
    let finished = std::rc::Rc::new(std::cell::Cell::new(0));
    let f = finished.clone();
    ev.run_until_complete(async move {
        let mut it = as_completed([1u64, 2, 3].map(|s| {
            let f = f.clone();
            async move {
                tulip::sleep(std::time::Duration::from_secs(s)).await;
                f.set(f.get() + 1);
            }
        }));
        assert!(it.next().await.unwrap().is_ok());
        drop(it);
        tulip::sleep(std::time::Duration::from_secs(5)).await;
    });
    assert_eq!(finished.get(), 3, "the two not yielded ran to the end");
}
