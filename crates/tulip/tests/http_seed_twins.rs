//! The seeds' aiohttp programs against their twins (`examples/http_*.rs`),
//! over real HTTP on loopback: this test starts the stand-in services
//! (`examples/common/http_services.rs`), then runs each example binary with
//! their URLs and `--fast`, and the seed's program (`tests/seeds/http_*.py`,
//! through `run.py`) under a real aiohttp in a virtual environment (made on
//! first use; without it, the twin's lines are checked against the seed's
//! expected lines alone). Both must print the same lines in the same order,
//! up to what varies by nature: HTTP dates, clock times, durations, and the
//! order of answers that race. Each example also runs once on its own
//! stand-ins, as `cargo run --example NAME -- --fast` does.
#![cfg(feature = "http")]
#![allow(clippy::unwrap_used)]

#[path = "../../../examples/common/mod.rs"]
mod common;
#[path = "common/mod.rs"]
mod harness;
#[path = "../../../examples/common/http_services.rs"]
mod http_services;

use http_services::Services;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The stand-ins at the examples' `--fast` scale.
fn services() -> &'static Services {
    static S: OnceLock<Services> = OnceLock::new();
    S.get_or_init(|| http_services::start_scaled(0.01))
}

/// Stand-ins at full latency: for the race of ip-api (0.08 s) against
/// ipify (0.25 s), whose outcome a loaded machine turned once in seven
/// runs at a tenth (a first request's set-up under load takes ~10 ms).
fn services_full() -> &'static Services {
    static S: OnceLock<Services> = OnceLock::new();
    S.get_or_init(|| http_services::start_scaled(1.0))
}

/// `target/<profile>`: this test runs from its `deps/`.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().and_then(Path::parent).unwrap().to_path_buf()
}

/// The example's binary, (re)built here once: `cargo test --test
/// http_seed_twins` builds no examples, and one left from an older build
/// would test old code.
fn example(name: &str) -> PathBuf {
    static BUILT: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let bin = profile_dir().join("examples").join(name);
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if !built.iter().any(|b| b == name) {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "--quiet", "-p", "tulip", "--example", name]);
        if !cfg!(debug_assertions) {
            cmd.arg("--release");
        }
        let status = cmd.status().unwrap();
        assert!(status.success(), "building the example {name} failed");
        built.push(name.to_string());
    }
    bin
}

fn lines(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes).lines().map(str::to_owned).collect()
}

