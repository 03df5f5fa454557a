//! A stand-in for the aiohttp calls of seed 000's programs, so that they run
//! without the network: each known host answers after a fixed latency (the
//! same as `crates/tulip/tests/seeds/aiohttp.py`, the CPython side's
//! stand-in), an unknown one fails to connect. Needs `mod common;` beside it.
#![allow(dead_code)]

use crate::common;
use std::collections::HashMap;
use std::fmt;

/// The address every IP service reports.
pub const IP: &str = "82.34.76.170";

/// `aiohttp.ClientConnectorError`.
#[derive(Debug)]
pub struct ClientConnectorError(String);

impl fmt::Display for ClientConnectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ClientConnectorError {}

/// A response: its `Date` header and a JSON object body.
pub struct Response {
    host: &'static str,
    /// `response.headers.get('Date')`.
    pub date: String,
}

/// A JSON object; indexing it with a missing key panics with Python's
/// `KeyError: 'key'` (the panic is the task's uncaught exception).
pub struct Json(HashMap<&'static str, String>);

impl std::ops::Index<&str> for Json {
    type Output = String;
    fn index(&self, key: &str) -> &String {
        match self.0.get(key) {
            Some(v) => v,
            None => panic!("KeyError: '{key}'"),
        }
    }
}

fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', ':']).next().unwrap_or(rest)
}

/// `await aiohttp.request(method, url)`.
pub async fn request(_method: &str, url: &str) -> Result<Response, ClientConnectorError> {
    let (host, latency) = match host_of(url) {
        "api.github.com" => ("api.github.com", 0.5),
        "api.ipify.org" => ("api.ipify.org", 0.25),
        "ip-api.com" => ("ip-api.com", 0.08),
        other => {
            tulip::sleep(common::secs(0.05)).await;
            return Err(ClientConnectorError(format!("Cannot connect to host {other}:80")));
        }
    };
    tulip::sleep(common::secs(latency)).await;
    Ok(Response { host, date: common::http_date() })
}

impl Response {
    /// `await response.json()`.
    pub async fn json(&self) -> Json {
        let body = match self.host {
            "api.ipify.org" => vec![("ip", IP.to_string())],
            "ip-api.com" => vec![("status", "success".to_string()), ("query", IP.to_string())],
            _ => vec![],
        };
        Json(body.into_iter().collect())
    }

    /// `response.close()`.
    pub fn close(self) {}
}

/// The seeds' `Service = namedtuple('Service', ('name', 'url', 'ip_attr'))`.
pub struct Service {
    pub name: &'static str,
    pub url: &'static str,
    pub ip_attr: &'static str,
}

impl Service {
    pub const fn new(name: &'static str, url: &'static str, ip_attr: &'static str) -> Self {
        Service { name, url, ip_attr }
    }
}
