//! What tests/subapps.rs and tests/multipart.rs share: an aiohttp twin
//! (a script beside this file, served by twin_serve.py) and a Python
//! client run against it and against tulip.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};

#[path = "../../../tulip-http/tests/common/aiohttp.rs"]
mod aiohttp;
pub use aiohttp::aiohttp_python;

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
