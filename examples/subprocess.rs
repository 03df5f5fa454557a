//! Subprocesses (the asyncio docs' subprocess examples): `ls` through
//! `create_subprocess_exec` with its output read as a stream, line by line,
//! and a shell command through `create_subprocess_shell` + `communicate`.

use std::process::{Command, Stdio};

async fn run_ls() -> std::io::Result<()> {
    let mut cmd = Command::new("ls");
    cmd.arg("/").stdout(Stdio::piped());
    let mut proc = tulip::create_subprocess_exec(cmd).await?;
    let mut n = 0;
    if let Some(out) = proc.stdout.as_mut() {
        loop {
            let line = out.readline().await?;
            if line.is_empty() {
                break;
            }
            n += 1;
            print!("ls: {}", String::from_utf8_lossy(&line));
        }
    }
    let status = proc.wait().await?;
    println!("[ls exited with {status}, {n} lines]");
    Ok(())
}

async fn run_shell(cmd: &str) -> std::io::Result<()> {
    let proc = tulip::create_subprocess_shell(cmd).await?;
    let (stdout, stderr, status) = proc.communicate(None).await?;
    println!("[{cmd:?} exited with {}]", status.code().map_or("a signal".into(), |c| c.to_string()));
    if !stdout.is_empty() {
        print!("[stdout]\n{}", String::from_utf8_lossy(&stdout));
    }
    if !stderr.is_empty() {
        print!("[stderr]\n{}", String::from_utf8_lossy(&stderr));
    }
    Ok(())
}

fn main() -> std::io::Result<()> {
    tulip::run(async {
        run_ls().await?;
        run_shell("echo hello; ls /no-such-directory").await
    })
}
