//! The benchmark binary: `cargo run --release -p tulip-bench -- --help`.

use tulip_bench::harness::{run_workload, table};

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
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
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
                println!("tulip-bench [--runs N] [--scale F] [--quick] [--only tulip|tokio|smol] [--filter NAME]...");
                println!("Runs every workload on tulip, tokio (current_thread) and smol (LocalExecutor),");
                println!("interleaved, and prints medians and ratios tulip/peer (< 1.0: tulip wins).");
                println!("tulip-bench http [--runs N] [--requests N] [CLIENT]...: the HTTP client rows (a process per sample).");
                return;
            }
            other => filter.push(other.to_string()),
        }
    }
    let mut rows = Vec::new();
    for w in tulip_bench::all_workloads() {
        if !filter.is_empty() && !filter.iter().any(|f| w.name.contains(f.as_str())) {
            continue;
        }
        eprintln!("running {} ({runs} runs each)...", w.name);
        rows.push(run_workload(&w, runs, scale, only.as_deref()));
    }
    println!("{}", table(&rows));
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
