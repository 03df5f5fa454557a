//! Seed 000, 4a-timeout-with-wait-kwarg: the IP is optional, so the answer
//! does not wait for it longer than `--timeout` (`-t`, default 0.01 s):
//! `wait(.., timeout=, return_when=FIRST_COMPLETED)`, the pending
//! cancelled, the response printed with or without the IP.
//!
//! ```python
//! async def fetch_ip(service):
//!     start = time.time()
//!     print('Fetching IP from {}'.format(service.name))
//!
//!     await asyncio.sleep(random.randint(1, 3) * 0.1)
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
//!     print('{} finished with result: {}, took: {:.2f} seconds'.format(
//!         service.name, ip, time.time() - start))
//!     return ip
//!
//! async def asynchronous(timeout):
//!     response = {
//!         "message": "Result from asynchronous.",
//!         "ip": "not available"
//!     }
//!
//!     futures = [fetch_ip(service) for service in SERVICES]
//!     done, pending = await asyncio.wait(
//!         futures, timeout=timeout, return_when=FIRST_COMPLETED)
//!
//!     for future in pending:
//!         future.cancel()
//!
//!     for future in done:
//!         response["ip"] = future.result()
//!
//!     print(response)
//!
//! # argparse: -t/--timeout, default DEFAULT_TIMEOUT = 0.01
//! print("Using a {} timeout".format(args.timeout))
//! ```
//!
//! Try `-- --timeout 5`. The services are simulated (`common/services.rs`;
//! no network); the timeout scales with `--fast` like every delay. The dict
//! is a struct printed as Python prints the dict. PyMOTW's `wait` timeout
//! program is `wait_timeout_pymotw`.
#[path = "common/mod.rs"]
mod common;
#[path = "common/services.rs"]
mod services;

use services::Service;
use std::fmt;
use std::time::Instant;
use tulip::ReturnWhen;

static SERVICES: [Service; 2] = [
    Service::new("ipify", "https://api.ipify.org?format=json", "ip"),
    Service::new("ip-api", "http://ip-api.com/json", "query"),
];

const DEFAULT_TIMEOUT: f64 = 0.01;

async fn fetch_ip(service: &Service) -> String {
    let start = Instant::now();
    println!("Fetching IP from {}", service.name);

    tulip::sleep(common::secs(common::randint(1, 3) as f64 * 0.1)).await;

    let response = match services::request("GET", service.url).await {
        Ok(response) => response,
        Err(_) => return format!("{} is unresponsive", service.name),
    };

    let json_response = response.json().await;
    let ip = json_response[service.ip_attr].clone();

    response.close();
    println!(
        "{} finished with result: {}, took: {:.2} seconds",
        service.name,
        ip,
        common::tutorial_secs(start.elapsed())
    );
    ip
}

/// `{"message": ..., "ip": ...}`.
struct Response {
    message: &'static str,
    ip: String,
}

impl fmt::Display for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{'message': '{}', 'ip': '{}'}}", self.message, self.ip)
    }
}

async fn asynchronous(timeout: f64) {
    let mut response = Response { message: "Result from asynchronous.", ip: "not available".to_string() };

    let futures: Vec<_> = SERVICES.iter().map(|s| tulip::create_task(fetch_ip(s))).collect();
    let (done, pending) = tulip::wait(futures)
        .return_when(ReturnWhen::FirstCompleted)
        .timeout(common::secs(timeout))
        .await
        .expect("the set of tasks is not empty");

    for future in &pending {
        future.cancel();
    }

    for future in done {
        if let Ok(ip) = future.await {
            response.ip = ip;
        }
    }

    println!("{response}");
}

/// `-t/--timeout SECONDS` (argparse's `type=float`).
fn timeout_arg() -> f64 {
    let mut args = std::env::args().skip_while(|a| a != "-t" && a != "--timeout").skip(1);
    match args.next() {
        Some(v) => v.parse().unwrap_or_else(|_| {
            eprintln!("argument -t/--timeout: invalid float value: '{v}'");
            std::process::exit(2)
        }),
        None => DEFAULT_TIMEOUT,
    }
}

fn main() {
    let timeout = timeout_arg();
    // `{:?}` prints a float as Python does: 0.01, 5.0.
    println!("Using a {timeout:?} timeout");
    let ioloop = tulip::new_event_loop();
    ioloop.run_until_complete(asynchronous(timeout));
    ioloop.close();
}
