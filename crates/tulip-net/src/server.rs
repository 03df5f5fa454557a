//! asyncio's `start_server` and `start_unix_server`, and the `Server` they
//! return: an accept loop per listening socket, a task per connection.

use crate::addrinfo::getaddrinfo;
use crate::open_connection::streams;
use crate::stream_reader::StreamReader;
use crate::stream_writer::StreamWriter;
use crate::tcp::TcpListener;
use crate::transport::Transport;
use crate::unix::UnixListener;
use std::cell::{Cell, RefCell};
use std::future::{poll_fn, Future};
use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::rc::Rc;
use std::task::{Poll, Waker};
use std::time::Duration;
use tulip_reactor::{create_task, get_running_loop};
use tulip_task::{Exception, ExceptionContext, Task};

/// asyncio waits this long before accepting again when the process is out
/// of file descriptors or memory, instead of spinning on the error.
const ACCEPT_RETRY_DELAY: Duration = Duration::from_secs(1);

struct ServerState {
    addrs: Vec<SocketAddr>,
    accepting: RefCell<Vec<Task<()>>>,
    closed: Cell<bool>,
    active: Cell<usize>,
    waiters: RefCell<Vec<Waker>>,
}

impl ServerState {
    fn wake_all(&self) {
        for w in self.waiters.borrow_mut().drain(..) {
            w.wake();
        }
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
    let mut listeners = Vec::new();
    for addr in getaddrinfo(host, port).await? {
        listeners.push(TcpListener::bind(addr)?);
    }
    let addrs = listeners.iter().filter_map(|l| l.local_addr().ok()).collect();
    let state = Rc::new(ServerState {
        addrs,
        accepting: RefCell::new(Vec::new()),
        closed: Cell::new(false),
        active: Cell::new(0),
        waiters: RefCell::new(Vec::new()),
    });
    let cb = Rc::new(client_connected_cb);
    for listener in listeners {
        let (cb, st) = (cb.clone(), state.clone());
        let listener = Rc::new(listener);
        let task = create_task(accept_loop(st, cb, move || {
            let listener = listener.clone();
            async move {
                let (s, _) = listener.accept().await?;
                let _ = s.set_nodelay(true);
                Ok(Transport::Tcp(s))
            }
        }));
        state.accepting.borrow_mut().push(task);
    }
    Ok(Server { state })
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
    let listener = Rc::new(UnixListener::bind(path)?);
    let state = Rc::new(ServerState {
        addrs: Vec::new(),
        accepting: RefCell::new(Vec::new()),
        closed: Cell::new(false),
        active: Cell::new(0),
        waiters: RefCell::new(Vec::new()),
    });
    let cb = Rc::new(client_connected_cb);
    let st = state.clone();
    let task = create_task(accept_loop(st, cb, move || {
        let listener = listener.clone();
        async move { Ok(Transport::Unix(listener.accept().await?.0)) }
    }));
    state.accepting.borrow_mut().push(task);
    Ok(Server { state })
}

/// Out of file descriptors, memory or buffers: retry later rather than spin.
fn resources_exhausted(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM))
}

async fn accept_loop<F, Fut, A, AF>(state: Rc<ServerState>, cb: Rc<F>, mut accept: A)
where
    F: Fn(StreamReader, StreamWriter) -> Fut + 'static,
    Fut: Future<Output = ()> + 'static,
    A: FnMut() -> AF,
    AF: Future<Output = io::Result<Transport>>,
{
    loop {
        match accept().await {
            Ok(transport) => {
                let (r, w) = streams(transport);
                let fut = cb(r, w);
                let st = state.clone();
                st.active.set(st.active.get() + 1);
                create_task(async move {
                    let _done = ConnectionDone(st);
                    fut.await;
                })
                .detach();
            }
            Err(e) if resources_exhausted(&e) => {
                get_running_loop().call_exception_handler(ExceptionContext {
                    message: format!("socket.accept() out of system resource; retrying in {ACCEPT_RETRY_DELAY:?}"),
                    exception: Some(Exception::new(e)),
                    task: None,
                    source: None,
                });
                tulip_timer::sleep(ACCEPT_RETRY_DELAY).await;
            }
            // A connection reset before it was accepted, and the like:
            // that client is gone, the server is not.
            Err(_) => {}
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
        for task in self.state.accepting.borrow_mut().drain(..) {
            task.cancel();
        }
        self.state.wake_all();
    }

    /// Waits until [`close`](Self::close) is called (asyncio's `serve_forever`).
    pub async fn serve_forever(&self) {
        let st = self.state.clone();
        poll_fn(|cx| {
            if st.closed.get() {
                return Poll::Ready(());
            }
            st.waiters.borrow_mut().push(cx.waker().clone());
            Poll::Pending
        })
        .await
    }

    /// Waits until the server is closed and every connection handler has
    /// returned (asyncio 3.12's `wait_closed`).
    pub async fn wait_closed(&self) {
        let st = self.state.clone();
        poll_fn(|cx| {
            if st.closed.get() && st.active.get() == 0 {
                return Poll::Ready(());
            }
            st.waiters.borrow_mut().push(cx.waker().clone());
            Poll::Pending
        })
        .await
    }
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server").field("sockets", &self.state.addrs).field("serving", &self.is_serving()).finish()
    }
}
