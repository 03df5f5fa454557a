//! Graceful shutdown, as aiohttp's `run_app` does it: on SIGINT or
//! SIGTERM the server stops accepting, `on_shutdown` runs, in-flight
//! requests get up to `shutdown_timeout` to finish (then are cancelled),
//! and `cleanup_ctx` / `on_cleanup` run last.
//!
//! ```text
//! cargo run --example web_graceful_shutdown &
//! curl -s localhost:8080/slow &     # takes 3 s
//! sleep 1; kill -INT %1             # the slow request still completes
//! ```

use std::rc::Rc;
use std::time::Duration;

use tulip::web::{self, Application, Request, Response};

async fn slow(_request: Request) -> Response {
    tulip::sleep(Duration::from_secs(3)).await;
    Response::text("finished despite the shutdown\n")
}

fn main() -> Result<(), web::WebError> {
    let mut app = Application::new();
    app.add_routes([web::get("/slow", slow)]);
    app.cleanup_ctx(|_app: Rc<Application>| async move {
        eprintln!("startup: opening resources");
        Ok(|| async { eprintln!("cleanup: resources closed") })
    });
    app.on_shutdown(|_app: Rc<Application>| async move {
        eprintln!("shutdown: no new connections; waiting for in-flight requests");
        Ok(())
    });
    web::RunApp::new(app).shutdown_timeout(Duration::from_secs(10)).run()
}
