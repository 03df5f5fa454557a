//! asyncio's `start_server` and `start_unix_server`, and the `Server` they
//! return: an accept loop per listening socket, a task per connection.

use crate::addrinfo::getaddrinfo;
use crate::open_connection::streams;
use crate::server_options::ServerOptions;
use crate::stream_reader::StreamReader;
use crate::stream_writer::StreamWriter;
use crate::tcp::{TcpListener, TcpStream};
use crate::transport::Transport;
use crate::unix::UnixListener;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;
use tulip_reactor::{create_task, get_running_loop};
use tulip_task::{Exception, ExceptionContext, Task, WakerSet};

/// asyncio waits this long before accepting again when the process is out
/// of file descriptors or memory, instead of spinning on the error.
const ACCEPT_RETRY_DELAY: Duration = Duration::from_secs(1);

struct ServerState {
    addrs: Vec<SocketAddr>,
    /// A Unix server's socket file, and which file it is (device, inode):
    /// removed at close if it is still ours.
    unix_path: Option<(PathBuf, u64, u64)>,
    accepting: RefCell<Vec<Task<()>>>,
    closed: Cell<bool>,
    active: Cell<usize>,
    /// Tasks in `serve_forever` or `wait_closed`.
    waiters: WakerSet,
}

impl ServerState {
    fn wake_all(&self) {
        self.waiters.wake_all();
    }
}

/// A listening server (asyncio's `Server`): it starts serving at once; each
/// connection runs the callback in a task of its own.
pub struct Server {
    state: Rc<ServerState>,
}

/// Listens on `host:port` (port 0 picks one: see [`Server::sockets`]) and
/// runs `client_connected_cb(reader, writer)` in a new task for every
/// connection (asyncio's `start_server`).
///
/// ```
/// use tulip::{open_connection, start_server, EventLoop};
/// let ev = EventLoop::new();
/// ev.run_until_complete(async {
///     let server = start_server(|mut r, mut w| async move {
///         while let Ok(line) = r.readline().await {
///             if line.is_empty() { break }
///             let _ = w.write(&line.to_ascii_uppercase());
///         }
///     }, "127.0.0.1", 0).await.unwrap();
///     let (mut r, mut w) = open_connection("127.0.0.1", server.sockets()[0].port()).await.unwrap();
///     w.write(b"shout\n").unwrap();
///     assert_eq!(r.readline().await.unwrap(), b"SHOUT\n");
///     server.close();
///     w.close();
///     server.wait_closed().await;
/// });
/// ```
pub async fn start_server<F, Fut>(client_connected_cb: F, host: &str, port: u16) -> io::Result<Server>
where
    F: Fn(StreamReader, StreamWriter) -> Fut + 'static,
    Fut: Future<Output = ()> + 'static,
{
    Ok(serve_tcp(client_connected_cb, bind_all(host, port).await?))
}

/// [`start_server`] with socket options (asyncio's `start_server(...,
/// reuse_address=, reuse_port=, backlog=)`). With
/// [`ServerOptions::reuse_port`], each loop of a runtime can start its own
/// server on the same port, and the kernel shares the connections out
/// (examples/echo_per_core.rs).
///
/// ```
/// use tulip::net::{start_server_with, ServerOptions};
/// tulip::run(async {
///     let opts = ServerOptions::new().reuse_port(true);
///     let echo = |mut r: tulip::StreamReader, mut w: tulip::StreamWriter| async move {
///         let line = r.readline().await.unwrap();
///         w.write(&line).unwrap();
///     };
///     let first = start_server_with(echo, "127.0.0.1", 0, opts).await.unwrap();
///     let port = first.sockets()[0].port();
///     // A second server on the same port: SO_REUSEPORT allows it.
///     let second = start_server_with(echo, "127.0.0.1", port, opts).await.unwrap();
///     let (mut r, mut w) = tulip::open_connection("127.0.0.1", port).await.unwrap();
///     w.write(b"ping\n").unwrap();
///     assert_eq!(r.readline().await.unwrap(), b"ping\n");
///     first.close();
///     second.close();
/// });
/// ```
pub async fn start_server_with<F, Fut>(
    client_connected_cb: F,
    host: &str,
    port: u16,
    options: ServerOptions,
) -> io::Result<Server>
where
    F: Fn(StreamReader, StreamWriter) -> Fut + 'static,
    Fut: Future<Output = ()> + 'static,
{
    Ok(serve_tcp(client_connected_cb, bind_all_with(host, port, options).await?))
}

/// A listening socket on every address `host` resolves to.
pub(crate) async fn bind_all(host: &str, port: u16) -> io::Result<Vec<TcpListener>> {
    let mut listeners = Vec::new();
    for addr in getaddrinfo(host, port).await? {
        listeners.push(TcpListener::bind(addr)?);
    }
    Ok(listeners)
}

/// [`bind_all`] with socket options.
pub(crate) async fn bind_all_with(host: &str, port: u16, options: ServerOptions) -> io::Result<Vec<TcpListener>> {
    let mut listeners = Vec::new();
    for addr in getaddrinfo(host, port).await? {
        listeners.push(TcpListener::bind_with(addr, options)?);
    }
    Ok(listeners)
}

