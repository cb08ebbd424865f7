//! Structured records: a line that is a JSON object, or a CSV row under a header, is split
//! into fields so each value is scanned with its field name as context and rewritten in a
//! way that keeps the record valid.
//!
//! This module only knows syntax: where each value's bytes are, how to decode them (JSON
//! escapes, CSV's doubled quotes) with a map back to the raw bytes, and how to encode a
//! rewritten value. [`crate::Redactor`] decides what to scan and what to write.
//!
//! - JSON: the whole line must be one valid object (RFC 8259; iterative, so depth costs no
//!   stack); anything else is plain text. Keys are never rewritten. A string value is
//!   decoded, rewritten, re-escaped; a number value that is rewritten becomes a string.
//! - CSV: RFC 4180 fields on one line (a quoted field that runs past the line end makes the
//!   line plain text). A rewritten field keeps its quoting, and is quoted when the new text
//!   needs it. Only the replaced bytes change: the rest of a value keeps its raw form.

use std::ops::Range;

/// What kind of value a field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A JSON string (raw range excludes the quotes).
    JsonString,
    /// A JSON number.
    JsonNumber,
    /// A CSV field; `quoted` when its raw range is inside quotes.
    Csv { quoted: bool },
}

/// One value of a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Field {
    /// The raw bytes of the field name (JSON: between the key's quotes, still escaped; CSV:
    /// the column's index in the header is `column`).
    pub(crate) key: Range<usize>,
    /// CSV column index.
    pub(crate) column: usize,
    /// The raw bytes of the value (inside quotes for strings and quoted CSV fields).
    pub(crate) raw: Range<usize>,
    pub(crate) kind: Kind,
    /// The object the field is in, when it is not the record itself (JSON): where that
    /// object starts, and the key it is under (`identifier` for the objects of
    /// `"identifier": [{...}]`). Its sibling fields (`system`, `type`) describe a `value`.
    pub(crate) scope: Option<Scope>,
}

/// A nested JSON object: see [`Field::scope`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Scope {
    /// The offset of its `{`.
    pub(crate) start: usize,
    /// The raw bytes of the key it is under (the array's key for an object in an array).
    pub(crate) outer: Range<usize>,
}

/// Reusable buffers for field-by-field scanning (held in [`crate::Scratch`]).
#[derive(Default)]
pub(crate) struct RecordScratch {
    pub(crate) fields: Vec<Field>,
    /// `key: value` as scanned.
    pub(crate) unit: Vec<u8>,
    pub(crate) dec: Vec<u8>,
    pub(crate) map: Vec<usize>,
    pub(crate) found: Vec<crate::Finding>,
    /// The values of a JSON line scanned in place (those without escapes).
    pub(crate) segs: Vec<crate::detect::engine::Segment>,
    /// The fields whose key or value has escapes: decoded and scanned one by one.
    pub(crate) escaped: Vec<usize>,
}

/// How the lines of a stream are read.
///
/// # Example
/// ```
/// use velum::{Format, Redactor};
/// let r = Redactor::new();
/// let mut out = Vec::new();
/// r.redact_stream_as(&b"id,email\n7,jane@example.com\n"[..], &mut out, Format::Csv)?;
/// assert_eq!(out, b"id,email\n7,[EMAIL]\n");
/// # Ok::<(), velum::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// Each line that is one JSON object is scanned field by field (field names as
    /// context, output still valid JSON); every other line as text. The default.
    #[default]
    Auto,
    /// Every line as text.
    Text,
    /// Comma-separated values: the first line is the header, whose column names are context
    /// for the fields under them; quoting is kept.
    Csv,
    /// As [`Format::Csv`], separated by tabs.
    Tsv,
}

impl Format {
    /// The field separator of a delimited format.
    pub(crate) fn separator(self) -> Option<u8> {
        match self {
            Self::Csv => Some(b','),
            Self::Tsv => Some(b'\t'),
            Self::Auto | Self::Text => None,
        }
    }
}

/// How one unit is read: as text, as text or a JSON object, or as a row under a header.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Structure<'h> {
    Text,
    Auto,
    Row(&'h CsvHeader),
}

/// True when `line` may be a JSON object (a cheap check before [`json_fields`]).
pub(crate) fn looks_like_json_object(line: &[u8]) -> bool {
    let t = line.trim_ascii();
    t.len() >= 2 && t[0] == b'{' && t[t.len() - 1] == b'}'
}

