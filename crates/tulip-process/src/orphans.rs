//! Reaping the children of dropped `Process`es, without a thread per child.
//!
//! The rules:
//!
//! * A child that has already exited is reaped in the drop itself.
//! * While a loop runs on the dropping thread, an internal task of that loop
//!   waits for the child (a pidfd, or the timer poll: see `reaper.rs`).
//! * Without a running loop, or when that loop closes first, the child goes
//!   to the orphanage: one process-wide thread, `tulip-reaper`, running a
//!   loop of its own that waits for every orphan the same way. It starts on
//!   demand and exits when its last orphan is reaped.
//! * Only if that thread or its loop cannot be created is a child reaped by
//!   a blocking `waitpid` on the blocking pool: the last resort.

use crate::reaper::ChildPid;
use std::cell::Cell;
use std::sync::{Mutex, MutexGuard, PoisonError};
use tulip_reactor::{EventLoop, LoopHandle, RemoteHandle};

/// Reaps `child` (not reaped yet, no longer wanted) in the background.
pub(crate) fn reap_in_background(child: ChildPid) {
    if !matches!(child.try_reap(), Ok(None)) {
        // Reaped just now, or not ours to reap any more (ECHILD).
        return;
    }
    let Some(lp) = tulip_reactor::try_get_running_loop() else {
        hand_over(child);
        return;
    };
    let mut orphan = Orphan(Some(child));
    lp.create_internal_task(async move {
        if reap(&orphan).await {
            drop(orphan.0.take());
        }
        // Else (the poller failed) dropping it hands it over.
    });
}

/// A child being reaped in the background: if dropped before it is done
/// (its loop closed), it goes to the orphanage.
struct Orphan(Option<ChildPid>);

impl Drop for Orphan {
    fn drop(&mut self) {
        if let Some(child) = self.0.take() {
            hand_over(child);
        }
    }
}

/// Waits for the orphan on the running loop; true once it needs nothing
/// more (reaped, or reaped by someone else).
async fn reap(orphan: &Orphan) -> bool {
    let Some(child) = &orphan.0 else { return true };
    match child.reap().await {
        Ok(_) => true,
        Err(e) => e.raw_os_error() == Some(libc::ECHILD),
    }
}

/// The process-wide orphanage.
struct Orphanage {
    /// Children handed over and not yet picked up by the reaper thread.
    queue: Vec<ChildPid>,
    thread: Reaper,
    /// Numbers the reaper threads, so that one ending never clears the
    /// state of its successor.
    generation: u64,
}

enum Reaper {
    /// No reaper thread.
    None,
    /// Started; it picks up the queue as soon as its loop runs.
    Starting,
    /// Running (its generation): its loop.
    Running(u64, RemoteHandle),
}

static ORPHANAGE: Mutex<Orphanage> = Mutex::new(Orphanage { queue: Vec::new(), thread: Reaper::None, generation: 0 });

fn orphanage() -> MutexGuard<'static, Orphanage> {
    // Nothing panics while holding the lock; if something did, the queue
    // and the thread's state are still consistent.
    ORPHANAGE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Gives `child` to the reaper thread, starting it if needed.
fn hand_over(child: ChildPid) {
    let mut o = orphanage();
    o.queue.push(child);
    if let Reaper::Running(_, remote) = &o.thread {
        if remote.call_soon_threadsafe(pick_up).is_ok() {
            return;
        }
        o.thread = Reaper::None;
    }
    if matches!(o.thread, Reaper::Starting) {
        return;
    }
    o.generation += 1;
    let generation = o.generation;
    match std::thread::Builder::new().name("tulip-reaper".into()).spawn(move || run_reaper(generation)) {
        Ok(_) => o.thread = Reaper::Starting,
        Err(_) => last_resort(std::mem::take(&mut o.queue)),
    }
}

/// Reaps each child with a blocking `waitpid` on the blocking pool.
fn last_resort(children: impl IntoIterator<Item = ChildPid>) {
    for child in children {
        drop(tulip_blocking::to_thread(move || drop(child.reap_blocking())));
    }
}

