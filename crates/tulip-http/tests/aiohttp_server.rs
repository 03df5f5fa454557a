//! tulip-http against an aiohttp server (in a virtual environment the
//! test creates when none is found).
#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::PyServer;
use serde_json::{json, Value};
use tulip::http::{ClientSession, TcpConnector, UnixConnector};

/// A python with aiohttp: $TULIP_AIOHTTP_PYTHON, the conventional
/// /work/venv-aiohttp, or a venv made under the target directory.
fn aiohttp_python() -> Option<String> {
    let works = |py: &str| Command::new(py).args(["-c", "import aiohttp"]).output().is_ok_and(|o| o.status.success());
    let mut candidates: Vec<String> = std::env::var("TULIP_AIOHTTP_PYTHON").into_iter().collect();
    candidates.push("/work/venv-aiohttp/bin/python".into());
    let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("aiohttp-venv");
    let own = venv.join("bin/python").to_string_lossy().into_owned();
    candidates.push(own.clone());
    if let Some(py) = candidates.iter().find(|p| works(p)) {
        return Some(py.clone());
    }
    let made = Command::new("python3").arg("-m").arg("venv").arg(&venv).status().is_ok_and(|s| s.success());
    let installed = made
        && Command::new(venv.join("bin/pip")).args(["install", "-q", "aiohttp"]).status().is_ok_and(|s| s.success());
    if installed && works(&own) {
        return Some(own);
    }
    println!("skipped: cannot install aiohttp into {} (no network?)", venv.display());
    None
}

fn start() -> Option<(PyServer, PathBuf)> {
    let py = aiohttp_python()?;
    let sock = std::env::temp_dir().join(format!("tulip-http-aiohttp-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&sock);
    let srv = PyServer::start(&py, include_str!("common/aiohttp_server.py"), &[sock.to_str().unwrap()]);
    Some((srv, sock))
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
        let s = ClientSession::builder().connector(UnixConnector::new(&sock)).build().unwrap();
        let mut r = s.get("http://localhost/json").send().await.unwrap();
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["server"], "aiohttp");
        let mut r = s.get("http://localhost/json").send().await.unwrap();
        r.read().await.unwrap();
        assert_eq!(s.connector().idle(), 1, "kept alive over the socket too");
        s.close().await;
    });
}
