//! Seed 001, example 5.1: an async context manager. `async with
//! Connection(...) as conn:` awaits `__aenter__` (connect), runs the block
//! (a send and a receive task, concurrently) and awaits `__aexit__` (close).
//!
//! ```python
//! async def get_conn(host, port):
//!     class Conn:
//!         async def put_data(self):
//!             print('Отправка данных...')
//!             await asyncio.sleep(2)
//!             print('Данные отправлены.')
//!         async def get_data(self): ...   # Получение данных... / Данные получены.
//!         async def close(self): ...      # Завершение соединения... / Соединение завершено.
//!     print('Устанавливаем соединение...')
//!     await asyncio.sleep(2)
//!     print('Соединение установлено.')
//!     return Conn()
//!
//! class Connection:
//!     def __init__(self, host, port): ...
//!     async def __aenter__(self):
//!         self.conn = await get_conn(self.host, self.port)
//!         return self.conn
//!     async def __aexit__(self, exc_type, exc, tb):
//!         await self.conn.close()
//!
//! async def main():
//!     async with Connection('localhost', 9001) as conn:
//!         send_task = asyncio.create_task(conn.put_data())
//!         receive_task = asyncio.create_task(conn.get_data())
//!         await send_task
//!         await receive_task
//!
//! asyncio.run(main())
//! ```
//!
//! Rust has no `async with`, and `Drop` cannot await; the idiom for an
//! async exit is a helper that takes the body as a closure, awaits the
//! enter, the body and then the exit — also when the body panics (caught
//! with `catch_unwind` and re-raised after the exit), as `__aexit__` runs on
//! an exception. If the whole `with_connection` future is cancelled
//! (dropped) there is nothing left to await the exit: keep cleanup that must
//! happen even then in a `Drop`. A guard-type variant is
//! `sync_connection_queue`.
#[path = "common/mod.rs"]
mod common;

use futures_lite::FutureExt;
use std::future::Future as StdFuture;
use std::panic::AssertUnwindSafe;
use std::rc::Rc;

/// A simulated connection to some peripheral.
struct Conn;

impl Conn {
    async fn put_data(&self) {
        println!("Отправка данных...");
        tulip::sleep(common::secs(2.0)).await;
        println!("Данные отправлены.");
    }

    async fn get_data(&self) {
        println!("Получение данных...");
        tulip::sleep(common::secs(2.0)).await;
        println!("Данные получены.");
    }

    async fn close(&self) {
        println!("Завершение соединения...");
        tulip::sleep(common::secs(2.0)).await;
        println!("Соединение завершено.");
    }
}

async fn get_conn(_host: &str, _port: u16) -> Conn {
    println!("Устанавливаем соединение...");
    tulip::sleep(common::secs(2.0)).await;
    println!("Соединение установлено.");
    Conn
}

/// `async with Connection(host, port) as conn: body(conn)`.
async fn with_connection<F, Fut, T>(host: &str, port: u16, body: F) -> T
where
    F: FnOnce(Rc<Conn>) -> Fut,
    Fut: StdFuture<Output = T>,
{
    // __aenter__
    let conn = Rc::new(get_conn(host, port).await);
    let outcome = AssertUnwindSafe(body(conn.clone())).catch_unwind().await;
    // __aexit__, whatever the body did
    conn.close().await;
    match outcome {
        Ok(value) => value,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

async fn main_coro() {
    with_connection("localhost", 9001, |conn| async move {
        let send_task = tulip::create_task({
            let conn = conn.clone();
            async move { conn.put_data().await }
        });
        let receive_task = tulip::create_task(async move { conn.get_data().await });

        // send and receive run concurrently
        let _ = send_task.await;
        let _ = receive_task.await;
    })
    .await;
}

fn main() {
    tulip::run(main_coro());
}