/// Splits a line that is exactly one JSON object into its string and number values (in
/// order), each with the key it is under (the array's key for array elements). Returns false,
/// leaving `out` unspecified, when the line is not one valid JSON object.
pub(crate) fn json_fields(line: &[u8], out: &mut Vec<Field>) -> bool {
    out.clear();
    let mut p = Parser { s: line, i: 0 };
    p.ws();
    if p.peek() != Some(b'{') {
        return false;
    }
    // The stack holds, per open container, whether it is an object and the key its values
    // belong to.
    let mut stack: Vec<(bool, Range<usize>)> = Vec::new();
    // The open objects: where each starts and the key it is under.
    let mut objects: Vec<Scope> = Vec::new();
    let scope = |objects: &[Scope]| (objects.len() > 1).then(|| objects[objects.len() - 1].clone());
    let mut key: Range<usize> = 0..0;
    // States: expecting a value; after a value (expecting , or close).
    let mut want_value = true;
    loop {
        p.ws();
        if want_value {
            let Some(c) = p.peek() else { return false };
            match c {
                b'{' => {
                    objects.push(Scope {
                        start: p.i,
                        outer: key.clone(),
                    });
                    p.i += 1;
                    stack.push((true, key.clone()));
                    p.ws();
                    if p.peek() == Some(b'}') {
                        p.i += 1;
                        stack.pop();
                        objects.pop();
                        want_value = false;
                    } else {
                        match p.key() {
                            Some(k) => key = k,
                            None => return false,
                        }
                    }
                }
                b'[' => {
                    p.i += 1;
                    stack.push((false, key.clone()));
                    p.ws();
                    if p.peek() == Some(b']') {
                        p.i += 1;
                        stack.pop();
                        want_value = false;
                    }
                }
                b'"' => {
                    let Some(r) = p.string() else { return false };
                    out.push(Field {
                        key: key.clone(),
                        column: 0,
                        raw: r,
                        kind: Kind::JsonString,
                        scope: scope(&objects),
                    });
                    want_value = false;
                }
                b'-' | b'0'..=b'9' => {
                    let Some(r) = p.number() else { return false };
                    out.push(Field {
                        key: key.clone(),
                        column: 0,
                        raw: r,
                        kind: Kind::JsonNumber,
                        scope: scope(&objects),
                    });
                    want_value = false;
                }
                b't' => {
                    if !p.literal(b"true") {
                        return false;
                    }
                    want_value = false;
                }
                b'f' => {
                    if !p.literal(b"false") {
                        return false;
                    }
                    want_value = false;
                }
                b'n' => {
                    if !p.literal(b"null") {
                        return false;
                    }
                    want_value = false;
                }
                _ => return false,
            }
            if stack.is_empty() {
                break;
            }
            continue;
        }
        // After a value inside a container.
        let Some(&(is_obj, _)) = stack.last() else {
            break;
        };
        match p.peek() {
            Some(b',') => {
                p.i += 1;
                p.ws();
                if is_obj {
                    match p.key() {
                        Some(k) => key = k,
                        None => return false,
                    }
                }
                want_value = true;
            }
            Some(b'}') if is_obj => {
                p.i += 1;
                objects.pop();
                let (_, outer) = stack.pop().expect("checked above");
                key = outer;
                if stack.is_empty() {
                    break;
                }
            }
            Some(b']') if !is_obj => {
                p.i += 1;
                let (_, outer) = stack.pop().expect("checked above");
                key = outer;
                if stack.is_empty() {
                    break;
                }
            }
            _ => return false,
        }
    }
    p.ws();
    p.i == line.len()
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn literal(&mut self, lit: &[u8]) -> bool {
        if self.s[self.i..].starts_with(lit) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }

    /// `"key" :` — returns the key's raw range.
    fn key(&mut self) -> Option<Range<usize>> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let r = self.string()?;
        self.ws();
        if self.peek() != Some(b':') {
            return None;
        }
        self.i += 1;
        Some(r)
    }

    /// A string at `self.i` (on its opening quote); returns the range inside the quotes.
    fn string(&mut self) -> Option<Range<usize>> {
        self.i += 1;
        let start = self.i;
        loop {
            let j = memchr::memchr3(b'"', b'\\', 0, &self.s[self.i..]).map(|j| self.i + j);
            // Control characters must be escaped inside strings.
            if self.s[self.i..j.unwrap_or(self.s.len())]
                .iter()
                .any(|&b| b < 0x20)
            {
                return None;
            }
            let j = j?;
            match self.s[j] {
                b'"' => {
                    self.i = j + 1;
                    return Some(start..j);
                }
                b'\\' => {
                    let e = *self.s.get(j + 1)?;
                    match e {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.i = j + 2,
                        b'u' => {
                            let hex = self.s.get(j + 2..j + 6)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return None;
                            }
                            self.i = j + 6;
                        }
                        _ => return None,
                    }
                }
                _ => return None,
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Option<Range<usize>> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return None;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        Some(start..self.i)
    }
}

