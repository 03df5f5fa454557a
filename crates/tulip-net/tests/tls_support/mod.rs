//! For the TLS tests: certificates made at test time (rcgen), files in a
//! temporary directory, child processes that die with the test, and a time
//! limit on each test.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use std::future::Future;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Every test's limit: generous for a loaded 2-core machine, short enough
/// that a hung peer fails the test instead of the run.
pub const LIMIT: Duration = Duration::from_secs(30);

/// Runs `body` on a fresh loop, failing the test after [`LIMIT`].
pub fn run<F: Future<Output = ()> + 'static>(body: F) {
    tulip::EventLoop::new().run_until_complete(async {
        tulip::timeout(LIMIT, body).await.expect("the test took longer than its limit");
    });
}

/// A directory removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("tulip-tls-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A certificate with its key, as PEM strings and as files.
pub struct Leaf {
    pub cert_pem: String,
    pub key_pem: String,
    pub cert_path: PathBuf,
    pub key_path: PathBuf,
    pub der: Vec<u8>,
}

/// A test CA and the certificates it signed.
pub struct Pki {
    pub dir: TempDir,
    pub ca_pem: String,
    pub ca_path: PathBuf,
    /// For "localhost" and 127.0.0.1.
    pub server: Leaf,
    /// Valid, but for "other.example" only.
    pub other_host: Leaf,
    /// For "localhost", valid 2020-01-01 to 2021-01-01.
    pub expired: Leaf,
    /// A client certificate (extended key usage clientAuth).
    pub client: Leaf,
    /// A client certificate that signs itself (no CA vouches for it).
    pub stranger: Leaf,
}

impl Pki {
    pub fn new() -> Pki {
        let dir = TempDir::new();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name.push(DnType::CommonName, "tulip test CA");
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
        let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();

        let leaf = |file: &str, names: &[&str], eku: ExtendedKeyUsagePurpose, expired: bool, self_signed: bool| {
            let key = KeyPair::generate().unwrap();
            let mut p = CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
            p.distinguished_name.push(DnType::CommonName, names[0]);
            p.extended_key_usages = vec![eku];
            if expired {
                p.not_before = date_time_ymd(2020, 1, 1);
                p.not_after = date_time_ymd(2021, 1, 1);
            }
            let cert = if self_signed { p.self_signed(&key) } else { p.signed_by(&key, &ca) }.unwrap();
            let (cert_pem, key_pem) = (cert.pem(), key.serialize_pem());
            Leaf {
                cert_path: dir.write(&format!("{file}.crt"), &cert_pem),
                key_path: dir.write(&format!("{file}.key"), &key_pem),
                der: cert.der().to_vec(),
                cert_pem,
                key_pem,
            }
        };
        use ExtendedKeyUsagePurpose::{ClientAuth, ServerAuth};
        let server = leaf("server", &["localhost", "127.0.0.1"], ServerAuth, false, false);
        let other_host = leaf("other", &["other.example"], ServerAuth, false, false);
        let expired = leaf("expired", &["localhost", "127.0.0.1"], ServerAuth, true, false);
        let client = leaf("client", &["tulip client"], ClientAuth, false, false);
        let stranger = leaf("stranger", &["stranger"], ClientAuth, false, true);
        let ca_pem = ca.pem();
        let ca_path = dir.write("ca.crt", &ca_pem);
        Pki { dir, ca_pem, ca_path, server, other_host, expired, client, stranger }
    }
}

/// A child process killed and reaped when dropped, so no peer outlives its
/// test (even one that failed or timed out).
pub struct Peer(pub Child);

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Whether `program` runs here; if not, says so (the caller skips).
pub fn have(program: &str, version_arg: &str) -> bool {
    let ok = Command::new(program).arg(version_arg).stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok();
    if !ok {
        eprintln!("{program} is not installed; skipping");
    }
    ok
}

pub fn path(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

/// A port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts `openssl s_server` on 127.0.0.1 with `args` added, serving one
/// connection, and waits until it listens (it prints "ACCEPT"). Retries
/// with another port if the one picked was taken in between.
pub async fn openssl_s_server(args: &[&str]) -> (Peer, u16) {
    for _ in 0..5 {
        let port = free_port();
        let mut child = Command::new("openssl")
            .args(["s_server", "-accept", &format!("127.0.0.1:{port}"), "-naccept", "1"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("openssl runs");
        let stdout = child.stdout.take().unwrap();
        let peer = Peer(child);
        let listening = tulip::to_thread(move || wait_for_line(stdout, "ACCEPT")).await;
        if listening {
            return (peer, port);
        }
    }
    panic!("openssl s_server did not start");
}

/// Reads `out` until a line equal to `want` (true) or the end (false); the
/// rest is drained in the background so the child never blocks on a pipe.
fn wait_for_line(out: ChildStdout, want: &str) -> bool {
    let mut lines = BufReader::new(out).lines();
    for line in lines.by_ref() {
        match line {
            Ok(l) if l.trim() == want => {
                std::thread::spawn(move || lines.for_each(drop));
                return true;
            }
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    false
}

/// `openssl s_client` connected to `addr` as "localhost", verifying against
/// `ca`, with `line` written to its stdin; returns the peer and everything
/// it printed once the server closed (read on the blocking pool).
pub async fn openssl_s_client(addr: std::net::SocketAddr, ca: &Path, line: &[u8]) -> (Peer, String) {
    use std::io::{Read, Write};
    use std::process::{Command, Stdio};
    let mut child = Command::new("openssl")
        .args(["s_client", "-connect", &addr.to_string(), "-servername", "localhost"])
        .args(["-CAfile", path(ca), "-verify_return_error", "-verify_hostname", "localhost", "-quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // -quiet ignores the end of stdin: s_client stays until the server closes.
    child.stdin.take().unwrap().write_all(line).unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let peer = Peer(child);
    let out = tulip::to_thread(move || {
        let mut s = String::new();
        stdout.read_to_string(&mut s).map(|_| s)
    })
    .await
    .unwrap();
    (peer, out)
}
