//! Seed 000 ("AsyncIO для практикующего python-разработчика"),
//! 2a-async-fetch-from-server-as-completed: three fetches, each sleeping a
//! random 2–5 s first; `as_completed` yields them in the order they finish,
//! and the `>>` grow with the count.
//!
//! ```python
//! async def fetch_async(pid):
//!     start = time.time()
//!     sleepy_time = random.randint(2, 5)
//!     print('Fetch async process {} started, sleeping for {} seconds'.format(
//!         pid, sleepy_time))
//!
//!     await asyncio.sleep(sleepy_time)
//!
//!     response = await aiohttp.request('GET', URL)
//!     datetime = response.headers.get('Date')
//!
//!     response.close()
//!     return 'Process {}: {}, took: {:.2f} seconds'.format(
//!         pid, datetime, time.time() - start)
//!
//! async def asynchronous():
//!     start = time.time()
//!     futures = [fetch_async(i) for i in range(1, MAX_CLIENTS + 1)]
//!     for i, future in enumerate(asyncio.as_completed(futures)):
//!         result = await future
//!         print('{} {}'.format(">>" * (i + 1), result))
//!
//!     print("Process took: {:.2f} seconds".format(time.time() - start))
//! ```
//!
//! The GitHub request is simulated (`common/services.rs`, 0.5 s; no
//! network). `as_completed` is a `Stream`: `for i, future in
//! enumerate(...)` is `StreamExt::enumerate` + `while let Some(..) =
//! .next().await`. Python starts the three in set order (any order); tulip
//! starts them in list order. Times are in the tutorial's seconds, also
//! under `--fast`.
#[path = "common/mod.rs"]
mod common;
#[path = "common/services.rs"]
mod services;

use futures_lite::StreamExt;
use std::time::Instant;

const URL: &str = "https://api.github.com/events";
const MAX_CLIENTS: u32 = 3;

async fn fetch_async(pid: u32) -> Result<String, services::ClientConnectorError> {
    let start = Instant::now();
    let sleepy_time = common::randint(2, 5);
    println!("Fetch async process {pid} started, sleeping for {sleepy_time} seconds");

    tulip::sleep(common::secs(sleepy_time as f64)).await;

    let response = services::request("GET", URL).await?;
    let datetime = response.date.clone();

    response.close();
    Ok(format!("Process {pid}: {datetime}, took: {:.2} seconds", common::tutorial_secs(start.elapsed())))
}

async fn asynchronous() {
    let start = Instant::now();
    let futures = (1..=MAX_CLIENTS).map(fetch_async);
    let mut completed = tulip::as_completed(futures).enumerate();
    while let Some((i, future)) = completed.next().await {
        match future {
            Ok(Ok(result)) => println!("{} {result}", ">>".repeat(i + 1)),
            Ok(Err(e)) => println!("{} {e}", ">>".repeat(i + 1)),
            Err(e) => println!("{} {e}", ">>".repeat(i + 1)),
        }
    }

    println!("Process took: {:.2} seconds", common::tutorial_secs(start.elapsed()));
}

fn main() {
    let ioloop = tulip::new_event_loop();
    ioloop.run_until_complete(asynchronous());
    ioloop.close();
}
