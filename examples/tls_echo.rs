//! A TLS echo server and its client (asyncio's echo server/client with
//! `ssl=`): `tulip::net::tls::start_server` and `open_connection`, the same
//! `StreamReader` / `StreamWriter` as plain TCP. The certificate is made at
//! start-up for "localhost" (pass `--cert FILE --key FILE` to use yours);
//! the client trusts exactly that certificate, verifies the host name, and
//! asks for ALPN "echo/1".

use tulip::net::tls::{self, TlsContext};
use tulip::net::ExtraInfo;

async fn handle_echo(mut reader: tulip::StreamReader, mut writer: tulip::StreamWriter) {
    while let Ok(line) = reader.readline().await {
        if line.is_empty() {
            break;
        }
        println!("server: received {:?}", String::from_utf8_lossy(&line).trim_end());
        if writer.write(&line).is_err() || writer.drain().await.is_err() {
            return;
        }
    }
    writer.close();
    let _ = writer.wait_closed().await;
}

fn certificate() -> Result<(String, String), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    if let (Some(cert), Some(key)) = (arg("--cert"), arg("--key")) {
        return Ok((std::fs::read_to_string(cert)?, std::fs::read_to_string(key)?));
    }
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()])?;
    Ok((made.cert.pem(), made.signing_key.serialize_pem()))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (cert_pem, key_pem) = certificate()?;
    let server_ctx = TlsContext::server(&cert_pem, &key_pem)?.alpn(["echo/1"]);
    let client_ctx = TlsContext::client().with_ca_pem(&cert_pem)?.alpn(["echo/1"]);
    tulip::run(async move {
        let server = tls::start_server(handle_echo, "127.0.0.1", 0, server_ctx).await?;
        let port = server.sockets()[0].port();
        let (mut reader, mut writer) = tls::open_connection(&client_ctx, "localhost", port).await?;
        if let Some(ExtraInfo::SslVersion(v)) = writer.get_extra_info("ssl_version") {
            println!("client: connected with {v}");
        }
        if let Some(ExtraInfo::SelectedAlpnProtocol(p)) = writer.get_extra_info("selected_alpn_protocol") {
            println!("client: ALPN {:?}", String::from_utf8_lossy(&p));
        }
        for message in ["Hello, TLS!", "second line"] {
            writer.write(format!("{message}\n").as_bytes())?;
            let echoed = reader.readline().await?;
            println!("client: echoed {:?}", String::from_utf8_lossy(&echoed).trim_end());
        }
        writer.close();
        writer.wait_closed().await?;
        server.close();
        Ok(())
    })
}
