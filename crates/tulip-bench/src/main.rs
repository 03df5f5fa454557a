//! The benchmark binary: `cargo run --release -p tulip-bench -- --help`.

use tulip_bench::fresh::{sample_in_child, use_solo};
use tulip_bench::harness::{run_workload, run_workload_with, table, RUNTIMES};
use tulip_bench_solo::sample::format_sample;

#[global_allocator]
static ALLOC: tulip_bench::alloc::Counting = tulip_bench::alloc::Counting;

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    // The HTTP client rows run their server and each sample in processes
    // of their own: this binary, called back with these.
    match argv.first().map(String::as_str) {
        Some("http-server") => return tulip_bench::http::server::main(),
        Some("http-sample") => return tulip_bench::http::sample_main(&argv[1..]),
        Some("http") => return http_main(&argv[1..]),
        _ => {}
    }
    let mut runs = 5usize;
    let mut scale = 1.0f64;
    let mut filter: Vec<String> = Vec::new();
    let mut only: Option<String> = None;
    let mut fresh = false;
    let mut solo = true;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            // A sample of one workload on one runtime (what `--fresh` runs).
            "--sample" => {
                let (name, runtime) = (args.next().unwrap_or_default(), args.next().unwrap_or_default());
                let scale = args.next().and_then(|v| v.parse().ok()).unwrap_or(scale);
                return sample_here(&name, &runtime, scale);
            }
            "--fresh" => fresh = true,
            // tulip's fresh samples from this binary, peers' features and all.
            "--no-solo" => solo = false,
            // issue 14's per-core rows: the table, and its child processes.
            "--per-core" => {
                println!("{}", tulip_bench::per_core::run(runs, scale));
                return;
            }
            "--per-core-server" => return tulip_bench::per_core_servers::serve(&args.next().unwrap_or_default()),
            "--per-core-client" => {
                let port = args.next().and_then(|v| v.parse().ok()).unwrap_or(0);
                let trips = args.next().and_then(|v| v.parse().ok()).unwrap_or(1);
                return tulip_bench::per_core::client(port, trips);
            }
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).unwrap_or(runs),
            "--quick" => {
                runs = 1;
                scale = 0.01;
            }
            "--scale" => scale = args.next().and_then(|v| v.parse().ok()).unwrap_or(scale),
            "--filter" => filter.extend(args.next()),
            // One runtime only: for `strace -c -f` or `perf` of a single runtime.
            "--only" => only = args.next(),
            "--help" | "-h" => {
                println!("tulip-bench [--runs N] [--scale F] [--quick] [--fresh] [--only tulip|tokio|smol] [--filter NAME]...");
                println!("  --fresh: every sample in a new process (page faults count); tulip's single-core");
                println!("           rows then run in tulip-bench-solo, built without the peers (--no-solo: here)");
                println!(
                    "  --per-core: TCP echo on 1 and 2 tulip loops vs tokio multi-thread (put --runs/--scale first)"
                );
                println!("Runs every workload on tulip, tokio (current_thread) and smol (LocalExecutor),");
                println!("interleaved, and prints medians and ratios tulip/peer (< 1.0: tulip wins).");
                println!("tulip-bench http [--runs N] [--requests N] [CLIENT]...: the HTTP client rows (a process per sample).");
                return;
            }
            other => filter.push(other.to_string()),
        }
    }
    let solo_path = if fresh && solo { use_solo() } else { None };
    if let Some(path) = solo_path {
        eprintln!("tulip's single-core rows run in {}", path.display());
    }
    let mut rows = Vec::new();
    for w in tulip_bench::all_workloads() {
        if !filter.is_empty() && !filter.iter().any(|f| w.name.contains(f.as_str())) {
            continue;
        }
        eprintln!("running {} ({runs} runs each)...", w.name);
        if fresh {
            rows.push(run_workload_with(&w, runs, only.as_deref(), |i| sample_in_child(w.name, RUNTIMES[i], scale)));
        } else {
            rows.push(run_workload(&w, runs, scale, only.as_deref()));
        }
    }
    println!("{}", table(&rows));
    if solo_path.is_some() {
        println!(
            "tulip's half of the single-core rows ran in tulip-bench-solo, built without the peers (--no-solo: here)."
        );
    }
}

/// `tulip-bench http [--runs N] [--requests N] [CLIENT]...`.
fn http_main(args: &[String]) {
    let (mut runs, mut n, mut only) = (5usize, 10_000usize, Vec::new());
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--runs" => runs = it.next().and_then(|v| v.parse().ok()).unwrap_or(runs),
            "--requests" => n = it.next().and_then(|v| v.parse().ok()).unwrap_or(n),
            "--quick" => (runs, n) = (1, 500),
            other => only.push(other.to_string()),
        }
    }
    let rows = tulip_bench::http::run(runs, n, &only);
    println!("{}", tulip_bench::http::table(&rows));
}

/// Runs one sample in this process and prints it for the parent.
fn sample_here(name: &str, runtime: &str, scale: f64) {
    let Some(w) = tulip_bench::all_workloads().into_iter().find(|w| w.name == name) else {
        eprintln!("no workload named {name}");
        std::process::exit(2);
    };
    let f = match runtime {
        "tulip" => w.tulip,
        "tokio" => w.tokio,
        "smol" => w.smol,
        other => {
            eprintln!("no runtime named {other}");
            std::process::exit(2);
        }
    };
    println!("{}", format_sample(&f(scale)));
}
