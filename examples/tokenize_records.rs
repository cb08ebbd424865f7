//! Tokenising records with a keyring: the same value always gets the same token, so records
//! still join and count; an authorised principal turns tokens back into values through the
//! vault, with every decision in the audit log.
//!
//! `cargo run --example tokenize_records` (uses $VELUM_KEYRING when set, else writes a demo
//! keyring to a private temporary directory).

use std::io::Cursor;
use std::path::PathBuf;

use velum::vault::{AuditLog, Vault, VaultPolicy, hash_api_key, verify_audit};
use velum::{Keyring, Policy, Redactor};

fn main() -> velum::Result<()> {
    let dir = std::env::temp_dir().join(format!("velum-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .map_err(|e| velum::Error::io("creating a temporary directory", e))?;
    let keyring_path = match std::env::var_os("VELUM_KEYRING") {
        Some(p) => PathBuf::from(p),
        None => {
            let p = dir.join("keys.json");
            Keyring::generate()?.save(&p)?; // mode 0600
            p
        }
    };

    let records = "customer,email,card\n\
                   1,jane.doe@example.com,4111 1111 1111 1111\n\
                   2,bob@example.org,5555-5555-5555-4444\n\
                   3,Jane.Doe@Example.com,4111-1111-1111-1111\n";
    let tokenizer = Redactor::with_keyring(
        &Policy::default().tokenize_all(),
        Keyring::load(&keyring_path)?,
    )?;
    let tokenized = tokenizer.redact_str(records).into_owned();
    println!("tokenized:\n{tokenized}");
    // Records 1 and 3 hold the same person, written differently: they share their tokens.
    let rows: Vec<Vec<&str>> = tokenized
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows[0][1..], rows[2][1..]);
    println!("records 1 and 3 share their tokens, so they still join\n");

    // Reveal through the vault: a role that may see e-mail in full and cards' last four.
    let vault_policy = VaultPolicy::from_toml_str(
        &format!(
            "[roles.support]\nreveal = {{ EMAIL = \"full\", CREDIT_CARD = \"last4\" }}\n\
             [[principals]]\nname = \"support-bot\"\nkey_sha256 = \"{}\"\nroles = [\"support\"]\n",
            hash_api_key(b"demo-key")
        ),
        "inline vault policy",
    )?;
    let audit_path = dir.join("audit.jsonl");
    let mut audit = AuditLog::open(&audit_path, &Keyring::load(&keyring_path)?)?;
    let vault = Vault::new(Keyring::load(&keyring_path)?, vault_policy);
    let principal = vault
        .authenticate(b"demo-key")
        .expect("the demo key is in the policy")
        .clone();
    let mut out = Vec::new();
    let stats = vault.detokenize_stream(
        &principal,
        Some("example"),
        &mut audit,
        Cursor::new(tokenized),
        &mut out,
    )?;
    println!(
        "revealed to {}:\n{}",
        principal.name,
        String::from_utf8_lossy(&out)
    );
    println!(
        "{} revealed, {} partially; audit log {}",
        stats.revealed,
        stats.partial,
        audit_path.display()
    );
    println!(
        "audit chain: {:?}",
        verify_audit(&audit_path, &Keyring::load(&keyring_path)?)?
    );
    Ok(())
}
