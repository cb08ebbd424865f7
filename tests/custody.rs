//! Key custody through the binary: a keyring sealed with a passphrase or to `age`
//! recipients, every command reading it, the conversions, the exit codes of a wrong
//! passphrase (4) and a damaged file (2), and `velum audit watch` on a log with bursts.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::util::{run_cmd, text, velum};

fn private(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Self {
        Self(tempfile::tempdir().unwrap())
    }

    fn p(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }

    /// `velum ARGS` with `env` set, `stdin` fed.
    fn run(&self, args: &[&str], env: &[(&str, &Path)], stdin: &[u8]) -> Output {
        let mut c = velum();
        c.args(args).current_dir(self.0.path());
        for (k, v) in env {
            c.env(k, v);
        }
        run_cmd(&mut c, stdin)
    }
}

fn ok(o: &Output) {
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

#[test]
fn a_keyring_sealed_with_a_passphrase_opens_only_with_it() {
    let d = Dir::new();
    let keys = d.p("keys.json");
    let (pass, other, newp) = (d.p("pass"), d.p("wrong"), d.p("new"));
    private(&pass, b"correct horse battery\n");
    private(&other, b"battery staple horse\n");
    private(&newp, b"a new long passphrase\n");
    let k = keys.to_str().unwrap();
    ok(&d.run(&["keygen", "--out", k], &[], b""));
    // In clear: it loads, with a warning that says how to seal it.
    let clear = d.run(
        &["tokenize", "--keyring", k],
        &[],
        b"mail jane@example.com\n",
    );
    ok(&clear);
    assert!(
        text(&clear.stderr).contains("stored in clear"),
        "{}",
        text(&clear.stderr)
    );
    assert!(text(&clear.stderr).contains("velum keyring encrypt"));
    let token_before = text(&clear.stdout);

    // Sealed with the passphrase of a file named by the environment.
    let e = d.run(
        &["keyring", "encrypt", "--keyring", k],
        &[("VELUM_KEYRING_NEW_PASSPHRASE_FILE", &pass)],
        b"",
    );
    ok(&e);
    let sealed = std::fs::read_to_string(&keys).unwrap();
    assert!(sealed.contains("velum-keyring-sealed") && sealed.contains("argon2id"));
    assert!(!sealed.contains("material"), "no key in clear");
    // Every command reads it with the passphrase: the tokens are the same as before.
    let with = [("VELUM_KEYRING_PASSPHRASE_FILE", pass.as_path())];
    let t = d.run(
        &["tokenize", "--keyring", k],
        &with,
        b"mail jane@example.com\n",
    );
    ok(&t);
    assert_eq!(text(&t.stdout), token_before);
    assert!(!text(&t.stderr).contains("in clear"));
    // From a file descriptor, through a shell.
    let fd = velum_sh(
        &d,
        &format!(
            "printf 'mail jane@example.com\\n' | \"$VELUM\" tokenize --keyring {k} --passphrase-fd 3 3<{}",
            pass.display()
        ),
    );
    ok(&fd);
    assert_eq!(text(&fd.stdout), token_before);

    // None given and no terminal: locked, exit 4, saying what to give.
    let none = d.run(&["tokenize", "--keyring", k], &[], b"x\n");
    assert_eq!(none.status.code(), Some(4), "{}", text(&none.stderr));
    assert!(text(&none.stderr).contains("--passphrase-fd"));
    assert!(none.stdout.is_empty());
    // A wrong one: exit 4, "wrong passphrase"; nothing written.
    let wrong = d.run(
        &["tokenize", "--keyring", k],
        &[("VELUM_KEYRING_PASSPHRASE_FILE", &other)],
        b"mail jane@example.com\n",
    );
    assert_eq!(wrong.status.code(), Some(4), "{}", text(&wrong.stderr));
    assert!(text(&wrong.stderr).contains("wrong passphrase"));
    assert!(wrong.stdout.is_empty());

    // Rotation keeps it sealed with the same passphrase.
    ok(&d.run(&["keygen", "--rotate", "--keyring", k], &with, b""));
    assert!(
        std::fs::read_to_string(&keys)
            .unwrap()
            .contains("velum-keyring-sealed")
    );
    // Rekey to a new passphrase: the old one no longer opens it.
    ok(&d.run(
        &["keyring", "rekey", "--keyring", k],
        &[
            ("VELUM_KEYRING_PASSPHRASE_FILE", &pass),
            ("VELUM_KEYRING_NEW_PASSPHRASE_FILE", &newp),
        ],
        b"",
    ));
    assert_eq!(
        d.run(&["tokenize", "--keyring", k], &with, b"x\n")
            .status
            .code(),
        Some(4)
    );
    // Decrypt: back in clear, mode 0600, the same keys (old tokens still open).
    ok(&d.run(
        &["keyring", "decrypt", "--keyring", k],
        &[("VELUM_KEYRING_PASSPHRASE_FILE", &newp)],
        b"",
    ));
    assert!(std::fs::read_to_string(&keys).unwrap().contains("material"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&keys).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let states = d.run(&["keygen", "--retire", "1", "--keyring", k], &[], b"");
    ok(&states);
    assert!(
        text(&states.stderr).contains("1:retired 2:active"),
        "{}",
        text(&states.stderr)
    );
}

#[test]
fn a_damaged_sealed_keyring_is_exit_2_and_names_no_key() {
    let d = Dir::new();
    let keys = d.p("keys.json");
    let pass = d.p("pass");
    private(&pass, b"correct horse battery\n");
    let k = keys.to_str().unwrap();
    ok(&d.run(
        &["keygen", "--out", k, "--seal"],
        &[("VELUM_KEYRING_NEW_PASSPHRASE_FILE", &pass)],
        b"",
    ));
    let with = [("VELUM_KEYRING_PASSPHRASE_FILE", pass.as_path())];
    ok(&d.run(&["tokenize", "--keyring", k], &with, b"x\n"));
    let good = std::fs::read_to_string(&keys).unwrap();
    // Truncated; a flipped ciphertext character; an edited parameter.
    let v: serde_json::Value = serde_json::from_str(&good).unwrap();
    let ct = v["ciphertext"].as_str().unwrap();
    let flipped_ct = format!(
        "{}{}",
        if ct.starts_with('A') { "B" } else { "A" },
        &ct[1..]
    );
    let mut flipped = v.clone();
    flipped["ciphertext"] = flipped_ct.into();
    let mut cheap = v.clone();
    cheap["kdf"]["t"] = 1.into();
    for bad in [
        good[..good.len() / 2].to_owned(),
        flipped.to_string(),
        cheap.to_string(),
    ] {
        private(&keys, bad.as_bytes());
        let o = d.run(
            &["tokenize", "--keyring", k],
            &with,
            b"mail jane@example.com\n",
        );
        assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
        let err = text(&o.stderr);
        assert!(err.contains("damaged"), "{err}");
        assert!(o.stdout.is_empty());
    }
    // Readable by others: refused like a keyring in clear.
    private(&keys, good.as_bytes());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o644)).unwrap();
        let o = d.run(&["tokenize", "--keyring", k], &with, b"x\n");
        assert_eq!(o.status.code(), Some(2));
        assert!(text(&o.stderr).contains("chmod 600"));
    }
}

