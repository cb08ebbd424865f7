//! Records: a JSON object line or a CSV/TSV row is scanned value by value, each with its
//! field name as context, and rewritten so it stays a valid record (JSON strings re-escaped,
//! a rewritten number made a string, CSV quoting kept or added); keys are never touched.

use std::borrow::Cow;

use crate::detect::engine::Scratch;
use crate::record::{self, Kind};
use crate::span::{Entity, Finding, Span};
use crate::transform::{Action, Sealer};

use super::Redactor;
use super::person_field::{NormKey, PersonKey, field_person_key};

impl Redactor {
    /// Scans each value of a JSON object line (`header` `None`) or CSV row with its field
    /// name as context. False, with nothing added to `out`, when `unit` is not such a record.
    pub(super) fn scan_fields(
        &self,
        scratch: &mut Scratch,
        unit: &[u8],
        header: Option<&record::CsvHeader>,
        out: &mut Vec<Finding>,
    ) -> bool {
        let mut rec = std::mem::take(&mut scratch.record);
        let ok = match header {
            None => record::json_fields(unit, &mut rec.fields),
            Some(h) => record::csv_fields(unit, h.sep, &mut rec.fields),
        };
        if ok && header.is_none() {
            self.scan_json(scratch, unit, &mut rec, out);
        } else if ok {
            for f in &rec.fields {
                rec.unit.clear();
                match header {
                    None => record::decode_json(&unit[f.key.clone()], &mut rec.dec, &mut rec.map),
                    Some(h) => {
                        rec.dec.clear();
                        if let Some(name) = h.names.get(f.column) {
                            rec.dec.extend_from_slice(name);
                        }
                    }
                }
                if !rec.dec.is_empty() {
                    rec.unit.extend_from_slice(&rec.dec);
                    rec.unit.extend_from_slice(b": ");
                }
                let at = rec.unit.len();
                decode_field(unit, f, &mut rec.dec, &mut rec.map);
                rec.unit.extend_from_slice(&rec.dec);
                rec.found.clear();
                self.compiled
                    .engine
                    .scan_field(&rec.unit, at, scratch, &mut rec.found);
                // Only findings in the value count: the key is context.
                rec.found.retain(|g| g.span.start() >= at);
                for g in &mut rec.found {
                    g.span = Span::new(g.span.start() - at, g.span.end() - at);
                }
                if at > 0 {
                    self.person_hint(&rec.unit[..at - 2], &rec.dec, &mut rec.found);
                }
                out.extend(rec.found.iter().map(|g| {
                    let (s, e) = (g.span.start(), g.span.end());
                    Finding {
                        span: Span::new(f.raw.start + rec.map[s], f.raw.start + rec.map[e]),
                        ..*g
                    }
                }));
            }
        }
        scratch.record = rec;
        ok
    }

    /// Scans the values of a JSON object line whose fields are in `rec.fields`: those without
    /// escapes in place, in one pass over the line (each value with its own key as context),
    /// the others decoded one by one; then each field name's verdict on PERSON.
    fn scan_json(
        &self,
        scratch: &mut Scratch,
        unit: &[u8],
        rec: &mut record::RecordScratch,
        out: &mut Vec<Finding>,
    ) {
        use crate::detect::engine::Segment;
        rec.segs.clear();
        rec.escaped.clear();
        for (i, f) in rec.fields.iter().enumerate() {
            let escaped =
                |r: &std::ops::Range<usize>| memchr::memchr(b'\\', &unit[r.clone()]).is_some();
            if escaped(&f.key) || escaped(&f.raw) || crate::decode::needs(&unit[f.raw.clone()]) {
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
        if !rec.segs.is_empty() {
            self.compiled
                .engine
                .scan_segments(unit, &rec.segs, scratch, out);
        }
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
                decode_field(unit, &f, &mut rec.dec, &mut rec.map);
                rec.unit.extend_from_slice(&rec.dec);
                rec.found.clear();
                let seg = Segment {
                    key: (k0, k1),
                    value: (at, rec.unit.len()),
                    about: 0,
                };
                self.compiled
                    .engine
                    .scan_segments(&rec.unit, &[seg], scratch, &mut rec.found);
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
                out.extend(rec.found.iter().map(|g| {
                    let (s, e) = (g.span.start(), g.span.end());
                    Finding {
                        span: Span::new(f.raw.start + rec.map[s], f.raw.start + rec.map[e]),
                        ..*g
                    }
                }));
            }
            rec.escaped = escaped;
            out[first..].sort_by_key(|g| g.span.start());
        }
    }