/// Decodes a JSON string's raw content into `out`, with `map[k]` = the raw offset of decoded
/// byte `k` (and `map[out.len()]` = `raw.len()`). Unpaired surrogates become U+FFFD.
pub(crate) fn decode_json(raw: &[u8], out: &mut Vec<u8>, map: &mut Vec<usize>) {
    out.clear();
    map.clear();
    let mut i = 0;
    let push = |out: &mut Vec<u8>, map: &mut Vec<usize>, bytes: &[u8], at: usize| {
        for &b in bytes {
            out.push(b);
            map.push(at);
        }
    };
    while i < raw.len() {
        if raw[i] != b'\\' {
            out.push(raw[i]);
            map.push(i);
            i += 1;
            continue;
        }
        let at = i;
        let e = raw[i + 1];
        i += 2;
        let c = match e {
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hex = |s: &[u8]| {
                    std::str::from_utf8(s)
                        .ok()
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                };
                let hi = hex(&raw[i..i + 4]).unwrap_or(0xFFFD);
                i += 4;
                let code = if (0xD800..0xDC00).contains(&hi)
                    && raw.get(i..i + 2) == Some(b"\\u")
                    && let Some(lo) = raw.get(i + 2..i + 6).and_then(hex)
                    && (0xDC00..0xE000).contains(&lo)
                {
                    i += 6;
                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                } else {
                    hi
                };
                char::from_u32(code).unwrap_or('\u{FFFD}')
            }
            other => char::from(other),
        };
        let mut buf = [0u8; 4];
        push(out, map, c.encode_utf8(&mut buf).as_bytes(), at);
    }
    map.push(raw.len());
}

/// Appends `s` escaped for the inside of a JSON string.
pub(crate) fn escape_json(s: &[u8], out: &mut Vec<u8>) {
    for &b in s {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0..0x20 => out.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
            _ => out.push(b),
        }
    }
}

/// Splits a CSV line into fields (RFC 4180, `sep` between fields). Returns false when a
/// quoted field is not closed on this line or a quote appears inside an unquoted field.
pub(crate) fn csv_fields(line: &[u8], sep: u8, out: &mut Vec<Field>) -> bool {
    out.clear();
    let mut i = 0;
    let mut column = 0;
    loop {
        if line.get(i) == Some(&b'"') {
            let start = i + 1;
            let mut j = start;
            loop {
                match memchr::memchr(b'"', &line[j..]) {
                    None => return false,
                    Some(k) if line.get(j + k + 1) == Some(&b'"') => j = j + k + 2,
                    Some(k) => {
                        j += k;
                        break;
                    }
                }
            }
            out.push(Field {
                key: 0..0,
                column,
                raw: start..j,
                kind: Kind::Csv { quoted: true },
                scope: None,
            });
            i = j + 1;
            match line.get(i) {
                None => return true,
                Some(&c) if c == sep => i += 1,
                Some(_) => return false,
            }
        } else {
            let end = memchr::memchr(sep, &line[i..]).map_or(line.len(), |k| i + k);
            if line[i..end].contains(&b'"') {
                return false;
            }
            out.push(Field {
                key: 0..0,
                column,
                raw: i..end,
                kind: Kind::Csv { quoted: false },
                scope: None,
            });
            if end == line.len() {
                return true;
            }
            i = end + 1;
        }
        column += 1;
    }
}

/// Decodes a CSV field's raw content (`""` → `"` when quoted) with the map of
/// [`decode_json`].
pub(crate) fn decode_csv(raw: &[u8], quoted: bool, out: &mut Vec<u8>, map: &mut Vec<usize>) {
    out.clear();
    map.clear();
    let mut i = 0;
    while i < raw.len() {
        out.push(raw[i]);
        map.push(i);
        i += if quoted && raw[i] == b'"' { 2 } else { 1 };
    }
    map.push(raw.len());
}

/// The decoded offset of raw offset `raw` (the first decoded byte at or after it).
pub(crate) fn to_decoded(map: &[usize], raw: usize) -> usize {
    map.partition_point(|&r| r < raw)
}

/// A CSV header: column names, decoded.
#[derive(Clone, Debug, Default)]
pub(crate) struct CsvHeader {
    pub(crate) names: Vec<Vec<u8>>,
    pub(crate) sep: u8,
}

