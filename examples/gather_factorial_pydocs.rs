//! The Python docs' `gather` example (seed 002's twin is `gather_factorial`): three factorials computed
//! concurrently; the results come back in argument order.
#[path = "common/mod.rs"]
mod common;

async fn factorial(name: &'static str, number: u64) -> u64 {
    let mut f = 1;
    for i in 2..=number {
        println!("Task {name}: Compute factorial({number}), currently i={i}...");
        tulip::sleep(common::secs(1.0)).await;
        f *= i;
    }
    println!("Task {name}: factorial({number}) = {f}");
    f
}

fn main() {
    tulip::run(async {
        // Schedule three calls *concurrently*:
        let l = tulip::gather([factorial("A", 2), factorial("B", 3), factorial("C", 4)]).await;
        match l {
            Ok(l) => println!("{l:?}"),
            Err(e) => println!("a factorial failed: {e}"),
        }
    });
}
