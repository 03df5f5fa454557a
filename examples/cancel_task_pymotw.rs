//! Cancelling a task before it runs (PyMOTW's `asyncio_cancel_task.py`;
//! seed 004's is `cancel_task`):
//! its future never starts, and awaiting it gives the cancellation.
use tulip::{LoopHandle, TaskError};

async fn task_func() -> &'static str {
    println!("in task_func");
    "the result"
}

async fn main_coro(ev: LoopHandle) {
    println!("creating task");
    let task = ev.create_task(task_func());
    println!("canceling task");
    task.cancel();
    println!("canceled task {task:?}");
    match task.await {
        Err(TaskError::Cancelled(_)) => println!("caught error from canceled task"),
        Err(e) => println!("task failed: {e}"),
        Ok(result) => println!("task result: {result:?}"),
    }
}

fn main() {
    let event_loop = tulip::new_event_loop();
    event_loop.run_until_complete(main_coro(event_loop.handle()));
    event_loop.close();
}
