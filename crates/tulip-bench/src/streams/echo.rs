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
                let (s, _) = l.accept().await.unwrap_or_else(|e| panic!("{e}"));
                let _ = s.set_nodelay(true);
                conns.push(tulip::create_task(async move {
                    crate::echo_loops::echo::<MSG>(&s, &s).await;
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
    let s = tulip::TcpStream::connect(addr).await.unwrap_or_else(|e| panic!("{e}"));
    let _ = s.set_nodelay(true);
    crate::echo_loops::round_trips::<MSG>(&s, trips).await;
}

pub fn tokio_buffered(scale: f64) -> Sample {
    tokio_run(scale, true)
}

pub fn tokio_raw(scale: f64) -> Sample {
    tokio_run(scale, false)
}

fn tokio_run(scale: f64, buffered: bool) -> Sample {
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
                    let (r, w) = s.split();
                    if buffered {
                        crate::echo_loops::tokio_io::echo::<MSG>(tokio::io::BufReader::with_capacity(BUF, r), w).await;
                    } else {
                        crate::echo_loops::tokio_io::echo::<MSG>(r, w).await;
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
                    crate::echo_loops::tokio_io::round_trips::<MSG>(&mut s, trips).await;
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
                let (s, _) = l.accept().await.unwrap_or_else(|e| panic!("{e}"));
                let _ = s.get_ref().set_nodelay(true);
                conns.push(ex.spawn(async move {
                    if buffered {
                        crate::echo_loops::echo::<MSG>(futures_lite::io::BufReader::with_capacity(BUF, &s), &s).await;
                    } else {
                        crate::echo_loops::echo::<MSG>(&s, &s).await;
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
                    let s =
                        async_io::Async::<std::net::TcpStream>::connect(addr).await.unwrap_or_else(|e| panic!("{e}"));
                    let _ = s.get_ref().set_nodelay(true);
                    crate::echo_loops::round_trips::<MSG>(&s, trips).await;
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
