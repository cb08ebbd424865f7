//! The stream framing under arbitrary read boundaries: `redact_stream` gives exactly what
//! `redact` gives for the whole input, however the reads are cut.
#![no_main]

use std::io::Read;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use velum::Redactor;

fn redactor() -> &'static Redactor {
    static R: OnceLock<Redactor> = OnceLock::new();
    R.get_or_init(Redactor::new)
}

/// Hands out the input in reads whose sizes come from `steps`.
struct Cuts<'a> {
    data: &'a [u8],
    steps: &'a [u8],
    i: usize,
}

impl Read for Cuts<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let step = usize::from(
            *self
                .steps
                .get(self.i % self.steps.len().max(1))
                .unwrap_or(&255),
        )
        .max(1);
        self.i += 1;
        let n = step.min(self.data.len()).min(buf.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fuzz_target!(|input: (&[u8], &[u8])| {
    let (data, steps) = input;
    let r = redactor();
    let mut out = Vec::new();
    r.redact_stream(Cuts { data, steps, i: 0 }, &mut out)
        .unwrap();
    assert_eq!(out, r.redact(data).as_ref());
});
