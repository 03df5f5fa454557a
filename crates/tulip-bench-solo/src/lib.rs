//! tulip's halves of the single-core benchmark rows (spawning, switching,
//! timers, memory, combinators), and `tulip-bench-solo`, a binary that runs
//! them with nothing else linked in.
//!
//! `tulip-bench` compares tulip with tokio and smol; its own binary links
//! all three. Cargo builds each dependency once per build, with the union
//! of the features that anything in the build asks for, so there tulip's
//! async-task gets the `std` feature that smol's executor turns on, and
//! every tulip task grows by 16 bytes (a panic flag and room for a panic
//! payload, which tulip does not use: it catches panics itself). This
//! package depends on tulip alone, so built on its own
//! (`cargo build --release -p tulip-bench-solo`) it measures a tulip
//! program as its users build it. `tulip-bench --fresh` builds it and takes
//! tulip's samples of these rows from it; without `--fresh` they run
//! inside `tulip-bench`'s process, with the unified features.
//!
//! ```
//! // A tiny run of one row, as the binary does for `--sample`.
//! let row = tulip_bench_solo::rows::find("spawn_join").expect("a known row");
//! let sample = row(0.0001);
//! assert!(sample.value > 0.0);
//! ```

pub mod alloc;
pub mod rows;
pub mod sample;

pub use sample::Sample;
