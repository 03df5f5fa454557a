//! A runnable is `Send`: whatever it exposes must be safe to use from the
//! thread that holds it while the task's own thread uses the same task.
#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tulip_task::TaskBuilder;

#[test]
fn task_name_is_safe_to_use_from_another_thread() {
    let (runnable, task) = TaskBuilder::new().name("a").spawn_local(async {}, |_| {});
    let stop = AtomicBool::new(false);
    let deadline = Instant::now() + Duration::from_secs(1);
    std::thread::scope(|s| {
        let runnable = &runnable;
        let stop = &stop;
        s.spawn(move || {
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let r = runnable.task_ref();
                r.set_name(if i.is_multiple_of(2) { "b" } else { "a" });
                assert!(matches!(r.name().as_str(), "a" | "b"));
                i += 1;
            }
        });
        let mut seen_default = None;
        while Instant::now() < deadline && seen_default.is_none() {
            for _ in 0..1000 {
                task.set_name("a");
                let name = task.name();
                if !matches!(name.as_str(), "a" | "b") {
                    seen_default = Some(name);
                    break;
                }
            }
        }
        stop.store(true, Ordering::Relaxed);
        assert_eq!(seen_default, None, "a name was lost while another thread renamed the task");
    });
    drop(runnable);
    drop(task);
}
