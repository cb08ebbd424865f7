//! `velum batch` end to end: tree mirroring, every format round-tripping, counts equal to
//! `velum scan`, a corrupt input among good ones, the input-tree guard, in-place runs, and
//! kill -9 in the middle followed by `--resume`.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::util::{data, run, velum};

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn redact(args: &[&str], input: &[u8]) -> Vec<u8> {
    let mut a = vec!["redact"];
    a.extend_from_slice(args);
    let out = run(&a, input);
    assert!(out.status.success());
    out.stdout
}

/// Per-entity counts of `velum scan` over a file.
fn scan_counts(file: &Path, args: &[&str]) -> BTreeMap<String, u64> {
    let mut a = vec!["scan", file.to_str().unwrap()];
    a.extend_from_slice(args);
    let out = run(&a, b"");
    let mut m = BTreeMap::new();
    for l in String::from_utf8(out.stdout).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        *m.entry(v["entity"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    m
}

/// `velum batch INPUT --out OUT EXTRA...`.
fn batch(input: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut a = vec![
        "batch",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    a.extend_from_slice(extra);
    run(&a, b"")
}

/// Asserts the job exited 0, showing its stderr otherwise.
fn succeeded(o: &std::process::Output) {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn report_of(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn file_report<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["input"].as_str().unwrap().ends_with(name))
        .unwrap_or_else(|| panic!("{name} not in report"))
}

fn counts(v: &serde_json::Value) -> BTreeMap<String, u64> {
    v["findings"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, n)| (k.clone(), n.as_u64().unwrap()))
        .collect()
}

/// A tree with every format: plain, JSON lines, CSV, gzip, zstd, a binary file.
fn tree(root: &Path) -> Vec<u8> {
    let sample = std::fs::read(data("pii_sample.log")).unwrap();
    write(&root.join("app.log"), &sample);
    write(&root.join("deep/er/app.log.gz"), &gzip(&sample));
    write(
        &root.join("deep/app.log.zst"),
        &zstd::encode_all(&sample[..], 3).unwrap(),
    );
    write(
        &root.join("events.jsonl"),
        br#"{"user":{"email":"jane@example.com","ssn":536904399},"msg":"card 4111 1111 1111 1111 \"ok\""}
{"ok":true}
"#,
    );
    write(
        &root.join("people.csv"),
        b"id,name,email,ssn,note\n1,\"Doe, Jane\",jane@example.com,536904399,\"said \"\"hi\"\"\"\n2,x,bob@example.org,,\n",
    );
    write(&root.join("image.bin"), b"\x89PNG\0\0\0binary");
    sample
}

#[test]
fn mirrors_the_tree_and_round_trips_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let (input, out) = (dir.path().join("in"), dir.path().join("out"));
    let sample = tree(&input);
    let report_path = dir.path().join("report.json");
    let o = batch(&input, &out, &["--report", report_path.to_str().unwrap()]);
    succeeded(&o);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("total: 6 files (5 done, 0 resumed, 1 skipped, 0 failed)"),
        "{stderr}"
    );
    assert!(!stderr.contains("jane@"), "no values in the table");

    let want = redact(&[], &sample);
    assert_eq!(std::fs::read(out.join("app.log")).unwrap(), want);
    assert_eq!(
        gunzip(&std::fs::read(out.join("deep/er/app.log.gz")).unwrap()),
        want
    );
    let zst = std::fs::read(out.join("deep/app.log.zst")).unwrap();
    assert_eq!(zstd::decode_all(&zst[..]).unwrap(), want);
    for line in std::fs::read_to_string(out.join("events.jsonl"))
        .unwrap()
        .lines()
    {
        let v: serde_json::Value = serde_json::from_str(line).expect("valid JSON out");
        assert!(!v.to_string().contains("jane@"));
    }
    assert_eq!(
        std::fs::read_to_string(out.join("people.csv")).unwrap(),
        "id,name,email,ssn,note\n1,\"[PERSON]\",[EMAIL],*****4399,\"said \"\"hi\"\"\"\n2,x,[EMAIL],,\n"
    );
    assert!(!out.join("image.bin").exists(), "binary files are skipped");

    // The report's counts are velum scan's on the same files (same format).
    let report = report_of(&report_path);
    assert_eq!(
        counts(file_report(&report, "in/app.log")),
        scan_counts(&input.join("app.log"), &[])
    );
    assert_eq!(
        counts(file_report(&report, "app.log.gz")),
        scan_counts(&input.join("app.log"), &[])
    );
    assert_eq!(
        counts(file_report(&report, "people.csv")),
        scan_counts(&input.join("people.csv"), &["--format", "csv"])
    );
    assert_eq!(
        counts(file_report(&report, "events.jsonl")),
        scan_counts(&input.join("events.jsonl"), &[])
    );
    assert_eq!(file_report(&report, "image.bin")["status"], "skipped");
    assert_eq!(report["total"]["ok"], 5);
    let total: u64 = counts(&report["total"]).values().sum();
    assert!(total > 400, "{total}");
}

