//! StreamReader: cancellation at every await point loses and duplicates
//! nothing, and a limit overrun leaves the reader usable, as in CPython 3.11.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use std::future::Future;
use std::io::Write;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tulip::{StreamError, StreamReader};

/// A reader over one end of a pipe, and the std writer of the other end.
fn pipe_reader() -> (StreamReader, std::io::PipeWriter) {
    let (rx, tx) = std::io::pipe().unwrap();
    (StreamReader::from_pipe(rx.into()).unwrap(), tx)
}

#[test]
fn a_cancelled_read_leaves_no_zeros_in_the_stream() {
    tulip::run(async {
        let (mut r, mut tx) = pipe_reader();
        // Nothing to read: the read is cancelled by its timeout.
        assert!(tulip::timeout(Duration::from_millis(5), r.read(10)).await.is_err());
        tx.write_all(b"hello\n").unwrap();
        assert_eq!(r.read(10).await.unwrap(), b"hello\n");
    });
}

#[test]
fn readline_after_an_overrun_goes_on_with_the_next_line() {
    tulip::run(async {
        let (mut r, mut tx) = pipe_reader();
        r.set_limit(8);
        tx.write_all(b"this line is far too long\nshort\n").unwrap();
        drop(tx);
        // The asyncio idiom: on LimitOverrunError, continue.
        let mut lines = Vec::new();
        for _ in 0..10 {
            match r.readline().await {
                Ok(line) if line.is_empty() => break,
                Ok(line) => lines.push(line),
                Err(StreamError::LimitOverrun(_)) => continue,
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(lines, [b"short\n".to_vec()]);
    });
}

#[test]
fn readuntil_keeps_the_data_after_an_overrun() {
    tulip::run(async {
        let (mut r, mut tx) = pipe_reader();
        r.set_limit(4);
        tx.write_all(b"abcdefgh|rest").unwrap();
        drop(tx);
        match r.readuntil(b"|").await {
            Err(StreamError::LimitOverrun(e)) => assert_eq!((e.consumed, e.found), (8, true)),
            other => panic!("{other:?}"),
        }
        assert_eq!(r.read_to_eof().await.unwrap(), b"abcdefgh|rest");
    });
}

/// One read method, as the model sees it.
#[derive(Debug, Clone)]
enum Read {
    Some(usize),
    Into(usize),
    Exactly(usize),
    Line,
    Until(u8),
}

fn read() -> impl Strategy<Value = Read> {
    prop_oneof![
        (1..300usize).prop_map(Read::Some),
        (1..300usize).prop_map(Read::Into),
        (0..300usize).prop_map(Read::Exactly),
        Just(Read::Line),
        (b'a'..=b'e').prop_map(Read::Until),
    ]
}

/// Polls `fut` at most `polls` times (yielding to the loop in between), then
/// gives up on it: the cancellation point is the `polls`-th await.
struct Cancel<F> {
    fut: Pin<Box<F>>,
    polls: usize,
}

impl<F: Future> Future for Cancel<F> {
    type Output = Option<F::Output>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.polls == 0 {
            return Poll::Ready(None);
        }
        self.polls -= 1;
        match self.fut.as_mut().poll(cx) {
            Poll::Ready(v) => Poll::Ready(Some(v)),
            Poll::Pending => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }
}

/// Runs one read method, cancelled after `polls` polls; the bytes it
/// consumed (returned, or carried by its error) go to `got`.
async fn run_one(r: &mut StreamReader, op: &Read, polls: usize, got: &mut Vec<u8>) -> bool {
    let mut take = |res: Result<Vec<u8>, StreamError>| match res {
        Ok(bytes) => got.extend(bytes),
        Err(StreamError::IncompleteRead(e)) => got.extend(e.partial),
        Err(e) => panic!("{e}"),
    };
    match op {
        Read::Some(n) => {
            let n = *n;
            match (Cancel { fut: Box::pin(r.read(n)), polls }).await {
                Some(res) => take(res.map_err(StreamError::from)),
                None => return false,
            }
        }
        Read::Into(n) => {
            let mut out = vec![0u8; *n];
            let done = (Cancel { fut: Box::pin(r.read_into(&mut out)), polls }).await;
            match done {
                Some(k) => got.extend(&out[..k.unwrap()]),
                None => return false,
            }
        }
        Read::Exactly(n) => match (Cancel { fut: Box::pin(r.readexactly(*n)), polls }).await {
            Some(res) => take(res),
            None => return false,
        },
        Read::Line => match (Cancel { fut: Box::pin(r.readline()), polls }).await {
            Some(res) => take(res),
            None => return false,
        },
        Read::Until(sep) => match (Cancel { fut: Box::pin(r.readuntil(&[*sep])), polls }).await {
            Some(res) => take(res),
            None => return false,
        },
    }
    true
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The peer writes the stream in random chunks; the reader runs random
    /// read methods, each given up at a random await point. What the
    /// finished ones returned, then the rest, is exactly the stream.
    #[test]
    fn cancelled_reads_lose_and_duplicate_nothing(
        data in proptest::collection::vec(prop_oneof![Just(b'\n'), b'a'..=b'z'], 0..3000),
        chunks in proptest::collection::vec(1..400usize, 1..20),
        ops in proptest::collection::vec((read(), 0..4usize), 0..30),
    ) {
        let got = tulip::run(async move {
            let (mut r, mut tx) = pipe_reader();
            r.set_limit(1 << 20);
            let writer = std::thread::spawn({
                let data = data.clone();
                move || {
                    let mut rest = &data[..];
                    for c in chunks.iter().cycle() {
                        if rest.is_empty() {
                            break;
                        }
                        let n = (*c).min(rest.len());
                        tx.write_all(&rest[..n]).unwrap();
                        rest = &rest[n..];
                        std::thread::sleep(Duration::from_micros(50));
                    }
                    data
                }
            });
            let mut got = Vec::new();
            for (op, polls) in &ops {
                run_one(&mut r, op, *polls, &mut got).await;
            }
            got.extend(r.read_to_eof().await.unwrap());
            (got, writer.join().unwrap())
        });
        prop_assert_eq!(got.0, got.1);
    }
}

#[test]
fn data_and_the_peers_fin_in_one_event_still_reach_eof() {
    // Both arrive before the first read: the read is short (it drained the
    // socket), and the EOF behind it must still be seen.
    let out = std::thread::spawn(|| {
        tulip::run(async {
            let server = tulip::start_server(
                |_r, mut w| async move {
                    w.write(b"all of it").unwrap();
                    w.close();
                },
                "127.0.0.1",
                0,
            )
            .await
            .unwrap();
            let (mut r, _w) = tulip::open_connection("127.0.0.1", server.sockets()[0].port()).await.unwrap();
            tulip::sleep(Duration::from_millis(50)).await;
            let got = tulip::timeout(Duration::from_secs(5), r.read_to_eof()).await;
            server.close();
            got.map(|r| r.unwrap())
        })
    })
    .join()
    .unwrap();
    assert_eq!(out.expect("the EOF after a short read was never seen"), b"all of it");
}
