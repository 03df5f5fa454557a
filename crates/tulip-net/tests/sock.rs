//! asyncio's low-level `loop.sock_*` calls on sockets the caller owns,
//! against std and tokio peers.
#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;
use tulip::LoopSockets;
use tulip::{create_task, get_running_loop, EventLoop};

/// The tests of this file run one at a time, so the fd count one of them
/// takes is not disturbed by the others.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn nonblocking_tcp() -> socket2::Socket {
    let s = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    s.set_nonblocking(true).unwrap();
    s
}

/// A tokio echo server on its own thread; returns its address.
fn tokio_echo_server() -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            // One connection, echoed until EOF, then the thread ends.
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = vec![0; 64 * 1024];
            loop {
                let n = s.read(&mut buf).await.unwrap_or(0);
                if n == 0 || s.write_all(&buf[..n]).await.is_err() {
                    break;
                }
            }
        });
    });
    rx.recv_timeout(Duration::from_secs(10)).unwrap()
}

#[test]
fn sock_connect_sendall_recv_against_a_tokio_echo_server() {
    let _serial = serial();
    let addr = tokio_echo_server();
    EventLoop::new().run_until_complete(async move {
        let lp = get_running_loop();
        let sock = nonblocking_tcp();
        lp.sock_connect(&sock, addr).await.unwrap();
        // 4 MiB: more than the socket buffers hold, so both directions wait.
        let payload: Vec<u8> = (0..4 << 20).map(|i: u32| (i % 251) as u8).collect();
        let mut back = Vec::new();
        let sender = {
            let (lp, sock, payload) = (lp.clone(), sock.try_clone().unwrap(), payload.clone());
            create_task(async move {
                lp.sock_sendall(&sock, &payload).await.unwrap();
                sock.shutdown(Shutdown::Write).unwrap();
            })
        };
        loop {
            let chunk = lp.sock_recv(&sock, 64 * 1024).await.unwrap();
            if chunk.is_empty() {
                break;
            }
            back.extend_from_slice(&chunk);
        }
        sender.await.unwrap();
        assert!(back == payload, "echoed {} of {} bytes", back.len(), payload.len());
    });
}

#[test]
fn concurrent_recv_and_sendall_on_one_socket() {
    let _serial = serial();
    EventLoop::new().run_until_complete(async {
        let lp = get_running_loop();
        let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
        a.set_nonblocking(true).unwrap();
        b.set_nonblocking(true).unwrap();
        let a = std::rc::Rc::new(a);
        // A receiver waits on `a` while a sender on the same fd also waits.
        let receiver = {
            let (lp, a) = (lp.clone(), a.clone());
            create_task(async move { lp.sock_recv(&*a, 16).await.unwrap() })
        };
        let sender = {
            let (lp, a) = (lp.clone(), a.clone());
            create_task(async move { lp.sock_sendall(&*a, &vec![1; 8 << 20]).await.unwrap() })
        };
        lp.sock_sendall(&b, b"to a").await.unwrap();
        assert_eq!(receiver.await.unwrap(), b"to a");
        let mut got = 0;
        while got < 8 << 20 {
            let chunk = lp.sock_recv(&b, 1 << 16).await.unwrap();
            assert!(!chunk.is_empty());
            got += chunk.len();
        }
        sender.await.unwrap();
    });
}

#[test]
fn sock_connect_refused_is_an_error_value() {
    let _serial = serial();
    let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    EventLoop::new().run_until_complete(async move {
        let sock = nonblocking_tcp();
        let e = get_running_loop().sock_connect(&sock, addr).await.unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused, "{e:?}");
    });
}

#[test]
fn sock_accept_then_recv_until_the_std_client_closes() {
    let _serial = serial();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let client = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.write_all(b"line one\n").unwrap();
        let mut reply = [0; 3];
        s.read_exact(&mut reply).unwrap();
        reply
    });
    EventLoop::new().run_until_complete(async move {
        let lp = get_running_loop();
        let (conn, _) = lp.sock_accept(&listener).await.unwrap();
        let mut buf = [0; 9];
        let mut got = 0;
        while got < buf.len() {
            got += lp.sock_recv_into(&conn, &mut buf[got..]).await.unwrap();
        }
        assert_eq!(&buf, b"line one\n");
        lp.sock_sendall(&conn, b"ok!").await.unwrap();
        // The client closes after reading: then recv answers end of stream.
        assert!(lp.sock_recv(&conn, 16).await.unwrap().is_empty());
    });
    assert_eq!(&client.join().unwrap(), b"ok!");
}

#[test]
fn sock_recvfrom_waits_for_a_datagram_from_a_thread() {
    let _serial = serial();
    let b = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    b.set_nonblocking(true).unwrap();
    let to = b.local_addr().unwrap();
    let sender = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        let a = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        a.send_to(b"dgram", to).unwrap();
        a.local_addr().unwrap()
    });
    let (data, from) = EventLoop::new().run_until_complete(async move {
        let lp = get_running_loop();
        let got = lp.sock_recvfrom(&b, 3).await.unwrap();
        lp.sock_sendto(&b, b"reply", got.1).await.unwrap();
        got
    });
    // A datagram longer than the buffer is truncated, as with recvfrom(2).
    assert_eq!(data, b"dgr");
    assert_eq!(from, sender.join().unwrap());
}

#[test]
fn a_blocking_socket_is_refused_in_debug_mode() {
    let _serial = serial();
    let ev = EventLoop::new();
    ev.set_debug(true);
    let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
    let lp = ev.handle();
    let e = ev.run_until_complete(async move { lp.sock_recv(&a, 1).await.unwrap_err() });
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map(|d| d.count()).unwrap_or(0)
}

#[test]
fn waiting_calls_leave_no_fd_or_registration_behind() {
    let _serial = serial();
    let ev = EventLoop::new();
    let lp = ev.handle();
    let start = open_fds();
    let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    a.set_nonblocking(true).unwrap();
    b.set_nonblocking(true).unwrap();
    ev.run_until_complete(async move {
        for i in 0..500u32 {
            // The receive waits (nothing sent yet), so it registers a dup.
            let recv = {
                let (lp, b) = (lp.clone(), b.try_clone().unwrap());
                create_task(async move { lp.sock_recv(&b, 4).await.unwrap() })
            };
            tulip_timer::sleep(Duration::ZERO).await;
            lp.sock_sendall(&a, &i.to_le_bytes()).await.unwrap();
            assert_eq!(recv.await.unwrap(), i.to_le_bytes());
        }
    });
    if start > 0 {
        assert_eq!(open_fds(), start);
    }
}

#[test]
fn sock_recvfrom_returns_at_most_n_bytes() {
    let _serial = serial();
    let ev = EventLoop::new();
    let lp = ev.handle();
    let a = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let b = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    a.set_nonblocking(true).unwrap();
    b.set_nonblocking(true).unwrap();
    let to = b.local_addr().unwrap();
    let data = ev.run_until_complete(async move {
        lp.sock_sendto(&a, b"0123456789", to).await.unwrap();
        lp.sock_recvfrom(&b, 3).await.unwrap().0
    });
    assert_eq!(data, b"012");
}
