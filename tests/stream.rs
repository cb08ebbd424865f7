//! Stream guarantees of DESIGN.md, each driven through the built binary: line count, byte
//! transparency, idempotence, bounded memory, prompt output, a closed stdout, fail-closed.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::util::{run, run_cmd, text, velum, watch_peak_rss};

/// Resident memory ceiling for every stream test (DESIGN.md invariant 4; issue target 64 MiB).
const RSS_LIMIT_KIB: u64 = 64 * 1024;

#[test]
fn byte_transparency_and_line_count() {
    let input: &[u8] = b"\xff\xfe\x00 raw \x80 bytes jane@example.com\r\n\r\n\x00\x00\nno pii \xc3\x28 here\nlast line no newline 536-90-4399";
    let out = run(&["redact"], input);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        out.stdout,
        b"\xff\xfe\x00 raw \x80 bytes [EMAIL]\r\n\r\n\x00\x00\nno pii \xc3\x28 here\nlast line no newline ***-**-4399".to_vec()
    );
    let count = |b: &[u8]| b.iter().filter(|&&c| c == b'\n').count();
    assert_eq!(count(&out.stdout), count(input));
    // Empty input gives empty output.
    assert!(run(&["redact"], b"").stdout.is_empty());
}

#[test]
fn redact_is_idempotent() {
    let input = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/app.log")).unwrap();
    let once = run(&["redact"], &input).stdout;
    let twice = run(&["redact"], &once).stdout;
    assert_ne!(once, input);
    assert_eq!(text(&twice), text(&once));
    assert!(
        run(&["scan"], &once).stdout.is_empty(),
        "{}",
        text(&run(&["scan"], &once).stdout)
    );
}

/// Streams `total` bytes made by `chunk` into `velum redact`, drains the output, and returns
/// (output bytes, count of `needle` in the output, peak RSS KiB).
fn pump(total: usize, chunk: &[u8], needle: &[u8]) -> (u64, u64, u64) {
    let mut child = velum()
        .arg("redact")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let rss = watch_peak_rss(&child);
    let mut stdin = child.stdin.take().unwrap();
    let chunk = chunk.to_vec();
    let feeder = std::thread::spawn(move || {
        let mut sent = 0;
        while sent < total {
            stdin.write_all(&chunk).unwrap();
            sent += chunk.len();
        }
    });
    let mut stdout = child.stdout.take().unwrap();
    let needle = needle.to_vec();
    let reader = std::thread::spawn(move || {
        let mut buf = vec![0u8; 1 << 20];
        let (mut n, mut hits, mut tail) = (0u64, 0u64, Vec::new());
        loop {
            let k = stdout.read(&mut buf).unwrap();
            if k == 0 {
                break;
            }
            n += k as u64;
            tail.extend_from_slice(&buf[..k]);
            hits += tail
                .windows(needle.len())
                .filter(|w| *w == needle.as_slice())
                .count() as u64;
            let keep = tail.len().min(needle.len() - 1);
            tail.drain(..tail.len() - keep);
        }
        (n, hits)
    });
    feeder.join().unwrap();
    let (n, hits) = reader.join().unwrap();
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(status.success(), "{err}");
    (n, hits, rss.join().unwrap())
}

#[test]
fn a_1_gib_single_line_runs_in_bounded_memory() {
    // 1 MiB blocks, no newline at all: 1 GiB of one line. Each block holds one e-mail address,
    // placed so that blocks meet at varying offsets from the framer's chunk boundaries.
    let mut block = b"lorem ipsum dolor sit amet ".repeat((1 << 20) / 27);
    block.truncate((1 << 20) - 40);
    block.extend_from_slice(b" mail jane.doe@example.com ok ");
    block.resize(1 << 20, b'.');
    let total = 1 << 30;
    let (n, labels, rss) = pump(total, &block, b"[EMAIL]");
    assert_eq!(
        labels,
        (total / block.len()) as u64,
        "every address across chunk joins was found"
    );
    assert_eq!(
        n,
        (total - (total / block.len()) * ("jane.doe@example.com".len() - "[EMAIL]".len())) as u64
    );
    assert!(rss > 512 && rss < RSS_LIMIT_KIB, "peak RSS {rss} KiB");
    eprintln!("1 GiB line: peak RSS {rss} KiB");
}

