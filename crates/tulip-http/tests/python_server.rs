//! tulip-http against Python's http.server (a peer no one here wrote).
#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::PyServer;
use serde_json::{json, Value};
use tulip::http::{BasicAuth, ClientError, ClientSession, ClientTimeout, CookieJar, ServerTimeoutKind, TcpConnector};

fn session() -> ClientSession {
    ClientSession::new()
}

#[test]
fn get_json_headers_and_one_shot_request() {
    let srv = PyServer::http();
    tulip::run(async move {
        let s = session();
        let mut resp = s.get(srv.url("/json")).send().await.unwrap();
        assert_eq!((resp.status(), resp.reason()), (200, "OK"));
        assert_eq!(resp.content_type(), "application/json");
        assert!(resp.headers().get("server").unwrap().to_str().unwrap().contains("Python"));
        let v: Value = resp.json().await.unwrap();
        assert_eq!(v["hello"], "world");
        s.close().await;

        let mut resp = tulip::http::request("GET", srv.url("/json")).send().await.unwrap();
        let v: Value = resp.json().await.unwrap();
        assert_eq!(v["list"], json!([1, 2, 3]));
    });
}

#[test]
fn post_json_form_params_and_default_headers() {
    let srv = PyServer::http();
    tulip::run(async move {
        let s = ClientSession::builder().header("User-Agent", "seeds/1").base_url(srv.url("/")).build().unwrap();
        let mut r = s.post("echo").json(&json!({"a": 1})).send().await.unwrap();
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["method"], "POST");
        assert_eq!(v["body"], r#"{"a":1}"#);
        assert_eq!(v["headers"]["content-type"], "application/json");
        assert_eq!(v["headers"]["user-agent"], "seeds/1");
        assert_eq!(v["headers"]["accept-encoding"], "gzip, deflate");
        let mut r = s.put("echo").form([("k", "a b"), ("x", "&")]).params([("q", "Moscow")]).send().await.unwrap();
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["body"], "k=a+b&x=%26");
        assert_eq!(v["query"]["q"], "Moscow");
        assert_eq!(v["headers"]["content-type"], "application/x-www-form-urlencoded");
        let stream = tulip::http::Body::from_reader(futures_lite::io::Cursor::new(b"streamed!".to_vec()));
        let mut r = s.patch("echo").body(stream).send().await.unwrap();
        let v: Value = r.json().await.unwrap();
        assert_eq!((v["method"].as_str(), v["body"].as_str()), (Some("PATCH"), Some("streamed!")));
        assert_eq!(v["headers"]["transfer-encoding"], "chunked");
        let r = s.head("json").send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.content_length().unwrap() > 0);
        s.close().await;
    });
}

#[test]
fn keep_alive_reuses_the_connection() {
    let srv = PyServer::http();
    tulip::run(async move {
        let s = session();
        let mut ports = Vec::new();
        for _ in 0..3 {
            let mut r = s.get(srv.url("/peer")).send().await.unwrap();
            ports.push(r.text().await.unwrap());
            assert_eq!(s.connector().idle(), 1, "read to the end: back in the pool");
        }
        assert!(ports.windows(2).all(|w| w[0] == w[1]), "one connection: {ports:?}");
        // Dropped unread, the connection is closed, never reused half-read.
        let unread = s.get(srv.url("/gzip")).send().await.unwrap();
        drop(unread);
        assert_eq!(s.connector().acquired(), 0);
        let mut r = s.get(srv.url("/peer")).send().await.unwrap();
        assert_ne!(r.text().await.unwrap(), ports[0]);
        s.close().await;
        assert_eq!(s.connector().idle(), 0);
        assert!(matches!(s.get(srv.url("/json")).send().await, Err(ClientError::SessionClosed)));
    });
}

#[test]
fn redirects_history_methods_and_limits() {
    let srv = PyServer::http();
    tulip::run(async move {
        let s = session();
        let mut r = s.get(srv.url("/redirect/3")).send().await.unwrap();
        assert_eq!(r.url().path(), "/echo");
        assert_eq!(r.history().iter().map(|h| h.status()).collect::<Vec<_>>(), [302, 302, 302, 302]);
        assert_eq!(r.history()[0].url().path(), "/redirect/3");
        let _: Value = r.json().await.unwrap();

        let to = |status: u16| srv.url(&format!("/redirect-to?status={status}&url=/echo"));
        let mut r = s.post(to(303)).body("payload").send().await.unwrap();
        let v: Value = r.json().await.unwrap();
        assert_eq!((v["method"].as_str(), v["body"].as_str()), (Some("GET"), Some("")));
        let mut r = s.post(to(307)).body("payload").send().await.unwrap();
        let v: Value = r.json().await.unwrap();
        assert_eq!((v["method"].as_str(), v["body"].as_str()), (Some("POST"), Some("payload")));
        let mut r = s.put(to(308)).body("p").send().await.unwrap();
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["method"], "PUT");

        let err = s.get(srv.url("/redirect/20")).send().await.unwrap_err();
        let ClientError::TooManyRedirects(e) = &err else { panic!("{err:?}") };
        assert_eq!(e.redirects, 10);
        assert!(err.is_response());
        let r = s.get(srv.url("/redirect/2")).allow_redirects(false).send().await.unwrap();
        assert_eq!(r.status(), 302);
        assert!(s.get(srv.url("/redirect/5")).max_redirects(3).send().await.is_err());
        s.close().await;
    });
}

