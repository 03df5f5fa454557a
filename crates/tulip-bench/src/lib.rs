//! Side-by-side benchmarks of tulip against tokio (current_thread + `LocalSet`)
//! and smol (`LocalExecutor` + async-io).
//!
//! Every workload is written three times, once per runtime, doing the same
//! work. The `tulip-bench` binary runs each one several times, interleaving
//! the runtimes so that machine noise hits all three alike, and prints the
//! median of each and the ratios tulip/peer. A ratio below 1.0 means tulip is
//! faster (or, for memory rows, smaller).
//!
//! ```text
//! cargo run --release -p tulip-bench -- [--runs N] [--filter SUBSTRING] [--quick] [--fresh]
//! ```
//!
//! `--fresh` takes every sample in a new process of the binary (page
//! faults and a cold heap count, as they would for a program).

pub use tulip_bench_solo::alloc;
pub mod combinators;
pub mod core;
pub mod echo_loops;
pub mod fresh;
pub mod harness;
pub mod http;
pub mod io;
pub mod per_core;
pub mod per_core_servers;
pub mod per_core_web;
pub mod precision;
pub mod streams;
pub mod sync;
pub mod tls;

pub use harness::{Sample, Workload};

/// Every workload the binary knows, in the order it prints them.
pub fn all_workloads() -> Vec<Workload> {
    let mut all = Vec::new();
    all.extend(core::workloads());
    all.extend(precision::workloads());
    all.extend(io::workloads());
    all.extend(streams::workloads());
    all.extend(tls::workloads());
    all.extend(combinators::workloads());
    all.extend(sync::workloads());
    all
}
