//! A session dropped unclosed is reported through the loop's exception
//! handler, as aiohttp reports "Unclosed client session".
#![allow(clippy::unwrap_used)]

use std::cell::RefCell;
use std::rc::Rc;

use tulip::http::ClientSession;

#[test]
fn an_unclosed_session_is_reported_and_a_closed_one_is_not() {
    let seen = tulip::run(async {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let sink = Rc::clone(&seen);
        tulip::get_running_loop().set_exception_handler(move |ctx: &tulip::ExceptionContext| {
            sink.borrow_mut().push(ctx.to_string());
        });
        drop(ClientSession::new());
        let closed = ClientSession::new();
        closed.close().await;
        drop(closed);
        // The one-shot request's own session is closed by design.
        drop(tulip::http::request("GET", "http://127.0.0.1:9/"));
        let out = seen.borrow().clone();
        out
    });
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].starts_with("Unclosed client session"), "{}", seen[0]);
    assert!(seen[0].contains("client_session: <tulip::http::ClientSession>"), "{}", seen[0]);
    assert!(seen[0].contains("source: crates/tulip-http/tests/unclosed.rs"), "names where it was created: {}", seen[0]);
}
