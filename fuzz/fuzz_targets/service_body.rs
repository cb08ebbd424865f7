//! The vault service's request bodies: any bytes sent to /v1/tokenize, /v1/detokenize,
//! /v1/redact or /v1/scan get a JSON answer with a status the module documents (never a
//! 500, never a panic), an error that quotes nothing of the body, and an audit log that
//! stays intact.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use velum::service::{BodyFuzzer, Limits};

const POLICY: &str = "[roles.all]\ntokenize = true\npurpose_required = true\n\
    reveal = { EMAIL = \"full\", CREDIT_CARD = \"last4\", US_SSN = \"full\" }\n\
    [[principals]]\nname = \"fuzz\"\n\
    key_sha256 = \"c53f39ea2d23a3ae9dbfa3d2b1ab2f9c7f6f8ca7ad38c4f7d3b5e3dfd3a9e5c1\"\nroles = [\"all\"]\n";

fn fuzzer() -> &'static (tempfile::TempDir, BodyFuzzer) {
    static F: OnceLock<(tempfile::TempDir, BodyFuzzer)> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let key = b"fuzz-key";
        let policy = POLICY.replace(
            "c53f39ea2d23a3ae9dbfa3d2b1ab2f9c7f6f8ca7ad38c4f7d3b5e3dfd3a9e5c1",
            &velum::vault::hash_api_key(key),
        );
        let limits = Limits::default().with_sizes(64 << 10, 50);
        let f = BodyFuzzer::new(dir.path(), &policy, key, limits).unwrap();
        (dir, f)
    })
}

fuzz_target!(|input: (u8, &[u8])| {
    let (which, body) = input;
    let (_, f) = fuzzer();
    let (status, answer) = f.post_to(which, body);
    assert!(
        matches!(status, 200 | 400 | 403 | 413 | 422),
        "status {status}"
    );
    let v: serde_json::Value = serde_json::from_slice(&answer).expect("a JSON answer");
    if status != 200 {
        let msg = v["error"]["message"].as_str().expect("an error message");
        assert!(msg.len() < 400, "{msg}");
        // Nothing of the body is echoed: no run of 12 bytes of it appears in the message
        // (field names and fixed texts are shorter or not from the body).
        if let Ok(text) = std::str::from_utf8(body) {
            for w in text
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| w.len() >= 12)
            {
                assert!(!msg.contains(w), "{msg} quotes {w}");
            }
        }
    }
});
