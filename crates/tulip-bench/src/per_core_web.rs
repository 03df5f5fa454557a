//! The per-core web rows (issue 14; `web_h2load --per-core`): the seed's
//! hello app on 1 and 2 tulip loops (`RunApp::per_core`, a `SO_REUSEPORT`
//! socket per loop), and tokio's multi-thread runtime with 2 workers and
//! hyper (one listener, work stealing), with tulip::web's settings.
//!
//! Each server runs in a fresh process (`web_h2load --serve VARIANT PORT`)
//! until SIGINT.

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;

/// The per-core server variants, as `--serve` names them.
pub const VARIANTS: [&str; 3] = ["tulip-1loop", "tulip-2loops", "tokio-mt-2"];

/// The seed's hello app (examples/web_hello.rs).
pub fn hello_app() -> tulip::web::Application {
    use tulip::web::{self, Request, Response};
    async fn handle(request: Request) -> Response {
        let name = request.match_info().get("name").unwrap_or("Anonymous");
        Response::text(format!("Hello, {name}"))
    }
    let mut app = web::Application::new();
    app.add_routes([web::get("/", handle), web::get("/{name}", handle)]);
    app
}

/// The hello app for hyper: the same answer and headers as tulip::web's.
pub async fn hello_hyper(
    req: hyper::Request<hyper::body::Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path();
    let name = match path.strip_prefix('/') {
        Some("") => Some("Anonymous"),
        Some(n) if !n.contains('/') => Some(n),
        _ => None,
    };
    let res = match name {
        Some(n) => hyper::Response::builder()
            .header("content-type", "text/plain; charset=utf-8")
            .header("server", "tulip-web/0.1.0")
            .body(Full::new(Bytes::from(format!("Hello, {n}")))),
        None => hyper::Response::builder().status(404).body(Full::new(Bytes::from("404: Not Found"))),
    };
    Ok(res.unwrap_or_default())
}

/// Serves `variant` on `127.0.0.1:port` until SIGINT; false for an
/// unknown variant.
pub fn serve(variant: &str, port: u16) -> bool {
    let loops = match variant {
        "tulip-1loop" => 1,
        "tulip-2loops" => 2,
        "tokio-mt-2" => {
            tokio_mt(2, port);
            return true;
        }
        _ => return false,
    };
    tulip::web::RunApp::per_core(hello_app)
        .workers(loops)
        .host("127.0.0.1")
        .port(port)
        .print(false)
        .run()
        .unwrap_or_else(|e| panic!("serve: {e}"));
    true
}

/// tokio multi-thread with `workers` workers + hyper: a spawned task per
/// connection, tulip::web's limits (16 KiB heads, a header read timeout).
fn tokio_mt(workers: usize, port: u16) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("tokio: {e}"));
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap_or_else(|e| panic!("bind: {e}"));
        let accept = async {
            loop {
                let Ok((tcp, _)) = listener.accept().await else { continue };
                let _ = tcp.set_nodelay(true);
                tokio::spawn(async move {
                    let _ = hyper::server::conn::http1::Builder::new()
                        .timer(TokioTimer::new())
                        .header_read_timeout(Duration::from_secs(75))
                        .max_header_size(16 * 1024)
                        .max_headers(100)
                        .serve_connection(TokioIo::new(tcp), hyper::service::service_fn(hello_hyper))
                        .await;
                });
            }
        };
        tokio::select! {
            _ = accept => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    });
}

/// Voluntary and involuntary context switches of every thread of `pid`.
pub fn context_switches(pid: u32) -> [u64; 2] {
    let mut sum = [0u64; 2];
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else { return sum };
    for t in tasks.flatten() {
        let status = std::fs::read_to_string(t.path().join("status")).unwrap_or_default();
        for line in status.lines() {
            let field = |name: &str| line.strip_prefix(name).and_then(|v| v.trim().parse::<u64>().ok());
            if let Some(v) = field("voluntary_ctxt_switches:") {
                sum[0] += v;
            } else if let Some(v) = field("nonvoluntary_ctxt_switches:") {
                sum[1] += v;
            }
        }
    }
    sum
}
