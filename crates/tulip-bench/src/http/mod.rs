//! The HTTP client rows (issue 11): `tulip-bench http [--runs N]
//! [--requests N]`. One neutral server ([`server`]: hyper on tokio) runs
//! in a process of its own; each sample is a fresh process of one client
//! doing N GETs over C = 1 and C = 50 keep-alive connections: tulip-http,
//! reqwest on tokio's current_thread runtime, aiohttp's `ClientSession`
//! (CPython, in a virtual environment made on first use), and bare hyper
//! connections on tokio (the floor) and on tulip (the loop's share). The
//! table has the medians of requests/s and of the client's CPU time per
//! request (user + system, `getrusage` in the client process).

pub mod clients;
pub mod server;

use crate::harness::median;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The clients, in table order; the first Rust ones run as `http-sample`.
pub const CLIENTS: [&str; 5] = ["tulip-http", "reqwest", "hyper-tokio", "hyper-tulip", "aiohttp"];

/// The connection counts of the rows.
pub const CONNECTIONS: [usize; 2] = [1, 50];

/// `tulip-bench http-sample CLIENT URL N C`: one sample, printed as
/// `N WALL_S CPU_USER_S CPU_SYS_S` on stdout.
pub fn sample_main(args: &[String]) {
    let [client, url, n, c] = args else {
        panic!("usage: tulip-bench http-sample CLIENT URL N C");
    };
    let (n, c) = (n.parse().unwrap_or(1000), c.parse().unwrap_or(1));
    let m = match client.as_str() {
        "tulip-http" => clients::tulip_http(url, n, c),
        "reqwest" => clients::reqwest(url, n, c),
        "hyper-tokio" => clients::hyper_tokio(url, n, c),
        "hyper-tulip" => clients::hyper_tulip(url, n, c),
        other => panic!("no Rust client named {other}"),
    };
    println!("{} {} {} {}", m.requests, m.wall.as_secs_f64(), m.cpu.user.as_secs_f64(), m.cpu.system.as_secs_f64());
}

/// The server process; killed when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server() -> Server {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("current_exe: {e}"));
    let mut child = Command::new(exe)
        .arg("http-server")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("the server process: {e}"));
    let mut line = String::new();
    if let Some(out) = child.stdout.take() {
        let _ = BufReader::new(out).read_line(&mut line);
    }
    let port: u16 = line.trim().parse().unwrap_or_else(|_| panic!("the server printed {line:?}, not its port"));
    Server { child, url: format!("http://127.0.0.1:{port}/") }
}

/// The venv's python with aiohttp: `$TULIP_AIOHTTP_VENV`, else
/// `target/venv-aiohttp` in the workspace, made (and aiohttp installed from
/// PyPI) when missing. `None`, with the reason printed, when it can't be.
pub fn aiohttp_python() -> Option<PathBuf> {
    let venv = std::env::var_os("TULIP_AIOHTTP_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/venv-aiohttp"));
    let python = venv.join("bin/python");
    let has_aiohttp = |py: &Path| {
        Command::new(py).args(["-c", "import aiohttp"]).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
    };
    if has_aiohttp(&python) {
        return Some(python);
    }
    eprintln!("making {} with aiohttp (pip)...", venv.display());
    let made = Command::new("python3").arg("-m").arg("venv").arg(&venv).status().is_ok_and(|s| s.success())
        && Command::new(&python).args(["-m", "pip", "install", "-q", "aiohttp"]).status().is_ok_and(|s| s.success());
    if made && has_aiohttp(&python) {
        Some(python)
    } else {
        eprintln!("no aiohttp (python3 -m venv or pip failed): the aiohttp rows are left out");
        None
    }
}

/// One sample: (requests/s, CPU seconds per request), or None if it failed.
fn sample(client: &str, url: &str, n: usize, c: usize, python: Option<&Path>) -> Option<(f64, f64)> {
    let mut cmd = if client == "aiohttp" {
        let mut cmd = Command::new(python?);
        cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("aiohttp_client.py"));
        cmd
    } else {
        let mut cmd = Command::new(std::env::current_exe().ok()?);
        cmd.args(["http-sample", client]);
        cmd
    };
    let out = cmd.arg(url).arg(n.to_string()).arg(c.to_string()).stderr(Stdio::inherit()).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let f: Vec<f64> = text.split_whitespace().filter_map(|w| w.parse().ok()).collect();
    match (out.status.success(), f.as_slice()) {
        (true, [done, wall, user, sys]) if *wall > 0.0 && *done > 0.0 => Some((done / wall, (user + sys) / done)),
        _ => {
            eprintln!("{client} (C={c}) failed: {text}");
            None
        }
    }
}

/// Medians of one client at one connection count.
pub struct Row {
    /// The client's name.
    pub client: &'static str,
    /// Connections.
    pub conns: usize,
    /// Median requests per second.
    pub rps: f64,
    /// Median CPU seconds per request.
    pub cpu: f64,
}

/// Runs every client `runs` times at each connection count (interleaved:
/// client after client, then the next run) and returns the medians.
pub fn run(runs: usize, n: usize, only: &[String]) -> Vec<Row> {
    let server = start_server();
    let chosen: Vec<&'static str> =
        CLIENTS.iter().copied().filter(|c| only.is_empty() || only.iter().any(|o| o == c)).collect();
    let python = if chosen.contains(&"aiohttp") { aiohttp_python() } else { None };
    let mut samples: Vec<Vec<(f64, f64)>> = vec![Vec::new(); chosen.len() * CONNECTIONS.len()];
    for run in 0..runs {
        eprintln!("http run {}/{runs}...", run + 1);
        for (ci, &conns) in CONNECTIONS.iter().enumerate() {
            for (k, client) in chosen.iter().enumerate() {
                if let Some(s) = sample(client, &server.url, n, conns, python.as_deref()) {
                    samples[ci * chosen.len() + k].push(s);
                }
                // Let the server's sockets of the last sample close.
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
    let mut rows = Vec::new();
    for (ci, &conns) in CONNECTIONS.iter().enumerate() {
        for (k, &client) in chosen.iter().enumerate() {
            let s = &samples[ci * chosen.len() + k];
            if s.is_empty() {
                continue;
            }
            let mut rps: Vec<f64> = s.iter().map(|x| x.0).collect();
            let mut cpu: Vec<f64> = s.iter().map(|x| x.1).collect();
            rows.push(Row { client, conns, rps: median(&mut rps), cpu: median(&mut cpu) });
        }
    }
    rows
}

/// The rows as a Markdown table, with tulip-http's ratios to each peer.
pub fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| client | C | requests/s | CPU µs/request | tulip-http CPU ÷ this | tulip-http req/s ÷ this |\n|---|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let ours = rows.iter().find(|t| t.client == "tulip-http" && t.conns == r.conns);
        let (cpu_ratio, rps_ratio) = match ours {
            Some(t) => (format!("{:.2}", t.cpu / r.cpu), format!("{:.2}", t.rps / r.rps)),
            None => ("–".into(), "–".into()),
        };
        out.push_str(&format!(
            "| {} | {} | {:.0} | {:.1} | {cpu_ratio} | {rps_ratio} |\n",
            r.client,
            r.conns,
            r.rps,
            r.cpu * 1e6
        ));
    }
    out
}
