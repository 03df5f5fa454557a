#![allow(clippy::unwrap_used)]
//! The runtime's loops, their threads and cores, and work and messages
//! crossing between them.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::mpsc;
use std::time::Duration;
use tulip_runtime::{IndexError, Runtime, RuntimeHandle};

#[test]
fn every_loop_runs_on_its_own_thread_and_knows_its_index() {
    let rt = Runtime::new(3).unwrap();
    let seen: Vec<_> = (0..3)
        .map(|k| {
            rt.spawn_on(k, || async { (RuntimeHandle::current_index(), std::thread::current().id()) })
                .unwrap()
                .result()
                .unwrap()
        })
        .collect();
    for (k, (index, _)) in seen.iter().enumerate() {
        assert_eq!(*index, Some(k));
    }
    assert_ne!(seen[0].1, seen[1].1);
    assert_ne!(seen[1].1, seen[2].1);
    assert_ne!(seen[0].1, std::thread::current().id());
    assert_eq!(RuntimeHandle::current_index(), None);
    rt.shutdown();
}

#[test]
fn a_pinned_loop_runs_on_its_core() {
    let rt = Runtime::new(2).unwrap();
    for k in 0..2 {
        let Some(core) = rt.core(k) else {
            println!("skipped: the OS did not let loop {k} be pinned");
            continue;
        };
        // SAFETY: sched_getcpu has no preconditions.
        let on = rt.spawn_on(k, || async { unsafe { libc::sched_getcpu() } }).unwrap().result().unwrap();
        assert_eq!(usize::try_from(on).unwrap(), core);
    }
}

#[test]
fn a_loop_index_out_of_range_is_an_index_error() {
    let rt = Runtime::new(1).unwrap();
    let err = rt.spawn_on(1, || async {}).unwrap_err();
    assert_eq!(err, IndexError { index: 1, loops: 1 });
    assert!(err.to_string().contains("out of range"));
    assert!(rt.remote(5).is_err());
    assert!(Runtime::new(0).is_err());
}

#[test]
fn a_task_on_one_loop_awaits_work_started_on_another() {
    let rt = Runtime::new(2).unwrap();
    let handle = rt.handle();
    let out = rt
        .spawn_on(0, move || async move {
            let here = std::thread::current().id();
            let there = handle
                .spawn_on(1, || async {
                    tulip::sleep(Duration::from_millis(5)).await;
                    std::thread::current().id()
                })
                .unwrap()
                .await
                .unwrap();
            (here, there)
        })
        .unwrap()
        .result()
        .unwrap();
    assert_ne!(out.0, out.1);
}

#[test]
fn an_async_channel_carries_messages_both_ways_between_loops() {
    let rt = Runtime::new(2).unwrap();
    let (to_1, from_0) = async_channel::bounded::<u64>(4);
    let (to_0, from_1) = async_channel::bounded::<u64>(4);
    let echo = rt
        .spawn_on(1, move || async move {
            while let Ok(n) = from_0.recv().await {
                to_0.send(n * 2).await.unwrap();
            }
        })
        .unwrap();
    let total = rt
        .spawn_on(0, move || async move {
            let mut total = 0;
            for n in 0..1000 {
                to_1.send(n).await.unwrap();
                total += from_1.recv().await.unwrap();
            }
            total
        })
        .unwrap()
        .result()
        .unwrap();
    assert_eq!(total, 2 * (0..1000).sum::<u64>());
    echo.result().unwrap();
}

/// Sets its flag when dropped: a task's `finally:`.
struct Finally(Rc<Cell<bool>>, mpsc::Sender<()>);

impl Drop for Finally {
    fn drop(&mut self) {
        self.0.set(true);
        let _ = self.1.send(());
    }
}

