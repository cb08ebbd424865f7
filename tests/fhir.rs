//! FHIR records nobody on the project wrote (`../shared/fhir`: Synthea R4 resources,
//! labelled from their FHIR structure; a fifth wrapped in log lines): `velum scan` must reach
//! F1 [`MIN_F1`] over them, scored as `../shared/fhir/score.py` scores (a finding matches a
//! truth span of its entity that it overlaps by half of the longer of the two; findings on
//! ambiguous spans, and of types outside the truth's vocabulary, are not counted). Skipped,
//! with a notice, where `../shared` is absent.

use std::collections::{HashMap, HashSet};

use crate::util::run;

/// The issue asked 0.95; typed FHIR fields (identifiers, contact points, address lines, the
/// maiden-name extension) read 1.000 — a drop below 0.99 is a regression.
const MIN_F1: f64 = 0.99;

const VOCAB: &[&str] = &[
    "PERSON",
    "EMAIL",
    "PHONE",
    "STREET_ADDRESS",
    "DATE_OF_BIRTH",
    "US_SSN",
    "MRN",
    "US_NPI",
    "US_MBI",
    "UK_NHS",
];

use crate::util::{LabelSpan as Span, label_span as read};

fn overlap(a: &Span, b: &Span) -> u64 {
    a.end.min(b.end).saturating_sub(a.start.max(b.start))
}

#[test]
fn fhir_records_are_redacted_by_what_their_fields_say() {
    let Some(dir) = crate::util::shared("fhir") else {
        return;
    };
    let records = dir.join("fhir.jsonl");
    let truth: Vec<Span> = std::fs::read_to_string(dir.join("fhir.truth.jsonl"))
        .unwrap()
        .lines()
        .map(|l| read(&serde_json::from_str(l).unwrap()))
        .collect();
    let out = run(&["scan", records.to_str().unwrap()], b"");
    assert!(matches!(out.status.code(), Some(0 | 1)));
    let mut preds: Vec<Span> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| read(&serde_json::from_str(l).unwrap()))
        .collect();
    preds.sort_by_key(|p| (p.line, p.start, std::cmp::Reverse(p.end - p.start)));
    let mut by_line: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, t) in truth.iter().enumerate() {
        by_line.entry(t.line).or_default().push(i);
    }
    let mut matched = HashSet::new();
    let (mut tp, mut fp) = (0usize, 0usize);
    for p in preds.iter().filter(|p| VOCAB.contains(&p.entity.as_str())) {
        let on_line = by_line.get(&p.line).map_or(&[][..], Vec::as_slice);
        let best = on_line
            .iter()
            .copied()
            .filter(|&i| {
                let t = &truth[i];
                let ov = overlap(p, t);
                !t.ambiguous
                    && t.entity == p.entity
                    && !matched.contains(&i)
                    && ov > 0
                    && ov * 2 >= (p.end - p.start).max(t.end - t.start)
            })
            .max_by_key(|&i| overlap(p, &truth[i]));
        match best {
            Some(i) => {
                matched.insert(i);
                tp += 1;
            }
            None if on_line
                .iter()
                .any(|&i| truth[i].ambiguous && overlap(p, &truth[i]) > 0) => {}
            None => fp += 1,
        }
    }
    let real = truth.iter().filter(|t| !t.ambiguous).count();
    let fn_ = real - matched.len();
    let (p, r) = (
        tp as f64 / (tp + fp).max(1) as f64,
        tp as f64 / real.max(1) as f64,
    );
    let f1 = 2.0 * p * r / (p + r);
    assert!(
        f1 >= MIN_F1,
        "FHIR F1 {f1:.3} (at least {MIN_F1}): {tp} found, {fp} false, {fn_} missed"
    );
}
