//! Support for this crate's doc examples (hidden from the docs): a
//! loopback server giving one canned response to every request, so the
//! examples run offline.

use std::io::{Read, Write};

/// Serves `response` (a whole HTTP/1.1 response, Content-Length or
/// `Connection: close` framed) to each request on a fresh loopback port,
/// from a background thread; returns `http://127.0.0.1:<port>/`.
///
/// # Panics
/// If no loopback port can be bound (doc examples only).
pub fn canned(response: &'static [u8]) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
    let url = match listener.local_addr() {
        Ok(addr) => format!("http://{addr}/"),
        Err(e) => panic!("local_addr: {e}"),
    };
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || serve(stream, response));
        }
    });
    url
}

fn serve(mut s: std::net::TcpStream, response: &[u8]) {
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    loop {
        while !head.ends_with(b"\r\n\r\n") {
            match s.read(&mut b) {
                Ok(1) => head.push(b[0]),
                _ => return,
            }
        }
        // A request body, if announced, is read and ignored.
        let text = String::from_utf8_lossy(&head).to_ascii_lowercase();
        let len = text
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if s.read_exact(&mut body).is_err() || s.write_all(response).is_err() {
            return;
        }
        head.clear();
    }
}
