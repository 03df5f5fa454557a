//! Which loops handle which signal, for the whole process.
//!
//! The rules:
//!
//! * One registry, behind a mutex, touched only by normal code (never by
//!   the C handler): signal -> the disposition ours replaced, and the
//!   loops that asked for it (their `RemoteHandle`s).
//! * The first loop to take a signal installs the C handler; the last one
//!   to let go of it (`remove_signal_handler`, or the loop closing) puts
//!   the old disposition back.
//! * Whichever loop reads a signal's byte from the self-pipe forwards the
//!   signal to every loop registered for it, itself included, with
//!   `call_soon_threadsafe`: each loop then runs its own handler.

use crate::signal_pipe;
use std::collections::BTreeMap;
use std::io;
use std::sync::{Mutex, MutexGuard, PoisonError};
use tulip_reactor::RemoteHandle;

/// A signal that some loop handles.
struct Taken {
    /// The disposition before ours.
    previous: libc::sigaction,
    /// The loops that handle it: their id and handle.
    loops: Vec<(u64, RemoteHandle)>,
}

static REGISTRY: Mutex<BTreeMap<i32, Taken>> = Mutex::new(BTreeMap::new());

fn registry() -> MutexGuard<'static, BTreeMap<i32, Taken>> {
    // Nothing panics while holding the lock; if something did, the map is
    // still consistent.
    REGISTRY.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Records that loop `id` handles `sig`, installing the C handler if it is
/// the first loop to. Taking a signal twice is taking it once.
pub(crate) fn take(sig: i32, id: u64, remote: RemoteHandle) -> io::Result<()> {
    let mut reg = registry();
    match reg.get_mut(&sig) {
        Some(taken) => {
            if !taken.loops.iter().any(|(l, _)| *l == id) {
                taken.loops.push((id, remote));
            }
        }
        None => {
            let previous = signal_pipe::install(sig)?;
            reg.insert(sig, Taken { previous, loops: vec![(id, remote)] });
        }
    }
    Ok(())
}

/// Loop `id` no longer handles `sig`; if it was the last, the disposition
/// from before the first `take` comes back.
pub(crate) fn release(sig: i32, id: u64) -> io::Result<()> {
    let mut reg = registry();
    let Some(taken) = reg.get_mut(&sig) else { return Ok(()) };
    taken.loops.retain(|(l, _)| *l != id);
    if taken.loops.is_empty() {
        if let Some(taken) = reg.remove(&sig) {
            signal_pipe::restore(sig, &taken.previous)?;
        }
    }
    Ok(())
}

/// Hands each signal in `bytes` (read from the self-pipe) to every loop
/// registered for it: `deliver(sig)` runs on each of those loops.
pub(crate) fn forward(bytes: &[u8], deliver: fn(i32)) {
    let reg = registry();
    for &byte in bytes {
        let sig = i32::from(byte);
        if let Some(taken) = reg.get(&sig) {
            for (_, remote) in &taken.loops {
                // A loop closed since it registered refuses: it has no
                // handler to run any more.
                let _ = remote.call_soon_threadsafe(move || deliver(sig));
            }
        }
    }
}
