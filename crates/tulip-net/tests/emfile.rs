//! A server that runs out of file descriptors keeps serving: asyncio's
//! EMFILE back-off. Alone in its own test binary because it lowers the
//! process's fd limit.
#![allow(clippy::unwrap_used)]

use std::cell::RefCell;
use std::process::{Command, Stdio};
use std::rc::Rc;
use tulip::to_thread;
use tulip::EventLoop;

mod common;
use common::tiny_http_server;

fn set_soft_fd_limit(n: u64) -> u64 {
    let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit/setrlimit read and write the struct we pass.
    unsafe {
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim);
        let old = lim.rlim_cur;
        lim.rlim_cur = n.min(lim.rlim_max);
        libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        old
    }
}

#[test]
fn accept_out_of_fds_reports_backs_off_and_keeps_serving() {
    let script = r#"
import socket, sys, time
port = int(sys.argv[1])
time.sleep(0.3)
held = [socket.create_connection(("127.0.0.1", port)) for _ in range(8)]
time.sleep(0.5)
for s in held: s.close()
time.sleep(0.2)
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"GET / HTTP/1.0\r\n\r\n")
s.settimeout(10)
data = b""
while True:
    d = s.recv(4096)
    if not d: break
    data += d
print(data.split(b"\r\n\r\n", 1)[-1].decode(), end="")
"#;
    let ev = EventLoop::new();
    let reports = Rc::new(RefCell::new(Vec::new()));
    let r = reports.clone();
    ev.set_exception_handler(move |ctx| r.borrow_mut().push(ctx.message.clone()));
    let out = ev.run_until_complete(async move {
        let server = tiny_http_server().await;
        let port = server.sockets()[0].port().to_string();
        let Ok(child) = Command::new("python3").args(["-c", script, &port]).stdout(Stdio::piped()).spawn() else {
            eprintln!("python3 not available; skipping");
            return None;
        };
        // Leave room for about two more fds: the 8 connections cannot all be accepted.
        let open = std::fs::read_dir("/proc/self/fd").map(|d| d.count() as u64).unwrap_or(64);
        let old = set_soft_fd_limit(open + 2);
        let out = to_thread(move || child.wait_with_output()).await;
        set_soft_fd_limit(old);
        server.close();
        Some(out.unwrap())
    });
    let Some(out) = out else { return };
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hello from tulip\n");
    assert!(reports.borrow().iter().any(|m| m.contains("out of system resource")), "{:?}", reports.borrow());
}
