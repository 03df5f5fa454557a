//! Seed 000, 2c-fetch-first-ip-address-response(-no-warning): ask two IP
//! services at once, print the first answer (`wait(.., FIRST_COMPLETED)`),
//! cancel the other. With `--forget`, the first version of the program:
//! the other is left pending, and closing the loop reports "Task was
//! destroyed but it is pending!" (on stderr).
//!
//! ```python
//! async def fetch_ip(service):
//!     start = time.time()
//!     print('Fetching IP from {}'.format(service.name))
//!
//!     response = await aiohttp.request('GET', service.url)
//!     json_response = await response.json()
//!     ip = json_response[service.ip_attr]
//!
//!     response.close()
//!     return '{} finished with result: {}, took: {:.2f} seconds'.format(
//!         service.name, ip, time.time() - start)
//!
//! async def asynchronous():
//!     futures = [fetch_ip(service) for service in SERVICES]
//!     done, pending = await asyncio.wait(
//!         futures, return_when=FIRST_COMPLETED)
//!
//!     print(done.pop().result())
//!
//!     for future in pending:
//!         future.cancel()
//! ```
//!
//! The services are simulated (`common/services.rs`; ip-api answers in
//! 0.08 s, ipify in 0.25 s; no network). `wait` takes tasks (Python 3.11's
//! too), started in list order. Times are in the tutorial's seconds.
#[path = "common/mod.rs"]
mod common;
#[path = "common/services.rs"]
mod services;

use services::Service;
use std::time::Instant;
use tulip::ReturnWhen;

static SERVICES: [Service; 2] = [
    Service::new("ipify", "https://api.ipify.org?format=json", "ip"),
    Service::new("ip-api", "http://ip-api.com/json", "query"),
];

async fn fetch_ip(service: &Service) -> Result<String, services::ClientConnectorError> {
    let start = Instant::now();
    println!("Fetching IP from {}", service.name);

    let response = services::request("GET", service.url).await?;
    let json_response = response.json().await;
    let ip = &json_response[service.ip_attr];

    response.close();
    Ok(format!(
        "{} finished with result: {}, took: {:.2} seconds",
        service.name,
        ip,
        common::tutorial_secs(start.elapsed())
    ))
}

async fn asynchronous(forget: bool) {
    let futures: Vec<_> = SERVICES.iter().map(|s| tulip::create_task(fetch_ip(s))).collect();
    let (mut done, pending) =
        tulip::wait(futures).return_when(ReturnWhen::FirstCompleted).await.expect("the set of tasks is not empty");

    if let Some(first) = done.pop() {
        match first.await {
            Ok(Ok(result)) => println!("{result}"),
            Ok(Err(e)) => println!("{e}"),
            Err(e) => println!("{e}"),
        }
    }

    if forget {
        // Detached, still pending: the loop's close() reports it.
        drop(pending);
    } else {
        for future in &pending {
            future.cancel();
        }
    }
}

fn main() {
    let forget = std::env::args().any(|a| a == "--forget");
    let ioloop = tulip::new_event_loop();
    ioloop.run_until_complete(asynchronous(forget));
    ioloop.close();
}