#[test]
fn a_long_stream_of_lines_runs_in_bounded_memory() {
    let mut block = Vec::new();
    while block.len() < (1 << 20) - 200 {
        block.extend_from_slice(
            b"2026-11-25T09:14:02Z INFO user=jane@example.com paid 4111 1111 1111 1111 id=8842\n",
        );
        block.extend_from_slice(
            b"2026-11-25T09:14:03Z DEBUG cache hits=918273 misses=1204 nothing to see here\n",
        );
    }
    let per_block = block.windows(7).filter(|w| *w == b"jane@ex").count() as u64;
    let total: usize = 256 << 20;
    let blocks = total.div_ceil(block.len()) as u64;
    let (_, labels, rss) = pump(total, &block, b"[EMAIL]");
    assert_eq!(labels, per_block * blocks);
    assert!(rss > 512 && rss < RSS_LIMIT_KIB, "peak RSS {rss} KiB");
    eprintln!("256 MiB of lines: peak RSS {rss} KiB");
}

#[test]
fn output_is_prompt_when_input_pauses() {
    let mut child = velum()
        .arg("redact")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    for want in [
        ("mail jane@example.com", "mail [EMAIL]"),
        ("ip 203.0.113.9", "ip [IP_ADDRESS]"),
    ] {
        let t = Instant::now();
        writeln!(stdin, "{}", want.0).unwrap();
        stdin.flush().unwrap();
        // stdin stays open: the line must come out anyway.
        let got = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("line written while input paused");
        assert_eq!(got, want.1);
        assert!(t.elapsed() < Duration::from_secs(10));
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

#[test]
fn closed_stdout_ends_quietly() {
    let mut child = velum()
        .arg("redact")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        let line =
            b"mail jane@example.com and some more text to fill the pipe quickly\n".repeat(1000);
        for _ in 0..2000 {
            if stdin.write_all(&line).is_err() {
                break;
            }
        }
    });
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // Dropping the reader closes the pipe, like `| head -1`.
    assert_eq!(
        first,
        "mail [EMAIL] and some more text to fill the pipe quickly\n"
    );
    let status = child.wait().unwrap();
    feeder.join().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(0));
    assert_eq!(err, "", "no panic text or error on a closed pipe");
}

#[test]
fn fail_closed_withholds_the_unit_it_could_not_scan() {
    let input = b"one jane@example.com\ntwo\nthree 536-90-4399 secret\nfour\n";
    let out = run_cmd(
        velum().arg("redact").env("VELUM_FAILPOINT_PANIC_LINE", "3"),
        input,
    );
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        text(&out.stdout),
        "one [EMAIL]\ntwo\n",
        "lines before the fault, and nothing after"
    );
    let err = text(&out.stderr);
    assert!(err.contains("line 3") && err.contains("withheld"), "{err}");
    assert!(
        !err.contains("536-90-4399") && !err.contains("secret"),
        "{err}"
    );
}

#[test]
fn output_is_identical_for_any_thread_count() {
    // A few MiB of mixed lines, so that batches really go to several threads.
    let mut input = Vec::new();
    let sample = std::fs::read(crate::util::data("pii_sample.log")).unwrap();
    while input.len() < 4 << 20 {
        input.extend_from_slice(&sample);
        input.extend_from_slice(b"tail without newline 536-90-4399\r\n");
    }
    input.extend_from_slice(b"last jane@example.com");
    let one = run(&["--threads", "1", "redact"], &input);
    let four = run(&["--threads", "4", "redact"], &input);
    assert_eq!(one.status.code(), Some(0));
    assert_eq!(four.status.code(), Some(0));
    assert!(
        one.stdout == four.stdout,
        "redact differs between 1 and 4 threads"
    );
    let scan1 = run(&["--threads", "1", "scan"], &input).stdout;
    let scan4 = run(&["--threads", "4", "scan"], &input).stdout;
    assert!(
        !scan1.is_empty() && scan1 == scan4,
        "scan differs between 1 and 4 threads"
    );
    assert_eq!(
        run(&["--threads", "0", "redact"], b"x").status.code(),
        Some(2)
    );
}

#[test]
fn fail_closed_in_parallel_batches() {
    let mut input = Vec::new();
    for i in 0..20_000 {
        input.extend_from_slice(format!("line {i} mail u{i}@example.com\n").as_bytes());
    }
    let out = run_cmd(
        velum()
            .args(["--threads", "2", "redact"])
            .env("VELUM_FAILPOINT_PANIC_LINE", "12345"),
        &input,
    );
    assert_eq!(out.status.code(), Some(3));
    let s = text(&out.stdout);
    assert_eq!(
        s.lines().count(),
        12344,
        "every line before the faulty one, and none after"
    );
    assert!(s.ends_with("line 12343 mail [EMAIL]\n"));
    assert!(text(&out.stderr).contains("line 12345"));
}