/// Runs `examples/NAME` with `args` and `--fast`.
fn run_example(name: &str, args: &[&str]) -> Output {
    let out = Command::new(example(name)).args(args).arg("--fast").output().unwrap();
    assert!(out.status.success(), "{name} failed: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// The venv's python with aiohttp: `$TULIP_AIOHTTP_VENV`, else
/// `target/venv-aiohttp`, made here when missing; None (and why) if it
/// can't be.
fn aiohttp_python() -> Option<PathBuf> {
    static PY: OnceLock<Option<PathBuf>> = OnceLock::new();
    PY.get_or_init(|| {
        let venv = std::env::var_os("TULIP_AIOHTTP_VENV")
            .map(PathBuf::from)
            .unwrap_or_else(|| profile_dir().parent().unwrap().join("venv-aiohttp"));
        let python = venv.join("bin/python");
        let ok = |py: &Path| Command::new(py).args(["-c", "import aiohttp"]).output().is_ok_and(|o| o.status.success());
        if !ok(&python) {
            let made =
                Command::new("python3").arg("-m").arg("venv").arg(&venv).output().is_ok_and(|o| o.status.success())
                    && Command::new(&python)
                        .args(["-m", "pip", "install", "-q", "aiohttp"])
                        .output()
                        .is_ok_and(|o| o.status.success());
            if !made || !ok(&python) {
                eprintln!(
                    "no aiohttp venv at {} (python3 -m venv or pip failed): CPython sides skipped",
                    venv.display()
                );
                return None;
            }
        }
        Some(python)
    })
    .clone()
}

/// What the seed program `tests/seeds/NAME.py` prints under aiohttp.
fn seed(name: &str, args: &[&str]) -> Option<Output> {
    let python = aiohttp_python()?;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/seeds");
    let out = Command::new(python)
        .env("TULIP_REAL_AIOHTTP", "1")
        .arg(dir.join("run.py"))
        .arg("0.01")
        .arg(dir.join(format!("{name}.py")))
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{name}.py failed: {}", String::from_utf8_lossy(&out.stderr));
    Some(out)
}

/// Masks what differs from run to run: HTTP dates ("Tue, 01 Dec 2026
/// 10:54:19 GMT"), `HH:MM:SS`, and the number after `took:`.
fn mask(line: &str) -> String {
    let mut line = line.to_string();
    while let Some(gmt) = line.find(" GMT") {
        let start = gmt.saturating_sub(25);
        if line.get(start + 3..start + 4) != Some(",") {
            break;
        }
        line.replace_range(start..gmt + 4, "DATE");
    }
    harness::mask(&line)
}

/// Masked lines, those in `unordered` sorted in place (answers that race).
fn norm(lines: &[String], unordered: std::ops::Range<usize>) -> Vec<String> {
    let mut out: Vec<String> = lines.iter().map(|l| mask(l)).collect();
    let range = unordered.start.min(out.len())..unordered.end.min(out.len());
    out[range].sort();
    out
}

/// The twin's lines against the seed's (or `expected` without aiohttp).
fn check(name: &str, ours: &[String], seed: Option<Output>, expected: &[&str], unordered: std::ops::Range<usize>) {
    let theirs = match seed {
        Some(out) => lines(&out.stdout),
        None => expected.iter().map(|s| s.to_string()).collect(),
    };
    assert_eq!(
        norm(ours, unordered.clone()),
        norm(&theirs, unordered),
        "the twin of the seed program {name} prints other lines than it"
    );
}

const EVENTS_LINES: [&str; 14] = [
    "Synchronous:",
    "Fetch sync process 1 started",
    "Process 1: Wed, 17 Feb 2016 13:10:11 GMT, took: 0.54 seconds",
    "Fetch sync process 2 started",
    "Process 2: Wed, 17 Feb 2016 13:10:11 GMT, took: 0.50 seconds",
    "Fetch sync process 3 started",
    "Process 3: Wed, 17 Feb 2016 13:10:12 GMT, took: 0.48 seconds",
    "Process took: 1.54 seconds",
    "Asynchronous:",
    "Fetch async process 1 started",
    "Fetch async process 2 started",
    "Fetch async process 3 started",
    "Process 3: Wed, 17 Feb 2016 13:10:12 GMT, took: 0.50 seconds",
    "Process 2: Wed, 17 Feb 2016 13:10:12 GMT, took: 0.52 seconds",
];

#[test]
fn github_events() {
    let url = format!("{}/events", services().github);
    let mut expected = EVENTS_LINES.to_vec();
    expected.extend(["Process 1: Wed, 17 Feb 2016 13:10:12 GMT, took: 0.54 seconds", "Process took: 0.54 seconds"]);
    let ours = lines(&run_example("http_github_events", &[&url]).stdout);
    check("http_github_events", &ours, seed("http_github_events", &[&url]), &expected, 12..15);
    // On its own stand-in, with the JSON and the rate limit shown too.
    let alone = lines(&run_example("http_github_events", &["--events"]).stdout);
    let shown: Vec<&String> = alone.iter().filter(|l| l.starts_with("  ")).collect();
    assert_eq!(shown.len(), 6 * 4, "three events and a rate limit per request: {alone:?}");
    assert!(shown.iter().any(|l| l.contains("PushEvent by octocat on octocat/Hello-World")), "{shown:?}");
    assert!(shown.iter().any(|l| l.contains("rate limit: 59 of 60 left")), "{shown:?}");
    let plain: Vec<String> = alone.into_iter().filter(|l| !l.starts_with("  ")).collect();
    assert_eq!(norm(&plain, 12..15), norm(&ours, 12..15));
}

/// `http_events_as_completed`'s lines with their random numbers read out:
/// (pid, sleep) per start line, pid per result line in completion order.
fn as_completed_shape(lines: &[String]) -> (Vec<(u32, u32)>, Vec<u32>) {
    let num = |s: &str| s.trim_matches(|c: char| !c.is_ascii_digit()).parse::<u32>().unwrap();
    let starts = lines[..3]
        .iter()
        .map(|l| {
            let w: Vec<&str> = l.split(' ').collect();
            assert_eq!(w[..3].join(" "), "Fetch async process", "{l}");
            (num(w[3]), num(w[7]))
        })
        .collect();
    let results = lines[3..6]
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let prefix = ">>".repeat(i + 1);
            let rest = l.strip_prefix(&format!("{prefix} Process ")).unwrap_or_else(|| panic!("{l}"));
            assert_eq!(mask(rest.split_once(' ').unwrap().1), "DATE, took: N seconds", "{l}");
            num(rest.split(':').next().unwrap())
        })
        .collect();
    assert_eq!(mask(&lines[6]), "Process took: N seconds");
    (starts, results)
}

