//! Overlap resolution. Candidates that share bytes are settled by one deterministic rule:
//! higher score first (a checksum that passed with context beats one without; a label in
//! front of the value weighs [`LABEL_WEIGHT`] more), then the more
//! specific detector (higher priority), then the longer span, then the earlier start, then the
//! detector's definition order. Accepted findings never overlap and come out in input order.
//!
//! No byte a detector confirmed is left behind: where a beaten candidate sticks out of the
//! winners, that part becomes a *fragment* finding of its own type (always replaced whole),
//! so what remains of it can never become a new finding once the winner is replaced
//! (`(212) 555-0140::026` gives PHONE `(212) 555-0140` and an IP_ADDRESS fragment `::026`).

use std::collections::BTreeMap;

use crate::span::Span;

/// A confirmed, scored candidate waiting for resolution.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Scored {
    pub(crate) span: Span,
    pub(crate) det: u16,
    pub(crate) score: f32,
    pub(crate) priority: i32,
    /// The candidate's index in the caller's side tables (explanations).
    pub(crate) ix: u32,
    /// The part of a beaten candidate that sticks out of the winners.
    pub(crate) fragment: bool,
    /// A word that supports it labels it: its field name, or a word right before it
    /// (`MR# 250-800-6900`, `tfn=...`). See [`LABEL_WEIGHT`].
    pub(crate) labelled: bool,
}

/// What a label in front of a value weighs in resolution: `MR# 250-800-6900` is a record
/// number though the digits also pass as a phone number with a higher score.
const LABEL_WEIGHT: f32 = 0.15;

impl Scored {
    fn weight(&self) -> f32 {
        self.score + if self.labelled { LABEL_WEIGHT } else { 0.0 }
    }
}

/// Keeps the winners of `cands` (which it reorders) in `out`, sorted by start.
pub(crate) fn resolve(cands: &mut [Scored], out: &mut Vec<Scored>) {
    out.clear();
    if cands.len() <= 1 {
        out.extend_from_slice(cands);
        return;
    }
    // Candidates that share no bytes, even through others, never decide for each other: each
    // cluster of overlapping ones is settled alone, which gives what settling them all at
    // once would, in time that grows with the clusters' sizes rather than with the unit's
    // number of candidates (a line of 600,000 custom-pattern matches).
    cands.sort_unstable_by_key(|c| (c.span.start(), std::cmp::Reverse(c.span.end()), c.det));
    let mut i = 0;
    while i < cands.len() {
        let mut end = cands[i].span.end();
        let mut j = i + 1;
        while j < cands.len() && cands[j].span.start() < end {
            end = end.max(cands[j].span.end());
            j += 1;
        }
        if j == i + 1 {
            if !cands[i].span.is_empty() {
                out.push(cands[i]);
            }
        } else {
            cluster(&mut cands[i..j], out);
        }
        i = j;
    }
}

