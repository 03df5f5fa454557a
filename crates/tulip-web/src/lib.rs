//! # tulip-web — aiohttp.web on the tulip event loop
//!
//! aiohttp's server side, in Rust: an [`Application`] with a router,
//! typed state, middlewares and lifecycle hooks; [`Request`] and
//! [`Response`]; [`run_app`], [`AppRunner`] and its sites; test support.
//! hyper 1.x does all the HTTP/1.1 framing (through `tulip-hyper`); this
//! crate sets its limits and adds what hyper leaves to a server (see
//! *Hardening*). Used through the facade as `tulip::web` (cargo feature
//! `web`, on by default), or alone as `tulip_web`.
//!
//! aiohttp's seed program, and its twin:
//!
//! ```no_run
//! use tulip::web::{self, Request, Response};
//!
//! async fn handle(request: Request) -> Response {
//!     let name = request.match_info().get("name").unwrap_or("Anonymous");
//!     let text = format!("Hello, {name}");
//!     Response::text(text)
//! }
//!
//! let mut app = web::Application::new();
//! app.add_routes([web::get("/", handle), web::get("/{name}", handle)]);
//! web::run_app(app).unwrap();
//! ```
//!
//! The same application under test, on one loop:
//!
//! ```
//! use tulip::web::{self, Request, Response, TestClient};
//!
//! async fn handle(request: Request) -> Response {
//!     let name = request.match_info().get("name").unwrap_or("Anonymous");
//!     Response::text(format!("Hello, {name}"))
//! }
//!
//! let mut app = web::Application::new();
//! app.add_routes([web::get("/", handle), web::get("/{name}", handle)]);
//! tulip::run(async {
//!     let client = TestClient::start(app).await.unwrap();
//!     assert_eq!(client.get("/").await.unwrap().text(), "Hello, Anonymous");
//!     assert_eq!(client.get("/bob").await.unwrap().text(), "Hello, bob");
//!     let missing = client.get("/a/b").await.unwrap();
//!     assert_eq!((missing.status().as_u16(), missing.text()), (404, "404: Not Found".into()));
//!     client.close().await;
//! });
//! ```
//!
//! ## Testing on a virtual clock
//!
//! [`TestServer::start`] and [`TestClient::start`] serve on a loopback
//! port, as aiohttp's do (curl or Python can be pointed at
//! [`TestServer::make_url`]). [`TestServer::in_memory`] and
//! [`TestClient::in_memory`] use no socket: each connection is a
//! [`tulip::net::duplex`](tulip_net::duplex) pipe served by
//! [`AppRunner::serve_connection`], with the same limits. Nothing then
//! waits on the OS, so a loop built with
//! `tulip::EventLoop::builder().virtual_clock()` jumps over a handler's
//! hour of `sleep`, the server's 75 s keep-alive and 10 s header timeouts,
//! and a client's `wait_for`, in milliseconds of real time; on a port it
//! would wait them out. [`TestServer::connector`] hands the pipes to a
//! `tulip::http::ClientSession` (through `TcpConnector::builder()
//! .connect_with`), so tests can use the real client API.
//!
//! ## aiohttp → tulip
//!
//! | aiohttp.web | tulip::web |
//! |---|---|
//! | `web.Application()`, `app[key] = v`, `web.AppKey` | [`Application::new`], [`Application::insert`], [`AppKey`]; `request.app().get(&KEY)` |
//! | `app.add_routes([web.get(p, h), web.post(..), web.route("*", ..)])` | [`Application::add_routes`] with [`get`], [`post`], [`put`], [`patch`], [`delete`], [`head`], [`route`] |
//! | `{name}`, `{tail:.*}`, `name=`, `url_for` | the same patterns; [`RouteDef::name`], [`Router::url_for`] |
//! | `app.router.add_static(prefix, path)` | [`Router::add_static`] |
//! | `app.add_subapp("/admin/", sub)`, `add_domain` | [`Application::add_subapp`], [`Application::add_domain`] |
//! | `request.config_dict[key]` (`ChainMapProxy`) | [`Request::config_dict`]`.get(&KEY)`, [`ConfigDict`] |
//! | `request.match_info`, `.query`, `.headers`, `.cookies`, `.remote`, `.path` | [`Request::match_info`], [`Request::query`], [`Request::headers`], [`Request::cookies`], [`Request::remote`], [`Request::path`] |
//! | `await request.read()`, `text()`, `json()`, `post()`, `request.content` | [`Request::read`], [`Request::text`], [`Request::json`], [`Request::post`] ([`PostData`], [`FileField`]), [`Request::content`] |
//! | `await request.multipart()`, `reader.next()`, `part.read_chunk()` | [`Request::multipart`], [`MultipartReader::next`], [`BodyPart::read_chunk`] |
//! | `web.Response(text=..)`, `body=`, `status=`, `json_response` | [`Response::text`], [`Response::body`], [`Response::with_status`], [`json_response`] |
//! | `resp.set_cookie`, `del_cookie` | [`Response::set_cookie`], [`Response::del_cookie`] |
//! | `web.StreamResponse`: `prepare`, `write`, `write_eof` | [`StreamResponse`] |
//! | `web.FileResponse(path)` | [`FileResponse`] |
//! | `web.WebSocketResponse(protocols=, heartbeat=, max_msg_size=)`, `await ws.prepare(request)`, `async for msg in ws` (feature `ws`) | `WebSocketResponse::new().with_protocols(..)`, `ws.prepare(&request).await?`, `while let Some(msg) = ws.next().await` |
//! | `raise web.HTTPNotFound()`, `HTTPFound(loc)` | `return Err(`[`HTTPException::not_found`]`())`, [`HTTPException::found`] |
//! | `@web.middleware async def mw(request, handler)` | [`Application::add_middleware`]`(|req, next: `[`Next`]`| ..)` |
//! | `on_startup`, `on_shutdown`, `on_cleanup`, `cleanup_ctx` | the same names on [`Application`] |
//! | `web.run_app(app, host=, port=, path=)` | [`run_app`], [`RunApp`] |
//! | one process per core (gunicorn's workers), `reuse_port=True` | `RunApp::per_core(make_app).workers(n)` (feature `runtime`), [`TCPSite::reuse_port`] |
//! | `AppRunner`, `TCPSite`, `UnixSite` | [`AppRunner`], [`TCPSite`], [`UnixSite`] |
//! | `aiohttp.test_utils.TestServer`, `TestClient` | [`TestServer`], [`TestClient`] (on a port, or [`TestClient::in_memory`]) |
//!
//! ## Hardening
//!
//! * A request head over 16 KiB is answered 431; one still incomplete 10 s
//!   after its first byte (or a new connection silent for 10 s) is closed
//!   (slowloris); an idle kept-alive connection closes after 75 s.
//! * At most 1024 connections at once ([`AppRunner::with_max_connections`]):
//!   at the cap, accepting pauses.
//! * Request smuggling: `Content-Length` with `Transfer-Encoding`, two
//!   `Content-Length`s or two `Transfer-Encoding`s, and an HTTP/1.1
//!   request without (or with two) `Host` are answered 400 and the
//!   connection closed; hyper itself refuses obsolete line folding, bare
//!   CR, and broken chunked framing (a handler reading such a body gets a
//!   400 to return).
//! * A handler that panics is answered 500 and reported to the loop's
//!   exception handler ("Error handling request"); the server goes on.
//! * A client that disconnects cancels its handler, as in aiohttp: hyper
//!   drops the request's future, so the handler stops at its next await
//!   (its destructors run). A `StreamResponse` whose client left gets an
//!   error from `write`.
//!
//! WebSockets (feature `ws`): [`WebSocketResponse`], over tulip-ws.
//!
//! Not here (yet): HTTP/2, byte ranges of files.

