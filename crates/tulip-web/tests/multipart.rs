//! multipart/form-data: `post()` and `multipart()` against aiohttp's (the
//! same handlers in twins/multipart_aiohttp.py, one Python client with
//! hand-built bodies), curl's `-F` uploads, and malformed bodies as raw
//! bytes (a 400, never a panic).

#![allow(clippy::unwrap_used)]

mod twins;

use std::path::PathBuf;
use std::process::{Command, Stdio};

use http::Method;
use tulip::web::{self, Application, Request, Response, TestClient, TestServer};

/// twins/multipart_aiohttp.py's `form`: text fields, then file parts.
async fn form(mut req: Request) -> web::Result<Response> {
    let data = req.post().await?;
    let mut out: Vec<String> = data.iter().map(|(k, v)| format!("{k}={v}")).collect();
    for f in data.files() {
        let filename = f.filename.as_deref().unwrap_or("None");
        out.push(format!("{}:{filename}:{}:{}", f.name, f.content_type, f.content.len()));
    }
    Ok(Response::text(out.join("|")))
}

/// twins/multipart_aiohttp.py's `parts`.
async fn parts(mut req: Request) -> web::Result<Response> {
    let mut reader = req.multipart()?;
    let mut out = Vec::new();
    while let Some(mut part) = reader.next().await? {
        let mut size = 0;
        while let Some(chunk) = part.read_chunk().await? {
            size += chunk.len();
        }
        out.push(format!(
            "{}:{}:{}:{size}",
            part.name().unwrap_or("None"),
            part.filename().unwrap_or("None"),
            part.content_type().unwrap_or("None")
        ));
    }
    Ok(Response::text(out.join("|")))
}

fn app(max_size: usize, max_fields: usize) -> Application {
    let mut app = Application::new().with_client_max_size(max_size).with_client_max_fields(max_fields);
    app.add_routes([web::post("/form", form), web::post("/parts", parts)]);
    app
}

#[test]
fn hand_built_forms_read_as_aiohttps() {
    let Some(py) = twins::aiohttp_python() else { return };
    let twin = twins::Twin::start(&py, "multipart_aiohttp.py");
    let theirs = twins::client_lines("multipart_client.py", twin.port);
    twin.stop();

    let ours = tulip::run(async {
        let server = TestServer::start(app(4096, 1000)).await.unwrap();
        let port = server.addr().port();
        let lines = tulip::to_thread(move || twins::client_lines("multipart_client.py", port)).await;
        server.close().await.unwrap();
        lines
    });
    assert_eq!(ours, theirs);
    assert!(theirs.contains("doc:r.pdf:application/pdf:16|empty:e.txt:text/plain:0"), "{theirs}");
    assert!(theirs.contains("/form 413"), "{theirs}");
}

fn have_curl() -> bool {
    let ok = Command::new("curl").arg("--version").stdout(Stdio::null()).status().is_ok();
    if !ok {
        println!("skipped: curl is not installed");
    }
    ok
}

