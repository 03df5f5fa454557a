//! HTTP/2 when the server picks h2 by ALPN (feature `http2`), against
//! hyper's HTTP/2 server on the same loop.
#![allow(clippy::unwrap_used)]

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response, Version};
use tulip::http::{ClientSession, TcpConnector};
use tulip::net::tls::{tls_accept, TlsContext};
use tulip_hyper::{HyperIo, LocalExec, LoopTimer};

/// A client session trusting a fresh certificate, and an h2 server on
/// loopback answering `"{version} {path}"` after `delay`; the cell counts
/// the server's accepted connections.
async fn h2_server_and_session(delay: Duration, limit: usize) -> (ClientSession, u16, Rc<Cell<usize>>) {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert, key) = (made.cert.pem(), made.signing_key.serialize_pem());
    let server_ctx = TlsContext::server(&cert, &key).unwrap().alpn(["h2"]);
    let client_ctx = TlsContext::client().with_ca_pem(&cert).unwrap().alpn(["h2", "http/1.1"]);
    let listener = tulip::TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepts = Rc::new(Cell::new(0));
    let counter = Rc::clone(&accepts);
    tulip::create_task(async move {
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            counter.set(counter.get() + 1);
            let tls = tls_accept(&server_ctx, tcp).await.unwrap();
            tulip::create_task(async move {
                let svc = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| async move {
                    tulip::sleep(delay).await;
                    let body = format!("{:?} {}", req.version(), req.uri().path());
                    Ok::<_, std::convert::Infallible>(Response::new(Full::new(Bytes::from(body))))
                });
                let _ = hyper::server::conn::http2::Builder::new(LocalExec)
                    .timer(LoopTimer)
                    .serve_connection(HyperIo::new(tls), svc)
                    .await;
            });
        }
    });
    let connector = TcpConnector::builder().tls_context(client_ctx).limit(limit).build();
    let session = ClientSession::builder().connector(connector).build().unwrap();
    (session, port, accepts)
}

#[test]
fn h2_is_negotiated_and_requests_share_the_connection() {
    tulip::run(async move {
        let (s, port, accepts) = h2_server_and_session(Duration::ZERO, 100).await;
        for path in ["/a", "/b"] {
            let mut r = s.get(format!("https://localhost:{port}{path}")).send().await.unwrap();
            assert_eq!(r.version(), Version::HTTP_2);
            assert_eq!(r.text().await.unwrap(), format!("HTTP/2.0 {path}"));
        }
        assert_eq!(accepts.get(), 1, "the h2 connection was kept and reused");
        s.close().await;
    });
}

#[test]
fn concurrent_requests_are_multiplexed_on_one_h2_connection() {
    tulip::run(async move {
        // A limit of one connection: over HTTP/1.1 the ten requests would
        // queue for it one by one (ten delays); over h2 they share it.
        let delay = Duration::from_millis(300);
        let (s, port, accepts) = h2_server_and_session(delay, 1).await;
        let mut first = s.get(format!("https://localhost:{port}/first")).send().await.unwrap();
        assert_eq!(first.text().await.unwrap(), "HTTP/2.0 /first");
        let started = std::time::Instant::now();
        let requests = (0..10).map(|i| {
            let s = s.clone();
            async move {
                let mut r = s.get(format!("https://localhost:{port}/{i}")).send().await.unwrap();
                r.text().await.unwrap()
            }
        });
        let bodies = tulip::gather(requests).await.unwrap();
        let elapsed = started.elapsed();
        assert_eq!(bodies, (0..10).map(|i| format!("HTTP/2.0 /{i}")).collect::<Vec<_>>());
        assert_eq!(accepts.get(), 1, "every request went over the first connection");
        // Ten delays in turn would be 3 s; together they take about one.
        assert!(elapsed < delay * 5, "the requests ran one after another: {elapsed:?}");
        s.close().await;
    });
}
