//! `Duration::MAX` means "practically never" everywhere a duration is added
//! to an instant: it saturates, it never panics.
#![allow(clippy::unwrap_used)]

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use tulip_timer::{sleep, timeout, Clock, Timers};

#[test]
fn duration_max_saturates_instead_of_panicking() {
    let clock = Clock::virtual_clock();
    let t0 = clock.now();
    clock.advance(Duration::MAX);
    let far = clock.now();
    assert!(far > t0 + Duration::from_secs(50 * 365 * 24 * 3600));
    clock.advance(Duration::MAX); // from far away already
    assert!(clock.now() >= far);

    let timers = Timers::new(Clock::virtual_clock());
    let _entered = timers.enter();
    let mut cx = Context::from_waker(Waker::noop());
    let mut nap = pin!(sleep(Duration::MAX));
    assert_eq!(nap.as_mut().poll(&mut cx), Poll::Pending);
    assert!(nap.deadline().unwrap() > timers.now());
    let mut limited = pin!(timeout(Duration::MAX, std::future::pending::<()>()));
    assert_eq!(limited.as_mut().poll(&mut cx), Poll::Pending);
    assert!(limited.when().unwrap() > timers.now());
    timers.clock().advance(Duration::MAX);
    // The far deadlines are representable and still ordered.
    assert!(timers.next_deadline().is_some());
}
