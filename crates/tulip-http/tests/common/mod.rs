//! Shared test peers: Python's http.server with a scripted handler, and
//! file-descriptor counting.
#![allow(dead_code)]

pub mod aiohttp;
pub mod proxy;
pub mod script;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A Python program serving HTTP on a loopback port it prints.
pub struct PyServer {
    child: Child,
    pub port: u16,
}

impl PyServer {
    /// Runs `python` on `script` (text), waiting for its "PORT <n>" line.
    pub fn start(python: &str, script: &str, args: &[&str]) -> PyServer {
        let dir = std::env::temp_dir().join(format!("tulip-http-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("server-{:x}.py", fxhash(script)));
        if !path.exists() {
            // Written aside, then renamed: tests starting at once must
            // not run a half-written script.
            let tmp = dir.join(format!("{:?}.tmp", std::thread::current().id()));
            std::fs::write(&tmp, script).unwrap();
            std::fs::rename(&tmp, &path).unwrap();
        }
        let mut child = Command::new(python)
            .arg(&path)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line.trim().strip_prefix("PORT ").unwrap_or_else(|| panic!("server said {line:?}")).parse().unwrap();
        PyServer { child, port }
    }

    /// Python's http.server with tests/common/server.py's handler.
    pub fn http() -> PyServer {
        PyServer::start("python3", include_str!("server.py"), &[])
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }
}

impl Drop for PyServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn fxhash(s: &str) -> u64 {
    s.bytes().fold(0xcbf29ce484222325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100000001b3))
}

/// Open file descriptors of this process.
pub fn fd_count() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}
