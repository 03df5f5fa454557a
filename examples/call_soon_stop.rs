//! Callbacks under `run_forever`, the second one stopping the loop.
//!
//! ```python
//! def event_handler(loop, stop=False):
//!     print('Event handler called')
//!     if stop:
//!         print('stopping the loop')
//!         loop.stop()
//!
//! loop = asyncio.get_event_loop()
//! try:
//!     loop.call_soon(event_handler, loop)
//!     loop.call_soon(event_handler, loop, True)
//!     print('starting event loop')
//!     loop.run_forever()
//! finally:
//!     print('closing event loop')
//!     loop.close()
//! ```
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
    let h = ev.handle();
    ev.call_soon(move || event_handler(&h, true));
    println!("starting event loop");
    ev.run_forever();
    println!("closing event loop");
    ev.close();
}
