//! Policy text: any input gives a policy or an error naming a place, never a panic; a policy
//! that loads either compiles or is refused, and a compiled one redacts a sample.
#![no_main]

use libfuzzer_sys::fuzz_target;
use velum::{Policy, Redactor};

fuzz_target!(|text: &str| {
    match Policy::from_toml_str(text, "fuzz.toml") {
        Ok(p) => {
            if let Ok(r) = Redactor::from_policy(&p) {
                let out = r.redact(b"mail jane@example.com card 4111 1111 1111 1111\n");
                assert!(out.ends_with(b"\n"));
            }
        }
        Err(e) => assert!(e.to_string().starts_with("fuzz.toml"), "{e}"),
    }
});
