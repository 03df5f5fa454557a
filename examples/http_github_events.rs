//! Seed 000, 1d-async-fetch-from-server: GitHub's public events fetched
//! three times in turn (a blocking request each), then three times at once
//! (`aiohttp.request('GET', URL)` as tasks), printing each response's
//! `Date` header; `--events` also prints what the JSON list holds and the
//! rate limit GitHub's headers report.
//!
//! ```python
//! def fetch_sync(pid):
//!     print('Fetch sync process {} started'.format(pid))
//!     start = time.time()
//!     response = urllib.request.urlopen(URL)
//!     datetime = response.getheader('Date')
//!     print('Process {}: {}, took: {:.2f} seconds'.format(
//!         pid, datetime, time.time() - start))
//!     return datetime
//!
//! async def fetch_async(pid):
//!     print('Fetch async process {} started'.format(pid))
//!     start = time.time()
//!     response = await aiohttp.request('GET', URL)
//!     datetime = response.headers.get('Date')
//!     print('Process {}: {}, took: {:.2f} seconds'.format(
//!         pid, datetime, time.time() - start))
//!     response.close()
//!     return datetime
//!
//! def synchronous():
//!     start = time.time()
//!     for i in range(1, MAX_CLIENTS + 1):
//!         fetch_sync(i)
//!     print("Process took: {:.2f} seconds".format(time.time() - start))
//!
//! async def asynchronous():
//!     start = time.time()
//!     tasks = [asyncio.ensure_future(
//!         fetch_async(i)) for i in range(1, MAX_CLIENTS + 1)]
//!     await asyncio.wait(tasks)
//!     print("Process took: {:.2f} seconds".format(time.time() - start))
//! ```
//!
//! `cargo run --example http_github_events [-- URL] [--fast] [--events]`:
//! without a URL, a stand-in on loopback (`common/http_services.rs`: the
//! same JSON shape and headers, 0.5 s per answer) plays api.github.com. The
//! blocking `urlopen` is a one-request loop of its own (`tulip::run`), as
//! urllib blocks the program. The three concurrent answers come in any
//! order. Times are in the tutorial's seconds, also under `--fast`.
#[path = "common/mod.rs"]
mod common;
#[path = "common/http_services.rs"]
mod http_services;

use std::rc::Rc;
use std::time::Instant;
use tulip::http::ClientError;
use tulip::ReturnWhen;

const MAX_CLIENTS: usize = 3;

/// The response's `Date` header (and, with `--events`, a look at the JSON).
async fn fetch_date(url: Rc<str>) -> Result<String, ClientError> {
    let mut response = tulip::http::request("GET", &*url).send().await?;
    let datetime = response.headers().get("date").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    if std::env::args().any(|a| a == "--events") {
        show_events(&mut response).await?;
    }
    Ok(datetime)
}

/// What the events list holds, and the rate limit left.
async fn show_events(response: &mut tulip::http::ClientResponse) -> Result<(), ClientError> {
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("?").to_string();
    let (left, limit) = (header("x-ratelimit-remaining"), header("x-ratelimit-limit"));
    let events: serde_json::Value = response.json().await?;
    for event in events.as_array().into_iter().flatten() {
        println!(
            "  {} by {} on {} at {}",
            event["type"].as_str().unwrap_or("?"),
            event["actor"]["login"].as_str().unwrap_or("?"),
            event["repo"]["name"].as_str().unwrap_or("?"),
            event["created_at"].as_str().unwrap_or("?"),
        );
    }
    println!("  rate limit: {left} of {limit} left");
    Ok(())
}

fn fetch_sync(url: &Rc<str>, pid: usize) -> String {
    println!("Fetch sync process {pid} started");
    let start = Instant::now();
    let datetime = tulip::run(fetch_date(url.clone())).unwrap_or_else(|e| e.to_string());

    println!("Process {pid}: {datetime}, took: {:.2} seconds", common::tutorial_secs(start.elapsed()));

    datetime
}

async fn fetch_async(url: Rc<str>, pid: usize) -> String {
    println!("Fetch async process {pid} started");
    let start = Instant::now();
    let datetime = fetch_date(url).await.unwrap_or_else(|e| e.to_string());

    println!("Process {pid}: {datetime}, took: {:.2} seconds", common::tutorial_secs(start.elapsed()));

    datetime
}

fn synchronous(url: &Rc<str>) {
    let start = Instant::now();
    for i in 1..=MAX_CLIENTS {
        fetch_sync(url, i);
    }
    println!("Process took: {:.2} seconds", common::tutorial_secs(start.elapsed()));
}

async fn asynchronous(url: Rc<str>) {
    let start = Instant::now();
    let tasks: Vec<_> = (1..=MAX_CLIENTS).map(|i| tulip::create_task(fetch_async(url.clone(), i))).collect();
    let _ = tulip::wait(tasks).return_when(ReturnWhen::AllCompleted).await;
    println!("Process took: {:.2} seconds", common::tutorial_secs(start.elapsed()));
}

fn main() {
    let url: Rc<str> = match http_services::url_args().into_iter().next() {
        Some(url) => url.into(),
        None => format!("{}/events", http_services::start().github).into(),
    };

    println!("Synchronous:");
    synchronous(&url);

    println!("Asynchronous:");
    let ioloop = tulip::new_event_loop();
    ioloop.run_until_complete(asynchronous(url));
    ioloop.close();
}
