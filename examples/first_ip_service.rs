//! Ask several "IP services" at once, keep the first answer:
//! `wait(.., FirstCompleted)`, then cancel the pending ones. Run with
//! `--forget` to leave them pending and see what the loop reports at close.
#[path = "common/mod.rs"]
mod common;

use tulip::{EventLoop, ReturnWhen};

async fn fetch_ip(service: &'static str, delay: f64, ip: &'static str) -> String {
    println!("Fetching IP from {service}");
    tulip::sleep(common::secs(delay)).await;
    format!("{service} finished with result: {ip}")
}

fn main() {
    let forget = std::env::args().any(|a| a == "--forget");
    let ev = EventLoop::new();
    let h = ev.handle();
    ev.run_until_complete(async move {
        let services = [("ipify", 0.8, "203.0.113.7"), ("ip-api", 0.3, "203.0.113.7"), ("httpbin", 1.2, "203.0.113.7")];
        let tasks: Vec<_> = services.iter().map(|&(s, d, ip)| h.create_task_named(s, fetch_ip(s, d, ip))).collect();
        let (done, pending) = tulip::wait(tasks, ReturnWhen::FirstCompleted).await;
        for d in done {
            match d.result() {
                Ok(r) => println!("{r}"),
                Err(e) => println!("failed: {e}"),
            }
        }
        if forget {
            // Detached: the loop's close() reports them as destroyed while pending.
            drop(pending);
        } else {
            for t in &pending {
                t.cancel();
            }
            for t in pending {
                let _ = t.await;
            }
        }
    });
    ev.close();
}
