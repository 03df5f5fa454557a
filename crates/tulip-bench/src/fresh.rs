//! One sample per fresh process (`--fresh`): the binary runs itself with
//! `--sample NAME RUNTIME SCALE` for every run of every runtime, so that no
//! sample inherits the heap, page tables or caches an earlier one grew
//! (page faults count, as the issue asks), and reads the sample back from
//! the child's stdout.
//!
//! tulip's samples of the single-core rows come from `tulip-bench-solo`
//! instead, a binary built without the peers (see that crate's docs: in
//! this binary, smol's executor turns on async-task's `std` feature for
//! tulip too, and every tulip task grows by 16 bytes).

use crate::harness::Sample;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use tulip_bench_solo::sample::parse_sample;

/// The solo binary, once [`use_solo`] has built it; unset (or `None`)
/// means tulip's samples come from this binary.
static SOLO: OnceLock<Option<PathBuf>> = OnceLock::new();

/// Builds `tulip-bench-solo` with a cargo invocation of its own, so that
/// its features are resolved for tulip alone, in this binary's profile and
/// target directory, and takes tulip's samples of its rows from it from
/// now on. Returns where it is, or `None` (with the reason on stderr) if it
/// could not be built: tulip's samples then come from this binary.
pub fn use_solo() -> Option<&'static Path> {
    SOLO.get_or_init(build_solo).as_deref()
}

fn build_solo() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let solo = exe.with_file_name(format!("tulip-bench-solo{}", std::env::consts::EXE_SUFFIX));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../tulip-bench-solo/Cargo.toml");
    let mut build = Command::new(cargo);
    build.args(["build", "--quiet", "--manifest-path", manifest, "--bin", "tulip-bench-solo"]);
    if !cfg!(debug_assertions) {
        build.arg("--release");
    }
    // Where this binary is, `target/<profile>/`, is where cargo puts it too.
    if let Some(target) = exe.parent().and_then(Path::parent) {
        build.env("CARGO_TARGET_DIR", target);
    }
    match build.status() {
        Ok(status) if status.success() && solo.is_file() => Some(solo),
        Ok(status) => {
            eprintln!("tulip-bench-solo was not built ({status}): tulip's rows run in this binary");
            None
        }
        Err(e) => {
            eprintln!("cargo could not be run ({e}): tulip's rows run in this binary");
            None
        }
    }
}

/// Runs one sample of workload `name` on `runtime` in a new process: of
/// the solo binary for tulip's half of a row it has (after [`use_solo`]),
/// else of this binary.
///
/// # Panics
/// If the child cannot be started or does not print a sample: a benchmark
/// that fails has no figure to report.
pub fn sample_in_child(name: &str, runtime: &str, scale: f64) -> Sample {
    let solo = SOLO.get().and_then(Option::as_deref);
    let exe = match solo {
        Some(solo) if runtime == "tulip" && tulip_bench_solo::rows::find(name).is_some() => solo.to_path_buf(),
        _ => std::env::current_exe().unwrap_or_else(|e| panic!("current_exe: {e}")),
    };
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
