//! The Rust clients of the HTTP rows, each doing the same work: `n` GETs of
//! the server's one URL, spread over `c` keep-alive connections (`c` tasks
//! of `n / c` requests in turn each), every body read to its end. Each runs
//! in a process of its own (`tulip-bench http-sample CLIENT URL N C`) and
//! measures wall and CPU time from just before its first connection to the
//! last body, the runtime already built.

use crate::harness::{cpu_time, CpuTime};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use std::time::{Duration, Instant};

/// What one sample measured.
pub struct Measured {
    /// Requests completed.
    pub requests: usize,
    /// Wall time of the measured part.
    pub wall: Duration,
    /// CPU time of the measured part (the whole process).
    pub cpu: CpuTime,
}

/// The request counts of the `c` connections: `n` split as evenly as it goes.
pub fn split(n: usize, c: usize) -> Vec<usize> {
    let c = c.max(1);
    (0..c).map(|i| n / c + usize::from(i < n % c)).collect()
}

/// `http://host:port/path` → (`host:port`, `/path`).
fn authority_and_path(url: &str) -> (String, String) {
    let rest = url.strip_prefix("http://").unwrap_or(url);
    match rest.find('/') {
        Some(i) => (rest[..i].to_string(), rest[i..].to_string()),
        None => (rest.to_string(), "/".to_string()),
    }
}

/// Times `run` (which returns the requests it completed).
fn measure(requests: usize, run: impl FnOnce() -> usize) -> Measured {
    let (t0, c0) = (Instant::now(), cpu_time());
    let done = run();
    let (wall, cpu) = (t0.elapsed(), cpu_time().since(c0));
    assert_eq!(done, requests, "every request got its whole body");
    Measured { requests: done, wall, cpu }
}

fn tokio_rt() -> tokio::runtime::Runtime {
    match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => panic!("tokio runtime: {e}"),
    }
}

/// reqwest on tokio's current_thread runtime: one `Client`, its pool
/// keeping `c` connections, `c` tasks.
pub fn reqwest(url: &str, n: usize, c: usize) -> Measured {
    let rt = tokio_rt();
    let client = match reqwest::Client::builder().pool_max_idle_per_host(c).tcp_nodelay(true).no_proxy().build() {
        Ok(client) => client,
        Err(e) => panic!("reqwest client: {e}"),
    };
    measure(n, || {
        rt.block_on(async {
            let workers = split(n, c).into_iter().map(|k| {
                let (client, url) = (client.clone(), url.to_string());
                tokio::spawn(async move {
                    let mut done = 0;
                    for _ in 0..k {
                        let resp = client.get(&url).send().await.unwrap_or_else(|e| panic!("reqwest: {e}"));
                        let body = resp.bytes().await.unwrap_or_else(|e| panic!("reqwest body: {e}"));
                        done += usize::from(!body.is_empty());
                    }
                    done
                })
            });
            futures::future::join_all(workers).await.into_iter().map(|r| r.unwrap_or(0)).sum()
        })
    })
}

/// One bare hyper HTTP/1.1 connection's requests in turn: the floor of
/// what any client on hyper can cost.
async fn hyper_requests(
    mut sender: hyper::client::conn::http1::SendRequest<Empty<Bytes>>,
    host: &str,
    path: &str,
    k: usize,
) -> usize {
    let mut done = 0;
    for _ in 0..k {
        let req = hyper::Request::get(path)
            .header(hyper::header::HOST, host)
            .body(Empty::<Bytes>::new())
            .unwrap_or_else(|e| panic!("request: {e}"));
        let resp = sender.send_request(req).await.unwrap_or_else(|e| panic!("hyper: {e}"));
        let body = resp.into_body().collect().await.unwrap_or_else(|e| panic!("hyper body: {e}")).to_bytes();
        done += usize::from(!body.is_empty());
    }
    done
}

