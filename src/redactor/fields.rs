//! What the readings of records share: a field's value decoded (with the map back to its raw
//! bytes), one field scanned with its name as context, and the rewrite of a record whose
//! findings are known — every string, number and cell stays one, whichever reading found
//! what (a finding that runs over the syntax between two fields is replaced piece by piece
//! in each, the syntax kept).

use crate::record::{self, CsvHeader, Field, Kind};
use crate::span::{Finding, Span};
use crate::transform::{Action, Sealer};

use super::person_field::NormKey;
use super::{Edit, Redactor, Scratch};

impl Redactor {
    /// Scans field `f` of `unit` with `name` (decoded) as its context and appends what its
    /// value holds, in `unit`'s raw offsets, to `out`; a person key's verdict on PERSON is
    /// applied.
    pub(super) fn scan_cell(
        &self,
        scratch: &mut Scratch,
        unit: &[u8],
        f: &Field,
        name: &[u8],
        out: &mut Vec<Finding>,
    ) {
        let rec = &mut scratch.record;
        rec.unit.clear();
        if !name.is_empty() {
            rec.unit.extend_from_slice(name);
            rec.unit.extend_from_slice(b": ");
        }
        let at = rec.unit.len();
        let whole = decode_field(unit, f, &mut rec.dec, &mut rec.map);
        rec.unit.extend_from_slice(&rec.dec);
        rec.found.clear();
        self.compiled
            .engine
            .scan_field(&rec.unit, at, &mut scratch.engine, &mut rec.found);
        // Only findings in the value count: the key is context.
        rec.found.retain(|g| g.span.start() >= at);
        for g in &mut rec.found {
            g.span = Span::new(g.span.start() - at, g.span.end() - at);
        }
        if !name.is_empty() {
            self.person_hint(name, &rec.dec, &mut rec.found);
        }
        out.extend(rec.found.iter().map(|g| Finding {
            span: raw_span(f, &rec.map, g.span, whole),
            ..*g
        }));
    }