/// The reaper thread's body: a loop that lives while it has orphans.
fn run_reaper(generation: u64) {
    let ev = match EventLoop::builder().build() {
        Ok(ev) => ev,
        Err(_) => {
            let mut o = orphanage();
            o.thread = Reaper::None;
            last_resort(std::mem::take(&mut o.queue));
            return;
        }
    };
    orphanage().thread = Reaper::Running(generation, ev.remote());
    // Dropped before `ev`: however the loop ends, no child is handed to a
    // loop that is gone (its remaining tasks, cancelled by the close, hand
    // their orphans to a new thread).
    let _gone = Gone(generation);
    ev.call_soon(pick_up);
    ev.run_forever();
}

/// Clears the orphanage's record of reaper thread `.0` when it ends.
struct Gone(u64);

impl Drop for Gone {
    fn drop(&mut self) {
        let mut o = orphanage();
        if matches!(o.thread, Reaper::Running(g, _) if g == self.0) {
            o.thread = Reaper::None;
        }
    }
}

/// The reaper loop's count of the orphans it is waiting for.
#[derive(Default)]
struct Live(Cell<usize>);

/// On the reaper loop: starts waiting for each queued orphan.
fn pick_up() {
    let Some(lp) = tulip_reactor::try_get_running_loop() else { return };
    let children = std::mem::take(&mut orphanage().queue);
    let live = lp.local::<Live>();
    for child in children {
        live.0.set(live.0.get() + 1);
        let lp2 = lp.clone();
        lp.create_internal_task(async move {
            let mut orphan = Orphan(Some(child));
            if !reap(&orphan).await {
                // The poller failed: waitpid on the pool.
                last_resort(orphan.0.take());
            }
            orphan.0 = None;
            let live = lp2.local::<Live>();
            live.0.set(live.0.get().saturating_sub(1));
            stop_if_idle(&lp2);
        });
    }
    stop_if_idle(&lp);
}

/// Stops the reaper loop (ending its thread) when it has nothing to do.
fn stop_if_idle(lp: &LoopHandle) {
    if lp.local::<Live>().0.get() > 0 {
        return;
    }
    let mut o = orphanage();
    if o.queue.is_empty() {
        o.thread = Reaper::None;
        lp.stop();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::process::Command;
    use std::time::Duration;

    fn reaper_threads() -> usize {
        let tasks = std::fs::read_dir("/proc/self/task").unwrap();
        tasks
            .flatten()
            .filter(|t| std::fs::read_to_string(t.path().join("comm")).is_ok_and(|c| c.trim() == "tulip-reaper"))
            .count()
    }

    /// Polls `done` every 10 ms, for at most 10 s.
    fn eventually(what: &str, mut done: impl FnMut() -> bool) {
        for _ in 0..1000 {
            if done() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("{what}");
    }

    // The `ChildPid`s reap them, not std's `Child`.
    #[allow(clippy::zombie_processes)]
    #[test]
    fn orphans_without_a_loop_share_one_reaper_thread_that_then_exits() {
        let pids: Vec<u32> = (0..4).map(|_| Command::new("sleep").arg("0.2").spawn().unwrap().id()).collect();
        for &pid in &pids {
            reap_in_background(ChildPid::new(pid));
            assert!(reaper_threads() <= 1);
        }
        eventually("the orphans were not reaped", || {
            assert!(reaper_threads() <= 1);
            pids.iter().all(|pid| !std::path::Path::new(&format!("/proc/{pid}")).exists())
        });
        eventually("the reaper thread did not exit", || reaper_threads() == 0);
        // And it comes back for the next orphan.
        let pid = Command::new("sleep").arg("0.05").spawn().unwrap().id();
        reap_in_background(ChildPid::new(pid));
        eventually("the late orphan was not reaped", || !std::path::Path::new(&format!("/proc/{pid}")).exists());
    }
}
