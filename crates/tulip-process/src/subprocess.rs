//! asyncio's subprocesses: `create_subprocess_exec` / `create_subprocess_shell`
//! and `Process`, with the child's pipes as streams.
//!
//! Reaping (details in `reaper.rs` and `orphans.rs`): no thread is held per
//! child. `wait()` awaits a pidfd on the loop's poller (Linux >= 5.3; else
//! a timer poll of `waitpid(WNOHANG)`) and is cancel-safe. Once spawned, a
//! child is always reaped: by `wait()`, or, if its `Process` is dropped (or
//! setting it up fails after the spawn, in which case it is killed first),
//! in the background. Signals reach only a child that has not been reaped.

use crate::orphans::reap_in_background;
use crate::reaper::ChildPid;
use std::ffi::OsStr;
use std::io;
use std::process::{Command, ExitStatus, Stdio};
use tulip_net::{StreamReader, StreamWriter};
use tulip_reactor::create_task;

/// A running child process (asyncio's `asyncio.subprocess.Process`).
///
/// `stdin`, `stdout` and `stderr` are set when the command piped them.
/// Dropping a `Process` that was not waited for reaps it in the background
/// (a task of the running loop, else one process-wide reaper thread): no
/// zombie is left behind, and no thread is held per child.
///
/// ```
/// let ev = tulip::EventLoop::new();
/// ev.run_until_complete(async {
///     let mut p = tulip::create_subprocess_shell("read line; echo got $line").await.unwrap();
///     p.stdin.as_mut().unwrap().write(b"ping\n").unwrap();
///     let line = p.stdout.as_mut().unwrap().readline().await.unwrap();
///     assert_eq!(line, b"got ping\n");
///     assert!(p.wait().await.unwrap().success());
/// });
/// ```
pub struct Process {
    /// The child until it is reaped (then `returncode` is set), or until
    /// someone else reaped it.
    child: Option<ChildPid>,
    pid: u32,
    returncode: Option<ExitStatus>,
    /// The child's standard input, if piped.
    pub stdin: Option<StreamWriter>,
    /// The child's standard output, if piped.
    pub stdout: Option<StreamReader>,
    /// The child's standard error, if piped.
    pub stderr: Option<StreamReader>,
}

/// Starts `command` (configure its pipes with `Stdio::piped()`) and wraps
/// the pipes as streams (asyncio's `create_subprocess_exec`).
///
/// ```
/// use std::process::{Command, Stdio};
/// let ev = tulip::EventLoop::new();
/// ev.run_until_complete(async {
///     let mut cmd = Command::new("echo");
///     cmd.arg("hello").stdout(Stdio::piped());
///     let mut p = tulip::create_subprocess_exec(cmd).await.unwrap();
///     let out = p.stdout.as_mut().unwrap().read_to_eof().await.unwrap();
///     assert_eq!(out, b"hello\n");
///     assert!(p.wait().await.unwrap().success());
/// });
/// ```
pub async fn create_subprocess_exec(mut command: Command) -> io::Result<Process> {
    let mut child = command.spawn()?;
    // From here on the `Process` owns the child: whatever fails below, its
    // drop reaps it.
    let mut process = Process {
        child: Some(ChildPid::new(child.id())),
        pid: child.id(),
        returncode: None,
        stdin: None,
        stdout: None,
        stderr: None,
    };
    if let Err(e) = process.wrap_pipes(&mut child) {
        // A child without its pipes is of no use to anyone.
        let _ = process.kill();
        return Err(e);
    }
    Ok(process)
}

/// Runs `cmd` through `/bin/sh -c` with stdin, stdout and stderr piped
/// (asyncio's `create_subprocess_shell` with `PIPE`s).
///
/// ```
/// let ev = tulip::EventLoop::new();
/// ev.run_until_complete(async {
///     let p = tulip::create_subprocess_shell("echo out; echo err >&2; exit 3").await.unwrap();
///     let (out, err, status) = p.communicate(None).await.unwrap();
///     assert_eq!((out.as_slice(), err.as_slice()), (&b"out\n"[..], &b"err\n"[..]));
///     assert_eq!(status.code(), Some(3));
/// });
/// ```
pub async fn create_subprocess_shell(cmd: impl AsRef<OsStr>) -> io::Result<Process> {
    let mut command = Command::new("/bin/sh");
    command.arg("-c").arg(cmd).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    create_subprocess_exec(command).await
}

