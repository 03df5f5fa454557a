//! Long batches: an iteration with thousands of ready items, and thousands
//! of timers due in one millisecond, take the loop's prefetching paths
//! (`run_ready_prefetching`, `Timers::pop_expired`'s cache hint). Those
//! change only what the CPU loads early: the order of work and what is
//! freed must be exactly as in a short batch.
#![allow(clippy::unwrap_used)]

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::time::{Duration, Instant};
use tulip_reactor::{all_tasks, create_task, EventLoop};
use tulip_timer::{sleep, sleep_until};

/// More than the loop's threshold for a prefetching batch (4096).
const N: usize = 10_000;

type Log<T> = Rc<RefCell<Vec<T>>>;

/// Runs `main` on a new loop with a log its tasks push to; returns the log.
fn run_logging<T, F: Future<Output = ()> + 'static>(main: impl FnOnce(Log<T>) -> F) -> Vec<T> {
    let log: Log<T> = Rc::new(RefCell::new(Vec::new()));
    EventLoop::new().run_until_complete(main(log.clone()));
    log.take()
}

#[test]
fn a_long_batch_of_tasks_and_callbacks_runs_in_fifo_order() {
    let order = run_logging(|o| async move {
        let mut handles = Vec::new();
        for i in 0..N {
            let o = o.clone();
            if i % 3 == 0 {
                // A callback between the task steps, in its place.
                tulip_reactor::get_running_loop().call_soon(move || o.borrow_mut().push((0, i)));
            } else {
                handles.push(create_task(async move {
                    o.borrow_mut().push((0, i));
                    // Every other task comes back once, in the next batch.
                    if i % 2 == 0 {
                        sleep(Duration::ZERO).await;
                        o.borrow_mut().push((1, i));
                    }
                }));
            }
        }
        for h in handles {
            h.await.unwrap();
        }
        assert!(all_tasks().len() <= 1, "finished tasks left in the registry");
    });
    let first: Vec<usize> = order.iter().filter(|(pass, _)| *pass == 0).map(|(_, i)| *i).collect();
    assert_eq!(first, (0..N).collect::<Vec<_>>());
    let second: Vec<usize> = order.iter().filter(|(pass, _)| *pass == 1).map(|(_, i)| *i).collect();
    let expected: Vec<usize> = (0..N).filter(|i| i % 3 != 0 && i % 2 == 0).collect();
    assert_eq!(second, expected);
    // Every second step ran after every first one.
    let last_first = order.iter().rposition(|(pass, _)| *pass == 0).unwrap();
    assert_eq!(order[last_first + 1..].len(), expected.len());
}

#[test]
fn thousands_of_timers_due_in_one_millisecond_wake_in_deadline_order() {
    let woke = run_logging(|w| async move {
        let at = Instant::now() + Duration::from_millis(5);
        // Deadlines a nanosecond apart, created in a scrambled order.
        let handles: Vec<_> = (0..N)
            .map(|k| k * 7_919 % N)
            .map(|i| {
                let w = w.clone();
                create_task(async move {
                    sleep_until(at + Duration::from_nanos(i as u64)).await;
                    w.borrow_mut().push(i);
                })
            })
            .collect();
        for h in handles {
            h.await.unwrap();
        }
    });
    assert_eq!(woke, (0..N).collect::<Vec<_>>());
}