/// Settles one cluster of overlapping candidates, appending its winners and fragments to
/// `out` in start order.
fn cluster(cands: &mut [Scored], out: &mut Vec<Scored>) {
    let first_out = out.len();
    cands.sort_by(|a, b| {
        b.weight()
            .total_cmp(&a.weight())
            .then(b.priority.cmp(&a.priority))
            .then(b.span.len().cmp(&a.span.len()))
            .then(a.span.start().cmp(&b.span.start()))
            .then(a.det.cmp(&b.det))
    });
    // Accepted spans keyed by start; they never overlap, so one neighbour on each side decides.
    let mut taken: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    for (i, c) in cands.iter().enumerate() {
        let (s, e) = (c.span.start(), c.span.end());
        let before = taken
            .range(..=s)
            .next_back()
            .is_some_and(|(_, &(end, _))| end > s);
        let after = taken.range(s..).next().is_some_and(|(&start, _)| start < e);
        if !before && !after && !(c.span.is_empty()) {
            taken.insert(s, (e, i));
        }
    }
    let winners: Vec<Scored> = taken.values().map(|&(_, i)| cands[i]).collect();
    let mut won = vec![false; cands.len()];
    for &(_, i) in taken.values() {
        won[i] = true;
    }
    // What sticks out of each beaten candidate, as fragments of its own type.
    let mut pieces: Vec<Scored> = Vec::new();
    for (i, c) in cands.iter().enumerate() {
        if won[i] || c.span.is_empty() {
            continue;
        }
        let mut at = c.span.start();
        let first = winners.partition_point(|w| w.span.end() <= c.span.start());
        for w in winners[first..]
            .iter()
            .take_while(|w| w.span.start() < c.span.end())
        {
            if w.span.start() > at {
                pieces.push(Scored {
                    span: Span::new(at, w.span.start()),
                    fragment: true,
                    ..*c
                });
            }
            at = at.max(w.span.end());
        }
        if at < c.span.end() {
            pieces.push(Scored {
                span: Span::new(at, c.span.end()),
                fragment: true,
                ..*c
            });
        }
    }
    // Overlapping fragments merge; they never overlap a winner.
    pieces.sort_by_key(|p| (p.span.start(), std::cmp::Reverse(p.span.end())));
    let mut merged: Vec<Scored> = Vec::new();
    for p in pieces {
        match merged.last_mut() {
            Some(m) if m.span.end() >= p.span.start() && m.span.end() > p.span.start() => {
                m.span = Span::new(m.span.start(), m.span.end().max(p.span.end()));
            }
            _ => merged.push(p),
        }
    }
    out.extend(winners);
    out.extend(merged);
    out[first_out..].sort_by_key(|f| f.span.start());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sc(s: usize, e: usize, det: u16, score: f32, priority: i32) -> Scored {
        Scored {
            span: Span::new(s, e),
            det,
            score,
            priority,
            ix: 0,
            fragment: false,
            labelled: false,
        }
    }

    proptest::proptest! {
        /// Settling clusters one by one gives what settling all candidates at once gives.
        #[test]
        fn clusters_settle_as_the_whole_does(
            spec in proptest::collection::vec((0usize..60, 0usize..12, 0u16..4, 0u8..10, -1i32..2, proptest::bool::ANY), 0..40)
        ) {
            let mut cands: Vec<Scored> = spec
                .iter()
                .map(|&(s, len, det, score, priority, labelled)| Scored {
                    labelled,
                    ..sc(s, s + len, det, f32::from(score) / 10.0, priority)
                })
                .collect();
            let mut all = cands.clone();
            let mut whole = Vec::new();
            if all.len() > 1 {
                cluster(&mut all, &mut whole);
            } else {
                whole.extend_from_slice(&all);
            }
            let mut out = Vec::new();
            resolve(&mut cands, &mut out);
            let key = |v: &[Scored]| v.iter().map(|c| (c.span, c.det, c.fragment)).collect::<Vec<_>>();
            proptest::prop_assert_eq!(key(&out), key(&whole));
        }
    }

    #[test]
    fn a_label_outweighs_a_slightly_higher_score() {
        let mut out = Vec::new();
        let label = Scored {
            labelled: true,
            ..sc(0, 12, 1, 0.6, 25)
        };
        resolve(&mut [sc(0, 12, 0, 0.7, 30), label], &mut out);
        assert_eq!(out[0].det, 1);
        // Not a much higher one.
        resolve(&mut [sc(0, 12, 0, 0.9, 30), label], &mut out);
        assert_eq!(out[0].det, 0);
    }

    #[test]
    fn higher_score_wins_then_priority_then_length() {
        let mut out = Vec::new();
        resolve(
            &mut [sc(0, 12, 0, 0.7, 30), sc(0, 12, 1, 0.6, 55)],
            &mut out,
        );
        assert_eq!(out[0].det, 0);
        resolve(
            &mut [sc(0, 12, 0, 0.7, 30), sc(0, 12, 1, 0.7, 55)],
            &mut out,
        );
        assert_eq!(out[0].det, 1);
        resolve(
            &mut [sc(0, 10, 0, 0.7, 30), sc(0, 12, 1, 0.7, 30)],
            &mut out,
        );
        assert_eq!(out[0].det, 1);
    }

    #[test]
    fn disjoint_all_kept_in_order() {
        let mut out = Vec::new();
        resolve(
            &mut [
                sc(20, 25, 0, 0.5, 0),
                sc(0, 5, 1, 0.9, 0),
                sc(5, 10, 2, 0.6, 0),
                sc(3, 7, 3, 0.55, 0),
            ],
            &mut out,
        );
        // (3, 7) lost to both (0, 5) and (5, 10), which cover it: nothing sticks out.
        let spans: Vec<_> = out.iter().map(|f| (f.span.start(), f.span.end())).collect();
        assert_eq!(spans, vec![(0, 5), (5, 10), (20, 25)]);
        resolve(
            &mut [
                sc(20, 25, 0, 0.5, 0),
                sc(0, 5, 1, 0.9, 0),
                sc(5, 10, 2, 0.6, 0),
            ],
            &mut out,
        );
        let starts: Vec<_> = out.iter().map(|f| f.span.start()).collect();
        assert_eq!(starts, vec![0, 5, 20]);
    }

    #[test]
    fn what_sticks_out_of_beaten_candidates_becomes_fragments() {
        let mut out = Vec::new();
        // A phone wins over an IPv6 candidate that overlaps its end.
        resolve(
            &mut [sc(0, 14, 0, 0.9, 30), sc(10, 19, 1, 0.8, 20)],
            &mut out,
        );
        let got: Vec<_> = out
            .iter()
            .map(|f| (f.det, f.span.start(), f.span.end(), f.fragment))
            .collect();
        assert_eq!(got, vec![(0, 0, 14, false), (1, 14, 19, true)]);
        // Nested losers leave nothing.
        resolve(
            &mut [sc(0, 20, 0, 0.9, 30), sc(5, 10, 1, 0.8, 20)],
            &mut out,
        );
        assert_eq!(out.len(), 1);
        // A loser bridging two winners leaves the gap between them.
        resolve(
            &mut [
                sc(0, 5, 0, 0.9, 1),
                sc(8, 12, 1, 0.95, 1),
                sc(4, 9, 2, 0.5, 1),
            ],
            &mut out,
        );
        let got: Vec<_> = out
            .iter()
            .map(|f| (f.det, f.span.start(), f.span.end(), f.fragment))
            .collect();
        assert_eq!(
            got,
            vec![(0, 0, 5, false), (2, 5, 8, true), (1, 8, 12, false)]
        );
    }

    #[test]
    fn order_of_input_does_not_matter() {
        let a = [
            sc(0, 12, 0, 0.7, 30),
            sc(4, 16, 1, 0.7, 30),
            sc(10, 20, 2, 0.8, 1),
        ];
        let mut b = a;
        b.reverse();
        let (mut o1, mut o2) = (Vec::new(), Vec::new());
        resolve(&mut a.clone(), &mut o1);
        resolve(&mut b, &mut o2);
        assert_eq!(o1, o2);
    }
}
