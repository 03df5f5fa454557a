//! `ensure_future(set_after(1, "... world"))`, then `wait_for(fut, None)`
//! and `fut.result()`: a Future resolved by a task.
#[path = "common/mod.rs"]
mod common;

async fn set_after(fut: tulip::Future<String>, delay: f64, value: &str) {
    // Sleep for *delay* seconds, then set *value* as the result of *fut*.
    tulip::sleep(common::secs(delay)).await;
    let _ = fut.set_result(value.to_string());
}

fn main() {
    tulip::run(async {
        let fut = tulip::get_running_loop().create_future::<String>();
        tulip::ensure_future(set_after(fut.clone(), 1.0, "... world"));
        println!("hello ...");
        let _ = tulip::wait_for(fut.clone(), None).await;
        match fut.result() {
            Ok(v) => println!("{v}"),
            Err(e) => println!("no result: {e}"),
        }
    });
}
