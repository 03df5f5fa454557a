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
