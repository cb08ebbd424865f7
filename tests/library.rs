//! The library API: the same bytes as the CLI, through every adaptor, whatever the write
//! boundaries, from any number of threads.

use std::io::Write;
use std::pin::Pin;
use std::task::{Context, Poll};

use proptest::prelude::*;
use velum::{RedactingWriter, Redactor};

use crate::util::{data, run};

fn corpus() -> Vec<u8> {
    let mut v = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/app.log")).unwrap();
    v.extend(std::fs::read(data("scan_fixture.log")).unwrap());
    v.push(b'\n');
    v.extend(std::fs::read(data("pii_sample.log")).unwrap());
    v
}

#[test]
fn library_and_cli_give_identical_bytes() {
    let input = corpus();
    let cli = run(&["redact"], &input).stdout;
    let lib = Redactor::new().redact(&input).into_owned();
    assert_eq!(lib, cli);
    let mut streamed = Vec::new();
    Redactor::new()
        .redact_stream(&input[..], &mut streamed)
        .unwrap();
    assert_eq!(streamed, cli);
}

#[test]
fn a_shared_redactor_gives_the_same_results_from_many_threads() {
    let r = Redactor::new();
    let input = corpus();
    let want = r.redact(&input).into_owned();
    let found = r.scan(&input);
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                assert_eq!(r.redact(&input).as_ref(), want.as_slice());
                assert_eq!(r.scan(&input), found);
            });
        }
    });
}

/// Lines mixing personal data, lookalikes and odd bytes.
fn text() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"jane.doe@example.com".to_vec()),
        Just(b"4111 1111 1111 1111".to_vec()),
        Just(b"ssn 536-90-4399".to_vec()),
        Just(b"+44 20 7946 0958".to_vec()),
        Just(b"203.0.113.9".to_vec()),
        Just(b"order 1234567890123".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\n".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..12),
        "[a-z ]{0,20}".prop_map(String::into_bytes),
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn cut(input: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
    points.sort_unstable();
    let mut parts = Vec::new();
    let mut at = 0;
    for p in points.into_iter().chain([input.len()]) {
        parts.push(input[at..p].to_vec());
        at = p;
    }
    parts
}

/// An `AsyncRead` that hands out the given parts, one per read.
struct Parts(std::collections::VecDeque<Vec<u8>>);

impl tokio::io::AsyncRead for Parts {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        while let Some(front) = self.0.front_mut() {
            if front.is_empty() {
                self.0.pop_front();
                continue;
            }
            let n = front.len().min(buf.remaining());
            buf.put_slice(&front[..n]);
            front.drain(..n);
            break;
        }
        Poll::Ready(Ok(()))
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn prop_writer_matches_redact_for_any_write_boundaries(input in text(), cuts in proptest::collection::vec(any::<usize>(), 0..10)) {
        let r = Redactor::new();
        let want = r.redact(&input).into_owned();
        let mut w = RedactingWriter::new(r, Vec::new());
        for part in cut(&input, &cuts) {
            w.write_all(&part).unwrap();
            w.flush().unwrap();
            // Nothing past the last complete line has been passed on.
            let done = w.get_ref().len();
            prop_assert!(done <= want.len());
        }
        prop_assert_eq!(w.finish().unwrap(), want);
    }

    #[test]
    fn prop_async_matches_redact_for_any_read_boundaries(input in text(), cuts in proptest::collection::vec(any::<usize>(), 0..10)) {
        let r = Redactor::new();
        let want = r.redact(&input).into_owned();
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let mut out = Vec::new();
        rt.block_on(r.redact_async(Parts(cut(&input, &cuts).into()), &mut out)).unwrap();
        prop_assert_eq!(out, want);
    }

    #[test]
    fn prop_stream_matches_redact_for_any_read_boundaries(input in text(), cuts in proptest::collection::vec(any::<usize>(), 0..10)) {
        let r = Redactor::new();
        let want = r.redact(&input).into_owned();
        let parts = cut(&input, &cuts);
        let reader = parts.iter().fold(Box::new(std::io::empty()) as Box<dyn std::io::Read>, |acc, p| Box::new(std::io::Read::chain(acc, std::io::Cursor::new(p.clone()))));
        let mut out = Vec::new();
        r.redact_stream(reader, &mut out).unwrap();
        prop_assert_eq!(out, want);
    }
}

#[test]
fn dropping_the_writer_writes_the_last_line() {
    let mut out = Vec::new();
    {
        let mut w = RedactingWriter::new(Redactor::new(), &mut out);
        w.write_all(b"a\nlast jane@example.com").unwrap();
    }
    assert_eq!(out, b"a\nlast [EMAIL]");
}
