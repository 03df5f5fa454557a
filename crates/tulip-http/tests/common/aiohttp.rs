//! A Python with aiohttp for the tests that talk to aiohttp (shared with
//! tulip-web's tests through `#[path]`).
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

/// A python with aiohttp: $TULIP_AIOHTTP_PYTHON, the conventional
/// /work/venv-aiohttp, or a venv made under the target directory.
pub fn aiohttp_python() -> Option<String> {
    let works = |py: &str| Command::new(py).args(["-c", "import aiohttp"]).output().is_ok_and(|o| o.status.success());
    let mut candidates: Vec<String> = std::env::var("TULIP_AIOHTTP_PYTHON").into_iter().collect();
    candidates.push("/work/venv-aiohttp/bin/python".into());
    let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("aiohttp-venv");
    let own = venv.join("bin/python").to_string_lossy().into_owned();
    candidates.push(own.clone());
    if let Some(py) = candidates.iter().find(|p| works(p)) {
        return Some(py.clone());
    }
    let made = Command::new("python3").arg("-m").arg("venv").arg(&venv).status().is_ok_and(|s| s.success());
    let installed = made
        && Command::new(venv.join("bin/pip")).args(["install", "-q", "aiohttp"]).status().is_ok_and(|s| s.success());
    if installed && works(&own) {
        return Some(own);
    }
    println!("skipped: cannot install aiohttp into {} (no network?)", venv.display());
    None
}