/// A write error meaning that the child closed its stdin (or exited).
fn is_pipe_gone(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset)
}

/// Writes `input` to the child's stdin, then closes it.
async fn feed(mut stdin: StreamWriter, input: Option<&[u8]>) -> io::Result<()> {
    if let Some(data) = input {
        for chunk in data.chunks(64 * 1024) {
            stdin.write(chunk)?;
            stdin.drain().await?;
        }
    }
    stdin.close();
    stdin.wait_closed().await
}

impl Process {
    /// Moves the child's pipes into streams.
    fn wrap_pipes(&mut self, child: &mut std::process::Child) -> io::Result<()> {
        if let Some(s) = child.stdin.take() {
            self.stdin = Some(StreamWriter::from_pipe(s.into())?);
        }
        if let Some(s) = child.stdout.take() {
            self.stdout = Some(StreamReader::from_pipe(s.into())?);
        }
        if let Some(s) = child.stderr.take() {
            self.stderr = Some(StreamReader::from_pipe(s.into())?);
        }
        Ok(())
    }

    /// The child's process id.
    ///
    /// ```
    /// let ev = tulip::EventLoop::new();
    /// ev.run_until_complete(async {
    ///     let p = tulip::create_subprocess_shell("exit 0").await.unwrap();
    ///     assert!(p.pid() > 0);
    /// });
    /// ```
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The exit status once [`wait`](Self::wait) returned (asyncio's
    /// `returncode`), else `None`.
    ///
    /// ```
    /// let ev = tulip::EventLoop::new();
    /// ev.run_until_complete(async {
    ///     let mut p = tulip::create_subprocess_shell("exit 4").await.unwrap();
    ///     assert_eq!(p.returncode(), None);
    ///     p.wait().await.unwrap();
    ///     assert_eq!(p.returncode().and_then(|s| s.code()), Some(4));
    /// });
    /// ```
    pub fn returncode(&self) -> Option<ExitStatus> {
        self.returncode
    }

    /// Waits for the child to exit and reaps it (asyncio's `wait`), holding
    /// no thread: a pidfd on the loop's poller on Linux, else a timer poll.
    /// Cancel-safe: a wait cancelled (by a timeout, say) loses nothing, and
    /// a later `wait` returns the status. An error if someone else reaped
    /// the child (`ECHILD`: `SIGCHLD` ignored, a `waitpid(-1)` elsewhere).
    ///
    /// ```
    /// use std::time::Duration;
    /// let ev = tulip::EventLoop::new();
    /// ev.run_until_complete(async {
    ///     let mut p = tulip::create_subprocess_shell("read line; exit 2").await.unwrap();
    ///     // The child waits for its input: the wait times out, and is cancelled.
    ///     assert!(tulip::timeout(Duration::from_millis(10), p.wait()).await.is_err());
    ///     drop(p.stdin.take()); // end of input: the child exits
    ///     assert_eq!(p.wait().await.unwrap().code(), Some(2));
    /// });
    /// ```
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        if let Some(status) = self.returncode {
            return Ok(status);
        }
        let Some(child) = &self.child else {
            return Err(io::Error::other("the process was reaped by someone else"));
        };
        // The status is recorded in the poll that reaped the child: there
        // is no await between the two.
        match child.reap().await {
            Ok(status) => {
                self.returncode = Some(status);
                self.child = None;
                Ok(status)
            }
            Err(e) => {
                if e.raw_os_error() == Some(libc::ECHILD) {
                    self.child = None;
                }
                Err(e)
            }
        }
    }