#[test]
fn a_keyring_encrypted_to_machine_identities() {
    let d = Dir::new();
    let keys = d.p("keys.json");
    let k = keys.to_str().unwrap();
    ok(&d.run(&["keygen", "--out", k], &[], b""));
    let before = d.run(&["tokenize", "--keyring", k], &[], b"ip 203.0.113.9\n");
    let id = d.run(&["keyring", "identity", "--out", "host.age"], &[], b"");
    ok(&id);
    let recipient = text(&id.stdout).trim().to_owned();
    assert!(recipient.starts_with("age1"), "{recipient}");
    let stranger = d.run(&["keyring", "identity", "--out", "other.age"], &[], b"");
    ok(&stranger);
    ok(&d.run(
        &[
            "keyring",
            "encrypt",
            "--keyring",
            k,
            "--recipient",
            &recipient,
        ],
        &[],
        b"",
    ));
    assert!(std::fs::read_to_string(&keys).unwrap().contains(&recipient));
    let host = d.p("host.age");
    let t = d.run(
        &[
            "tokenize",
            "--keyring",
            k,
            "--identity",
            host.to_str().unwrap(),
        ],
        &[],
        b"ip 203.0.113.9\n",
    );
    ok(&t);
    assert_eq!(t.stdout, before.stdout);
    // Rotation re-encrypts to the same recipient.
    ok(&d.run(
        &["keygen", "--rotate", "--keyring", k],
        &[("VELUM_KEYRING_IDENTITY", &host)],
        b"",
    ));
    ok(&d.run(
        &["tokenize", "--keyring", k],
        &[("VELUM_KEYRING_IDENTITY", &host)],
        b"x\n",
    ));
    let other = d.p("other.age");
    let o = d.run(
        &["tokenize", "--keyring", k],
        &[("VELUM_KEYRING_IDENTITY", &other)],
        b"x\n",
    );
    assert_eq!(o.status.code(), Some(4), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("none of the identities"));
    let o = d.run(&["tokenize", "--keyring", k], &[], b"x\n");
    assert_eq!(o.status.code(), Some(4));
    assert!(
        text(&o.stderr).contains("--identity"),
        "{}",
        text(&o.stderr)
    );
}

