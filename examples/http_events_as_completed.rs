//! Seed 000, 2a-async-fetch-from-server-as-completed: three fetches of
//! GitHub's events, each after a random sleep, their results printed as
//! they complete (`as_completed`), the n-th behind n `>>`.
//!
//! ```python
//! async def fetch_async(pid):
//!     start = time.time()
//!     sleepy_time = random.randint(2, 5)
//!     print('Fetch async process {} started, sleeping for {} seconds'.format(
//!         pid, sleepy_time))
//!     await asyncio.sleep(sleepy_time)
//!     response = await aiohttp.request('GET', URL)
//!     datetime = response.headers.get('Date')
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
//!     print("Process took: {:.2f} seconds".format(time.time() - start))
//! ```
//!
//! `cargo run --example http_events_as_completed [-- URL] [--fast]`:
//! without a URL, the stand-in of api.github.com (`common/http_services.rs`).
//! `as_completed` is a `Stream` (`StreamExt::enumerate`). Python starts the
//! three in set order (any order), tulip in list order. (`as_completed_fetch`
//! is the same program on a simulated aiohttp, without HTTP.)
#[path = "common/mod.rs"]
mod common;
#[path = "common/http_services.rs"]
mod http_services;

use futures_lite::StreamExt;
use std::rc::Rc;
use std::time::Instant;
use tulip::http::ClientError;

const MAX_CLIENTS: u32 = 3;

async fn fetch_async(url: Rc<str>, pid: u32) -> Result<String, ClientError> {
    let start = Instant::now();
    let sleepy_time = common::randint(2, 5);
    println!("Fetch async process {pid} started, sleeping for {sleepy_time} seconds");

    tulip::sleep(common::secs(sleepy_time as f64)).await;

    let response = tulip::http::request("GET", &*url).send().await?;
    let datetime = response.headers().get("date").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();

    drop(response);
    Ok(format!("Process {pid}: {datetime}, took: {:.2} seconds", common::tutorial_secs(start.elapsed())))
}

async fn asynchronous(url: Rc<str>) {
    let start = Instant::now();
    let futures = (1..=MAX_CLIENTS).map(|pid| fetch_async(url.clone(), pid));
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
    let url: Rc<str> = match http_services::url_args().into_iter().next() {
        Some(url) => url.into(),
        None => format!("{}/events", http_services::start().github).into(),
    };
    let ioloop = tulip::new_event_loop();
    ioloop.run_until_complete(asynchronous(url));
    ioloop.close();
}
