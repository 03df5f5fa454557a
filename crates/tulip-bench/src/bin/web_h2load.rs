//! The web row: h2load against the seed's hello app, served by tulip::web,
//! by tokio (current_thread) + hyper with the same settings, and by
//! aiohttp.web; the server pinned to core 0, h2load to core 1.
//!
//! `cargo run --release -p tulip-bench --bin web_h2load -- [--runs 5] [-n 200000] [-c 1,50,256] [--only tulip|tokio|aiohttp]`
//!
//! `--per-core` (issue 14): the hello app on 1 and 2 tulip loops and on
//! tokio multi-thread (2 workers) + hyper, a fresh server process per run,
//! nothing pinned but tulip's loops (tulip_bench::per_core_web).
//!
//! Installs what it needs when missing: h2load (`apt-get install -y
//! nghttp2-client`) and aiohttp (the client rows' venv,
//! `tulip_bench::http::aiohttp_python`). Prints requests/s and the
//! server's CPU time per request (utime + stime from /proc), medians of the runs.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

const AIOHTTP_HELLO: &str = r#"
import sys
from aiohttp import web
async def handle(request):
    name = request.match_info.get('name', "Anonymous")
    text = "Hello, " + name
    return web.Response(text=text)
app = web.Application()
app.add_routes([web.get('/', handle), web.get('/{name}', handle)])
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
"#;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut runs = 5usize;
    let mut n = 200_000u64;
    let mut conns = vec![1u32, 50, 256];
    let mut only: Option<String> = None;
    let mut per_core = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--serve" => {
                let which = args.next().unwrap_or_default();
                let port: u16 = args.next().and_then(|p| p.parse().ok()).unwrap_or(8080);
                match which.as_str() {
                    "tulip" => serve_tulip(port),
                    "tokio" => tokio_peer::serve(port),
                    other if tulip_bench::per_core_web::serve(other, port) => {}
                    other => eprintln!("unknown server {other}"),
                }
                return;
            }
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).unwrap_or(runs),
            "-n" => n = args.next().and_then(|v| v.parse().ok()).unwrap_or(n),
            "-c" => {
                conns = args.next().unwrap_or_default().split(',').filter_map(|c| c.parse().ok()).collect();
            }
            "--only" => only = args.next(),
            "--per-core" => per_core = true,
            _ => {
                println!("web_h2load [--runs N] [-n REQUESTS] [-c 1,50,256] [--only tulip|tokio|aiohttp]");
                return;
            }
        }
    }
    ensure_h2load();
    if per_core {
        return per_core_rows(runs, n, &conns);
    }
    let mut servers: Vec<&str> =
        ["tulip", "tokio", "aiohttp"].into_iter().filter(|s| only.as_deref().is_none_or(|o| o == *s)).collect();
    // The same venv as the client rows'; without aiohttp its row is left out.
    let python = if servers.contains(&"aiohttp") { tulip_bench::http::aiohttp_python() } else { None };
    if python.is_none() {
        servers.retain(|s| *s != "aiohttp");
    }
    println!("h2load --h1 -n {n} -c C -m 1, server on core 0, h2load on core 1, median of {runs} runs");
    println!("{:<8} {:>5} {:>12} {:>14}", "server", "c", "req/s", "server µs/req");
    for &c in &conns {
        let mut results = Vec::new();
        for (i, s) in servers.iter().enumerate() {
            let port = 18_080 + i as u16;
            let mut child = start(s, port, python.as_deref());
            wait_listening(port);
            let mut rps = Vec::new();
            let mut cpu = Vec::new();
            for _ in 0..runs {
                let before = cpu_seconds(child.id());
                let r = h2load(port, n, c);
                let after = cpu_seconds(child.id());
                rps.push(r);
                cpu.push((after - before) / n as f64 * 1e6);
            }
            stop(&mut child);
            let (r, u) = (median(rps), median(cpu));
            println!("{s:<8} {c:>5} {r:>12.0} {u:>14.2}");
            results.push((s.to_string(), r, u));
        }
        let get = |name: &str| results.iter().find(|(s, ..)| s == name).map(|(_, r, u)| (*r, *u));
        if let (Some(t), Some(k)) = (get("tulip"), get("tokio")) {
            println!("  c={c}: tulip/tokio CPU per request {:.2}x", t.1 / k.1);
        }
        if let (Some(t), Some(a)) = (get("tulip"), get("aiohttp")) {
            println!("  c={c}: tulip/aiohttp requests/s {:.1}x", t.0 / a.0);
        }
    }
}