#[test]
fn cross_origin_redirect_drops_credentials() {
    let srv = PyServer::http();
    tulip::run(async move {
        let s = session();
        let other = format!("http://localhost:{}/echo", srv.port);
        let go = srv.url(&format!("/redirect-to?status=302&url={other}"));
        let mut r = s.get(&go).auth(BasicAuth::new("user", "pass")).header("Cookie", "a=1").send().await.unwrap();
        let v: Value = r.json().await.unwrap();
        assert!(v["headers"].get("authorization").is_none(), "{v}");
        assert!(v["headers"].get("cookie").is_none());
        let same = srv.url("/redirect-to?status=302&url=/echo");
        let mut r = s.get(&same).auth(BasicAuth::new("user", "pass")).send().await.unwrap();
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["headers"]["authorization"], "Basic dXNlcjpwYXNz");
        s.close().await;
    });
}

#[test]
fn cookies_are_kept_sent_and_deleted_by_an_expired_date() {
    let srv = PyServer::http();
    tulip::run(async move {
        let s = session();
        let base = format!("http://localhost:{}", srv.port);
        let r = s.get(format!("{base}/set-cookie?sid=42&lang=en")).send().await.unwrap();
        assert_eq!(r.cookies().len(), 2);
        assert_eq!(s.cookie_jar().len(), 2);
        let mut r = s.get(format!("{base}/echo")).send().await.unwrap();
        let v: Value = r.json().await.unwrap();
        let sent = v["headers"]["cookie"].as_str().unwrap().to_string();
        assert!(sent.contains("sid=42") && sent.contains("lang=en"), "{sent}");
        s.get(format!("{base}/delete-cookie?sid=x")).send().await.unwrap();
        assert_eq!(s.cookie_jar().len(), 1, "Expires=Thu, 01 Jan 1970 deletes");
        s.close().await;

        // An IP host: refused by aiohttp's default jar, kept by an unsafe one.
        let safe = session();
        safe.get(srv.url("/set-cookie?a=1")).send().await.unwrap();
        assert!(safe.cookie_jar().is_empty());
        safe.close().await;
        let open = ClientSession::builder().cookie_jar(CookieJar::unsafe_()).build().unwrap();
        open.get(srv.url("/set-cookie?a=1")).send().await.unwrap();
        assert_eq!(open.cookie_jar().len(), 1);
        open.close().await;
    });
}

#[test]
fn gzip_deflate_auth_charset_and_status() {
    let srv = PyServer::http();
    tulip::run(async move {
        let s = session();
        assert_eq!(s.get(srv.url("/gzip")).send().await.unwrap().text().await.unwrap(), "gzipped ".repeat(1000));
        assert_eq!(s.get(srv.url("/deflate")).send().await.unwrap().text().await.unwrap(), "deflated ".repeat(1000));
        let raw = s.get(srv.url("/rawdeflate")).send().await.unwrap().text().await.unwrap();
        assert_eq!(raw, "raw deflate ".repeat(100));
        assert_eq!(s.get(srv.url("/basic")).send().await.unwrap().status(), 401);
        let mut ok = s.get(srv.url("/basic")).auth(BasicAuth::new("user", "pass")).send().await.unwrap();
        assert_eq!(ok.text().await.unwrap(), "welcome");
        let in_url = format!("http://user:pass@127.0.0.1:{}/basic", srv.port);
        assert_eq!(s.get(&in_url).send().await.unwrap().status(), 200);
        let mut l = s.get(srv.url("/latin1")).send().await.unwrap();
        assert_eq!(l.charset(), Some("iso-8859-1"));
        assert_eq!(l.text().await.unwrap(), "café");
        let mut html = s.get(srv.url("/html")).send().await.unwrap();
        assert!(matches!(html.json::<Value>().await, Err(ClientError::ContentType(_))));
        let r = s.get(srv.url("/status/404")).send().await.unwrap();
        let err = r.raise_for_status().unwrap_err();
        assert_eq!(err.status(), Some(404));
        s.close().await;

        let strict = ClientSession::builder().raise_for_status(true).build().unwrap();
        let err = strict.get(srv.url("/status/503")).send().await.unwrap_err();
        let ClientError::Response(e) = err else { panic!() };
        assert_eq!((e.status, e.message.as_str()), (503, "Service Unavailable"));
        strict.close().await;
    });
}

