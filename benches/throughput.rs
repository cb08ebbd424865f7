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
    // JSON lines: every line a record, scanned field by field.
    let (text, expected) = corpus::json_logs(42, 4 << 20, 10);
    let text = text.into_bytes();
    assert_eq!(r.scan(&text).len(), expected, "json: finding count");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("redact/json", |b| {
        b.iter(|| black_box(r.redact(black_box(&text)).len()))
    });
    // One 4 MiB line through the stream, which scans it in overlapping chunks.
    let (text, _) = corpus::logs(42, 4 << 20, 10);
    let line = text.replace('\n', " ").into_bytes();
    let mut found = 0u64;
    r.scan_stream(&line[..], std::io::sink(), |_, _| {
        found += 1;
        Ok(())
    })
    .unwrap();
    assert_eq!(
        found as usize,
        r.scan(&line).len(),
        "longline: chunked = whole"
    );
    assert!(found > 1000, "longline: finding count {found}");
    g.throughput(Throughput::Bytes(line.len() as u64));
    g.bench_function("redact_stream/longline", |b| {
        b.iter(|| {
            black_box(
                r.redact_stream(black_box(&line[..]), std::io::sink())
                    .unwrap()
                    .findings,
            )
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
