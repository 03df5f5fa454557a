//! The tutorials' `download_coroutine`, done right: chunks are read from a
//! server socket as they arrive, and the blocking file writes go to the
//! blocking pool with `to_thread`, so the loop never blocks. A local server
//! plays the part of the website (serving three "files").
#[path = "common/mod.rs"]
mod common;

use std::io::Write;
use std::path::PathBuf;

async fn serve_file(mut reader: tulip::StreamReader, mut writer: tulip::StreamWriter) {
    // The request is the file's name on one line; the reply is its bytes.
    let name = reader.readline().await.unwrap_or_default();
    let size = 256 * 1024 * (1 + name.len() % 3);
    let body: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
    for chunk in body.chunks(16 * 1024) {
        if writer.write(chunk).is_err() || writer.drain().await.is_err() {
            return;
        }
        tulip::sleep(common::secs(0.01)).await;
    }
    writer.close();
}

async fn download_coroutine(port: u16, name: &str, dir: PathBuf) -> std::io::Result<String> {
    let (mut reader, mut writer) = tulip::open_connection("127.0.0.1", port).await?;
    writer.write(format!("{name}\n").as_bytes())?;
    let path = dir.join(name);
    let file = std::fs::File::create(&path)?;
    let mut file = Some(file);
    loop {
        let chunk = reader.read(64 * 1024).await?;
        if chunk.is_empty() {
            break;
        }
        // The write blocks: hand it (and the file) to a pool thread and back.
        let f = file.take().ok_or_else(|| std::io::Error::other("file lost"))?;
        file = Some(
            tulip::to_thread(move || {
                let mut f = f;
                f.write_all(&chunk).map(|()| f)
            })
            .await?,
        );
    }
    Ok(format!("Finished downloading {name}"))
}

fn main() -> std::io::Result<()> {
    let dir = std::env::temp_dir().join(format!("tulip-download-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let d = dir.clone();
    tulip::run(async move {
        let server = tulip::start_server(serve_file, "127.0.0.1", 0).await?;
        let port = server.sockets()[0].port();
        let names = ["eula.pdf", "release-notes.pdf", "manual.pdf"];
        let downloads = names.iter().map(|n| download_coroutine(port, n, d.clone()));
        for msg in tulip::gather(downloads).await.map_err(|e| std::io::Error::other(e.to_string()))? {
            println!("{}", msg?);
        }
        server.close();
        Ok::<_, std::io::Error>(())
    })?;
    for name in ["eula.pdf", "release-notes.pdf", "manual.pdf"] {
        println!("{name}: {} bytes on disk", std::fs::metadata(dir.join(name))?.len());
    }
    std::fs::remove_dir_all(&dir)
}