    /// The record form of [`Redactor::rewrite_structured`]; `None` when `unit` is not such a
    /// record or a finding lies outside every value.
    pub(super) fn rewrite_fields<'a>(
        &self,
        unit: &'a [u8],
        header: Option<&record::CsvHeader>,
        findings: &[Finding],
        sealer: Option<&dyn Sealer>,
    ) -> Option<Cow<'a, [u8]>> {
        let mut fields = Vec::new();
        let ok = match header {
            None => record::json_fields(unit, &mut fields),
            Some(h) => record::csv_fields(unit, h.sep, &mut fields),
        };
        if !ok {
            return None;
        }
        let (mut dec, mut map) = (Vec::new(), Vec::new());
        // Replacements of one field, with the raw span each replaces.
        let mut reps: Vec<(Span, Vec<u8>)> = Vec::new();
        let mut out: Option<Vec<u8>> = None;
        let (mut at, mut k) = (0, 0);
        for f in &fields {
            let first = k;
            while k < findings.len()
                && findings[k].span.start() >= f.raw.start
                && findings[k].span.end() <= f.raw.end
            {
                k += 1;
            }
            decode_field(unit, f, &mut dec, &mut map);
            reps.clear();
            for g in &findings[first..k] {
                let rule = self.rule(g.entity);
                if rule.action == Action::Keep {
                    continue;
                }
                // The rule sees the decoded value (what a token is made of); the replacement
                // goes where the value's raw bytes were, and every other byte stays.
                let d0 = record::to_decoded(&map, g.span.start() - f.raw.start);
                let d1 = record::to_decoded(&map, g.span.end() - f.raw.start);
                let mut rep = Vec::new();
                rule.write_finding(g.entity, &dec[d0..d1], g.fragment, &mut rep, sealer);
                reps.push((g.span, rep));
            }
            if reps.is_empty() {
                continue;
            }
            let o = out.get_or_insert_with(|| Vec::with_capacity(unit.len() + 16));
            match f.kind {
                Kind::JsonString => {
                    o.extend_from_slice(&unit[at..f.raw.start]);
                    splice(o, unit, f.raw.clone(), &reps, record::escape_json);
                }
                Kind::JsonNumber => {
                    o.extend_from_slice(&unit[at..f.raw.start]);
                    o.push(b'"');
                    splice(o, unit, f.raw.clone(), &reps, record::escape_json);
                    o.push(b'"');
                }
                Kind::Csv { quoted } => {
                    let sep = header.map_or(b',', |h| h.sep);
                    let needs = |r: &[u8]| {
                        r.iter()
                            .any(|&b| matches!(b, b'"' | b'\n' | b'\r') || b == sep)
                    };
                    let quote = quoted || reps.iter().any(|(_, r)| needs(r));
                    o.extend_from_slice(&unit[at..f.raw.start - usize::from(quoted)]);
                    if quote {
                        o.push(b'"');
                    }
                    // Unquoted raw text has no quotes to double; replacements are quoted as
                    // CSV wants when the field is.
                    let write = |r: &[u8], o: &mut Vec<u8>| {
                        for &b in r {
                            if quote && b == b'"' {
                                o.push(b'"');
                            }
                            o.push(b);
                        }
                    };
                    splice(o, unit, f.raw.clone(), &reps, write);
                    if quote {
                        o.push(b'"');
                    }
                }
            }
            at = f.raw.end + usize::from(matches!(f.kind, Kind::Csv { quoted: true }));
        }
        if k != findings.len() {
            return None;
        }
        Some(match out {
            None => Cow::Borrowed(unit),
            Some(mut o) => {
                o.extend_from_slice(&unit[at..]);
                Cow::Owned(o)
            }
        })
    }
}

