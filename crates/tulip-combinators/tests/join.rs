//! gather_local and join!: in-place polling over borrowed data.
#![allow(clippy::unwrap_used)]

use std::cell::RefCell;
use std::time::Duration;

fn vloop() -> tulip::EventLoop {
    tulip::EventLoop::builder().virtual_clock().build().unwrap()
}

#[test]
fn gather_local_runs_concurrently_and_keeps_input_order() {
    let ev = vloop();
    let start = ev.time();
    let (out, log) = ev.run_until_complete(async {
        let log = RefCell::new(Vec::new());
        // `log` is borrowed by every child: no Rc, no 'static.
        let log_ref = &log;
        let out = tulip::gather_local([3u64, 1, 2].map(|s| async move {
            tulip::sleep(Duration::from_secs(s)).await;
            log_ref.borrow_mut().push(s);
            s * 10
        }))
        .await;
        (out, log.into_inner())
    });
    assert_eq!(out, [30, 10, 20]);
    assert_eq!(log, [1, 2, 3], "finished in time order");
    assert_eq!(ev.time() - start, Duration::from_secs(3), "concurrent, not one after the other");
}

#[test]
fn join_mixes_types_and_borrows_mutably_disjoint_data() {
    let ev = vloop();
    let (n, s, a, b) = ev.run_until_complete(async {
        let (mut a, mut b) = (Vec::new(), String::new());
        let (n, s) = tulip::join!(
            async {
                tulip::sleep(Duration::from_secs(2)).await;
                a.push(1);
                a.len()
            },
            async {
                tulip::sleep(Duration::from_secs(1)).await;
                b.push('x');
                "done"
            },
        )
        .await;
        (n, s, a, b)
    });
    assert_eq!((n, s, a, b.as_str()), (1, "done", vec![1], "x"));
}

#[test]
fn a_panicking_child_unwinds_through_the_caller() {
    let ev = vloop();
    let caught = ev.run_until_complete(async {
        tulip::create_task(async {
            tulip::join!(async { panic!("child") }, tulip::sleep(Duration::from_secs(5))).await;
        })
        .await
    });
    assert!(caught.unwrap_err().is_panic());
}
