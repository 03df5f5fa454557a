//! `TULIP_DEBUG=1` turns debug mode on (asyncio's `PYTHONASYNCIODEBUG`).
//! Alone in its own test binary because it changes the environment.

#[test]
fn tulip_debug_env_enables_debug_mode() {
    std::env::set_var("TULIP_DEBUG", "1");
    assert!(tulip_reactor::EventLoop::new().get_debug());
    std::env::set_var("TULIP_DEBUG", "0");
    assert!(!tulip_reactor::EventLoop::new().get_debug());
    std::env::remove_var("TULIP_DEBUG");
    assert!(!tulip_reactor::EventLoop::new().get_debug());
    // An explicit setting wins over the environment.
    std::env::set_var("TULIP_DEBUG", "1");
    let ev = tulip_reactor::EventLoop::builder().debug(false).build().expect("poller");
    assert!(!ev.get_debug());
    std::env::remove_var("TULIP_DEBUG");
}
