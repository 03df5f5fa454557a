//! The benchmark binary: `cargo run --release -p tulip-bench -- --help`.

use tulip_bench::harness::{run_workload, table};

#[global_allocator]
static ALLOC: tulip_bench::alloc::Counting = tulip_bench::alloc::Counting;

fn main() {
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
