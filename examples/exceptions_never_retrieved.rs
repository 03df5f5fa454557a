//! Seed 000, 3c-fetch-ip-addresses-ignore-exceptions: `fetch_ip` prints
//! instead of returning, and nobody reads the tasks' results — so ip-api's
//! `KeyError` is never retrieved, and the loop says so (on stderr).
//!
//! ```python
//! async def fetch_ip(service):
//!     start = time.time()
//!     print('Fetching IP from {}'.format(service.name))
//!
//!     try:
//!         response = await aiohttp.request('GET', service.url)
//!     except:
//!         print('{} is unresponsive'.format(service.name))
//!     else:
//!         json_response = await response.json()
//!         ip = json_response[service.ip_attr]
//!
//!         response.close()
//!         print('{} finished with result: {}, took: {:.2f} seconds'.format(
//!             service.name, ip, time.time() - start))
//!
//! async def asynchronous():
//!     futures = [fetch_ip(service) for service in SERVICES]
//!     await asyncio.wait(futures) # intentionally ignore results
//! ```
//!
//! As in Python, `wait` hands the finished tasks back with their outcomes
//! unread; dropping them unread reports "Task exception was never
//! retrieved" with the panic (the simulated JSON's `KeyError: '…'`) and
//! where it happened — as CPython does when it collects the task. Nothing
//! is printed when the task panics: the loop keeps task panics for whoever
//! handles them.
#[path = "common/mod.rs"]
mod common;
#[path = "common/services.rs"]
mod services;

use services::Service;
use std::time::Instant;

static SERVICES: [Service; 3] = [
    Service::new("ipify", "https://api.ipify.org?format=json", "ip"),
    Service::new("ip-api", "http://ip-api.com/json", "this-is-not-an-attr"),
    Service::new("borken", "http://no-way-this-is-going-to-work.com/json", "ip"),
];

async fn fetch_ip(service: &Service) {
    let start = Instant::now();
    println!("Fetching IP from {}", service.name);

    match services::request("GET", service.url).await {
        Err(_) => println!("{} is unresponsive", service.name),
        Ok(response) => {
            let json_response = response.json().await;
            let ip = &json_response[service.ip_attr];

            response.close();
            println!(
                "{} finished with result: {}, took: {:.2} seconds",
                service.name,
                ip,
                common::tutorial_secs(start.elapsed())
            );
        }
    }
}

async fn asynchronous() {
    let futures: Vec<_> = SERVICES.iter().map(|s| tulip::create_task(fetch_ip(s))).collect();
    // intentionally ignore results
    let _ = tulip::wait(futures).await;
}

fn main() {
    let ioloop = tulip::new_event_loop();
    ioloop.run_until_complete(asynchronous());
    ioloop.close();
}
