//! A keyring sealed inside an HSM (PKCS#11), against SoftHSM2: a token made in a temporary
//! directory, the wrapping key made in it, every command opening the keyring with the PIN,
//! rotation keeping the form, a wrong or missing PIN (exit 4), and a copy of the file
//! without the token (exit 2). Skipped with a notice where SoftHSM2 is not installed;
//! `.ci/run` installs it and sets VELUM_REQUIRE_HSM=1.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::util::{run_cmd, text, velum};

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";

fn softhsm() -> Option<PathBuf> {
    let m = Path::new(MODULE);
    if m.is_file()
        && Command::new("softhsm2-util")
            .arg("--version")
            .output()
            .is_ok()
    {
        return Some(m.to_path_buf());
    }
    assert!(
        std::env::var_os("VELUM_REQUIRE_HSM").is_none_or(|v| v != "1"),
        "SoftHSM2 is not installed, and VELUM_REQUIRE_HSM=1 makes it required"
    );
    let _ = writeln!(
        std::io::stderr(),
        "note: SoftHSM2 ({MODULE}, softhsm2-util) is not installed: the HSM test is skipped"
    );
    None
}

fn private(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

/// A SoftHSM2 configuration with its own token directory.
fn token_dir(root: &Path, name: &str) -> PathBuf {
    let tokens = root.join(format!("{name}-tokens"));
    std::fs::create_dir_all(&tokens).unwrap();
    let conf = root.join(format!("{name}.conf"));
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            tokens.display()
        ),
    )
    .unwrap();
    conf
}

#[test]
fn a_keyring_sealed_in_an_hsm() {
    let Some(module) = softhsm() else { return };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let conf = token_dir(root, "main");
    let init = Command::new("softhsm2-util")
        .args([
            "--init-token",
            "--free",
            "--label",
            "velum-test",
            "--pin",
            "1234",
            "--so-pin",
            "5678",
        ])
        .env("SOFTHSM2_CONF", &conf)
        .output()
        .unwrap();
    assert!(init.status.success(), "{}", text(&init.stderr));
    let (pin, wrong) = (root.join("pin"), root.join("wrong"));
    private(&pin, b"1234\n");
    private(&wrong, b"9999\n");
    let keys = root.join("keys.json");
    let k = keys.to_str().unwrap();
    let m = module.to_str().unwrap();
    // The module named by the operator's environment for every command (one test below
    // leaves it out).
    let run = |args: &[&str], conf: &Path, stdin: &[u8]| -> Output {
        let mut c = velum();
        c.args(args)
            .env("SOFTHSM2_CONF", conf)
            .env("VELUM_HSM_MODULE", &module);
        run_cmd(&mut c, stdin)
    };
    let ok = |o: &Output| assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let p = pin.to_str().unwrap();
    ok(&run(
        &[
            "keyring",
            "hsm-key",
            "--hsm-module",
            m,
            "--hsm-token",
            "velum-test",
            "--hsm-pin-file",
            p,
        ],
        &conf,
        b"",
    ));
    ok(&run(&["keygen", "--out", k], &conf, b""));
    let before = run(
        &["tokenize", "--keyring", k],
        &conf,
        b"mail jane@example.com\n",
    );
    ok(&before);
    ok(&run(
        &[
            "keyring",
            "encrypt",
            "--keyring",
            k,
            "--hsm-module",
            m,
            "--hsm-token",
            "velum-test",
            "--hsm-key",
            "velum-keyring",
            "--hsm-pin-file",
            p,
        ],
        &conf,
        b"",
    ));
    let sealed = std::fs::read_to_string(&keys).unwrap();
    assert!(
        sealed.contains("\"pkcs11\"") && !sealed.contains("material"),
        "{sealed}"
    );
    // Every command opens it with the PIN; the tokens are the keyring's as before.
    let t = run(
        &["tokenize", "--keyring", k, "--hsm-pin-file", p],
        &conf,
        b"mail jane@example.com\n",
    );
    ok(&t);
    assert_eq!(t.stdout, before.stdout);
    // The module is the operator's to name, never the file's: without it, locked (4).
    let mut c = velum();
    c.args(["tokenize", "--keyring", k, "--hsm-pin-file", p])
        .env("SOFTHSM2_CONF", &conf);
    let nm = run_cmd(&mut c, b"x\n");
    assert_eq!(nm.status.code(), Some(4), "{}", text(&nm.stderr));
    assert!(
        text(&nm.stderr).contains("--hsm-module"),
        "{}",
        text(&nm.stderr)
    );
    // A wrong PIN, none: locked (4).
    let w = run(
        &[
            "tokenize",
            "--keyring",
            k,
            "--hsm-pin-file",
            wrong.to_str().unwrap(),
        ],
        &conf,
        b"x\n",
    );
    assert_eq!(w.status.code(), Some(4), "{}", text(&w.stderr));
    assert!(
        text(&w.stderr).contains("refused the PIN"),
        "{}",
        text(&w.stderr)
    );
    let n = run(
        &["tokenize", "--keyring", k, "--hsm-module", m],
        &conf,
        b"x\n",
    );
    assert_eq!(n.status.code(), Some(4), "{}", text(&n.stderr));
    assert!(text(&n.stderr).contains("--hsm-pin-file"));
    // Rotation and retirement keep it in the HSM.
    ok(&run(
        &["keygen", "--rotate", "--keyring", k, "--hsm-pin-file", p],
        &conf,
        b"",
    ));
    assert!(
        std::fs::read_to_string(&keys)
            .unwrap()
            .contains("\"pkcs11\"")
    );
    let r = run(
        &[
            "keygen",
            "--retire",
            "1",
            "--keyring",
            k,
            "--hsm-pin-file",
            p,
        ],
        &conf,
        b"",
    );
    ok(&r);
    assert!(
        text(&r.stderr).contains("1:retired 2:active"),
        "{}",
        text(&r.stderr)
    );
    // The file alone, where the token is not: nothing opens it (2, no such token).
    let elsewhere = token_dir(root, "empty");
    let e = run(
        &["tokenize", "--keyring", k, "--hsm-pin-file", p],
        &elsewhere,
        b"x\n",
    );
    assert_eq!(e.status.code(), Some(2), "{}", text(&e.stderr));
    assert!(
        text(&e.stderr).contains("no token labelled"),
        "{}",
        text(&e.stderr)
    );
    // Back in clear, with the PIN.
    ok(&run(
        &["keyring", "decrypt", "--keyring", k, "--hsm-pin-file", p],
        &conf,
        b"",
    ));
    assert!(std::fs::read_to_string(&keys).unwrap().contains("material"));
}
