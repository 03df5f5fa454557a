//! A tiny line-protocol chat server: every line a client sends goes to all
//! the other clients. The program runs three scripted clients against it
//! and then shuts the server down.
#[path = "common/mod.rs"]
mod common;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

type Clients = Rc<RefCell<HashMap<u64, tulip::StreamWriter>>>;

async fn handle_client(clients: Clients, id: u64, mut reader: tulip::StreamReader, writer: tulip::StreamWriter) {
    clients.borrow_mut().insert(id, writer);
    loop {
        let line = match reader.readline().await {
            Ok(line) if !line.is_empty() => line,
            _ => break,
        };
        let msg = format!("user{id}: {}", String::from_utf8_lossy(&line));
        for (other, w) in clients.borrow_mut().iter_mut() {
            if *other != id {
                let _ = w.write(msg.as_bytes());
            }
        }
    }
    if let Some(mut w) = clients.borrow_mut().remove(&id) {
        w.close();
    }
}

async fn client(port: u16, name: &str, lines: &[&str], expect: usize) -> std::io::Result<Vec<String>> {
    let (mut r, mut w) = tulip::open_connection("127.0.0.1", port).await?;
    // Give every client time to join before anyone speaks.
    tulip::sleep(common::secs(0.1)).await;
    for line in lines {
        w.write(format!("{line} (from {name})\n").as_bytes())?;
    }
    let mut heard = Vec::new();
    while heard.len() < expect {
        let line = r.readline().await?;
        if line.is_empty() {
            break;
        }
        heard.push(String::from_utf8_lossy(&line).trim_end().to_string());
    }
    w.close();
    Ok(heard)
}

fn main() -> std::io::Result<()> {
    tulip::run(async {
        let clients: Clients = Rc::default();
        let next_id = Rc::new(std::cell::Cell::new(1u64));
        let server = tulip::start_server(
            move |r, w| {
                let id = next_id.get();
                next_id.set(id + 1);
                handle_client(clients.clone(), id, r, w)
            },
            "127.0.0.1",
            0,
        )
        .await?;
        let port = server.sockets()[0].port();
        println!("chat server on port {port}");
        let results = tulip::gather([
            client(port, "alice", &["hello all"], 2),
            client(port, "bob", &["hi alice"], 2),
            client(port, "carol", &["good morning"], 2),
        ])
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))?;
        for (who, heard) in ["alice", "bob", "carol"].iter().zip(results) {
            let mut heard = heard?;
            heard.sort();
            println!("{who} heard: {heard:?}");
        }
        server.close();
        Ok(())
    })
}