#[test]
fn a_corrupt_input_is_reported_and_the_rest_processed() {
    let dir = tempfile::tempdir().unwrap();
    let (input, out) = (dir.path().join("in"), dir.path().join("out"));
    write(&input.join("a.log"), b"mail jane@example.com\n");
    write(&input.join("b.log.gz"), b"this is not gzip at all\n");
    let mut truncated = gzip(&b"mail jane@example.com\n".repeat(1000));
    truncated.truncate(truncated.len() / 2);
    write(&input.join("c.log.gz"), &truncated);
    write(&input.join("d.log"), b"ip 203.0.113.9\n");
    let o = batch(&input, &out, &[]);
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("b.log.gz: named .gz but not gzip data"),
        "{err}"
    );
    assert!(err.contains("c.log.gz"), "{err}");
    // Each error line names its file once.
    for l in err.lines().filter(|l| l.starts_with("velum: batch:")) {
        let name = if l.contains("b.log.gz") {
            "b.log.gz"
        } else {
            "c.log.gz"
        };
        assert_eq!(l.matches(name).count(), 1, "{l}");
    }
    assert!(err.contains("2 done") && err.contains("2 failed"), "{err}");
    assert_eq!(std::fs::read(out.join("a.log")).unwrap(), b"mail [EMAIL]\n");
    assert_eq!(
        std::fs::read(out.join("d.log")).unwrap(),
        b"ip [IP_ADDRESS]\n"
    );
    // No output, partial or not, under a failed file's name, and no temporary left.
    assert!(!out.join("b.log.gz").exists() && !out.join("c.log.gz").exists());
    let names: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names.iter().any(|n| n.starts_with(".velum-tmp-")),
        "{names:?}"
    );
}

/// Issue 16: a file name that is not UTF-8 used to stop the whole job (exit 101, no report).
/// Now it is processed like any other, named lossily in the report, and found again by
/// `--resume`.
#[cfg(unix)]
#[test]
fn a_file_name_that_is_not_utf8_is_processed() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let (input, out) = (dir.path().join("in"), dir.path().join("out"));
    write(&input.join("a.log"), b"mail jane@example.com\n");
    let odd = std::ffi::OsStr::from_bytes(b"b\xff.log");
    write(&input.join(odd), b"ssn 536-90-4399\n");
    // An input with setuid and setgid bits: its output gets the permission bits only.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(input.join("a.log"), std::fs::Permissions::from_mode(0o6750)).unwrap();
    let report = dir.path().join("report.json");
    let o = batch(&input, &out, &["--report", report.to_str().unwrap()]);
    succeeded(&o);
    assert_eq!(std::fs::read(out.join(odd)).unwrap(), b"ssn ***-**-4399\n");
    let mode = std::fs::metadata(out.join("a.log"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o7777, 0o750, "{mode:o}");
    let r = report_of(&report);
    assert!(r.to_string().contains("b\u{fffd}.log"), "{r}");
    let o = batch(&input, &out, &["--resume"]);
    assert_eq!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("2 resumed") || err.contains("resumed: 2"),
        "{err}"
    );
}

/// Issue 16: a symbolic link planted inside the output tree (a subdirectory, the manifest)
/// is never followed, and the guard against writing into the input sees through `..`.
#[cfg(unix)]
#[test]
fn outputs_never_follow_links_out_of_the_output_tree() {
    let dir = tempfile::tempdir().unwrap();
    let (input, out, elsewhere) = (
        dir.path().join("in"),
        dir.path().join("out"),
        dir.path().join("elsewhere"),
    );
    write(&input.join("app/a.log"), b"mail jane@example.com\n");
    write(&input.join("b.log"), b"ip 203.0.113.9\n");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, out.join("app")).unwrap();
    let o = batch(&input, &out, &[]);
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("a symbolic link inside the output tree"),
        "{err}"
    );
    assert!(std::fs::read_dir(&elsewhere).unwrap().next().is_none());
    assert_eq!(
        std::fs::read(out.join("b.log")).unwrap(),
        b"ip [IP_ADDRESS]\n"
    );
    // The manifest as a link: the job refuses before writing anything through it.
    let out2 = dir.path().join("out2");
    std::fs::create_dir_all(&out2).unwrap();
    let target = dir.path().join("victim");
    std::fs::write(&target, b"keep me\n").unwrap();
    std::os::unix::fs::symlink(&target, out2.join(".velum-manifest.jsonl")).unwrap();
    let o = batch(&input, &out2, &[]);
    assert_ne!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stderr).contains("manifest"));
    assert_eq!(std::fs::read(&target).unwrap(), b"keep me\n");
    // `--out other/../in/sub` is inside the input tree however it is spelled.
    let sneaky = dir.path().join("other/../in/sub");
    let o = batch(&input, &sneaky, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("refusing to write into the input tree"));
}

