//! Context words on real phrasings: every convention of a field name, labels and barriers,
//! negative words that must be adjacent, artifacts that never count.

use super::*;

/// The score change `ix` gives detector `det` at `span` of `s` (whose hits are `h`): no
/// neighbours, no field name, a boost of 0.3, no barrier.
fn delta(
    ix: &ContextIndex,
    s: &str,
    h: &[Hit],
    span: (usize, usize),
    det: u16,
    numeric: bool,
) -> f32 {
    effect_within(ix, s, h, span, ALL, (det, numeric))
}

/// [`delta`] for detector 0 (numeric) with the window cut by `barriers`.
fn delta_within(
    ix: &ContextIndex,
    s: &str,
    h: &[Hit],
    span: (usize, usize),
    barriers: (usize, usize),
) -> f32 {
    effect_within(ix, s, h, span, barriers, (0, true))
}

fn effect_within(
    ix: &ContextIndex,
    s: &str,
    h: &[Hit],
    span: (usize, usize),
    barriers: (usize, usize),
    (det, numeric): (u16, bool),
) -> f32 {
    ix.effect(
        s.as_bytes(),
        h,
        Span::new(span.0, span.1),
        barriers,
        (0, (0, 0)),
        det,
        0.3,
        numeric,
    )
    .delta
}

fn index() -> ContextIndex {
    ContextIndex::build(
        &[
            DetectorWords {
                positive: vec!["card".into(), "credit card".into()],
                ..DetectorWords::default()
            },
            DetectorWords {
                positive: vec!["ssn".into()],
                negative: vec!["build".into()],
                negative_keys: vec!["status".into()],
            },
        ],
        &["order".into(), "v".into(), "ms".into()],
        &["v".into()],
        &["ms".into()],
        0.3,
        &[
            (Artifact::Label, "[IP_ADDRESS]".into()),
            (Artifact::TokenPrefix, "VLM_".into()),
            (Artifact::MaskRun, "***".into()),
        ],
    )
    .unwrap()
}

fn hits(ix: &ContextIndex, s: &str) -> Vec<Hit> {
    let mut v = Vec::new();
    let mut w = super::super::lex::Words::default();
    w.lex(s.as_bytes());
    ix.hits(s.as_bytes(), &w.w, &mut v);
    v
}

#[test]
fn words_stand_alone() {
    let ix = index();
    assert_eq!(hits(&ix, "Credit Card: 1").len(), 1);
    assert_eq!(hits(&ix, "discard this").len(), 0);
    assert_eq!(hits(&ix, "cardNumber=1").len(), 1);
    assert_eq!(hits(&ix, "card_number=1").len(), 1);
    assert_eq!(hits(&ix, "ssn=1 v2.0").len(), 2);
    assert_eq!(hits(&ix, "savvy").len(), 0);
}

const ALL: (usize, usize) = (0, usize::MAX);

/// Found in review: `upstream=10.20.30.40:8443 build=10.0.1` lost its IP to the next
/// field's key. A word after a value lowers it only as a unit (`1234 ms`).
#[test]
fn a_following_word_lowers_only_as_a_unit() {
    let at = |h: &str, w: &str, c: &str| {
        let (ws, cs) = (h.find(w).unwrap(), h.find(c).unwrap());
        adjacent(
            h.as_bytes(),
            Span::new(ws, ws + w.len()),
            Span::new(cs, cs + c.len()),
            matches!(w, "ms" | "elapsed" | "latency"),
        )
    };
    assert!(at("order_id=884213", "order_id", "884213"));
    assert!(at("took 1234567890 ms", "ms", "1234567890"));
    assert!(at("1234567890ms", "ms", "1234567890"));
    assert!(!at(
        "up=10.20.30.40:8443 build=10.0.1",
        "build",
        "10.20.30.40"
    ));
    assert!(!at("4111111111111111 build=7", "build", "4111111111111111"));
    assert!(!at("order 884213 shipped by", "by", "884213"));
    // A word that is no unit after a value starts what comes next (issue 21).
    assert!(!at(
        "routing number 034008395 ticket ok",
        "ticket",
        "034008395"
    ));
    // Issue 21: the key of the next field, however it goes on, is not a unit of the value.
    assert!(!at("npi=1253905842 elapsed_ms=1", "elapsed", "1253905842"));
    assert!(!at(
        "acct_no: 0001234567 latency_ms: 3",
        "latency",
        "0001234567"
    ));
    assert!(!at(
        r#""mrn": "00123456", "duration": 3"#,
        "duration",
        "00123456"
    ));
    // The rest of the value's own key is part of the word that labels it.
    assert!(at(
        r#""traceNumber": "373816936380466""#,
        "trace",
        "373816936380466"
    ));
    assert!(at("order_no=884213", "order", "884213"));
    // Not the rest of a sentence.
    assert!(!at(
        "trace them 373816936380466",
        "trace",
        "373816936380466"
    ));
}

