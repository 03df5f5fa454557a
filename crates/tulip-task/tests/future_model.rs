//! proptest state machine: random sequences of operations on a `Future`
//! checked against a plain model of asyncio's Future.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use tulip_task::{CallbackId, Future, FutureError};

#[derive(Debug, Clone)]
enum Op {
    SetResult(u8),
    SetException,
    Cancel(bool),
    Result,
    Exception,
    AddCallback,
    RemoveCallback(usize),
    Await,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        any::<u8>().prop_map(Op::SetResult),
        Just(Op::SetException),
        any::<bool>().prop_map(Op::Cancel),
        Just(Op::Result),
        Just(Op::Exception),
        Just(Op::AddCallback),
        any::<usize>().prop_map(Op::RemoveCallback),
        Just(Op::Await),
    ]
}

#[derive(Debug, Clone, PartialEq)]
enum Model {
    Pending,
    Done(u8),
    Failed,
    Cancelled(Option<String>),
}

proptest! {
    #[test]
    fn future_matches_model(ops in proptest::collection::vec(op(), 1..40)) {
        let fut: Future<u8> = Future::new();
        let mut model = Model::Pending;
        // Callbacks registered and not removed, in order; which ran, in order.
        let mut live: Vec<(usize, CallbackId)> = Vec::new();
        let mut expected_runs: Vec<usize> = Vec::new();
        let ran = Rc::new(RefCell::new(Vec::new()));
        let mut next_cb = 0usize;

        for op in ops {
            let was_pending = model == Model::Pending;
            match op {
                Op::SetResult(v) => {
                    let r = fut.set_result(v);
                    prop_assert_eq!(r.is_ok(), was_pending);
                    if was_pending { model = Model::Done(v); }
                }
                Op::SetException => {
                    let r = fut.set_exception(std::io::Error::other("boom"));
                    prop_assert_eq!(r.is_ok(), was_pending);
                    if was_pending { model = Model::Failed; }
                }
                Op::Cancel(with_msg) => {
                    let msg = with_msg.then_some("stop");
                    prop_assert_eq!(fut.cancel(msg), was_pending);
                    if was_pending { model = Model::Cancelled(msg.map(str::to_owned)); }
                }
                Op::Result | Op::Await => {
                    let r = if matches!(op, Op::Await) && !was_pending {
                        futures_lite::future::block_on(fut.clone())
                    } else {
                        fut.result()
                    };
                    match (&model, r) {
                        (Model::Pending, Err(FutureError::InvalidState(_))) => {}
                        (Model::Done(v), Ok(got)) => prop_assert_eq!(*v, got),
                        (Model::Failed, Err(FutureError::Exception(e))) => prop_assert_eq!(e.to_string(), "boom"),
                        (Model::Cancelled(m), Err(FutureError::Cancelled(c))) => prop_assert_eq!(m, &c.message),
                        (m, r) => prop_assert!(false, "model {:?} but result {:?}", m, r),
                    }
                }
                Op::Exception => match (&model, fut.exception()) {
                    (Model::Pending, Err(FutureError::InvalidState(_))) => {}
                    (Model::Done(_), Ok(None)) => {}
                    (Model::Failed, Ok(Some(_))) => {}
                    (Model::Cancelled(_), Err(FutureError::Cancelled(_))) => {}
                    (m, r) => prop_assert!(false, "model {:?} but exception {:?}", m, r),
                },
                Op::AddCallback => {
                    let n = next_cb;
                    next_cb += 1;
                    let ran2 = ran.clone();
                    let id = fut.add_done_callback(move |_| ran2.borrow_mut().push(n));
                    if was_pending {
                        live.push((n, id));
                    } else {
                        // Done already: with no loop installed it runs at once.
                        expected_runs.push(n);
                    }
                }
                Op::RemoveCallback(i) => {
                    if live.is_empty() {
                        continue;
                    }
                    let (_, id) = live.remove(i % live.len());
                    prop_assert_eq!(fut.remove_done_callback(id), 1);
                    prop_assert_eq!(fut.remove_done_callback(id), 0);
                }
            }
            if was_pending && model != Model::Pending {
                // Completion runs every live callback once, in registration order.
                expected_runs.extend(live.drain(..).map(|(n, _)| n));
            }
            prop_assert_eq!(fut.done(), model != Model::Pending);
            prop_assert_eq!(fut.cancelled(), matches!(model, Model::Cancelled(_)));
            prop_assert_eq!(&*ran.borrow(), &expected_runs);
        }
        // Consume any exception so the drop does not report it.
        let _ = fut.exception();
    }
}
