//! The CPython-twin harness shared by the twin tests.
#![allow(dead_code, clippy::unwrap_used)]

use std::cell::RefCell;
use std::path::Path;
use std::process::Command;
use std::rc::Rc;

/// What CPython prints for `tests/twins/NAME.py`, or None without python3.
pub fn python_trace(name: &str) -> Option<Vec<String>> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/twins").join(format!("{name}.py"));
    run_python(name, Command::new("python3").arg(&script))
}

/// The lines `cmd` (a python3 command running program `name`) prints, or
/// None when python3 cannot be started.
pub fn run_python(name: &str, cmd: &mut Command) -> Option<Vec<String>> {
    let out = match cmd.output() {
        Ok(out) => out,
        Err(e) => {
            eprintln!("python3 not available ({e}); skipping the CPython side of {name}");
            return None;
        }
    };
    assert!(out.status.success(), "{name}.py failed: {}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8(out.stdout).unwrap().lines().map(str::to_owned).collect())
}

#[derive(Clone, Default)]
pub struct Trace(Rc<RefCell<Vec<String>>>);

impl Trace {
    pub fn print(&self, line: impl Into<String>) {
        self.0.borrow_mut().push(line.into());
    }
    pub fn lines(&self) -> Vec<String> {
        self.0.borrow().clone()
    }
}

/// Compares with CPython's trace, or with `expected_if_no_python` when
/// python3 is missing.
pub fn check(name: &str, ours: Vec<String>, expected_if_no_python: &[&str]) {
    let expected: Vec<String> =
        python_trace(name).unwrap_or_else(|| expected_if_no_python.iter().map(|s| s.to_string()).collect());
    assert_eq!(ours, expected, "tulip's trace differs from CPython's for {name}");
}

/// Masks what differs from run to run: `HH:MM:SS` and the number after `took:`.
pub fn mask(line: &str) -> String {
    let mut after_took = false;
    let words: Vec<String> = line
        .split(' ')
        .map(|w| {
            let b = w.as_bytes();
            let out = if after_took {
                "N".to_string()
            } else if b.len() == 8
                && b[2] == b':'
                && b[5] == b':'
                && w.replace(':', "").bytes().all(|c| c.is_ascii_digit())
            {
                "HH:MM:SS".to_string()
            } else {
                w.to_string()
            };
            after_took = w == "took:";
            out
        })
        .collect();
    words.join(" ")
}
