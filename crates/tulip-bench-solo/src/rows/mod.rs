//! tulip's halves of the single-core rows, by name, and what they share
//! with their peers' halves (which call [`scaled`] and [`Rng`] too, so that
//! every runtime does the same work).

pub mod combinators;
pub mod core;
pub mod precision;

use crate::sample::Sample;

/// tulip's half of a row: a sample at a scale.
pub type Row = fn(f64) -> Sample;

/// The rows this package runs, by the names `tulip-bench` prints, with
/// tulip's half of each.
pub const ROWS: [(&str, Row); 11] = [
    ("spawn_join", core::spawn_join::tulip),
    ("yield_switch", core::yield_switch::tulip),
    ("timers", core::timers::tulip),
    ("timer_cancel", core::timer_cancel::tulip),
    ("idle_tasks_mem", core::idle_mem::tulip),
    ("idle_tasks_rss", core::idle_rss::tulip),
    ("timer_precision_10k", precision::tulip),
    ("gather_100k", combinators::gather::tulip),
    ("wait_first_completed_10k", combinators::wait_first::tulip),
    ("as_completed_100k", combinators::as_completed::tulip),
    ("wait_for_1m", combinators::wait_for::tulip),
];

/// tulip's half of the row called `name`, if this package has it.
///
/// ```
/// assert!(tulip_bench_solo::rows::find("gather_100k").is_some());
/// assert!(tulip_bench_solo::rows::find("tcp_echo").is_none());
/// ```
pub fn find(name: &str) -> Option<Row> {
    ROWS.iter().find(|(n, _)| *n == name).map(|(_, row)| *row)
}

/// `n` scaled, at least 1.
pub fn scaled(n: usize, scale: f64) -> usize {
    ((n as f64 * scale) as usize).max(1)
}

/// A small deterministic generator (xorshift64*), the same for every runtime.
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed` (non-zero).
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    /// The next number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) % n
    }
}
