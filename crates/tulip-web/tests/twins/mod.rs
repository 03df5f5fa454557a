//! What tests/subapps.rs and tests/multipart.rs share: an aiohttp twin
//! (a script beside this file, served by twin_serve.py) and a Python
//! client run against it and against tulip.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};

/// A python with aiohttp: $TULIP_AIOHTTP_PYTHON, /work/venv-aiohttp, or
/// a venv made under the target directory.
pub fn aiohttp_python() -> Option<String> {
    let works = |py: &str| Command::new(py).args(["-c", "import aiohttp"]).output().is_ok_and(|o| o.status.success());
    let mut candidates: Vec<String> = std::env::var("TULIP_AIOHTTP_PYTHON").into_iter().collect();
    candidates.push("/work/venv-aiohttp/bin/python".into());
    let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("aiohttp-venv");
    let own = venv.join("bin/python").to_string_lossy().into_owned();
    candidates.push(own.clone());
    if let Some(py) = candidates.into_iter().find(|p| works(p)) {
        return Some(py);
    }
    let made = Command::new("python3").args(["-m", "venv"]).arg(&venv).status().is_ok_and(|s| s.success())
        && Command::new(venv.join("bin/pip")).args(["install", "-q", "aiohttp"]).status().is_ok_and(|s| s.success());
    if made && works(&own) {
        return Some(own);
    }
    println!("skipped: cannot install aiohttp into {} (no network?)", venv.display());
    None
}

fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/twins").join(name)
}

/// An aiohttp server running `name` (a script here), on `port`.
pub struct Twin {
    child: Child,
    out: BufReader<ChildStdout>,
    pub port: u16,
}

impl Twin {
    pub fn start(python: &str, name: &str) -> Twin {
        let mut child =
            Command::new(python).arg(script(name)).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut port = String::new();
        out.read_line(&mut port).unwrap();
        Twin { child, out, port: port.trim().parse().unwrap() }
    }

    /// Stops the server; what it printed after its clean-up.
    pub fn stop(mut self) -> String {
        drop(self.child.stdin.take());
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut self.out, &mut rest).unwrap();
        self.child.wait().unwrap();
        rest.trim().to_string()
    }
}

/// What the client script `name` printed against the server on `port`.
pub fn client_lines(name: &str, port: u16) -> String {
    let o = Command::new("python3").arg(script(name)).arg(port.to_string()).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}
