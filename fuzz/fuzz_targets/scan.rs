//! The scanner on arbitrary bytes: never panics; findings are in bounds, sorted and disjoint;
//! redaction keeps the line count and every byte outside a finding.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use velum::Redactor;

fn redactor() -> &'static Redactor {
    static R: OnceLock<Redactor> = OnceLock::new();
    R.get_or_init(Redactor::new)
}

fuzz_target!(|data: &[u8]| {
    let r = redactor();
    let found = r.scan(data);
    let mut last_end = 0;
    for f in &found {
        assert!(f.span.start() >= last_end && f.span.end() <= data.len());
        assert!(!data[f.span.range()].contains(&b'\n'));
        assert!((0.0..=1.0).contains(&f.score));
        last_end = f.span.end();
    }
    let out = r.redact(data);
    let lines = |b: &[u8]| b.iter().filter(|&&c| c == b'\n').count();
    assert_eq!(lines(&out), lines(data));
    // Bytes before the first finding are copied unchanged.
    let head = found.first().map_or(data.len(), |f| f.span.start());
    assert_eq!(&out[..head], &data[..head]);
    // Redaction is idempotent.
    assert_eq!(r.redact(&out).as_ref(), out.as_ref());
});
