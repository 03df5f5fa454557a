//! I/O workloads (issue 5): TCP round trips, TCP streaming, UDP round trips,
//! over loopback, client and server on the same single-threaded loop.

use crate::core::{scaled, smol_local, tokio_local};
use crate::harness::{Sample, Unit, Workload};
use futures_lite::{AsyncReadExt, AsyncWriteExt};
use std::net::{SocketAddr, TcpListener as StdListener, UdpSocket as StdUdp};
use std::time::Instant;

/// The I/O workloads.
pub fn workloads() -> Vec<Workload> {
    vec![
        Workload {
            name: "tcp_echo_64x10k",
            unit: Unit::Seconds,
            extra_label: Some("round trips/s (k)"),
            tulip: tcp_echo::tulip,
            tokio: tcp_echo::tokio,
            smol: tcp_echo::smol,
        },
        Workload {
            name: "tcp_stream_1gib",
            unit: Unit::Seconds,
            extra_label: Some("throughput (MiB/s)"),
            tulip: tcp_stream::tulip,
            tokio: tcp_stream::tokio,
            smol: tcp_stream::smol,
        },
        Workload {
            name: "udp_echo_100k",
            unit: Unit::Seconds,
            extra_label: Some("round trips/s (k)"),
            tulip: udp_echo::tulip,
            tokio: udp_echo::tokio,
            smol: udp_echo::smol,
        },
    ]
}

/// A std listener on an ephemeral loopback port, and its address.
pub(crate) fn listener() -> (StdListener, SocketAddr) {
    let l = match StdListener::bind("127.0.0.1:0") {
        Ok(l) => l,
        Err(e) => panic!("bind: {e}"),
    };
    let addr = l.local_addr().unwrap_or_else(|e| panic!("local_addr: {e}"));
    (l, addr)
}

fn rate(start: Instant, n: usize) -> Sample {
    let t = start.elapsed();
    Sample::time_with(t, n as f64 / t.as_secs_f64() / 1e3)
}

mod tcp_echo {
    use super::*;
    const CONNS: usize = 64;
    const TRIPS: usize = 10_000;
    const MSG: usize = 64;

    pub fn tulip(scale: f64) -> Sample {
        let trips = scaled(TRIPS, scale);
        let (l, addr) = listener();
        let start = Instant::now();
        tulip::run(async move {
            let l = tulip::TcpListener::from_std(l).unwrap_or_else(|e| panic!("{e}"));
            let server = tulip::create_task(async move {
                for _ in 0..CONNS {
                    let (s, _) = l.accept().await.unwrap_or_else(|e| panic!("{e}"));
                    tulip::create_task(async move {
                        crate::echo_loops::echo::<MSG>(&s, &s).await;
                    })
                    .detach();
                }
            });
            let clients: Vec<_> = (0..CONNS)
                .map(|_| {
                    tulip::create_task(async move {
                        let s = tulip::TcpStream::connect(addr).await.unwrap_or_else(|e| panic!("{e}"));
                        let _ = s.set_nodelay(true);
                        crate::echo_loops::round_trips::<MSG>(&s, trips).await;
                    })
                })
                .collect();
            for c in clients {
                let _ = c.await;
            }
            let _ = server.await;
        });
        rate(start, CONNS * trips)
    }

