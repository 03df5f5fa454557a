//! CPython twin: StreamReader's limit overruns. `tests/twins/readline_overrun.py`
//! runs under python3; tulip's twin below must print the same lines (what
//! `readuntil` keeps, what `readline` discards, the `consumed` counts).
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;
use std::time::Duration;
use tulip::{open_connection, start_server, StreamError};

const DATA: &[u8] = b"abcdefghij\nxy\nlonglonglong|k\nend";

/// Python's `repr` of bytes, for the printable ASCII these tests use.
fn repr(bytes: &[u8]) -> String {
    let mut s = String::from("b'");
    for &b in bytes {
        match b {
            b'\n' => s.push_str("\\n"),
            b'\'' => s.push_str("\\'"),
            b'\\' => s.push_str("\\\\"),
            _ => s.push(b as char),
        }
    }
    s.push('\'');
    s
}

fn tulip_trace() -> Vec<String> {
    tulip::run(async {
        let server = start_server(
            |_r, mut w| async move {
                w.write(DATA).unwrap();
                w.close();
                let _ = w.wait_closed().await;
            },
            "127.0.0.1",
            0,
        )
        .await
        .unwrap();
        let (mut r, _w) = open_connection("127.0.0.1", server.sockets()[0].port()).await.unwrap();
        r.set_limit(5);
        tulip::sleep(Duration::from_millis(100)).await;
        let mut lines = Vec::new();
        for step in [
            "readuntil |",
            "readline",
            "readline",
            "readuntil |",
            "read 3",
            "readuntil |",
            "readline",
            "readline",
            "readline",
        ] {
            let out = if step == "readline" {
                r.readline().await
            } else if let Some(sep) = step.strip_prefix("readuntil ") {
                r.readuntil(sep.as_bytes()).await
            } else {
                let n = step["read ".len()..].parse().unwrap();
                r.read(n).await.map_err(StreamError::from)
            };
            lines.push(match out {
                Ok(bytes) => format!("{step}: ok {}", repr(&bytes)),
                // CPython's readline turns the overrun into a ValueError.
                Err(StreamError::LimitOverrun(e)) if step == "readline" => format!("{step}: ValueError {e}"),
                Err(StreamError::LimitOverrun(e)) => format!("{step}: LimitOverrunError consumed={}", e.consumed),
                Err(StreamError::IncompleteRead(e)) => {
                    format!("{step}: IncompleteReadError partial={}", repr(&e.partial))
                }
                Err(e) => format!("{step}: {e}"),
            });
        }
        server.close();
        lines
    })
}

#[test]
fn limit_overruns_match_cpython() {
    let ours = tulip_trace();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/twins/readline_overrun.py");
    let expected: Vec<String> = match Command::new("python3").arg(&script).output() {
        Ok(out) if out.status.success() => String::from_utf8(out.stdout).unwrap().lines().map(str::to_owned).collect(),
        Ok(out) => panic!("readline_overrun.py failed: {}", String::from_utf8_lossy(&out.stderr)),
        Err(e) => {
            eprintln!("python3 not available ({e}); comparing with CPython 3.11's recorded trace");
            [
                "readuntil |: LimitOverrunError consumed=26",
                "readline: ValueError Separator is found, but chunk is longer than limit",
                "readline: ok b'xy\\n'",
                "readuntil |: LimitOverrunError consumed=12",
                "read 3: ok b'lon'",
                "readuntil |: LimitOverrunError consumed=9",
                "readline: ValueError Separator is found, but chunk is longer than limit",
                "readline: ok b'end'",
                "readline: ok b''",
            ]
            .map(String::from)
            .to_vec()
        }
    };
    assert_eq!(ours, expected, "tulip's StreamReader differs from CPython 3.11's");
}
