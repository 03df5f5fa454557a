//! Seed 002: two `say_after` run concurrently by `gather` (about 2 s in all):
//!
//! ```python
//! loop = asyncio.get_event_loop()
//! # Ожидание завершения обоих операций должно занять около 2х секунд
//! print(f"started at {time.strftime('%X')}")
//! loop.run_until_complete(asyncio.gather(
//!     say_after(1, 'hello'),
//!     say_after(2, 'world')
//! ))
//! print(f"finished at {time.strftime('%X')}")
//! loop.close()
//! ```
//!
//! `tulip::gather!(a, b)` takes futures of different types and gives a
//! tuple; `tulip::gather([..])` takes any number of one type and gives a
//! `Vec`. Both start their children as tasks on the running loop, so the
//! gather is made inside the future the loop runs. The clock is UTC here.
#[path = "common/mod.rs"]
mod common;

use std::time::Duration;

async fn say_after(delay: Duration, what: &str) {
    tulip::sleep(delay).await;
    println!("{what}");
}

fn main() {
    let ev = tulip::new_event_loop();
    // Waiting for both should take about 2 seconds.
    println!("started at {}", common::clock_time());
    let _ = ev.run_until_complete(async {
        tulip::gather([say_after(common::secs(1.0), "hello"), say_after(common::secs(2.0), "world")]).await
    });
    println!("finished at {}", common::clock_time());
    ev.close();
}
