//! More real peers: curl against a tulip server.
#![allow(clippy::unwrap_used)]

use std::process::{Command, Stdio};
use tulip_reactor::{start_server, to_thread, EventLoop};

async fn tiny_http_server() -> tulip_reactor::Server {
    start_server(
        |mut r, mut w| async move {
            // Read the request head, answer with a fixed page.
            loop {
                match r.readline().await {
                    Ok(line) if line == b"\r\n" || line.is_empty() => break,
                    Ok(_) => {}
                    Err(_) => return,
                }
            }
            let body = b"hello from tulip\n";
            let head = format!("HTTP/1.0 200 OK\r\nContent-Length: {}\r\nContent-Type: text/plain\r\n\r\n", body.len());
            let _ = w.write(head.as_bytes());
            let _ = w.write(body);
            w.close();
            let _ = w.wait_closed().await;
        },
        "127.0.0.1",
        0,
    )
    .await
    .unwrap()
}

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
