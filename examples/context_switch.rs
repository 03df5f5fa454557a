//! Seed 000 ("AsyncIO для практикующего python-разработчика"),
//! 1-sync-async-execution: explicit context switches with `sleep(0)`:
//!
//! ```python
//! async def foo():
//!     print('Running in foo')
//!     await asyncio.sleep(0)
//!     print('Explicit context switch to foo again')
//!
//! async def bar():
//!     print('Explicit context to bar')
//!     await asyncio.sleep(0)
//!     print('Implicit context switch back to bar')
//!
//! ioloop = asyncio.get_event_loop()
//! tasks = [ioloop.create_task(foo()), ioloop.create_task(bar())]
//! ioloop.run_until_complete(asyncio.wait(tasks))
//! ioloop.close()
//! ```
use std::time::Duration;

async fn foo() {
    println!("Running in foo");
    tulip::sleep(Duration::ZERO).await;
    println!("Explicit context switch to foo again");
}

async fn bar() {
    println!("Explicit context to bar");
    tulip::sleep(Duration::ZERO).await;
    println!("Implicit context switch back to bar");
}

fn main() {
    let ioloop = tulip::new_event_loop();
    let tasks = vec![ioloop.create_task(foo()), ioloop.create_task(bar())];
    ioloop.run_until_complete(tulip::wait(tasks)).expect("the set of tasks is not empty");
    ioloop.close();
}
