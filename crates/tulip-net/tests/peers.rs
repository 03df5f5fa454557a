//! More real peers: curl against a tulip server.
#![allow(clippy::unwrap_used)]

use std::process::{Command, Stdio};
use tulip::to_thread;
use tulip::EventLoop;

mod common;
use common::tiny_http_server;

#[test]
fn curl_fetches_a_page_from_a_tulip_server() {
    if Command::new("curl").arg("--version").stdout(Stdio::null()).status().is_err() {
        eprintln!("curl not installed; skipping");
        return;
    }
    EventLoop::new().run_until_complete(async {
        let server = tiny_http_server().await;
        let url = format!("http://127.0.0.1:{}/", server.sockets()[0].port());
        let out =
            to_thread(move || Command::new("curl").args(["-s", "--max-time", "10", &url]).output()).await.unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "hello from tulip\n");
        server.close();
    });
}