/// Runs `script` with `$VELUM` the binary, in `d`.
fn velum_sh(d: &Dir, script: &str) -> Output {
    let mut c = std::process::Command::new("sh");
    c.arg("-c")
        .arg(script)
        .env("VELUM", env!("CARGO_BIN_EXE_velum"))
        .env_remove("VELUM_KEYRING_PASSPHRASE_FILE")
        .current_dir(d.0.path());
    run_cmd(&mut c, b"")
}

#[test]
fn audit_watch_flags_every_burst_and_nothing_steady() {
    let d = Dir::new();
    let keys = d.p("keys.json");
    let k = keys.to_str().unwrap();
    ok(&d.run(&["keygen", "--out", k], &[], b""));
    let keyring = velum::Keyring::load(&keys).unwrap();
    const T0: u64 = 1_796_000_040;
    let mut steady = Vec::new();
    for minute in 0..120u64 {
        for (who, n) in [("alice", 4u64), ("bob", 2)] {
            for i in 0..n + minute % 3 {
                steady.push((T0 + minute * 60 + i, who, "revealed", 1));
            }
        }
    }
    let mut bursty = steady.clone();
    for i in 0..150 {
        bursty.push((T0 + 70 * 60 + i % 60, "bob", "revealed", 1));
    }
    bursty.sort_by_key(|e| e.0);
    for (name, events) in [("steady.jsonl", &steady), ("bursty.jsonl", &bursty)] {
        std::fs::write(d.p(name), velum::vault::synthetic_log(&keyring, events)).unwrap();
    }
    let s = d.run(
        &["audit", "watch", "steady.jsonl", "--keyring", k],
        &[],
        b"",
    );
    assert_eq!(s.status.code(), Some(0), "{}", text(&s.stdout));
    assert!(s.stdout.is_empty());
    let b = d.run(
        &["audit", "watch", "bursty.jsonl", "--keyring", k],
        &[],
        b"",
    );
    assert_eq!(b.status.code(), Some(1), "{}", text(&b.stderr));
    let alerts: Vec<serde_json::Value> = text(&b.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    let a = &alerts[0];
    assert_eq!(a["class_uid"], 2004);
    assert_eq!(a["actor"]["user"]["name"], "bob");
    assert_eq!(a["finding_info"]["types"][0], "reveal_burst");
    assert_eq!(a["time"], (T0 + 70 * 60) * 1000);
    // An edited record: the chain alert.
    let log = std::fs::read_to_string(d.p("steady.jsonl")).unwrap();
    std::fs::write(
        d.p("edited.jsonl"),
        log.replacen("\"alice\"", "\"alicf\"", 1),
    )
    .unwrap();
    let e = d.run(
        &["audit", "watch", "edited.jsonl", "--keyring", k],
        &[],
        b"",
    );
    assert_eq!(e.status.code(), Some(1));
    assert!(text(&e.stdout).contains("chain_broken"));
}
