//! Seed 000, 3a-fetch-ip-addresses-fail: three IP services, one of them
//! offline; its failure to connect is caught inside `fetch_ip` and becomes
//! its answer ("borken is unresponsive").
//!
//! ```python
//! async def fetch_ip(service):
//!     start = time.time()
//!     print('Fetching IP from {}'.format(service.name))
//!
//!     try:
//!         response = await aiohttp.request('GET', service.url)
//!     except:
//!         return '{} is unresponsive'.format(service.name)
//!
//!     json_response = await response.json()
//!     ip = json_response[service.ip_attr]
//!
//!     response.close()
//!     return '{} finished with result: {}, took: {:.2f} seconds'.format(
//!         service.name, ip, time.time() - start)
//!
//! async def asynchronous():
//!     futures = [fetch_ip(service) for service in SERVICES]
//!     done, _ = await asyncio.wait(futures)
//!
//!     for future in done:
//!         print(future.result())
//! ```
//!
//! The services are simulated (`common/services.rs`; no network).
//! `try/except` around the request is a `match` on its `Result`. Python's
//! `done` is a set (printed in any order); tulip's `done` is in the order
//! the tasks finished. The exception-raising variants are
//! `exceptions_traceback` and `exceptions_never_retrieved`.
#[path = "common/mod.rs"]
mod common;
#[path = "common/services.rs"]
mod services;

use services::Service;
use std::time::Instant;

static SERVICES: [Service; 3] = [
    Service::new("ipify", "https://api.ipify.org?format=json", "ip"),
    Service::new("ip-api", "http://ip-api.com/json", "query"),
    Service::new("borken", "http://no-way-this-is-going-to-work.com/json", "ip"),
];

async fn fetch_ip(service: &Service) -> String {
    let start = Instant::now();
    println!("Fetching IP from {}", service.name);

    let response = match services::request("GET", service.url).await {
        Ok(response) => response,
        Err(_) => return format!("{} is unresponsive", service.name),
    };

    let json_response = response.json().await;
    let ip = &json_response[service.ip_attr];

    response.close();
    format!(
        "{} finished with result: {}, took: {:.2} seconds",
        service.name,
        ip,
        common::tutorial_secs(start.elapsed())
    )
}

async fn asynchronous() {
    let futures: Vec<_> = SERVICES.iter().map(|s| tulip::create_task(fetch_ip(s))).collect();
    let (done, _) = tulip::wait(futures).await.expect("the set of tasks is not empty");

    for future in done {
        match future.await {
            Ok(result) => println!("{result}"),
            // `future.result()` re-raises: a panic is resumed, as Python re-raises.
            Err(tulip::TaskError::Panicked(panic)) => panic.resume(),
            Err(e) => println!("{e}"),
        }
    }
}

fn main() {
    let ioloop = tulip::new_event_loop();
    ioloop.run_until_complete(asynchronous());
    ioloop.close();
}
