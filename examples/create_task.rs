//! Seed 004, tasks: a task created on the loop, run until it completes, its
//! result read after the loop is closed.
//!
//! ```python
//! async def my_task(seconds):
//!     """
//!     A task to do for a number of seconds
//!     """
//!     print('This task is taking {} seconds to complete'.format(
//!         seconds))
//!     time.sleep(seconds)
//!     return 'task finished'
//!
//! if __name__ == '__main__':
//!     my_event_loop = asyncio.get_event_loop()
//!     try:
//!         print('task creation started')
//!         task_obj = my_event_loop.create_task(my_task(seconds=2))
//!         my_event_loop.run_until_complete(task_obj)
//!     finally:
//!         my_event_loop.close()
//!
//!     print("The task's result was: {}".format(task_obj.result()))
//! ```
//!
//! As in the article, `my_task` blocks the whole loop with a thread sleep
//! (`time.sleep`); `tulip::sleep(..).await` would let other tasks run.
//! `task_obj.result()`: awaiting a tulip task moves its output out, so
//! `run_until_complete(task)` hands it over (`Ok(output)`, or
//! `Err(TaskError)` had it been cancelled or panicked). PyMOTW's version is
//! `create_task_pymotw`.
#[path = "common/mod.rs"]
mod common;

async fn my_task(seconds: f64) -> &'static str {
    // A task to do for a number of seconds
    println!("This task is taking {seconds} seconds to complete");
    std::thread::sleep(common::secs(seconds));
    "task finished"
}

fn main() {
    let my_event_loop = tulip::new_event_loop();
    println!("task creation started");
    let task_obj = my_event_loop.create_task(my_task(2.0));
    let result = my_event_loop.run_until_complete(task_obj);
    my_event_loop.close();

    match result {
        Ok(r) => println!("The task's result was: {r}"),
        Err(e) => println!("The task failed: {e}"),
    }
}
