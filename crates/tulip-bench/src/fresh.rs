//! One sample per fresh process (`--fresh`): the binary runs itself with
//! `--sample NAME RUNTIME SCALE` for every run of every runtime, so that no
//! sample inherits the heap, page tables or caches an earlier one grew
//! (page faults count, as the issue asks), and reads the sample back from
//! the child's stdout.

use crate::harness::Sample;
use std::process::Command;

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

/// Runs one sample of workload `name` on `runtime` in a new process of this
/// binary.
///
/// # Panics
/// If the child cannot be started or does not print a sample: a benchmark
/// that fails has no figure to report.
pub fn sample_in_child(name: &str, runtime: &str, scale: f64) -> Sample {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("current_exe: {e}"));
    let out = Command::new(exe)
        .args(["--sample", name, runtime, &scale.to_string()])
        .output()
        .unwrap_or_else(|e| panic!("running a sample of {name} on {runtime}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    match stdout.lines().find_map(parse_sample) {
        Some(s) => s,
        None => {
            panic!("sample of {name} on {runtime} failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr))
        }
    }
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
