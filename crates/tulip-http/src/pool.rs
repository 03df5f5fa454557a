//! The connector's pool as a plain state machine (no I/O, no loop), so a
//! proptest can drive it against a model.
//!
//! A *slot* is the right to hold one connection to a host: `limit` slots
//! in all (0 = no limit), `limit_per_host` per host (0 = no limit); as in
//! aiohttp, idle keep-alive connections hold no slot. A caller that finds
//! no slot queues; freed slots go to the queue in FIFO order, to the first
//! caller whose host has room, and are handed over (granted) directly so
//! a newcomer cannot take them first.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::task::Waker;
use std::time::{Duration, Instant};

/// The pool's hasher: a multiply-xor mix of what the key writes. The
/// connector's key writes one `u64`, its fields' keyed SipHash computed once
/// per request, so hashing the host again (three lookups a request) is
/// skipped without losing the keyed hash's resistance to chosen hosts.
#[derive(Default)]
pub(crate) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        bytes.iter().for_each(|&b| self.write_u64(u64::from(b)));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

/// A queued caller's ticket.
pub(crate) type WaiterId = u64;

/// What `acquire` gave.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Acquire {
    /// A slot is held now.
    Slot,
    /// Queued: poll the ticket until it is granted.
    Queued(WaiterId),
}

struct Waiter<K> {
    id: WaiterId,
    key: K,
    waker: Option<Waker>,
}

struct Idle<C> {
    conn: C,
    expires: Instant,
}

/// One host's slots held and idle connections, in one map entry so a
/// request looks its host up once per step; the entry goes when it has
/// neither.
struct Host<C> {
    held: usize,
    idle: Vec<Idle<C>>,
}

pub(crate) struct PoolState<K, C> {
    limit: usize,
    limit_per_host: usize,
    keepalive: Duration,
    acquired: usize,
    hosts: HashMap<K, Host<C>, BuildHasherDefault<KeyHasher>>,
    waiters: VecDeque<Waiter<K>>,
    granted: Vec<WaiterId>,
    next_id: WaiterId,
    closed: bool,
}

impl<K: Hash + Eq + Clone, C> PoolState<K, C> {
    /// `keepalive` zero means connections are never kept (force_close).
    pub(crate) fn new(limit: usize, limit_per_host: usize, keepalive: Duration) -> Self {
        PoolState {
            limit,
            limit_per_host,
            keepalive,
            acquired: 0,
            hosts: HashMap::default(),
            waiters: VecDeque::new(),
            granted: Vec::new(),
            next_id: 0,
            closed: false,
        }
    }

    fn has_room(&self, key: &K) -> bool {
        (self.limit == 0 || self.acquired < self.limit)
            && (self.limit_per_host == 0 || self.held_for(key) < self.limit_per_host)
    }

    fn held_for(&self, key: &K) -> usize {
        self.hosts.get(key).map_or(0, |h| h.held)
    }

    fn take_slot(&mut self, key: &K) {
        self.acquired += 1;
        match self.hosts.get_mut(key) {
            Some(host) => host.held += 1,
            None => {
                self.hosts.insert(key.clone(), Host { held: 1, idle: Vec::new() });
            }
        }
    }

    /// Takes a slot for `key`, or queues.
    pub(crate) fn acquire(&mut self, key: &K) -> Acquire {
        if self.has_room(key) {
            self.take_slot(key);
            return Acquire::Slot;
        }
        let id = self.next_id;
        self.next_id += 1;
        self.waiters.push_back(Waiter { id, key: key.clone(), waker: None });
        Acquire::Queued(id)
    }

    /// Whether ticket `id` was granted its slot (then the caller holds it);
    /// else remembers `waker` to be woken when it is.
    pub(crate) fn poll_waiter(&mut self, id: WaiterId, waker: Option<&Waker>) -> bool {
        if let Some(i) = self.granted.iter().position(|g| *g == id) {
            self.granted.swap_remove(i);
            return true;
        }
        if let (Some(w), Some(waker)) = (self.waiters.iter_mut().find(|w| w.id == id), waker) {
            w.waker = Some(waker.clone());
        }
        false
    }

    /// A queued caller gave up (timeout, cancel): leave the queue, and give
    /// back a slot it was granted but never took.
    pub(crate) fn cancel_waiter(&mut self, id: WaiterId, key: &K) -> Vec<Waker> {
        if let Some(i) = self.granted.iter().position(|g| *g == id) {
            self.granted.swap_remove(i);
            return self.release(key, None, None);
        }
        self.waiters.retain(|w| w.id != id);
        Vec::new()
    }

