//! A small HTTP proxy on std threads: CONNECT tunnels and absolute-form
//! forwarding; it records each request line and Proxy-Authorization.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Mutex};

use super::script::Script;

/// Each request line seen, with its Proxy-Authorization.
pub type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;

pub struct Proxy {
    pub script: Script,
    pub seen: Seen,
}

impl Proxy {
    /// A proxy; with `require`, requests without that Proxy-Authorization get 407.
    pub fn start(require: Option<&'static str>) -> Proxy {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let script = Script::start(move |mut client, _| {
            let Some(head) = read_head_bytes(&mut client) else { return };
            let text = String::from_utf8_lossy(&head).into_owned();
            let mut lines = text.split("\r\n");
            let first = lines.next().unwrap_or("").to_string();
            let auth = lines
                .clone()
                .find_map(|l| {
                    l.strip_prefix("Proxy-Authorization: ").or_else(|| l.strip_prefix("proxy-authorization: "))
                })
                .map(str::to_string);
            log.lock().unwrap().push((first.clone(), auth.clone()));
            if require.is_some() && auth.as_deref() != require {
                let _ = client.write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n");
                return;
            }
            let mut parts = first.split(' ');
            let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            if method == "CONNECT" {
                let Ok(upstream) = TcpStream::connect(target) else { return };
                let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
                pipe(client, upstream);
                return;
            }
            let rest = target.strip_prefix("http://").unwrap_or(target);
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let Ok(mut upstream) = TcpStream::connect(authority) else { return };
            let mut out = format!("{method} {path} HTTP/1.1\r\n");
            for l in lines.filter(|l| !l.is_empty() && !l.to_ascii_lowercase().starts_with("proxy-authorization")) {
                out.push_str(l);
                out.push_str("\r\n");
            }
            out.push_str("\r\n");
            let _ = upstream.write_all(out.as_bytes());
            pipe(client, upstream);
        });
        Proxy { script, seen }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.script.port)
    }
}

fn read_head_bytes(s: &mut TcpStream) -> Option<Vec<u8>> {
    let mut got = Vec::new();
    let mut b = [0u8; 1];
    while !got.ends_with(b"\r\n\r\n") {
        match s.read(&mut b) {
            Ok(1) => got.push(b[0]),
            _ => return None,
        }
    }
    Some(got)
}

/// Copies both ways until either side closes.
fn pipe(a: TcpStream, b: TcpStream) {
    let (mut a2, mut b2) = (a.try_clone().unwrap(), b.try_clone().unwrap());
    let t = std::thread::spawn(move || {
        let _ = std::io::copy(&mut a2, &mut b2);
        let _ = b2.shutdown(Shutdown::Write);
    });
    let (mut a, mut b) = (a, b);
    let _ = std::io::copy(&mut b, &mut a);
    let _ = a.shutdown(Shutdown::Write);
    let _ = t.join();
}