impl CsvHeader {
    /// Parses a header line; `None` when it is not a CSV line.
    pub(crate) fn parse(line: &[u8], sep: u8) -> Option<Self> {
        let mut fields = Vec::new();
        if !csv_fields(line, sep, &mut fields) {
            return None;
        }
        let (mut dec, mut map) = (Vec::new(), Vec::new());
        let names = fields
            .iter()
            .map(|f| {
                let quoted = matches!(f.kind, Kind::Csv { quoted: true });
                decode_csv(&line[f.raw.clone()], quoted, &mut dec, &mut map);
                dec.trim_ascii().to_vec()
            })
            .collect();
        Some(Self { names, sep })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(line: &str) -> Option<Vec<(String, String, Kind)>> {
        let mut f = Vec::new();
        if !json_fields(line.as_bytes(), &mut f) {
            return None;
        }
        Some(
            f.iter()
                .map(|f| {
                    (
                        line[f.key.clone()].to_owned(),
                        line[f.raw.clone()].to_owned(),
                        f.kind,
                    )
                })
                .collect(),
        )
    }

    #[test]
    fn json_values_with_their_keys() {
        let v = values(
            r#" {"a": "x", "n": -1.5e3, "o": {"b": [1, "y", {"c": "z"}], "t": true}, "e": [] } "#,
        )
        .unwrap();
        let got: Vec<_> = v.iter().map(|(k, v, _)| format!("{k}={v}")).collect();
        assert_eq!(got, ["a=x", "n=-1.5e3", "b=1", "b=y", "c=z"]);
        assert_eq!(v[1].2, Kind::JsonNumber);
        assert_eq!(values("{}").unwrap(), vec![]);
    }

    #[test]
    fn json_rejects_what_is_not_one_object() {
        for bad in [
            "{",
            "{\"a\":1,}",
            "{\"a\":1} x",
            "[1]",
            "{\"a\":01}",
            "{\"a\":\"\t\"}",
            "{\"a\":\"\\x\"}",
            "{\"a\" 1}",
            "{\"a\":[1,]}",
            "{\"a\":tru}",
            "{\"a\":1}{\"b\":2}",
            "{\"a\":\"unterminated}",
            "{'a':1}",
        ] {
            assert!(values(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn deep_nesting_needs_no_stack() {
        let n = 200_000;
        let line = format!("{{\"a\":{}1{}}}", "[".repeat(n), "]".repeat(n));
        assert_eq!(values(&line).unwrap().len(), 1);
    }

    #[test]
    fn json_decode_maps_back_to_raw_bytes() {
        let raw = br#"a\"b\u00e9\ud83d\ude00\n"#;
        let (mut out, mut map) = (Vec::new(), Vec::new());
        decode_json(raw, &mut out, &mut map);
        assert_eq!(String::from_utf8(out.clone()).unwrap(), "a\"bé😀\n");
        assert_eq!(map.len(), out.len() + 1);
        assert_eq!(map[1], 1); // the quote's escape starts at raw 1
        assert_eq!(map[3], 4); // é's escape starts at raw 4
        assert_eq!(*map.last().unwrap(), raw.len());
        assert_eq!(to_decoded(&map, 4), 3);
        let mut esc = Vec::new();
        escape_json(&out, &mut esc);
        assert_eq!(
            serde_json::from_slice::<String>(&[b"\"", &esc[..], b"\""].concat()).unwrap(),
            "a\"bé😀\n"
        );
    }

    #[test]
    fn csv_fields_and_quoting() {
        let line = br#"1,"Doe, Jane","say ""hi""",,x"#;
        let mut f = Vec::new();
        assert!(csv_fields(line, b',', &mut f));
        let raw: Vec<_> = f
            .iter()
            .map(|f| String::from_utf8_lossy(&line[f.raw.clone()]).into_owned())
            .collect();
        assert_eq!(raw, ["1", "Doe, Jane", "say \"\"hi\"\"", "", "x"]);
        assert_eq!(f[1].column, 1);
        let (mut dec, mut map) = (Vec::new(), Vec::new());
        decode_csv(&line[f[2].raw.clone()], true, &mut dec, &mut map);
        assert_eq!(dec, b"say \"hi\"");
        assert!(!csv_fields(br#"a,"open"#, b',', &mut f));
        assert!(!csv_fields(br#"a,b"c"#, b',', &mut f));
        let h = CsvHeader::parse(br#"id, "email" ,name"#, b',');
        assert!(
            h.is_none(),
            "a space before a quote is a quote inside a field"
        );
        let h = CsvHeader::parse(b"id,email,\"full name\"", b',').unwrap();
        assert_eq!(h.names[2], b"full name");
    }
}
