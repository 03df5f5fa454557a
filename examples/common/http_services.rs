//! Stand-ins on loopback for the web services the seeds' aiohttp programs
//! ask (no network here): real HTTP/1.1 servers (hyper over tulip, through
//! `tulip-hyper`), each on its own port as the real ones are on their own
//! hosts, on a thread of their own with its own loop, so the example's loop
//! holds only the example's tasks. Each answers after a fixed latency (the
//! seeds' stand-in latencies, `tests/seeds/aiohttp.py`), scaled like the
//! examples' `--fast`. Needs `mod common;` beside it.
#![allow(dead_code)]

use bytes::Bytes;
use http_body_util::{Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::{Request, Response, StatusCode};
use std::cell::Cell;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;
use tulip_hyper::HyperIo;

/// The seeds' `Service = namedtuple('Service', ('name', 'url', 'ip_attr'))`:
/// an IP service, its URL, and the JSON field holding the address.
pub struct Service {
    pub name: &'static str,
    pub url: String,
    pub ip_attr: &'static str,
}

/// The address every IP service reports.
pub const IP: &str = "82.34.76.170";

/// The base URLs of the stand-ins (no trailing slash).
pub struct Services {
    /// api.github.com: `GET /events`.
    pub github: String,
    /// api.ipify.org: `GET /?format=json` → `{"ip": ...}`.
    pub ipify: String,
    /// ip-api.com: `GET /json` → `{"status": "success", "query": ...}`.
    pub ip_api: String,
    /// The seeds' "borken" service: a port where nothing listens.
    pub borken: String,
    /// api.openweathermap.org: `GET /data/2.5/weather?q=&appid=&units=`.
    pub weather: String,
    /// A web site: `GET /` (an HTML page in ISO-8859-1, as google.com's
    /// is), `GET /files/NAME?size=N` (`&chunked=1`: no length).
    pub files: String,
}

/// Starts the stand-ins on a thread of their own, their delays scaled as
/// `--fast` scales the examples' (`scale` 0.01 with it, else 1).
pub fn start_scaled(scale: f64) -> Services {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("stand-in services".into())
        .spawn(move || {
            tulip::run(async move {
                let mut bound = Vec::new();
                for kind in [Kind::GitHub, Kind::Ipify, Kind::IpApi, Kind::Weather, Kind::Files] {
                    bound.push(serve(kind, scale).map(|a| format!("http://{a}")));
                }
                let _ = tx.send((bound, borken_addr()));
                std::future::pending::<()>().await;
            });
        })
        .expect("the services' thread starts");
    let (bound, borken) = rx.recv().expect("the services' thread reports its ports");
    let mut urls = bound.into_iter().map(|u| u.expect("a loopback port binds"));
    let mut next = || urls.next().unwrap_or_default();
    Services {
        github: next(),
        ipify: next(),
        ip_api: next(),
        weather: next(),
        files: next(),
        borken: format!("http://{}", borken.expect("a loopback port binds")),
    }
}

/// [`start_scaled`] with the examples' scale (`--fast`: a hundredth).
pub fn start() -> Services {
    start_scaled(crate::common::secs(1.0).as_secs_f64())
}

/// A loopback address that refuses connections: bound, then let go.
fn borken_addr() -> std::io::Result<SocketAddr> {
    std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()
}

#[derive(Clone, Copy)]
enum Kind {
    GitHub,
    Ipify,
    IpApi,
    Weather,
    Files,
}

impl Kind {
    /// The seeds' latencies, in the tutorial's seconds.
    fn latency(self) -> f64 {
        match self {
            Kind::GitHub => 0.5,
            Kind::Ipify => 0.25,
            Kind::IpApi => 0.08,
            Kind::Weather => 0.1,
            Kind::Files => 0.02,
        }
    }
}

/// The services' bodies may hold the loop's timers, so they are `!Send`.
type Body = Pin<Box<dyn hyper::body::Body<Data = Bytes, Error = Infallible>>>;

/// A response, or an empty 500 where the builder refused a header.
fn built(r: Result<Response<Body>, hyper::http::Error>) -> Response<Body> {
    r.unwrap_or_else(|_| {
        let mut resp = Response::new(full(Bytes::new()));
        *resp.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        resp
    })
}

fn serve(kind: Kind, scale: f64) -> std::io::Result<SocketAddr> {
    let listener = tulip::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
    let addr = listener.local_addr()?;
    // GitHub's rate limit counts down over the service's life.
    let remaining = Rc::new(Cell::new(60u32));
    tulip::create_task(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let _ = tcp.set_nodelay(true);
            let remaining = remaining.clone();
            let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                let remaining = remaining.clone();
                async move {
                    tulip::sleep(Duration::from_secs_f64(kind.latency() * scale)).await;
                    Ok::<_, Infallible>(respond(kind, &req, &remaining, scale))
                }
            });
            tulip::create_task(async move {
                let _ = hyper::server::conn::http1::Builder::new().serve_connection(HyperIo::new(tcp), service).await;
            });
        }
    });
    Ok(addr)
}

