//! aiohttp's `heartbeat=`: a ping after that long without a frame, and
//! the connection dropped (1006) when no frame comes back within half of it.

use std::rc::Rc;

use async_tungstenite::tungstenite::Message;
use bytes::Bytes;
use tulip_task::Task;

use crate::shared::Shared;
use crate::WebSocketError;

/// The heartbeat's task, if the connection has one. It holds the
/// connection weakly, so dropping the last handle ends both.
pub(crate) fn start(shared: &Rc<Shared>) -> Option<Task<()>> {
    let every = shared.cfg.get().heartbeat?;
    let weak = Rc::downgrade(shared);
    let lp = tulip_reactor::get_running_loop();
    let clock = lp.clone();
    Some(lp.create_internal_task(async move {
        loop {
            let Some(last) = weak.upgrade().and_then(|s| s.last_rx()) else { return };
            let due = last + every;
            if clock.time() < due {
                tulip_timer::sleep_until(due).await;
                continue;
            }
            let pinged = clock.time();
            let Some(s) = weak.upgrade() else { return };
            if s.send(Message::Ping(Bytes::new())).await.is_err() {
                return;
            }
            drop(s);
            tulip_timer::sleep(every / 2).await;
            let Some(s) = weak.upgrade() else { return };
            if s.last_rx().is_none_or(|t| t < pinged) {
                let why = format!("No PONG received after {} seconds", (every / 2).as_secs_f64());
                s.abort(WebSocketError::Timeout(why));
                return;
            }
        }
    }))
}
