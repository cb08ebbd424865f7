//! The leak harness under a fuzzer: canaries of every type (tests/leak_gen.rs) in text, JSON
//! and CSV records, with the fuzzer's bytes as lines and rows between them (stray quotes,
//! byte-order marks, encodings, anything). No canary velum finds written plainly may be left
//! in clear once its neighbours are the fuzzer's.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use velum::{Format, Redactor};

#[path = "../../tests/leak_gen.rs"]
mod leak_gen;

use leak_gen::{Canary, Rng};

fn redactor() -> &'static Redactor {
    static R: OnceLock<Redactor> = OnceLock::new();
    R.get_or_init(Redactor::new)
}

/// The canaries velum finds written plainly beside their context word.
fn found(r: &Redactor, cs: &[Canary]) -> Vec<Canary> {
    cs.iter()
        .filter(|c| {
            let plain = format!("{} {}", c.before, c.value);
            leak_gen::leaks(
                &String::from_utf8_lossy(&r.redact(plain.as_bytes())),
                std::slice::from_ref(c),
            )
            .is_empty()
        })
        .cloned()
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let r = redactor();
    let seed = data
        .iter()
        .take(8)
        .fold(0u64, |a, &b| a << 8 | u64::from(b));
    let mut rng = Rng::new(seed);
    // The fuzzer's lines (no newline inside one).
    let fuzz: Vec<&[u8]> = data.split(|&b| b == b'\n').take(16).collect();

    // Text and JSON records, a fuzz line before each.
    let mut input = Vec::new();
    let mut records = Vec::new();
    for (i, f) in fuzz.iter().enumerate().take(8) {
        input.extend_from_slice(f);
        input.push(b'\n');
        let (rec, cs) = if i % 2 == 0 {
            leak_gen::text_record(&mut rng, i == 4)
        } else {
            leak_gen::json_record(&mut rng)
        };
        records.push((input.iter().filter(|&&b| b == b'\n').count(), found(r, &cs)));
        input.extend_from_slice(rec.as_bytes());
        input.push(b'\n');
    }
    let mut out = Vec::new();
    r.redact_stream(&input[..], &mut out).unwrap();
    let lines: Vec<&[u8]> = out.split(|&b| b == b'\n').collect();
    for (at, cs) in &records {
        let line = String::from_utf8_lossy(lines[*at]);
        let l = leak_gen::leaks(&line, cs);
        assert!(
            l.is_empty(),
            "in clear: {:?}",
            l.iter().map(|c| &c.value).collect::<Vec<_>>()
        );
    }

    // A CSV document with the fuzzer's lines as rows among its own.
    let (doc, cs) = leak_gen::csv_document(&mut rng, 12, ',');
    let cs = found(r, &cs);
    let mut mixed = Vec::new();
    for (i, line) in doc.split_inclusive('\n').enumerate() {
        mixed.extend_from_slice(line.as_bytes());
        if i > 0
            && let Some(f) = fuzz.get(8 + i % 8)
        {
            mixed.extend_from_slice(f);
            mixed.push(b'\n');
        }
    }
    let mut out = Vec::new();
    r.redact_stream_as(&mixed[..], &mut out, Format::Csv)
        .unwrap();
    let l = leak_gen::leaks(&String::from_utf8_lossy(&out), &cs);
    assert!(
        l.is_empty(),
        "in clear: {:?}",
        l.iter().map(|c| &c.value).collect::<Vec<_>>()
    );
});
