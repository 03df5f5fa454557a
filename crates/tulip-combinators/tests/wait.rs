//! wait, wait_for, wait_for_task and shield: one test per asyncio rule.
#![allow(clippy::unwrap_used)]

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;
use tulip::{create_task, shield, wait, wait_for, wait_for_task, EventLoop, ReturnWhen};
use tulip_task::Task;
use tulip_timer::sleep;

fn vloop() -> EventLoop {
    EventLoop::builder().virtual_clock().build().unwrap()
}

fn sleeper(s: u64) -> Task<u64> {
    create_task(async move {
        sleep(Duration::from_secs(s)).await;
        s
    })
}

fn values(done: Vec<Task<u64>>) -> Vec<u64> {
    let mut v: Vec<u64> = done.iter().map(|d| d.result().unwrap()).collect();
    v.sort();
    v
}

#[test]
fn wait_first_completed_returns_everything_done_at_that_point() {
    vloop().run_until_complete(async {
        let (done, pending) = wait(vec![sleeper(2), sleeper(1), sleeper(1), sleeper(3)])
            .return_when(ReturnWhen::FirstCompleted)
            .await
            .unwrap();
        assert_eq!(values(done), [1, 1]);
        assert_eq!(pending.len(), 2);
    });
}

#[test]
fn wait_all_completed_waits_for_every_task() {
    vloop().run_until_complete(async {
        let (done, pending) = wait(vec![sleeper(2), sleeper(1), sleeper(3)]).await.unwrap();
        assert_eq!(values(done), [1, 2, 3]);
        assert!(pending.is_empty());
    });
}

#[test]
fn wait_first_exception_returns_at_the_first_panic() {
    vloop().run_until_complete(async {
        let boom = create_task(async {
            sleep(Duration::from_secs(2)).await;
            panic!("boom")
        });
        let (done, pending) =
            wait(vec![sleeper(1), boom, sleeper(5)]).return_when(ReturnWhen::FirstException).await.unwrap();
        assert_eq!(done.len(), 2);
        assert!(done.iter().any(|d| d.panicked() && d.exception().unwrap().is_some()));
        assert_eq!(pending.len(), 1);
    });
}

#[test]
fn wait_first_exception_without_exception_is_all_completed() {
    vloop().run_until_complete(async {
        let (done, pending) = wait(vec![sleeper(1), sleeper(2)]).return_when(ReturnWhen::FirstException).await.unwrap();
        assert_eq!((done.len(), pending.len()), (2, 0));
    });
}

#[test]
fn wait_timeout_does_not_cancel_the_pending_tasks() {
    vloop().run_until_complete(async {
        let (done, pending) = wait(vec![sleeper(1), sleeper(5)]).timeout(Duration::from_secs(2)).await.unwrap();
        assert_eq!(values(done), [1]);
        assert_eq!(pending.len(), 1);
        let t = pending.into_iter().next().unwrap();
        assert!(!t.cancelled());
        assert_eq!(t.await.unwrap(), 5);
    });
}

#[test]
fn wait_accepts_plain_futures_wrapped_into_tasks() {
    vloop().run_until_complete(async {
        let futs = [1, 2].map(|n| async move { n });
        let (done, _) = wait(futs.into_iter().map(create_task)).await.unwrap();
        assert_eq!(done.len(), 2);
    });
}

#[test]
fn wait_for_returns_the_output_in_time() {
    let r = vloop().run_until_complete(async { wait_for(async { 5 }, Some(Duration::from_secs(1))).await });
    assert_eq!(r.unwrap(), 5);
}

#[test]
fn wait_for_timeout_cancels_the_inner_work_and_its_destructors_have_run() {
    struct Flag(Rc<Cell<bool>>);
    impl Drop for Flag {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }
    vloop().run_until_complete(async {
        let ran = Rc::new(Cell::new(false));
        let flag = Flag(ran.clone());
        let r = wait_for(
            async move {
                let _f = flag;
                sleep(Duration::from_secs(3600)).await;
            },
            Some(Duration::from_secs(1)),
        )
        .await;
        assert!(r.is_err());
        assert!(ran.get(), "the finally block ran before wait_for returned");
    });
}

#[test]
fn wait_for_none_waits_forever() {
    let ev = vloop();
    let start = ev.time();
    let r = ev.run_until_complete(async { wait_for(sleep(Duration::from_secs(86_400)), None).await });
    assert!(r.is_ok());
    assert!(ev.time() - start >= Duration::from_secs(86_400));
}

#[test]
fn wait_for_task_cancels_the_task_and_waits_for_it_to_finish_cancelling() {
    vloop().run_until_complete(async {
        let cleaned = Rc::new(Cell::new(false));
        let c = cleaned.clone();
        struct Cleanup(Rc<Cell<bool>>);
        impl Drop for Cleanup {
            fn drop(&mut self) {
                self.0.set(true);
            }
        }
        let task = create_task(async move {
            let _c = Cleanup(c);
            sleep(Duration::from_secs(3600)).await;
        });
        let probe = task.task_ref();
        assert!(wait_for_task(task, Some(Duration::from_secs(1))).await.is_err());
        assert!(probe.cancelled());
        assert!(cleaned.get());
    });
}

#[test]
fn wait_for_task_in_time_returns_the_task_outcome() {
    let r = vloop().run_until_complete(async { wait_for_task(sleeper(1), Some(Duration::from_secs(2))).await });
    assert_eq!(r.unwrap(), 1);
}

#[test]
fn wait_of_an_empty_set_is_a_value_error() {
    let r = vloop().run_until_complete(async { wait(Vec::<Task<()>>::new()).await.map(|_| ()) });
    assert_eq!(r, Err(tulip::ValueError("Set of Tasks/Futures is empty.")));
}

#[test]
fn a_panic_that_went_through_wait_and_was_dropped_unread_is_reported() {
    let ev = vloop();
    let reports = Rc::new(std::cell::RefCell::new(Vec::new()));
    let r = reports.clone();
    ev.set_exception_handler(move |ctx| r.borrow_mut().push((ctx.message.clone(), ctx.exception.clone())));
    ev.run_until_complete(async {
        let boom = create_task(async { panic!("lost boom") });
        let (done, _) = wait(vec![boom]).await.unwrap();
        drop(done);
    });
    let reports = reports.borrow();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].0, "Task exception was never retrieved");
    assert!(reports[0].1.as_ref().unwrap().to_string().starts_with("lost boom"));
}

#[test]
fn shield_cancelling_the_outer_leaves_the_inner_running_to_completion() {
    vloop().run_until_complete(async {
        let inner = sleeper(5);
        let probe = inner.task_ref();
        let outer = create_task(async move { shield(inner).await });
        sleep(Duration::from_secs(1)).await;
        outer.cancel();
        assert!(outer.await.unwrap_err().is_cancelled());
        assert!(!probe.done());
        sleep(Duration::from_secs(10)).await;
        assert!(probe.done() && !probe.cancelled());
    });
}

#[test]
fn shield_gives_the_inner_output() {
    let r = vloop().run_until_complete(async { shield(sleeper(1)).await });
    assert_eq!(r.unwrap(), 1);
}
