//! A task made by `TaskBuilder::spawn_local` stops the process if its
//! runnable is run or dropped on another thread, before the `!Send` future
//! is touched there. Each case runs in a child process (this test binary,
//! called back with an environment variable), since the abort ends it.

use std::os::unix::process::ExitStatusExt;
use std::process::Command;
use std::rc::Rc;
use tulip_task::TaskBuilder;

const CASE: &str = "TULIP_THREAD_BOUND_CASE";

/// SIGABRT, which is 6 on every Unix this runs on.
const SIGABRT: i32 = 6;

/// In the child: spawns a task whose future holds an `Rc`, and runs or
/// drops its runnable on another thread.
fn child(case: &str) {
    let rc = Rc::new(1);
    let (runnable, _task) = TaskBuilder::new().spawn_local(async move { *rc }, |_| {});
    let handle = match case {
        "run" => std::thread::spawn(move || {
            runnable.run();
        }),
        _ => std::thread::spawn(move || drop(runnable)),
    };
    let _ = handle.join();
    println!("survived");
}

fn in_child(test: &str, case: &str) -> std::process::Output {
    let exe = std::env::current_exe().expect("the test binary");
    Command::new(exe)
        .args(["--exact", test, "--nocapture", "--test-threads", "1"])
        .env(CASE, case)
        .output()
        .expect("the child runs")
}

fn assert_aborted(out: &std::process::Output, what: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.signal(), Some(SIGABRT), "status {:?}, stderr: {stderr}", out.status);
    assert!(stderr.contains(&format!("{what} by a thread that did not spawn it")), "stderr: {stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("survived"));
}

#[test]
fn running_it_on_another_thread_aborts() {
    if let Ok(case) = std::env::var(CASE) {
        return child(&case);
    }
    assert_aborted(&in_child("running_it_on_another_thread_aborts", "run"), "polled");
}

#[test]
fn dropping_it_on_another_thread_aborts() {
    if let Ok(case) = std::env::var(CASE) {
        return child(&case);
    }
    assert_aborted(&in_child("dropping_it_on_another_thread_aborts", "drop"), "dropped");
}

#[test]
fn on_its_own_thread_it_runs() {
    let rc = Rc::new(2);
    let (runnable, task) = TaskBuilder::new().spawn_local(async move { *rc * 3 }, |_| {});
    runnable.run();
    assert_eq!(futures_lite::future::block_on(task).ok(), Some(6));
}