/// Issue 16: a symbolic link inside an input tree is not followed, and the report says so
/// (it was skipped without a word).
#[cfg(unix)]
#[test]
fn input_links_are_reported_as_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let (input, out) = (dir.path().join("in"), dir.path().join("out"));
    write(&input.join("a.log"), b"mail jane@example.com\n");
    write(&dir.path().join("outside.log"), b"ip 203.0.113.9\n");
    std::os::unix::fs::symlink(dir.path().join("outside.log"), input.join("link.log")).unwrap();
    let report = dir.path().join("report.json");
    let o = batch(&input, &out, &["--report", report.to_str().unwrap()]);
    succeeded(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("skipped") && err.contains("link.log"), "{err}");
    let r = report_of(&report);
    let f = file_report(&r, "link.log");
    assert_eq!(f["status"], "skipped");
    assert!(
        f["error"].as_str().unwrap().contains("symbolic link"),
        "{f}"
    );
    assert_eq!(r["total"]["skipped"], 1);
    assert_eq!(r["total"]["ok"], 1);
    assert!(!out.join("link.log").exists());
}

#[test]
fn refuses_the_input_tree_unless_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    write(&input.join("sub/a.log"), b"mail jane@example.com\n");
    write(&input.join("keep.txt"), b"ip 203.0.113.9\n");
    let inside = input.join("redacted");
    let o = batch(&input, &inside, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--in-place"));
    assert!(!inside.exists(), "nothing written");
    let o = run(&["batch", input.to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(2));

    // In place: each file replaced atomically; globs pick the files.
    let o = run(
        &[
            "batch",
            input.to_str().unwrap(),
            "--in-place",
            "--include",
            "*.log",
        ],
        b"",
    );
    succeeded(&o);
    assert_eq!(
        std::fs::read(input.join("sub/a.log")).unwrap(),
        b"mail [EMAIL]\n"
    );
    assert_eq!(
        std::fs::read(input.join("keep.txt")).unwrap(),
        b"ip 203.0.113.9\n"
    );
    // Excluded directories are not entered.
    let out = dir.path().join("out");
    let o = batch(&input, &out, &["--exclude", "sub"]);
    assert!(o.status.success());
    assert!(out.join("keep.txt").exists() && !out.join("sub").exists());
}

/// Names of the files under `dir` (relative), temporaries included.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                v.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    v.sort();
    v
}

