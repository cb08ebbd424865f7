//! The readings of one unit, and the rule that makes what comes out safe to store: **the
//! text scan of a unit's bytes is the floor; structure only adds.**
//!
//! A unit is read every way that applies, and its findings are the union of what the
//! readings find:
//! - **as text**: its bytes as they are — on every path, for every unit, whatever its format
//!   or flags say;
//! - **decoded**: when it holds percent-encoding, HTML references, a query string's `+`, or
//!   Unicode forms of ASCII (no-break and other spaces, zero-width characters, fullwidth
//!   digits, Unicode dashes), its decoded form too ([`crate::decode`]);
//! - **as a record**: a JSON object line field by field (and a JSON object that ends a line
//!   of text, `… resource={…}`), its typed fields as what their record says they are (see
//!   [`super::typed`]), a CSV/TSV row cell by cell under its header — and each physical line
//!   of a row leniently, so a stray quote, a ragged row or a quoted field that swallowed lines
//!   does not take the column names away from what follows (see [`super::rows`]); an HL7 v2
//!   segment by the positions of its fields (see [`super::hl7`]); the names a person key
//!   labels in text, `name=ROBERT SMITH` (see [`super::labelled`]).
//!
//! A field name raises a value's score or vouches for it; no reading removes what another
//! found. Where findings of two readings overlap, one finding covers both (their union, masked
//! whole when it is more than either), so nothing either found is left in clear; a finding
//! whose rule keeps the value never hides one whose rule does not.

use crate::record::{self, Structure};
use crate::span::{Finding, Span};
use crate::transform::Action;

use super::{Redactor, Scratch};

impl Redactor {
    /// Every reading of `unit` (see the module docs); findings appended to `out` in order,
    /// disjoint.
    pub(super) fn scan_once(
        &self,
        scratch: &mut Scratch,
        unit: &[u8],
        how: Structure<'_>,
        out: &mut Vec<Finding>,
    ) {
        let first = out.len();
        let mut floor = std::mem::take(&mut scratch.record.floor);
        floor.clear();
        let floor_made = match how {
            Structure::Auto if record::looks_like_json_object(unit) => {
                self.scan_json_line(scratch, unit, out, &mut floor)
            }
            // A line of text that ends with a JSON object (`… resource={…}`): the object
            // read field by field too.
            Structure::Auto => {
                if let Some(at) = record::json::embedded_object(unit) {
                    let before = out.len();
                    self.scan_json_line(scratch, &unit[at..], out, &mut floor);
                    for f in &mut out[before..] {
                        f.span = f.span.offset(at);
                    }
                    floor.clear();
                }
                false
            }
            Structure::Row(header) => {
                self.scan_row(scratch, unit, header, out);
                false
            }
            Structure::RowFrom(header, at) => {
                self.scan_row_from(scratch, unit, header, at, out);
                false
            }
            _ => false,
        };
        if matches!(how, Structure::Auto) {
            // HL7 v2 segments, typed by position.
            let before = out.len();
            self.hl7_fields(unit, out);
            if out.len() > before && before > first {
                self.union(out, first);
            }
        }
        // Names a person key labels in the text (`name=ROBERT SMITH`).
        let before = out.len();
        if self.labelled_names(unit, out) > 0 && before > first {
            self.union(out, first);
        }
        let readings = usize::from(out.len() > first);
        let text = out.len();
        // The floor (a JSON line's was made with its fields, in one pass over its words).
        if floor_made {
            out.extend_from_slice(&floor);
        } else {
            self.compiled.engine.scan(unit, &mut scratch.engine, out);
        }
        scratch.record.floor = floor;
        let mut readings = readings + usize::from(out.len() > text);
        if crate::decode::needs(unit) {
            let before = out.len();
            self.scan_decoded(scratch, unit, out);
            readings += usize::from(out.len() > before);
        }
        if readings > 1 {
            self.union(out, first);
        }
    }

    /// `unit` read decoded; findings in `unit`'s raw offsets, appended to `out`.
    fn scan_decoded(&self, scratch: &mut Scratch, unit: &[u8], out: &mut Vec<Finding>) {
        let rec = &mut scratch.record;
        crate::decode::decode(unit, &mut rec.dec, &mut rec.map);
        let first = out.len();
        self.compiled
            .engine
            .scan(&rec.dec, &mut scratch.engine, out);
        for g in &mut out[first..] {
            g.span = Span::new(rec.map[g.span.start()], rec.map[g.span.end()]);
        }
    }