#[test]
fn stopping_the_runtime_cancels_every_loop_s_tasks_and_runs_their_destructors() {
    let rt = Runtime::new(2).unwrap();
    let (dropped, drops) = mpsc::channel();
    let (started, starts) = mpsc::channel();
    for k in 0..2 {
        let (dropped, started) = (dropped.clone(), started.clone());
        rt.spawn_on(k, move || async move {
            let guard = Finally(Rc::new(Cell::new(false)), dropped);
            started.send(()).unwrap();
            std::future::pending::<()>().await;
            drop(guard);
        })
        .unwrap();
    }
    drop(dropped);
    starts.recv().unwrap();
    starts.recv().unwrap();
    rt.shutdown();
    assert_eq!(drops.iter().count(), 2, "each loop ran its task's destructor");
}

#[test]
fn a_cancelled_concurrent_future_cancels_its_task_on_the_other_loop() {
    let rt = Runtime::new(1).unwrap();
    let (dropped, drops) = mpsc::channel();
    let (started, starts) = mpsc::channel();
    let work = rt
        .spawn_on(0, move || async move {
            let _guard = Finally(Rc::new(Cell::new(false)), dropped);
            started.send(()).unwrap();
            std::future::pending::<()>().await
        })
        .unwrap();
    starts.recv().unwrap();
    assert!(work.cancel());
    assert!(work.result().unwrap_err().is_cancelled());
    drops.recv_timeout(Duration::from_secs(10)).unwrap();
}

#[test]
fn work_sent_to_a_shut_down_runtime_is_answered_cancelled() {
    let rt = Runtime::new(1).unwrap();
    let handle = rt.handle();
    rt.shutdown();
    let late = handle.spawn_on(0, || async { 1 }).unwrap();
    assert!(late.result().unwrap_err().is_cancelled());
}

#[test]
fn run_per_core_returns_every_main_s_outcome_in_loop_order() {
    let outs = tulip_runtime::run_per_core(3, |k| async move {
        let rt = RuntimeHandle::current().unwrap();
        assert_eq!(rt.loops(), 3);
        if k == 2 {
            panic!("main 2 fails");
        }
        tulip::sleep(Duration::from_millis(1)).await;
        k * 10
    })
    .unwrap();
    assert_eq!(outs.len(), 3);
    assert_eq!(*outs[0].as_ref().unwrap(), 0);
    assert_eq!(*outs[1].as_ref().unwrap(), 10);
    assert!(matches!(outs[2], Err(tulip::TaskError::Panicked(_))));
}

#[test]
fn many_tasks_hop_between_loops_without_losing_one() {
    let rt = Runtime::new(2).unwrap();
    let handle = rt.handle();
    let sum = rt
        .spawn_on(0, move || async move {
            let hops: Vec<_> =
                (0..2000u64).map(|i| handle.spawn_on((i % 2) as usize, move || async move { i }).unwrap()).collect();
            let mut sum = 0;
            for h in hops {
                sum += h.await.unwrap();
            }
            sum
        })
        .unwrap()
        .result()
        .unwrap();
    assert_eq!(sum, (0..2000u64).sum::<u64>());
}

#[test]
fn a_runtime_dropped_on_one_of_its_own_loops_stops_without_deadlock() {
    let rt = Runtime::new(2).unwrap();
    let handle = rt.handle();
    let (done, finished) = mpsc::channel();
    let (moved, arrived) = mpsc::channel::<Runtime>();
    let holder = handle
        .spawn_on(1, move || async move {
            let rt = arrived.recv().unwrap();
            drop(rt); // stops both loops and joins loop 0's thread only
            done.send(()).unwrap();
        })
        .unwrap();
    moved.send(rt).unwrap();
    finished.recv_timeout(Duration::from_secs(20)).expect("drop returned on the loop");
    drop(holder);
    // Loop 0 is closed: work sent there now is answered "cancelled".
    let late = handle.spawn_on(0, || async { 1 }).unwrap();
    assert!(late.result_timeout(Duration::from_secs(20)).unwrap().unwrap_err().is_cancelled());
}
