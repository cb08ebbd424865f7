//! A line that is one JSON object, read field by field: each string and number value with
//! its key as context (and, for a value under a key that says nothing, the sibling fields
//! that describe it), a number written as a float read as its digits, and each field name's
//! verdict on PERSON. This reading adds to the text scan of the same line (see
//! [`super::readings`]).

use crate::detect::engine::Segment;
use crate::record::{self, Kind};
use crate::span::{Entity, Finding, Span};

use super::fields::{context_start, could_be_name, decode_field, float_like, raw_span};
use super::person_field::{PersonKey, field_person_key};
use super::{Redactor, Scratch};

impl Redactor {
    /// Reads a line that is one JSON object field by field (nothing when it is not one): the
    /// values without escapes in place, in one pass over the line (each value with its own
    /// key as context), the others decoded one by one; then each field name's verdict on
    /// PERSON. Findings in raw line offsets, appended to `out` in order. The line's text
    /// reading (the floor) is made in the same pass over its words, into `floor`; false when
    /// the line is not one JSON object (and `floor` is left alone).
    pub(super) fn scan_json_line(
        &self,
        scratch: &mut Scratch,
        unit: &[u8],
        out: &mut Vec<Finding>,
        floor: &mut Vec<Finding>,
    ) -> bool {
        let Scratch {
            engine,
            record: rec,
        } = scratch;
        if !record::json::json_fields_and_objects(unit, &mut rec.fields, &mut rec.objects) {
            return false;
        }
        rec.segs.clear();
        rec.escaped.clear();
        for (i, f) in rec.fields.iter().enumerate() {
            let escaped =
                |r: &std::ops::Range<usize>| memchr::memchr(b'\\', &unit[r.clone()]).is_some();
            let raw = &unit[f.raw.clone()];
            // A number written as a float is read as its digits.
            let float = f.kind == Kind::JsonNumber && float_like(raw);
            if escaped(&f.key) || escaped(&f.raw) || float || crate::decode::needs(raw) {
                rec.escaped.push(i);
            } else {
                rec.segs.push(Segment {
                    key: (f.key.start, f.key.end),
                    value: (f.raw.start, f.raw.end),
                    about: context_start(unit, f),
                });
            }
        }
        let first = out.len();
        self.compiled
            .engine
            .scan_text_and_segments(unit, &rec.segs, engine, floor, out);
        // Field names that decide PERSON, field by field (findings are in field order).
        let mut k = first;
        for f in &rec.fields {
            while k < out.len() && out[k].span.end() <= f.raw.start {
                k += 1;
            }
            let mut e = k;
            while e < out.len() && out[e].span.start() < f.raw.end {
                e += 1;
            }
            // A field name can only add a name to a value shaped like one, or remove one
            // found: for the others (numbers, ids, URLs...) it is not looked up.
            if !out[k..e].iter().any(|g| g.entity == Entity::PERSON)
                && !could_be_name(f, &unit[f.raw.clone()])
            {
                continue;
            }
            let Some(class) = field_person_key(unit, f, &rec.fields) else {
                continue;
            };
            rec.found.clear();
            rec.found.extend(out[k..e].iter().map(|g| Finding {
                span: Span::new(g.span.start() - f.raw.start, g.span.end() - f.raw.start),
                ..*g
            }));
            match class {
                PersonKey::Never => rec.found.retain(|g| g.entity != Entity::PERSON),
                PersonKey::Name(norm) => {
                    self.person_hint_name(norm, &unit[f.raw.clone()], &mut rec.found)
                }
            }
            let now = rec.found.iter().map(|g| Finding {
                span: g.span.offset(f.raw.start),
                ..*g
            });
            let n = rec.found.len();
            out.splice(k..e, now);
            k += n;
        }
        // The escaped fields, decoded.
        if !rec.escaped.is_empty() {
            let escaped = std::mem::take(&mut rec.escaped);
            for &i in &escaped {
                let f = rec.fields[i].clone();
                rec.unit.clear();
                // Sibling fields that describe the value, raw (only their words count).
                let about = context_start(unit, &f);
                rec.unit
                    .extend_from_slice(&unit[about..f.key.start.max(about)]);
                let k0 = rec.unit.len();
                record::decode_json(&unit[f.key.clone()], &mut rec.dec, &mut rec.map);
                rec.unit.extend_from_slice(&rec.dec);
                let k1 = rec.unit.len();
                if k1 > k0 {
                    rec.unit.extend_from_slice(b": ");
                }
                let at = rec.unit.len();
                let whole = decode_field(unit, &f, &mut rec.dec, &mut rec.map);
                rec.unit.extend_from_slice(&rec.dec);
                rec.found.clear();
                let seg = Segment {
                    key: (k0, k1),
                    value: (at, rec.unit.len()),
                    about: 0,
                };
                self.compiled
                    .engine
                    .scan_segments(&rec.unit, &[seg], engine, &mut rec.found);
                for g in &mut rec.found {
                    g.span = Span::new(g.span.start() - at, g.span.end() - at);
                }
                match field_person_key(unit, &f, &rec.fields) {
                    Some(PersonKey::Never) => rec.found.retain(|g| g.entity != Entity::PERSON),
                    Some(PersonKey::Name(n)) => self.person_hint_name(n, &rec.dec, &mut rec.found),
                    // An escaped key is read decoded.
                    None if k1 > k0 => {
                        self.person_hint(&rec.unit[k0..k1], &rec.dec, &mut rec.found)
                    }
                    None => {}
                }
                out.extend(rec.found.iter().map(|g| Finding {
                    span: raw_span(&f, &rec.map, g.span, whole),
                    ..*g
                }));
            }
            rec.escaped = escaped;
            out[first..].sort_by_key(|g| g.span.start());
        }
        // Values their objects type (FHIR identifiers, contact points): first, so that of
        // equal spans theirs is kept.
        rec.found.clear();
        self.typed_fields(unit, &rec.fields, &rec.objects, &mut rec.found);
        if !rec.found.is_empty() {
            out.splice(first..first, rec.found.drain(..));
            out[first..].sort_by_key(|g| g.span.start());
            self.union(out, first);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use crate::Redactor;
    use crate::detect::engine::Segment;
    use crate::record;

    /// The text and field readings made in one pass over a line's words give what two
    /// separate passes give, on every JSON line of the eval corpora.
    #[test]
    fn one_pass_for_both_readings_equals_two() {
        let r = Redactor::new();
        let e = &r.compiled.engine;
        let mut scratch = r.scratch();
        let mut n = 0;
        for text in [
            include_str!("../../tests/data/eval/indep/dev/logs.txt"),
            include_str!("../../tests/data/eval/indep/test/logs.txt"),
            include_str!("../../tests/data/eval/indep/dev/records.txt"),
            include_str!("../../tests/data/eval/indep/test/records.txt"),
            include_str!("../../tests/data/eval/indep/dev/fhir-server.txt"),
            include_str!("../../tests/data/eval/dev.txt"),
        ] {
            for line in text.lines() {
                // The corpus markup out: `⟦ENTITY|value⟧` is the value.
                let mut plain = String::new();
                let mut rest = line;
                while let Some(i) = rest.find('⟦') {
                    plain.push_str(&rest[..i]);
                    let after = &rest[i + '⟦'.len_utf8()..];
                    let bar = after.find('|').unwrap_or(0);
                    let end = after.find('⟧').unwrap_or(after.len());
                    plain.push_str(&after[bar + 1..end]);
                    rest = &after[(end + '⟧'.len_utf8()).min(after.len())..];
                }
                plain.push_str(rest);
                let unit = plain.as_bytes();
                let mut fields = Vec::new();
                if !record::json_fields(unit, &mut fields) {
                    continue;
                }
                let segs: Vec<Segment> = fields
                    .iter()
                    .map(|f| Segment {
                        key: (f.key.start, f.key.end),
                        value: (f.raw.start, f.raw.end),
                        about: super::context_start(unit, f),
                    })
                    .collect();
                let (mut a_text, mut a_fields) = (Vec::new(), Vec::new());
                e.scan_text_and_segments(
                    unit,
                    &segs,
                    &mut scratch.engine,
                    &mut a_text,
                    &mut a_fields,
                );
                let (mut b_text, mut b_fields) = (Vec::new(), Vec::new());
                e.scan(unit, &mut scratch.engine, &mut b_text);
                e.scan_segments(unit, &segs, &mut scratch.engine, &mut b_fields);
                assert_eq!(a_text, b_text, "{plain}");
                assert_eq!(a_fields, b_fields, "{plain}");
                n += 1;
            }
        }
        assert!(n > 300, "{n} JSON lines");
    }
}
