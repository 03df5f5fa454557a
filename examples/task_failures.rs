//! Failures in tasks: handled inside the task, re-raised through the
//! result, and never retrieved (the loop reports it). Seed 000's programs
//! are `exceptions`, `exceptions_traceback` and `exceptions_never_retrieved`.
#[path = "common/mod.rs"]
mod common;

async fn service(name: &str, fail: bool) -> Result<String, String> {
    tulip::sleep(common::secs(0.1)).await;
    if fail {
        Err(format!("{name} is down"))
    } else {
        Ok(format!("{name} answered"))
    }
}

fn main() {
    tulip::run(async {
        // 1. Handled inside the task: the task itself turns the error into a value.
        let handled = tulip::create_task(async {
            match service("geo", true).await {
                Ok(v) => v,
                Err(e) => format!("handled inside the task: {e}"),
            }
        });
        println!("{}", handled.await.unwrap_or_default());

        // 2. Re-raised through the result: the caller sees the failure.
        let raising = tulip::create_task(async { service("ip", true).await });
        match raising.await {
            Ok(Ok(v)) => println!("{v}"),
            Ok(Err(e)) => println!("result() raised: {e}"),
            Err(e) => println!("task failed: {e}"),
        }

        // 3. Never retrieved: the task panics and nobody awaits it; the loop
        //    reports "Task exception was never retrieved".
        tulip::create_task(async {
            tulip::sleep(common::secs(0.1)).await;
            panic!("the weather service exploded");
        });
        tulip::sleep(common::secs(0.3)).await;
        println!("main done");
    });
}
