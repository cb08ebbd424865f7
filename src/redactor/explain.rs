//! [`Redactor::explain`]: each finding of a unit with the reasons for its score (the
//! validator's base score, the context words that moved it, the field name that made it);
//! [`Redactor::explain_rejected`]: the candidates that were looked at and not reported, with
//! why (see [`Reason`]).

use crate::detect::engine::{Explained, Segment};
use crate::detect::trace::{Reason, Rejected};
use crate::record;
use crate::span::{Entity, Finding, Span};

use super::Redactor;
use super::fields::{context_start, decode_field};
use super::person_field::{PersonKey, field_person_key};

/// Why a finding got its score; see [`Redactor::explain`].
///
/// # Example
/// ```
/// let e = velum::Redactor::new().explain(b"order_id=536-90-4399");
/// assert!(e.is_empty()); // lowered below the threshold by the `order_id` key
/// let e = &velum::Redactor::new().explain(b"ssn 536904399")[0];
/// assert_eq!((e.base_score, e.finding.score), (0.3, 0.65));
/// ```
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct Explanation {
    /// The finding.
    pub finding: Finding,
    /// The validator's score before context.
    pub base_score: f32,
    /// The context word that raised the score, if any.
    pub positive_context: Option<Span>,
    /// The negative context word that lowered it, if any.
    pub negative_context: Option<Span>,
    /// The name of the field the value is under (a JSON key), when the line is a record.
    pub field: Option<Span>,
    /// True when the field name alone made the finding (a PERSON under `first_name`...).
    pub by_field_name: bool,
}

impl Redactor {
    /// Each finding of one unit with the reasons for its score: the validator's base score
    /// and the context words that raised or lowered it.
    ///
    /// # Example
    /// ```
    /// let r = velum::Redactor::new();
    /// let unit = b"npi 1234567893";
    /// let e = &r.explain(unit)[0];
    /// assert_eq!(e.finding.entity, velum::Entity::US_NPI);
    /// assert!(e.base_score < e.finding.score);
    /// assert_eq!(&unit[e.positive_context.unwrap().range()], b"npi");
    /// ```
    pub fn explain(&self, unit: &[u8]) -> Vec<Explanation> {
        // The findings are exactly what `scan` gives (every reading, their union, the fixed
        // point); each is explained by the reading that made it: the field's, then the
        // text's, then the decoded text's; one that no single pass made (a union of two, a
        // verdict of the next pass) by its score alone.
        let mut found = Vec::new();
        self.scan_unit_with(&mut self.pool.get(), unit, &mut found);
        let (why, _) = self.readings(unit);
        found
            .into_iter()
            .map(|f| {
                why.iter()
                    .find(|e| e.finding.span == f.span && e.finding.entity == f.entity)
                    .map(|e| Explanation { finding: f, ..*e })
                    .unwrap_or(Explanation {
                        finding: f,
                        base_score: f.score,
                        positive_context: None,
                        negative_context: None,
                        field: None,
                        by_field_name: false,
                    })
            })
            .collect()
    }