#[test]
fn curl_uploads_files_to_post_and_to_the_part_reader() {
    if !have_curl() {
        return;
    }
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("multipart-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let small = dir.join("r.pdf");
    let pdf = b"%PDF-1.4 \x00\x01\x02 binary";
    std::fs::write(&small, pdf).unwrap();
    let big = dir.join("big.bin");
    std::fs::write(&big, vec![7u8; 3 << 20]).unwrap();
    let (small, big) = (small.display().to_string(), big.display().to_string());
    tulip::run(async move {
        let server = TestServer::start(app(1 << 20, 1000)).await.unwrap();
        let base = server.make_url("");
        let out = tulip::to_thread(move || {
            let curl = |args: &[&str]| {
                let o = Command::new("curl").args(["-s", "-w", " %{http_code}"]).args(args).output().unwrap();
                String::from_utf8_lossy(&o.stdout).into_owned()
            };
            vec![
                curl(&[
                    "-F",
                    "title=Report",
                    "-F",
                    &format!("doc=@{small};type=application/pdf"),
                    &format!("{base}/form"),
                ]),
                curl(&["-F", &format!("up=@{big}"), &format!("{base}/parts")]),
                curl(&["-F", &format!("up=@{big}"), &format!("{base}/form")]),
            ]
        })
        .await;
        assert_eq!(out[0], format!("title=Report|doc:r.pdf:application/pdf:{} 200", pdf.len()));
        assert_eq!(out[1], format!("up:big.bin:application/octet-stream:{} 200", 3 << 20));
        assert!(out[2].ends_with(" 413"), "{}", out[2]);
        server.close().await.unwrap();
    });
    std::fs::remove_dir_all(&dir).unwrap();
}

const CT: (&str, &str) = ("content-type", "multipart/form-data; boundary=B");

/// What is wrong, the request's headers, its body.
type Case = (&'static str, Vec<(&'static str, &'static str)>, &'static [u8]);

#[test]
fn malformed_bodies_are_400_and_the_server_goes_on() {
    let cases: Vec<Case> = vec![
        ("no boundary", vec![("content-type", "multipart/form-data")], b"--B\r\n\r\nx\r\n--B--\r\n"),
        ("not multipart", vec![("content-type", "multipart/form-data; boundary=")], b"x"),
        ("no closing delimiter", vec![CT], b"--B\r\ncontent-disposition: form-data; name=\"a\"\r\n\r\nabc"),
        ("headers never end", vec![CT], b"--B\r\ncontent-disposition: form-data; name=\"a\"\r\n"),
        ("a header without a colon", vec![CT], b"--B\r\nnot a header\r\n\r\nx\r\n--B--\r\n"),
        ("no first boundary", vec![CT], b"just bytes, no delimiter at all"),
        ("a part without a name", vec![CT], b"--B\r\ncontent-disposition: form-data\r\n\r\nx\r\n--B--\r\n"),
        ("a binary name", vec![CT], b"--B\r\ncontent-disposition: form-data; name=\"\xff\xfe\"\r\n\r\nx\r\n--B--\r\n"),
    ];
    tulip::run(async move {
        let client = TestClient::start(app(1 << 20, 1000)).await.unwrap();
        for (what, headers, body) in &cases {
            for path in ["/form", "/parts"] {
                let r = client.request(Method::POST, path, headers, body.to_vec().into()).await.unwrap();
                // A name that is not UTF-8 is no name: only post() needs one.
                let nameless = ["a part without a name", "a binary name"].contains(what);
                let ok_without_name = nameless && path == "/parts";
                if ok_without_name {
                    assert_eq!(r.status(), 200, "{what} {path}: {}", r.text());
                    continue;
                }
                assert_eq!(r.status(), 400, "{what} {path}: {}", r.text());
                assert!(r.text().starts_with("400: "), "{what} {path}: {}", r.text());
            }
        }
        let fine = client.request(Method::POST, "/form", &[CT], "--B--\r\n".into()).await.unwrap();
        assert_eq!((fine.status().as_u16(), fine.text()), (200, String::new()));
        client.close().await;
    });
}

#[test]
fn field_counts_and_sizes_are_limited() {
    let part = |i: usize| format!("--B\r\ncontent-disposition: form-data; name=\"f{i}\"\r\n\r\nv\r\n");
    let five: String = (0..5).map(part).collect::<String>() + "--B--\r\n";
    let six: String = (0..6).map(part).collect::<String>() + "--B--\r\n";
    tulip::run(async {
        let client = TestClient::start(app(1000, 5)).await.unwrap();
        let ok = client.request(Method::POST, "/form", &[CT], five.into()).await.unwrap();
        assert_eq!(ok.text(), "f0=v|f1=v|f2=v|f3=v|f4=v");
        let over = client.request(Method::POST, "/form", &[CT], six.into()).await.unwrap();
        assert_eq!((over.status().as_u16(), over.text()), (413, "Maximum number of form fields 5 exceeded.".into()));
        let urlenc = [("content-type", "application/x-www-form-urlencoded")];
        let over = client.request(Method::POST, "/form", &urlenc, "a=1&b=2&c=3&d=4&e=5&f=6".into()).await.unwrap();
        assert_eq!(over.status(), 413);
        let ok = client.request(Method::POST, "/form", &urlenc, "a=1&b=2".into()).await.unwrap();
        assert_eq!(ok.text(), "a=1|b=2");
        // One part over client_max_size: post() refuses the body, the
        // part reader streams it, a part's read() refuses it.
        let big = format!("--B\r\ncontent-disposition: form-data; name=\"f\"\r\n\r\n{}\r\n--B--\r\n", "z".repeat(1200));
        let r = client.request(Method::POST, "/form", &[CT], big.clone().into()).await.unwrap();
        assert_eq!(r.status(), 413);
        let r = client.request(Method::POST, "/parts", &[CT], big.into()).await.unwrap();
        assert_eq!(r.text(), "f:None:None:1200");
        client.close().await;
    });
}

#[test]
fn a_parts_read_is_limited_and_other_methods_have_no_form() {
    let mut app = Application::new().with_client_max_size(4);
    app.add_routes([
        web::post("/read", |mut req: Request| async move {
            let mut reader = req.multipart()?;
            let mut out = Vec::new();
            while let Some(part) = reader.next().await? {
                out.push(part.text().await?);
            }
            Ok::<_, web::HTTPException>(Response::text(out.join(",")))
        }),
        web::route("GET", "/form", form),
    ]);
    let body = |v: &str| format!("--B\r\ncontent-disposition: form-data; name=\"f\"\r\n\r\n{v}\r\n--B--\r\n");
    tulip::run(async move {
        let client = TestClient::start(app).await.unwrap();
        // The body is over 4 bytes: the reader is not limited, a part is.
        let r = client.request(Method::POST, "/read", &[CT], body("1234").into()).await.unwrap();
        assert_eq!((r.status().as_u16(), r.text()), (200, "1234".into()));
        let r = client.request(Method::POST, "/read", &[CT], body("12345").into()).await.unwrap();
        assert_eq!(r.status(), 413);
        let r = client.request(Method::GET, "/form", &[CT], Default::default()).await.unwrap();
        assert_eq!((r.status().as_u16(), r.text()), (200, String::new()));
        client.close().await;
    });
}
