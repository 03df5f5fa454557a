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

/// Sends SIGKILL to `pid`, a child of this test that has not been reaped.
fn kill_pid(pid: u32) {
    let pid = libc::pid_t::try_from(pid).unwrap();
    // SAFETY: kill(2) takes plain integers; the child is still running
    // (nothing reaps it before it is killed), so the pid is still ours.
    unsafe { libc::kill(pid, libc::SIGKILL) };
}

/// As many children as the blocking pool has threads (at least 6): enough
/// to starve it if each one held a thread.
fn pool_size() -> usize {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    (cpus + 4).clamp(6, 32)
}

/// Shows that the blocking pool still answers: `to_thread` and
/// `getaddrinfo("localhost")` complete (the bound is generous: a starved
/// pool would not answer for the 30 s the children sleep).
async fn assert_pool_answers() {
    let bound = Duration::from_secs(10);
    let v = tulip::timeout(bound, tulip::to_thread(|| 7)).await;
    assert_eq!(v.ok(), Some(7), "to_thread did not complete: the blocking pool is starved");
    let addrs = tulip::timeout(bound, tulip::getaddrinfo("localhost", 80)).await;
    let addrs = addrs.expect("getaddrinfo did not complete: the blocking pool is starved").unwrap();
    assert!(!addrs.is_empty());
}

#[test]
fn waiting_children_do_not_starve_the_blocking_pool() {
    EventLoop::new().run_until_complete(async {
        let mut pids = Vec::new();
        let mut waits = Vec::new();
        for _ in 0..pool_size() {
            let mut cmd = Command::new("sleep");
            cmd.arg("30");
            let mut p = create_subprocess_exec(cmd).await.unwrap();
            pids.push(p.pid());
            waits.push(tulip::create_task(async move { p.wait().await }));
        }
        // Let every wait() start (one iteration would do).
        for _ in 0..3 {
            tulip::sleep(Duration::ZERO).await;
        }
        let answers = tulip::create_task(assert_pool_answers()).await;
        for &pid in &pids {
            kill_pid(pid);
        }
        answers.unwrap();
        for w in waits {
            let status = tulip::timeout(Duration::from_secs(10), w).await.unwrap().unwrap().unwrap();
            assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(libc::SIGKILL));
        }
    });
}

#[test]
fn dropped_children_do_not_starve_the_blocking_pool() {
    EventLoop::new().run_until_complete(async {
        let mut pids = Vec::new();
        for _ in 0..pool_size() {
            let mut cmd = Command::new("sleep");
            cmd.arg("30");
            let p = create_subprocess_exec(cmd).await.unwrap();
            pids.push(p.pid());
            drop(p);
        }
        tulip::sleep(Duration::ZERO).await;
        let answers = tulip::create_task(assert_pool_answers()).await;
        for &pid in &pids {
            kill_pid(pid);
        }
        answers.unwrap();
    });
}

#[test]
fn cancelled_wait_keeps_the_exit_status() {
    EventLoop::new().run_until_complete(async {
        let mut cmd = Command::new("sleep");
        cmd.arg("30");
        let mut p = create_subprocess_exec(cmd).await.unwrap();
        assert!(tulip::timeout(Duration::from_millis(20), p.wait()).await.is_err());
        assert!(p.returncode().is_none());
        p.kill().unwrap();
        let status = tulip::timeout(Duration::from_secs(10), p.wait()).await.unwrap().unwrap();
        assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(libc::SIGKILL));
        assert_eq!(p.returncode(), Some(status));
        // Reaped: no signal may reach the (possibly reused) pid any more.
        assert!(p.kill().is_err());
    });
}

/// The children of this process whose command line is exactly `argv`.
fn children_running(argv: &[&str]) -> Vec<String> {
    let me = std::process::id().to_string();
    let want: Vec<u8> = argv.iter().flat_map(|a| a.bytes().chain([0])).collect();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let dir = entry.path();
        let Ok(stat) = std::fs::read_to_string(dir.join("stat")) else { continue };
        // "pid (comm) state ppid ...": the comm may hold anything, so split
        // after its last ')'.
        let Some((_, rest)) = stat.rsplit_once(')') else { continue };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        if fields.get(1) != Some(&me.as_str()) {
            continue;
        }
        // A zombie's cmdline is empty: match those by their comm instead.
        let cmdline = std::fs::read(dir.join("cmdline")).unwrap_or_default();
        let zombie = fields.first() == Some(&"Z") && stat.contains(&format!("({})", argv[0]));
        if cmdline == want || zombie {
            found.push(stat);
        }
    }
    found
}

#[test]
fn pipe_setup_failure_after_spawn_leaves_no_zombie() {
    use std::future::Future;
    use std::task::{Context, Poll, Waker};
    // Wrapping a pipe needs a running loop: outside one, the child is
    // spawned and then setting up its stdout fails.
    let mut cmd = Command::new("sleep");
    cmd.arg("31.25").stdout(Stdio::piped());
    let mut fut = std::pin::pin!(create_subprocess_exec(cmd));
    match fut.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(Err(_)) => {}
        Poll::Ready(Ok(p)) => panic!("spawned outside a loop: {p:?}"),
        Poll::Pending => panic!("create_subprocess_exec waited outside a loop"),
    }
    // The child must be killed and reaped (not running, not a zombie).
    let argv = ["sleep", "31.25"];
    for _ in 0..1000 {
        if children_running(&argv).is_empty() {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("the child outlived the failed create_subprocess_exec: {:?}", children_running(&argv));
}

#[test]
fn communicate_survives_a_child_that_stops_reading_stdin() {
    EventLoop::new().run_until_complete(async {
        let p = create_subprocess_shell("head -c 10").await.unwrap();
        let input = vec![b'x'; 4 << 20];
        let r = tulip::timeout(Duration::from_secs(30), p.communicate(Some(&input))).await.unwrap();
        let (out, err, status) = r.unwrap();
        assert_eq!(out, b"xxxxxxxxxx");
        assert!(err.is_empty());
        assert!(status.success());
    });
}

#[test]
fn a_process_dropped_while_running_is_reaped_after_its_loop_closes() {
    let pid = EventLoop::new().run_until_complete(async {
        let p = create_subprocess_shell("sleep 0.3").await.unwrap();
        p.pid()
    });
    let proc_dir = format!("/proc/{pid}");
    for _ in 0..1000 {
        if !std::path::Path::new(&proc_dir).exists() {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let stat = std::fs::read_to_string(format!("{proc_dir}/stat")).unwrap_or_default();
    panic!("child {pid} still exists: {stat}");
}
