//! The buffer of a `StreamReader`: bytes received and not consumed yet.
//!
//! Its rules:
//! * It never holds a byte the OS did not write: a read goes into storage
//!   that is already initialised, and the bytes count only once the read
//!   returned them ([`commit`](ReadBuffer::commit)). A read that is
//!   cancelled (its future dropped while the socket had nothing) leaves the
//!   buffer exactly as it was.
//! * Storage is zeroed once, when it is allocated or grown, never per read
//!   (zeroing 64 KiB before every read was 98 % of a streams echo's
//!   instructions).
//! * Nothing is allocated before the first read; the first reads offer
//!   512 bytes, and the read size doubles each time a read fills all it was
//!   offered, up to 64 KiB (a bulk transfer gets big reads quickly, an idle
//!   connection that sent one byte holds 512 bytes).
//! * Once drained after a burst (the buffer empty, storage past 4 KiB and
//!   the last read small), the storage goes back to nothing.

/// The first read size, and what a quiet connection keeps.
pub(crate) const FIRST_READ: usize = 512;
/// The largest read size it grows to (asyncio reads 64 KiB at a time too).
pub(crate) const MAX_READ: usize = 64 * 1024;
/// Storage above this is given back once drained after a burst.
const KEEP: usize = 4 * FIRST_READ;

#[derive(Debug, Default)]
pub(crate) struct ReadBuffer {
    /// Initialised storage: `start..end` is the data, `end..` free room.
    storage: Vec<u8>,
    start: usize,
    end: usize,
    /// The size of the next read (0 before the first).
    read_size: usize,
    /// How many bytes the last read brought.
    last_read: usize,
}

impl ReadBuffer {
    /// The unconsumed bytes.
    pub(crate) fn data(&self) -> &[u8] {
        &self.storage[self.start..self.end]
    }

    pub(crate) fn len(&self) -> usize {
        self.end - self.start
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// Bytes of storage held (for tests and memory accounting).
    pub(crate) fn capacity(&self) -> usize {
        self.storage.len()
    }

    /// Room to read into: at least `at_least` bytes (and the current read
    /// size), making room by moving the data to the front or by growing.
    /// Fill a prefix of it, then [`commit`](Self::commit) what was filled.
    pub(crate) fn spare(&mut self, at_least: usize) -> &mut [u8] {
        if self.read_size == 0 {
            self.read_size = FIRST_READ;
        }
        let want = at_least.max(self.read_size);
        if self.storage.len() - self.end < want {
            if self.start > 0 {
                self.storage.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            if self.storage.len() - self.end < want {
                // Zeroed once here, never again for this storage.
                self.storage.resize(self.end + want, 0);
            }
        }
        &mut self.storage[self.end..]
    }

    /// `n` bytes of [`spare`](Self::spare) were filled by a read that was
    /// offered `offered` bytes.
    pub(crate) fn commit(&mut self, n: usize, offered: usize) {
        debug_assert!(self.end + n <= self.storage.len());
        self.end += n;
        self.last_read = n;
        if n == offered && self.read_size < MAX_READ {
            self.read_size = (self.read_size * 2).min(MAX_READ);
        }
    }

    /// Takes the first `n` unconsumed bytes out.
    pub(crate) fn take(&mut self, n: usize) -> Vec<u8> {
        let out = self.data()[..n].to_vec();
        self.discard(n);
        out
    }

    /// Copies as much as fits into `out` and consumes it.
    pub(crate) fn take_into(&mut self, out: &mut [u8]) -> usize {
        let n = out.len().min(self.len());
        out[..n].copy_from_slice(&self.data()[..n]);
        self.discard(n);
        n
    }

    /// Consumes the first `n` unconsumed bytes.
    pub(crate) fn discard(&mut self, n: usize) {
        debug_assert!(n <= self.len());
        self.start += n.min(self.len());
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
            self.after_drained();
        }
    }

    /// A burst is over: give its storage back.
    fn after_drained(&mut self) {
        if self.storage.len() > KEEP && self.last_read < self.storage.len() / 8 {
            self.storage = Vec::new();
            self.read_size = FIRST_READ;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Op {
        /// A read that brings this many bytes (at most what is offered).
        Read(usize),
        /// A read that is cancelled: offered room, nothing committed.
        Cancelled,
        Take(usize),
        Discard(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0..70_000usize).prop_map(Op::Read),
            Just(Op::Cancelled),
            (0..5_000usize).prop_map(Op::Take),
            (0..70_000usize).prop_map(Op::Discard),
        ]
    }

    proptest! {
        /// Against a model byte queue: the buffer holds exactly the bytes
        /// read and not consumed, in order; cancelled reads change nothing;
        /// storage stays within one read of the most data ever held.
        #[test]
        fn buffer_matches_a_byte_queue(ops in proptest::collection::vec(op(), 1..80)) {
            let mut buf = ReadBuffer::default();
            let mut model: std::collections::VecDeque<u8> = Default::default();
            let mut next = 0u8;
            let mut peak = 0;
            for op in ops {
                match op {
                    Op::Read(n) => {
                        let spare = buf.spare(0);
                        let offered = spare.len();
                        let n = n.min(offered);
                        for b in &mut spare[..n] {
                            *b = next;
                            model.push_back(next);
                            next = next.wrapping_add(1);
                        }
                        buf.commit(n, offered);
                    }
                    Op::Cancelled => {
                        // A read that never completes: the room is offered,
                        // maybe scribbled on by nobody, and never committed.
                        let _ = buf.spare(0);
                    }
                    Op::Take(n) => {
                        let n = n.min(buf.len());
                        let got = buf.take(n);
                        let want: Vec<u8> = model.drain(..n).collect();
                        prop_assert_eq!(got, want);
                    }
                    Op::Discard(n) => {
                        let n = n.min(buf.len());
                        buf.discard(n);
                        model.drain(..n);
                    }
                }
                let expected: Vec<u8> = model.iter().copied().collect();
                prop_assert_eq!(buf.data(), expected.as_slice());
                peak = peak.max(buf.len());
                prop_assert!(buf.capacity() <= peak + 2 * MAX_READ, "storage beyond the peak of data");
            }
        }
    }

    #[test]
    fn an_idle_connection_that_sent_one_byte_holds_512_bytes() {
        let mut buf = ReadBuffer::default();
        assert_eq!(buf.capacity(), 0, "nothing before the first read");
        let spare = buf.spare(0);
        let offered = spare.len();
        spare[0] = b'x';
        buf.commit(1, offered);
        assert_eq!(buf.take(1), b"x");
        assert_eq!(buf.capacity(), FIRST_READ);
    }

    #[test]
    fn storage_goes_back_after_a_burst() {
        let mut buf = ReadBuffer::default();
        for _ in 0..10 {
            let spare = buf.spare(0);
            let offered = spare.len();
            buf.commit(offered, offered);
        }
        assert!(buf.capacity() >= MAX_READ);
        let all = buf.len();
        buf.discard(all);
        // A small read after the burst, then drained: the storage goes.
        let spare = buf.spare(0);
        let offered = spare.len();
        buf.commit(10, offered);
        buf.discard(10);
        assert_eq!(buf.capacity(), 0);
    }
}