#[test]
fn events_as_completed() {
    let url = format!("{}/events", services().github);
    for out in [Some(run_example("http_events_as_completed", &[&url])), seed("http_events_as_completed", &[&url])]
        .into_iter()
        .flatten()
    {
        let lines = lines(&out.stdout);
        assert_eq!(lines.len(), 7, "{lines:?}");
        let (starts, results) = as_completed_shape(&lines);
        // Completion follows the sleeps (ties in either order).
        let sleep_of = |pid: u32| starts.iter().find(|s| s.0 == pid).unwrap().1;
        assert!(results.windows(2).all(|w| sleep_of(w[0]) <= sleep_of(w[1])), "{lines:?}");
    }
    let ours = lines(&run_example("http_events_as_completed", &[&url]).stdout);
    let pids: Vec<u32> = as_completed_shape(&ours).0.iter().map(|s| s.0).collect();
    assert_eq!(pids, [1, 2, 3], "tulip starts them in list order");
}

#[test]
fn first_ip() {
    let s = services_full();
    let expected = [
        "Fetching IP from ipify",
        "Fetching IP from ip-api",
        "ip-api finished with result: 82.34.76.170, took: 0.08 seconds",
    ];
    let ours = lines(&run_example("http_first_ip", &[&s.ipify, &s.ip_api]).stdout);
    check("http_first_ip", &ours, seed("http_first_ip", &[&s.ipify, &s.ip_api]), &expected, 0..0);
    // With a timeout that nothing meets (4a's `wait(.., timeout=..)`).
    let timed_out = lines(&run_example("http_first_ip", &[&s.ipify, &s.ip_api, "--timeout", "0.001"]).stdout);
    assert_eq!(timed_out, ["Fetching IP from ipify", "Fetching IP from ip-api", "no IP within the timeout"]);
    // On its own stand-ins, at a hundredth of the latencies: 0.8 ms against
    // 2.5 ms, a race a loaded machine may turn, so either may win here.
    let alone = lines(&run_example("http_first_ip", &[]).stdout);
    assert_eq!(alone[..2], ours[..2]);
    let won = mask(&alone[2]);
    assert!(
        ["ip-api", "ipify"].iter().any(|n| won == format!("{n} finished with result: 82.34.76.170, took: N seconds")),
        "{alone:?}"
    );
}

#[test]
fn ip_services_one_broken() {
    let s = services();
    let args = [s.ipify.as_str(), s.ip_api.as_str(), s.borken.as_str()];
    let expected = [
        "Fetching IP from ipify",
        "Fetching IP from ip-api",
        "Fetching IP from borken",
        "ip-api finished with result: 82.34.76.170, took: 0.75 seconds",
        "ipify finished with result: 82.34.76.170, took: 1.37 seconds",
        "borken is unresponsive",
    ];
    let ours = lines(&run_example("http_ip_services", &args).stdout);
    check("http_ip_services", &ours, seed("http_ip_services", &args), &expected, 3..6);
    let alone = lines(&run_example("http_ip_services", &[]).stdout);
    assert_eq!(norm(&alone, 3..6), norm(&ours, 3..6));

    // 3b: ip-api's KeyError, caught from its task's result. Python prints
    // the traceback over several lines, tulip the panic's message.
    let bad: Vec<&str> = args.iter().copied().chain(["--bad-attr"]).collect();
    let ours = lines(&run_example("http_ip_services", &bad).stdout);
    let key_error = "Unexpected error: task panicked: KeyError: 'this-is-not-an-attr'";
    let expected = [
        "borken is unresponsive".to_string(),
        "ipify finished with result: 82.34.76.170, took: 0.91 seconds".to_string(),
        key_error.to_string(),
    ];
    assert_eq!(ours[..3], ["Fetching IP from ipify", "Fetching IP from ip-api", "Fetching IP from borken"]);
    assert_eq!(norm(&ours[3..], 0..3), norm(&expected, 0..3), "{ours:?}");
    if let Some(theirs) = seed("http_ip_services", &bad) {
        let theirs = String::from_utf8_lossy(&theirs.stdout).into_owned();
        for line in
            ["borken is unresponsive", "ipify finished with result: 82.34.76.170", "Unexpected error: Traceback"]
        {
            assert!(theirs.contains(line), "aiohttp's 3b lacks {line:?}: {theirs}");
        }
        assert!(theirs.lines().any(|l| l == "KeyError: 'this-is-not-an-attr'"), "{theirs}");
    }
}

