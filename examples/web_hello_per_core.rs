//! The seed's hello server (examples/web_hello.rs) on every core: a loop
//! per core, each building its own `Application` and accepting on its own
//! `SO_REUSEPORT` socket on port 8080; the kernel spreads the connections.
//! Ctrl-C (SIGINT) or SIGTERM shuts every loop down gracefully.
//!
//! ```sh
//! cargo run --release --example web_hello_per_core              # serve until Ctrl-C
//! cargo run --release --example web_hello_per_core -- --self-test # serve, request, stop
//! ```

use std::io::{Read, Write};
use std::time::Duration;
use tulip::web::{self, Request, Response, RunApp};

async fn handle(request: Request) -> Response {
    let name = request.match_info().get("name").unwrap_or("Anonymous");
    let text = format!("Hello, {name}");
    Response::text(text)
}

/// Called once on each loop: the app's handlers stay on that loop.
fn app() -> web::Application {
    let mut app = web::Application::new();
    app.add_routes([web::get("/", handle), web::get("/{name}", handle)]);
    app
}

fn main() -> Result<(), web::WebError> {
    if !std::env::args().any(|a| a == "--self-test") {
        return web::run_app_per_core(app);
    }
    let workers = RunApp::per_core(app).host("127.0.0.1").port(0).start()?;
    let addr = workers.local_addr().ok_or_else(|| std::io::Error::other("no TCP address"))?;
    println!("Serving {} on {} loops", workers.name(), workers.loops());
    for (path, want) in [("/", "Hello, Anonymous"), ("/bob", "Hello, bob")].into_iter().cycle().take(16) {
        let mut c = std::net::TcpStream::connect(addr)?;
        c.set_read_timeout(Some(Duration::from_secs(10)))?;
        write!(c, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")?;
        let mut answer = String::new();
        c.read_to_string(&mut answer)?;
        assert!(answer.starts_with("HTTP/1.1 200") && answer.ends_with(want), "{answer}");
    }
    println!("16 requests OK");
    workers.stop();
    workers.wait()
}