    /// The candidates of one unit that were looked at and not reported, each with why: a
    /// failed check digit, a missing context word, a negative word that lowered its score
    /// under the threshold, a number the log's structure reads as a time or an identifier...
    /// One per place and entity (the most telling reason), for the longest candidates (not
    /// the shorter numbers inside them), none where a finding is; in order of place.
    ///
    /// # Example
    /// ```
    /// use velum::{Entity, Reason, Redactor};
    /// let r = Redactor::new();
    /// let unit = b"order_id=536-90-4399";
    /// let why = r.explain_rejected(unit);
    /// let ssn = why.iter().find(|w| w.entity == Some(Entity::US_SSN)).unwrap();
    /// assert!(matches!(ssn.reason, Reason::BelowThreshold { negative: Some(_), .. }));
    /// assert_eq!(&unit[ssn.span.range()], b"536-90-4399");
    /// ```
    pub fn explain_rejected(&self, unit: &[u8]) -> Vec<Rejected> {
        let mut found = Vec::new();
        self.scan_unit_with(&mut self.pool.get(), unit, &mut found);
        let (_, mut rejected) = self.readings(unit);
        rejected.retain(|r| {
            !found
                .iter()
                .any(|f| f.span.start() < r.span.end() && r.span.start() < f.span.end())
        });
        // One per place and entity: the reason that says most.
        rejected.sort_by(|a, b| {
            (a.span.start(), a.span.end(), a.entity.map(Entity::name))
                .cmp(&(b.span.start(), b.span.end(), b.entity.map(Entity::name)))
                .then(b.reason.rank().cmp(&a.reason.rank()))
        });
        rejected.dedup_by(|b, a| a.span == b.span && a.entity == b.entity);
        // The whole candidate, not the shorter numbers inside it (`1111 1112` of a card).
        let spans: Vec<Span> = rejected.iter().map(|r| r.span).collect();
        rejected.retain(|r| {
            !spans
                .iter()
                .any(|s| *s != r.span && s.start() <= r.span.start() && r.span.end() <= s.end())
        });
        // A number no shape proposed is news only where no detector looked at it.
        let looked: Vec<Span> = rejected
            .iter()
            .filter(|r| r.entity.is_some())
            .map(|r| r.span)
            .collect();
        rejected.retain(|r| {
            r.entity.is_some()
                || !looked
                    .iter()
                    .any(|s| s.start() < r.span.end() && r.span.start() < s.end())
        });
        rejected
    }

    /// Every reading's explanations and rejections of `unit`, in raw offsets: the JSON
    /// fields', the text's, the decoded text's.
    fn readings(&self, unit: &[u8]) -> (Vec<Explanation>, Vec<Rejected>) {
        let (mut why, mut not) = (Vec::new(), Vec::new());
        if record::looks_like_json_object(unit)
            && let Some((w, n)) = self.explain_json(unit)
        {
            why.extend(w);
            not.extend(n);
        }
        let (w, n) = self.explain_text(unit, false);
        why.extend(w);
        not.extend(n);
        if crate::decode::needs(unit) {
            let (w, n) = self.explain_text(unit, true);
            why.extend(w);
            not.extend(n);
        }
        (why, not)
    }

    /// The engine's explanations and rejections of `unit` read as text (or `decoded`), in
    /// raw offsets.
    fn explain_text(&self, unit: &[u8], decoded: bool) -> (Vec<Explanation>, Vec<Rejected>) {
        let mut scratch = self.pool.get();
        let (mut dec, mut map) = (Vec::new(), Vec::new());
        if decoded {
            crate::decode::decode(unit, &mut dec, &mut map);
        }
        let raw = |s: Span| {
            if decoded {
                Span::new(map[s.start()], map[s.end()])
            } else {
                s
            }
        };
        let hay = if decoded { &dec[..] } else { unit };
        let (explained, rejected) = self.compiled.engine.explain_and_reject(
            hay,
            Segment::text(hay.len()),
            &mut scratch.engine,
        );
        let rejected = rejected.into_iter().map(|r| r.map_spans(raw)).collect();
        let explained = explained
            .into_iter()
            .map(
                |Explained {
                     finding,
                     base,
                     effect,
                 }| Explanation {
                    finding: Finding {
                        span: raw(finding.span),
                        ..finding
                    },
                    base_score: base,
                    positive_context: effect.positive.map(|h| raw(h.span)),
                    negative_context: effect.negative.map(|h| raw(h.span)),
                    field: None,
                    by_field_name: false,
                },
            )
            .collect();
        (explained, rejected)
    }