/// The per-core rows: every run a fresh server process, h2load unpinned
/// (with 2 loops, the server's threads and h2load share the 2 cores).
fn per_core_rows(runs: usize, n: u64, conns: &[u32]) {
    use tulip_bench::per_core_web::{context_switches, VARIANTS};
    println!("h2load --h1 -n {n} -c C -m 1, a fresh server per run, h2load unpinned, median of {runs} runs");
    println!("{:<14} {:>5} {:>10} {:>14} {:>16}", "server", "c", "req/s", "server µs/req", "ctx switch/req");
    for &c in conns {
        let mut rows: Vec<[Vec<f64>; 3]> = VARIANTS.iter().map(|_| Default::default()).collect();
        for _ in 0..runs {
            // Interleaved, so the machine's noise hits every variant alike.
            for (i, v) in VARIANTS.iter().enumerate() {
                let port = 18_180 + i as u16;
                let mut child = start_unpinned(v, port);
                wait_listening(port);
                let (cpu0, cs0) = (cpu_seconds(child.id()), context_switches(child.id()));
                rows[i][0].push(h2load(port, n, c));
                let (cpu1, cs1) = (cpu_seconds(child.id()), context_switches(child.id()));
                rows[i][1].push((cpu1 - cpu0) / n as f64 * 1e6);
                rows[i][2].push((cs1[0] + cs1[1] - cs0[0] - cs0[1]) as f64 / n as f64);
                stop(&mut child);
            }
        }
        for (v, [rps, cpu, cs]) in VARIANTS.iter().zip(rows) {
            println!("{v:<14} {c:>5} {:>10.0} {:>14.2} {:>16.3}", median(rps), median(cpu), median(cs));
        }
    }
}

fn start_unpinned(server: &str, port: u16) -> Child {
    let exe = std::env::current_exe().expect("the benchmark's own path");
    Command::new(exe)
        .args(["--serve", server, &port.to_string()])
        .stdout(Stdio::null())
        .spawn()
        .expect("start the server")
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn ensure_h2load() {
    if Command::new("h2load").arg("--version").output().is_ok() {
        return;
    }
    eprintln!("installing h2load (nghttp2-client)...");
    let _ = Command::new("apt-get").args(["update", "-qq"]).status();
    let ok =
        Command::new("apt-get").args(["install", "-y", "-qq", "nghttp2-client"]).status().is_ok_and(|s| s.success());
    assert!(ok, "h2load is needed: apt-get install -y nghttp2-client");
}

fn start(server: &str, port: u16, python: Option<&std::path::Path>) -> Child {
    let exe = std::env::current_exe().expect("the benchmark's own path");
    let mut cmd = Command::new("taskset");
    cmd.arg("-c").arg("0");
    match server {
        "aiohttp" => cmd.arg(python.expect("aiohttp's row runs only with its venv")).args([
            "-c",
            AIOHTTP_HELLO,
            &port.to_string(),
        ]),
        s => cmd.arg(exe).args(["--serve", s, &port.to_string()]),
    };
    cmd.stdout(Stdio::null()).spawn().expect("start the server")
}

fn stop(child: &mut Child) {
    // SIGINT: each server shuts down on it (aiohttp's run_app too).
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: signalling the child this process spawned and still owns.
        unsafe { libc::kill(pid, libc::SIGINT) };
    }
    let _ = child.wait();
}

fn wait_listening(port: u16) {
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("server on port {port} did not start");
}

/// utime + stime of `pid` (and its threads), in seconds.
fn cpu_seconds(pid: u32) -> f64 {
    // taskset execs the server in place: the pid is the server's.
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 =
        f.get(11).and_then(|v| v.parse().ok()).unwrap_or(0.0) + f.get(12).and_then(|v| v.parse().ok()).unwrap_or(0.0);
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    ticks / hz
}

