//! Helpers for driving the built binary.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::thread::JoinHandle;
use std::time::Duration;

/// A `velum` command with a clean environment for the variables velum reads.
pub(crate) fn velum() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_velum"));
    c.env_remove("VELUM_KEYRING")
        .env_remove("VELUM_KEYRING_PASSPHRASE_FILE")
        .env_remove("VELUM_KEYRING_NEW_PASSPHRASE_FILE")
        .env_remove("VELUM_KEYRING_IDENTITY")
        .env_remove("VELUM_HSM_MODULE")
        .env_remove("VELUM_HSM_PIN_FILE")
        .env_remove("VELUM_FAILPOINT_PANIC_LINE");
    c
}

/// Path of a file under tests/data.
pub(crate) fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// Runs velum with `args`, feeding `stdin`, and returns its output.
pub(crate) fn run(args: &[&str], stdin: &[u8]) -> Output {
    run_cmd(velum().args(args), stdin)
}

pub(crate) fn run_cmd(cmd: &mut Command, stdin: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn velum");
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().expect("wait velum");
    feeder.join().unwrap();
    out
}

/// Polls a child's peak resident set (VmHWM, KiB) until it exits; returns the last value read.
pub(crate) fn watch_peak_rss(child: &Child) -> JoinHandle<u64> {
    let status = format!("/proc/{}/status", child.id());
    std::thread::spawn(move || {
        let mut peak = 0u64;
        while let Ok(s) = std::fs::read_to_string(&status) {
            if let Some(kb) = s
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
            {
                peak = peak.max(kb);
            }
            if s.lines()
                .any(|l| l.starts_with("State:") && l.contains("zombie"))
            {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        peak
    })
}

/// Lossy text of a byte slice, for messages.
pub(crate) fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The data shared beside the repository (`../shared/<name>`: real logs, FHIR records), or
/// `None` with a printed notice when it is absent — a clone on its own still passes its
/// tests. With `VELUM_REQUIRE_SHARED=1` (set by `.ci/run`) its absence is a failure.
pub(crate) fn shared(name: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(name);
    if dir.exists() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("VELUM_REQUIRE_SHARED").is_none_or(|v| v != "1"),
        "{} is absent, and VELUM_REQUIRE_SHARED=1 makes it required",
        dir.display()
    );
    // Written to the process's stderr itself, not through `eprintln!`, which the test
    // harness captures and shows only for a failing test: the skip is seen in any run.
    let _ = writeln!(
        std::io::stderr(),
        "note: {} is absent: this test is skipped (set VELUM_REQUIRE_SHARED=1 to require it)",
        dir.display()
    );
    None
}

/// A labelled or found span of a line, as `../shared`'s label files and `velum scan` write
/// them (`line`, `start`, `end`, `entity`, `ambiguous`).
#[derive(Debug)]
pub(crate) struct LabelSpan {
    pub(crate) line: u64,
    pub(crate) start: u64,
    pub(crate) end: u64,
    pub(crate) entity: String,
    pub(crate) ambiguous: bool,
}

pub(crate) fn label_span(v: &serde_json::Value) -> LabelSpan {
    LabelSpan {
        line: v["line"].as_u64().unwrap(),
        start: v["start"].as_u64().unwrap(),
        end: v["end"].as_u64().unwrap(),
        entity: v["entity"].as_str().unwrap().to_owned(),
        ambiguous: v["ambiguous"].as_bool().unwrap_or(false),
    }
}
