//! The seeds' programs against their Rust twins (`examples/`): CPython runs
//! the program extracted from the seed (`tests/seeds/NAME.py`, through
//! `tests/seeds/run.py`, which shortens its delays a hundredfold), and the
//! twin's logic, repeated here with its `println!`s going to a [`Trace`] and
//! run on a virtual clock, must print the same lines in the same order.
//! Clock times (`HH:MM:SS`) and measured durations (`took: N seconds`) are
//! masked on both sides. Programs whose output is random (wait_tasks,
//! as_completed_fetch) or about Rust's own types (coroutine_types,
//! task_types) are not here.
#![allow(clippy::unwrap_used)]

#[path = "../common/mod.rs"]
mod harness;

// The examples' helpers and their aiohttp stand-in, as the examples use them.
#[path = "../../../../examples/common/mod.rs"]
mod common;
#[path = "../../../../examples/common/services.rs"]
mod services;

use harness::{mask, Trace};
use services::Service;
use std::path::Path;
use std::process::Command;
use std::rc::Rc;
use std::time::{Duration, Instant};
use tulip::{EventLoop, LoopHandle, ReturnWhen, TaskError};

/// What CPython prints for the seed program `tests/seeds/NAME.py`, or None
/// without python3.
fn seed_trace(name: &str, args: &[&str]) -> Option<Vec<String>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/seeds");
    // A tenth, not a hundredth, where the outcome hangs on two close
    // deadlines (ip-api's 0.08 s against ipify's 0.25 s) that a loaded
    // machine could merge.
    let scale = if name == "first_ip_service" { "0.1" } else { "0.01" };
    harness::run_python(
        name,
        Command::new("python3").arg(dir.join("run.py")).arg(scale).arg(dir.join(format!("{name}.py"))).args(args),
    )
}

/// Compares the twin's lines with CPython's (or with `expected` without
/// python3), masked; from line `unordered_from` on, as multisets (the
/// program prints a Python set there).
fn check(name: &str, args: &[&str], ours: Vec<String>, expected: &[&str], unordered_from: Option<usize>) {
    let theirs = seed_trace(name, args).unwrap_or_else(|| expected.iter().map(|s| s.to_string()).collect());
    let norm = |lines: Vec<String>| {
        let mut lines: Vec<String> = lines.iter().map(|l| mask(l)).collect();
        if let Some(from) = unordered_from {
            let from = from.min(lines.len());
            lines[from..].sort();
        }
        lines
    };
    assert_eq!(norm(ours), norm(theirs), "the twin of seed program {name} prints other lines than CPython");
}

fn virtual_loop() -> EventLoop {
    EventLoop::builder().virtual_clock().build().unwrap()
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

mod seed_000;
mod seed_001;
mod seed_002;
mod seed_004;
