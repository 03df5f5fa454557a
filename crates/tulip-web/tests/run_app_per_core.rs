//! `RunApp::per_core`: an application per loop, each loop on its own
//! `SO_REUSEPORT` socket, and a graceful shutdown of every loop on a stop
//! or on SIGTERM.

#![cfg(feature = "runtime")]
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tulip::web::{self, Application, Request, Response, RunApp, WebError};

/// How many loops ran their start-up and clean-up hooks.
#[derive(Default)]
struct Hooks {
    started: AtomicUsize,
    cleaned: AtomicUsize,
    slow_entered: AtomicUsize,
}

/// An app answering the index of the loop that serves it; `/slow` takes
/// 300 ms.
fn app(hooks: Arc<Hooks>) -> Application {
    let mut app = Application::new();
    let index = |_: Request| async {
        let k = tulip::RuntimeHandle::current_index().map_or(-1, |k| k as i64);
        Response::text(k.to_string())
    };
    let h = hooks.clone();
    let slow = move |_: Request| {
        h.slow_entered.fetch_add(1, Ordering::SeqCst);
        async {
            tulip::sleep(Duration::from_millis(300)).await;
            Response::text("slow done")
        }
    };
    app.add_routes([web::get("/", index), web::get("/slow", slow)]);
    let h = hooks.clone();
    app.on_startup(move |_| {
        h.started.fetch_add(1, Ordering::SeqCst);
        async { Ok(()) }
    });
    app.on_cleanup(move |_| {
        hooks.cleaned.fetch_add(1, Ordering::SeqCst);
        async { Ok(()) }
    });
    app
}

/// One request on a new connection: the body of the answer (`None` if
/// the connection failed).
fn get(addr: SocketAddr, path: &str) -> Option<String> {
    let mut c = std::net::TcpStream::connect(addr).ok()?;
    c.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(c, "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").ok()?;
    let mut answer = String::new();
    c.read_to_string(&mut answer).ok()?;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    answer.split_once("\r\n\r\n").map(|(_, body)| body.to_string())
}

#[test]
fn two_workers_each_build_their_app_and_both_accept() {
    let hooks = Arc::new(Hooks::default());
    let h = hooks.clone();
    let workers = RunApp::per_core(move || app(h.clone()))
        .workers(2)
        .host("127.0.0.1")
        .port(0)
        .handle_signals(false)
        .start()
        .unwrap();
    assert_eq!(workers.loops(), 2);
    assert_eq!(hooks.started.load(Ordering::SeqCst), 2, "each loop ran its own app's start-up hook");
    let addr = workers.local_addr().unwrap();
    assert_eq!(workers.name(), format!("http://127.0.0.1:{}", addr.port()));
    // The kernel hashes each new connection (its client port) to one of
    // the two sockets: within a few hundred, both loops have answered.
    let mut seen = BTreeSet::new();
    for _ in 0..400 {
        seen.insert(get(addr, "/").unwrap());
        if seen.len() == 2 {
            break;
        }
    }
    assert_eq!(seen, BTreeSet::from(["0".to_string(), "1".to_string()]));
    workers.stop();
    workers.wait().unwrap();
    assert_eq!(hooks.cleaned.load(Ordering::SeqCst), 2, "each loop ran its clean-up hook");
    assert!(std::net::TcpStream::connect(addr).is_err(), "no loop accepts after the shutdown");
}

#[test]
fn sigterm_lets_in_flight_requests_finish_and_cleans_up_every_loop() {
    let hooks = Arc::new(Hooks::default());
    let h = hooks.clone();
    let workers = RunApp::per_core(move || app(h.clone()))
        .workers(2)
        .host("127.0.0.1")
        .port(0)
        .shutdown_timeout(Duration::from_secs(10))
        .start()
        .unwrap();
    let addr = workers.local_addr().unwrap();
    let slow = std::thread::spawn(move || get(addr, "/slow"));
    while hooks.slow_entered.load(Ordering::SeqCst) == 0 {
        std::thread::sleep(Duration::from_millis(5));
    }
    // SAFETY: raising a signal that every loop of `workers` handles
    // (installed before `start` returned).
    unsafe { libc::kill(libc::getpid(), libc::SIGTERM) };
    workers.wait().unwrap();
    assert_eq!(slow.join().unwrap().as_deref(), Some("slow done"), "the in-flight request finished");
    assert_eq!(hooks.cleaned.load(Ordering::SeqCst), 2, "each loop ran its clean-up hook");
}

#[test]
fn a_failed_bind_cleans_up_and_is_reported() {
    // A socket without SO_REUSEPORT holds the port: loop 0 cannot join it.
    let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = holder.local_addr().unwrap().port();
    let hooks = Arc::new(Hooks::default());
    let h = hooks.clone();
    let err = RunApp::per_core(move || app(h.clone()))
        .workers(2)
        .host("127.0.0.1")
        .port(port)
        .handle_signals(false)
        .start()
        .unwrap_err();
    assert!(matches!(&err, WebError::Io(e) if e.kind() == std::io::ErrorKind::AddrInUse), "{err:?}");
    assert_eq!(hooks.started.load(Ordering::SeqCst), 1, "loop 1 never started");
    assert_eq!(hooks.cleaned.load(Ordering::SeqCst), 1, "loop 0's start-up is undone");
}

#[test]
fn zero_workers_and_a_sharded_unix_socket_are_refused() {
    let zero = RunApp::per_core(Application::new).workers(0).start().unwrap_err();
    assert!(matches!(&zero, WebError::Io(e) if e.kind() == std::io::ErrorKind::InvalidInput), "{zero:?}");
    let unix = RunApp::per_core(Application::new).workers(2).path("/tmp/never-bound.sock").start().unwrap_err();
    assert!(matches!(&unix, WebError::Io(e) if e.kind() == std::io::ErrorKind::InvalidInput), "{unix:?}");
}
