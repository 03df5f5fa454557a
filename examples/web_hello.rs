//! The seed's aiohttp server (seed 002), in tulip:
//!
//! ```python
//! async def handle(request):
//!     name = request.match_info.get('name', "Anonymous")
//!     text = "Hello, " + name
//!     return web.Response(text=text)
//!
//! app = web.Application()
//! app.add_routes([web.get('/', handle), web.get('/{name}', handle)])
//! web.run_app(app)
//! ```
//!
//! Run it and try `curl http://localhost:8080/bob`; Ctrl+C stops it.

use tulip::web::{self, Request, Response};

async fn handle(request: Request) -> Response {
    let name = request.match_info().get("name").unwrap_or("Anonymous");
    let text = format!("Hello, {name}");
    Response::text(text)
}

fn main() -> Result<(), web::WebError> {
    let mut app = web::Application::new();
    app.add_routes([web::get("/", handle), web::get("/{name}", handle)]);
    web::run_app(app)
}
