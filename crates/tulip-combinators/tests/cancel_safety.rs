//! Cancellation safety: dropping any combinator at any await point leaks no
//! task, no timer and no waker (every `Rc` the children held comes back).
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use std::rc::Rc;
use std::time::Duration;
use tulip::{
    all_tasks, as_completed, create_task, gather, gather_all, shield, try_gather, wait, wait_for, wait_for_task,
    EventLoop, ReturnWhen, TaskGroup,
};
use tulip_timer::sleep;

fn child(token: &Rc<()>, ms: u64) -> impl std::future::Future<Output = u64> + 'static {
    let token = token.clone();
    async move {
        let _t = token;
        sleep(Duration::from_millis(ms)).await;
        ms
    }
}

/// Runs `make` under a deadline of `cut` ms (dropping it there if it is not
/// done), then checks that nothing it started is left behind.
fn check_drop<F, Fut>(delays: &[u64], cut: u64, make: F)
where
    F: FnOnce(Rc<()>, Vec<u64>) -> Fut + 'static,
    Fut: std::future::Future + 'static,
{
    let ev = EventLoop::builder().virtual_clock().build().unwrap();
    let token = Rc::new(());
    let (t, d) = (token.clone(), delays.to_vec());
    ev.run_until_complete(async move {
        let _ = wait_for(make(t, d), Some(Duration::from_millis(cut))).await;
        // Let cancelled children run their destructors, and detached ones
        // (wait, shield) finish.
        sleep(Duration::from_secs(10)).await;
        assert_eq!(all_tasks().len(), 1, "only the main task is left");
    });
    assert_eq!(Rc::strong_count(&token), 1, "every child's future was dropped");
    ev.close();
}

fn delays() -> impl Strategy<Value = (Vec<u64>, u64)> {
    (prop::collection::vec(0u64..100, 1..12), 0u64..120)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn dropping_gather_leaks_nothing((d, cut) in delays()) {
        check_drop(&d, cut, |t, d| async move { gather(d.iter().map(|&ms| child(&t, ms))).await });
    }

    #[test]
    fn dropping_try_gather_leaks_nothing((d, cut) in delays()) {
        check_drop(&d, cut, |t, d| async move {
            try_gather(d.iter().map(|&ms| {
                let c = child(&t, ms);
                async move { if c.await % 3 == 0 { Err(()) } else { Ok(()) } }
            }))
            .await
        });
    }

    #[test]
    fn dropping_gather_all_leaks_nothing((d, cut) in delays()) {
        check_drop(&d, cut, |t, d| async move { gather_all(d.iter().map(|&ms| child(&t, ms))).await });
    }

    #[test]
    fn dropping_gather_macro_leaks_nothing((d, cut) in delays()) {
        check_drop(&d, cut, |t, d| async move {
            tulip::gather!(child(&t, d[0]), child(&t, d[d.len() - 1])).await
        });
    }

    #[test]
    fn dropping_as_completed_leaks_nothing((d, cut) in delays()) {
        check_drop(&d, cut, |t, d| async move {
            let mut it = as_completed(d.iter().map(|&ms| child(&t, ms))).timeout(Duration::from_millis(50));
            while it.next().await.is_some() {}
        });
    }

    #[test]
    fn dropping_wait_leaks_nothing((d, cut) in delays()) {
        check_drop(&d, cut, |t, d| async move {
            let tasks: Vec<_> = d.iter().map(|&ms| create_task(child(&t, ms))).collect();
            let (_, pending) =
                wait(tasks).return_when(ReturnWhen::FirstCompleted).timeout(Duration::from_millis(30)).await.unwrap();
            if !pending.is_empty() {
                wait(pending).await.unwrap();
            }
        });
    }

    #[test]
    fn dropping_wait_for_task_leaks_nothing((d, cut) in delays()) {
        check_drop(&d, cut, |t, d| async move {
            wait_for_task(create_task(child(&t, d[0])), Some(Duration::from_millis(d[d.len() - 1]))).await
        });
    }

    #[test]
    fn dropping_shield_leaks_nothing((d, cut) in delays()) {
        check_drop(&d, cut, |t, d| async move { shield(create_task(child(&t, d[0]))).await });
    }

    #[test]
    fn dropping_task_group_wait_leaks_nothing((d, cut) in delays()) {
        check_drop(&d, cut, |t, d| async move {
            let tg = TaskGroup::<u64, ()>::new();
            for &ms in &d {
                let c = child(&t, ms);
                tg.create_task(async move { if ms == 7 { Err(()) } else { Ok(c.await) } }).unwrap();
            }
            tg.wait().await
        });
    }
}
