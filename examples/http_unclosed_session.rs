//! Seed 000, 2c-fetch-first-ip-address-response (the version that warns):
//! the first IP answer is printed, but the other fetch is left pending and
//! the session is never closed. Closing the loop destroys the pending task
//! ("Task was destroyed but it is pending!") and with it the last handle on
//! the session, which reports "Unclosed client session" through the loop's
//! exception handler, as aiohttp does (both on stderr).
//!
//! ```python
//! async def fetch_ip(session, service):
//!     start = time.time()
//!     print('Fetching IP from {}'.format(service.name))
//!     async with session.get(service.url) as response:
//!         json_response = await response.json()
//!     ip = json_response[service.ip_attr]
//!     return '{} finished with result: {}, took: {:.2f} seconds'.format(
//!         service.name, ip, time.time() - start)
//!
//! async def asynchronous():
//!     session = aiohttp.ClientSession()
//!     futures = [asyncio.ensure_future(fetch_ip(session, service))
//!                for service in SERVICES]
//!     done, pending = await asyncio.wait(
//!         futures, return_when=FIRST_COMPLETED)
//!     print(done.pop().result())
//! ```
//!
//! In the seed, each `aiohttp.request` had a session of its own that the
//! destroyed task leaked; aiohttp 3 cleans that one up, so here (and in the
//! Python twin, `tests/seeds/http_unclosed_session.py`) the session is the
//! program's, shared and never closed. The fix is `session.close().await`
//! and cancelling the pending task (`http_first_ip`).
//!
//! `cargo run --example http_unclosed_session [-- IPIFY_URL IP_API_URL]
//! [--fast]`: without URLs, stand-ins on loopback.
#[path = "common/mod.rs"]
mod common;
#[path = "common/http_services.rs"]
mod http_services;

use http_services::Service;
use std::time::Instant;
use tulip::http::{ClientError, ClientSession};
use tulip::ReturnWhen;

async fn fetch_ip(session: ClientSession, service: Service) -> Result<String, ClientError> {
    let start = Instant::now();
    println!("Fetching IP from {}", service.name);

    let mut response = session.get(&service.url).send().await?;
    let json_response: serde_json::Value = response.json().await?;
    let ip = json_response[service.ip_attr].as_str().unwrap_or("?").to_string();

    Ok(format!(
        "{} finished with result: {}, took: {:.2} seconds",
        service.name,
        ip,
        common::tutorial_secs(start.elapsed())
    ))
}

async fn asynchronous(services: Vec<Service>) {
    let session = ClientSession::new();
    let futures: Vec<_> = services.into_iter().map(|s| tulip::create_task(fetch_ip(session.clone(), s))).collect();
    let (mut done, pending) =
        tulip::wait(futures).return_when(ReturnWhen::FirstCompleted).await.expect("the set of tasks is not empty");

    if let Some(first) = done.pop() {
        match first.await {
            Ok(Ok(result)) => println!("{result}"),
            Ok(Err(e)) => println!("{e}"),
            Err(e) => println!("{e}"),
        }
    }
    // Neither `session.close().await` nor `cancel()`: the pending task
    // keeps the last clone of the session until the loop closes.
    drop((session, pending));
}

fn main() {
    let urls: Vec<String> = http_services::url_args();
    let (ipify, ip_api) = match urls.as_slice() {
        [a, b, ..] => (a.clone(), b.clone()),
        _ => {
            let s = http_services::start();
            (s.ipify, s.ip_api)
        }
    };
    let services = vec![
        Service { name: "ipify", url: format!("{ipify}?format=json"), ip_attr: "ip" },
        Service { name: "ip-api", url: format!("{ip_api}/json"), ip_attr: "query" },
    ];
    let ioloop = tulip::new_event_loop();
    ioloop.run_until_complete(asynchronous(services));
    ioloop.close();
}
