//! Routing, requests, responses, middlewares, state and lifecycle, through
//! the TestClient.

#![allow(clippy::unwrap_used)]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use bytes::Bytes;
use http::Method;
use tulip::web::{
    self, AppKey, AppRunner, Application, Cookie, HTTPException, Next, Request, Response, StreamResponse, TestClient,
    TestServer,
};

async fn hello(request: Request) -> Response {
    let name = request.match_info().get("name").unwrap_or("Anonymous");
    Response::text(format!("Hello, {name}"))
}

fn run<F: std::future::Future<Output = ()> + 'static>(
    app: Application,
    body: impl FnOnce(Rc<TestClient>) -> F + 'static,
) {
    tulip::run(async move {
        let client = Rc::new(TestClient::start(app).await.unwrap());
        body(client.clone()).await;
        Rc::try_unwrap(client).unwrap().close().await;
    });
}

#[test]
fn the_seed_app_answers_like_aiohttp() {
    let mut app = Application::new();
    app.add_routes([web::get("/", hello), web::get("/{name}", hello)]);
    run(app, |c| async move {
        let r = c.get("/").await.unwrap();
        assert_eq!((r.status().as_u16(), r.text()), (200, "Hello, Anonymous".to_string()));
        assert_eq!(r.headers()["content-type"], "text/plain; charset=utf-8");
        assert_eq!(c.get("/bob").await.unwrap().text(), "Hello, bob");
        assert_eq!(c.get("/J%C3%BCrgen").await.unwrap().text(), "Hello, Jürgen");
        let r = c.get("/a/b").await.unwrap();
        assert_eq!((r.status().as_u16(), r.text()), (404, "404: Not Found".to_string()));
        let r = c.post("/bob", "").await.unwrap();
        assert_eq!((r.status().as_u16(), r.text()), (405, "405: Method Not Allowed".to_string()));
        assert_eq!(r.headers()["allow"], "GET,HEAD");
        let r = c.request(Method::HEAD, "/bob", &[], Bytes::new()).await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-length"], "10");
        assert!(r.bytes().is_empty());
    });
}

#[test]
fn tails_regexes_star_routes_and_url_for() {
    let mut app = Application::new();
    app.add_routes([
        web::get(
            r"/n/{id:\d+}",
            |r: Request| async move { Response::text(r.match_info().get("id").unwrap().to_string()) },
        )
        .name("num"),
        web::get("/files/{tail:.*}", |r: Request| async move {
            Response::text(r.match_info().get("tail").unwrap().to_string())
        }),
        web::route("*", "/any", |r: Request| async move { Response::text(r.method().to_string()) }),
        web::get("/where", |r: Request| async move {
            let url =
                r.app().router().url_for("num", &[("id", "42")]).map_err(|_| HTTPException::internal_server_error())?;
            Ok::<_, HTTPException>(Response::text(url))
        }),
        web::get("/go", |_: Request| async { HTTPException::found("/n/1") }),
    ]);
    run(app, |c| async move {
        assert_eq!(c.get("/n/123").await.unwrap().text(), "123");
        assert_eq!(c.get("/n/x").await.unwrap().status(), 404);
        assert_eq!(c.get("/files/a/b/c.txt").await.unwrap().text(), "a/b/c.txt");
        assert_eq!(c.request(Method::DELETE, "/any", &[], Bytes::new()).await.unwrap().text(), "DELETE");
        assert_eq!(c.get("/where").await.unwrap().text(), "/n/42");
        let r = c.get("/go").await.unwrap();
        assert_eq!(r.status(), 302);
        assert_eq!(r.headers()["location"], "/n/1");
    });
}

#[derive(serde::Deserialize, serde::Serialize, Debug, PartialEq)]
struct Item {
    name: String,
    qty: u32,
}

