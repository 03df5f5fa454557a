//! tulip-http against an aiohttp server (in a virtual environment the
//! test creates when none is found).
#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;

use common::aiohttp::aiohttp_python;
use common::PyServer;
use serde_json::{json, Value};
use tulip::http::{ClientSession, TcpConnector, UnixConnector};

/// The server's Unix socket path, removed with it.
struct SockPath(PathBuf);

impl Drop for SockPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn start() -> Option<(PyServer, SockPath)> {
    let py = aiohttp_python()?;
    // One socket per server: the tests run on threads of one process, and
    // a path named by the process alone was bound by two servers at once.
    static SERVERS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = SERVERS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let sock = std::env::temp_dir().join(format!("tulip-http-aiohttp-{}-{n}.sock", std::process::id()));
    let _ = std::fs::remove_file(&sock);
    let srv = PyServer::start(&py, include_str!("common/aiohttp_server.py"), &[sock.to_str().unwrap()]);
    Some((srv, SockPath(sock)))
}

#[test]
fn json_streams_compression_cookies_and_redirects() {
    let Some((srv, _sock)) = start() else { return };
    tulip::run(async move {
        let s = ClientSession::builder().base_url(format!("http://localhost:{}/", srv.port)).build().unwrap();
        let mut r = s.get("json").params([("city", "Moscow")]).send().await.unwrap();
        let v: Value = r.json().await.unwrap();
        assert_eq!(v, json!({"server": "aiohttp", "query": {"city": "Moscow"}}));

        let mut r = s.post("echo").json(&json!({"n": [1, 2]})).send().await.unwrap();
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["got"], json!({"n": [1, 2]}));

        let mut r = s.get("stream").send().await.unwrap();
        assert_eq!(r.headers()["transfer-encoding"], "chunked");
        let mut lines = Vec::new();
        loop {
            let line = r.content().readline().await.unwrap();
            if line.is_empty() {
                break;
            }
            lines.push(String::from_utf8(line.to_vec()).unwrap());
        }
        assert_eq!(lines, (0..5).map(|i| format!("chunk {i}\n")).collect::<Vec<_>>());

        let mut r = s.get("compressed").send().await.unwrap();
        assert!(["gzip", "deflate"].contains(&r.headers()["content-encoding"].to_str().unwrap()));
        assert_eq!(r.text().await.unwrap(), "squeeze me ".repeat(500));

        s.get("cookies/set").send().await.unwrap();
        let mut r = s.get("cookies/echo").send().await.unwrap();
        let v: Value = r.json().await.unwrap();
        assert_eq!(v, json!({"flavour": "oatmeal"}));

        let mut r = s.get("redirect").send().await.unwrap();
        assert_eq!(r.history().len(), 1);
        assert_eq!(r.url().query(), Some("from=redirect"));
        let _: Value = r.json().await.unwrap();
        s.close().await;
    });
}

#[test]
fn many_concurrent_requests_share_a_limited_pool() {
    let Some((srv, _sock)) = start() else { return };
    tulip::run(async move {
        let s = ClientSession::builder().connector(TcpConnector::builder().limit(5).build()).build().unwrap();
        let url = format!("http://127.0.0.1:{}/slow", srv.port);
        let tasks: Vec<_> = (0..30)
            .map(|_| {
                let (s, url) = (s.clone(), url.clone());
                tulip::create_task(async move { s.get(url).send().await.unwrap().text().await.unwrap() })
            })
            .collect();
        tulip::sleep(std::time::Duration::from_millis(20)).await;
        assert!(s.connector().acquired() <= 5);
        assert!(s.connector().waiting() > 0);
        for t in tasks {
            assert_eq!(t.await.unwrap(), "slow");
        }
        assert!(s.connector().idle() <= 5 && s.connector().idle() > 0);
        s.close().await;
    });
}

#[test]
fn the_unix_socket_connector() {
    let Some((_srv, sock)) = start() else { return };
    tulip::run(async move {
        let s = ClientSession::builder().connector(UnixConnector::new(&sock.0)).build().unwrap();
        let mut r = s.get("http://localhost/json").send().await.unwrap();
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["server"], "aiohttp");
        let mut r = s.get("http://localhost/json").send().await.unwrap();
        r.read().await.unwrap();
        assert_eq!(s.connector().idle(), 1, "kept alive over the socket too");
        s.close().await;
    });
}