/// One h2load run: requests/s, checked that all succeeded.
fn h2load(port: u16, n: u64, c: u32) -> f64 {
    let out = Command::new("taskset")
        .args(["-c", "1", "h2load", "--h1", "-n", &n.to_string(), "-c", &c.to_string(), "-m", "1"])
        .arg(format!("http://127.0.0.1:{port}/"))
        .output()
        .expect("run h2load");
    let text = String::from_utf8_lossy(&out.stdout);
    let ok = text.lines().any(|l| l.starts_with("requests:") && l.contains(&format!("{n} succeeded")));
    assert!(ok, "h2load did not complete every request:\n{text}");
    text.lines()
        .find(|l| l.starts_with("finished in"))
        .and_then(|l| l.split(", ").nth(1))
        .and_then(|s| s.trim_end_matches(" req/s").parse().ok())
        .expect("h2load's req/s")
}

fn serve_tulip(port: u16) {
    tulip::web::RunApp::new(tulip_bench::per_core_web::hello_app())
        .host("127.0.0.1")
        .port(port)
        .print(false)
        .run()
        .expect("serve");
}

/// tokio current_thread + hyper, with tulip::web's settings (16 KiB heads,
/// a header read timeout on a timer, the same headers in the answer).
mod tokio_peer {
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};
    use std::time::{Duration, Instant};

    use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

    struct Io(tokio::net::TcpStream);

    impl hyper::rt::Read for Io {
        fn poll_read(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            mut buf: hyper::rt::ReadBufCursor<'_>,
        ) -> Poll<std::io::Result<()>> {
            // hyper-util's TokioIo, inlined (no extra dependency for a peer).
            // SAFETY: tokio's ReadBuf never de-initialises bytes, which is
            // what `as_mut` asks of its caller.
            let mut tbuf = ReadBuf::uninit(unsafe { buf.as_mut() });
            let n = match Pin::new(&mut self.0).poll_read(cx, &mut tbuf) {
                Poll::Ready(Ok(())) => tbuf.filled().len(),
                other => return other,
            };
            // SAFETY: `n` bytes were just initialised by the read above.
            unsafe { buf.advance(n) };
            Poll::Ready(Ok(()))
        }
    }

    impl hyper::rt::Write for Io {
        fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, b: &[u8]) -> Poll<std::io::Result<usize>> {
            Pin::new(&mut self.0).poll_write(cx, b)
        }
        fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            Pin::new(&mut self.0).poll_flush(cx)
        }
        fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            Pin::new(&mut self.0).poll_shutdown(cx)
        }
    }

    struct Sleep(Pin<Box<tokio::time::Sleep>>);
    impl Future for Sleep {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            self.0.as_mut().poll(cx)
        }
    }
    impl hyper::rt::Sleep for Sleep {}

    #[derive(Clone)]
    struct Timer;
    impl hyper::rt::Timer for Timer {
        fn sleep(&self, d: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
            Box::pin(Sleep(Box::pin(tokio::time::sleep(d))))
        }
        fn sleep_until(&self, at: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
            Box::pin(Sleep(Box::pin(tokio::time::sleep_until(at.into()))))
        }
        fn now(&self) -> Instant {
            Instant::now()
        }
    }

    pub(crate) fn serve(port: u16) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.expect("bind");
            let accept = async {
                loop {
                    let Ok((tcp, _)) = listener.accept().await else { continue };
                    let _ = tcp.set_nodelay(true);
                    tokio::task::spawn_local(async move {
                        let _ = hyper::server::conn::http1::Builder::new()
                            .timer(Timer)
                            .header_read_timeout(Duration::from_secs(75))
                            .max_header_size(16 * 1024)
                            .max_headers(100)
                            .serve_connection(
                                Io(tcp),
                                hyper::service::service_fn(tulip_bench::per_core_web::hello_hyper),
                            )
                            .await;
                    });
                }
            };
            let local = tokio::task::LocalSet::new();
            local
                .run_until(async {
                    tokio::select! {
                        _ = accept => {}
                        _ = tokio::signal::ctrl_c() => {}
                    }
                })
                .await;
        });
    }
}