#[test]
fn request_parts_and_bodies() {
    let mut app = Application::new();
    app.add_routes([
        web::get("/q", |r: Request| async move {
            let q = r.query();
            Response::text(format!("{:?} {:?} {}", q.get_all("a"), q.get("b"), r.remote().unwrap()))
        }),
        web::get("/cookies", |r: Request| async move {
            let c = r.cookies();
            Response::text(format!("{} {}", c["a"], c["b"]))
        }),
        web::post("/json", |mut r: Request| async move {
            let item: Item = r.json().await?;
            web::json_response(&Item { name: item.name.to_uppercase(), qty: item.qty * 2 })
        }),
        web::post("/form", |mut r: Request| async move {
            let f = r.post().await?;
            Ok::<_, HTTPException>(Response::text(format!("{:?}", f.get_all("x"))))
        }),
        web::post("/len", |mut r: Request| async move {
            let mut n = 0;
            let mut s = r.content().unwrap();
            while let Some(chunk) = s.read_chunk().await {
                n += chunk?.len();
            }
            Ok::<_, HTTPException>(Response::text(n.to_string()))
        }),
        web::post("/read", |mut r: Request| async move { Ok::<_, HTTPException>(Response::body(r.read().await?)) }),
    ]);
    run(app, |c| async move {
        assert_eq!(c.get("/q?a=1&b=x+y&a=2").await.unwrap().text(), r#"["1", "2"] Some("x y") 127.0.0.1"#);
        let r = c.request(Method::GET, "/cookies", &[("cookie", "a=1; b=two")], Bytes::new()).await.unwrap();
        assert_eq!(r.text(), "1 two");
        let r = c
            .request(Method::POST, "/json", &[("content-type", "application/json")], r#"{"name":"pen","qty":2}"#.into())
            .await
            .unwrap();
        assert_eq!(r.json::<Item>().unwrap(), Item { name: "PEN".into(), qty: 4 });
        assert_eq!(c.post("/json", "{nope").await.unwrap().status(), 400);
        let r = c
            .request(
                Method::POST,
                "/form",
                &[("content-type", "application/x-www-form-urlencoded")],
                "x=1&x=%202".into(),
            )
            .await
            .unwrap();
        assert_eq!(r.text(), r#"["1", " 2"]"#);
        // Bodies past client_max_size (1 MiB) are 413 for read(), not for the stream.
        let big = Bytes::from(vec![b'z'; 1024 * 1024 + 1]);
        let r = c.post("/read", big.clone()).await.unwrap();
        assert_eq!(r.status(), 413);
        assert!(r.text().contains("1048576"));
        assert_eq!(c.post("/len", big).await.unwrap().text(), "1048577");
        assert_eq!(c.post("/read", vec![b'k'; 1024 * 1024]).await.unwrap().bytes().len(), 1024 * 1024);
    });
}

#[test]
fn cookies_out_and_status() {
    let mut app = Application::new();
    app.add_routes([web::get("/", |_: Request| async {
        let mut r = Response::text("made").with_status(201).with_header("x-a", "1");
        r.set_cookie(Cookie::build(("s", "v 1")).path("/").build());
        r.del_cookie("old");
        r
    })]);
    run(app, |c| async move {
        let r = c.get("/").await.unwrap();
        assert_eq!(r.status(), 201);
        let cookies: Vec<_> =
            r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
        assert_eq!(cookies[0], "s=v%201; Path=/");
        assert!(cookies[1].starts_with("old=; ") && cookies[1].contains("Max-Age=0"), "{cookies:?}");
    });
}

static HITS: AppKey<RefCell<u32>> = AppKey::new("hits");

/// Middlewares wrap in aiohttp's order: the first added is outermost; an
/// exception from the handler reaches them as an Err.
#[test]
fn middlewares_run_as_an_onion_and_see_exceptions() {
    let log = Rc::new(RefCell::new(Vec::<String>::new()));
    let mut app = Application::new();
    app.insert(&HITS, RefCell::new(0));
    for name in ["outer", "inner"] {
        let log = log.clone();
        app.add_middleware(move |req: Request, next: Next| {
            let log = log.clone();
            async move {
                log.borrow_mut().push(format!("{name} in"));
                let r = next.run(req).await;
                log.borrow_mut()
                    .push(format!("{name} out {}", r.as_ref().map_or_else(|e| e.status(), |r| r.status()).as_u16()));
                r
            }
        });
    }
    app.add_middleware(|req: Request, next: Next| async move {
        match next.run(req).await {
            Err(e) if e.status() == 404 => Ok(Response::text("custom 404").with_status(404)),
            other => other,
        }
    });
    let l = log.clone();
    app.add_routes([web::get("/", move |r: Request| {
        let l = l.clone();
        async move {
            l.borrow_mut().push("handler".into());
            let hits = r.app().get(&HITS).unwrap();
            *hits.borrow_mut() += 1;
            let n = *hits.borrow();
            Response::text(n.to_string())
        }
    })]);
    run(app, |c| async move {
        assert_eq!(c.get("/").await.unwrap().text(), "1");
        assert_eq!(*log.borrow(), ["outer in", "inner in", "handler", "inner out 200", "outer out 200"]);
        log.borrow_mut().clear();
        let r = c.get("/missing").await.unwrap();
        assert_eq!((r.status().as_u16(), r.text()), (404, "custom 404".to_string()));
        assert_eq!(c.get("/").await.unwrap().text(), "2");
    });
}

#[test]
fn lifecycle_hooks_run_around_serving() {
    static DB: AppKey<String> = AppKey::new("db");
    let log = Rc::new(RefCell::new(Vec::<String>::new()));
    let mut app = Application::new();
    let l = log.clone();
    app.cleanup_ctx(move |app: Rc<Application>| {
        let l = l.clone();
        async move {
            app.insert(&DB, "connected".to_string());
            l.borrow_mut().push("ctx up".into());
            Ok(move || async move { l.borrow_mut().push("ctx down".into()) })
        }
    });
    for (hook, name) in [(0, "startup"), (1, "shutdown"), (2, "cleanup")] {
        let l = log.clone();
        let f = move |_app: Rc<Application>| {
            let l = l.clone();
            async move {
                l.borrow_mut().push(name.into());
                Ok(())
            }
        };
        match hook {
            0 => app.on_startup(f),
            1 => app.on_shutdown(f),
            _ => app.on_cleanup(f),
        }
    }
    app.add_routes([web::get("/", |r: Request| async move { Response::text(r.app().get(&DB).unwrap().to_string()) })]);
    let l = log.clone();
    tulip::run(async move {
        let client = TestClient::start(app).await.unwrap();
        assert_eq!(*l.borrow(), ["ctx up", "startup"]);
        assert_eq!(client.get("/").await.unwrap().text(), "connected");
        client.close().await;
    });
    assert_eq!(*log.borrow(), ["ctx up", "startup", "shutdown", "ctx down", "cleanup"]);
}

#[test]
fn a_failing_startup_hook_fails_setup() {
    let mut app = Application::new();
    app.on_startup(|_| async { Err("no database".into()) });
    tulip::run(async {
        let err = TestServer::start(app).await.unwrap_err();
        assert_eq!(err.to_string(), "application hook failed: no database");
    });
}

/// A StreamResponse's pieces arrive while the handler still runs.
#[test]
fn stream_responses_are_sent_as_written() {
    let mut app = Application::new();
    app.add_routes([web::get("/sse", |r: Request| async move {
        let mut s = StreamResponse::new();
        s.set_content_type("text/event-stream");
        s.prepare(&r).await?;
        for i in 0..3 {
            s.write(format!("data: {i}\n\n")).await.map_err(|_| HTTPException::bad_request())?;
            tulip::sleep(Duration::from_millis(20)).await;
        }
        Ok::<_, HTTPException>(s)
    })]);
    tulip::run(async move {
        let server = TestServer::start(app).await.unwrap();
        let tcp = tulip::TcpStream::connect(server.addr()).await.unwrap();
        let (mut sender, conn) = hyper::client::conn::http1::handshake(tulip_hyper::HyperIo::new(tcp)).await.unwrap();
        tulip::create_task(conn);
        let req = hyper::Request::get("/sse").header("host", "x").body(http_body_util::Empty::<Bytes>::new()).unwrap();
        let start = std::time::Instant::now();
        let res = sender.send_request(req).await.unwrap();
        let head_after = start.elapsed();
        assert_eq!(res.headers()["content-type"], "text/event-stream");
        use http_body_util::BodyExt;
        let body = res.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(body, "data: 0\n\ndata: 1\n\ndata: 2\n\n");
        // The head came before the handler finished its sleeps.
        assert!(head_after < start.elapsed(), "{head_after:?}");
        server.close().await.unwrap();
    });
}

#[test]
fn static_files_refuse_traversal() {
    let base = std::env::temp_dir().join(format!("tulip-web-static-{}", std::process::id()));
    let root = base.join("root");
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::write(root.join("a.css"), "body{}").unwrap();
    std::fs::write(root.join("sub/b.txt"), "bee").unwrap();
    std::fs::write(base.join("secret.txt"), "secret").unwrap();
    std::os::unix::fs::symlink(base.join("secret.txt"), root.join("escape.txt")).unwrap();
    std::os::unix::fs::symlink(root.join("a.css"), root.join("inside.css")).unwrap();
    let mut app = Application::new();
    app.router_mut().add_static("/static", &root, Some("static")).unwrap();
    run(app, |c| async move {
        let r = c.get("/static/a.css").await.unwrap();
        assert_eq!((r.status().as_u16(), r.text()), (200, "body{}".to_string()));
        assert_eq!(r.headers()["content-type"], "text/css");
        let lm = r.headers()["last-modified"].to_str().unwrap().to_string();
        let r304 = c.request(Method::GET, "/static/a.css", &[("if-modified-since", &lm)], Bytes::new()).await.unwrap();
        assert_eq!(r304.status(), 304);
        assert_eq!(c.get("/static/sub/b.txt").await.unwrap().text(), "bee");
        assert_eq!(c.get("/static/inside.css").await.unwrap().text(), "body{}");
        for bad in [
            "/static/../secret.txt",
            "/static/%2e%2e/secret.txt",
            "/static/sub/%2E%2E/%2e%2e/secret.txt",
            "/static/escape.txt",
        ] {
            let r = c.get(bad).await.unwrap();
            assert!(matches!(r.status().as_u16(), 403 | 404), "{bad}: {}", r.status());
            assert!(!r.text().contains("secret"), "{bad}");
        }
        assert_eq!(c.get("/static/sub").await.unwrap().status(), 403);
        assert_eq!(c.get("/static/nope.txt").await.unwrap().status(), 404);
    });
    std::fs::remove_dir_all(&base).unwrap();
}

#[test]
fn a_large_file_streams_whole() {
    let path = std::env::temp_dir().join(format!("tulip-web-big-{}.bin", std::process::id()));
    let data: Vec<u8> = (0..3 * 1024 * 1024 + 17).map(|i| (i % 251) as u8).collect();
    std::fs::write(&path, &data).unwrap();
    let p = path.clone();
    let mut app = Application::new();
    app.add_routes([web::get("/big", move |_: Request| {
        let p = p.clone();
        async move { web::FileResponse::new(p) }
    })]);
    run(app, |c| async move {
        let r = c.get("/big").await.unwrap();
        assert_eq!(r.headers()["content-length"], data.len().to_string().as_str());
        assert!(r.bytes()[..] == data[..]);
    });
    std::fs::remove_file(path).unwrap();
}

/// Shutdown lets an in-flight request finish and cancels one that
/// outlives shutdown_timeout; an idle kept-alive connection does not hold
/// shutdown up.
#[test]
fn graceful_shutdown_finishes_then_cancels() {
    let mut app = Application::new();
    app.add_routes([web::get("/sleep/{ms}", |r: Request| async move {
        let ms: u64 = r.match_info().get("ms").unwrap().parse().unwrap();
        tulip::sleep(Duration::from_millis(ms)).await;
        Response::text("slept")
    })]);
    tulip::run(async move {
        let runner = AppRunner::new(app).with_shutdown_timeout(Duration::from_millis(800));
        let server = TestServer::start_with(runner).await.unwrap();
        let addr = server.addr();
        // An idle kept-alive connection, after one request.
        let mut idle = tulip::TcpStream::connect(addr).await.unwrap();
        {
            use futures_lite::{AsyncReadExt, AsyncWriteExt};
            idle.write_all(b"GET /sleep/0 HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
            let mut buf = [0u8; 512];
            assert!(idle.read(&mut buf).await.unwrap() > 0);
        }
        let get = |path: &'static str| {
            tulip::create_task(async move {
                let tcp = tulip::TcpStream::connect(addr).await.unwrap();
                let (mut s, conn) =
                    hyper::client::conn::http1::handshake(tulip_hyper::HyperIo::new(tcp)).await.unwrap();
                tulip::create_task(conn);
                let req =
                    hyper::Request::get(path).header("host", "x").body(http_body_util::Empty::<Bytes>::new()).unwrap();
                match s.send_request(req).await {
                    Ok(res) => {
                        use http_body_util::BodyExt;
                        Some(res.into_body().collect().await.map(|b| b.to_bytes()).ok())
                    }
                    Err(_) => None,
                }
            })
        };
        let short = get("/sleep/200");
        let long = get("/sleep/5000");
        let kept = get("/sleep/0");
        assert!(kept.await.unwrap().is_some());
        tulip::sleep(Duration::from_millis(50)).await;
        let t = std::time::Instant::now();
        server.close().await.unwrap();
        let took = t.elapsed();
        assert_eq!(short.await.unwrap(), Some(Some(Bytes::from("slept"))));
        assert_eq!(long.await.unwrap(), None, "the long request should be cancelled");
        assert!(took >= Duration::from_millis(700) && took < Duration::from_secs(4), "{took:?}");
        drop(idle);
    });
}

#[test]
fn a_unix_site_serves_and_logs_access() {
    let path = std::env::temp_dir().join(format!("tulip-web-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let mut app = Application::new();
    app.add_routes([web::get("/{name}", hello)]);
    let lines = Rc::new(RefCell::new(Vec::<String>::new()));
    let l = lines.clone();
    let p = path.clone();
    tulip::run(async move {
        let mut runner =
            AppRunner::new(app).with_access_log(web::AccessLog::new(move |s| l.borrow_mut().push(s.to_string())));
        runner.setup().await.unwrap();
        let site = web::UnixSite::new(&runner, &p).start().await.unwrap();
        assert_eq!(site.name(), format!("http://unix:{}:", p.display()));
        let sock = tulip::UnixStream::connect(&p).await.unwrap();
        let (mut s, conn) = hyper::client::conn::http1::handshake(tulip_hyper::HyperIo::new(sock)).await.unwrap();
        tulip::create_task(conn);
        let req = hyper::Request::get("/unix?x=1")
            .header("host", "x")
            .header("user-agent", "ua/1")
            .body(http_body_util::Empty::<Bytes>::new())
            .unwrap();
        let res = s.send_request(req).await.unwrap();
        use http_body_util::BodyExt;
        assert_eq!(res.into_body().collect().await.unwrap().to_bytes(), "Hello, unix");
        drop(s);
        runner.cleanup().await.unwrap();
    });
    let lines = lines.borrow();
    assert_eq!(lines.len(), 1);
    // `-` for a Unix peer; aiohttp's fields in its order; the size is what
    // went out: status line 17, content-type 41, server 25, content-length
    // 20, date 37, blank line 2, body 11.
    assert!(lines[0].starts_with("- ["), "{}", lines[0]);
    assert!(lines[0].ends_with("\"GET /unix?x=1 HTTP/1.1\" 200 153 \"-\" \"ua/1\""), "{}", lines[0]);
    let _ = std::fs::remove_file(path);
}

/// As aiohttp's `await runner.cleanup()`: once it returns, the site's
/// socket is closed (the accept loop is gone, not only asked to go).
#[test]
fn cleanup_closes_the_listening_socket_before_it_returns() {
    tulip::run(async {
        let server = TestServer::start(Application::new()).await.unwrap();
        let addr = server.addr();
        server.close().await.unwrap();
        let refused = std::net::TcpStream::connect(addr).unwrap_err();
        assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
    });
}
