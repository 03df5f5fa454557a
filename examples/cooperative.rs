//! Seed 000, 1b-cooperatively-scheduled: gr1/gr2/gr3, cooperative
//! scheduling. Two coroutines "block" on a 2 s sleep while a third gets its
//! work done; the elapsed times show it (in the tutorial's seconds, also
//! under `--fast`, where a millisecond of timer slack can show as 0.1).
#[path = "common/mod.rs"]
mod common;

use std::time::Instant;

fn tic(start: Instant) -> String {
    let scale = common::secs(1.0).as_secs_f64();
    format!("at {:.1} seconds", start.elapsed().as_secs_f64() / scale)
}

async fn gr1(start: Instant) {
    // Busy waits for a second, but we don't want to stick around...
    println!("gr1 started work: {}", tic(start));
    tulip::sleep(common::secs(2.0)).await;
    println!("gr1 ended work: {}", tic(start));
}

async fn gr2(start: Instant) {
    // Busy waits for a second, but we don't want to stick around...
    println!("gr2 started work: {}", tic(start));
    tulip::sleep(common::secs(2.0)).await;
    println!("gr2 Ended work: {}", tic(start));
}

async fn gr3(start: Instant) {
    println!("Let's do some stuff while the coroutines are blocked, {}", tic(start));
    tulip::sleep(common::secs(1.0)).await;
    println!("Done!");
}

fn main() {
    let start = Instant::now();
    let ioloop = tulip::new_event_loop();
    let tasks = vec![ioloop.create_task(gr1(start)), ioloop.create_task(gr2(start)), ioloop.create_task(gr3(start))];
    ioloop.run_until_complete(tulip::wait(tasks)).expect("the set of tasks is not empty");
    ioloop.close();
}
