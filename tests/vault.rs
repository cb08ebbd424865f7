//! Tokens, keyrings, the vault and the audit log, through the binary.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::util::{run_cmd, text, velum};

const SUPPORT_KEY: &str = "support-demo-key";
const FRAUD_KEY: &str = "fraud-demo-key";

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        let env = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        let out = env.velum(
            &["keygen", "--out", env.keyring().to_str().unwrap()],
            b"",
            None,
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        env
    }

    fn keyring(&self) -> PathBuf {
        self.dir.path().join("keyring.json")
    }

    fn audit(&self) -> PathBuf {
        self.dir.path().join("audit.jsonl")
    }

    fn velum(&self, args: &[&str], stdin: &[u8], api_key: Option<&str>) -> Output {
        let mut c = velum();
        c.args(args)
            .env("VELUM_KEYRING", self.keyring())
            .env("VELUM_AUDIT_LOG", self.audit());
        match api_key {
            Some(k) => c.env("VELUM_API_KEY", k),
            None => c.env_remove("VELUM_API_KEY"),
        };
        run_cmd(&mut c, stdin)
    }

    fn tokenize(&self, input: &[u8]) -> Vec<u8> {
        let out = self.velum(&["tokenize"], input, None);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        out.stdout
    }

    fn detokenize(&self, input: &[u8], key: &str, purpose: Option<&str>) -> Output {
        let policy = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/vault-policy.toml");
        let mut args = vec!["detokenize", "--vault-policy", policy];
        if let Some(p) = purpose {
            args.extend(["--purpose", p]);
        }
        self.velum(&args, input, Some(key))
    }
}

/// Asserts the command's stderr holds `what`, showing it otherwise.
fn says(out: &Output, what: &str) {
    assert!(text(&out.stderr).contains(what), "{}", text(&out.stderr));
}

fn app_log() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/app.log")).unwrap()
}

