//! A variant of seed 001's `Connection` async context manager (its twin is
//! `sync_connection`), as a guard type:
//! `async with Connection(...) as conn:` becomes `let conn = Connection::open(..).await`
//! and the connection is closed when the guard is dropped. A reader and a
//! writer task use it concurrently: the writer `put`s messages, the reader
//! `get`s them, through a bounded queue; an `Event` signals the close.
#[path = "common/mod.rs"]
mod common;

use std::rc::Rc;
use tulip::{Event, Queue};

/// An open (simulated) connection: a bounded in-memory pipe.
struct Connection {
    name: String,
    pipe: Queue<String>,
    closed: Rc<Event>,
}

impl Connection {
    /// `__aenter__`: connect (simulated latency).
    async fn open(name: &str, closed: Rc<Event>) -> Rc<Self> {
        tulip::sleep(common::secs(0.1)).await;
        println!("[{name}] connected");
        Rc::new(Self { name: name.to_string(), pipe: Queue::new(2), closed })
    }

    async fn put(&self, data: &str) {
        if self.pipe.put(data.to_string()).await.is_ok() {
            println!("[{}] sent {data:?}", self.name);
        }
    }

    async fn get(&self) -> Option<String> {
        self.pipe.get().await.ok()
    }
}

impl Drop for Connection {
    /// `__aexit__`: close, whatever happened in the block.
    fn drop(&mut self) {
        self.pipe.shutdown(false);
        self.closed.set();
        println!("[{}] closed", self.name);
    }
}

fn main() {
    tulip::run(async {
        let closed = Rc::new(Event::new());
        {
            // async with Connection("db") as conn:
            let conn = Connection::open("db", closed.clone()).await;
            let reader = {
                let conn = conn.clone();
                tulip::create_task(async move {
                    let mut got = Vec::new();
                    while got.len() < 5 {
                        match conn.get().await {
                            Some(msg) => {
                                println!("[{}] received {msg:?}", conn.name);
                                got.push(msg);
                            }
                            None => break,
                        }
                    }
                    got.len()
                })
            };
            for i in 0..5 {
                conn.put(&format!("row {i}")).await;
                tulip::sleep(common::secs(0.05)).await;
            }
            println!("reader got {} messages", reader.await.unwrap_or(0));
        } // the last Rc is dropped here: the connection closes
        closed.wait().await;
        println!("connection closed: {}", closed.is_set());
    });
}