    /// For a slot holder: the most recently released live idle connection
    /// of `key`; expired or dead ones (per `alive`) are dropped on the way.
    pub(crate) fn take_idle(&mut self, key: &K, now: Instant, mut alive: impl FnMut(&C) -> bool) -> Option<C> {
        let host = self.hosts.get_mut(key)?;
        let mut found = None;
        while let Some(entry) = host.idle.pop() {
            if entry.expires > now && alive(&entry.conn) {
                found = Some(entry.conn);
                break;
            }
        }
        if host.held == 0 && host.idle.is_empty() {
            self.hosts.remove(key);
        }
        found
    }

    /// Gives back a slot of `key`, keeping `conn` idle if given (and the
    /// pool is open and keeps connections). Returns the wakers of the
    /// callers now granted a slot: wake them after releasing any borrow.
    pub(crate) fn release(&mut self, key: &K, conn: Option<C>, now: Option<Instant>) -> Vec<Waker> {
        let idle = match (conn, now, self.closed || self.keepalive.is_zero()) {
            (Some(conn), Some(now), false) => {
                Some(Idle { conn, expires: tulip_timer::saturating_add(now, self.keepalive) })
            }
            _ => None,
        };
        match self.hosts.get_mut(key) {
            Some(host) => {
                if host.held > 0 {
                    host.held -= 1;
                    self.acquired -= 1;
                }
                host.idle.extend(idle);
                if host.held == 0 && host.idle.is_empty() {
                    self.hosts.remove(key);
                }
            }
            None => {
                if let Some(idle) = idle {
                    self.hosts.insert(key.clone(), Host { held: 0, idle: vec![idle] });
                }
            }
        }
        self.grant()
    }

    fn grant(&mut self) -> Vec<Waker> {
        let mut woken = Vec::new();
        let mut i = 0;
        while i < self.waiters.len() && (self.limit == 0 || self.acquired < self.limit) {
            if self.has_room(&self.waiters[i].key) {
                if let Some(w) = self.waiters.remove(i) {
                    self.take_slot(&w.key);
                    self.granted.push(w.id);
                    woken.extend(w.waker);
                }
            } else {
                i += 1;
            }
        }
        woken
    }

    /// Drops the idle connections whose keep-alive ran out; returns them.
    pub(crate) fn expire(&mut self, now: Instant) -> Vec<C> {
        let mut gone = Vec::new();
        self.hosts.retain(|_, host| {
            let (keep, drop): (Vec<_>, Vec<_>) = host.idle.drain(..).partition(|e| e.expires > now);
            host.idle = keep;
            gone.extend(drop.into_iter().map(|e| e.conn));
            host.held > 0 || !host.idle.is_empty()
        });
        gone
    }

    /// When the next idle connection expires.
    pub(crate) fn next_expiry(&self) -> Option<Instant> {
        self.hosts.values().flat_map(|h| &h.idle).map(|e| e.expires).min()
    }

    /// Closes the pool: no more idle keeping; returns the idle connections
    /// and wakes every queued caller (they find the pool closed).
    pub(crate) fn close(&mut self) -> (Vec<C>, Vec<Waker>) {
        self.closed = true;
        let conns = self.hosts.values_mut().flat_map(|h| h.idle.drain(..)).map(|e| e.conn).collect();
        self.hosts.retain(|_, h| h.held > 0);
        let wakers = self.waiters.iter_mut().filter_map(|w| w.waker.take()).collect();
        (conns, wakers)
    }

    /// How long a released connection is kept idle.
    pub(crate) fn keepalive(&self) -> Duration {
        self.keepalive
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed
    }

    /// Slots held (connections in use or being made).
    pub(crate) fn acquired(&self) -> usize {
        self.acquired
    }

    /// Slots held for `key`.
    #[cfg(test)]
    pub(crate) fn acquired_for(&self, key: &K) -> usize {
        self.held_for(key)
    }

    /// Idle connections kept.
    pub(crate) fn idle_count(&self) -> usize {
        self.hosts.values().map(|h| h.idle.len()).sum()
    }

    /// Callers queued, not yet granted.
    pub(crate) fn waiting(&self) -> usize {
        self.waiters.len()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
