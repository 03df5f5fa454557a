//! A guided tour of tulip: everything the runtime does so far, in one run.
//!
//! `cargo run --example tour` (add `--fast` to shrink the delays).
#[path = "common/mod.rs"]
mod common;
#[path = "common/http_services.rs"]
mod http_services;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};
use tulip::{EventLoop, Future, FutureError, TaskError};

fn section(title: &str) {
    println!("\n== {title}");
}

async fn say_after(delay: Duration, what: &'static str) -> &'static str {
    tulip::sleep(delay).await;
    println!("  {what}");
    what
}

async fn tour() {
    section("tasks run concurrently: two sleeps of 1 s and 2 s take 2 s");
    let start = Instant::now();
    let a = tulip::create_task(say_after(common::secs(1.0), "hello"));
    let b = tulip::create_task(say_after(common::secs(2.0), "world"));
    let (a, b) = (a.await, b.await);
    println!(
        "  got {:?} and {:?} after {:.1} tutorial-seconds",
        a.ok(),
        b.ok(),
        start.elapsed().as_secs_f64() / common::secs(1.0).as_secs_f64()
    );

    section("sleep(0) is a pure yield: tasks take turns");
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut tasks = Vec::new();
    for name in ["foo", "bar"] {
        let log = log.clone();
        tasks.push(tulip::create_task(async move {
            for step in 0..2 {
                log.borrow_mut().push(format!("{name}{step}"));
                tulip::sleep(Duration::ZERO).await;
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    println!("  order: {}", log.borrow().join(" "));

    section("a Future is set by one side and awaited by another");
    let fut: Future<String> = tulip::get_running_loop().create_future();
    fut.add_done_callback(|f| println!("  done callback sees {:?}", f.result()));
    let setter = fut.clone();
    tulip::get_running_loop().call_later(common::secs(0.1), move || {
        let _ = setter.set_result("the answer".into());
    });
    println!("  awaited: {:?}", fut.clone().await);
    println!("  setting it twice: {:?}", fut.set_result("again".into()));
    let failed: Future<u32> = Future::new();
    let _ = failed.set_exception(std::io::Error::other("disk on fire"));
    match failed.result() {
        Err(FutureError::Exception(e)) => println!("  exception: {e}"),
        other => println!("  unexpected: {other:?}"),
    }

    section("cancelling a task drops its future: destructors are the finally blocks");
    struct Finally;
    impl Drop for Finally {
        fn drop(&mut self) {
            println!("  finally: cleaned up");
        }
    }
    let worker = tulip::create_task(async {
        let _guard = Finally;
        tulip::sleep(Duration::from_secs(3600)).await;
    });
    tulip::sleep(Duration::ZERO).await;
    println!("  cancel() -> {}", worker.cancel());
    match worker.await {
        Err(TaskError::Cancelled(e)) => println!("  awaiting it: {e}"),
        other => println!("  unexpected: {other:?}"),
    }

    section("a panic in a task is caught and handed to whoever awaits it");
    let boom = tulip::create_task(async {
        if true {
            panic!("something broke");
        }
    });
    match boom.await {
        Err(TaskError::Panicked(p)) => println!("  caught: {}", p.message()),
        other => println!("  unexpected: {other:?}"),
    }

    section("gather: outputs in input order, whatever order they finish in");
    let delays = [3.0, 1.0, 2.0];
    let outs = tulip::gather(delays.iter().map(|&d| async move {
        tulip::sleep(common::secs(d * 0.1)).await;
        d
    }))
    .await;
    println!("  gather -> {:?}", outs.unwrap_or_default());
    let (a, b) = tulip::gather!(async { "mixed" }, async { 42 }).await.unwrap_or(("?", 0));
    println!("  gather!(..) -> ({a:?}, {b})");

    section("wait_for cancels work that takes too long; timeout can be moved");
    let slow = tulip::sleep(Duration::from_secs(3600));
    println!("  wait_for(1 h of sleep, 0.1 s) -> {:?}", tulip::wait_for(slow, Some(common::secs(0.1))).await);
    let quick = tulip::timeout(common::secs(1.0), async { "in time" }).await;
    println!("  timeout(1 s, quick) -> {quick:?}");

    section("TaskGroup: the first failure cancels the siblings, all failures come back");
    let tg: tulip::TaskGroup<u32, String> = tulip::TaskGroup::new();
    let _ = tg.create_task(async { Err::<u32, String>("service A is down".into()) });
    let _ = tg.create_task(async {
        tulip::sleep(Duration::from_secs(3600)).await;
        Ok(1)
    });
    match tg.wait().await {
        Ok(v) => println!("  all ok: {v:?}"),
        Err(e) => println!("  group failed: {e}"),
    }

    section("sync: a Lock hands itself to waiters in FIFO order; a Queue with join()");
    let lock = Rc::new(tulip::Lock::new());
    let order = Rc::new(RefCell::new(Vec::new()));
    let held = lock.acquire().await;
    let waiters: Vec<_> = (0..3)
        .map(|i| {
            let (lock, order) = (lock.clone(), order.clone());
            tulip::create_task(async move {
                let _guard = lock.acquire().await;
                order.borrow_mut().push(i);
            })
        })
        .collect();
    tulip::sleep(Duration::ZERO).await;
    drop(held);
    for w in waiters {
        let _ = w.await;
    }
    println!("  lock granted in order {:?}", order.borrow());
    let queue: Rc<tulip::Queue<u32>> = Rc::new(tulip::Queue::new(2));
    let q = queue.clone();
    let consumer = tulip::create_task(async move {
        let mut sum = 0;
        while let Ok(item) = q.get().await {
            sum += item;
            let _ = q.task_done();
        }
        sum
    });
    for item in 1..=5 {
        let _ = queue.put(item).await;
    }
    queue.join().await;
    queue.shutdown(false);
    println!("  consumer summed {:?} through a queue of size 2", consumer.await.unwrap_or(0));

    section("current_task and all_tasks");
    let me = tulip::current_task().map(|t| t.name()).unwrap_or_default();
    let _idle = tulip::create_task_named("idler", std::future::pending::<()>());
    let names: Vec<_> = tulip::all_tasks().iter().map(|t| t.name()).collect();
    println!("  running in {me}; all tasks: {names:?}");
}

async fn io_tour() -> std::io::Result<()> {
    section("streams: an echo server and its client on loopback");
    let server = tulip::start_server(
        |mut reader, mut writer| async move {
            while let Ok(line) = reader.readline().await {
                if line.is_empty() || writer.write(&line).is_err() {
                    break;
                }
            }
            writer.close();
        },
        "127.0.0.1",
        0,
    )
    .await?;
    let port = server.sockets()[0].port();
    let (mut reader, mut writer) = tulip::open_connection("127.0.0.1", port).await?;
    for line in ["hello", "tulip"] {
        writer.write(format!("{line}\n").as_bytes())?;
        let echoed = reader.readline().await?;
        println!("  sent {line:?}, got back {:?}", String::from_utf8_lossy(&echoed).trim_end());
    }
    writer.close();
    server.close();
    server.wait_closed().await;

    section("blocking work goes to the thread pool; the loop keeps running");
    let answer = tulip::to_thread(|| {
        std::thread::sleep(std::time::Duration::from_millis(20));
        6 * 7
    })
    .await;
    println!("  to_thread -> {answer}");

    section("HTTP: aiohttp's ClientSession, against a local weather service");
    let weather = http_services::start().weather;
    let session = tulip::http::ClientSession::new();
    let got = async {
        let mut resp = session
            .get(format!("{weather}/data/2.5/weather"))
            .params([("q", "Moscow"), ("appid", "demo-key"), ("units", "metric")])
            .send()
            .await?;
        let status = resp.status();
        let json: serde_json::Value = resp.json().await?;
        Ok::<_, tulip::http::ClientError>((status, json))
    }
    .await;
    match got {
        Ok((status, json)) => println!(
            "  GET {weather}/data/2.5/weather?q=Moscow -> {status}: {}, {} °C",
            json["weather"][0]["main"].as_str().unwrap_or("?"),
            json["main"]["temp"]
        ),
        Err(e) => println!("  the request failed: {e}"),
    }
    session.close().await;

    section("subprocesses with their output as streams");
    let p = tulip::create_subprocess_shell("echo from a child process").await?;
    let (out, _err, status) = p.communicate(None).await?;
    println!("  {:?} ({status})", String::from_utf8_lossy(&out).trim_end());
    Ok(())
}

fn main() {
    // The tour's own panic is expected: keep the default hook from printing it.
    std::panic::set_hook(Box::new(|_| {}));
    tulip::run(tour());
    if let Err(e) = tulip::run(io_tour()) {
        println!("  I/O tour failed: {e}");
    }

    section("callbacks: call_soon runs first, timers in deadline order, stop() ends run_forever");
    let ev = EventLoop::new();
    let h = ev.handle();
    ev.call_later(common::secs(0.2), move || {
        println!("  call_later 0.2 s, stopping");
        h.stop();
    });
    ev.call_later(common::secs(0.1), || println!("  call_later 0.1 s"));
    ev.call_soon(|| println!("  call_soon"));
    ev.run_forever();

    section("another thread reaches the loop through its remote handle");
    let remote = ev.remote();
    std::thread::spawn(move || {
        remote.call_soon_threadsafe(|| println!("  hello from another thread")).expect("the loop is running");
        remote.stop().expect("the loop is running");
    });
    ev.run_forever();

    section("the exception handler hears about tasks nobody waited for");
    ev.set_exception_handler(|ctx| {
        let task = ctx.task.as_ref().map(|t| t.name.clone()).unwrap_or_default();
        println!("  handler: {} ({task})", ctx.message)
    });
    ev.create_task_named("forgotten", std::future::pending::<()>());
    ev.run_until_complete(tulip::sleep(Duration::ZERO));
    ev.close();

    section("a virtual clock: an hour of timers in no time, order kept");
    let ev = EventLoop::builder().virtual_clock().build().expect("poller");
    let started = Instant::now();
    let order = Rc::new(RefCell::new(Vec::new()));
    for (name, mins) in [("c", 60u64), ("a", 20), ("b", 40)] {
        let order = order.clone();
        ev.create_task(async move {
            tulip::sleep(Duration::from_secs(mins * 60)).await;
            order.borrow_mut().push(name);
        });
    }
    ev.run_until_complete(tulip::sleep(Duration::from_secs(3601)));
    println!(
        "  woke in order {:?}; real time taken: {:?} (< 1 s)",
        order.borrow(),
        started.elapsed() < Duration::from_secs(1)
    );
    section("tulip::web: the seed's aiohttp app answers a request");
    async fn handle(request: tulip::web::Request) -> tulip::web::Response {
        let name = request.match_info().get("name").unwrap_or("Anonymous");
        tulip::web::Response::text(format!("Hello, {name}"))
    }
    let mut app = tulip::web::Application::new();
    app.add_routes([tulip::web::get("/", handle), tulip::web::get("/{name}", handle)]);
    tulip::run(async {
        let client = tulip::web::TestClient::start(app).await.expect("a loopback port");
        match client.get("/tour").await {
            Ok(resp) => println!("  GET /tour -> {} {:?}", resp.status(), resp.text()),
            Err(e) => println!("  GET /tour failed: {e}"),
        }
        client.close().await;
    });
    section("tulip::web: a WebSocket (aiohttp's WebSocketResponse) answers ws_connect");
    tulip::run(async {
        if let Err(e) = websocket_tour().await {
            println!("  the WebSocket failed: {e}");
        }
    });
    println!("\ntour done");
}

async fn websocket_tour() -> Result<(), Box<dyn std::error::Error>> {
    async fn shout(request: tulip::web::Request) -> tulip::web::Result<tulip::web::WebSocketResponse> {
        let mut ws = tulip::web::WebSocketResponse::new();
        ws.prepare(&request).await?;
        while let Ok(tulip::web::WSMessage::Text(t)) = ws.receive().await {
            let _ = ws.send_str(&t.to_uppercase()).await;
        }
        Ok(ws)
    }
    let mut app = tulip::web::Application::new();
    app.add_routes([tulip::web::get("/ws", shout)]);
    let server = tulip::web::TestServer::start(app).await?;
    let session = tulip::http::ClientSession::new();
    let ws = session.ws_connect(server.make_url("/ws").replace("http://", "ws://")).await?;
    ws.send_str("hello over a websocket").await?;
    println!("  sent \"hello over a websocket\", got {:?}", ws.receive_str().await?);
    ws.close(1000, "").await?;
    println!("  closed with code {:?}", ws.close_code());
    session.close().await;
    server.close().await?;
    Ok(())
}
