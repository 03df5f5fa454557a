//! HTTP/2 when the server picks h2 by ALPN (feature `http2`), against
//! hyper's HTTP/2 server on the same loop.
#![allow(clippy::unwrap_used)]

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response, Version};
use tulip::http::{ClientSession, TcpConnector};
use tulip::net::tls::{tls_accept, TlsContext};
use tulip_hyper::{HyperIo, LocalExec, LoopTimer};

#[test]
fn h2_is_negotiated_and_requests_share_the_connection() {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert, key) = (made.cert.pem(), made.signing_key.serialize_pem());
    let server_ctx = TlsContext::server(&cert, &key).unwrap().alpn(["h2"]);
    let client_ctx = TlsContext::client().with_ca_pem(&cert).unwrap().alpn(["h2", "http/1.1"]);
    tulip::run(async move {
        let listener = tulip::TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepts = std::rc::Rc::new(std::cell::Cell::new(0));
        let counter = std::rc::Rc::clone(&accepts);
        tulip::create_task(async move {
            loop {
                let (tcp, _) = listener.accept().await.unwrap();
                counter.set(counter.get() + 1);
                let tls = tls_accept(&server_ctx, tcp).await.unwrap();
                tulip::create_task(async move {
                    let svc = hyper::service::service_fn(|req: Request<hyper::body::Incoming>| async move {
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
        let connector = TcpConnector::builder().tls_context(client_ctx).build();
        let s = ClientSession::builder().connector(connector).build().unwrap();
        for path in ["/a", "/b"] {
            let mut r = s.get(format!("https://localhost:{port}{path}")).send().await.unwrap();
            assert_eq!(r.version(), Version::HTTP_2);
            assert_eq!(r.text().await.unwrap(), format!("HTTP/2.0 {path}"));
        }
        assert_eq!(accepts.get(), 1, "the h2 connection was kept and reused");
        s.close().await;
    });
}
