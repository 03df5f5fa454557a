//! Real peers: curl, Python's http.client, a keep-alive soak, and
//! `run_app` in a child process stopped by SIGINT.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use tulip::web::{self, Application, Request, Response, RunApp, TestServer};

async fn hello(request: Request) -> Response {
    let name = request.match_info().get("name").unwrap_or("Anonymous");
    Response::text(format!("Hello, {name}"))
}

async fn echo(mut request: Request) -> web::Result<Response> {
    Ok(Response::text(request.text().await?))
}

fn app() -> Application {
    let mut app = Application::new();
    app.add_routes([web::get("/", hello), web::get("/{name}", hello), web::post("/echo", echo)]);
    app
}

/// The tests here count the process's descriptors, or spawn processes
/// that inherit them: one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn have(tool: &str) -> bool {
    let ok = Command::new(tool).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok();
    if !ok {
        println!("skipped: {tool} is not installed");
    }
    ok
}

#[test]
fn curl_gets_posts_and_heads() {
    let _serial = serial();
    if !have("curl") {
        return;
    }
    tulip::run(async {
        let server = TestServer::start(app()).await.unwrap();
        let base = server.make_url("");
        let out = tulip::to_thread(move || {
            let run = |args: &[&str]| {
                let o = Command::new("curl").args(["-s", "-i"]).args(args).output().unwrap();
                String::from_utf8_lossy(&o.stdout).into_owned()
            };
            vec![
                run(&[&format!("{base}/"), &format!("{base}/curl")]),
                run(&["-d", "posted body", &format!("{base}/echo")]),
                run(&["-I", &format!("{base}/x")]),
                run(&["-X", "PUT", &format!("{base}/x")]),
            ]
        })
        .await;
        // Two URLs on one connection: curl reuses it.
        assert!(out[0].contains("Hello, Anonymous") && out[0].ends_with("Hello, curl"), "{}", out[0]);
        assert_eq!(out[0].matches("HTTP/1.1 200 OK").count(), 2);
        assert!(out[1].ends_with("\r\n\r\nposted body"), "{}", out[1]);
        assert!(out[2].starts_with("HTTP/1.1 200 OK") && out[2].contains("content-length: 8"), "{}", out[2]);
        assert!(out[3].starts_with("HTTP/1.1 405") && out[3].contains("allow: GET,HEAD"), "{}", out[3]);
        server.close().await.unwrap();
    });
}

const PY_CLIENT: &str = r#"
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
out = []
for path in ["/", "/py", "/a/b"]:
    c.request("GET", path)
    r = c.getresponse()
    out.append("%d %s" % (r.status, r.read().decode()))
c.request("POST", "/echo", body=b"x" * 100000, headers={"Content-Type": "text/plain"})
r = c.getresponse()
out.append("%d %d" % (r.status, len(r.read())))
c.request("HEAD", "/py")
r = c.getresponse()
out.append("%d %s %r" % (r.status, r.getheader("content-length"), r.read()))
print("|".join(out))
"#;

