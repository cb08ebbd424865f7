//! The findings of a unit are those the next pass confirms too.
//!
//! A verdict may turn on a neighbour (`Lincoln` beside `Place, Austin`, a number before
//! `,270.86`), and once the neighbour is redacted it is a label. So a unit with findings is
//! rewritten and scanned again, and what that finds is added, until nothing more is found:
//! then `scan(redact(x))` is empty and `redact(redact(x)) == redact(x)`. There is no bound on
//! the number of findings: where each finding's replacement went is recorded by the rewrite
//! itself ([`Edit`]s), so placing the next pass's findings costs one pass over them. Rounds
//! stop at [`FIXED_POINT_ROUNDS`] (no chain of verdicts seen so far needs more than three);
//! the findings of the last round are kept, so past the bound velum errs toward redacting.

use crate::span::{Finding, Span};
use crate::transform::Edit;

use super::Redactor;

/// Writes a unit with some findings replaced into its buffer, recording the edits; false
/// when nothing changes.
pub(super) type RewriteFn<'a> = dyn Fn(&[Finding], &mut Vec<u8>, &mut Vec<Edit>) -> bool + 'a;

/// Most scans of one unit: the first, and the rescans of its rewritten forms.
pub(super) const FIXED_POINT_ROUNDS: usize = 16;

impl Redactor {
    /// Adds to the findings `out[first..]` of `unit` what its rewritten form shows when
    /// scanned, until nothing more is found (see the module docs). `rewrite` writes `unit`
    /// with some findings replaced into its buffer and records the edits (false when nothing
    /// changes); `scan` scans a rewritten form.
    pub(super) fn settle(
        &self,
        out: &mut Vec<Finding>,
        first: usize,
        rewrite: &RewriteFn<'_>,
        scan: &mut dyn FnMut(&[u8], &mut Vec<Finding>),
    ) {
        if out.len() == first {
            return;
        }
        let (mut text, mut edits, mut more) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 1..FIXED_POINT_ROUNDS {
            edits.clear();
            if !rewrite(&out[first..], &mut text, &mut edits) {
                return;
            }
            let map = Rewritten::new(&edits);
            more.clear();
            scan(&text, &mut more);
            let before = out.len();
            out.extend(more.iter().filter_map(|f| {
                let span = map.back(f.span);
                // What the rewrite itself wrote is no finding of the unit.
                (!map.inside(f.span)).then_some(Finding { span, ..*f })
            }));
            if out.len() == before {
                return;
            }
            self.union(out, first);
        }
    }
}

/// Where the bytes of a unit went in its rewritten form (from the rewrite's [`Edit`]s), to
/// bring the spans of what the rewritten form holds back to the unit.
pub(super) struct Rewritten<'e> {
    edits: &'e [Edit],
}

impl<'e> Rewritten<'e> {
    /// `edits` in order, as a rewrite records them.
    pub(super) fn new(edits: &'e [Edit]) -> Self {
        Self { edits }
    }

    /// True when `s` lies wholly inside what one edit wrote.
    fn inside(&self, s: Span) -> bool {
        let i = self.edits.partition_point(|e| e.to.end <= s.start());
        self.edits
            .get(i)
            .is_some_and(|e| e.to.start <= s.start() && s.end() <= e.to.end)
    }

    /// The span of the unit that `s`, a span of the rewritten text, stands for: each end
    /// mapped on its own, an end inside what an edit wrote taken to that edit's end in the
    /// unit, so a span touching a replacement covers the value it replaced.
    pub(super) fn back(&self, s: Span) -> Span {
        let start = self.point(s.start(), false);
        let end = self.point(s.end(), true).max(start);
        Span::new(start, end)
    }

    /// The unit offset of rewritten offset `p`; `end` when `p` ends a span (exclusive).
    fn point(&self, p: usize, end: bool) -> usize {
        // Edits are in order and disjoint, so their ends rise: the edits wholly before `p`,
        // then the one `p` may be inside.
        let i = self
            .edits
            .partition_point(|e| if end { e.to.end < p } else { e.to.end <= p });
        if let Some(e) = self.edits.get(i) {
            let inside = if end { e.to.start < p } else { e.to.start <= p };
            if inside {
                return if end { e.from.end } else { e.from.start };
            }
        }
        match i.checked_sub(1).map(|k| &self.edits[k]) {
            Some(e) => p - e.to.end + e.from.end,
            None => p,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Redactor;

    #[test]
    fn rewritten_spans_come_back_to_the_unit() {
        // "ab 12345 cd 678 ef" -> "ab [LONG] cd [] ef"
        let edits = [
            Edit {
                from: 3..8,
                to: 3..9,
            },
            Edit {
                from: 12..15,
                to: 13..15,
            },
        ];
        let map = Rewritten::new(&edits);
        assert_eq!(map.back(Span::new(0, 2)), Span::new(0, 2));
        assert_eq!(map.back(Span::new(10, 12)), Span::new(9, 11));
        assert_eq!(map.back(Span::new(16, 18)), Span::new(16, 18));
        // Touching a replacement: it covers the value replaced.
        assert_eq!(map.back(Span::new(1, 5)), Span::new(1, 8));
        assert_eq!(map.back(Span::new(10, 14)), Span::new(9, 15));
        assert!(map.inside(Span::new(4, 6)));
        assert!(!map.inside(Span::new(1, 5)));
        // An insertion (a quote added before a number) shifts what follows.
        let edits = [Edit {
            from: 4..4,
            to: 4..5,
        }];
        let map = Rewritten::new(&edits);
        assert_eq!(map.back(Span::new(6, 8)), Span::new(5, 7));
        assert_eq!(map.back(Span::new(0, 3)), Span::new(0, 3));
        // A value dropped: a span across where it was covers it.
        let edits = [Edit {
            from: 3..8,
            to: 3..3,
        }];
        let map = Rewritten::new(&edits);
        assert_eq!(map.back(Span::new(1, 5)), Span::new(1, 10));
        assert_eq!(map.back(Span::new(4, 6)), Span::new(9, 11));
    }

    /// Issue 21: a line with more findings than the old bound of 32 left what its rewritten
    /// form revealed in clear.
    #[test]
    fn no_number_of_findings_opens_the_fixed_point() {
        let r = Redactor::new();
        for n in [0, 31, 32, 40, 200] {
            let mut line = (0..n)
                .map(|i| format!("u{i}@example.com "))
                .collect::<String>();
            line.push_str("x 203.0.113.9-536-90-4399");
            let once = r.redact(line.as_bytes()).into_owned();
            let text = String::from_utf8_lossy(&once);
            assert!(
                !text.contains("4399") || text.contains("***-**-4399"),
                "{n}: {text}"
            );
            assert!(r.scan(&once).is_empty(), "{n}: {text}");
        }
    }
}
