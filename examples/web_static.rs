//! A static file server (aiohttp's `app.router.add_static`): serves the
//! directory given as the first argument (default: the current one) at
//! `/static/`, on the port given as the second (default 8080).
//! `..`, percent-encoded dots and symlinks that leave the directory are
//! refused.
//!
//! ```text
//! cargo run --example web_static -- ./docs 8080
//! curl -s localhost:8080/static/architecture.md
//! ```

use tulip::web::{self, Application, HTTPException, Request};

async fn index(request: Request) -> web::Result<web::Response> {
    let url = request
        .app()
        .router()
        .url_for("static", &[("filename", "")])
        .map_err(|_| HTTPException::internal_server_error())?;
    Err(HTTPException::found(&url))
}

fn main() -> Result<(), web::WebError> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| ".".into());
    let port = args.next().and_then(|p| p.parse().ok()).unwrap_or(8080);
    let mut app = Application::new();
    app.add_routes([web::get("/", index)]);
    if let Err(e) = app.router_mut().add_static("/static", &dir, Some("static")) {
        eprintln!("cannot serve {dir}: {e}");
        std::process::exit(2);
    }
    web::RunApp::new(app).port(port).access_log(web::AccessLog::stderr()).run()
}
