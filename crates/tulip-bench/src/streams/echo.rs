//! 64 connections × N round trips of 64 bytes, client and server on one
//! loop, `TCP_NODELAY` on both ends (tulip's `start_server` sets it on every
//! connection it accepts, so the peers' servers do too). The clients are the
//! same raw sockets in both rows; only the server side differs: buffered
//! streams (`streams_echo`) or the socket itself (`raw_echo`).

use super::*;
const CONNS: usize = 64;
const TRIPS: usize = 2_000;
const MSG: usize = 64;

pub fn tulip_streams(scale: f64) -> Sample {
    let trips = scaled(TRIPS, scale);
    let clock = Clock::start();
    tulip::run(async move {
        let server = tulip::start_server(
            |mut r, mut w| async move {
                while let Ok(msg) = r.readexactly(MSG).await {
                    if w.write(&msg).is_err() || w.drain().await.is_err() {
                        break;
                    }
                }
            },
            "127.0.0.1",
            0,
        )
        .await
        .unwrap_or_else(|e| panic!("start_server: {e}"));
        let addr = server.sockets()[0];
        let clients: Vec<_> = (0..CONNS).map(|_| tulip::create_task(tulip_client(addr, trips))).collect();
        for c in clients {
            let _ = c.await;
        }
        server.close();
        server.wait_closed().await;
    });
    clock.sample(CONNS * trips)
}

pub fn tulip_raw(scale: f64) -> Sample {
    let trips = scaled(TRIPS, scale);
    let (l, addr) = listener();
    let clock = Clock::start();
    tulip::run(async move {
        let l = tulip::TcpListener::from_std(l).unwrap_or_else(|e| panic!("{e}"));
        let server = tulip::create_task(async move {
            let mut conns = Vec::with_capacity(CONNS);
            for _ in 0..CONNS {
                let (mut s, _) = l.accept().await.unwrap_or_else(|e| panic!("{e}"));
                let _ = s.set_nodelay(true);
                conns.push(tulip::create_task(async move {
                    let mut buf = [0u8; MSG];
                    while s.read_exact(&mut buf).await.is_ok() {
                        if s.write_all(&buf).await.is_err() {
                            break;
                        }
                    }
                }));
            }
            for c in conns {
                let _ = c.await;
            }
        });
        let clients: Vec<_> = (0..CONNS).map(|_| tulip::create_task(tulip_client(addr, trips))).collect();
        for c in clients {
            let _ = c.await;
        }
        let _ = server.await;
    });
    clock.sample(CONNS * trips)
}

async fn tulip_client(addr: SocketAddr, trips: usize) {
    let mut s = tulip::TcpStream::connect(addr).await.unwrap_or_else(|e| panic!("{e}"));
    let _ = s.set_nodelay(true);
    let mut buf = [7u8; MSG];
    for _ in 0..trips {
        s.write_all(&buf).await.unwrap_or_else(|e| panic!("{e}"));
        s.read_exact(&mut buf).await.unwrap_or_else(|e| panic!("{e}"));
    }
}

pub fn tokio_buffered(scale: f64) -> Sample {
    tokio_run(scale, true)
}

pub fn tokio_raw(scale: f64) -> Sample {
    tokio_run(scale, false)
}

fn tokio_run(scale: f64, buffered: bool) -> Sample {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let trips = scaled(TRIPS, scale);
    let (l, addr) = listener();
    let clock = Clock::start();
    tokio_local(async move {
        l.set_nonblocking(true).unwrap_or_else(|e| panic!("{e}"));
        let l = tokio::net::TcpListener::from_std(l).unwrap_or_else(|e| panic!("{e}"));
        let server = tokio::task::spawn_local(async move {
            let mut conns = Vec::with_capacity(CONNS);
            for _ in 0..CONNS {
                let (mut s, _) = l.accept().await.unwrap_or_else(|e| panic!("{e}"));
                let _ = s.set_nodelay(true);
                conns.push(tokio::task::spawn_local(async move {
                    let mut buf = [0u8; MSG];
                    if buffered {
                        let (r, mut w) = s.split();
                        let mut r = tokio::io::BufReader::with_capacity(BUF, r);
                        while r.read_exact(&mut buf).await.is_ok() {
                            if w.write_all(&buf).await.is_err() {
                                break;
                            }
                        }
                    } else {
                        while s.read_exact(&mut buf).await.is_ok() {
                            if s.write_all(&buf).await.is_err() {
                                break;
                            }
                        }
                    }
                }));
            }
            for c in conns {
                let _ = c.await;
            }
        });
        let clients: Vec<_> = (0..CONNS)
            .map(|_| {
                tokio::task::spawn_local(async move {
                    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap_or_else(|e| panic!("{e}"));
                    let _ = s.set_nodelay(true);
                    let mut buf = [7u8; MSG];
                    for _ in 0..trips {
                        s.write_all(&buf).await.unwrap_or_else(|e| panic!("{e}"));
                        s.read_exact(&mut buf).await.unwrap_or_else(|e| panic!("{e}"));
                    }
                })
            })
            .collect();
        for c in clients {
            let _ = c.await;
        }
        let _ = server.await;
    });
    clock.sample(CONNS * trips)
}

pub fn smol_buffered(scale: f64) -> Sample {
    smol_run(scale, true)
}

pub fn smol_raw(scale: f64) -> Sample {
    smol_run(scale, false)
}

fn smol_run(scale: f64, buffered: bool) -> Sample {
    let trips = scaled(TRIPS, scale);
    let (l, addr) = listener();
    let clock = Clock::start();
    smol_local(|ex| async move {
        let l = async_io::Async::new(l).unwrap_or_else(|e| panic!("{e}"));
        // The handlers are awaited, not detached: the executor is leaked
        // at the end of the run, and so would be whatever is left in it.
        let server = ex.spawn(async move {
            let mut conns = Vec::with_capacity(CONNS);
            for _ in 0..CONNS {
                let (mut s, _) = l.accept().await.unwrap_or_else(|e| panic!("{e}"));
                let _ = s.get_ref().set_nodelay(true);
                conns.push(ex.spawn(async move {
                    let mut buf = [0u8; MSG];
                    if buffered {
                        let mut r = futures_lite::io::BufReader::with_capacity(BUF, &s);
                        let mut w = &s;
                        while r.read_exact(&mut buf).await.is_ok() {
                            if w.write_all(&buf).await.is_err() {
                                break;
                            }
                        }
                    } else {
                        while s.read_exact(&mut buf).await.is_ok() {
                            if s.write_all(&buf).await.is_err() {
                                break;
                            }
                        }
                    }
                }));
            }
            for c in conns {
                c.await;
            }
        });
        let clients: Vec<_> = (0..CONNS)
            .map(|_| {
                ex.spawn(async move {
                    let mut s =
                        async_io::Async::<std::net::TcpStream>::connect(addr).await.unwrap_or_else(|e| panic!("{e}"));
                    let _ = s.get_ref().set_nodelay(true);
                    let mut buf = [7u8; MSG];
                    for _ in 0..trips {
                        s.write_all(&buf).await.unwrap_or_else(|e| panic!("{e}"));
                        s.read_exact(&mut buf).await.unwrap_or_else(|e| panic!("{e}"));
                    }
                })
            })
            .collect();
        for c in clients {
            c.await;
        }
        server.await;
    });
    clock.sample(CONNS * trips)
}
