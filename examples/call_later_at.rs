//! Seed 004, scheduling calls in the future: the `call_soon` program
//! (`call_soon_stop`) with its second, stopping call scheduled by the loop's
//! clock, as the article shows it — `current_time = loop.time()` and
//! `loop.call_at(current_time + 300, event_handler, loop)`: five minutes
//! later (3 s with `--fast`).
//!
//! ```python
//! loop = asyncio.get_event_loop()
//! try:
//!     loop.call_soon(functools.partial(event_handler, loop))
//!     print('starting event loop')
//!     current_time = loop.time()
//!     loop.call_at(current_time + 300, functools.partial(event_handler, loop, stop=True))
//!     loop.run_forever()
//! finally:
//!     print('closing event loop')
//!     loop.close()
//! ```
//!
//! The article's `call_at` passes no `stop=True`; without it the loop would
//! run forever, so it is given here. `loop.time()` is an `Instant`;
//! `call_later(delay, cb)` is the same with a delay. PyMOTW's `call_later`
//! / `call_at` programs are `call_later_at_pymotw`.
#[path = "common/mod.rs"]
mod common;

use tulip::LoopHandle;

fn event_handler(ev: &LoopHandle, stop: bool) {
    println!("Event handler called");
    if stop {
        println!("stopping the loop");
        ev.stop();
    }
}

fn main() {
    let ev = tulip::new_event_loop();
    let h = ev.handle();
    ev.call_soon(move || event_handler(&h, false));
    println!("starting event loop");
    let current_time = ev.time();
    let h = ev.handle();
    ev.call_at(current_time + common::secs(300.0), move || event_handler(&h, true));
    ev.run_forever();
    println!("closing event loop");
    ev.close();
}