    /// Makes `out[first..]` (the findings of several readings, each reading's in order)
    /// sorted and disjoint without uncovering a byte any of them covers: a finding inside
    /// another is dropped (the first of equal spans, a structured reading's, stays), two that
    /// overlap become one over both, masked whole and named by the stronger. A finding whose
    /// rule keeps its value gives way to any it overlaps whose rule does not.
    pub(super) fn union(&self, out: &mut Vec<Finding>, first: usize) {
        let keeps = |f: &Finding| self.rule(f.entity).action == Action::Keep;
        let all = &mut out[first..];
        // Stable: of equal spans, the one found first (structure's) comes first.
        all.sort_by(|a, b| {
            a.span
                .start()
                .cmp(&b.span.start())
                .then(b.span.end().cmp(&a.span.end()))
        });
        let mut w = first;
        for r in first..out.len() {
            let f = out[r];
            if w > first {
                let last = &mut out[w - 1];
                if f.span.start() < last.span.end() {
                    match (keeps(last), keeps(&f)) {
                        // A kept value never hides one to rewrite: the rewritten one stays,
                        // and the kept one is dropped.
                        (true, false) => *last = f,
                        (false, true) => {}
                        _ if f.span.end() <= last.span.end() => {}
                        _ => {
                            let stronger = if f.score > last.score { f } else { *last };
                            *last = Finding {
                                span: Span::new(last.span.start(), f.span.end()),
                                fragment: true,
                                ..stronger
                            };
                        }
                    }
                    continue;
                }
            }
            out[w] = f;
            w += 1;
        }
        out.truncate(w);
    }
}

#[cfg(test)]
mod tests {
    use crate::{Entity, Format, Policy, Redactor};

    fn redact_as(r: &Redactor, format: Format, input: &str) -> String {
        let mut out = Vec::new();
        r.redact_stream_as(input.as_bytes(), &mut out, format)
            .unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Structure only adds: what the text of a unit holds is found however the unit is read.
    #[test]
    fn the_text_scan_is_the_floor_of_every_format() {
        let r = Redactor::new();
        // Personal data in a key.
        let out = redact_as(&r, Format::Auto, r#"{"jane@example.com":{"ok":true}}"#);
        assert_eq!(out, r#"{"[EMAIL]":{"ok":true}}"#);
        // A CSV cell under a column that says nothing.
        let out = redact_as(&r, Format::Csv, "id,note\n1,mail jane@example.com\n");
        assert_eq!(out, "id,note\n1,mail [EMAIL]\n");
    }

    #[test]
    fn overlapping_readings_cover_both() {
        let r = Redactor::new();
        let f = |s: usize, e: usize, entity, score| crate::Finding {
            span: crate::Span::new(s, e),
            entity,
            score,
            detector: crate::DetectorId::new("t"),
            fragment: false,
        };
        let mut v = vec![
            f(5, 10, Entity::US_SSN, 0.9),
            f(0, 3, Entity::EMAIL, 1.0),
            f(2, 7, Entity::PHONE, 0.5),
            f(6, 8, Entity::PHONE, 0.5),
            f(20, 25, Entity::IP_ADDRESS, 0.8),
        ];
        r.union(&mut v, 0);
        let got: Vec<_> = v
            .iter()
            .map(|g| (g.span.start(), g.span.end(), g.entity, g.fragment))
            .collect();
        assert_eq!(
            got,
            [
                (0, 10, Entity::EMAIL, true),
                (20, 25, Entity::IP_ADDRESS, false)
            ]
        );
        // A kept entity gives way.
        let p = Policy::from_toml_str("[entities.PHONE]\naction = \"keep\"\n", "p.toml").unwrap();
        let k = Redactor::from_policy(&p).unwrap();
        let mut v = vec![f(0, 10, Entity::PHONE, 0.9), f(2, 5, Entity::US_SSN, 0.6)];
        k.union(&mut v, 0);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].entity, Entity::US_SSN);
    }
}
