//! The per-core rows (issue 14): TCP echo on 1 and 2 tulip loops against
//! tokio's multi-thread runtime with 2 workers, in requests/s and server
//! CPU time per request (`--per-core`).
//!
//! Each sample is three fresh processes: the server (see
//! `per_core_servers.rs`), and the load generator, this binary with
//! `--per-core-client`: 64 connections on one tulip loop, each sending 64
//! bytes and waiting for the echo, over and over. The machine has 2 cores
//! and the load generator needs one, so the server's CPU per request is
//! the main figure: with 2 loops the server's threads share the cores with
//! the client (loops pinned to cores 0 and 1, the client unpinned).

use crate::harness::median;
use crate::per_core_servers::{MSG, VARIANTS};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::Instant;

/// Connections the load generator keeps busy.
pub const CONNS: usize = 64;
/// Round trips per connection at scale 1.
pub const TRIPS: usize = 5_000;

/// One sample: round trips per second, server CPU seconds per round trip
/// `[user + system, user]`, the server's context switches per round trip.
struct PerCoreSample {
    rate: f64,
    cpu: [f64; 2],
    switches: f64,
}

/// The load generator (the child's main): `CONNS` connections to `port`,
/// `trips` round trips each; prints `TRIPS n SECS s`.
pub fn client(port: u16, trips: usize) {
    let addr: std::net::SocketAddr = ([127, 0, 0, 1], port).into();
    let start = Instant::now();
    tulip::run(async move {
        let clients: Vec<_> = (0..CONNS)
            .map(|_| {
                tulip::create_task(async move {
                    let s = tulip::TcpStream::connect(addr).await.unwrap_or_else(|e| panic!("{e}"));
                    let _ = s.set_nodelay(true);
                    crate::echo_loops::round_trips::<MSG>(&s, trips).await;
                })
            })
            .collect();
        for c in clients {
            let _ = c.await;
        }
    });
    println!("TRIPS {} SECS {:e}", CONNS * trips, start.elapsed().as_secs_f64());
}

fn expect_line(out: &mut impl BufRead, prefix: &str) -> Vec<f64> {
    let mut line = String::new();
    loop {
        line.clear();
        match out.read_line(&mut line) {
            Ok(0) | Err(_) => panic!("the child ended before printing {prefix}"),
            Ok(_) if line.starts_with(prefix) => {
                return line.split_whitespace().filter_map(|w| w.parse().ok()).collect();
            }
            Ok(_) => continue,
        }
    }
}

fn send(stdin: &mut ChildStdin, line: &str) {
    stdin.write_all(line.as_bytes()).unwrap_or_else(|e| panic!("to the server: {e}"));
    stdin.flush().unwrap_or_else(|e| panic!("to the server: {e}"));
}

fn one_sample(variant: &str, trips: usize) -> PerCoreSample {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("current_exe: {e}"));
    let mut server: Child = Command::new(&exe)
        .args(["--per-core-server", variant])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("server: {e}"));
    let mut stdin = server.stdin.take().unwrap_or_else(|| panic!("server stdin"));
    let mut out = BufReader::new(server.stdout.take().unwrap_or_else(|| panic!("server stdout")));
    let port = expect_line(&mut out, "PORT")[0] as u16;
    send(&mut stdin, "start\n");
    expect_line(&mut out, "OK");
    let switches = crate::per_core_web::context_switches(server.id());
    // TULIP_BENCH_CLIENT_CPU=k pins the load generator to core k (where
    // it runs changes the kernel's share of the cost: see docs/benchmarks.md).
    let mut client = match std::env::var("TULIP_BENCH_CLIENT_CPU") {
        Ok(cpu) => {
            let mut c = Command::new("taskset");
            c.args(["-c", &cpu]).arg(&exe);
            c
        }
        Err(_) => Command::new(&exe),
    };
    let client = client
        .args(["--per-core-client", &port.to_string(), &trips.to_string()])
        .output()
        .unwrap_or_else(|e| panic!("client: {e}"));
    let client_out = String::from_utf8_lossy(&client.stdout);
    let line = client_out
        .lines()
        .find(|l| l.starts_with("TRIPS"))
        .unwrap_or_else(|| panic!("client failed: {}", String::from_utf8_lossy(&client.stderr)));
    let nums: Vec<f64> = line.split_whitespace().filter_map(|w| w.parse().ok()).collect();
    let (n, secs) = (nums[0], nums[1]);
    let after = crate::per_core_web::context_switches(server.id());
    let switches = (after[0] + after[1]).saturating_sub(switches[0] + switches[1]) as f64 / n;
    send(&mut stdin, "stop\n");
    let cpu = expect_line(&mut out, "CPU");
    let _ = server.wait();
    PerCoreSample { rate: n / secs, cpu: [cpu[0] / n, cpu[1] / n], switches }
}

/// Runs every variant `runs` times, interleaved, and returns a Markdown
/// table of the medians.
pub fn run(runs: usize, scale: f64) -> String {
    let trips = ((TRIPS as f64 * scale) as usize).max(1);
    let mut samples: Vec<Vec<PerCoreSample>> = VARIANTS.iter().map(|_| Vec::new()).collect();
    for _ in 0..runs {
        for (i, v) in VARIANTS.iter().enumerate() {
            eprintln!("per-core: {v}...");
            samples[i].push(one_sample(v, trips));
        }
    }
    let mut out = String::from(
        "| server | round trips/s (k) | server CPU µs/req (user+sys) | server CPU µs/req (user) | server context switches/req |\n|---|---:|---:|---:|---:|\n",
    );
    for (v, s) in VARIANTS.iter().zip(samples) {
        let mut rate: Vec<f64> = s.iter().map(|s| s.rate / 1e3).collect();
        let mut total: Vec<f64> = s.iter().map(|s| s.cpu[0] * 1e6).collect();
        let mut user: Vec<f64> = s.iter().map(|s| s.cpu[1] * 1e6).collect();
        let mut switches: Vec<f64> = s.iter().map(|s| s.switches).collect();
        out.push_str(&format!(
            "| {v} | {:.1} | {:.2} | {:.2} | {:.3} |\n",
            median(&mut rate),
            median(&mut total),
            median(&mut user),
            median(&mut switches)
        ));
    }
    out
}
