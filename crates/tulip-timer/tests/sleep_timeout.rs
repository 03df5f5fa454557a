//! `sleep` and `timeout` driven by a minimal loop on a virtual clock.
#![allow(clippy::unwrap_used)]

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};
use tulip_timer::{sleep, sleep_until, timeout, timeout_at, Clock, TimeoutError, Timers};

#[derive(Default)]
struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// What an event loop does with one task: poll it while woken; when it
/// waits, fire due timers, and jump the virtual clock to the next deadline
/// if nothing woke it. Returns the output and how many polls it took.
fn run<F: Future>(timers: &Rc<Timers>, fut: F) -> (F::Output, usize) {
    let _entered = timers.enter();
    let flag = Arc::new(Flag::default());
    let waker = Waker::from(flag.clone());
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(fut);
    let mut polls = 0;
    loop {
        polls += 1;
        assert!(polls < 10_000, "the task never finished");
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return (v, polls);
        }
        loop {
            while let Some(entry) = timers.pop_expired(timers.now()) {
                entry.fire();
            }
            if flag.0.swap(false, Ordering::SeqCst) {
                break;
            }
            let next = timers.next_deadline().expect("task waits but no timer is pending");
            timers.clock().advance_to(next);
        }
    }
}

fn virtual_timers() -> (Rc<Timers>, Instant) {
    let timers = Timers::new(Clock::virtual_clock());
    let start = timers.now();
    (timers, start)
}

#[test]
fn sleep_zero_yields_exactly_once_without_timers() {
    let (timers, start) = virtual_timers();
    let _entered = timers.enter();
    let flag = Arc::new(Flag::default());
    let waker = Waker::from(flag.clone());
    let mut cx = Context::from_waker(&waker);
    let mut s = sleep(Duration::ZERO);
    assert!(std::pin::Pin::new(&mut s).poll(&mut cx).is_pending());
    assert!(flag.0.load(Ordering::SeqCst), "sleep(0) must wake itself to run again next iteration");
    assert_eq!(timers.len(), 0);
    assert!(std::pin::Pin::new(&mut s).poll(&mut cx).is_ready());
    assert_eq!(timers.now(), start);
}

#[test]
fn sleep_takes_exactly_its_virtual_time() {
    let (timers, start) = virtual_timers();
    let ((), polls) = run(&timers, async {
        sleep(Duration::from_secs(5)).await;
        sleep(Duration::from_millis(1_500)).await;
    });
    assert_eq!(timers.now() - start, Duration::from_millis(6_500));
    assert_eq!(polls, 3);
    assert!(timers.is_empty());
}

#[test]
fn sleep_days_and_beyond_the_wheel_on_a_virtual_clock() {
    let (timers, start) = virtual_timers();
    let three_years = Duration::from_secs(3 * 365 * 24 * 3600);
    let ((), polls) = run(&timers, sleep(three_years + Duration::from_micros(250)));
    assert_eq!(timers.now() - start, three_years + Duration::from_micros(250));
    // The loop wakes a few times as far timers cascade down, not once per ms.
    assert!(polls < 20, "{polls} polls");
}

#[test]
fn a_positive_sleep_is_never_ready_on_its_first_poll() {
    let (timers, start) = virtual_timers();
    let (_, polls) = run(&timers, sleep_until(start - Duration::from_secs(1)));
    assert_eq!(polls, 2);
    assert_eq!(timers.now(), start);
}

#[test]
fn dropping_a_pending_sleep_cancels_its_timer() {
    let (timers, _) = virtual_timers();
    let _entered = timers.enter();
    let mut s = sleep(Duration::from_secs(60));
    let mut cx = Context::from_waker(Waker::noop());
    assert!(std::pin::Pin::new(&mut s).poll(&mut cx).is_pending());
    assert_eq!(timers.len(), 1);
    drop(s);
    assert_eq!(timers.len(), 0);
}

#[test]
fn a_ready_sleep_stays_ready_and_reset_rearms_it() {
    let (timers, start) = virtual_timers();
    let mut s = sleep(Duration::from_secs(1));
    run(&timers, &mut s);
    assert_eq!(run(&timers, &mut s).1, 1);
    s.reset(timers.now() + Duration::from_secs(2));
    run(&timers, &mut s);
    assert_eq!(timers.now() - start, Duration::from_secs(3));
}

#[test]
fn reset_moves_a_registered_timer_with_its_waker() {
    let (timers, start) = virtual_timers();
    let _entered = timers.enter();
    let flag = Arc::new(Flag::default());
    let waker = Waker::from(flag.clone());
    let mut s = sleep(Duration::from_secs(10));
    assert!(std::pin::Pin::new(&mut s).poll(&mut Context::from_waker(&waker)).is_pending());
    s.reset(start + Duration::from_secs(1));
    assert_eq!(timers.len(), 1);
    let next = timers.next_deadline().unwrap();
    assert!(next <= start + Duration::from_secs(1));
    timers.clock().advance_to(start + Duration::from_secs(1));
    while let Some(e) = timers.pop_expired(timers.now()) {
        e.fire();
    }
    assert!(flag.0.load(Ordering::SeqCst), "the moved timer woke the task");
}

