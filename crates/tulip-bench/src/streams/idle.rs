//! 10,000 idle connections (fewer if the file-descriptor limit cannot hold
//! two per connection), each of whose clients sent one byte that the server
//! side read through its buffered reader; the server side then waits in a
//! second read, as a handler of an idle connection does. The figures are per
//! connection: heap bytes in use (the counting allocator) and the growth of
//! the resident set (`/proc/self/statm`); the kernel's socket buffers are in
//! neither.
//!
//! The clients are plain blocking std sockets opened by the main task in
//! batches smaller than the listen backlog (on loopback the kernel completes
//! the handshake without the server), so they cost the runtime nothing and
//! the figures are the server side's.

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
