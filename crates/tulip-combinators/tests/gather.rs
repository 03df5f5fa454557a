//! gather, try_gather, gather_all and gather!: one test per asyncio rule.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;
use tulip::{gather, gather_all, try_gather, ChildError, EventLoop};
use tulip_task::TaskError;
use tulip_timer::sleep;

fn vloop() -> EventLoop {
    EventLoop::builder().virtual_clock().build().unwrap()
}

async fn after(ms: u64, v: u64) -> u64 {
    sleep(Duration::from_millis(ms)).await;
    v
}

proptest! {
    #[test]
    fn gather_returns_outputs_in_input_order_whatever_the_completion_order(delays in prop::collection::vec(0u64..50, 0..40)) {
        let ev = vloop();
        let d = delays.clone();
        let out = ev.run_until_complete(async move { gather(d.iter().enumerate().map(|(i, &ms)| after(ms, i as u64))).await });
        prop_assert_eq!(out.unwrap(), (0..delays.len() as u64).collect::<Vec<_>>());
    }
}

#[test]
fn gather_of_nothing_is_an_empty_vec() {
    let out = vloop().run_until_complete(async { gather(Vec::<std::future::Ready<u8>>::new()).await });
    assert!(out.unwrap().is_empty());
}

#[test]
fn gather_starts_children_at_once_like_ensure_future() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    vloop().run_until_complete(async move {
        let g = gather((0..3).map(|i| {
            let l = l.clone();
            async move { l.borrow_mut().push(i) }
        }));
        sleep(Duration::ZERO).await;
        assert_eq!(*l.borrow(), [0, 1, 2], "children ran before the gather was awaited");
        g.await.unwrap();
    });
    assert_eq!(log.borrow().len(), 3);
}

#[test]
fn gather_fails_fast_on_a_panic_and_leaves_the_others_running() {
    let finished = Rc::new(RefCell::new(false));
    let f = finished.clone();
    vloop().run_until_complete(async move {
        let f2 = f.clone();
        let slow = async move {
            sleep(Duration::from_secs(10)).await;
            *f2.borrow_mut() = true;
        };
        let boom = async {
            sleep(Duration::from_secs(1)).await;
            panic!("boom")
        };
        let futs: Vec<std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>> = vec![Box::pin(slow), Box::pin(boom)];
        let err = gather(futs).await.unwrap_err();
        assert!(err.is_panic());
        assert!(!*f.borrow(), "returned before the slow child finished");
        sleep(Duration::from_secs(20)).await;
    });
    assert!(*finished.borrow(), "the slow child was not cancelled");
}

#[test]
fn try_gather_fails_fast_on_the_first_err() {
    let r = vloop().run_until_complete(async {
        try_gather([(3, Ok(3)), (1, Err("one")), (2, Err("two"))].map(|(s, r)| async move {
            sleep(Duration::from_secs(s)).await;
            r
        }))
        .await
    });
    assert!(matches!(r, Err(ChildError::Failed("one"))));
}

#[test]
fn try_gather_returns_values_in_order_when_all_succeed() {
    let r = vloop().run_until_complete(async {
        try_gather([2u64, 1].map(|s| async move { Ok::<_, ()>(after(s, s).await) })).await
    });
    assert_eq!(r.unwrap(), [2, 1]);
}

#[test]
fn gather_all_returns_every_outcome_in_place_like_return_exceptions() {
    let out = vloop().run_until_complete(async {
        gather_all([1u64, 0, 2].map(|n| async move {
            sleep(Duration::from_millis(n)).await;
            assert!(n != 0, "zero");
            n
        }))
        .await
    });
    assert_eq!(*out[0].as_ref().unwrap(), 1);
    assert!(matches!(out[1], Err(TaskError::Panicked(_))));
    assert_eq!(*out[2].as_ref().unwrap(), 2);
}

#[test]
fn dropping_the_gather_cancels_its_children() {
    let dropped = Rc::new(RefCell::new(0));
    let d = dropped.clone();
    struct Count(Rc<RefCell<i32>>);
    impl Drop for Count {
        fn drop(&mut self) {
            *self.0.borrow_mut() += 1;
        }
    }
    vloop().run_until_complete(async move {
        let g = gather((0..3).map(|_| {
            let c = Count(d.clone());
            async move {
                let _c = c;
                sleep(Duration::from_secs(3600)).await;
            }
        }));
        let _ = tulip::wait_for(g, Some(Duration::from_secs(1))).await;
        sleep(Duration::ZERO).await;
        assert_eq!(*d.borrow(), 3, "every child's destructor ran");
        assert_eq!(tulip::all_tasks().len(), 1, "only the main task is left");
    });
    assert_eq!(Rc::strong_count(&dropped), 1);
}

#[test]
fn gather_macro_returns_a_tuple_of_mixed_types_in_argument_order() {
    let (a, b, c) = vloop()
        .run_until_complete(async {
            tulip::gather!(after(3, 1), async { "two" }, async {
                sleep(Duration::from_millis(1)).await;
                3.5
            })
            .await
        })
        .unwrap();
    assert_eq!((a, b, c), (1, "two", 3.5));
}

#[test]
fn gather_macro_fails_fast_on_a_panic() {
    let r = vloop().run_until_complete(async {
        tulip::gather!(after(3_600_000, 1), async {
            panic!("nope");
        })
        .await
    });
    assert!(r.unwrap_err().is_panic());
}
