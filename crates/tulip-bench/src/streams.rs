//! Stream workloads: asyncio-style streams (`start_server`, `StreamReader`,
//! `StreamWriter`) against tulip's raw sockets and the peers' buffered
//! readers (tokio's and futures-lite's `BufReader` with the same 64 KiB
//! capacity as tulip's read chunk), in time (an echo) and in memory (idle
//! connections).
//!
//! The time rows also report CPU time per round trip (`getrusage`: user +
//! system, and user alone), which a shared machine disturbs less than wall
//! time. Most of a loopback round trip is kernel time, the same for every
//! runtime; the user part is where the runtimes differ.

use crate::alloc;
use crate::core::{scaled, smol_local, tokio_local};
use crate::harness::{cpu_time, CpuTime, Sample, Unit, Workload};
use crate::io::listener;
use futures_lite::{AsyncReadExt, AsyncWriteExt};
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Instant;

/// The stream workloads.
pub fn workloads() -> Vec<Workload> {
    vec![
        Workload {
            name: "streams_echo",
            unit: Unit::Seconds,
            extra_label: Some("wall µs/round trip"),
            tulip: echo::tulip_streams,
            tokio: echo::tokio_buffered,
            smol: echo::smol_buffered,
        },
        Workload {
            name: "raw_echo",
            unit: Unit::Seconds,
            extra_label: Some("wall µs/round trip"),
            tulip: echo::tulip_raw,
            tokio: echo::tokio_raw,
            smol: echo::smol_raw,
        },
        Workload {
            name: "idle_conns_mem",
            unit: Unit::Bytes,
            extra_label: Some("RSS B/conn"),
            tulip: idle::tulip,
            tokio: idle::tokio,
            smol: idle::smol,
        },
    ]
}

/// The peers' `BufReader` capacity: what tulip's `StreamReader` reads at a time.
const BUF: usize = 64 * 1024;

/// Wall and CPU time since [`Clock::start`].
pub(crate) struct Clock {
    wall: Instant,
    cpu: CpuTime,
}

impl Clock {
    pub(crate) fn start() -> Self {
        Clock { wall: Instant::now(), cpu: cpu_time() }
    }

    pub(crate) fn sample(self, ops: usize) -> Sample {
        let wall = self.wall.elapsed();
        Sample::time_cpu(wall, cpu_time().since(self.cpu), ops)
    }
}

/// 64 connections × N round trips of 64 bytes, client and server on one
/// loop, `TCP_NODELAY` on both ends (tulip's `start_server` sets it on every
/// connection it accepts, so the peers' servers do too). The clients are the
/// same raw sockets in both rows; only the server side differs: buffered
/// streams (`streams_echo`) or the socket itself (`raw_echo`).
mod echo {
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
                        let mut s = async_io::Async::<std::net::TcpStream>::connect(addr)
                            .await
                            .unwrap_or_else(|e| panic!("{e}"));
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
}

/// 10,000 idle connections (fewer if the file-descriptor limit cannot hold
/// two per connection), each of whose clients sent one byte that the server
/// side read through its buffered reader; the server side then waits in a
/// second read, as a handler of an idle connection does. The figures are per
/// connection: heap bytes in use (the counting allocator) and the growth of
/// the resident set (`/proc/self/statm`); the kernel's socket buffers are in
/// neither.
///
/// The clients are plain blocking std sockets opened by the main task in
/// batches smaller than the listen backlog (on loopback the kernel completes
/// the handshake without the server), so they cost the runtime nothing and
/// the figures are the server side's.
mod idle {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    const CONNS: usize = 10_000;
    /// Connections opened before waiting for the server side to read them.
    const BATCH: usize = 64;
    /// Descriptors left for everything else (stdio, the loops' epoll and
    /// wake-up fds, listeners).
    const FD_SPARE: usize = 64;