    /// [`Redactor::explain`] of a JSON object line, field by field, in raw line offsets.
    fn explain_json(&self, unit: &[u8]) -> Option<(Vec<Explanation>, Vec<Rejected>)> {
        let mut fields = Vec::new();
        if !record::json_fields(unit, &mut fields) {
            return None;
        }
        let mut scratch = self.pool.get();
        let (mut kd, mut km, mut vd, mut vm) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut out = Vec::new();
        let mut not = Vec::new();
        for f in &fields {
            record::decode_json(&unit[f.key.clone()], &mut kd, &mut km);
            // As scanned: the sibling fields that describe a value (raw), its key, the value.
            let about = context_start(unit, f);
            let mut u = unit[about..f.key.start.max(about)].to_vec();
            let k0 = u.len();
            u.extend_from_slice(&kd);
            if !kd.is_empty() {
                u.extend_from_slice(b": ");
            }
            let at = u.len();
            decode_field(unit, f, &mut vd, &mut vm);
            u.extend_from_slice(&vd);
            let key_span = Span::new(f.key.start, f.key.end);
            let map = |s: Span| -> Span {
                if s.end() <= k0 {
                    Span::new(about + s.start(), about + s.end())
                } else if s.start() >= k0 && s.end() <= k0 + kd.len() {
                    Span::new(
                        f.key.start + km[s.start() - k0],
                        f.key.start + km[s.end() - k0],
                    )
                } else if s.start() >= at {
                    Span::new(
                        f.raw.start + vm[s.start() - at],
                        f.raw.start + vm[s.end() - at],
                    )
                } else {
                    key_span
                }
            };
            let seg = Segment {
                key: (k0, k0 + kd.len()),
                value: (at, u.len()),
                about: 0,
            };
            let (explained, rejected) =
                self.compiled
                    .engine
                    .explain_and_reject(&u, seg, &mut scratch.engine);
            not.extend(
                rejected
                    .into_iter()
                    .filter(|r| r.span.start() >= at)
                    .map(|r| r.map_spans(map)),
            );
            let mut mine: Vec<Finding> = Vec::new();
            for e in explained.iter().filter(|e| e.finding.span.start() >= at) {
                out.push(Explanation {
                    finding: Finding {
                        span: map(e.finding.span),
                        ..e.finding
                    },
                    base_score: e.base,
                    positive_context: e.effect.positive.map(|h| map(h.span)),
                    negative_context: e.effect.negative.map(|h| map(h.span)),
                    field: (!kd.is_empty()).then_some(key_span),
                    by_field_name: false,
                });
                mine.push(Finding {
                    span: Span::new(e.finding.span.start() - at, e.finding.span.end() - at),
                    ..e.finding
                });
            }
            if !kd.is_empty() {
                let before = mine.clone();
                match field_person_key(unit, f, &fields) {
                    Some(PersonKey::Never) => mine.retain(|g| g.entity != Entity::PERSON),
                    Some(PersonKey::Name(n)) => self.person_hint_name(n, &vd, &mut mine),
                    None => self.person_hint(&kd, &vd, &mut mine),
                }
                // The field name's verdict replaces the dictionary's guesses (first, so a finding it
                // rescores keeps its new explanation).
                let removed: Vec<Span> = before
                    .iter()
                    .filter(|g| !mine.contains(g))
                    .map(|g| {
                        let span = Span::new(
                            f.raw.start + vm[g.span.start()],
                            f.raw.start + vm[g.span.end()],
                        );
                        not.push(Rejected {
                            span,
                            entity: Some(g.entity),
                            detector: Some(g.detector),
                            reason: Reason::FieldName,
                        });
                        span
                    })
                    .collect();
                out.retain(|e| !removed.contains(&e.finding.span));
                for g in mine.iter().filter(|g| !before.contains(g)) {
                    out.push(Explanation {
                        finding: Finding {
                            span: Span::new(
                                f.raw.start + vm[g.span.start()],
                                f.raw.start + vm[g.span.end()],
                            ),
                            ..*g
                        },
                        base_score: g.score,
                        positive_context: None,
                        negative_context: None,
                        field: Some(key_span),
                        by_field_name: true,
                    });
                }
            }
        }
        Some((out, not))
    }
}
