//! Starting a task and reading its result (PyMOTW's `asyncio_create_task.py`;
//! seed 004's twin is `create_task`).
use tulip::LoopHandle;

async fn task_func() -> &'static str {
    println!("in task_func");
    "the result"
}

async fn main_coro(ev: LoopHandle) {
    println!("creating task");
    let task = ev.create_task(task_func());
    println!("waiting for {task:?}");
    let task_ref = task.task_ref();
    let return_value = task.await;
    println!("task completed {task_ref:?}");
    // Python prints the repr: 'the result'.
    println!("return value: '{}'", return_value.unwrap_or("<failed>"));
}

fn main() {
    let event_loop = tulip::new_event_loop();
    event_loop.run_until_complete(main_coro(event_loop.handle()));
    event_loop.close();
}