#[test]
fn python_http_client_keeps_alive() {
    let _serial = serial();
    if !have("python3") {
        return;
    }
    tulip::run(async {
        let server = TestServer::start(app()).await.unwrap();
        let port = server.addr().port().to_string();
        let out = tulip::to_thread(move || {
            let o = Command::new("python3").args(["-c", PY_CLIENT, &port]).output().unwrap();
            (String::from_utf8_lossy(&o.stdout).trim().to_string(), String::from_utf8_lossy(&o.stderr).into_owned())
        })
        .await;
        assert_eq!(out.0, "200 Hello, Anonymous|200 Hello, py|404 404: Not Found|200 100000|200 9 b''", "{}", out.1);
        server.close().await.unwrap();
    });
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

fn rss_kib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = s.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// `n` requests over `conns` kept-alive connections.
async fn soak(server: &TestServer, conns: usize, n: usize) {
    let addr = server.addr();
    let tasks: Vec<_> = (0..conns)
        .map(|c| {
            tulip::create_task(async move {
                let tcp = tulip::TcpStream::connect(addr).await.unwrap();
                let (mut s, conn) =
                    hyper::client::conn::http1::handshake(tulip_hyper::HyperIo::new(tcp)).await.unwrap();
                let conn = tulip::create_task(conn);
                for i in 0..n / conns {
                    let path = format!("/u{c}x{i}");
                    let req = hyper::Request::get(&path).header("host", "x").body(Full::new(Bytes::new())).unwrap();
                    let res = s.send_request(req).await.unwrap();
                    assert_eq!(res.status(), 200);
                    let body = res.into_body().collect().await.unwrap().to_bytes();
                    assert_eq!(body, format!("Hello, u{c}x{i}"));
                }
                drop(s);
                conn.await.unwrap().unwrap();
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
}

/// After 10,000 kept-alive requests and their connections' close, the
/// server holds no more descriptors or connections than before, and its
/// memory did not grow with the requests.
#[test]
fn a_10k_request_keep_alive_soak_returns_to_baseline() {
    let _serial = serial();
    tulip::run(async {
        let server = TestServer::start(app()).await.unwrap();
        soak(&server, 4, 1000).await;
        for _ in 0..100 {
            if server.runner().connections() == 0 {
                break;
            }
            tulip::sleep(Duration::from_millis(10)).await;
        }
        let (fds0, rss0) = (open_fds(), rss_kib());
        soak(&server, 10, 10_000).await;
        for _ in 0..200 {
            if server.runner().connections() == 0 && open_fds() <= fds0 {
                break;
            }
            tulip::sleep(Duration::from_millis(10)).await;
        }
        let (fds1, rss1) = (open_fds(), rss_kib());
        assert_eq!(server.runner().connections(), 0);
        assert!(fds1 <= fds0, "fds {fds0} -> {fds1}");
        assert!(rss1 < rss0 + 8 * 1024, "rss {rss0} KiB -> {rss1} KiB");
        server.close().await.unwrap();
    });
}

/// The child half of `run_app_prints_the_banner_and_stops_on_sigint`.
#[test]
fn run_app_child() {
    if std::env::var_os("TULIP_WEB_RUN_APP_CHILD").is_none() {
        return;
    }
    RunApp::new(app()).host("127.0.0.1").port(0).run().unwrap();
}

#[test]
fn run_app_prints_the_banner_and_stops_on_sigint() {
    let _serial = serial();
    for sig in [libc::SIGINT, libc::SIGTERM] {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "run_app_child", "--nocapture", "--test-threads=1"])
            .env("TULIP_WEB_RUN_APP_CHILD", "1")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // The test harness's "test run_app_child ... " precedes it on its line.
        let line = lines.by_ref().map(|l| l.unwrap()).find(|l| l.contains("======== Running on ")).unwrap();
        let banner = &line[line.find("========").unwrap()..];
        assert_eq!(lines.next().unwrap().unwrap(), "(Press CTRL+C to quit)");
        let url = banner.trim_start_matches("======== Running on ").trim_end_matches(" ========");
        let addr = url.trim_start_matches("http://");
        assert!(addr.starts_with("127.0.0.1:"), "{banner}");
        let mut tcp = std::net::TcpStream::connect(addr).unwrap();
        tcp.write_all(b"GET /sig HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
        let mut got = String::new();
        tcp.read_to_string(&mut got).unwrap();
        assert!(got.ends_with("Hello, sig"), "{got}");
        let pid = i32::try_from(child.id()).unwrap();
        // SAFETY: signalling the child this test spawned and still owns.
        assert_eq!(unsafe { libc::kill(pid, sig) }, 0);
        let rest: Vec<String> = lines.map(|l| l.unwrap()).collect();
        assert!(rest.iter().any(|l| l.contains("1 passed")), "{rest:?}");
        let status = child.wait().unwrap();
        assert!(status.success(), "{status:?} after signal {sig}");
        assert!(std::net::TcpStream::connect(addr).is_err(), "still listening after shutdown");
    }
}
