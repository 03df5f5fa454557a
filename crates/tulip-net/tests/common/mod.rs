//! Shared by the I/O tests.
#![allow(dead_code, clippy::unwrap_used)]

use tulip::start_server;

/// A minimal HTTP/1.0 server: reads the request head, answers one page.
pub async fn tiny_http_server() -> tulip::Server {
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

/// An echo server: whatever a client sends comes back, until it closes.
pub async fn echo_server() -> tulip::Server {
    start_server(
        |mut r, mut w| async move {
            loop {
                let data = r.read(64 * 1024).await.unwrap_or_default();
                if data.is_empty() {
                    break;
                }
                if w.write(&data).is_err() || w.drain().await.is_err() {
                    break;
                }
            }
            w.close();
        },
        "127.0.0.1",
        0,
    )
    .await
    .unwrap()
}
