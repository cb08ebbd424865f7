//! The JSON path: any JSON value, redacted field-aware, stays valid JSON with the same
//! shape and the same keys in the same order — a key that holds personal data rewritten as
//! the text floor rewrites it (`redact_key`); redacting again changes nothing.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use velum::Redactor;

fn redactor() -> &'static Redactor {
    static R: OnceLock<Redactor> = OnceLock::new();
    R.get_or_init(Redactor::new)
}

fn same_shape(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter().zip(y.iter()).all(|((ka, va), (kb, vb))| {
                    (ka == kb || kb.starts_with(redactor().redact_key(ka).as_ref()))
                        && same_shape(va, vb)
                })
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_shape(p, q))
        }
        (Value::Object(_) | Value::Array(_), _) | (_, Value::Object(_) | Value::Array(_)) => false,
        _ => true,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(original) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let mut v = original.clone();
    redactor().redact_json(&mut v);
    assert!(same_shape(&original, &v));
    let text = serde_json::to_string(&v).unwrap();
    let back: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(back, v);
    let mut again = v.clone();
    redactor().redact_json(&mut again);
    assert_eq!(again, v, "idempotent");
});