fn respond(kind: Kind, req: &Request<Incoming>, remaining: &Cell<u32>, scale: f64) -> Response<Body> {
    let query = query_pairs(req.uri().query().unwrap_or(""));
    let path = req.uri().path();
    match (kind, path) {
        (Kind::GitHub, "/events") => github_events(req, remaining),
        (Kind::Ipify, "/") => json(StatusCode::OK, format!(r#"{{"ip":"{IP}"}}"#)),
        (Kind::IpApi, "/json") => json(
            StatusCode::OK,
            format!(
                r#"{{"status":"success","country":"United Kingdom","countryCode":"GB","city":"London","query":"{IP}"}}"#
            ),
        ),
        (Kind::Weather, "/data/2.5/weather") => weather(&query),
        (Kind::Files, p) if p.starts_with("/files/") => file(&query, scale),
        (Kind::Files, "/") => page(),
        _ => json(StatusCode::NOT_FOUND, r#"{"message":"Not Found"}"#.to_string()),
    }
}

/// `a=1&b=x%20y` → pairs, percent- and plus-decoded.
fn query_pairs(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex =
            b.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b[i], hex) {
            (b'+', _) => out.push(b' '),
            (b'%', Some(v)) => {
                out.push(v);
                i += 2;
            }
            (c, _) => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn param<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    // OpenWeatherMap takes `APPID` as well as `appid`.
    query.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

fn full(body: impl Into<Bytes>) -> Body {
    Box::pin(Full::new(body.into()))
}

fn json(status: StatusCode, body: String) -> Response<Body> {
    built(
        Response::builder()
            .status(status)
            .header("date", crate::common::http_date())
            .header("content-type", "application/json; charset=utf-8")
            .header("content-length", body.len())
            .body(full(body)),
    )
}

const EVENTS: [(&str, &str, &str); 3] = [
    ("PushEvent", "octocat", "octocat/Hello-World"),
    ("WatchEvent", "defunkt", "rails/rails"),
    ("IssuesEvent", "torvalds", "python/cpython"),
];

/// GitHub's `GET /events`: a JSON list of events and GitHub's headers;
/// `If-None-Match` with the list's ETag gets 304, as GitHub answers it.
fn github_events(req: &Request<Incoming>, remaining: &Cell<u32>) -> Response<Body> {
    let items: Vec<String> = EVENTS
        .iter()
        .enumerate()
        .map(|(i, (kind, actor, repo))| {
            format!(
                r#"{{"id":"{id}","type":"{kind}","actor":{{"id":{aid},"login":"{actor}","url":"https://api.github.com/users/{actor}"}},"repo":{{"id":{rid},"name":"{repo}","url":"https://api.github.com/repos/{repo}"}},"payload":{{}},"public":true,"created_at":"2016-02-17T13:10:1{i}Z"}}"#,
                id = 3_646_530_000u64 + i as u64,
                aid = 583_231 + i,
                rid = 1_296_269 + i,
            )
        })
        .collect();
    let body = format!("[{}]", items.join(","));
    let etag = format!("W/\"{:016x}\"", fnv1a(body.as_bytes()));
    remaining.set(remaining.get().saturating_sub(1));
    let reset = crate::common::epoch_secs() as u64 + 3600;
    let not_modified = req.headers().get("if-none-match").is_some_and(|v| v.as_bytes() == etag.as_bytes());
    let (status, body) = if not_modified { (StatusCode::NOT_MODIFIED, String::new()) } else { (StatusCode::OK, body) };
    built(
        Response::builder()
            .status(status)
            .header("server", "GitHub.com")
            .header("date", crate::common::http_date())
            .header("content-type", "application/json; charset=utf-8")
            .header("content-length", body.len())
            .header("cache-control", "public, max-age=60, s-maxage=60")
            .header("vary", "Accept, Accept-Encoding, Accept, X-Requested-With")
            .header("etag", etag)
            .header("x-poll-interval", "60")
            .header("x-github-media-type", "github.v3; format=json")
            .header("link", "<https://api.github.com/events?page=2>; rel=\"next\"")
            .header("x-ratelimit-limit", "60")
            .header("x-ratelimit-remaining", remaining.get().to_string())
            .header("x-ratelimit-reset", reset.to_string())
            .header("x-ratelimit-resource", "core")
            .header("x-ratelimit-used", (60 - remaining.get()).to_string())
            .header("access-control-allow-origin", "*")
            .body(full(body)),
    )
}

fn fnv1a(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// The cities the weather stand-in knows: name, main weather, °C.
const CITIES: [(&str, &str, f64); 12] = [
    ("Moscow", "Clouds", -2.5),
    ("St. Petersburg", "Snow", -4.1),
    ("Rostov-on-Don", "Clear", 3.2),
    ("Kaliningrad", "Rain", 4.0),
    ("Vladivostok", "Clear", -9.8),
    ("Minsk", "Mist", -1.3),
    ("Beijing", "Haze", 5.6),
    ("Delhi", "Smoke", 18.9),
    ("Istanbul", "Rain", 11.4),
    ("Tokyo", "Clear", 9.7),
    ("London", "Fog", 7.2),
    ("New York", "Clouds", 4.4),
];

/// OpenWeatherMap's `GET /data/2.5/weather?q=CITY&appid=KEY&units=U`, with
/// its answers to a missing key (401) and an unknown city (404).
fn weather(query: &[(String, String)]) -> Response<Body> {
    if param(query, "appid").is_none_or(str::is_empty) {
        return json(
            StatusCode::UNAUTHORIZED,
            r#"{"cod":401,"message":"Invalid API key. Please see https://openweathermap.org/faq#error401 for more info."}"#
                .to_string(),
        );
    }
    let q = param(query, "q").unwrap_or("");
    let Some(&(name, main, celsius)) = CITIES.iter().find(|(n, _, _)| n.eq_ignore_ascii_case(q)) else {
        return json(StatusCode::NOT_FOUND, r#"{"cod":"404","message":"city not found"}"#.to_string());
    };
    let temp = match param(query, "units") {
        Some("metric") => celsius,
        Some("imperial") => celsius * 9.0 / 5.0 + 32.0,
        _ => celsius + 273.15,
    };
    let id = 524_901 + fnv1a(name.as_bytes()) % 1000;
    json(
        StatusCode::OK,
        format!(
            r#"{{"coord":{{"lon":37.62,"lat":55.75}},"weather":[{{"id":800,"main":"{main}","description":"{desc}","icon":"01d"}}],"base":"stations","main":{{"temp":{temp:.2},"feels_like":{temp:.2},"pressure":1012,"humidity":80}},"visibility":10000,"wind":{{"speed":3.1,"deg":200}},"dt":1456148400,"sys":{{"country":"XX"}},"timezone":10800,"id":{id},"name":"{name}","cod":200}}"#,
            desc = main.to_lowercase(),
        ),
    )
}

/// A home page, in ISO-8859-1 as google.com sends its own: the `©` is one
/// byte (0xA9), which a client decodes by the header's charset.
fn page() -> Response<Body> {
    let mut body = b"<!doctype html><html lang=\"ru\"><head><title>Google \xa9 2016</title><meta charset=\"ISO-8859-1\"></head><body>Search</body></html>".to_vec();
    body.push(b'\n');
    built(
        Response::builder()
            .header("date", crate::common::http_date())
            .header("content-type", "text/html; charset=ISO-8859-1")
            .header("content-length", body.len())
            .body(full(body)),
    )
}

/// A file of `size` bytes (default 256 KiB), sent in 16 KiB chunks a short
/// while apart so that a progress bar moves; with `chunked=1`, without a
/// Content-Length (chunked encoding).
fn file(query: &[(String, String)], scale: f64) -> Response<Body> {
    let size: usize = param(query, "size").and_then(|s| s.parse().ok()).unwrap_or(256 * 1024);
    let chunked = param(query, "chunked") == Some("1");
    const CHUNK: usize = 16 * 1024;
    let gap = Duration::from_secs_f64(0.02 * scale);
    let chunks = futures_lite::stream::unfold(0usize, move |sent| async move {
        if sent >= size {
            return None;
        }
        if sent > 0 {
            tulip::sleep(gap).await;
        }
        let n = CHUNK.min(size - sent);
        let data: Vec<u8> = (sent..sent + n).map(|i| (i % 251) as u8).collect();
        Some((Ok::<_, Infallible>(Frame::data(Bytes::from(data))), sent + n))
    });
    let mut resp = Response::builder()
        .header("date", crate::common::http_date())
        .header("content-type", "application/octet-stream");
    if !chunked {
        resp = resp.header("content-length", size);
    }
    built(resp.body(Box::pin(StreamBody::new(chunks)) as Body))
}

/// The command line's URLs (the arguments that are not `--flags`): real
/// services to ask instead of the stand-ins.
pub fn url_args() -> Vec<String> {
    std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect()
}