#[test]
fn content_reader_reads_lines_of_a_chunked_body() {
    let srv = PyServer::http();
    tulip::run(async move {
        let s = session();
        let mut r = s.get(srv.url("/chunked")).send().await.unwrap();
        let c = r.content();
        assert_eq!(c.readline().await.unwrap(), "line one\n");
        assert_eq!(c.readexactly(4).await.unwrap(), "line");
        assert_eq!(c.readline().await.unwrap(), " two\n");
        assert_eq!(c.read(100).await.unwrap(), "last");
        assert_eq!(c.read(100).await.unwrap(), "");
        assert!(c.at_eof());
        assert_eq!(s.connector().idle(), 1);
        s.close().await;
    });
}

#[test]
fn limit_per_host_queues_and_connect_timeout_counts_the_wait() {
    let srv = PyServer::http();
    tulip::run(async move {
        let s = ClientSession::builder().connector(TcpConnector::builder().limit_per_host(1).build()).build().unwrap();
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..3 {
            let (s, url) = (s.clone(), srv.url("/sleep?ms=150"));
            tasks.push(tulip::create_task(async move { s.get(url).send().await.unwrap().text().await.unwrap() }));
        }
        tulip::sleep(Duration::from_millis(50)).await;
        assert_eq!(s.connector().waiting(), 2);
        for t in tasks {
            assert_eq!(t.await.unwrap(), "slept");
        }
        assert!(start.elapsed() >= Duration::from_millis(450), "one at a time");

        let busy = {
            let (s, url) = (s.clone(), srv.url("/sleep?ms=1500"));
            tulip::create_task(async move { s.get(url).send().await.map(|r| r.status()) })
        };
        tulip::sleep(Duration::from_millis(50)).await;
        let t = ClientTimeout { connect: Some(Duration::from_millis(100)), ..ClientTimeout::default() };
        let err = s.get(srv.url("/json")).timeout(t).send().await.unwrap_err();
        let ClientError::Connection(tulip::http::ClientConnectionError::ServerTimeout(e)) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(e.kind, ServerTimeoutKind::Connect);
        assert_eq!(s.connector().waiting(), 0, "the timed-out caller left the queue");
        assert_eq!(busy.await.unwrap().unwrap(), 200);
        s.close().await;
    });
}

#[test]
fn sock_read_and_total_timeouts() {
    let srv = PyServer::http();
    tulip::run(async move {
        let s = session();
        let t = ClientTimeout { sock_read: Some(Duration::from_millis(100)), ..ClientTimeout::default() };
        let start = Instant::now();
        let err = s.get(srv.url("/sleep?ms=2000")).timeout(t).send().await.unwrap_err();
        assert!(err.is_timeout() && err.is_connection(), "{err:?}");
        let t = ClientTimeout { total: Some(Duration::from_millis(100)), ..ClientTimeout::default() };
        let err = s.get(srv.url("/sleep?ms=2000")).timeout(t).send().await.unwrap_err();
        assert!(matches!(err, ClientError::Timeout(_)), "{err:?}");
        assert!(start.elapsed() < Duration::from_millis(1900), "both gave up early");
        assert_eq!(s.connector().acquired(), 0);
        assert_eq!(s.connector().idle(), 0, "a timed-out connection is not pooled");
        s.close().await;
    });
}

#[test]
fn plain_http_through_a_proxy_in_absolute_form() {
    let srv = PyServer::http();
    let proxy = common::proxy::Proxy::start(Some("Basic dTpw"));
    let (proxy_url, seen) = (proxy.url(), std::sync::Arc::clone(&proxy.seen));
    tulip::run(async move {
        let s = session();
        let mut r =
            s.get(srv.url("/echo")).proxy(&proxy_url).proxy_auth(BasicAuth::new("u", "p")).send().await.unwrap();
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["path"], "/echo");
        let (line, auth) = seen.lock().unwrap()[0].clone();
        assert_eq!(line, format!("GET {} HTTP/1.1", srv.url("/echo")));
        assert_eq!(auth.as_deref(), Some("Basic dTpw"));
        // Without credentials the proxy's 407 is the response.
        let r = s.get(srv.url("/echo")).proxy(&proxy_url).send().await.unwrap();
        assert_eq!(r.status(), 407);
        // Credentials in the proxy URL work too, and a session-wide proxy.
        let via = ClientSession::builder().proxy(proxy_url.replace("http://", "http://u:p@")).build().unwrap();
        assert_eq!(via.get(srv.url("/json")).send().await.unwrap().status(), 200);
        via.close().await;
        s.close().await;
        drop(proxy);
    });
}

#[test]
fn session_cookies_and_a_json_serializer() {
    let srv = PyServer::http();
    tulip::run(async move {
        let s = ClientSession::builder()
            .cookies([("theme", "dark")])
            .json_serialize(|v| serde_json::to_string_pretty(v).unwrap())
            .build()
            .unwrap();
        let mut r = s.post(srv.url("/echo")).header("Cookie", "mine=1").json(&json!({"a": 1})).send().await.unwrap();
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["headers"]["cookie"], "mine=1; theme=dark");
        assert_eq!(v["body"], "{\n  \"a\": 1\n}");
        s.close().await;
    });
}
