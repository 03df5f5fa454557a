//! Seed 000: the first IP service to answer, with the aiohttp stand-ins on both sides.

use super::*;

static TWO_SERVICES: [Service; 2] = [
    Service::new("ipify", "https://api.ipify.org?format=json", "ip"),
    Service::new("ip-api", "http://ip-api.com/json", "query"),
];

#[test]
fn first_ip_service() {
    async fn fetch_ip(o: Trace, service: &Service) -> String {
        let start = Instant::now();
        o.print(format!("Fetching IP from {}", service.name));
        let response = services::request("GET", service.url).await.unwrap();
        let json_response = response.json().await;
        let ip = &json_response[service.ip_attr];
        format!("{} finished with result: {}, took: {:.2} seconds", service.name, ip, start.elapsed().as_secs_f64())
    }
    let out = Trace::default();
    let o = out.clone();
    let ev = virtual_loop();
    ev.run_until_complete(async move {
        let futures: Vec<_> = TWO_SERVICES.iter().map(|s| tulip::create_task(fetch_ip(o.clone(), s))).collect();
        let (mut done, pending) =
            tulip::wait(futures).return_when(ReturnWhen::FirstCompleted).await.expect("the set of tasks is not empty");
        o.print(done.pop().unwrap().await.unwrap());
        for future in &pending {
            future.cancel();
        }
    });
    ev.close();
    check(
        "first_ip_service",
        &[],
        out.lines(),
        &[
            "Fetching IP from ipify",
            "Fetching IP from ip-api",
            "ip-api finished with result: 82.34.76.170, took: N seconds",
        ],
        None,
    );
}

#[test]
fn exceptions() {
    static SERVICES: [Service; 3] = [
        Service::new("ipify", "https://api.ipify.org?format=json", "ip"),
        Service::new("ip-api", "http://ip-api.com/json", "query"),
        Service::new("borken", "http://no-way-this-is-going-to-work.com/json", "ip"),
    ];
    async fn fetch_ip(o: Trace, service: &Service) -> String {
        let start = Instant::now();
        o.print(format!("Fetching IP from {}", service.name));
        let response = match services::request("GET", service.url).await {
            Ok(response) => response,
            Err(_) => return format!("{} is unresponsive", service.name),
        };
        let json_response = response.json().await;
        let ip = &json_response[service.ip_attr];
        format!("{} finished with result: {}, took: {:.2} seconds", service.name, ip, start.elapsed().as_secs_f64())
    }
    let out = Trace::default();
    let o = out.clone();
    let ev = virtual_loop();
    ev.run_until_complete(async move {
        let futures: Vec<_> = SERVICES.iter().map(|s| tulip::create_task(fetch_ip(o.clone(), s))).collect();
        let (done, _) = tulip::wait(futures).await.expect("the set of tasks is not empty");
        for future in done {
            o.print(future.await.unwrap());
        }
    });
    ev.close();
    check(
        "exceptions",
        &[],
        out.lines(),
        &[
            "Fetching IP from ipify",
            "Fetching IP from ip-api",
            "Fetching IP from borken",
            "borken is unresponsive",
            "ip-api finished with result: 82.34.76.170, took: N seconds",
            "ipify finished with result: 82.34.76.170, took: N seconds",
        ],
        // Python prints its `done` set in hash order.
        Some(3),
    );
}

#[test]
fn wait_timeout_default() {
    async fn fetch_ip(o: Trace, service: &Service) -> String {
        o.print(format!("Fetching IP from {}", service.name));
        tulip::sleep(secs(common::randint(1, 3) as f64 * 0.1)).await;
        let response = services::request("GET", service.url).await.unwrap();
        let ip = response.json().await[service.ip_attr].clone();
        o.print(format!("{} finished with result: {ip}, took: 0 seconds", service.name));
        ip
    }
    let out = Trace::default();
    let o = out.clone();
    let ev = virtual_loop();
    out.print("Using a 0.01 timeout");
    ev.run_until_complete(async move {
        let mut ip = "not available".to_string();
        let futures: Vec<_> = TWO_SERVICES.iter().map(|s| tulip::create_task(fetch_ip(o.clone(), s))).collect();
        let (done, pending) = tulip::wait(futures)
            .return_when(ReturnWhen::FirstCompleted)
            .timeout(secs(0.01))
            .await
            .expect("the set of tasks is not empty");
        for future in &pending {
            future.cancel();
        }
        for future in done {
            ip = future.await.unwrap();
        }
        o.print(format!("{{'message': 'Result from asynchronous.', 'ip': '{ip}'}}"));
    });
    ev.close();
    check(
        "wait_timeout",
        &[],
        out.lines(),
        &[
            "Using a 0.01 timeout",
            "Fetching IP from ipify",
            "Fetching IP from ip-api",
            "{'message': 'Result from asynchronous.', 'ip': 'not available'}",
        ],
        None,
    );
}
