//! The HTTP examples' stand-in services alone, for trying other clients on
//! them (curl, the seeds' Python programs under a real aiohttp): prints
//! each service's base URL, then serves until its stdin closes.
//!
//! ```text
//! $ cargo run --example http_stand_ins
//! github http://127.0.0.1:40001      (GET /events)
//! ...
//! ```
#[path = "common/mod.rs"]
mod common;
#[path = "common/http_services.rs"]
mod http_services;

use std::io::Write;

fn main() {
    let s = http_services::start();
    for (name, url, what) in [
        ("github", &s.github, "GET /events"),
        ("ipify", &s.ipify, "GET /?format=json"),
        ("ip-api", &s.ip_api, "GET /json"),
        ("borken", &s.borken, "refuses connections"),
        ("weather", &s.weather, "GET /data/2.5/weather?q=&appid=&units="),
        ("files", &s.files, "GET /files/NAME?size=N[&chunked=1]"),
    ] {
        println!("{name} {url} ({what})");
    }
    let _ = std::io::stdout().flush();
    let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
}