#[test]
fn huge_durations_do_not_panic() {
    let (timers, _) = virtual_timers();
    let _entered = timers.enter();
    let mut s = sleep(Duration::MAX);
    assert!(std::pin::Pin::new(&mut s).poll(&mut Context::from_waker(Waker::noop())).is_pending());
    assert_eq!(timers.len(), 1);
}

#[test]
#[should_panic(expected = "tulip::sleep must be polled inside a running tulip event loop")]
fn sleep_outside_a_loop_panics_clearly() {
    let mut s = sleep(Duration::from_millis(1));
    let _ = std::pin::Pin::new(&mut s).poll(&mut Context::from_waker(Waker::noop()));
}

#[test]
fn timeout_fires_and_leaves_no_timer() {
    let (timers, start) = virtual_timers();
    let (out, _) = run(&timers, timeout(Duration::from_secs(1), sleep(Duration::from_secs(10))));
    assert_eq!(out, Err(TimeoutError));
    assert_eq!(timers.now() - start, Duration::from_secs(1));
    assert!(timers.is_empty());
    assert_eq!(TimeoutError.to_string(), "timed out");
}

#[test]
fn timeout_passes_the_output_through_in_time() {
    let (timers, start) = virtual_timers();
    let (out, _) = run(
        &timers,
        timeout(Duration::from_secs(10), async {
            sleep(Duration::from_secs(1)).await;
            7
        }),
    );
    assert_eq!(out, Ok(7));
    assert_eq!(timers.now() - start, Duration::from_secs(1));
    assert!(timers.is_empty());
}

#[test]
fn a_ready_future_never_touches_the_timer_queue() {
    let (timers, _) = virtual_timers();
    let (out, polls) = run(&timers, timeout(Duration::ZERO, async { 5 }));
    assert_eq!((out, polls), (Ok(5), 1));
    assert!(timers.is_empty());
}

struct OnDrop(Rc<Cell<bool>>);

impl Drop for OnDrop {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

#[test]
fn the_inner_future_is_dropped_before_the_error_is_returned() {
    let (timers, _) = virtual_timers();
    let dropped = Rc::new(Cell::new(false));
    let d = dropped.clone();
    let (seen, _) = run(&timers, async move {
        let guard = OnDrop(d.clone());
        let inner = async move {
            let _guard = guard;
            sleep(Duration::from_secs(60)).await;
        };
        let out = timeout(Duration::from_secs(1), inner).await;
        (out, d.get())
    });
    assert_eq!(seen, (Err(TimeoutError), true));
    assert!(dropped.get());
}

#[test]
fn reschedule_moves_a_registered_deadline_earlier_later_or_away() {
    let (timers, start) = virtual_timers();
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    run(&timers, async move {
        let mut t = timeout(Duration::from_secs(10), sleep(Duration::from_secs(100)));
        assert_eq!(t.when(), None);
        assert!(futures_lite::future::poll_once(&mut t).await.is_none());
        let t0 = Timers::with_current(|t| t.now()).unwrap();
        assert_eq!(t.when(), Some(t0 + Duration::from_secs(10)));
        t.reschedule(Some(t0 + Duration::from_secs(2))).unwrap();
        let out = (&mut t).await;
        l.borrow_mut().push(out);
        assert!(t.expired());

        let mut never = timeout(Duration::from_secs(1), sleep(Duration::from_secs(3)));
        assert!(futures_lite::future::poll_once(&mut never).await.is_none());
        never.reschedule(None).unwrap();
        let out = never.await;
        l.borrow_mut().push(out);
    });
    assert_eq!(*log.borrow(), [Err(TimeoutError), Ok(())]);
    assert_eq!(timers.now() - start, Duration::from_secs(5));
    assert!(timers.is_empty());
}

#[test]
fn timeout_at_a_past_deadline_still_polls_the_inner_future_first() {
    let (timers, start) = virtual_timers();
    let polled = Rc::new(Cell::new(0));
    let p = polled.clone();
    let inner = std::future::poll_fn(move |_| {
        p.set(p.get() + 1);
        Poll::<()>::Pending
    });
    let (out, _) = run(&timers, timeout_at(Some(start - Duration::from_secs(1)), inner));
    assert_eq!(out, Err(TimeoutError));
    assert_eq!(polled.get(), 1);
    assert_eq!(timers.now(), start);
}

#[test]
fn timeout_handle_reschedules_from_inside() {
    let (timers, start) = virtual_timers();
    let handle = Rc::new(RefCell::new(None::<tulip_timer::TimeoutHandle>));
    let h = handle.clone();
    let mut t = timeout(Duration::from_secs(1), async move {
        let h = h.borrow().clone().unwrap();
        // Not started waiting yet, so no fixed deadline: set one.
        assert_eq!(h.when(), None);
        let now = Timers::with_current(|t| t.now()).unwrap();
        h.reschedule(Some(now + Duration::from_secs(10))).unwrap();
        sleep(Duration::from_secs(5)).await;
        "made it"
    });
    *handle.borrow_mut() = Some(t.handle());
    let (out, _) = run(&timers, t);
    assert_eq!(out, Ok("made it"));
    assert_eq!(timers.now() - start, Duration::from_secs(5));
}
