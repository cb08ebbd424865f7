//! Hostile and broken input: nothing crashes, leaks a value, loses a line, or runs away.

use std::time::{Duration, Instant};

use crate::util::{run, run_cmd, text, velum};

/// A value that must never reach stderr, whatever fails.
const CANARY: &str = "536-90-4399";

#[test]
fn deeply_nested_json_is_scanned_as_text_without_recursion() {
    let depth = 200_000;
    let mut line = "[".repeat(depth);
    line.push_str(&format!("\"ssn {CANARY}\""));
    line.push_str(&"]".repeat(depth));
    line.push('\n');
    let out = run(&["redact"], line.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(!s.contains(CANARY) && s.contains("***-**-4399"));
    assert_eq!(s.len(), line.len());
}

#[test]
fn deeply_nested_json_value_in_the_library_does_not_overflow() {
    // serde_json refuses depth over 128; a hand-built deep value is walked iteratively enough
    // for realistic depths.
    let mut v = serde_json::json!({"email": "jane@example.com"});
    for _ in 0..100 {
        v = serde_json::json!({ "inner": v });
    }
    assert_eq!(velum::Redactor::new().redact_json(&mut v), 1);
}

#[test]
fn a_json_line_with_a_million_fields() {
    let mut line = String::from("{");
    for i in 0..1_000_000 {
        if i % 100_000 == 7 {
            line.push_str(&format!("\"email{i}\":\"u{i}@example.com\","));
        }
        line.push_str(&format!("\"f{i}\":{i},"));
    }
    line.push_str("\"end\":true}\n");
    let out = run(&["redact"], line.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert_eq!(s.matches("[EMAIL]").count(), 10);
    assert!(
        serde_json::from_str::<serde_json::Value>(&s).is_ok(),
        "still valid JSON"
    );
}

#[test]
fn custom_patterns_that_would_blow_up_are_refused_or_linear() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.toml");
    // Too large to compile: refused with a clear error, exit 2, nothing on stdout.
    std::fs::write(
        &p,
        "[[patterns]]\nname = \"huge\"\nentity = \"HUGE\"\nregex = '(?u:\\w{500}){500}'\n",
    )
    .unwrap();
    let out = run(&["redact", "--policy", p.to_str().unwrap()], b"x\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert!(
        err.contains("p.toml:4: regex: the pattern compiles to more than"),
        "{err}"
    );
    // Catastrophic for a backtracking engine, linear here.
    std::fs::write(
        &p,
        "[[patterns]]\nname = \"evil\"\nentity = \"EVIL\"\nregex = '(a|aa)*b'\n",
    )
    .unwrap();
    let input = format!("{}\n", "a".repeat(200_000));
    let t = Instant::now();
    let out = run(
        &["redact", "--policy", p.to_str().unwrap()],
        input.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(out.stdout, input.as_bytes());
    assert!(t.elapsed() < Duration::from_secs(30));
}

#[test]
fn broken_policies_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.toml");
    for (content, want) in [
        (
            &b"[entities.EMAIL]\naction = \"mask\"\n[entities.IBAN"[..],
            "p.toml:3",
        ),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b"min_score = \"high\"\n", "p.toml:1"),
        (b"[[patterns]]\nname = \"x\"\n", "p.toml:1"),
    ] {
        std::fs::write(&p, content).unwrap();
        let out = run(
            &["scan", "--policy", p.to_str().unwrap()],
            CANARY.as_bytes(),
        );
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        assert!(out.stdout.is_empty());
        assert!(
            text(&out.stderr).contains(want),
            "{want}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn the_canary_never_reaches_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let input = format!("a\nssn {CANARY} and jane@example.com\nlast {CANARY}");
    let bad_policy = dir.path().join("bad.toml");
    std::fs::write(&bad_policy, "[entities.US_SSN]\naction = \"explode\"\n").unwrap();
    let keyring = dir.path().join("k.json");
    let made = run(&["keygen", "--out", keyring.to_str().unwrap()], b"");
    assert_eq!(made.status.code(), Some(0));
    type Case<'a> = (Vec<&'a str>, Vec<(&'a str, String)>);
    let cases: Vec<Case<'_>> = vec![
        (
            vec!["redact"],
            vec![("VELUM_FAILPOINT_PANIC_LINE", "2".into())],
        ),
        (
            vec!["scan"],
            vec![("VELUM_FAILPOINT_PANIC_LINE", "3".into())],
        ),
        (
            vec!["redact", "--policy", bad_policy.to_str().unwrap()],
            vec![],
        ),
        (vec!["redact", "-", "/nonexistent"], vec![]),
        (vec!["tokenize"], vec![]),
        (
            vec!["tokenize", "--keyring", keyring.to_str().unwrap()],
            vec![("VELUM_FAILPOINT_PANIC_LINE", "2".into())],
        ),
        (
            vec![
                "detokenize",
                "--vault-policy",
                "/nonexistent.toml",
                "--keyring",
                keyring.to_str().unwrap(),
            ],
            vec![],
        ),
    ];
    for (args, env) in cases {
        let mut cmd = velum();
        cmd.args(&args)
            .env_remove("VELUM_KEYRING")
            .env("VELUM_AUDIT_LOG", dir.path().join("a.jsonl"));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = run_cmd(&mut cmd, input.as_bytes());
        let err = text(&out.stderr);
        assert!(!err.is_empty(), "{args:?} should fail");
        assert!(
            !err.contains(CANARY) && !err.contains("jane@"),
            "{args:?}: {err}"
        );
    }
}