/// Like [`start_server`], on a listening socket the caller made (asyncio's
/// `start_server(cb, sock=sock)`): bound, listening, any options set.
///
/// ```
/// tulip::run(async {
///     let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
///     let addr = listener.local_addr().unwrap();
///     let server = tulip::net::start_server_on(|_r, mut w| async move {
///         w.write(b"hello\n").unwrap();
///     }, listener).unwrap();
///     let (mut r, _w) = tulip::open_connection("127.0.0.1", addr.port()).await.unwrap();
///     assert_eq!(r.readline().await.unwrap(), b"hello\n");
///     server.close();
/// });
/// ```
pub fn start_server_on<F, Fut>(client_connected_cb: F, listener: std::net::TcpListener) -> io::Result<Server>
where
    F: Fn(StreamReader, StreamWriter) -> Fut + 'static,
    Fut: Future<Output = ()> + 'static,
{
    Ok(serve_tcp(client_connected_cb, vec![TcpListener::from_std(listener)?]))
}

fn serve_tcp<F, Fut>(client_connected_cb: F, listeners: Vec<TcpListener>) -> Server
where
    F: Fn(StreamReader, StreamWriter) -> Fut + 'static,
    Fut: Future<Output = ()> + 'static,
{
    serve_listeners(client_connected_cb, listeners, |s| Box::pin(std::future::ready(Ok(Transport::Tcp(s)))))
}

/// Serves `listeners`: an accept loop each; every connection becomes a
/// transport through `prepare` (in its own task), then runs the callback.
pub(crate) fn serve_listeners<F, Fut, P>(client_connected_cb: F, listeners: Vec<TcpListener>, prepare: P) -> Server
where
    F: Fn(StreamReader, StreamWriter) -> Fut + 'static,
    Fut: Future<Output = ()> + 'static,
    P: Fn(TcpStream) -> Prepare + 'static,
{
    let addrs = listeners.iter().filter_map(|l| l.local_addr().ok()).collect();
    let state = Rc::new(ServerState {
        addrs,
        unix_path: None,
        accepting: RefCell::new(Vec::new()),
        closed: Cell::new(false),
        active: Cell::new(0),
        waiters: WakerSet::new(),
    });
    let cb = Rc::new(client_connected_cb);
    let prepare = Rc::new(prepare);
    for listener in listeners {
        let (cb, st, prepare) = (cb.clone(), state.clone(), prepare.clone());
        let listener = Rc::new(listener);
        let task = create_task(accept_loop(st, cb, move || {
            let (listener, prepare) = (listener.clone(), prepare.clone());
            async move {
                let (s, _) = listener.accept().await?;
                let _ = s.set_nodelay(true);
                Ok(prepare(s))
            }
        }));
        state.accepting.borrow_mut().push(task);
    }
    Server { state }
}

/// Like [`start_server`], on the Unix socket file `path` (asyncio's
/// `start_unix_server`).
///
/// ```
/// let dir = std::env::temp_dir().join(format!("tulip-doc-sus-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("srv.sock");
/// let _ = std::fs::remove_file(&path);
/// let ev = tulip::EventLoop::new();
/// ev.run_until_complete(async move {
///     let server = tulip::start_unix_server(|_r, _w| async {}, &path).await.unwrap();
///     assert!(server.is_serving());
///     server.close();
/// });
/// ```
pub async fn start_unix_server<F, Fut>(client_connected_cb: F, path: impl AsRef<Path>) -> io::Result<Server>
where
    F: Fn(StreamReader, StreamWriter) -> Fut + 'static,
    Fut: Future<Output = ()> + 'static,
{
    let path = path.as_ref();
    remove_stale_socket(path);
    let listener = Rc::new(UnixListener::bind(path)?);
    let unix_path = std::fs::metadata(path).ok().map(|m| (path.to_path_buf(), m.dev(), m.ino()));
    let state = Rc::new(ServerState {
        addrs: Vec::new(),
        unix_path,
        accepting: RefCell::new(Vec::new()),
        closed: Cell::new(false),
        active: Cell::new(0),
        waiters: WakerSet::new(),
    });
    let cb = Rc::new(client_connected_cb);
    let st = state.clone();
    let task = create_task(accept_loop(st, cb, move || {
        let listener = listener.clone();
        async move {
            let (s, _) = listener.accept().await?;
            Ok(Box::pin(std::future::ready(Ok(Transport::Unix(s)))) as Prepare)
        }
    }));
    state.accepting.borrow_mut().push(task);
    Ok(Server { state })
}

/// asyncio removes a socket file left at `path` by an earlier server before
/// binding (only a socket: any other file stays, and bind reports it).
fn remove_stale_socket(path: &Path) {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_socket()) {
        let _ = std::fs::remove_file(path);
    }
}

/// Connections accepted per readiness before the accept loop yields to the
/// other tasks (asyncio's `backlog` default: it accepts that many per
/// selector event).
const ACCEPT_BATCH: usize = 100;

