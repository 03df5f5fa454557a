//! The session's cache of the last URL text: a text that cannot be
//! requested is refused every time it is sent (it is never cached), and a
//! good text sent again and again reaches the same resource each time.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Write};

use tulip::http::{ClientError, ClientSession};

/// Answers `n` requests on one keep-alive connection with their paths.
fn path_echo(n: usize) -> (String, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut out = stream;
        for _ in 0..n {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let path = line.split(' ').nth(1).unwrap().to_string();
            loop {
                let mut header = String::new();
                reader.read_line(&mut header).unwrap();
                if header == "\r\n" {
                    break;
                }
            }
            write!(out, "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{path}", path.len()).unwrap();
        }
    });
    (base, server)
}

#[test]
fn a_refused_url_stays_refused_and_a_repeated_one_reaches_its_path() {
    let (base, server) = path_echo(4);
    tulip::run(async move {
        let session = ClientSession::new();
        for _ in 0..2 {
            let e = session.get("ftp://example.com/").send().await.unwrap_err();
            assert!(matches!(e, ClientError::InvalidURL(_)), "{e:?}");
        }
        let (a, b) = (format!("{base}/a"), format!("{base}/b?x=1"));
        for url in [&a, &a, &b, &a] {
            let mut resp = session.get(url).send().await.unwrap();
            let want = &url[base.len()..];
            assert_eq!(resp.text().await.unwrap(), want);
            assert_eq!(resp.url().as_str(), url.as_str());
        }
        let e = session.get("ftp://example.com/").send().await.unwrap_err();
        assert!(matches!(e, ClientError::InvalidURL(_)), "after good ones too: {e:?}");
        session.close().await;
    });
    server.join().unwrap();
}
