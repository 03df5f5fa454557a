//! The TCP echo server on every core: a loop per core (`tulip::Runtime`),
//! each listening on the same port with its own `SO_REUSEPORT` socket, so
//! the kernel spreads the connections and the loops share nothing.
//! Ctrl-C (SIGINT) or SIGTERM stops every loop; each cancels its server and
//! connections (their destructors run) and closes.
//!
//! ```sh
//! cargo run --release --example echo_per_core -- 127.0.0.1 8888   # serve until Ctrl-C
//! cargo run --release --example echo_per_core -- --self-test       # serve, connect, stop
//! ```

use std::io::{Read, Write};
use std::time::Duration;
use tulip::net::{start_server_with, ServerOptions};

/// Echoes every chunk until the peer closes.
async fn echo(mut reader: tulip::StreamReader, mut writer: tulip::StreamWriter) {
    loop {
        match reader.read(64 * 1024).await {
            Ok(data) if !data.is_empty() => {
                if writer.write(&data).is_err() || writer.drain().await.is_err() {
                    return;
                }
            }
            _ => return,
        }
    }
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let self_test = args.iter().any(|a| a == "--self-test");
    let host = args.first().filter(|_| !self_test).cloned().unwrap_or_else(|| "127.0.0.1".into());
    let port: u16 = if self_test { 0 } else { args.get(1).and_then(|p| p.parse().ok()).unwrap_or(8888) };

    let rt = tulip::Runtime::builder().stop_on_signals(true).build()?;
    let opts = ServerOptions::new().reuse_port(true).backlog(1024);
    // Loop 0 binds first (it may pick the port); the others join its port.
    let port = start_on(&rt, 0, host.clone(), port, opts)?;
    for k in 1..rt.loops() {
        start_on(&rt, k, host.clone(), port, opts)?;
    }
    println!("Serving on {host}:{port} with {} loops (cores {:?})", rt.loops(), cores(&rt));
    if self_test {
        for i in 0..16 {
            let mut c = std::net::TcpStream::connect((host.as_str(), port))?;
            c.set_read_timeout(Some(Duration::from_secs(10)))?;
            let msg = format!("hello {i}");
            c.write_all(msg.as_bytes())?;
            let mut back = vec![0; msg.len()];
            c.read_exact(&mut back)?;
            assert_eq!(back, msg.as_bytes());
        }
        println!("16 echoes OK");
        rt.shutdown();
    } else {
        rt.join();
    }
    Ok(())
}

/// Starts an echo server on loop `k` and returns its port once it listens.
fn start_on(rt: &tulip::Runtime, k: usize, host: String, port: u16, opts: ServerOptions) -> std::io::Result<u16> {
    let (tx, rx) = std::sync::mpsc::channel();
    rt.spawn_on(k, move || async move {
        match start_server_with(echo, &host, port, opts).await {
            Ok(server) => {
                let _ = tx.send(Ok(server.sockets()[0].port()));
                server.serve_forever().await;
            }
            Err(e) => {
                let _ = tx.send(Err(e));
            }
        }
    })
    .map_err(std::io::Error::other)?;
    rx.recv().map_err(|_| std::io::Error::other("the loop closed before its server started"))?
}

fn cores(rt: &tulip::Runtime) -> Vec<Option<usize>> {
    (0..rt.loops()).map(|k| rt.core(k)).collect()
}
