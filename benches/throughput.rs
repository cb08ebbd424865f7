//! Criterion throughput of the scanner and of redaction on generated corpora (see
//! benches/corpus.rs). Each bench checks its expected finding count before timing.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

#[path = "corpus.rs"]
mod corpus;

fn bench(c: &mut Criterion) {
    let r = velum::Redactor::new();
    let mut g = c.benchmark_group("single-thread");
    for (name, pii) in [("clean", 0), ("pii10", 10), ("pii50", 50)] {
        let (text, expected) = corpus::logs(42, 4 << 20, pii);
        let text = text.into_bytes();
        assert_eq!(r.scan(&text).len(), expected, "{name}: finding count");
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(format!("scan/{name}"), |b| {
            b.iter(|| black_box(r.scan(black_box(&text))))
        });
        g.bench_function(format!("redact/{name}"), |b| {
            b.iter(|| black_box(r.redact(black_box(&text)).len()))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
