//! The measuring loop: run each workload on each runtime, take medians, print ratios.

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
}

impl Sample {
    /// A sample measured in wall-clock time.
    pub fn time(elapsed: Duration) -> Self {
        Sample { value: elapsed.as_secs_f64(), extra: None }
    }

    /// A time sample with a secondary figure.
    pub fn time_with(elapsed: Duration, extra: f64) -> Self {
        Sample { value: elapsed.as_secs_f64(), extra: Some(extra) }
    }

    /// A sample that is a size in bytes.
    pub fn bytes(bytes: f64) -> Self {
        Sample { value: bytes, extra: None }
    }
}

/// The unit a workload's primary figure is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Wall-clock seconds (printed in ms).
    Seconds,
    /// Bytes (e.g. per idle task).
    Bytes,
}

/// One workload, written once per runtime.
pub struct Workload {
    /// Short name, e.g. `spawn_join`.
    pub name: &'static str,
    /// What the primary figure is.
    pub unit: Unit,
    /// Label of the `extra` figure, if the workload reports one.
    pub extra_label: Option<&'static str>,
    /// The tulip version.
    pub tulip: fn(scale: f64) -> Sample,
    /// The tokio current_thread version.
    pub tokio: fn(scale: f64) -> Sample,
    /// The smol LocalExecutor version.
    pub smol: fn(scale: f64) -> Sample,
}

/// Median of a non-empty slice (sorts it).
pub fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// Medians of one workload: (primary, extra) per runtime, in the order tulip, tokio, smol.
pub struct Row {
    /// Workload name.
    pub name: &'static str,
    /// Unit of the primary figure.
    pub unit: Unit,
    /// Label of the extra figure.
    pub extra_label: Option<&'static str>,
    /// Median primary figure per runtime.
    pub medians: [f64; 3],
    /// Median extra figure per runtime.
    pub extras: [Option<f64>; 3],
}

/// The runtimes, in column order.
pub const RUNTIMES: [&str; 3] = ["tulip", "tokio", "smol"];

/// Runs `w` `runs` times on each runtime (or only on `only`), interleaved,
/// and returns the medians.
pub fn run_workload(w: &Workload, runs: usize, scale: f64, only: Option<&str>) -> Row {
    let fns = [w.tulip, w.tokio, w.smol];
    let mut primary: [Vec<f64>; 3] = Default::default();
    let mut extra: [Vec<f64>; 3] = Default::default();
    for _ in 0..runs {
        for (i, f) in fns.iter().enumerate() {
            if only.is_some_and(|o| o != RUNTIMES[i]) {
                continue;
            }
            let s = f(scale);
            primary[i].push(s.value);
            if let Some(e) = s.extra {
                extra[i].push(e);
            }
        }
    }
    let mut medians = [0.0; 3];
    let mut extras = [None; 3];
    for i in 0..3 {
        medians[i] = median(&mut primary[i]);
        if !extra[i].is_empty() {
            extras[i] = Some(median(&mut extra[i]));
        }
    }
    Row { name: w.name, unit: w.unit, extra_label: w.extra_label, medians, extras }
}

fn show(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Seconds => format!("{:.2} ms", v * 1e3),
        Unit::Bytes => format!("{v:.0} B"),
    }
}

/// Formats rows as a Markdown table (the form `docs/benchmarks.md` records).
pub fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| workload | tulip | tokio-ct | smol | tulip/tokio | tulip/smol | tulip/best |\n|---|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let [t, k, s] = r.medians;
        let best = k.min(s);
        out.push_str(&format!(
            "| {} | {} | {} | {} | {:.2} | {:.2} | **{:.2}** |\n",
            r.name,
            show(r.unit, t),
            show(r.unit, k),
            show(r.unit, s),
            t / k,
            t / s,
            t / best
        ));
        if let (Some(label), [Some(a), Some(b), Some(c)]) = (r.extra_label, r.extras) {
            out.push_str(&format!("| ↳ {} | {a:.2} | {b:.2} | {c:.2} | | | |\n", label));
        }
    }
    out
}
