//! A response to a request whose body the handler left unread (a 413 over
//! `client_max_size`, a handler that ignores a POST's body) says
//! `Connection: close`: hyper closes such a connection after the response
//! (it drains only what has already arrived), and a client that was not
//! told would send its next request into a closed socket (Python's
//! `http.client` then fails it). A body read to its end keeps the
//! connection alive.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use futures_lite::{AsyncReadExt, AsyncWriteExt};
use tulip::web::{self, Application, Request, Response, TestServer};

async fn echo(mut request: Request) -> web::Result<Response> {
    Ok(Response::text(request.text().await?))
}

async fn ignore(_request: Request) -> Response {
    Response::text("ignored")
}

fn app() -> Application {
    let mut app = Application::new().with_client_max_size(16);
    app.add_routes([web::post("/echo", echo), web::post("/ignore", ignore)]);
    app
}

/// Sends `head` (and `body` if any), reads one response head; returns it
/// lower-cased.
async fn one_response(tcp: &mut tulip::TcpStream, raw: &[u8]) -> String {
    tcp.write_all(raw).await.unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    tulip::timeout(Duration::from_secs(10), async {
        while !out.windows(4).any(|w| w == b"\r\n\r\n") {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .unwrap();
    String::from_utf8_lossy(&out).to_ascii_lowercase()
}

#[test]
fn a_413_over_client_max_size_says_connection_close() {
    tulip::run(async {
        let server = TestServer::start(app()).await.unwrap();
        let mut tcp = tulip::TcpStream::connect(server.addr()).await.unwrap();
        // A body larger than the limit, announced but not all sent yet.
        let head =
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n0123456789012345678901234567890123456789";
        let res = one_response(&mut tcp, head).await;
        assert!(res.starts_with("http/1.1 413"), "{res}");
        assert!(res.contains("connection: close"), "the client must be told: {res}");
        server.close().await.unwrap();
    });
}

#[test]
fn an_ignored_body_says_close_and_a_read_one_keeps_alive() {
    tulip::run(async {
        let server = TestServer::start(app()).await.unwrap();
        let mut tcp = tulip::TcpStream::connect(server.addr()).await.unwrap();
        let res = one_response(&mut tcp, b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello").await;
        assert!(res.starts_with("http/1.1 200") && !res.contains("connection: close"), "{res}");
        // Still open: the next request on it is answered.
        let res = one_response(&mut tcp, b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi").await;
        assert!(res.starts_with("http/1.1 200"), "{res}");
        // A body the handler ignores, not all arrived: close, and say so.
        let res = one_response(&mut tcp, b"POST /ignore HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc").await;
        assert!(res.starts_with("http/1.1 200") && res.contains("connection: close"), "{res}");
        // A GET has no body to leave unread.
        let mut tcp = tulip::TcpStream::connect(server.addr()).await.unwrap();
        let res = one_response(&mut tcp, b"GET /echo HTTP/1.1\r\nHost: x\r\n\r\n").await;
        assert!(res.starts_with("http/1.1 405") && !res.contains("connection: close"), "{res}");
        server.close().await.unwrap();
    });
}
