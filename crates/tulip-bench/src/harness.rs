//! The measuring loop: run each workload on each runtime, take medians, print ratios.

pub use tulip_bench_solo::sample::{cpu_time, CpuTime, Sample};

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
    /// Median CPU seconds per operation per runtime, `[user + system, user]`
    /// (rows that measure it).
    pub cpu: [Option<[f64; 2]>; 3],
}

/// The runtimes, in column order.
pub const RUNTIMES: [&str; 3] = ["tulip", "tokio", "smol"];

/// Runs `w` `runs` times on each runtime (or only on `only`), interleaved,
/// and returns the medians.
pub fn run_workload(w: &Workload, runs: usize, scale: f64, only: Option<&str>) -> Row {
    let fns = [w.tulip, w.tokio, w.smol];
    run_workload_with(w, runs, only, |i| fns[i](scale))
}

/// [`run_workload`] with each sample taken by `sample(runtime index)`: in
/// this process, or in a fresh one ([`crate::fresh`]).
pub fn run_workload_with(
    w: &Workload,
    runs: usize,
    only: Option<&str>,
    mut sample: impl FnMut(usize) -> Sample,
) -> Row {
    let mut primary: [Vec<f64>; 3] = Default::default();
    let mut extra: [Vec<f64>; 3] = Default::default();
    let mut cpu: [[Vec<f64>; 2]; 3] = Default::default();
    for _ in 0..runs {
        for (i, runtime) in RUNTIMES.iter().enumerate() {
            if only.is_some_and(|o| o != *runtime) {
                continue;
            }
            let s = sample(i);
            primary[i].push(s.value);
            if let Some(e) = s.extra {
                extra[i].push(e);
            }
            if let Some([total, user]) = s.cpu_per_op {
                cpu[i][0].push(total);
                cpu[i][1].push(user);
            }
        }
    }
    let mut medians = [0.0; 3];
    let mut extras = [None; 3];
    let mut cpus = [None; 3];
    for i in 0..3 {
        medians[i] = median(&mut primary[i]);
        if !extra[i].is_empty() {
            extras[i] = Some(median(&mut extra[i]));
        }
        if !cpu[i][0].is_empty() {
            let [total, user] = &mut cpu[i];
            cpus[i] = Some([median(total), median(user)]);
        }
    }
    Row { name: w.name, unit: w.unit, extra_label: w.extra_label, medians, extras, cpu: cpus }
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
        if r.cpu.iter().any(Option::is_some) {
            for (part, label) in ["CPU µs/op (user+sys)", "CPU µs/op (user)"].into_iter().enumerate() {
                // NaN for a runtime left out by `--only`, as in the row above.
                let [a, b, c] = r.cpu.map(|v| v.map_or(f64::NAN, |v| v[part] * 1e6));
                out.push_str(&format!(
                    "| ↳ {label} | {a:.2} | {b:.2} | {c:.2} | {:.2} | {:.2} | **{:.2}** |\n",
                    a / b,
                    a / c,
                    a / b.min(c)
                ));
            }
        }
    }
    out
}
