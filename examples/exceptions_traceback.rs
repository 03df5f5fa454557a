//! Seed 000, 3b-fetch-ip-addresses-future-exceptions: as `exceptions`, but
//! ip-api's answer lacks the attribute asked for, so its `fetch_ip` raises
//! `KeyError`; the exception travels in the task's result and is caught
//! where the result is read.
//!
//! ```python
//! SERVICES = (
//!     Service('ipify', 'https://api.ipify.org?format=json', 'ip'),
//!     Service('ip-api', 'http://ip-api.com/json', 'this-is-not-an-attr'),
//!     Service('borken', 'http://no-way-this-is-going-to-work.com/json', 'ip')
//! )
//!
//! async def fetch_ip(service):
//!     ...                                  # as in 3a
//!     ip = json_response[service.ip_attr]  # KeyError: 'this-is-not-an-attr'
//!     ...
//!
//! async def asynchronous():
//!     futures = [fetch_ip(service) for service in SERVICES]
//!     done, _ = await asyncio.wait(futures)
//!
//!     for future in done:
//!         try:
//!             print(future.result())
//!         except:
//!             print("Unexpected error: {}".format(traceback.format_exc()))
//! ```
//!
//! The uncaught exception is a panic (the simulated JSON's index panics with
//! `KeyError: '…'`): the task ends with `Err(TaskError::Panicked)`, and
//! `except:` is the `Err` arm. Rust has no traceback to format: the panic
//! message is printed (stdout). `done` is in the order the tasks finished.
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
            Err(e) => println!("Unexpected error: {e}"),
        }
    }
}

fn main() {
    let ioloop = tulip::new_event_loop();
    ioloop.run_until_complete(asynchronous());
    ioloop.close();
}
