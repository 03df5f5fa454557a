//! Scheduling callbacks by delay and by the loop's clock (PyMOTW's
//! `asyncio_call_later.py` and `asyncio_call_at.py`; seed 004's twin is
//! `call_later_at`): whatever order they are
//! registered in, they run in time order, and `call_soon` first.
#[path = "common/mod.rs"]
mod common;

use std::time::Instant;
use tulip::LoopHandle;

async fn main_later(ev: LoopHandle) {
    println!("registering callbacks");
    ev.call_later(common::secs(0.2), || println!("callback 1 invoked"));
    ev.call_later(common::secs(0.1), || println!("callback 2 invoked"));
    ev.call_soon(|| println!("callback 3 invoked"));
    tulip::sleep(common::secs(0.4)).await;
}

async fn main_at(ev: LoopHandle, origin: Instant) {
    // The loop's clock is an Instant; print it as seconds since the program started.
    let secs = move |t: Instant| format!("{:.3}", t.duration_since(origin).as_secs_f64());
    let now = ev.time();
    println!("clock time: {}", common::epoch_secs());
    println!("loop  time: {}", secs(now));
    println!("registering callbacks");
    let l = ev.clone();
    ev.call_at(now + common::secs(0.2), move || println!("callback 1 invoked at {}", secs(l.time())));
    let l = ev.clone();
    ev.call_at(now + common::secs(0.1), move || println!("callback 2 invoked at {}", secs(l.time())));
    let l = ev.clone();
    ev.call_soon(move || println!("callback 3 invoked at {}", secs(l.time())));
    tulip::sleep(common::secs(1.0)).await;
}

fn main() {
    let origin = Instant::now();
    let ev = tulip::new_event_loop();
    println!("entering event loop");
    ev.run_until_complete(main_later(ev.handle()));
    ev.run_until_complete(main_at(ev.handle(), origin));
    println!("closing event loop");
    ev.close();
}
