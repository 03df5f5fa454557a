//! asyncio's streams handed to Rust's I/O ecosystem: the server reads its
//! `StreamReader` as a futures-io `AsyncBufRead` (`lines()`), answers
//! through `AsyncWrite` (`write_all`), and the client sends a document with
//! `futures_lite::io::copy` and reads the answer with `read_to_string`.
//! Every byte goes through the same buffers and flow control as
//! `readline()` / `write()` + `drain()`.

use futures_lite::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, StreamExt};

const DOCUMENT: &str = "tulip\nasyncio\nstreams\n\nfutures-io\n";

async fn count_lines(reader: tulip::StreamReader, mut writer: tulip::StreamWriter) {
    let mut lines = reader.lines();
    let (mut count, mut longest) = (0, String::new());
    while let Some(Ok(line)) = lines.next().await {
        count += 1;
        if line.len() > longest.len() {
            longest = line;
        }
    }
    let answer = format!("{count} lines, the longest is {longest:?}\n");
    if writer.write_all(answer.as_bytes()).await.is_ok() {
        let _ = AsyncWriteExt::close(&mut writer).await;
    }
}

fn main() -> std::io::Result<()> {
    tulip::run(async {
        let server = tulip::start_server(count_lines, "127.0.0.1", 0).await?;
        let port = server.sockets()[0].port();
        let (mut reader, mut writer) = tulip::open_connection("127.0.0.1", port).await?;
        let sent = futures_lite::io::copy(DOCUMENT.as_bytes(), &mut writer).await?;
        println!("sent {sent} bytes");
        writer.write_eof();
        let mut answer = String::new();
        reader.read_to_string(&mut answer).await?;
        print!("server: {answer}");
        server.close();
        Ok(())
    })
}