/// Bare hyper connections on tokio's current_thread runtime (no pool, no
/// URL parsing: the floor).
pub fn hyper_tokio(url: &str, n: usize, c: usize) -> Measured {
    let rt = tokio_rt();
    let (host, path) = authority_and_path(url);
    measure(n, || {
        rt.block_on(async {
            let workers = split(n, c).into_iter().map(|k| {
                let (host, path) = (host.clone(), path.clone());
                tokio::spawn(async move {
                    let tcp = tokio::net::TcpStream::connect(&host).await.unwrap_or_else(|e| panic!("connect: {e}"));
                    let _ = tcp.set_nodelay(true);
                    let (sender, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp))
                        .await
                        .unwrap_or_else(|e| panic!("handshake: {e}"));
                    tokio::spawn(conn);
                    hyper_requests(sender, &host, &path, k).await
                })
            });
            futures::future::join_all(workers).await.into_iter().map(|r| r.unwrap_or(0)).sum()
        })
    })
}

/// The same bare hyper connections on tulip (through tulip-hyper): what
/// the loop and the I/O adapter cost, without tulip-http's layers.
pub fn hyper_tulip(url: &str, n: usize, c: usize) -> Measured {
    let (host, path) = authority_and_path(url);
    let addr: std::net::SocketAddr = host.parse().unwrap_or_else(|e| panic!("{host}: {e}"));
    let ev = tulip::new_event_loop();
    let ev_ref = &ev;
    let done = measure(n, move || {
        ev_ref.run_until_complete(async move {
            let workers = split(n, c).into_iter().map(|k| {
                let (host, path) = (host.clone(), path.clone());
                tulip::create_task(async move {
                    let tcp = tulip::TcpStream::connect(addr).await.unwrap_or_else(|e| panic!("connect: {e}"));
                    let _ = tcp.set_nodelay(true);
                    let (sender, conn) = hyper::client::conn::http1::handshake(tulip_hyper::HyperIo::new(tcp))
                        .await
                        .unwrap_or_else(|e| panic!("handshake: {e}"));
                    tulip::create_task(conn);
                    hyper_requests(sender, &host, &path, k).await
                })
            });
            let mut total = 0;
            for w in workers.collect::<Vec<_>>() {
                total += w.await.unwrap_or(0);
            }
            total
        })
    });
    ev.close();
    done
}

/// tulip-http: one `ClientSession` whose connector keeps `c` connections
/// (`TcpConnector::limit`), `c` tasks, the bodies read with `read()`.
pub fn tulip_http(url: &str, n: usize, c: usize) -> Measured {
    let url = url.to_string();
    let ev = tulip::new_event_loop();
    let ev_ref = &ev;
    let done = measure(n, move || {
        ev_ref.run_until_complete(async move {
            let connector = tulip::http::TcpConnector::builder().limit(c).build();
            let session = tulip::http::ClientSession::builder()
                .connector(connector)
                .build()
                .unwrap_or_else(|e| panic!("session: {e}"));
            let workers: Vec<_> = split(n, c)
                .into_iter()
                .map(|k| {
                    let (session, url) = (session.clone(), url.clone());
                    tulip::create_task(async move {
                        let mut done = 0;
                        for _ in 0..k {
                            let mut resp = session.get(&url).send().await.unwrap_or_else(|e| panic!("tulip-http: {e}"));
                            let body = resp.read().await.unwrap_or_else(|e| panic!("tulip-http body: {e}"));
                            done += usize::from(!body.is_empty());
                        }
                        done
                    })
                })
                .collect();
            let mut total = 0;
            for w in workers {
                total += w.await.unwrap_or(0);
            }
            session.close().await;
            total
        })
    });
    ev.close();
    done
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn split_spreads_the_remainder_over_the_first_connections() {
        assert_eq!(split(10, 3), [4, 3, 3]);
        assert_eq!(split(2, 4), [1, 1, 0, 0]);
        assert_eq!(split(7, 0), [7]);
        assert_eq!(split(20_000, 50).iter().sum::<usize>(), 20_000);
    }

    #[test]
    fn authority_and_path_of_the_servers_url() {
        assert_eq!(authority_and_path("http://127.0.0.1:8080/"), ("127.0.0.1:8080".into(), "/".into()));
        assert_eq!(authority_and_path("http://127.0.0.1:8080"), ("127.0.0.1:8080".into(), "/".into()));
        assert_eq!(authority_and_path("http://h:1/a/b?q"), ("h:1".into(), "/a/b?q".into()));
    }
}
