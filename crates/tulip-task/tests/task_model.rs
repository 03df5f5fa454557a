//! proptest state machine: a `Task` driven by a minimal executor through
//! random runs, wakes, cancellations, completions and panics, checked against
//! a model of asyncio's task states.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use tulip_task::{Task, TaskBuilder, TaskError, TaskRunnable, TaskState};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Next {
    Wait,
    Finish(u8),
    Panic,
}

#[derive(Default)]
struct Probe {
    polls: Cell<u32>,
    dropped: Cell<bool>,
    waker: RefCell<Option<Waker>>,
    next: Cell<Option<Next>>,
}

struct Scripted(Rc<Probe>);

impl Future for Scripted {
    type Output = u8;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u8> {
        let p = &self.0;
        p.polls.set(p.polls.get() + 1);
        match p.next.get().unwrap_or(Next::Wait) {
            Next::Wait => {
                *p.waker.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }
            Next::Finish(v) => Poll::Ready(v),
            Next::Panic => panic!("scripted panic"),
        }
    }
}

impl Drop for Scripted {
    fn drop(&mut self) {
        self.0.dropped.set(true);
        self.0.waker.borrow_mut().take();
    }
}

#[derive(Debug, Clone)]
enum Op {
    Run,
    Wake,
    Cancel,
    SetNext(Next),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => Just(Op::Run),
        2 => Just(Op::Wake),
        1 => Just(Op::Cancel),
        1 => any::<u8>().prop_map(|v| Op::SetNext(Next::Finish(v))),
        1 => Just(Op::SetNext(Next::Panic)),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Model {
    Pending,
    Running,
    Done(Option<u8>),
    Cancelled,
}

proptest! {
    #[test]
    fn task_matches_model(ops in proptest::collection::vec(op(), 1..30)) {
        std::panic::set_hook(Box::new(|_| {}));
        let queue: Arc<Mutex<VecDeque<TaskRunnable>>> = Arc::default();
        let q = queue.clone();
        let probe = Rc::new(Probe::default());
        let (runnable, task): (TaskRunnable, Task<u8>) =
            TaskBuilder::new().spawn_local(Scripted(probe.clone()), move |r| q.lock().unwrap().push_back(r));
        queue.lock().unwrap().push_back(runnable);
        let mut model = Model::Pending;
        let mut cancel_requested = false;

        for op in ops {
            match op {
                Op::Run => {
                    let r = queue.lock().unwrap().pop_front();
                    let Some(r) = r else { continue };
                    let polls_before = probe.polls.get();
                    r.run();
                    if cancel_requested {
                        // A cancelled task's future is dropped, never polled again.
                        prop_assert_eq!(probe.polls.get(), polls_before);
                        prop_assert!(probe.dropped.get());
                        model = Model::Cancelled;
                    } else {
                        prop_assert_eq!(probe.polls.get(), polls_before + 1);
                        model = match probe.next.get() {
                            None | Some(Next::Wait) => Model::Running,
                            Some(Next::Finish(v)) => Model::Done(Some(v)),
                            Some(Next::Panic) => Model::Done(None),
                        };
                    }
                }
                Op::Wake => {
                    let w = probe.waker.borrow().clone();
                    if let Some(w) = w {
                        w.wake();
                    }
                }
                Op::Cancel => {
                    let done = matches!(model, Model::Done(_) | Model::Cancelled);
                    prop_assert_eq!(task.cancel(), !done);
                    if !done {
                        cancel_requested = true;
                        // cancel() wakes the task so it gets to drop its future.
                        prop_assert!(!queue.lock().unwrap().is_empty());
                    }
                }
                Op::SetNext(n) => probe.next.set(Some(n)),
            }
            let expected = match model {
                Model::Pending => TaskState::Pending,
                Model::Running => TaskState::Running,
                Model::Done(_) => TaskState::Done,
                Model::Cancelled => TaskState::Cancelled,
            };
            prop_assert_eq!(task.state(), expected);
            prop_assert_eq!(task.done(), matches!(model, Model::Done(_) | Model::Cancelled));
            // Never more than one runnable per task.
            prop_assert!(queue.lock().unwrap().len() <= 1);
        }
        if let Model::Done(_) | Model::Cancelled = model {
            prop_assert!(probe.dropped.get());
            let out = futures_lite::future::block_on(task);
            match (model, out) {
                (Model::Done(Some(v)), Ok(got)) => prop_assert_eq!(v, got),
                (Model::Done(None), Err(TaskError::Panicked(p))) => prop_assert_eq!(p.message(), "scripted panic"),
                (Model::Cancelled, Err(TaskError::Cancelled(_))) => {}
                (m, o) => prop_assert!(false, "model {:?}, output {:?}", m, o),
            }
        } else {
            drop(task);
        }
        let _ = std::panic::take_hook();
    }
}
