//! hyper's HTTP/1.1 and HTTP/2 on tulip sockets, with the executor and
//! timer of this crate.

#![allow(clippy::unwrap_used)]

use std::convert::Infallible;
use std::rc::Rc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response};
use tulip_hyper::{HyperIo, LocalExec, LoopTimer};

type Incoming = hyper::body::Incoming;

#[test]
fn http2_round_trips_with_not_send_handlers() {
    tulip::run(async {
        let listener = tulip::TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = listener.local_addr().unwrap();
        // An Rc in the handler: the futures hyper spawns through LocalExec
        // are !Send.
        let greeting = Rc::new(String::from("hello over h2"));
        tulip::create_task(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let svc = hyper::service::service_fn(move |_req: Request<Incoming>| {
                let greeting = greeting.clone();
                async move { Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(greeting.to_string())))) }
            });
            hyper::server::conn::http2::Builder::new(LocalExec)
                .timer(LoopTimer)
                .serve_connection(HyperIo::new(tcp), svc)
                .await
                .unwrap();
        });
        let tcp = tulip::TcpStream::connect(addr).await.unwrap();
        let (mut sender, conn) = hyper::client::conn::http2::Builder::new(LocalExec)
            .timer(LoopTimer)
            .handshake(HyperIo::new(tcp))
            .await
            .unwrap();
        tulip::create_task(conn);
        for _ in 0..3 {
            let req = Request::get("http://localhost/").body(Full::new(Bytes::new())).unwrap();
            let res = sender.send_request(req).await.unwrap();
            assert_eq!(res.version(), hyper::Version::HTTP_2);
            let body = res.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(body, "hello over h2");
        }
    });
}

#[test]
fn the_header_read_timeout_ends_a_stalled_head_on_the_loop_timer() {
    tulip::run(async {
        let listener = tulip::TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tulip::create_task(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let svc = hyper::service::service_fn(|_req: Request<Incoming>| async {
                Ok::<_, Infallible>(Response::new(Full::new(Bytes::new())))
            });
            let start = tulip::get_running_loop().time();
            let outcome = hyper::server::conn::http1::Builder::new()
                .timer(LoopTimer)
                .header_read_timeout(Duration::from_millis(200))
                .serve_connection(HyperIo::new(tcp), svc)
                .await;
            (outcome.is_err(), tulip::get_running_loop().time() - start)
        });
        // A client that sends half a request head and then nothing.
        let tcp = tulip::TcpStream::connect(addr).await.unwrap();
        tcp.send_all(b"GET / HTTP/1.1\r\nHost: x\r\n").await.unwrap();
        let (failed, waited) = server.await.unwrap();
        assert!(failed, "a stalled head must end the connection");
        assert!(waited >= Duration::from_millis(200), "{waited:?}");
        drop(tcp);
    });
}
