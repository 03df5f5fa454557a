//! Pinning a loop's thread to one core (Linux: `sched_setaffinity`).
//!
//! A loop per core only pays off if each loop keeps its core: its ready
//! queue, timers and sockets stay in that core's caches, and two loops never
//! fight over one core while another idles. Elsewhere pinning is skipped.

/// The cores this process may run on, in order (empty if unknown).
#[cfg(target_os = "linux")]
pub(crate) fn allowed_cores() -> Vec<usize> {
    let mut set = std::mem::MaybeUninit::<libc::cpu_set_t>::zeroed();
    // SAFETY: `set` is a valid, zeroed cpu_set_t of the size we pass; pid 0
    // is this thread.
    let rc = unsafe { libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), set.as_mut_ptr()) };
    if rc != 0 {
        return Vec::new();
    }
    // SAFETY: all-zero is a valid cpu_set_t, and sched_getaffinity filled it.
    let set = unsafe { set.assume_init() };
    (0..libc::CPU_SETSIZE as usize)
        .filter(|&c| {
            // SAFETY: CPU_ISSET reads a bit of an initialised set; c < CPU_SETSIZE.
            unsafe { libc::CPU_ISSET(c, &set) }
        })
        .collect()
}

/// Pins the calling thread to `core`; false if the OS refused.
#[cfg(target_os = "linux")]
pub(crate) fn pin_current_thread(core: usize) -> bool {
    if core >= libc::CPU_SETSIZE as usize {
        return false;
    }
    let set = std::mem::MaybeUninit::<libc::cpu_set_t>::zeroed();
    // SAFETY: all-zero is a valid (empty) cpu_set_t.
    let mut set = unsafe { set.assume_init() };
    // SAFETY: `core` is below CPU_SETSIZE, so the bit is inside `set`.
    unsafe { libc::CPU_SET(core, &mut set) };
    // SAFETY: `set` is a valid cpu_set_t of the size passed; pid 0 is this thread.
    unsafe { libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0 }
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn allowed_cores() -> Vec<usize> {
    Vec::new()
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn pin_current_thread(_core: usize) -> bool {
    false
}

#[cfg(all(test, target_os = "linux"))]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_pinned_to_an_allowed_core_runs_only_there() {
        let cores = allowed_cores();
        assert!(!cores.is_empty(), "this process may run on some core");
        let core = *cores.last().unwrap();
        let seen = std::thread::spawn(move || {
            assert!(pin_current_thread(core));
            allowed_cores()
        })
        .join()
        .unwrap();
        assert_eq!(seen, vec![core]);
    }

    #[test]
    fn a_core_out_of_range_is_refused() {
        assert!(!pin_current_thread(usize::MAX));
    }
}
