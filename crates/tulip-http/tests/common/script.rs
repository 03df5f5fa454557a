//! A scripted HTTP peer on std sockets: each connection runs a closure in
//! its own thread; `live()` counts the handlers still running.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct Script {
    pub port: u16,
    accepted: Arc<AtomicUsize>,
    live: Arc<AtomicUsize>,
}

impl Script {
    /// Serves `handler(stream, n)` for the n-th connection (0-based).
    pub fn start(handler: impl Fn(TcpStream, usize) + Send + Sync + 'static) -> Script {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let live = Arc::new(AtomicUsize::new(0));
        let handler = Arc::new(handler);
        let (acc, lv) = (Arc::clone(&accepted), Arc::clone(&live));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let n = acc.fetch_add(1, Ordering::SeqCst);
                lv.fetch_add(1, Ordering::SeqCst);
                let (h, lv) = (Arc::clone(&handler), Arc::clone(&lv));
                std::thread::spawn(move || {
                    h(stream, n);
                    lv.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        Script { port, accepted, live }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }

    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    /// Waits (up to 10 s) until every handler has returned.
    pub fn wait_idle(&self) {
        let start = Instant::now();
        while self.live.load(Ordering::SeqCst) > 0 && start.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(self.live.load(Ordering::SeqCst), 0, "handlers still running");
    }
}

/// Reads one request head (up to the blank line); false at EOF.
pub fn read_head(s: &mut TcpStream) -> bool {
    let mut got = Vec::new();
    let mut b = [0u8; 1];
    while !got.ends_with(b"\r\n\r\n") {
        match s.read(&mut b) {
            Ok(1) => got.push(b[0]),
            _ => return false,
        }
    }
    true
}

/// Writes, ignoring a peer that went away.
pub fn send(s: &mut TcpStream, data: &[u8]) {
    let _ = s.write_all(data);
    let _ = s.flush();
}

/// Waits for the client to close (or 10 s).
pub fn until_closed(s: &mut TcpStream) {
    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
    let mut b = [0u8; 1024];
    while matches!(s.read(&mut b), Ok(n) if n > 0) {}
}
