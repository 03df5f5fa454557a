//! An echo server and its client with `start_server` / `open_connection`
//! (the asyncio docs' "TCP echo server/client using streams"): lines in,
//! lines out. The program starts the server, runs the client against it,
//! and shuts the server down.

async fn handle_echo(mut reader: tulip::StreamReader, mut writer: tulip::StreamWriter) {
    let data = reader.read(100).await.unwrap_or_default();
    let message = String::from_utf8_lossy(&data).into_owned();
    let addr = writer.get_extra_info("peername");
    println!("Received {message:?} from {addr:?}");
    println!("Send: {message:?}");
    if writer.write(&data).is_ok() {
        let _ = writer.drain().await;
    }
    println!("Close the connection");
    writer.close();
    let _ = writer.wait_closed().await;
}

async fn tcp_echo_client(port: u16, message: &str) -> std::io::Result<()> {
    let (mut reader, mut writer) = tulip::open_connection("127.0.0.1", port).await?;
    println!("Send: {message:?}");
    writer.write(message.as_bytes())?;
    writer.drain().await?;
    let data = reader.read(100).await?;
    println!("Received: {:?}", String::from_utf8_lossy(&data));
    println!("Close the connection");
    writer.close();
    writer.wait_closed().await
}

fn main() -> std::io::Result<()> {
    tulip::run(async {
        let server = tulip::start_server(handle_echo, "127.0.0.1", 0).await?;
        let addrs: Vec<String> = server.sockets().iter().map(|a| a.to_string()).collect();
        println!("Serving on {}", addrs.join(", "));
        tcp_echo_client(server.sockets()[0].port(), "Hello World!").await?;
        server.close();
        server.wait_closed().await;
        Ok(())
    })
}
