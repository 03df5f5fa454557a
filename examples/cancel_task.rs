//! Seed 004, tasks: "Tasks can also be canceled very easily by using their
//! cancel method … Should a task get canceled when it is waiting for
//! another operation, the task will raise a CancelledError." The article
//! gives no program for it; this is its tasks program (`create_task`) with
//! `my_task` waiting instead of blocking, cancelled one second in:
//!
//! ```python
//! async def my_task(seconds):
//!     print('This task is taking {} seconds to complete'.format(seconds))
//!     try:
//!         await asyncio.sleep(seconds)
//!     except asyncio.CancelledError:
//!         print('my_task was cancelled while waiting')
//!         raise
//!     return 'task finished'
//!
//! if __name__ == '__main__':
//!     my_event_loop = asyncio.get_event_loop()
//!     try:
//!         print('task creation started')
//!         task_obj = my_event_loop.create_task(my_task(seconds=2))
//!         my_event_loop.call_later(1, task_obj.cancel)
//!         my_event_loop.run_until_complete(task_obj)
//!     except asyncio.CancelledError:
//!         print('run_until_complete raised CancelledError')
//!     finally:
//!         my_event_loop.close()
//!
//!     print("The task was cancelled: {}".format(task_obj.cancelled()))
//! ```
//!
//! In tulip nothing is raised inside the task: cancelling it drops its
//! future at the `.await` where it waits, so `except CancelledError:` (and
//! `finally:`) is a value whose `Drop` runs then. The task's outcome is
//! `Err(TaskError::Cancelled)`. PyMOTW's cancel program is
//! `cancel_task_pymotw`.
#[path = "common/mod.rs"]
mod common;

use tulip::TaskError;

/// Prints its message when dropped, unless disarmed: the `except
/// CancelledError:` block of `my_task`.
struct OnCancel(Option<&'static str>);

impl Drop for OnCancel {
    fn drop(&mut self) {
        // Dropped by an unwinding panic it would be an exception, not a cancellation.
        if let (Some(msg), false) = (self.0, std::thread::panicking()) {
            println!("{msg}");
        }
    }
}

async fn my_task(seconds: f64) -> &'static str {
    println!("This task is taking {seconds} seconds to complete");
    let mut on_cancel = OnCancel(Some("my_task was cancelled while waiting"));
    tulip::sleep(common::secs(seconds)).await;
    on_cancel.0 = None;
    "task finished"
}

fn main() {
    let my_event_loop = tulip::new_event_loop();
    println!("task creation started");
    let task_obj = my_event_loop.create_task(my_task(2.0));
    let task_ref = task_obj.task_ref();
    let to_cancel = task_ref.clone();
    my_event_loop.call_later(common::secs(1.0), move || {
        to_cancel.cancel(None);
    });
    match my_event_loop.run_until_complete(task_obj) {
        Err(TaskError::Cancelled(_)) => println!("run_until_complete raised CancelledError"),
        Err(e) => println!("run_until_complete raised {e}"),
        Ok(r) => println!("The task's result was: {r}"),
    }
    my_event_loop.close();

    println!("The task was cancelled: {}", if task_ref.cancelled() { "True" } else { "False" });
}
