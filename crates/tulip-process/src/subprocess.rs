//! asyncio's subprocesses: `create_subprocess_exec` / `create_subprocess_shell`
//! and `Process`, with the child's pipes as streams.

use std::ffi::OsStr;
use std::io;
use std::process::{Child, Command, ExitStatus, Stdio};
use tulip_blocking::to_thread;
use tulip_net::{StreamReader, StreamWriter};
use tulip_reactor::create_task;

/// A running child process (asyncio's `asyncio.subprocess.Process`).
///
/// `stdin`, `stdout` and `stderr` are set when the command piped them.
/// Dropping a `Process` that was not waited for reaps it on the blocking
/// pool: no zombie is left behind.
pub struct Process {
    child: Option<Child>,
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
    let stdin = match child.stdin.take() {
        Some(s) => Some(StreamWriter::from_pipe(s.into())?),
        None => None,
    };
    let stdout = match child.stdout.take() {
        Some(s) => Some(StreamReader::from_pipe(s.into())?),
        None => None,
    };
    let stderr = match child.stderr.take() {
        Some(s) => Some(StreamReader::from_pipe(s.into())?),
        None => None,
    };
    let pid = child.id();
    Ok(Process { child: Some(child), pid, returncode: None, stdin, stdout, stderr })
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

impl Process {
    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The exit status once [`wait`](Self::wait) returned (asyncio's
    /// `returncode`), else `None`.
    pub fn returncode(&self) -> Option<ExitStatus> {
        self.returncode
    }

    /// Waits for the child to exit, on the blocking pool (the loop never
    /// blocks in `waitpid`).
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        if let Some(status) = self.returncode {
            return Ok(status);
        }
        let Some(mut child) = self.child.take() else {
            return Err(io::Error::other("the process was already reaped"));
        };
        let status = to_thread(move || child.wait()).await?;
        self.returncode = Some(status);
        Ok(status)
    }

    /// Sends `signal` to the child (asyncio's `send_signal`); an error if it
    /// was already reaped.
    pub fn send_signal(&self, signal: i32) -> io::Result<()> {
        if self.returncode.is_some() {
            return Err(io::Error::new(io::ErrorKind::NotFound, "the process has exited"));
        }
        let pid = libc::pid_t::try_from(self.pid).map_err(io::Error::other)?;
        // SAFETY: kill(2) takes plain integers; the pid is our unreaped
        // child's, so it cannot have been reused by another process.
        if unsafe { libc::kill(pid, signal) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Sends SIGTERM (asyncio's `terminate`).
    pub fn terminate(&self) -> io::Result<()> {
        self.send_signal(libc::SIGTERM)
    }

    /// Sends SIGKILL (asyncio's `kill`).
    pub fn kill(&self) -> io::Result<()> {
        self.send_signal(libc::SIGKILL)
    }

    /// Writes `input` to stdin (then closes it), reads stdout and stderr to
    /// the end concurrently, and waits for the exit (asyncio's
    /// `communicate`). Pipes that were not set up read as empty.
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
        if let Some(mut stdin) = self.stdin.take() {
            if let Some(data) = input {
                for chunk in data.chunks(64 * 1024) {
                    stdin.write(chunk)?;
                    stdin.drain().await?;
                }
            }
            stdin.close();
            stdin.wait_closed().await?;
        }
        let out = read_out.await.map_err(|e| io::Error::other(e.to_string()))??;
        let err = read_err.await.map_err(|e| io::Error::other(e.to_string()))??;
        let status = self.wait().await?;
        Ok((out, err, status))
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // Reap it in the background so it does not linger as a zombie.
            drop(to_thread(move || child.wait()));
        }
    }
}

impl std::fmt::Debug for Process {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Process").field("pid", &self.pid).field("returncode", &self.returncode).finish()
    }
}
