//! A burst of jobs gets as many threads as it needs (up to the bound): a
//! job never waits behind another while the pool may still grow.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

#[test]
fn an_instant_job_does_not_wait_behind_a_slow_one() {
    futures_lite::future::block_on(async {
        // One thread, idle: the state in which a burst used to line up.
        tulip_blocking::to_thread(|| ()).await;
        std::thread::sleep(Duration::from_millis(50));
        let slow = tulip_blocking::to_thread(|| std::thread::sleep(Duration::from_secs(3)));
        let start = Instant::now();
        tulip_blocking::to_thread(|| ()).await;
        let waited = start.elapsed();
        assert!(waited < Duration::from_millis(1500), "the instant job waited {waited:?} behind the slow one");
        drop(slow); // its thread finishes on its own
    });
}
