//! Quiet task panics: asyncio prints nothing when a task raises, only when
//! the exception goes unretrieved (or propagates out of `asyncio.run`).
//! Rust's panic hook prints "thread 'main' panicked at …" the moment a
//! panic starts, before anyone can decide to handle it; this module wraps
//! the process's panic hook so that a panic inside a task's poll, on a loop
//! that asks for it ([`LoopHooks::quiet_task_panics`]), is not printed but
//! recorded, and travels with the task's [`PanicError`](crate::PanicError)
//! to whoever handles it: the awaiter, the exception handler's report, or
//! the top level, which prints it when it re-raises it.

use crate::current::with_current_meta;
use crate::hooks;
use std::cell::RefCell;
use std::sync::Once;

/// What the hook saw of the panic now unwinding on this thread.
#[derive(Debug, Clone, Default)]
pub(crate) struct Unwinding {
    /// The hook printed it (or let the previous hook print it).
    pub(crate) printed: bool,
    /// Where it started, as `file:line:col`.
    pub(crate) location: Option<String>,
}

thread_local! {
    static UNWINDING: RefCell<Option<Unwinding>> = const { RefCell::new(None) };
}

/// Installs the filtering hook once per process, around whatever hook is
/// installed at that moment (std's, or the user's).
pub(crate) fn install_filter() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let location = info.location().map(|l| l.to_string());
            let quiet = quiet_here();
            let _ = UNWINDING.try_with(|u| *u.borrow_mut() = Some(Unwinding { printed: !quiet, location }));
            if !quiet {
                previous(info);
            }
        }));
    });
}

/// True inside a task's poll on a loop that keeps task panics quiet.
fn quiet_here() -> bool {
    with_current_meta(|m| m.is_some()) && hooks::current_quiet_task_panics()
}

/// Takes what the hook recorded of the panic just caught. A panic resumed
/// with `resume_unwind` skips the hook: it is taken as printed unless
/// [`PanicError::resume`](crate::PanicError::resume) said otherwise.
pub(crate) fn take_unwinding() -> Unwinding {
    UNWINDING.try_with(|u| u.borrow_mut().take()).ok().flatten().unwrap_or(Unwinding { printed: true, location: None })
}

/// Before a panic is resumed: what the catching side should record.
pub(crate) fn set_unwinding(u: Unwinding) {
    let _ = UNWINDING.try_with(|slot| *slot.borrow_mut() = Some(u));
}

/// Whether a panic resumed here should be printed now: it was never
/// printed and it is leaving the quiet zone (not resumed inside a task of
/// a quiet loop, where it stays quiet and travels on).
pub(crate) fn print_on_resume(printed: bool) -> bool {
    !printed && !quiet_here()
}