/// True when a value might be a name a field name vouches for: a JSON string or CSV field of
/// at most 80 bytes without digits or the punctuation of ids, paths and URLs.
fn could_be_name(f: &record::Field, value: &[u8]) -> bool {
    matches!(f.kind, Kind::JsonString | Kind::Csv { .. })
        && !value.is_empty()
        && value.len() <= 80
        && !value.iter().any(|b| {
            matches!(
                b,
                b'0'..=b'9'
                    | b'@'
                    | b'/'
                    | b':'
                    | b'='
                    | b'_'
                    | b'{'
                    | b'}'
                    | b'['
                    | b']'
                    | b'<'
                    | b'>'
                    | b'|'
                    | b'#'
                    | b'%'
                    | b'\\'
            )
        })
}

/// Where the context of a JSON value starts: its key, or for a value under a key that says
/// nothing (`value`, `id`, `number`...) in a nested object, the object's start, so sibling
/// fields before it describe it (`{"system": "http://hl7.org/fhir/sid/us-npi", "value":
/// ...}`, `{"type": {"text": "MRN"}, "value": ...}`).
pub(super) fn context_start(unit: &[u8], f: &record::Field) -> usize {
    match &f.scope {
        Some(scope)
            if f.key.start - scope.start <= MAX_SIBLING_CONTEXT
                && NormKey::new(&unit[f.key.clone()]).is_some_and(|k| says_nothing(k.as_str())) =>
        {
            // The key the object is under counts too (`"card": {"number": ...}`).
            if scope.outer.end > scope.outer.start && scope.start - scope.outer.start <= 64 {
                scope.outer.start
            } else {
                scope.start
            }
        }
        _ => f.key.start,
    }
}

/// How far before its key a sibling may describe a value.
const MAX_SIBLING_CONTEXT: usize = 400;

/// Keys that name no kind of value.
fn says_nothing(k: &str) -> bool {
    matches!(
        k,
        "value" | "val" | "id" | "identifier" | "number" | "num" | "no" | "code"
    )
}

/// Writes the raw bytes of `raw` with each replacement (encoded by `encode`) in place of the
/// raw span it replaces.
fn splice(
    o: &mut Vec<u8>,
    unit: &[u8],
    raw: std::ops::Range<usize>,
    reps: &[(Span, Vec<u8>)],
    encode: impl Fn(&[u8], &mut Vec<u8>),
) {
    let mut at = raw.start;
    for (span, rep) in reps {
        o.extend_from_slice(&unit[at..span.start()]);
        encode(rep, o);
        at = span.end();
    }
    o.extend_from_slice(&unit[at..raw.end]);
}

/// Decodes a field's value into `dec`, with the map back to its raw bytes. Encoded text in
/// the value (`%40`, `+` in a query, `&#64;`) is decoded too, the two maps composed.
pub(super) fn decode_field(
    unit: &[u8],
    f: &record::Field,
    dec: &mut Vec<u8>,
    map: &mut Vec<usize>,
) {
    let raw = &unit[f.raw.clone()];
    match f.kind {
        Kind::JsonString => record::decode_json(raw, dec, map),
        Kind::JsonNumber => record::decode_csv(raw, false, dec, map),
        Kind::Csv { quoted } => record::decode_csv(raw, quoted, dec, map),
    }
    if crate::decode::needs(dec) {
        let (mut text, mut back) = (Vec::new(), Vec::new());
        crate::decode::decode(dec, &mut text, &mut back);
        let composed = back.iter().map(|&i| map[i]).collect();
        *dec = text;
        *map = composed;
    }
}

#[cfg(test)]
mod tests {
    use crate::{Policy, Redactor};

    fn redact_as(format: crate::Format, input: &str) -> String {
        let mut out = Vec::new();
        Redactor::new()
            .redact_stream_as(input.as_bytes(), &mut out, format)
            .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn json_lines_stay_valid_json_with_keys_untouched() {
        let line = r#"{"jane@example.com": "key stays", "user": {"email": "jane@example.com", "ssn": 536904399, "list": [{"ip": "203.0.113.9"}, "x\"y\\z \u00e9 bob@example.org\n"]}, "order_id": 536904399, "ok": true, "n": null}"#;
        let out = redact_as(crate::Format::Auto, &format!("{line}\n"));
        let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON out");
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys[0], "jane@example.com", "keys are never altered");
        assert_eq!(v["jane@example.com"], "key stays");
        assert_eq!(v["user"]["email"], "[EMAIL]");
        assert_eq!(
            v["user"]["ssn"], "*****4399",
            "a redacted number becomes a string"
        );
        assert_eq!(v["user"]["list"][0]["ip"], "[IP_ADDRESS]");
        assert_eq!(v["user"]["list"][1], "x\"y\\z é [EMAIL]\n");
        assert_eq!(v["order_id"], 536904399, "field name as negative context");
        assert_eq!(v["ok"], true);
        // Spacing and the rest of the line are kept byte for byte.
        assert!(out.starts_with(
            r#"{"jane@example.com": "key stays", "user": {"email": "[EMAIL]", "ssn": "*****4399""#
        ));
    }