#[test]
fn keygen_writes_a_private_file_and_refuses_to_overwrite() {
    let env = Env::new();
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(env.keyring())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    let out = env.velum(
        &["keygen", "--out", env.keyring().to_str().unwrap()],
        b"",
        None,
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_keyring_readable_by_others_is_refused() {
    let env = Env::new();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(env.keyring(), std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = env.velum(&["tokenize"], b"jane@example.com\n", None);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert!(
        err.contains("readable by group or others (mode 0644)") && err.contains("chmod 600"),
        "{err}"
    );
}

#[test]
fn corrupt_keyrings_fail_with_exit_2_and_no_key_bytes() {
    let env = Env::new();
    let json = std::fs::read_to_string(env.keyring()).unwrap();
    std::fs::write(env.keyring(), &json[..json.len() / 2]).unwrap();
    let out = env.velum(&["tokenize"], b"jane@example.com\n", None);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("truncated"), "{err}");
    let material: serde_json::Value = serde_json::from_str(&json).unwrap();
    let hex = material["keys"][0]["material"].as_str().unwrap();
    assert!(!err.contains(&hex[..16]));
}

#[test]
fn tokenize_is_deterministic_canonical_and_idempotent_under_redact() {
    let env = Env::new();
    let input = app_log();
    let a = env.tokenize(&input);
    let b = env.tokenize(&input);
    assert_eq!(a, b, "same output from two processes");
    let s = text(&a);
    assert_eq!(
        s.lines().count(),
        input.iter().filter(|&&c| c == b'\n').count()
    );
    assert!(
        !s.contains("jane.doe@example.com")
            && !s.contains("4111 1111")
            && s.contains("VLM_CREDIT_CARD_K1_"),
        "{s}"
    );
    // Written variants share one token.
    let v = text(&env.tokenize(b"card 4111 1111 1111 1111\ncard 4111-1111-1111-1111\nmail Jane@Example.com\nmail jane@example.com\n"));
    let l: Vec<&str> = v.lines().collect();
    assert_eq!(l[0], l[1]);
    assert_eq!(l[2], l[3]);
    // Redacting tokenized output changes nothing; tokenizing it again neither.
    let redacted = crate::util::run(&["redact"], &a);
    assert_eq!(text(&redacted.stdout), s);
    assert_eq!(text(&env.tokenize(&a)), s);
}

#[test]
fn detokenize_round_trip_gives_canonical_values_and_audits() {
    let env = Env::new();
    let input = b"card 4111 1111 1111 1111 mail Jane@Example.com iban gb82 west 1234 5698 7654 32 ip 203.0.113.9 ssn 536-90-4399\n";
    let tok = env.tokenize(input);
    let out = env.detokenize(&tok, FRAUD_KEY, Some("case 42"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // fraud-analyst: card, IBAN and IP in full; e-mail through support; SSN last four.
    assert_eq!(
        text(&out.stdout),
        "card 4111111111111111 mail jane@example.com iban GB82WEST12345698765432 ip 203.0.113.9 ssn ***-**-4399\n"
    );
    let err = text(&out.stderr);
    assert!(err.contains("4 revealed, 1 partially, 0 left"), "{err}");
    for secret in ["4111", "jane@", "GB82", "203.0.113.9", "4399", FRAUD_KEY] {
        assert!(!err.contains(secret), "{secret} on stderr: {err}");
    }
    let verify = env.velum(
        &["audit", "verify", env.audit().to_str().unwrap()],
        b"",
        None,
    );
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify.stdout));
    assert!(text(&verify.stdout).starts_with("intact: 5 records"));
    let log = std::fs::read_to_string(env.audit()).unwrap();
    for secret in [
        "4111111111111111",
        "jane@example.com",
        "536904399",
        "VLM_",
        FRAUD_KEY,
    ] {
        assert!(!log.contains(secret), "{secret} in audit log");
    }
    assert!(
        log.contains("\"principal\":\"fraud-analyst\"") && log.contains("\"purpose\":\"case 42\"")
    );
}

#[test]
fn least_privilege_purpose_and_bad_credentials() {
    let env = Env::new();
    let tok = env.tokenize(b"card 4111 1111 1111 1111 ssn 536-90-4399 mail jane@example.com\n");
    // support-bot: card last four, no SSN, e-mail in full; purpose required.
    // Without a purpose nothing could be released (issue 24: it exited 0 with "not
    // authorised: 3" and never named --purpose): exit 2, nothing written, --purpose named.
    let out = env.detokenize(&tok, SUPPORT_KEY, None);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    says(&out, "give --purpose");
    // fraud-analyst also holds the support role: without a purpose the card is revealed,
    // and the e-mail left says what it needs.
    let out = env.detokenize(&tok, FRAUD_KEY, None);
    assert_eq!(out.status.code(), Some(0));
    says(
        &out,
        "1 of them need a purpose for your role: give --purpose",
    );
    let out = env.detokenize(&tok, SUPPORT_KEY, Some("ticket 7"));
    let s = text(&out.stdout);
    assert!(
        s.starts_with("card ************1111 ssn VLM_US_SSN_K1_")
            && s.ends_with(" mail jane@example.com\n"),
        "{s}"
    );
    says(&out, "1 left as tokens (not authorised: 1");
    says(&out, "1 are of types your roles may not reveal");
    // A wrong key: exit 2, nothing written, the key never echoed.
    let out = env.detokenize(&tok, "not-a-key-xyz", Some("x"));
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(!text(&out.stderr).contains("not-a-key-xyz"));
    // No key at all.
    let policy = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/vault-policy.toml");
    let out = env.velum(&["detokenize", "--vault-policy", policy], &tok, None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("VELUM_API_KEY"));
    // The key from a file works too.
    let kf = env.dir.path().join("api.key");
    std::fs::write(&kf, format!("{SUPPORT_KEY}\n")).unwrap();
    let args = [
        "detokenize",
        "--vault-policy",
        policy,
        "--purpose",
        "t",
        "--api-key-file",
        kf.to_str().unwrap(),
    ];
    // Issue 16: a key file others may read is refused, as a keyring is.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&kf, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = env.velum(&args, &tok, None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("readable by group or others"));
    std::fs::set_permissions(&kf, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = env.velum(&args, &tok, None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).ends_with(" mail jane@example.com\n"));
}

#[test]
fn tampered_tokens_stay_and_are_reported() {
    let env = Env::new();
    let tok = text(&env.tokenize(b"card 4111 1111 1111 1111\n"));
    let t = tok.trim_end().rsplit(' ').next().unwrap().to_owned();
    let mut b = t.clone().into_bytes();
    let i = b.len() - 5;
    b[i] = if b[i] == b'a' { b'b' } else { b'a' };
    let forged = String::from_utf8(b).unwrap();
    let unknown = t.replacen("_K1_", "_K7_", 1);
    let input = format!("{forged} {unknown}\n");
    let out = env.detokenize(input.as_bytes(), FRAUD_KEY, None);
    assert_eq!(text(&out.stdout), input);
    let err = text(&out.stderr);
    assert!(
        err.contains("invalid: 1, key unknown or retired: 1"),
        "{err}"
    );
    let log = std::fs::read_to_string(env.audit()).unwrap();
    assert!(log.contains("\"outcome\":\"invalid\"") && log.contains("\"outcome\":\"unknown_key\""));
}

#[test]
fn rotation_retokenize_and_retirement() {
    let env = Env::new();
    let old = env.tokenize(b"mail jane@example.com\n");
    let out = env.velum(&["keygen", "--rotate"], b"", None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let new = env.tokenize(b"mail jane@example.com\n");
    assert!(text(&new).contains("_K2_") && text(&old).contains("_K1_"));
    // Old tokens still open.
    let out = env.detokenize(&old, SUPPORT_KEY, Some("p"));
    assert_eq!(text(&out.stdout), "mail jane@example.com\n");
    // retokenize rewrites K1 tokens to K2: the same token a fresh tokenize makes.
    let out = env.velum(&["retokenize"], &old, None);
    assert_eq!(out.stdout, new);
    assert!(text(&out.stderr).contains("1 tokens re-made under key 2"));
    // Retire key 1: its tokens are reported, never opened.
    let out = env.velum(&["keygen", "--retire", "1"], b"", None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = env.detokenize(&old, SUPPORT_KEY, Some("p"));
    assert_eq!(out.stdout, old);
    assert!(text(&out.stderr).contains("key unknown or retired: 1"));
    let out = env.velum(&["keygen", "--retire", "2"], b"", None);
    assert_eq!(
        out.status.code(),
        Some(2),
        "the active key cannot be retired"
    );
}

#[test]
fn audit_verify_detects_an_edit() {
    let env = Env::new();
    let tok = env.tokenize(b"a@example.com b@example.com c@example.com\n");
    env.detokenize(&tok, SUPPORT_KEY, Some("p"));
    let log = std::fs::read_to_string(env.audit()).unwrap();
    std::fs::write(env.audit(), log.replacen("support-bot", "someone-else", 1)).unwrap();
    let out = env.velum(
        &["audit", "verify", env.audit().to_str().unwrap()],
        b"",
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "tampered: line 1: record 1 was edited\n");
}

/// Issue 16: the audit log's loose ends, through the binary: a torn last record is
/// repaired (`audit repair`), a byte that is not UTF-8 is tampering (exit 1, not 3), a key
/// that is not recognised is audited as the service audits it, and a log others may read
/// is refused.
#[test]
fn audit_repair_refused_keys_and_bad_bytes() {
    let env = Env::new();
    let tok = env.tokenize(b"a@example.com\n");
    let out = env.detokenize(&tok, SUPPORT_KEY, Some("p"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = env.detokenize(&tok, "not-a-key-xyz", Some("p"));
    assert_eq!(out.status.code(), Some(2));
    let log = std::fs::read_to_string(env.audit()).unwrap();
    assert_eq!(log.lines().count(), 2, "{log}");
    assert!(
        log.lines()
            .nth(1)
            .unwrap()
            .contains(r#""outcome":"unauthenticated""#)
    );
    assert!(!log.contains("not-a-key-xyz"));
    let audit = env.audit();
    let audit = audit.to_str().unwrap();
    // A write cut short: the next detokenize cannot start, repair keeps both records.
    let whole = std::fs::read(env.audit()).unwrap();
    std::fs::write(env.audit(), [&whole[..], b"{\"seq\":3,\"ti"].concat()).unwrap();
    let out = env.detokenize(&tok, SUPPORT_KEY, Some("p"));
    assert_eq!(out.status.code(), Some(2));
    says(&out, "velum audit repair");
    let out = env.velum(&["audit", "repair", audit], b"", None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("repaired: 2 verified records kept"));
    assert_eq!(std::fs::read(env.audit()).unwrap(), whole);
    let out = env.detokenize(&tok, SUPPORT_KEY, Some("p"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = env.velum(&["audit", "verify", audit], b"", None);
    assert!(
        text(&out.stdout).starts_with("intact: 3 records"),
        "{}",
        text(&out.stdout)
    );
    // One byte that is not UTF-8.
    let mut b = std::fs::read(env.audit()).unwrap();
    b[5] = 0xff;
    std::fs::write(env.audit(), &b).unwrap();
    let out = env.velum(&["audit", "verify", audit], b"", None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "tampered: line 1: record is malformed (edited)\n"
    );
    let out = env.velum(&["audit", "repair", audit], b"", None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read(env.audit()).unwrap(), b);
    // A log others may read.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(env.audit(), std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = env.detokenize(&tok, SUPPORT_KEY, Some("p"));
    assert_eq!(out.status.code(), Some(2));
    says(&out, "chmod 600");
}

/// Issue 16: `keygen --rotate` on a keyring reached through a symbolic link rotates the
/// keyring and leaves the link (it replaced the link with a file).
#[test]
fn keygen_through_a_link_replaces_the_keyring_not_the_link() {
    let env = Env::new();
    let link = env.dir.path().join("current.json");
    std::os::unix::fs::symlink(env.keyring(), &link).unwrap();
    let out = env.velum(
        &["keygen", "--rotate", "--keyring", link.to_str().unwrap()],
        b"",
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let tok = env.tokenize(b"mail jane@example.com\n");
    assert!(text(&tok).contains("_K2_"), "{}", text(&tok));
}

#[test]
fn hash_action_and_token_policy_without_keyring() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.toml");
    std::fs::write(&p, "[entities.EMAIL]\naction = \"hash\"\n").unwrap();
    let out = env.velum(
        &["redact", "--policy", p.to_str().unwrap()],
        b"a jane@example.com b JANE@example.com\n",
        None,
    );
    let s = text(&out.stdout);
    let words: Vec<&str> = s.split_whitespace().collect();
    assert!(
        words[1].starts_with("VLMH_EMAIL_K1_") && words[1] == words[3],
        "{s}"
    );
    // Without a keyring the policy is refused (exit 2), naming the entity.
    let out = run_cmd(
        velum()
            .args(["redact", "--policy", p.to_str().unwrap()])
            .env_remove("VELUM_KEYRING"),
        b"x\n",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr)
            .contains("entity EMAIL uses a token or hash action, which needs a keyring")
    );
}

#[test]
fn hash_key_prints_the_policy_line() {
    let out = crate::util::run(&["vault", "hash-key"], b"support-demo-key\n");
    assert_eq!(
        text(&out.stdout),
        "key_sha256 = \"18c498964cd65c5c38b44572dc61736bc213007348421df36a38331968e0bed2\"\n"
    );
}

#[test]
fn round_trip_is_the_canonical_identity_on_a_corpus() {
    let env = Env::new();
    let mut input = app_log();
    input.extend_from_slice(&std::fs::read(crate::util::data("scan_fixture.log")).unwrap());
    input.extend_from_slice(b"\n");
    input.extend_from_slice(&std::fs::read(crate::util::data("pii_sample.log")).unwrap());
    // A principal that may see every type in full.
    let reveal: Vec<String> = velum::Entity::BUILTIN
        .iter()
        .map(|e| format!("{e} = \"full\""))
        .collect();
    let policy = env.dir.path().join("all.toml");
    std::fs::write(
        &policy,
        format!(
            "[roles.all]\nreveal = {{ {} }}\n[[principals]]\nname = \"auditor\"\nkey_sha256 = \"{}\"\nroles = [\"all\"]\n",
            reveal.join(", "),
            velum::vault::hash_api_key(b"auditor-key")
        ),
    )
    .unwrap();
    let tok = env.tokenize(&input);
    let out = env.velum(
        &["detokenize", "--vault-policy", policy.to_str().unwrap()],
        &tok,
        Some("auditor-key"),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    says(&out, " 0 left as tokens");
    let back = out.stdout;
    assert!(!text(&back).contains("VLM_"));
    // Same findings (entity by entity, line by line) as the original ...
    let kinds = |b: &[u8]| -> Vec<(u64, String)> {
        text(&crate::util::run(&["scan"], b).stdout)
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                (
                    v["line"].as_u64().unwrap(),
                    v["entity"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(kinds(&back), kinds(&input));
    // ... and each value is the canonical form: it tokenizes to the very same token.
    assert_eq!(text(&env.tokenize(&back)), text(&tok));
}

#[test]
fn tokens_are_identical_across_threads() {
    let keyring_json = {
        let env = Env::new();
        std::fs::read(env.keyring()).unwrap()
    };
    let policy = velum::Policy::default().tokenize_all();
    let r = velum::Redactor::with_keyring(
        &policy,
        velum::Keyring::from_json(&keyring_json, "k").unwrap(),
    )
    .unwrap();
    let input = app_log();
    let want = r.redact(&input).into_owned();
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let (r, input) = (r.clone(), input.clone());
            std::thread::spawn(move || r.redact(&input).into_owned())
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), want);
    }
    // A second, independently loaded redactor with the same keyring agrees.
    let r2 = velum::Redactor::with_keyring(
        &policy,
        velum::Keyring::from_json(&keyring_json, "k").unwrap(),
    )
    .unwrap();
    assert_eq!(r2.redact(&input).as_ref(), want.as_slice());
}

/// Issue 16: a command holding a keyring (here detokenize, waiting on its input) cannot
/// leave a core dump with key material or revealed values in it.
#[cfg(target_os = "linux")]
#[test]
fn commands_holding_a_keyring_dump_no_core() {
    use std::io::Write;
    let env = Env::new();
    let policy = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/vault-policy.toml");
    let mut child = velum()
        .args(["detokenize", "--vault-policy", policy, "--purpose", "test"])
        .env("VELUM_KEYRING", env.keyring())
        .env("VELUM_AUDIT_LOG", env.audit())
        .env("VELUM_API_KEY", SUPPORT_KEY)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"hello\n").unwrap();
    let limits = format!("/proc/{}/limits", child.id());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let core = loop {
        let text = std::fs::read_to_string(&limits).unwrap();
        let line = text
            .lines()
            .find(|l| l.starts_with("Max core file size"))
            .unwrap()
            .to_owned();
        // Soft and hard limits both 0 (a soft limit of 0 alone is often the default).
        let zero = line.split_whitespace().skip(4).take(2).all(|v| v == "0");
        if zero || std::time::Instant::now() > deadline {
            break line;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    drop(stdin);
    assert!(child.wait().unwrap().success());
    assert_eq!(
        core.split_whitespace().skip(4).take(2).collect::<Vec<_>>(),
        ["0", "0"],
        "{core}"
    );
}
