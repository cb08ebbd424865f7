//! CSV and TSV records through the stream: nothing panics, the line count is kept, and a
//! record that parses as CSV before has as many fields after, also after a second pass
//! (quoting kept, no separator written into a field). Idempotence as such is the `scan`
//! target's property.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use velum::{Format, Redactor};

fn redactor() -> &'static Redactor {
    static R: OnceLock<Redactor> = OnceLock::new();
    R.get_or_init(Redactor::new)
}

fn fields(line: &[u8], sep: u8) -> Option<usize> {
    // A simple RFC 4180 reading of one physical line: quoted fields with "" escapes.
    let mut n = 1;
    let mut quoted = false;
    let mut i = 0;
    while i < line.len() {
        match line[i] {
            b'"' if quoted && line.get(i + 1) == Some(&b'"') => i += 1,
            b'"' => quoted = !quoted,
            b if b == sep && !quoted => n += 1,
            _ => {}
        }
        i += 1;
    }
    (!quoted).then_some(n)
}

fuzz_target!(|input: (bool, &[u8])| {
    let (tsv, data) = input;
    let (format, sep) = if tsv {
        (Format::Tsv, b'\t')
    } else {
        (Format::Csv, b',')
    };
    let r = redactor();
    let mut out = Vec::new();
    r.redact_stream_as(data, &mut out, format).unwrap();
    let lines = |b: &[u8]| b.iter().filter(|&&c| c == b'\n').count();
    assert_eq!(lines(&out), lines(data));
    for (a, b) in data.split(|&c| c == b'\n').zip(out.split(|&c| c == b'\n')) {
        if let (Some(x), Some(y)) = (fields(a, sep), fields(b, sep)) {
            assert_eq!(x, y, "fields of a record changed");
        }
    }
    let mut again = Vec::new();
    r.redact_stream_as(&out[..], &mut again, format).unwrap();
    for (a, b) in data
        .split(|&c| c == b'\n')
        .zip(again.split(|&c| c == b'\n'))
    {
        if let (Some(x), Some(y)) = (fields(a, sep), fields(b, sep)) {
            assert_eq!(x, y, "fields of a record changed in a second pass");
        }
    }
});