    /// The record form of [`Redactor::rewrite_into`]: `unit` (a JSON object line, or a
    /// CSV/TSV row under `header`) into `out`, each change recorded in `edits`. `None` when
    /// `unit` is not such a record; else whether anything changed.
    ///
    /// Every key, string, number and cell a finding touches is rewritten where the finding
    /// touches it: JSON strings re-escaped, a number made a string, CSV quoting kept or added;
    /// bytes of syntax between fields are kept, so the record stays valid.
    pub(super) fn rewrite_fields(
        &self,
        unit: &[u8],
        header: Option<&CsvHeader>,
        findings: &[Finding],
        sealer: Option<&dyn Sealer>,
        out: &mut Vec<u8>,
        mut edits: Option<&mut Vec<Edit>>,
    ) -> Option<bool> {
        let mut regions = Vec::new();
        match header {
            None => {
                let mut keys = Vec::new();
                if !record::json::json_fields_and_keys(unit, &mut regions, &mut keys) {
                    return None;
                }
                regions.extend(keys.into_iter().map(|raw| Field {
                    key: 0..0,
                    column: 0,
                    raw,
                    kind: Kind::JsonKey,
                    scope: None,
                }));
                regions.sort_by_key(|f| f.raw.start);
            }
            Some(h) => {
                if !record::csv_fields(unit, h.sep, &mut regions) {
                    return None;
                }
            }
        }
        out.clear();
        let (mut dec, mut map) = (Vec::new(), Vec::new());
        // Replacements in one region: the raw span each replaces.
        let mut reps: Vec<(Span, Vec<u8>)> = Vec::new();
        let (mut at, mut k) = (0, 0);
        for f in &regions {
            let (r0, r1) = (f.raw.start, f.raw.end);
            while k < findings.len() && findings[k].span.end() <= r0 {
                k += 1;
            }
            reps.clear();
            let mut j = k;
            let mut decoded = None;
            while j < findings.len() && findings[j].span.start() < r1 {
                let g = findings[j];
                j += 1;
                let rule = self.rule(g.entity);
                if rule.action == Action::Keep {
                    continue;
                }
                let whole_field =
                    *decoded.get_or_insert_with(|| decode_field(unit, f, &mut dec, &mut map));
                let mut piece = Span::new(g.span.start().max(r0), g.span.end().min(r1));
                // In a number, any finding is the number.
                if f.kind == Kind::JsonNumber || whole_field {
                    piece = Span::new(r0, r1);
                }
                if piece.is_empty() || reps.last().is_some_and(|(p, _)| p.end() > piece.start()) {
                    continue;
                }
                // The rule sees the decoded value (what a token is made of); the replacement
                // goes where the value's raw bytes were, and every other byte stays.
                let d0 = record::to_decoded(&map, piece.start() - r0);
                let d1 = record::to_decoded(&map, piece.end() - r0).max(d0);
                let whole = piece == g.span;
                let mut rep = Vec::new();
                rule.write_finding(
                    g.entity,
                    &dec[d0..d1],
                    g.fragment || !whole,
                    &mut rep,
                    sealer,
                );
                reps.push((piece, rep));
            }
            // A finding that runs on past this region is looked at again in the next.
            k = (k..j).find(|&i| findings[i].span.end() > r1).unwrap_or(j);
            if reps.is_empty() {
                continue;
            }
            let quoted = matches!(f.kind, Kind::Csv { quoted: true });
            let open = r0 - usize::from(quoted);
            out.extend_from_slice(&unit[at..open]);
            let mut place = Placer {
                out,
                edits: edits.as_deref_mut(),
            };
            match f.kind {
                Kind::JsonString | Kind::JsonKey => {
                    place.splice(unit, r0..r1, &reps, record::escape_json);
                }
                Kind::JsonNumber => {
                    place.insert(r0, b"\"");
                    place.splice(unit, r0..r1, &reps, record::escape_json);
                    place.insert(r1, b"\"");
                }
                Kind::Csv { quoted } => {
                    let sep = header.map_or(b',', |h| h.sep);
                    let needs = |r: &[u8]| {
                        r.iter()
                            .any(|&b| matches!(b, b'"' | b'\n' | b'\r') || b == sep)
                    };
                    let quote = quoted || reps.iter().any(|(_, r)| needs(r));
                    if quoted {
                        place.out.push(b'"');
                    } else if quote {
                        place.insert(r0, b"\"");
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
                    place.splice(unit, r0..r1, &reps, write);
                    if quoted {
                        place.out.push(b'"');
                    } else if quote {
                        place.insert(r1, b"\"");
                    }
                }
            }
            at = r1 + usize::from(quoted);
        }
        if out.is_empty() {
            return Some(false);
        }
        out.extend_from_slice(&unit[at..]);
        Some(true)
    }
}

/// Writes a rewritten region and records where each change went.
struct Placer<'a> {
    out: &'a mut Vec<u8>,
    edits: Option<&'a mut Vec<Edit>>,
}

impl Placer<'_> {
    /// Writes `bytes` where nothing of the unit was (before unit offset `at`).
    fn insert(&mut self, at: usize, bytes: &[u8]) {
        let to = self.out.len();
        self.out.extend_from_slice(bytes);
        if let Some(e) = self.edits.as_deref_mut() {
            e.push(Edit {
                from: at..at,
                to: to..self.out.len(),
            });
        }
    }

    /// Writes the raw bytes of `raw` with each replacement (encoded by `encode`) in place of
    /// the raw span it replaces.
    fn splice(
        &mut self,
        unit: &[u8],
        raw: std::ops::Range<usize>,
        reps: &[(Span, Vec<u8>)],
        encode: impl Fn(&[u8], &mut Vec<u8>),
    ) {
        let mut at = raw.start;
        for (span, rep) in reps {
            self.out.extend_from_slice(&unit[at..span.start()]);
            let to = self.out.len();
            encode(rep, self.out);
            if let Some(e) = self.edits.as_deref_mut() {
                e.push(Edit {
                    from: span.range(),
                    to: to..self.out.len(),
                });
            }
            at = span.end();
        }
        self.out.extend_from_slice(&unit[at..raw.end]);
    }
}

