//! Subprocesses and signals.
#![allow(clippy::unwrap_used)]

use std::process::{Command, Stdio};
use std::time::Duration;
use tulip::{create_subprocess_exec, create_subprocess_shell, EventLoop};

#[test]
fn exec_output_is_a_stream() {
    EventLoop::new().run_until_complete(async {
        let mut cmd = Command::new("ls");
        cmd.arg("/").stdout(Stdio::piped());
        let mut p = create_subprocess_exec(cmd).await.unwrap();
        let mut lines = Vec::new();
        let out = p.stdout.as_mut().unwrap();
        loop {
            let line = out.readline().await.unwrap();
            if line.is_empty() {
                break;
            }
            lines.push(String::from_utf8(line).unwrap());
        }
        assert!(lines.iter().any(|l| l.trim() == "tmp"), "{lines:?}");
        assert!(p.wait().await.unwrap().success());
        assert!(p.returncode().unwrap().success());
    });
}

#[test]
fn communicate_feeds_stdin_and_collects_both_outputs() {
    EventLoop::new().run_until_complete(async {
        let p = create_subprocess_shell("cat; echo done >&2").await.unwrap();
        let input = vec![b'z'; 300 * 1024];
        let (out, err, status) = p.communicate(Some(&input)).await.unwrap();
        assert_eq!(out.len(), input.len());
        assert_eq!(err, b"done\n");
        assert!(status.success());
    });
}

#[test]
fn kill_ends_a_sleeping_child() {
    EventLoop::new().run_until_complete(async {
        let mut cmd = Command::new("sleep");
        cmd.arg("60");
        let mut p = create_subprocess_exec(cmd).await.unwrap();
        p.kill().unwrap();
        let status = p.wait().await.unwrap();
        assert!(!status.success());
        // After reaping, signalling is an error, not a stray kill.
        assert!(p.terminate().is_err());
    });
}

#[test]
fn a_dropped_process_is_reaped_no_zombie() {
    let pid = EventLoop::new().run_until_complete(async {
        let p = create_subprocess_shell("exit 0").await.unwrap();
        p.pid()
    });
    // The pool reaps it in the background: /proc/<pid> goes away.
    let proc_dir = format!("/proc/{pid}");
    for _ in 0..200 {
        if !std::path::Path::new(&proc_dir).exists() {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let stat = std::fs::read_to_string(format!("{proc_dir}/stat")).unwrap_or_default();
    panic!("child {pid} still exists: {stat}");
}
