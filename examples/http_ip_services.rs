//! Seed 000, 3a-fetch-ip-addresses-fail: ask three IP services over HTTP
//! and wait for all of them; the third ("borken") cannot be reached, and
//! the program reports it as unresponsive instead of failing. With
//! `--bad-attr`, 3b-fetch-ip-addresses-future-exceptions: ip-api's
//! attribute is `'this-is-not-an-attr'`, the lookup raises `KeyError` in
//! its task (a panic here), and the loop over `done` prints it as
//! "Unexpected error: ..." (Python prints the traceback; tulip the panic's
//! message, and the panic itself goes to stderr).
//!
//! ```python
//! async def fetch_ip(service):
//!     start = time.time()
//!     print('Fetching IP from {}'.format(service.name))
//!     try:
//!         response = await aiohttp.request('GET', service.url)
//!     except:
//!         return '{} is unresponsive'.format(service.name)
//!     json_response = await response.json()
//!     ip = json_response[service.ip_attr]
//!     response.close()
//!     return '{} finished with result: {}, took: {:.2f} seconds'.format(
//!         service.name, ip, time.time() - start)
//!
//! async def asynchronous():
//!     futures = [fetch_ip(service) for service in SERVICES]
//!     done, _ = await asyncio.wait(futures)
//!     for future in done:
//!         print(future.result())
//! ```
//!
//! `cargo run --example http_ip_services [-- IPIFY_URL IP_API_URL
//! BORKEN_URL] [--fast]`: without URLs, stand-ins on loopback
//! (`common/http_services.rs`); the broken one is a port where nothing
//! listens, so connecting fails with `ClientConnectorError` as the seed's
//! unknown host does. Python's `done` is a set (any order); tulip's is in
//! the order the tasks finished. (`exceptions` is the same program on a
//! simulated aiohttp.)
#[path = "common/mod.rs"]
mod common;
#[path = "common/http_services.rs"]
mod http_services;

use http_services::Service;
use std::time::Instant;
use tulip::ReturnWhen;

async fn fetch_ip(service: Service) -> String {
    let start = Instant::now();
    println!("Fetching IP from {}", service.name);

    let mut response = match tulip::http::request("GET", &service.url).send().await {
        Ok(response) => response,
        Err(_) => return format!("{} is unresponsive", service.name),
    };

    let json_response: serde_json::Value = match response.json().await {
        Ok(json) => json,
        Err(e) => return format!("{}: {e}", service.name),
    };
    // `json_response[service.ip_attr]`: a missing key is Python's KeyError.
    let ip = match json_response.get(service.ip_attr) {
        Some(ip) => ip.as_str().unwrap_or("?").to_string(),
        None => panic!("KeyError: '{}'", service.ip_attr),
    };

    drop(response);
    format!(
        "{} finished with result: {}, took: {:.2} seconds",
        service.name,
        ip,
        common::tutorial_secs(start.elapsed())
    )
}

async fn asynchronous(services: Vec<Service>) {
    let futures: Vec<_> = services.into_iter().map(|s| tulip::create_task(fetch_ip(s))).collect();
    let (done, _) =
        tulip::wait(futures).return_when(ReturnWhen::AllCompleted).await.expect("the set of tasks is not empty");

    for future in done {
        match future.await {
            Ok(line) => println!("{line}"),
            Err(e) => println!("Unexpected error: {e}"),
        }
    }
}

fn main() {
    let ip_api_attr = if std::env::args().any(|a| a == "--bad-attr") { "this-is-not-an-attr" } else { "query" };
    let urls = http_services::url_args();
    let [ipify, ip_api, borken] = match <[String; 3]>::try_from(urls) {
        Ok(urls) => urls,
        Err(_) => {
            let s = http_services::start();
            [s.ipify, s.ip_api, s.borken]
        }
    };
    let services = vec![
        Service { name: "ipify", url: format!("{ipify}?format=json"), ip_attr: "ip" },
        Service { name: "ip-api", url: format!("{ip_api}/json"), ip_attr: ip_api_attr },
        Service { name: "borken", url: format!("{borken}/json"), ip_attr: "ip" },
    ];
    let ioloop = tulip::new_event_loop();
    ioloop.run_until_complete(asynchronous(services));
    ioloop.close();
}
