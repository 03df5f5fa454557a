//! Seed 002, the aiohttp client: the first 70 characters of google.com's
//! page as text (`await resp.text()`, decoded by the charset the headers
//! name: google.com's, and the stand-in's, is ISO-8859-1).
//!
//! ```python
//! async with aiohttp.ClientSession() as session:
//!     async with session.get('http://google.com') as resp:
//!         text = await resp.text()
//!         print('{:.70}...'.format(text))
//! ```
//!
//! `cargo run --example http_page_text [-- URL] [--fast]`: without a URL, a
//! stand-in home page on loopback (`common/http_services.rs`). The seed's
//! `async with` stands at the top level; here it is in the coroutine
//! `tulip::run` runs, the session closed at its end. `{:.70}` counts
//! characters, as Python's does.
#[path = "common/mod.rs"]
mod common;
#[path = "common/http_services.rs"]
mod http_services;

use tulip::http::{ClientError, ClientSession};

async fn main_(url: String) -> Result<(), ClientError> {
    let session = ClientSession::new();
    let got = async {
        let mut resp = session.get(&url).send().await?;
        let text = resp.text().await?;
        println!("{text:.70}...");
        Ok(())
    }
    .await;
    session.close().await;
    got
}

fn main() {
    let url = match http_services::url_args().into_iter().next() {
        Some(url) => url,
        None => format!("{}/", http_services::start().files),
    };
    if let Err(e) = tulip::run(main_(url)) {
        println!("{e}");
    }
}
