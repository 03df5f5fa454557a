//! Seed 001: two coroutines, and the simulated connection.

use super::*;

async fn fun1(o: Trace, x: i32) {
    o.print(format!("{}", x.pow(2)));
    tulip::sleep(secs(3.0)).await;
    o.print("fun1 завершена");
}

async fn fun2(o: Trace, x: i32) {
    o.print(format!("{:?}", f64::from(x).sqrt()));
    tulip::sleep(secs(3.0)).await;
    o.print("fun2 завершена");
}

#[test]
fn two_functions() {
    for (name, as_tasks) in [("two_functions", true), ("two_functions_loop", true), ("two_functions_awaited", false)] {
        let out = Trace::default();
        let o = out.clone();
        let ev = virtual_loop();
        out.print(common::clock_time());
        let start = ev.time();
        if as_tasks {
            let task1 = ev.create_task(fun1(o.clone(), 4));
            let task2 = ev.create_task(fun2(o.clone(), 4));
            ev.run_until_complete(tulip::wait([task1, task2])).expect("the set of tasks is not empty");
        } else {
            ev.run_until_complete(async move {
                fun1(o.clone(), 4).await;
                fun2(o.clone(), 4).await;
            });
        }
        let took = ev.time() - start;
        out.print(common::clock_time());
        ev.close();
        assert!(took < secs(if as_tasks { 3.5 } else { 6.5 }) && took >= secs(if as_tasks { 3.0 } else { 6.0 }));
        let expected: &[&str] = if as_tasks {
            &["HH:MM:SS", "16", "2.0", "fun1 завершена", "fun2 завершена", "HH:MM:SS"]
        } else {
            &["HH:MM:SS", "16", "fun1 завершена", "2.0", "fun2 завершена", "HH:MM:SS"]
        };
        check(name, &[], out.lines(), expected, None);
    }
}

#[test]
fn sync_connection() {
    use futures_lite::FutureExt;
    use std::panic::AssertUnwindSafe;

    struct Conn(Trace);
    impl Conn {
        async fn step(&self, before: &str, after: &str) {
            self.0.print(before);
            tulip::sleep(secs(2.0)).await;
            self.0.print(after);
        }
    }
    async fn with_connection<F, Fut>(o: Trace, body: F)
    where
        F: FnOnce(Rc<Conn>) -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        let conn = Rc::new(Conn(o));
        conn.step("Устанавливаем соединение...", "Соединение установлено.").await;
        let outcome = AssertUnwindSafe(body(conn.clone())).catch_unwind().await;
        conn.step("Завершение соединения...", "Соединение завершено.").await;
        if let Err(panic) = outcome {
            std::panic::resume_unwind(panic);
        }
    }
    let out = Trace::default();
    let ev = virtual_loop();
    ev.run_until_complete(with_connection(out.clone(), |conn| async move {
        let c = conn.clone();
        let send_task = tulip::create_task(async move {
            c.step("Отправка данных...", "Данные отправлены.").await
        });
        let receive_task = tulip::create_task(async move {
            conn.step("Получение данных...", "Данные получены.").await
        });
        send_task.await.unwrap();
        receive_task.await.unwrap();
    }));
    ev.close();
    check(
        "sync_connection",
        &[],
        out.lines(),
        &[
            "Устанавливаем соединение...",
            "Соединение установлено.",
            "Отправка данных...",
            "Получение данных...",
            "Данные отправлены.",
            "Данные получены.",
            "Завершение соединения...",
            "Соединение завершено.",
        ],
        None,
    );
}
