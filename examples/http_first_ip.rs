//! Seed 000, 2c-fetch-first-ip-address-response-no-warning: ask two "what
//! is my IP" services at once over HTTP, print the first answer
//! (`wait(.., FIRST_COMPLETED)`), cancel the other. `--timeout SECONDS`
//! bounds the wait as 4a-timeout-with-wait-kwarg does (`wait(..,
//! timeout=..)`): with nothing done by then, it prints that no IP came.
//!
//! ```python
//! async def fetch_ip(service):
//!     start = time.time()
//!     print('Fetching IP from {}'.format(service.name))
//!     response = await aiohttp.request('GET', service.url)
//!     json_response = await response.json()
//!     ip = json_response[service.ip_attr]
//!     response.close()
//!     return '{} finished with result: {}, took: {:.2f} seconds'.format(
//!         service.name, ip, time.time() - start)
//!
//! async def asynchronous():
//!     futures = [fetch_ip(service) for service in SERVICES]
//!     done, pending = await asyncio.wait(
//!         futures, return_when=FIRST_COMPLETED)
//!     print(done.pop().result())
//!     for future in pending:
//!         future.cancel()
//! ```
//!
//! `cargo run --example http_first_ip [-- IPIFY_URL IP_API_URL] [--fast]`:
//! without URLs, stand-ins on loopback (`common/http_services.rs`; ip-api
//! answers in 0.08 s, ipify in 0.25 s). `wait` takes tasks (Python 3.11's
//! too), started in list order. (`first_ip_service` is the same program on
//! a simulated aiohttp, without HTTP.)
#[path = "common/mod.rs"]
mod common;
#[path = "common/http_services.rs"]
mod http_services;

use http_services::Service;
use std::time::{Duration, Instant};
use tulip::http::ClientError;
use tulip::ReturnWhen;

async fn fetch_ip(service: Service) -> Result<String, ClientError> {
    let start = Instant::now();
    println!("Fetching IP from {}", service.name);

    let mut response = tulip::http::request("GET", &service.url).send().await?;
    let json_response: serde_json::Value = response.json().await?;
    let ip = json_response[service.ip_attr].as_str().unwrap_or("?").to_string();

    drop(response);
    Ok(format!(
        "{} finished with result: {}, took: {:.2} seconds",
        service.name,
        ip,
        common::tutorial_secs(start.elapsed())
    ))
}

async fn asynchronous(services: Vec<Service>, timeout: Option<Duration>) {
    let futures: Vec<_> = services.into_iter().map(|s| tulip::create_task(fetch_ip(s))).collect();
    let mut wait = tulip::wait(futures).return_when(ReturnWhen::FirstCompleted);
    if let Some(t) = timeout {
        wait = wait.timeout(t);
    }
    let (mut done, pending) = wait.await.expect("the set of tasks is not empty");

    match done.pop() {
        Some(first) => match first.await {
            Ok(Ok(result)) => println!("{result}"),
            Ok(Err(e)) => println!("{e}"),
            Err(e) => println!("{e}"),
        },
        None => println!("no IP within the timeout"),
    }

    for future in &pending {
        future.cancel();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let timeout = args
        .iter()
        .position(|a| a == "--timeout")
        .and_then(|i| args.get(i + 1))
        .and_then(|t| t.parse::<f64>().ok())
        .map(common::secs);
    let urls: Vec<String> = http_services::url_args().into_iter().filter(|a| a.contains("://")).collect();
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
    ioloop.run_until_complete(asynchronous(services, timeout));
    ioloop.close();
}
