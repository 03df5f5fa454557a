//! Sub-applications (`add_subapp`, `add_domain`) against aiohttp: the
//! same applications served by aiohttp (twins/subapps_aiohttp.py) and by
//! tulip answer one Python client alike, and run their hooks in the same
//! order.

#![allow(clippy::unwrap_used)]

mod twins;

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

use tulip::web::{self, AppKey, Application, HTTPException, Next, Request, Response, TestClient, TestServer};

static K: AppKey<String> = AppKey::new("k");
static P: AppKey<String> = AppKey::new("p");

type Log = Rc<RefCell<Vec<String>>>;

fn mw(app: &mut Application, tag: &'static str) {
    app.add_middleware(move |req: Request, next: Next| async move {
        let seen = req.app().get(&K).map(|v| v.to_string()).unwrap_or_default();
        let name = format!("x-mw-{tag}");
        match next.run(req).await {
            Ok(r) => Ok(r.with_header(&name, &seen)),
            Err(e) => Err(e.with_header(&name, &seen)),
        }
    });
}

async fn info(req: Request) -> Response {
    let conf = req.config_dict();
    let url = req.app().router().url_for("item", &[("id", "7 8")]).unwrap_or_else(|_| "-".into());
    let mi: Vec<String> = req.match_info().iter().map(|(k, v)| format!("{k}={v}")).collect();
    Response::text(format!(
        "app={} p={} k={} path={} mi={} url={url}",
        req.app().get(&K).unwrap(),
        conf.get(&P).map_or("-".to_string(), |v| v.to_string()),
        conf.get(&K).unwrap(),
        req.path(),
        mi.join(","),
    ))
}

fn hooks(app: &mut Application, name: &'static str, log: &Log) {
    let l = log.clone();
    app.cleanup_ctx(move |_| {
        let l = l.clone();
        async move {
            l.borrow_mut().push(format!("{name} ctx up"));
            Ok(move || async move { l.borrow_mut().push(format!("{name} ctx down")) })
        }
    });
    let hook = |sig: &'static str| {
        let l = log.clone();
        move |app: Rc<Application>| {
            let l = l.clone();
            async move {
                l.borrow_mut().push(format!("{name} {sig} {}", app.get(&K).unwrap()));
                Ok(())
            }
        }
    };
    app.on_startup(hook("startup"));
    app.on_shutdown(hook("shutdown"));
    app.on_cleanup(hook("cleanup"));
}

/// twins/subapps_aiohttp.py's `build()`.
fn twin_app(log: &Log) -> Application {
    let mut parent = Application::new();
    mw(&mut parent, "p1");
    mw(&mut parent, "p2");
    parent.insert(&K, "parent".into());
    parent.insert(&P, "pv".into());
    hooks(&mut parent, "parent1", log);
    let l = log.clone();
    parent.add_routes([
        web::get("/{tail:.*}", |_: Request| async { Response::text("tail") }),
        web::get("/plain", info),
        web::get("/hooks", move |_: Request| {
            let text = l.borrow().join(";");
            async move { Response::text(text) }
        }),
    ]);
    let mut sub = Application::new();
    mw(&mut sub, "s1");
    sub.insert(&K, "sub".into());
    hooks(&mut sub, "sub", log);
    sub.add_routes([web::get("/", info), web::get("/items/{id}", info).name("item"), web::post("/only-post", info)]);
    let mut inner = Application::new();
    inner.insert(&K, "inner".into());
    inner.add_routes([web::get("/x/{id}", info).name("item")]);
    sub.add_subapp("/inner", inner);
    parent.add_subapp("/admin/", sub);
    hooks(&mut parent, "parent2", log);
    parent
}

#[test]
fn subapps_answer_and_hook_as_aiohttps() {
    let Some(py) = twins::aiohttp_python() else { return };
    let twin = twins::Twin::start(&py, "subapps_aiohttp.py");
    let theirs = twins::client_lines("subapps_client.py", twin.port);
    let their_hooks = twin.stop();

    let log = Log::default();
    let app = twin_app(&log);
    let ours = tulip::run(async {
        let server = TestServer::start(app).await.unwrap();
        let port = server.addr().port();
        let lines = tulip::to_thread(move || twins::client_lines("subapps_client.py", port)).await;
        server.close().await.unwrap();
        lines
    });
    assert_eq!(ours, theirs);
    assert_eq!(log.borrow().join(";"), their_hooks);
    // What the twin shows, spelled out.
    assert!(theirs.contains("GET /admin/inner/x/5 200 allow=None p1=parent p2=parent s1=sub 'app=inner p=pv k=inner"));
    assert!(theirs.contains("PUT /admin/only-post 405 allow=POST"));
}

#[test]
fn a_prefix_must_be_a_path() {
    let mut app = Application::new();
    for bad in ["", "/", "//", "admin", "/{x}"] {
        assert!(app.try_add_subapp(bad, Application::new()).is_err(), "{bad:?}");
    }
    assert!(app.add_domain("bad domain", Application::new()).is_err());
}

fn greeter(text: &'static str) -> Application {
    let mut app = Application::new();
    app.add_routes([web::get("/", move |_: Request| async move { Response::text(text) })]);
    app
}

#[test]
fn domains_pick_their_subapp_by_host() {
    let mut app = greeter("main");
    app.add_domain("*.example.com", greeter("masked")).unwrap();
    app.add_domain("docs.example.org:8080", greeter("docs")).unwrap();
    tulip::run(async {
        let server = TestServer::start(app).await.unwrap();
        let addr = server.addr();
        let answers = tulip::to_thread(move || {
            ["a.example.com", "docs.example.org:8080", "docs.example.org:9090", "example.com"]
                .iter()
                .map(|host| {
                    let mut s = std::net::TcpStream::connect(addr).unwrap();
                    write!(s, "GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
                    let mut r = String::new();
                    std::io::Read::read_to_string(&mut s, &mut r).unwrap();
                    r.rsplit("\r\n\r\n").next().unwrap().to_string()
                })
                .collect::<Vec<_>>()
        })
        .await;
        assert_eq!(answers, ["masked", "docs", "main", "main"]);
        server.close().await.unwrap();
    });
}

#[test]
fn the_roots_body_limit_applies_in_a_subapp() {
    let mut sub = Application::new().with_client_max_size(1);
    sub.add_routes([web::post("/echo", |mut r: Request| async move {
        Ok::<_, HTTPException>(Response::body(r.read().await?))
    })]);
    let mut app = Application::new().with_client_max_size(8);
    app.add_subapp("/s", sub);
    tulip::run(async {
        let client = TestClient::start(app).await.unwrap();
        let ok = client.request(http::Method::POST, "/s/echo", &[], "12345678".into()).await.unwrap();
        assert_eq!((ok.status().as_u16(), ok.text()), (200, "12345678".to_string()));
        let big = client.request(http::Method::POST, "/s/echo", &[], "123456789".into()).await.unwrap();
        assert_eq!(big.status().as_u16(), 413);
        client.close().await;
    });
}

#[test]
fn a_failing_subapp_startup_fails_the_runner() {
    let mut sub = Application::new();
    sub.on_startup(|_| async { Err("no database".into()) });
    let mut app = Application::new();
    app.add_subapp("/s", sub);
    tulip::run(async {
        let err = TestServer::start(app).await.unwrap_err();
        assert!(err.to_string().contains("no database"), "{err}");
    });
}
