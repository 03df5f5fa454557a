//! Several tasks waiting on one socket: every waiter is woken in turn, none
//! is forgotten (an I/O source used to keep one waker per direction).
#![allow(clippy::unwrap_used)]

use std::rc::Rc;
use std::time::Duration;
use tulip::{create_task, timeout, EventLoop, TcpListener, TcpStream, UdpSocket};

#[test]
fn two_tasks_receiving_on_one_udp_socket_both_get_a_datagram() {
    EventLoop::new().run_until_complete(async {
        let rx = Rc::new(UdpSocket::bind("127.0.0.1:0".parse().unwrap()).unwrap());
        let to = rx.local_addr().unwrap();
        let receivers: Vec<_> = (0..2)
            .map(|_| {
                let rx = rx.clone();
                create_task(async move {
                    let mut buf = [0u8; 16];
                    let (n, _) = rx.recv_from(&mut buf).await.unwrap();
                    buf[..n].to_vec()
                })
            })
            .collect();
        // Let both receivers start waiting before anything arrives.
        tulip::sleep(Duration::from_millis(10)).await;
        let tx = UdpSocket::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        tx.send_to(b"one", to).await.unwrap();
        tx.send_to(b"two", to).await.unwrap();
        let mut got = Vec::new();
        for r in receivers {
            got.push(timeout(Duration::from_secs(5), r).await.expect("a waiter was forgotten").unwrap());
        }
        got.sort();
        assert_eq!(got, [b"one".to_vec(), b"two".to_vec()]);
    });
}

#[test]
fn two_tasks_accepting_on_one_listener_both_get_a_connection() {
    EventLoop::new().run_until_complete(async {
        let listener = Rc::new(TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap());
        let addr = listener.local_addr().unwrap();
        let acceptors: Vec<_> = (0..2)
            .map(|_| {
                let l = listener.clone();
                create_task(async move { l.accept().await.unwrap().1 })
            })
            .collect();
        tulip::sleep(Duration::from_millis(10)).await;
        let a = TcpStream::connect(addr).await.unwrap();
        let b = TcpStream::connect(addr).await.unwrap();
        let mut peers = Vec::new();
        for t in acceptors {
            peers.push(timeout(Duration::from_secs(5), t).await.expect("an acceptor was forgotten").unwrap());
        }
        peers.sort();
        let mut expected = vec![a.local_addr().unwrap(), b.local_addr().unwrap()];
        expected.sort();
        assert_eq!(peers, expected);
    });
}

#[test]
fn a_dropped_waiter_leaves_nothing_behind_and_the_next_one_is_woken() {
    EventLoop::new().run_until_complete(async {
        let rx = UdpSocket::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let to = rx.local_addr().unwrap();
        // Many receives given up at once: their entries must go with them.
        for _ in 0..10_000 {
            let mut buf = [0u8; 4];
            let _ = timeout(Duration::ZERO, rx.recv_from(&mut buf)).await;
        }
        let tx = UdpSocket::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        tx.send_to(b"hi", to).await.unwrap();
        let mut buf = [0u8; 4];
        let (n, _) = timeout(Duration::from_secs(5), rx.recv_from(&mut buf)).await.unwrap().unwrap();
        assert_eq!(&buf[..n], b"hi");
    });
}
