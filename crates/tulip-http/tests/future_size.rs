//! The request future's size. Every request moves its future a few times
//! (into the task, through the timeouts), and each move copies all of it:
//! a connection-opening path kept inline once made it kilobytes and cost
//! ~10,000 instructions of `memcpy` per request. This guards against it
//! growing back.
#![allow(clippy::unwrap_used)]

/// A debug build's figure (release futures are smaller): 4.3 KB today,
/// 7.8 KB with the opening path inline.
const LIMIT: usize = 6144;

#[test]
fn a_request_future_stays_small() {
    tulip::run(async {
        let session = tulip::http::ClientSession::new();
        let send = session.get("http://127.0.0.1:9/").send();
        let size = std::mem::size_of_val(&send);
        println!("send() future: {size} bytes");
        assert!(size <= LIMIT, "the request future is {size} bytes (limit {LIMIT})");
        drop(send);
        session.close().await;
    });
}
