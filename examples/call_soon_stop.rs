//! Seed 004 ("Python 3 – An Intro to asyncio"), scheduling calls: callbacks
//! under `run_forever`, the second one stopping the loop.
//!
//! ```python
//! def event_handler(loop, stop=False):
//!     print('Event handler called')
//!     if stop:
//!         print('stopping the loop')
//!         loop.stop()
//!
//! if __name__ == '__main__':
//!     loop = asyncio.get_event_loop()
//!     try:
//!         loop.call_soon(functools.partial(event_handler, loop))
//!         print('starting event loop')
//!         loop.call_soon(functools.partial(event_handler, loop, stop=True))
//!         loop.run_forever()
//!     finally:
//!         print('closing event loop')
//!         loop.close()
//! ```
//!
//! `functools.partial` is a closure; `try: … finally:` needs no twin, as
//! nothing here can fail (a panic would unwind past `close()`, and dropping
//! the loop closes it).
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
    let h = ev.handle();
    ev.call_soon(move || event_handler(&h, true));
    ev.run_forever();
    println!("closing event loop");
    ev.close();
}