#[test]
fn unclosed_session() {
    let s = services_full();
    let ours = run_example("http_unclosed_session", &[&s.ipify, &s.ip_api]);
    let expected = [
        "Fetching IP from ipify",
        "Fetching IP from ip-api",
        "ip-api finished with result: 82.34.76.170, took: 0.08 seconds",
    ];
    let theirs = seed("http_unclosed_session", &[&s.ipify, &s.ip_api]);
    let their_err = theirs.as_ref().map(|o| String::from_utf8_lossy(&o.stderr).into_owned());
    check("http_unclosed_session", &lines(&ours.stdout), theirs, &expected, 0..0);
    let err = String::from_utf8_lossy(&ours.stderr);
    for warning in ["Unclosed client session", "Task was destroyed but it is pending!"] {
        assert!(err.contains(warning), "no {warning:?} on stderr: {err}");
        if let Some(theirs) = &their_err {
            assert!(theirs.contains(warning), "aiohttp's stderr lacks {warning:?}: {theirs}");
        }
    }
}

const WEATHER: [&str; 12] = [
    "Moscow: Clouds",
    "St. Petersburg: Snow",
    "Rostov-on-Don: Clear",
    "Kaliningrad: Rain",
    "Vladivostok: Clear",
    "Minsk: Mist",
    "Beijing: Haze",
    "Delhi: Smoke",
    "Istanbul: Rain",
    "Tokyo: Clear",
    "London: Fog",
    "New York: Clouds",
];

#[test]
fn weather() {
    let base = services().weather.as_str();
    let mut expected = vec!["10:54:29"];
    expected.extend(WEATHER);
    expected.push("10:54:29");
    for (flags, unordered) in [(&[][..], 0..0), (&["--await-each"][..], 1..13)] {
        let args: Vec<&str> = std::iter::once(base).chain(flags.iter().copied()).collect();
        let ours = lines(&run_example("http_weather", &args).stdout);
        check("http_weather", &ours, seed("http_weather", &args), &expected, unordered.clone());
        let alone = lines(&run_example("http_weather", flags).stdout);
        assert_eq!(norm(&alone, unordered.clone()), norm(&ours, unordered));
    }
}

#[test]
fn download_progress() {
    let out = run_example("http_download_progress", &[]);
    assert_eq!(
        lines(&out.stdout),
        [
            "Finished downloading manual.pdf: 262144 bytes (Content-Length)",
            "Finished downloading eula.txt: 100000 bytes (no length)"
        ]
    );
    let bar = String::from_utf8_lossy(&out.stderr);
    assert!(bar.contains(&format!("manual.pdf [{}] 100% 262144/262144 bytes", "#".repeat(30))), "{bar}");
    assert!(bar.contains("manual.pdf [          "), "the bar starts empty: {bar}");
    assert!(bar.contains("eula.txt 100000 bytes"), "{bar}");
}

#[test]
fn page_text() {
    let url = format!("{}/", services().files);
    let expected = [r#"<!doctype html><html lang="ru"><head><title>Google © 2016</title><meta..."#];
    let ours = lines(&run_example("http_page_text", &[&url]).stdout);
    check("http_page_text", &ours, seed("http_page_text", &[&url]), &expected, 0..0);
    let alone = lines(&run_example("http_page_text", &[]).stdout);
    assert_eq!(alone, ours);
}
