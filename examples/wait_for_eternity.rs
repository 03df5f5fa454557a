//! `wait_for(eternity(), 1.0)` from the asyncio docs: prints "timeout!".
#[path = "common/mod.rs"]
mod common;

async fn eternity() {
    // Sleep for one hour
    tulip::sleep(common::secs(3600.0)).await;
    println!("yay!");
}

fn main() {
    tulip::run(async {
        // Wait for at most 1 second
        match tulip::wait_for(eternity(), Some(common::secs(1.0))).await {
            Ok(()) => {}
            Err(_) => println!("timeout!"),
        }
    });
}