    /// Sends `signal` to the child (asyncio's `send_signal`); an error once
    /// it was reaped (its pid may belong to another process by then).
    ///
    /// The child inherits the signal dispositions of this process, as
    /// asyncio's children do: a program started in the background by a
    /// non-interactive shell (`cmd &`) ignores SIGINT and SIGQUIT, and so
    /// do its children. The example sends SIGUSR1, which no shell ignores.
    ///
    /// ```
    /// use std::os::unix::process::ExitStatusExt;
    /// let ev = tulip::EventLoop::new();
    /// ev.run_until_complete(async {
    ///     let mut p = tulip::create_subprocess_shell("sleep 30").await.unwrap();
    ///     p.send_signal(libc::SIGUSR1).unwrap();
    ///     assert_eq!(p.wait().await.unwrap().signal(), Some(libc::SIGUSR1));
    ///     assert!(p.send_signal(libc::SIGUSR1).is_err());
    /// });
    /// ```
    pub fn send_signal(&self, signal: i32) -> io::Result<()> {
        match &self.child {
            Some(child) => child.send_signal(signal),
            None => Err(io::Error::new(io::ErrorKind::NotFound, "the process has exited")),
        }
    }

    /// Sends SIGTERM (asyncio's `terminate`).
    ///
    /// ```
    /// use std::os::unix::process::ExitStatusExt;
    /// let ev = tulip::EventLoop::new();
    /// ev.run_until_complete(async {
    ///     let mut p = tulip::create_subprocess_shell("sleep 30").await.unwrap();
    ///     p.terminate().unwrap();
    ///     assert_eq!(p.wait().await.unwrap().signal(), Some(libc::SIGTERM));
    /// });
    /// ```
    pub fn terminate(&self) -> io::Result<()> {
        self.send_signal(libc::SIGTERM)
    }

    /// Sends SIGKILL (asyncio's `kill`).
    ///
    /// ```
    /// use std::os::unix::process::ExitStatusExt;
    /// let ev = tulip::EventLoop::new();
    /// ev.run_until_complete(async {
    ///     let mut p = tulip::create_subprocess_shell("sleep 30").await.unwrap();
    ///     p.kill().unwrap();
    ///     assert_eq!(p.wait().await.unwrap().signal(), Some(libc::SIGKILL));
    /// });
    /// ```
    pub fn kill(&self) -> io::Result<()> {
        self.send_signal(libc::SIGKILL)
    }

    /// Writes `input` to stdin (then closes it), reads stdout and stderr to
    /// the end concurrently, and waits for the exit (asyncio's
    /// `communicate`). Pipes that were not set up read as empty. A child
    /// that stops reading its input (exits, closes stdin) is no error: as
    /// in asyncio, the rest of the input is dropped and its output and
    /// status are returned.
    ///
    /// ```
    /// let ev = tulip::EventLoop::new();
    /// ev.run_until_complete(async {
    ///     let p = tulip::create_subprocess_shell("head -c 3").await.unwrap();
    ///     let (out, _err, status) = p.communicate(Some(&[b'x'; 1 << 20])).await.unwrap();
    ///     assert_eq!(out, b"xxx");
    ///     assert!(status.success());
    /// });
    /// ```
    pub async fn communicate(mut self, input: Option<&[u8]>) -> io::Result<(Vec<u8>, Vec<u8>, ExitStatus)> {
        // Read both outputs while writing the input: a child that fills its
        // stdout pipe stops reading stdin, and would deadlock a writer that
        // waits for it.
        let out = self.stdout.take();
        let err = self.stderr.take();
        let read_out = create_task(async move {
            match out {
                Some(mut r) => r.read_to_eof().await,
                None => Ok(Vec::new()),
            }
        });
        let read_err = create_task(async move {
            match err {
                Some(mut r) => r.read_to_eof().await,
                None => Ok(Vec::new()),
            }
        });
        if let Some(stdin) = self.stdin.take() {
            match feed(stdin, input).await {
                Err(e) if !is_pipe_gone(&e) => return Err(e),
                _ => {}
            }
        }
        let out = read_out.await.map_err(|e| io::Error::other(e.to_string()))??;
        let err = read_err.await.map_err(|e| io::Error::other(e.to_string()))??;
        let status = self.wait().await?;
        Ok((out, err, status))
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if let Some(child) = self.child.take() {
            reap_in_background(child);
        }
    }
}

impl std::fmt::Debug for Process {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Process").field("pid", &self.pid).field("returncode", &self.returncode).finish()
    }
}
