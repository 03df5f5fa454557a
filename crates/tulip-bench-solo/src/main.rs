//! `tulip-bench-solo --sample NAME tulip SCALE`: one sample of one of
//! tulip's single-core rows, printed for `tulip-bench --fresh` to read.

use tulip_bench_solo::sample::format_sample;

#[global_allocator]
static ALLOC: tulip_bench_solo::alloc::Counting = tulip_bench_solo::alloc::Counting;

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let (flag, name, runtime) = (argv.first(), argv.get(1), argv.get(2));
    let scale = argv.get(3).and_then(|v| v.parse::<f64>().ok()).unwrap_or(1.0);
    if flag.map(String::as_str) != Some("--sample") || runtime.map(String::as_str) != Some("tulip") {
        eprintln!("usage: tulip-bench-solo --sample NAME tulip SCALE");
        let names: Vec<&str> = tulip_bench_solo::rows::ROWS.iter().map(|(name, _)| *name).collect();
        eprintln!("rows: {}", names.join(", "));
        std::process::exit(2);
    }
    let name = name.map(String::as_str).unwrap_or_default();
    let Some(row) = tulip_bench_solo::rows::find(name) else {
        eprintln!("no row named {name} here");
        std::process::exit(2);
    };
    println!("{}", format_sample(&row(scale)));
}
