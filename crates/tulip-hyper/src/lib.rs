//! hyper 1.x on the tulip event loop.
//!
//! hyper parses and writes HTTP; it leaves three things to the runtime,
//! and this crate gives them from tulip:
//!
//! * [`HyperIo`]: hyper's `rt::Read`/`rt::Write` over any futures-io
//!   stream (tulip's `TcpStream`, `UnixStream`, `TlsStream`), and
//!   [`FuturesIo`] the other way round (for a connection hyper hands back,
//!   such as an upgraded one). [`SocketIo`] is the same for tulip's own
//!   TCP and Unix streams, reading into hyper's buffer without zeroing it
//!   first (a futures-io read cannot); [`poll_read_observed`] hooks a
//!   look at what is read.
//! * [`LocalExec`]: hyper's `rt::Executor` spawning onto the running loop,
//!   so connection futures may be `!Send` (hyper's `single_threaded`
//!   shape). HTTP/2 spawns its stream tasks here.
//! * [`LoopTimer`]: hyper's `rt::Timer` on the loop's own timer queue and
//!   clock, so a virtual clock drives hyper's timeouts too. Its sleeps are
//!   genuinely `Send + Sync` (they hold a key and a deadline, never the
//!   loop's `Rc`).
//!
//! `tulip-http` (the client) and `tulip-web` (the server) are built on
//! these. Used alone, a hyper server and client on one loop:
//!
//! ```
//! use bytes::Bytes;
//! use http_body_util::{BodyExt, Full};
//! use hyper::{Request, Response};
//! use tulip_hyper::{HyperIo, LocalExec};
//!
//! tulip::run(async {
//!     let listener = tulip::TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
//!     let addr = listener.local_addr().unwrap();
//!     tulip::create_task(async move {
//!         let (tcp, _) = listener.accept().await.unwrap();
//!         let hello = hyper::service::service_fn(|_req: Request<hyper::body::Incoming>| async {
//!             Ok::<_, std::convert::Infallible>(Response::new(Full::new(Bytes::from("Hello, Anonymous"))))
//!         });
//!         hyper::server::conn::http1::Builder::new()
//!             .serve_connection(HyperIo::new(tcp), hello)
//!             .await
//!             .unwrap();
//!     });
//!     let tcp = tulip::TcpStream::connect(addr).await.unwrap();
//!     let (mut sender, conn) = hyper::client::conn::http1::handshake(HyperIo::new(tcp)).await.unwrap();
//!     tulip::create_task(conn);
//!     let req = Request::get("/").header("host", "localhost").body(Full::new(Bytes::new())).unwrap();
//!     let res = sender.send_request(req).await.unwrap();
//!     let body = res.into_body().collect().await.unwrap().to_bytes();
//!     assert_eq!(body, "Hello, Anonymous");
//!     let _ = LocalExec; // HTTP/2's builders take it: `http2::Builder::new(LocalExec)`
//! });
//! ```

mod exec;
mod io;
mod socket_io;
mod timer;

pub use exec::LocalExec;
pub use io::{FuturesIo, HyperIo};
pub use socket_io::{poll_read_observed, Socket, SocketIo};
pub use timer::{LoopSleep, LoopTimer};