    /// Raises the soft RLIMIT_NOFILE to the hard one; returns the limit in force.
    fn raise_nofile() -> usize {
        let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: `lim` is a valid rlimit to write to.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
            return 1024;
        }
        if lim.rlim_cur < lim.rlim_max {
            let raised = libc::rlimit { rlim_cur: lim.rlim_max, rlim_max: lim.rlim_max };
            // SAFETY: `raised` is a valid rlimit; raising the soft limit up to
            // the hard one needs no privilege.
            if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
                lim = raised;
            }
        }
        usize::try_from(lim.rlim_cur).unwrap_or(usize::MAX)
    }

    /// The number of connections this run opens (10,000 × scale, or as many
    /// as the descriptor limit allows), printed when it first changes.
    fn conns(scale: f64) -> usize {
        static SHOWN: AtomicUsize = AtomicUsize::new(0);
        let want = scaled(CONNS, scale);
        let limit = raise_nofile();
        let open = std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count());
        let n = want.min(limit.saturating_sub(open + FD_SPARE) / 2).max(1);
        if SHOWN.swap(n, Relaxed) != n {
            eprintln!("  idle_conns_mem: {n} connections (asked {want}; RLIMIT_NOFILE {limit}, {open} fds open)");
        }
        n
    }

    fn rss_bytes() -> usize {
        let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
        let pages: usize = statm.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or(0);
        // SAFETY: sysconf has no preconditions.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        pages * usize::try_from(page).unwrap_or(4096)
    }

    /// Starts measuring: returns the resident set before.
    fn begin() -> usize {
        // Give the previous runs' freed pages back first, so that reusing
        // them shows in the resident set as it would in a fresh process.
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        // SAFETY: malloc_trim only returns free heap memory to the kernel.
        unsafe {
            libc::malloc_trim(0);
        }
        let rss = rss_bytes();
        alloc::start();
        rss
    }

    /// Stops measuring: heap and resident-set growth per connection.
    fn end(rss_before: usize, n: usize) -> Sample {
        let heap = alloc::live();
        alloc::stop();
        let rss = rss_bytes().saturating_sub(rss_before);
        Sample::bytes_with(heap as f64 / n as f64, rss as f64 / n as f64)
    }

    /// Opens `k` client connections and sends one byte on each (blocking:
    /// see the module comment).
    fn connect(addr: SocketAddr, clients: &mut Vec<std::net::TcpStream>, k: usize) {
        use std::io::Write as _;
        for _ in 0..k {
            let mut c = std::net::TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect: {e}"));
            c.write_all(&[1]).unwrap_or_else(|e| panic!("write: {e}"));
            clients.push(c);
        }
    }

    pub fn tulip(scale: f64) -> Sample {
        let n = conns(scale);
        let mut clients = Vec::with_capacity(n);
        tulip::run(async move {
            let read = Rc::new(tulip_sync::Queue::<()>::new(0));
            let r1 = read.clone();
            let server = tulip::start_server(
                move |mut r, w| {
                    let read = r1.clone();
                    async move {
                        let _w = w;
                        let first = r.readexactly(1).await;
                        let _ = read.put_nowait(());
                        if first.is_ok() {
                            // Idle: waits for more until the client closes.
                            let _ = r.read(1).await;
                        }
                    }
                },
                "127.0.0.1",
                0,
            )
            .await
            .unwrap_or_else(|e| panic!("start_server: {e}"));
            let addr = server.sockets()[0];
            let rss = begin();
            while clients.len() < n {
                let k = BATCH.min(n - clients.len());
                connect(addr, &mut clients, k);
                for _ in 0..k {
                    let _ = read.get().await;
                }
            }
            let sample = end(rss, n);
            drop(clients);
            server.close();
            server.wait_closed().await;
            sample
        })
    }

    pub fn tokio(scale: f64) -> Sample {
        use tokio::io::AsyncReadExt as _;
        let n = conns(scale);
        let (l, addr) = listener();
        let mut clients = Vec::with_capacity(n);
        tokio_local(async move {
            l.set_nonblocking(true).unwrap_or_else(|e| panic!("{e}"));
            let l = tokio::net::TcpListener::from_std(l).unwrap_or_else(|e| panic!("{e}"));
            // One message when a handler has read its byte, one when it returns.
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
            let server = tokio::task::spawn_local(async move {
                for _ in 0..n {
                    let (mut s, _) = l.accept().await.unwrap_or_else(|e| panic!("{e}"));
                    let _ = s.set_nodelay(true);
                    let tx = tx.clone();
                    tokio::task::spawn_local(async move {
                        let (r, _w) = s.split();
                        let mut r = tokio::io::BufReader::with_capacity(BUF, r);
                        let mut b = [0u8; 1];
                        let first = r.read_exact(&mut b).await;
                        let _ = tx.send(());
                        if first.is_ok() {
                            let _ = r.read(&mut b).await;
                        }
                        let _ = tx.send(());
                    });
                }
            });
            let rss = begin();
            while clients.len() < n {
                let k = BATCH.min(n - clients.len());
                connect(addr, &mut clients, k);
                for _ in 0..k {
                    let _ = rx.recv().await;
                }
            }
            let sample = end(rss, n);
            drop(clients);
            for _ in 0..n {
                let _ = rx.recv().await;
            }
            let _ = server.await;
            sample
        })
    }

    pub fn smol(scale: f64) -> Sample {
        let n = conns(scale);
        let (l, addr) = listener();
        let mut clients = Vec::with_capacity(n);
        smol_local(|ex| async move {
            let l = async_io::Async::new(l).unwrap_or_else(|e| panic!("{e}"));
            // One message when a handler has read its byte, one when it
            // returns: the executor is leaked after the run, so every handler
            // must be finished before.
            let (tx, rx) = async_channel::unbounded::<()>();
            let server = ex.spawn(async move {
                for _ in 0..n {
                    let (s, _) = l.accept().await.unwrap_or_else(|e| panic!("{e}"));
                    let _ = s.get_ref().set_nodelay(true);
                    let tx = tx.clone();
                    ex.spawn(async move {
                        let mut r = futures_lite::io::BufReader::with_capacity(BUF, &s);
                        let mut b = [0u8; 1];
                        let first = r.read_exact(&mut b).await;
                        let _ = tx.try_send(());
                        if first.is_ok() {
                            let _ = r.read(&mut b).await;
                        }
                        let _ = tx.try_send(());
                    })
                    .detach();
                }
            });
            let rss = begin();
            while clients.len() < n {
                let k = BATCH.min(n - clients.len());
                connect(addr, &mut clients, k);
                for _ in 0..k {
                    let _ = rx.recv().await;
                }
            }
            let sample = end(rss, n);
            drop(clients);
            for _ in 0..n {
                let _ = rx.recv().await;
            }
            server.await;
            sample
        })
    }
}
