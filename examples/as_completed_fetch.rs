//! `as_completed` with three simulated fetches sleeping 2-5 s: results are
//! printed (`>>`, `>>>>`, ...) in completion order, not in start order.
#[path = "common/mod.rs"]
mod common;

async fn fetch(url: &'static str, delay: f64) -> String {
    tulip::sleep(common::secs(delay)).await;
    format!("{url} ({delay} s)")
}

fn main() {
    tulip::run(async {
        let fetches =
            [fetch("http://python.org", 5.0), fetch("http://example.com", 2.0), fetch("http://rust-lang.org", 3.5)];
        let mut it = tulip::as_completed(fetches);
        let mut arrows = String::from(">>");
        while let Some(r) = it.next().await {
            match r {
                Ok(body) => println!("{arrows} {body}"),
                Err(e) => println!("{arrows} failed: {e}"),
            }
            arrows.push_str(">>");
        }
    });
}
