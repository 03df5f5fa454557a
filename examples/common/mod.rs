//! Shared by the examples: the `--fast` flag and the tutorials' clocks.
#![allow(dead_code)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Delays as the tutorial has them, or a hundredth of them with `--fast`
/// (the tour and CI use it).
pub fn secs(s: f64) -> Duration {
    let fast = std::env::args().any(|a| a == "--fast");
    Duration::from_secs_f64(if fast { s / 100.0 } else { s })
}

/// `time.strftime('%X')`: the wall-clock time of day, HH:MM:SS (UTC here).
pub fn clock_time() -> String {
    let t = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    format!("{:02}:{:02}:{:02}", (t / 3600) % 24, (t / 60) % 60, t % 60)
}

/// `time.time()`: seconds since the Unix epoch, as a float.
pub fn epoch_secs() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs_f64()
}

/// Whether `--fast` was given.
pub fn fast() -> bool {
    std::env::args().any(|a| a == "--fast")
}

/// A duration measured in a run, in the tutorial's seconds: with `--fast`
/// the delays are a hundredth, so the measurement is scaled back (a
/// program's "took: 2.00 seconds" reads the same both ways).
pub fn tutorial_secs(d: Duration) -> f64 {
    d.as_secs_f64() / secs(1.0).as_secs_f64()
}

/// `random.randint(lo, hi)`: an integer in `lo..=hi` (xorshift, seeded from
/// the clock and a per-thread counter; good enough for demo delays).
pub fn randint(lo: u64, hi: u64) -> u64 {
    use std::cell::Cell;
    thread_local! {
        static STATE: Cell<u64> = Cell::new(
            SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(7) | 1,
        );
    }
    STATE.with(|s| {
        let mut x = s.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.set(x);
        lo + x % (hi - lo + 1)
    })
}

/// An HTTP `Date` header for now: "Wed, 17 Feb 2016 13:10:11 GMT".
pub fn http_date() -> String {
    let t = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let (days, rem) = ((t / 86_400) as i64, t % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    format!(
        "{}, {day:02} {} {year} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[days.rem_euclid(7) as usize],
        MONTHS[(month - 1) as usize],
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}