/// The raw span in the unit of `span`, a span of field `f`'s decoded value (`map` and
/// `whole` from [`decode_field`]): a finding in a number written as a float is the whole
/// number.
pub(super) fn raw_span(f: &Field, map: &[usize], span: Span, whole: bool) -> Span {
    if whole {
        return Span::new(f.raw.start, f.raw.end);
    }
    Span::new(
        f.raw.start + map[span.start()],
        f.raw.start + map[span.end()],
    )
}

/// True when a value might be a name a field name vouches for: a JSON string or CSV field of
/// at most 80 bytes without digits or the punctuation of ids, paths and URLs.
pub(super) fn could_be_name(f: &Field, value: &[u8]) -> bool {
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
pub(super) fn context_start(unit: &[u8], f: &Field) -> usize {
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

/// Decodes a field's value into `dec`, with the map back to its raw bytes. Encoded text in
/// the value (`%40`, `+` in a query, `&#64;`, Unicode forms) is decoded too, the two maps
/// composed. A number written with a fraction or an exponent that is an integer
/// (`536904399.0`, in JSON or in a cell) reads as its digits: then true, and a finding in
/// it is the whole field (see [`raw_span`]).
pub(super) fn decode_field(
    unit: &[u8],
    f: &Field,
    dec: &mut Vec<u8>,
    map: &mut Vec<usize>,
) -> bool {
    let raw = &unit[f.raw.clone()];
    match f.kind {
        Kind::JsonString | Kind::JsonKey => record::decode_json(raw, dec, map),
        Kind::JsonNumber => record::decode_csv(raw, false, dec, map),
        Kind::Csv { quoted } => record::decode_csv(raw, quoted, dec, map),
    }
    if matches!(f.kind, Kind::JsonNumber | Kind::Csv { .. }) && float_like(dec) {
        let mut digits = Vec::new();
        if record::json::integer_digits(dec.trim_ascii(), &mut digits) {
            map.clear();
            map.resize(digits.len(), 0);
            map.push(raw.len());
            *dec = digits;
            return true;
        }
    }
    if crate::decode::needs(dec) {
        let (mut text, mut back) = (Vec::new(), Vec::new());
        crate::decode::decode(dec, &mut text, &mut back);
        let composed = back.iter().map(|&i| map[i]).collect();
        *dec = text;
        *map = composed;
    }
    false
}

/// True when `v` may be a number written with a fraction or an exponent.
pub(super) fn float_like(v: &[u8]) -> bool {
    let v = v.trim_ascii();
    v.len() >= 3
        && v.len() <= 40
        && v.iter().any(|b| matches!(b, b'.' | b'e' | b'E'))
        && v.iter()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
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
    fn json_lines_stay_valid_json() {
        let line = r#"{"jane@example.com": "key stays", "user": {"email": "jane@example.com", "ssn": 536904399, "list": [{"ip": "203.0.113.9"}, "x\"y\\z \u00e9 bob@example.org\n"]}, "order_id": 536904399, "ok": true, "n": null}"#;
        let out = redact_as(crate::Format::Auto, &format!("{line}\n"));
        let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON out");
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        // A key is data too: one that holds personal data is rewritten in place.
        assert_eq!(keys[0], "[EMAIL]");
        assert_eq!(v["[EMAIL]"], "key stays");
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
            r#"{"[EMAIL]": "key stays", "user": {"email": "[EMAIL]", "ssn": "*****4399""#
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
