//! The shared total-timeout queue: its cases, and a model of it under the
//! virtual clock.

use super::*;
use std::time::Duration;

fn pending_until(flag: Rc<std::cell::Cell<bool>>) -> impl Future<Output = Result<u8, ClientError>> {
    std::future::poll_fn(move |_| if flag.get() { Poll::Ready(Ok(1)) } else { Poll::Pending })
}

#[test]
fn queued_deadlines_share_one_timer_and_each_expires_on_time() {
    tulip::run(async {
        let d = Deadlines::default();
        let t0 = Timers::with_current(Timers::now).unwrap();
        // A first request that finishes: the timer armed for it stays,
        // and re-arms for the next one when it fires.
        let quick = std::pin::pin!(async { Ok::<_, ClientError>(7) });
        let r = within(&d, Some(t0 + Duration::from_millis(30)), quick, || ClientError::Timeout(Duration::ZERO));
        assert_eq!(r.await.unwrap(), 7);
        let a = Rc::new(std::cell::Cell::new(false));
        let slow = std::pin::pin!(pending_until(a.clone()));
        let at = t0 + Duration::from_millis(80);
        let r = within(&d, Some(at), slow, || ClientError::Timeout(Duration::from_millis(80))).await;
        let now = Timers::with_current(Timers::now).unwrap();
        assert!(matches!(r, Err(ClientError::Timeout(_))), "{r:?}");
        assert!(now >= at, "not before its deadline");
        assert!(d.0.borrow().entries.is_empty(), "finished entries leave the queue");
    });
}

#[test]
fn one_waiting_request_does_not_keep_the_entries_of_those_done_after_it() {
    tulip::run(async {
        let d = Deadlines::default();
        let t0 = Timers::with_current(Timers::now).unwrap();
        let slow = d.register(t0 + Duration::from_secs(60)).unwrap();
        let ids: Vec<u64> = (0..1000).map(|_| d.register(t0 + Duration::from_secs(61)).unwrap()).collect();
        ids.iter().for_each(|&id| d.finish(id));
        assert!(d.0.borrow().entries.len() <= 40, "{} entries kept", d.0.borrow().entries.len());
        let waker = std::task::Waker::noop();
        assert!(!d.expired(slow, waker), "the waiting one is still queued");
        let late = d.register(t0 + Duration::from_secs(62)).unwrap();
        assert!(!d.expired(late, waker));
        d.finish(slow);
        d.finish(late);
        assert!(d.0.borrow().entries.is_empty());
    });
}

#[test]
fn a_shorter_deadline_after_the_queue_emptied_rearms_the_timer() {
    tulip::run(async {
        let d = Deadlines::default();
        let t0 = Timers::with_current(Timers::now).unwrap();
        // Armed for 60 s by a request that is then done.
        let long = d.register(t0 + Duration::from_secs(60)).unwrap();
        d.finish(long);
        let never = Rc::new(std::cell::Cell::new(false));
        let slow = std::pin::pin!(pending_until(never));
        let at = t0 + Duration::from_millis(20);
        let r = within(&d, Some(at), slow, || ClientError::Timeout(Duration::from_millis(20))).await;
        assert!(matches!(r, Err(ClientError::Timeout(_))), "{r:?}");
        let now = Timers::with_current(Timers::now).unwrap();
        assert!(now >= at && now < t0 + Duration::from_secs(5), "on time");
    });
}

#[test]
fn an_earlier_deadline_than_the_last_queued_takes_its_own_timer() {
    tulip::run(async {
        let d = Deadlines::default();
        let t0 = Timers::with_current(Timers::now).unwrap();
        let long = Rc::new(std::cell::Cell::new(false));
        let held = d.register(t0 + Duration::from_secs(60)).unwrap();
        assert_eq!(d.register(t0 + Duration::from_millis(10)), None);
        let slow = std::pin::pin!(pending_until(long));
        let at = t0 + Duration::from_millis(20);
        let r = within(&d, Some(at), slow, || ClientError::Timeout(Duration::from_millis(20))).await;
        assert!(matches!(r, Err(ClientError::Timeout(_))));
        assert!(Timers::with_current(Timers::now).unwrap() >= at);
        d.finish(held);
    });
}

#[test]
fn a_timer_armed_on_a_loop_that_closed_is_armed_again_on_the_next() {
    let d = Rc::new(Deadlines::default());
    let d2 = d.clone();
    // Armed for 10 ms on a first loop, which closes before it fires.
    tulip::run(async move {
        let t0 = Timers::with_current(Timers::now).unwrap();
        let id = d.register(t0 + Duration::from_millis(10)).unwrap();
        d.finish(id);
    });
    // On the next loop, a later deadline must not count on that timer.
    tulip::run(async move {
        let d = d2;
        let at = Timers::with_current(Timers::now).unwrap() + Duration::from_millis(50);
        let never = Rc::new(std::cell::Cell::new(false));
        let slow = std::pin::pin!(pending_until(never));
        let r = within(&d, Some(at), slow, || ClientError::Timeout(Duration::from_millis(50)));
        let r = tulip_timer::timeout(Duration::from_secs(5), r).await;
        assert!(matches!(r, Ok(Err(ClientError::Timeout(_)))), "{r:?}");
    });
}