#[test]
fn kill_9_leaves_only_complete_files_and_resume_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let sample = std::fs::read(data("pii_sample.log")).unwrap();
    let big = sample.repeat(8);
    for i in 0..48 {
        let name = format!("part-{i:02}.log{}", if i % 3 == 0 { ".gz" } else { "" });
        let body = if i % 3 == 0 { gzip(&big) } else { big.clone() };
        write(&input.join(format!("d{}", i % 4)).join(name), &body);
    }
    // The reference: a run to the end.
    let reference = dir.path().join("ref");
    let o = batch(&input, &reference, &["--quiet"]);
    assert!(o.status.success());

    let out = dir.path().join("out");
    let mut child = velum()
        .args(["--threads", "1", "batch", input.to_str().unwrap(), "--out"])
        .arg(&out)
        .arg("--quiet")
        .spawn()
        .unwrap();
    let manifest = out.join(".velum-manifest.jsonl");
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::read_to_string(&manifest)
        .map(|m| m.lines().count())
        .unwrap_or(0)
        < 3
    {
        assert!(Instant::now() < deadline, "no progress");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let after_kill = files_under(&out);
    let finals: Vec<_> = after_kill
        .iter()
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            !n.starts_with(".velum-tmp-") && n != ".velum-manifest.jsonl"
        })
        .collect();
    assert!(
        !finals.is_empty() && finals.len() < 48,
        "killed mid-job: {}",
        finals.len()
    );
    for p in &finals {
        assert_eq!(
            std::fs::read(out.join(p)).unwrap(),
            std::fs::read(reference.join(p)).unwrap(),
            "{} is complete",
            p.display()
        );
    }

    let report_path = dir.path().join("report.json");
    let o = batch(
        &input,
        &out,
        &["--resume", "--report", report_path.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report = report_of(&report_path);
    let resumed = report["total"]["resumed"].as_u64().unwrap();
    assert!(resumed >= 3, "{resumed}");
    assert_eq!(resumed + report["total"]["ok"].as_u64().unwrap(), 48);
    let mut got = files_under(&out);
    got.retain(|p| p.file_name().unwrap() != ".velum-manifest.jsonl");
    let mut want = files_under(&reference);
    want.retain(|p| p.file_name().unwrap() != ".velum-manifest.jsonl");
    assert_eq!(got, want, "no temporaries left, nothing missing");
    for p in &want {
        assert_eq!(
            std::fs::read(out.join(p)).unwrap(),
            std::fs::read(reference.join(p)).unwrap()
        );
    }

    // A changed input is redone on resume; an edited output is redone too.
    std::thread::sleep(Duration::from_millis(20));
    write(&input.join("d1/part-01.log"), b"mail jane@example.com\n");
    write(&out.join("d2/part-02.log"), b"tampered");
    let o = batch(
        &input,
        &out,
        &["--resume", "--report", report_path.to_str().unwrap()],
    );
    assert!(o.status.success());
    let report = report_of(&report_path);
    assert_eq!(report["total"]["ok"], 2, "{}", report["total"]);
    assert_eq!(
        std::fs::read(out.join("d1/part-01.log")).unwrap(),
        b"mail [EMAIL]\n"
    );
    assert_eq!(
        std::fs::read(out.join("d2/part-02.log")).unwrap(),
        std::fs::read(reference.join("d2/part-02.log")).unwrap()
    );
}

/// Issue 24: a directory of the output tree swapped for a symbolic link while the job runs
/// sent 4 of 18,000 files outside `--out`. Outputs are now written relative to directory
/// handles: whatever is swapped, and however often, nothing lands outside.
#[test]
fn a_swap_while_the_job_runs_sends_nothing_outside() {
    let dir = tempfile::tempdir().unwrap();
    let (input, out, elsewhere) = (
        dir.path().join("in"),
        dir.path().join("out"),
        dir.path().join("elsewhere"),
    );
    for i in 0..3_000 {
        write(
            &input.join(format!("app/d{}/f{i}.log", i % 10)),
            b"mail jane@example.com\n",
        );
    }
    std::fs::create_dir_all(&elsewhere).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let swapper = {
        let (out, elsewhere, moved, stop) = (
            out.clone(),
            elsewhere.clone(),
            dir.path().join("moved"),
            std::sync::Arc::clone(&stop),
        );
        std::thread::spawn(move || {
            let mut swaps = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                for d in 0..10 {
                    let p = out.join(format!("app/d{d}"));
                    let to = moved.join(format!("{swaps}-{d}"));
                    std::fs::create_dir_all(&moved).unwrap();
                    if std::fs::rename(&p, &to).is_ok() {
                        let _ = std::os::unix::fs::symlink(&elsewhere, &p);
                        swaps += 1;
                    }
                }
                std::thread::sleep(Duration::from_micros(200));
                // Links removed again, so the job goes on creating and swapping continues.
                for d in 0..10 {
                    let p = out.join(format!("app/d{d}"));
                    if std::fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_symlink()) {
                        let _ = std::fs::remove_file(&p);
                    }
                }
            }
            swaps
        })
    };
    let o = batch(&input, &out, &[]);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let swaps = swapper.join().unwrap();
    assert!(matches!(o.status.code(), Some(0 | 3)), "{o:?}");
    assert!(swaps > 0, "the swapper never swapped");
    let outside: Vec<_> = std::fs::read_dir(&elsewhere).unwrap().flatten().collect();
    assert!(
        outside.is_empty(),
        "{} files outside --out after {swaps} swaps",
        outside.len()
    );
}

/// Issue 24: file names with escape sequences were printed raw to the terminal.
#[test]
fn file_names_reach_the_terminal_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let (input, out) = (dir.path().join("in"), dir.path().join("out"));
    write(&input.join("evil\x1b]0;owned\x07.log"), b"\x00binary\n");
    write(&input.join("ok.log"), b"mail jane@example.com\n");
    let o = batch(&input, &out, &[]);
    let err = &o.stderr;
    assert!(
        !err.contains(&0x1b) && !err.contains(&0x07),
        "{}",
        String::from_utf8_lossy(err)
    );
    assert!(String::from_utf8_lossy(err).contains("evil\\u{1b}]0;owned\\u{7}.log"));
}
