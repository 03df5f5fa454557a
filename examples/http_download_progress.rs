//! A download over HTTP with a progress bar: the body is read in chunks as
//! it arrives (`response.content().iter_chunked(n)`, aiohttp's
//! `response.content.iter_chunked(n)`), written to a file on the blocking
//! pool (`to_thread`), and a bar drawn on stderr from `Content-Length` when
//! the server sends one (a running byte count when it streams without
//! one). The aiohttp version:
//!
//! ```python
//! async with session.get(url) as response:
//!     total = response.content_length
//!     with open(name, 'wb') as f:
//!         async for chunk in response.content.iter_chunked(16384):
//!             f.write(chunk)
//!             done += len(chunk)
//!             draw(done, total)
//! ```
//!
//! `cargo run --example http_download_progress [-- URL...] [--fast]`:
//! without URLs, a file server on loopback (`common/http_services.rs`)
//! serves two files, one with a length and one without (chunked encoding).
//! stdout gets one line per finished file; the bar goes to stderr.
#[path = "common/mod.rs"]
mod common;
#[path = "common/http_services.rs"]
mod http_services;

use futures_lite::StreamExt;
use std::io::Write;
use std::path::{Path, PathBuf};
use tulip::http::{ClientError, ClientSession};

/// `[#####     ]  42%  110592/262144 bytes`, or a count without a length.
fn draw(name: &str, done: u64, total: Option<u64>) {
    const WIDTH: u64 = 30;
    let line = match total {
        Some(total) if total > 0 => {
            let filled = (done * WIDTH / total).min(WIDTH) as usize;
            format!(
                "{name} [{}{}] {:3}% {done}/{total} bytes",
                "#".repeat(filled),
                " ".repeat(WIDTH as usize - filled),
                done * 100 / total
            )
        }
        _ => format!("{name} {done} bytes"),
    };
    eprint!("\r{line}");
    let _ = std::io::stderr().flush();
}

async fn download(session: &ClientSession, url: &str, dir: &Path) -> Result<String, ClientError> {
    let mut response = session.get(url).send().await?;
    response.raise_for_status()?;
    let name = response
        .url()
        .path_segments()
        .and_then(|mut s| s.next_back())
        .filter(|s| !s.is_empty())
        .unwrap_or("index.html")
        .to_string();
    let total = response.content_length();
    let path = dir.join(&name);
    let mut file = Some(std::fs::File::create(&path).map_err(tulip::http::ClientOSError::from)?);
    let mut done = 0u64;
    draw(&name, done, total);
    let mut chunks = std::pin::pin!(response.content().iter_chunked(16 * 1024));
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk?;
        done += chunk.len() as u64;
        // The write blocks: hand it (and the file) to a pool thread and back.
        let f = file.take().ok_or_else(|| tulip::http::ClientOSError::from(std::io::Error::other("file lost")))?;
        file = Some(
            tulip::to_thread(move || {
                let mut f = f;
                f.write_all(&chunk).map(|()| f)
            })
            .await
            .map_err(tulip::http::ClientOSError::from)?,
        );
        draw(&name, done, total);
    }
    eprintln!();
    let length = match total {
        Some(_) => "Content-Length",
        None => "no length",
    };
    Ok(format!("Finished downloading {name}: {done} bytes ({length})"))
}

fn main() {
    let urls = match http_services::url_args() {
        urls if !urls.is_empty() => urls,
        _ => {
            let files = http_services::start().files;
            vec![
                format!("{files}/files/manual.pdf?size=262144"),
                format!("{files}/files/eula.txt?size=100000&chunked=1"),
            ]
        }
    };
    let dir: PathBuf = std::env::temp_dir().join(format!("tulip-http-download-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("{}: {e}", dir.display());
        return;
    }
    let d = dir.clone();
    tulip::run(async move {
        let session = ClientSession::new();
        for url in &urls {
            match download(&session, url, &d).await {
                Ok(line) => println!("{line}"),
                Err(e) => println!("{url}: {e}"),
            }
        }
        session.close().await;
    });
    let _ = std::fs::remove_dir_all(&dir);
}