mod access_log;
mod app;
mod body;
mod config_dict;
mod conn;
mod conn_timer;
mod domain;
mod exceptions;
mod file;
mod middleware;
mod multipart;
mod pattern;
mod reply;
mod req_body;
mod request;
mod response;
mod route_def;
mod router;
mod run_app;
#[cfg(feature = "runtime")]
mod run_app_per_core;
mod runner;
mod server;
mod stream;
mod subapp;
mod tasks;
mod test_client;
mod test_utils;
mod urlenc;
#[cfg(feature = "ws")]
mod ws;

pub use access_log::AccessLog;
pub use app::{AppKey, Application, HookError};
pub use body::{BodyAborted, ResBody};
pub use config_dict::ConfigDict;
pub use cookie::Cookie;
pub use exceptions::HTTPException;
pub use file::FileResponse;
pub use middleware::{Handler, Middleware, Next};
pub use multipart::{BodyPart, FileField, MultipartReader, PostData};
pub use request::{BodyStream, MatchInfo, MultiDict, Request};
pub use response::{json_response, IntoResponse, Response, Result};
pub use router::{delete, get, head, patch, post, put, route, Resource, RouteDef, RouteError, Router};
pub use run_app::{run_app, OneApp, RunApp};
#[cfg(feature = "runtime")]
pub use run_app_per_core::{run_app_per_core, PerCore, StopHandle, Workers};
pub use runner::{AppRunner, TCPSite, UnixSite, WebError};
pub use stream::{ConnectionResetError, StreamResponse};
pub use test_client::{TestClient, TestClientError, TestResponse};
pub use test_utils::{TestConnector, TestServer};
#[cfg(feature = "ws")]
#[doc(hidden)]
pub use ws::__doc as __ws_doc;
#[cfg(feature = "ws")]
pub use ws::{
    ws_accept_key, ws_check_response, ws_new_key, ws_server_handshake, BoxIo, Role, WSCloseCode, WSMessage, WSMsgType,
    WeakWebSocket, WebSocket, WebSocketError, WebSocketResponse, WsConfig, WsIo,
};
