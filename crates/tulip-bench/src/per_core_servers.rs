//! The echo servers of the per-core rows, each run in a child process
//! (`--per-core-server VARIANT`) so that its CPU time is its own: tulip on
//! 1 loop, tulip on 2 loops (a `SO_REUSEPORT` socket per loop), tokio's
//! multi-thread runtime with 2 workers (one listener, work stealing).
//!
//! Protocol on stdio: the server prints `PORT p`; then each `start` line
//! it reads resets its CPU clock (answered `OK`), and `stop` prints
//! `CPU total_s user_s` (CPU used since `start`) and exits.

use crate::harness::{cpu_time, CpuTime};
use std::io::{BufRead, Write};
use std::net::SocketAddr;

/// The bytes of one request and of its echo.
pub const MSG: usize = 64;

/// The server variants, as `--per-core-server` names them.
pub const VARIANTS: [&str; 4] = ["tulip-1loop", "tulip-2loops", "tulip-2loops-unpinned", "tokio-mt-2"];

/// Runs the server `variant` until told to stop (the child's main).
pub fn serve(variant: &str) {
    let port = match variant {
        "tulip-1loop" => tulip_loops(1, true),
        "tulip-2loops" => tulip_loops(2, true),
        "tulip-2loops-unpinned" => tulip_loops(2, false),
        "tokio-mt-2" => tokio_mt(2),
        other => {
            eprintln!("no server variant {other}");
            std::process::exit(2);
        }
    };
    println!("PORT {port}");
    let _ = std::io::stdout().flush();
    let mut start = cpu_time();
    for line in std::io::stdin().lock().lines() {
        match line.as_deref().map(str::trim) {
            Ok("start") => {
                start = cpu_time();
                println!("OK");
            }
            Ok("stop") | Err(_) => break,
            Ok(_) => continue,
        }
        let _ = std::io::stdout().flush();
    }
    let cpu: CpuTime = cpu_time().since(start);
    println!("CPU {:e} {:e}", (cpu.user + cpu.system).as_secs_f64(), cpu.user.as_secs_f64());
    let _ = std::io::stdout().flush();
    // The runtimes' threads are torn down with the process.
    std::process::exit(0);
}

/// A tulip runtime of `n` loops (pinned to cores 0.. or not), each accepting on its own SO_REUSEPORT
/// socket bound to one port; returns the port. The runtime is leaked: it
/// serves until the process exits.
fn tulip_loops(n: usize, pin: bool) -> u16 {
    use tulip::net::{ServerOptions, TcpListener};
    let rt = tulip::Runtime::builder().loops(n).pin_to_cores(pin).build().unwrap_or_else(|e| panic!("runtime: {e}"));
    let opts = ServerOptions::new().reuse_port(true).backlog(1024);
    let mut port = 0u16;
    for k in 0..n {
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let bound = rt
            .spawn_on(k, move || async move {
                let l = TcpListener::bind_with(addr, opts).unwrap_or_else(|e| panic!("bind: {e}"));
                let port = l.local_addr().map(|a| a.port()).unwrap_or(0);
                tulip::create_task(async move {
                    while let Ok((s, _)) = l.accept().await {
                        let _ = s.set_nodelay(true);
                        tulip::create_task(async move {
                            crate::echo_loops::echo::<MSG>(&s, &s).await;
                        })
                        .detach();
                    }
                })
                .detach();
                port
            })
            .unwrap_or_else(|e| panic!("{e}"));
        port = bound.result().unwrap_or_else(|e| panic!("server start: {e}"));
    }
    std::mem::forget(rt);
    port
}

/// tokio's multi-thread runtime with `workers` workers: one listener, a
/// spawned task per connection, the scheduler spreads them.
fn tokio_mt(workers: usize) -> u16 {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("tokio: {e}"));
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
    let port = l.local_addr().map(|a| a.port()).unwrap_or(0);
    l.set_nonblocking(true).unwrap_or_else(|e| panic!("{e}"));
    rt.spawn(async move {
        let l = tokio::net::TcpListener::from_std(l).unwrap_or_else(|e| panic!("{e}"));
        while let Ok((mut s, _)) = l.accept().await {
            let _ = s.set_nodelay(true);
            tokio::spawn(async move {
                let (r, w) = s.split();
                crate::echo_loops::tokio_io::echo::<MSG>(r, w).await;
            });
        }
    });
    std::mem::forget(rt);
    port
}
