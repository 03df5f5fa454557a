//! aiohttp's WebSocket echo handler (its docs' `websocket_handler`), in
//! tulip:
//!
//! ```python
//! async def websocket_handler(request):
//!     ws = web.WebSocketResponse()
//!     await ws.prepare(request)
//!     async for msg in ws:
//!         if msg.type == aiohttp.WSMsgType.TEXT:
//!             if msg.data == 'close':
//!                 await ws.close()
//!             else:
//!                 await ws.send_str(msg.data + '/answer')
//!         elif msg.type == aiohttp.WSMsgType.ERROR:
//!             print('ws connection closed with exception %s' % ws.exception())
//!     print('websocket connection closed')
//!     return ws
//! ```
//!
//! ```sh
//! cargo run --example web_websocket_echo                  # serve ws://localhost:8080/ws until Ctrl-C
//! cargo run --example web_websocket_echo -- --self-test   # serve, talk to it with ws_connect, stop
//! ```

use futures_lite::StreamExt;
use tulip::http::ClientSession;
use tulip::web::{self, AppRunner, Application, Request, TCPSite, WSMessage, WSMsgType, WebSocketResponse};

async fn websocket_handler(request: Request) -> web::Result<WebSocketResponse> {
    let mut ws = WebSocketResponse::new();
    ws.prepare(&request).await?;
    while let Some(msg) = ws.next().await {
        if msg.type_() == WSMsgType::TEXT {
            let text = msg.text().unwrap_or_default();
            if text == "close" {
                let _ = ws.close(1000, "").await;
            } else {
                let _ = ws.send_str(&format!("{text}/answer")).await;
            }
        } else if msg.type_() == WSMsgType::ERROR {
            println!("ws connection closed with exception {:?}", ws.exception());
        }
    }
    println!("websocket connection closed");
    Ok(ws)
}

fn app() -> Application {
    let mut app = Application::new();
    app.add_routes([web::get("/ws", websocket_handler)]);
    app
}

/// Serves on a free port, talks to the handler as aiohttp's client
/// would, then shuts down.
async fn self_test() -> Result<(), Box<dyn std::error::Error>> {
    let mut runner = AppRunner::new(app());
    runner.setup().await?;
    let site = TCPSite::new(&runner, "127.0.0.1", 0).start().await?;
    let url = site.name().replace("http://", "ws://") + "/ws";
    let session = ClientSession::new();
    let ws = session.ws_connect(url.as_str()).await?;
    for word in ["hello", "world"] {
        ws.send_str(word).await?;
        let answer = ws.receive_str().await?;
        println!("sent {word:?}, got {answer:?}");
        assert_eq!(answer, format!("{word}/answer"));
    }
    ws.send_str("close").await?;
    let msg = ws.receive().await?;
    println!("the server closed: {msg:?}");
    assert_eq!(msg, WSMessage::Close { code: 1000, message: String::new() });
    session.close().await;
    runner.cleanup().await?;
    println!("self-test OK");
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().any(|a| a == "--self-test") {
        return tulip::run(self_test());
    }
    Ok(web::RunApp::new(app()).port(8080).run()?)
}