/// What an accept error means for the server.
enum AcceptError {
    /// That client is gone (reset or aborted before it was accepted, or a
    /// network error the kernel passes on through `accept`): skip it.
    Client,
    /// Out of file descriptors, memory or buffers: retry later rather than spin.
    Exhausted,
    /// Anything else (the listening socket itself is broken): report it and
    /// back off, so a persistent error cannot freeze the loop.
    Listener,
}

fn classify(e: &io::Error) -> AcceptError {
    match e.raw_os_error() {
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM) => AcceptError::Exhausted,
        Some(
            libc::ECONNABORTED
            | libc::ECONNRESET
            | libc::EPROTO
            | libc::ENOPROTOOPT
            | libc::EHOSTDOWN
            | libc::EHOSTUNREACH
            | libc::ENETDOWN
            | libc::ENETUNREACH
            | libc::EOPNOTSUPP
            | libc::EPERM
            | libc::EINTR,
        ) => AcceptError::Client,
        #[cfg(target_os = "linux")]
        Some(libc::ENONET) => AcceptError::Client,
        _ => AcceptError::Listener,
    }
}

fn report_accept_error(message: String, e: io::Error) {
    get_running_loop().call_exception_handler(ExceptionContext {
        message,
        exception: Some(Exception::new(e)),
        task: None,
        source: None,
    });
}

/// A connection just accepted, and how to make it a transport: at once for
/// plain sockets, after a TLS handshake (in the connection's own task, so a
/// slow handshake holds up nobody) for TLS servers.
pub(crate) type Prepare = Pin<Box<dyn Future<Output = io::Result<Transport>>>>;

async fn accept_loop<F, Fut, A, AF>(state: Rc<ServerState>, cb: Rc<F>, mut accept: A)
where
    F: Fn(StreamReader, StreamWriter) -> Fut + 'static,
    Fut: Future<Output = ()> + 'static,
    A: FnMut() -> AF,
    AF: Future<Output = io::Result<Prepare>>,
{
    let mut batch = 0;
    loop {
        if batch == ACCEPT_BATCH {
            // Fair to the other tasks: a listener that always has a
            // connection waiting (or always fails) must not hold the loop.
            batch = 0;
            tulip_timer::sleep(Duration::ZERO).await;
        }
        batch += 1;
        match accept().await {
            Ok(prepare) => {
                let (st, cb) = (state.clone(), cb.clone());
                st.active.set(st.active.get() + 1);
                create_task(async move {
                    let _done = ConnectionDone(st);
                    match prepare.await {
                        Ok(transport) => {
                            let (r, w) = streams(transport);
                            cb(r, w).await;
                        }
                        Err(e) => report_accept_error("the connection's set-up failed (a TLS handshake?)".into(), e),
                    }
                })
                .detach();
            }
            Err(e) => match classify(&e) {
                AcceptError::Client => {}
                AcceptError::Exhausted => {
                    report_accept_error(
                        format!("socket.accept() out of system resource; retrying in {ACCEPT_RETRY_DELAY:?}"),
                        e,
                    );
                    tulip_timer::sleep(ACCEPT_RETRY_DELAY).await;
                }
                AcceptError::Listener => {
                    report_accept_error(format!("socket.accept() failed; retrying in {ACCEPT_RETRY_DELAY:?}"), e);
                    tulip_timer::sleep(ACCEPT_RETRY_DELAY).await;
                }
            },
        }
    }
}

struct ConnectionDone(Rc<ServerState>);

impl Drop for ConnectionDone {
    fn drop(&mut self) {
        self.0.active.set(self.0.active.get().saturating_sub(1));
        self.0.wake_all();
    }
}

impl Server {
    /// The addresses it listens on (asyncio's `server.sockets`).
    pub fn sockets(&self) -> Vec<SocketAddr> {
        self.state.addrs.clone()
    }

    /// True until [`close`](Self::close).
    pub fn is_serving(&self) -> bool {
        !self.state.closed.get()
    }

    /// Stops listening (connections already accepted go on).
    pub fn close(&self) {
        self.state.closed.set(true);
        let accepting = std::mem::take(&mut *self.state.accepting.borrow_mut());
        for task in accepting {
            task.cancel();
        }
        // asyncio removes a Unix server's socket file when it closes (if
        // the file is still the one it bound).
        if let Some((path, dev, ino)) = &self.state.unix_path {
            if std::fs::metadata(path).is_ok_and(|m| m.dev() == *dev && m.ino() == *ino) {
                let _ = std::fs::remove_file(path);
            }
        }
        self.state.wake_all();
    }

    /// Waits until [`close`](Self::close) is called (asyncio's `serve_forever`).
    pub async fn serve_forever(&self) {
        let st = &*self.state;
        st.waiters.wait_until(|| st.closed.get().then_some(())).await
    }

    /// Waits until the server is closed and every connection handler has
    /// returned (asyncio 3.12's `wait_closed`).
    pub async fn wait_closed(&self) {
        let st = &*self.state;
        st.waiters.wait_until(|| (st.closed.get() && st.active.get() == 0).then_some(())).await
    }
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server").field("sockets", &self.state.addrs).field("serving", &self.is_serving()).finish()
    }
}