    pub fn tokio(scale: f64) -> Sample {
        let trips = scaled(TRIPS, scale);
        let (l, addr) = listener();
        let start = Instant::now();
        tokio_local(async move {
            l.set_nonblocking(true).unwrap_or_else(|e| panic!("{e}"));
            let l = tokio::net::TcpListener::from_std(l).unwrap_or_else(|e| panic!("{e}"));
            let server = tokio::task::spawn_local(async move {
                for _ in 0..CONNS {
                    let (mut s, _) = l.accept().await.unwrap_or_else(|e| panic!("{e}"));
                    tokio::task::spawn_local(async move {
                        let (r, w) = s.split();
                        crate::echo_loops::tokio_io::echo::<MSG>(r, w).await;
                    });
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
        rate(start, CONNS * trips)
    }

    pub fn smol(scale: f64) -> Sample {
        let trips = scaled(TRIPS, scale);
        let (l, addr) = listener();
        let start = Instant::now();
        smol_local(|ex| async move {
            let l = async_io::Async::new(l).unwrap_or_else(|e| panic!("{e}"));
            let server = ex.spawn(async move {
                for _ in 0..CONNS {
                    let (s, _) = l.accept().await.unwrap_or_else(|e| panic!("{e}"));
                    ex.spawn(async move {
                        crate::echo_loops::echo::<MSG>(&s, &s).await;
                    })
                    .detach();
                }
            });
            let clients: Vec<_> = (0..CONNS)
                .map(|_| {
                    ex.spawn(async move {
                        let s = async_io::Async::<std::net::TcpStream>::connect(addr)
                            .await
                            .unwrap_or_else(|e| panic!("{e}"));
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
        rate(start, CONNS * trips)
    }
}

mod tcp_stream {
    use super::*;
    const TOTAL: usize = 1 << 30;
    const CHUNK: usize = 64 * 1024;

    fn mib_s(start: Instant, bytes: usize) -> Sample {
        let t = start.elapsed();
        Sample::time_with(t, bytes as f64 / (1 << 20) as f64 / t.as_secs_f64())
    }

    pub fn tulip(scale: f64) -> Sample {
        let chunks = scaled(TOTAL / CHUNK, scale);
        let (l, addr) = listener();
        let start = Instant::now();
        tulip::run(async move {
            let l = tulip::TcpListener::from_std(l).unwrap_or_else(|e| panic!("{e}"));
            let reader = tulip::create_task(async move {
                let (mut s, _) = l.accept().await.unwrap_or_else(|e| panic!("{e}"));
                let mut buf = vec![0u8; CHUNK];
                let mut n = 0;
                loop {
                    let k = s.read(&mut buf).await.unwrap_or(0);
                    if k == 0 {
                        break n;
                    }
                    n += k;
                }
            });
            let mut s = tulip::TcpStream::connect(addr).await.unwrap_or_else(|e| panic!("{e}"));
            let chunk = vec![1u8; CHUNK];
            for _ in 0..chunks {
                s.write_all(&chunk).await.unwrap_or_else(|e| panic!("{e}"));
            }
            drop(s);
            assert_eq!(reader.await.unwrap_or(0), chunks * CHUNK);
        });
        mib_s(start, chunks * CHUNK)
    }

    pub fn tokio(scale: f64) -> Sample {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let chunks = scaled(TOTAL / CHUNK, scale);
        let (l, addr) = listener();
        let start = Instant::now();
        tokio_local(async move {
            l.set_nonblocking(true).unwrap_or_else(|e| panic!("{e}"));
            let l = tokio::net::TcpListener::from_std(l).unwrap_or_else(|e| panic!("{e}"));
            let reader = tokio::task::spawn_local(async move {
                let (mut s, _) = l.accept().await.unwrap_or_else(|e| panic!("{e}"));
                let mut buf = vec![0u8; CHUNK];
                let mut n = 0;
                loop {
                    let k = s.read(&mut buf).await.unwrap_or(0);
                    if k == 0 {
                        break n;
                    }
                    n += k;
                }
            });
            let mut s = tokio::net::TcpStream::connect(addr).await.unwrap_or_else(|e| panic!("{e}"));
            let chunk = vec![1u8; CHUNK];
            for _ in 0..chunks {
                s.write_all(&chunk).await.unwrap_or_else(|e| panic!("{e}"));
            }
            drop(s);
            assert_eq!(reader.await.unwrap_or(0), chunks * CHUNK);
        });
        mib_s(start, chunks * CHUNK)
    }

    pub fn smol(scale: f64) -> Sample {
        let chunks = scaled(TOTAL / CHUNK, scale);
        let (l, addr) = listener();
        let start = Instant::now();
        smol_local(|ex| async move {
            let l = async_io::Async::new(l).unwrap_or_else(|e| panic!("{e}"));
            let reader = ex.spawn(async move {
                let (mut s, _) = l.accept().await.unwrap_or_else(|e| panic!("{e}"));
                let mut buf = vec![0u8; CHUNK];
                let mut n = 0;
                loop {
                    let k = s.read(&mut buf).await.unwrap_or(0);
                    if k == 0 {
                        break n;
                    }
                    n += k;
                }
            });
            let mut s = async_io::Async::<std::net::TcpStream>::connect(addr).await.unwrap_or_else(|e| panic!("{e}"));
            let chunk = vec![1u8; CHUNK];
            for _ in 0..chunks {
                s.write_all(&chunk).await.unwrap_or_else(|e| panic!("{e}"));
            }
            drop(s);
            assert_eq!(reader.await, chunks * CHUNK);
        });
        mib_s(start, chunks * CHUNK)
    }
}

mod udp_echo {
    use super::*;
    const TRIPS: usize = 100_000;

    fn pair() -> (StdUdp, StdUdp) {
        let a = StdUdp::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        let b = StdUdp::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        let (aa, ba) =
            (a.local_addr().unwrap_or_else(|e| panic!("{e}")), b.local_addr().unwrap_or_else(|e| panic!("{e}")));
        a.connect(ba).unwrap_or_else(|e| panic!("{e}"));
        b.connect(aa).unwrap_or_else(|e| panic!("{e}"));
        a.set_nonblocking(true).unwrap_or_else(|e| panic!("{e}"));
        b.set_nonblocking(true).unwrap_or_else(|e| panic!("{e}"));
        (a, b)
    }

    pub fn tulip(scale: f64) -> Sample {
        let trips = scaled(TRIPS, scale);
        let (a, b) = pair();
        let start = Instant::now();
        tulip::run(async move {
            let (a, b) = (
                tulip::IoSource::new(a).unwrap_or_else(|e| panic!("{e}")),
                tulip::IoSource::new(b).unwrap_or_else(|e| panic!("{e}")),
            );
            let echo = tulip::create_task(async move {
                let mut buf = [0u8; 64];
                for _ in 0..trips {
                    let n = b.read_with(|s| s.recv(&mut buf)).await.unwrap_or(0);
                    let _ = b.write_with(|s| s.send(&buf[..n])).await;
                }
            });
            let mut buf = [3u8; 64];
            for _ in 0..trips {
                let _ = a.write_with(|s| s.send(&buf)).await;
                let _ = a.read_with(|s| s.recv(&mut buf)).await;
            }
            let _ = echo.await;
        });
        rate(start, trips)
    }

    pub fn tokio(scale: f64) -> Sample {
        let trips = scaled(TRIPS, scale);
        let (a, b) = pair();
        let start = Instant::now();
        tokio_local(async move {
            let a = tokio::net::UdpSocket::from_std(a).unwrap_or_else(|e| panic!("{e}"));
            let b = tokio::net::UdpSocket::from_std(b).unwrap_or_else(|e| panic!("{e}"));
            let echo = tokio::task::spawn_local(async move {
                let mut buf = [0u8; 64];
                for _ in 0..trips {
                    let n = b.recv(&mut buf).await.unwrap_or(0);
                    let _ = b.send(&buf[..n]).await;
                }
            });
            let mut buf = [3u8; 64];
            for _ in 0..trips {
                let _ = a.send(&buf).await;
                let _ = a.recv(&mut buf).await;
            }
            let _ = echo.await;
        });
        rate(start, trips)
    }

    pub fn smol(scale: f64) -> Sample {
        let trips = scaled(TRIPS, scale);
        let (a, b) = pair();
        let start = Instant::now();
        smol_local(|ex| async move {
            let a = async_io::Async::new(a).unwrap_or_else(|e| panic!("{e}"));
            let b = async_io::Async::new(b).unwrap_or_else(|e| panic!("{e}"));
            let echo = ex.spawn(async move {
                let mut buf = [0u8; 64];
                for _ in 0..trips {
                    let n = b.recv(&mut buf).await.unwrap_or(0);
                    let _ = b.send(&buf[..n]).await;
                }
            });
            let mut buf = [3u8; 64];
            for _ in 0..trips {
                let _ = a.send(&buf).await;
                let _ = a.recv(&mut buf).await;
            }
            echo.await;
        });
        rate(start, trips)
    }
}
