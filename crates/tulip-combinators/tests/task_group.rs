//! TaskGroup: one test per asyncio rule.
#![allow(clippy::unwrap_used)]

use std::time::Duration;
use tulip::{ChildError, EventLoop, SpawnError, TaskGroup};
use tulip_timer::sleep;

fn vloop() -> EventLoop {
    EventLoop::builder().virtual_clock().build().unwrap()
}

async fn ok_after(s: u64) -> Result<u64, String> {
    sleep(Duration::from_secs(s)).await;
    Ok(s)
}

#[test]
fn task_group_awaits_every_task_and_returns_outputs_in_creation_order() {
    let ev = vloop();
    let start = ev.time();
    let r = ev.run_until_complete(async {
        let tg = TaskGroup::new();
        for s in [3, 1, 2] {
            tg.create_task(ok_after(s)).unwrap();
        }
        tg.wait().await
    });
    assert_eq!(r.unwrap(), [3, 1, 2]);
    assert_eq!(ev.time() - start, Duration::from_secs(3));
}

#[test]
fn task_group_first_failure_cancels_the_others() {
    vloop().run_until_complete(async {
        let tg = TaskGroup::new();
        let slow = tg.create_task(ok_after(60)).unwrap();
        tg.create_task(async {
            sleep(Duration::from_secs(1)).await;
            Err("bad".to_string())
        })
        .unwrap();
        let err = tg.wait().await.unwrap_err();
        assert_eq!(err.errors().len(), 1);
        assert!(slow.cancelled());
    });
}

#[test]
fn task_group_a_panic_is_a_failure_too() {
    vloop().run_until_complete(async {
        let tg = TaskGroup::<u64, String>::new();
        let slow = tg.create_task(ok_after(60)).unwrap();
        tg.create_task(async { panic!("kaboom") }).unwrap();
        let err = tg.wait().await.unwrap_err();
        assert!(matches!(err.errors(), [ChildError::Panicked(p)] if p.message() == "kaboom"));
        assert!(slow.cancelled());
    });
}

#[test]
fn task_group_returns_all_failures_together() {
    vloop().run_until_complete(async {
        let tg = TaskGroup::<u64, String>::new();
        // Both fail in the same iteration: the abort comes one iteration later.
        tg.create_task(async {
            sleep(Duration::ZERO).await;
            Err("a".to_string())
        })
        .unwrap();
        tg.create_task(async {
            sleep(Duration::ZERO).await;
            Err("b".to_string())
        })
        .unwrap();
        tg.create_task(ok_after(60)).unwrap();
        let err = tg.wait().await.unwrap_err();
        let msgs: Vec<String> = err.into_errors().into_iter().map(|e| e.to_string()).collect();
        assert_eq!(msgs, ["a", "b"]);
    });
}

#[test]
fn task_group_refuses_new_tasks_once_shutting_down() {
    vloop().run_until_complete(async {
        let tg = TaskGroup::<u64, String>::new();
        tg.create_task(async { Err("x".to_string()) }).unwrap();
        sleep(Duration::ZERO).await;
        sleep(Duration::ZERO).await;
        assert_eq!(tg.create_task(ok_after(1)).unwrap_err(), SpawnError::ShuttingDown);
        assert!(tg.wait().await.is_err());
    });
}

#[test]
fn task_group_refuses_new_tasks_once_finished() {
    vloop().run_until_complete(async {
        let tg = TaskGroup::<u64, String>::new();
        let handle = tg.clone();
        tg.create_task(ok_after(1)).unwrap();
        tg.wait().await.unwrap();
        assert_eq!(handle.create_task(ok_after(1)).unwrap_err(), SpawnError::Finished);
    });
}

#[test]
fn task_group_children_may_add_siblings_while_running() {
    let r = vloop().run_until_complete(async {
        let tg = TaskGroup::<u64, String>::new();
        let inner = tg.clone();
        tg.create_task(async move {
            sleep(Duration::from_secs(1)).await;
            inner.create_task(ok_after(2)).map_err(|e| e.to_string())?;
            Ok(1)
        })
        .unwrap();
        tg.wait().await
    });
    assert_eq!(r.unwrap(), [1, 2]);
}

#[test]
fn task_group_dropping_the_wait_cancels_the_children() {
    vloop().run_until_complete(async {
        let tg = TaskGroup::<u64, String>::new();
        let a = tg.create_task(ok_after(3600)).unwrap();
        assert!(tulip::wait_for(tg.wait(), Some(Duration::from_secs(1))).await.is_err());
        sleep(Duration::ZERO).await;
        assert!(a.cancelled());
        assert_eq!(tulip::all_tasks().len(), 1);
    });
}
