//! What a sample is: the figures one run of one workload on one runtime
//! measured, the CPU time it used, and the line a child process prints it
//! on for its parent.

use std::time::Duration;

/// What one run of one workload on one runtime measured.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    /// The figure the rows are compared by (lower is better): seconds for
    /// time rows, bytes for memory rows.
    pub value: f64,
    /// A secondary figure shown beside the median (e.g. mean timer lateness
    /// in ms), or `None`.
    pub extra: Option<f64>,
    /// CPU seconds per operation, `[user + system, user]` (the whole
    /// process, see [`cpu_time`]), or `None`: steadier than wall time on a
    /// shared machine, and the user part is the runtime's own work.
    pub cpu_per_op: Option<[f64; 2]>,
}

impl Sample {
    /// A sample measured in wall-clock time.
    pub fn time(elapsed: Duration) -> Self {
        Sample { value: elapsed.as_secs_f64(), extra: None, cpu_per_op: None }
    }

    /// A time sample with a secondary figure.
    pub fn time_with(elapsed: Duration, extra: f64) -> Self {
        Sample { value: elapsed.as_secs_f64(), extra: Some(extra), cpu_per_op: None }
    }

    /// A time sample of `ops` operations that took `elapsed` of wall time and
    /// `cpu` of CPU time (the difference of two [`cpu_time`]s); the secondary
    /// figure is the wall time per operation in µs.
    pub fn time_cpu(elapsed: Duration, cpu: CpuTime, ops: usize) -> Self {
        let ops = ops.max(1) as f64;
        Sample {
            value: elapsed.as_secs_f64(),
            extra: Some(elapsed.as_secs_f64() / ops * 1e6),
            cpu_per_op: Some([(cpu.user + cpu.system).as_secs_f64() / ops, cpu.user.as_secs_f64() / ops]),
        }
    }

    /// A sample that is a size in bytes.
    pub fn bytes(bytes: f64) -> Self {
        Sample { value: bytes, extra: None, cpu_per_op: None }
    }

    /// A size in bytes with a secondary figure.
    pub fn bytes_with(bytes: f64, extra: f64) -> Self {
        Sample { value: bytes, extra: Some(extra), cpu_per_op: None }
    }
}

/// CPU time, split as `getrusage` reports it.
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuTime {
    /// In user space.
    pub user: Duration,
    /// In the kernel (for the I/O rows: mostly loopback TCP).
    pub system: Duration,
}

impl CpuTime {
    /// `self - earlier`, component by component.
    pub fn since(self, earlier: CpuTime) -> CpuTime {
        CpuTime { user: self.user.saturating_sub(earlier.user), system: self.system.saturating_sub(earlier.system) }
    }
}

/// CPU time this process has used so far, all threads
/// (`getrusage(RUSAGE_SELF)`). The harness runs every sample in this one
/// process, so take the difference around the measured part.
///
/// The sum is exact (the scheduler's runtime); the user/system split is the
/// kernel's estimate from sampling at each tick (4 ms at HZ=250), so the
/// user part means something only over runs of a second or more. Kernel
/// work deferred to `ksoftirqd` is not counted.
pub fn cpu_time() -> CpuTime {
    let mut ru = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `ru` is valid for writes of a `rusage`; RUSAGE_SELF is a valid `who`.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, ru.as_mut_ptr()) };
    if rc != 0 {
        return CpuTime::default();
    }
    // SAFETY: all-zero is a valid `rusage` (plain integers), and getrusage succeeded.
    let ru = unsafe { ru.assume_init() };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    CpuTime { user: tv(ru.ru_utime), system: tv(ru.ru_stime) }
}

/// The line prefix a child prints its sample after.
const TAG: &str = "SAMPLE";

fn opt(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{v:e}"))
}

/// The line `--sample` prints: the primary figure, the extra one and the
/// CPU per operation, `-` where absent.
pub fn format_sample(s: &Sample) -> String {
    let [total, user] = s.cpu_per_op.map_or([None, None], |[t, u]| [Some(t), Some(u)]);
    format!("{TAG} {:e} {} {} {}", s.value, opt(s.extra), opt(total), opt(user))
}

/// Parses a line that [`format_sample`] wrote.
pub fn parse_sample(line: &str) -> Option<Sample> {
    let mut it = line.strip_prefix(TAG)?.split_whitespace();
    let value = it.next()?.parse().ok()?;
    let mut next = || it.next().and_then(|v| v.parse::<f64>().ok());
    let extra = next();
    let cpu_per_op = match (next(), next()) {
        (Some(t), Some(u)) => Some([t, u]),
        _ => None,
    };
    Some(Sample { value, extra, cpu_per_op })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_sample_survives_the_trip_through_text() {
        let s = Sample { value: 1.5e-4, extra: None, cpu_per_op: Some([2e-6, 1e-6]) };
        let back = parse_sample(&format_sample(&s)).unwrap();
        assert_eq!(back.value, s.value);
        assert_eq!(back.extra, None);
        assert_eq!(back.cpu_per_op, s.cpu_per_op);
        assert!(parse_sample("noise").is_none());
    }
}
