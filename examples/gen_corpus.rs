//! Writes a generated benchmark corpus to stdout.
//!
//! `cargo run --release --example gen_corpus -- KIND MIB [SEED]` where KIND is `clean`,
//! `pii10`, `pii50`, `json` (JSON lines only, 10% PII) or `longline` (one line). The finding
//! count the default policy reports is printed on stderr.

#[path = "../benches/corpus.rs"]
mod corpus;

use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let kind = args.get(1).map_or("clean", String::as_str);
    let mib: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100);
    let seed: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(42);
    let (pct, one_line) = match kind {
        "clean" => (0, false),
        "pii10" => (10, false),
        "pii50" => (50, false),
        "longline" => (10, true),
        other => {
            eprintln!("unknown corpus kind {other:?}: use clean, pii10, pii50 or longline");
            std::process::exit(2);
        }
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut findings = 0;
    let mut written = 0usize;
    let mut seed = seed;
    while written < mib << 20 {
        let (mut text, n) = corpus::logs(seed, 4 << 20, pct);
        if one_line {
            text = text.replace('\n', " ");
        }
        out.write_all(text.as_bytes()).unwrap();
        written += text.len();
        findings += n;
        seed += 1;
    }
    if one_line {
        out.write_all(b"\n").unwrap();
    }
    eprintln!("{findings} findings");
}