/// Issue 21: a context word in the key of the field after a value does not count for it,
/// either way.
#[test]
fn the_next_fields_key_is_not_context() {
    let ix = index();
    // `order` lowers a number only as its own key or unit.
    let s = "x 4111111111111111 order_total=5";
    let h = hits(&ix, s);
    assert_eq!(delta(&ix, s, &h, (2, 18), 0, true), 0.0);
    let s = "x 4111111111111111 ms";
    let h = hits(&ix, s);
    assert!(delta(&ix, s, &h, (2, 18), 0, true) < 0.0);
    let s = "x 4111111111111111 order";
    let h = hits(&ix, s);
    assert_eq!(delta(&ix, s, &h, (2, 18), 0, true), 0.0);
    // `card` supports a card only where it is not the next field's key.
    let s = "x 4111111111111111 card_type=visa";
    let h = hits(&ix, s);
    assert_eq!(delta(&ix, s, &h, (2, 18), 0, true), 0.0);
    let s = "x 4111111111111111 (card)";
    let h = hits(&ix, s);
    assert!(delta(&ix, s, &h, (2, 18), 0, true) > 0.0);
}

/// Issue 21: `v`, `ver`, `build` before a card or an SSN did not make them versions.
#[test]
fn a_version_word_lowers_only_what_a_version_can_be() {
    let ix = index();
    for (s, lowered) in [
        ("v 4111 1111 1111 1111", false),
        ("v 4111111111111111", false),
        ("v 536-90-4399", false),
        ("v 4.2.0.17", true),
        ("v 1253905842", true),
    ] {
        let h = hits(&ix, s);
        let d = delta(&ix, s, &h, (2, s.len()), 0, true);
        assert_eq!(d < 0.0, lowered, "{s}");
    }
}

#[test]
fn artifacts_are_barriers_and_never_context() {
    let ix = index();
    // Words inside a label or a token do not count.
    let s = "[IP_ADDRESS] VLM_CREDIT_CARD_K1_ab2ip3card 4111111111111111";
    let h = hits(&ix, s);
    let at = s.find('4').unwrap();
    assert_eq!(delta(&ix, s, &h, (at, at + 16), 0, true), 0.0);
    // A mask run stands where the masked value stood: "card" does not reach past it.
    let s = "card **** **** **** 1111 4111111111111111";
    let h = hits(&ix, s);
    let at = s.rfind('4').unwrap() - 15;
    assert_eq!(delta(&ix, s, &h, (at, at + 16), 0, true), 0.0);
    // Exact case only: lower-case text is not velum's output.
    let s = "card vlm_x 4111111111111111";
    let h = hits(&ix, s);
    assert!(delta(&ix, s, &h, (11, 27), 0, true) > 0.0);
}

#[test]
fn barriers_stop_the_window() {
    let ix = index();
    let s = "card 1 4111111111111111";
    let h = hits(&ix, s);
    assert_eq!(delta_within(&ix, s, &h, (7, 23), (6, usize::MAX)), 0.0);
    assert!(delta_within(&ix, s, &h, (7, 23), (0, usize::MAX)) > 0.0);
}

#[test]
fn effect_in_window() {
    let ix = index();
    let s = "card 4111111111111111";
    let h = hits(&ix, s);
    let e = ix.effect(
        s.as_bytes(),
        &h,
        Span::new(5, 21),
        ALL,
        (0, (0, 0)),
        0,
        0.3,
        true,
    );
    assert!(e.positive.is_some() && (e.delta - 0.3).abs() < 1e-6);
    // Not this detector's word.
    assert_eq!(delta(&ix, s, &h, (5, 21), 1, true), 0.0);
    // Too far away.
    let far = format!("card {} 4111111111111111", "x".repeat(60));
    let h = hits(&ix, &far);
    let at = far.find('4').unwrap();
    assert_eq!(delta(&ix, &far, &h, (at, at + 16), 0, true), 0.0);
    // Negative context only for numeric detectors.
    let s = "order 4111111111111111";
    let h = hits(&ix, s);
    assert!(delta(&ix, s, &h, (6, 22), 0, true) < 0.0);
    assert_eq!(delta(&ix, s, &h, (6, 22), 0, false), 0.0);
    // A detector's own negative words apply whether or not it is numeric.
    let s = "build 536-90-4399";
    let h = hits(&ix, s);
    assert!(delta(&ix, s, &h, (6, 17), 1, false) < 0.0);
    assert_eq!(delta(&ix, s, &h, (6, 17), 0, false), 0.0);
    // Negative words must be adjacent: a neighbouring field's key does not count.
    let s = "order_id=1 customer=4111111111111111";
    let h = hits(&ix, s);
    assert_eq!(delta(&ix, s, &h, (20, 36), 0, true), 0.0);
    let s = "order=4111111111111111";
    let h = hits(&ix, s);
    assert!(delta(&ix, s, &h, (6, 22), 0, true) < 0.0);
}

/// A field name that speaks against a detector does so as the key of the value's field
/// only: `status: 536-90-4399`, not `the status 536-90-4399` (issue 23).
#[test]
fn a_negative_key_counts_only_as_the_key() {
    let ix = index();
    for (s, lowered) in [
        ("status: 536-90-4399", true),
        ("status=536-90-4399", true),
        ("{\"status\":\"536-90-4399\"}", true),
        ("the status 536-90-4399 set", false),
    ] {
        let at = s.find("536").unwrap();
        let h = hits(&ix, s);
        let d = delta(&ix, s, &h, (at, at + 11), 1, false);
        assert_eq!(d < 0.0, lowered, "{s}: {d}");
    }
}