#[test]
fn a_timeout_around_the_request_reports_when_both_expired() {
    tulip::run(async {
        let d = Deadlines::default();
        let t0 = Timers::with_current(Timers::now).unwrap();
        let never = Rc::new(std::cell::Cell::new(false));
        let at = t0 + Duration::from_millis(10);
        let inner = async {
            let slow = std::pin::pin!(pending_until(never));
            within(&d, Some(at), slow, || ClientError::Timeout(Duration::ZERO)).await
        };
        // The same deadline outside: the outer one reports, as with
        // nested `Timeout`s.
        let outer = tulip_timer::timeout_at(Some(at), inner).await;
        assert_eq!(outer.map(|_| ()), Err(tulip_timer::TimeoutError));
    });
}

#[derive(Debug, Clone)]
enum Op {
    /// A request with a total of this many ms (and, for some, a deadline
    /// earlier than the last queued: its own timer).
    Start(u64),
    /// The request started `n`-th (mod how many) gets its answer.
    Answer(usize),
    /// Time passes.
    Wait(u64),
}

fn op() -> impl proptest::strategy::Strategy<Value = Op> {
    use proptest::prelude::*;
    prop_oneof![(0u64..300).prop_map(Op::Start), any::<usize>().prop_map(Op::Answer), (0u64..120).prop_map(Op::Wait)]
}

/// What became of one request: answered before its deadline → its answer;
/// not answered by then → a timeout at its deadline (the virtual clock
/// jumps to it; the wheel rounds to its millisecond).
struct Outcome {
    deadline: Instant,
    answered_at: Rc<std::cell::Cell<Option<Instant>>>,
    result: Rc<std::cell::Cell<Option<(bool, Instant)>>>,
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(96))]

    #[test]
    fn every_request_ends_by_its_answer_or_at_its_deadline(ops in proptest::collection::vec(op(), 1..40)) {
        let ev = tulip::EventLoop::builder().virtual_clock().build().unwrap();
        let outcomes = ev.run_until_complete(async move {
            let d = Rc::new(Deadlines::default());
            let now = || Timers::with_current(Timers::now).unwrap();
            let mut outcomes: Vec<Outcome> = Vec::new();
            let mut answers: Vec<Rc<tulip::Event>> = Vec::new();
            for op in ops {
                match op {
                    Op::Start(ms) => {
                        let deadline = now() + Duration::from_millis(ms);
                        let answer = Rc::new(tulip::Event::new());
                        let result = Rc::new(std::cell::Cell::new(None));
                        let (d, a, r) = (d.clone(), answer.clone(), result.clone());
                        tulip::create_task(async move {
                            let reply = std::pin::pin!(async {
                                a.wait().await;
                                Ok::<_, ClientError>(())
                            });
                            let out = within(&d, Some(deadline), reply, || ClientError::Timeout(Duration::ZERO)).await;
                            r.set(Some((out.is_ok(), Timers::with_current(Timers::now).unwrap())));
                        });
                        answers.push(answer);
                        outcomes.push(Outcome { deadline, answered_at: Rc::new(std::cell::Cell::new(None)), result });
                    }
                    Op::Answer(n) if !answers.is_empty() => {
                        let i = n % answers.len();
                        if !answers[i].is_set() {
                            answers[i].set();
                            outcomes[i].answered_at.set(Some(now()));
                        }
                    }
                    Op::Answer(_) => {}
                    Op::Wait(ms) => tulip::sleep(Duration::from_millis(ms)).await,
                }
                tulip::sleep(Duration::ZERO).await;
            }
            tulip::sleep(Duration::from_secs(1)).await;
            outcomes
        });
        let ms = Duration::from_millis(1);
        for (i, o) in outcomes.iter().enumerate() {
            let (ok, at) = o.result.get().unwrap_or_else(|| panic!("request {i} never ended"));
            match o.answered_at.get() {
                // Answered well before its deadline: the answer.
                Some(t) if t + ms < o.deadline => proptest::prop_assert!(ok && at <= t + ms, "request {i}"),
                // Answered near its deadline: either, on time.
                Some(t) if t <= o.deadline + ms => proptest::prop_assert!(at <= o.deadline + ms, "request {i}"),
                // Answered late or never: a timeout, at its deadline.
                _ => proptest::prop_assert!(!ok && at >= o.deadline && at <= o.deadline + ms, "request {i}: {ok} at {:?} for {:?}", at, o.deadline),
            }
        }
    }
}
