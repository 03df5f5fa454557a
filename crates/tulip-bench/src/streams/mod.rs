//! Stream workloads: asyncio-style streams (`start_server`, `StreamReader`,
//! `StreamWriter`) against tulip's raw sockets and the peers' buffered
//! readers (tokio's and futures-lite's `BufReader` with the same 64 KiB
//! capacity as tulip's read chunk), in time (an echo) and in memory (idle
//! connections).
//!
//! The time rows also report CPU time per round trip (`getrusage`: user +
//! system, and user alone), which a shared machine disturbs less than wall
//! time. Most of a loopback round trip is kernel time, the same for every
//! runtime; the user part is where the runtimes differ.

use crate::alloc;
use crate::core::{scaled, smol_local, tokio_local};
use crate::harness::{cpu_time, CpuTime, Sample, Unit, Workload};
use crate::io::listener;
use futures_lite::AsyncReadExt;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Instant;

/// The stream workloads.
pub fn workloads() -> Vec<Workload> {
    vec![
        Workload {
            name: "streams_echo",
            unit: Unit::Seconds,
            extra_label: Some("wall µs/round trip"),
            tulip: echo::tulip_streams,
            tokio: echo::tokio_buffered,
            smol: echo::smol_buffered,
        },
        Workload {
            name: "raw_echo",
            unit: Unit::Seconds,
            extra_label: Some("wall µs/round trip"),
            tulip: echo::tulip_raw,
            tokio: echo::tokio_raw,
            smol: echo::smol_raw,
        },
        Workload {
            name: "idle_conns_mem",
            unit: Unit::Bytes,
            extra_label: Some("RSS B/conn"),
            tulip: idle::tulip,
            tokio: idle::tokio,
            smol: idle::smol,
        },
    ]
}

/// The peers' `BufReader` capacity: what tulip's `StreamReader` reads at a time.
const BUF: usize = 64 * 1024;

/// Wall and CPU time since [`Clock::start`].
pub(crate) struct Clock {
    wall: Instant,
    cpu: CpuTime,
}

impl Clock {
    pub(crate) fn start() -> Self {
        Clock { wall: Instant::now(), cpu: cpu_time() }
    }

    pub(crate) fn sample(self, ops: usize) -> Sample {
        let wall = self.wall.elapsed();
        Sample::time_cpu(wall, cpu_time().since(self.cpu), ops)
    }
}

mod echo;

mod idle;