    /// Found in review: re-escaping a whole string value changed bytes outside the finding
    /// (`\u0041` became `A`). Only the finding's raw bytes may change.
    #[test]
    fn json_rewrite_keeps_every_byte_outside_findings() {
        let line = r#"{"note": "\u0041 \"x\" jane@example.com \u00e9", "n": 1}"#;
        let out = redact_as(crate::Format::Auto, line);
        assert_eq!(out, r#"{"note": "\u0041 \"x\" [EMAIL] \u00e9", "n": 1}"#);
        let csv = "a,b\n\"q\"\"x jane@example.com\",y jane@example.com\n";
        let out = redact_as(crate::Format::Csv, csv);
        assert_eq!(out, "a,b\n\"q\"\"x [EMAIL]\",y [EMAIL]\n");
    }

    #[test]
    fn a_replacement_that_needs_quotes_quotes_its_csv_field() {
        let p = Policy::from_toml_str("label = \"<{entity}, \\\"x\\\">\"\n", "p.toml").unwrap();
        let r = Redactor::from_policy(&p).unwrap();
        let mut out = Vec::new();
        r.redact_stream_as(
            &b"a,b\nmail jane@example.com,z\n"[..],
            &mut out,
            crate::Format::Csv,
        )
        .unwrap();
        assert_eq!(out, b"a,b\n\"mail <EMAIL, \"\"x\"\">\",z\n");
    }

    #[test]
    fn json_findings_are_in_raw_line_offsets() {
        let line = br#"{"aA": "A jane@example.com"}"#;
        let r = Redactor::new();
        let f = r.scan(line);
        assert_eq!(f.len(), 1);
        assert_eq!(&line[f[0].span.range()], b"jane@example.com");
    }

    #[test]
    fn a_field_name_is_context_however_far_away() {
        let pad = "x".repeat(200);
        let line = format!(r#"{{"ssn": "{pad} 536904399"}}"#);
        assert_eq!(Redactor::new().scan(line.as_bytes()).len(), 1);
        // As text, the word is too far away to count.
        let out = redact_as(crate::Format::Text, &line);
        assert_eq!(out, line);
    }

    #[test]
    fn malformed_json_is_scanned_as_text() {
        for line in [
            r#"{"email": "jane@example.com""#,
            r#"{"email": "jane@example.com",}"#,
            r#"{"email": 'jane@example.com'}"#,
        ] {
            assert!(
                redact_as(crate::Format::Auto, line).contains("[EMAIL]"),
                "{line}"
            );
        }
    }

    #[test]
    fn csv_columns_are_context_and_quoting_is_kept() {
        let input = "id,Name,email,ssn,note\n1,\"Doe, Jane\",jane@example.com,536904399,\"said \"\"hi\"\" 536-90-4399\"\n2,,\"bob@example.org\",,\n3,\"open quote,x\n";
        let out = redact_as(crate::Format::Csv, input);
        assert_eq!(
            out,
            "id,Name,email,ssn,note\n1,\"[PERSON]\",[EMAIL],*****4399,\"said \"\"hi\"\" ***-**-4399\"\n2,,\"[EMAIL]\",,\n3,\"open quote,x\n"
        );
        // The same number without the column name is not an SSN.
        assert_eq!(
            redact_as(crate::Format::Text, "1,536904399\n"),
            "1,536904399\n"
        );
        let tsv = redact_as(crate::Format::Tsv, "ssn\tx\n536904399\ty\n");
        assert_eq!(tsv, "ssn\tx\n*****4399\ty\n");
    }
}
