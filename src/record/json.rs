//! JSON syntax: where the string and number values of a line that is one JSON object are
//! (with the key each is under), where its keys are, how to decode a string with a map back
//! to its raw bytes, how to escape a rewritten one, and the integer digits a number written
//! with a fraction or an exponent stands for.

use std::ops::Range;

use super::{Field, Kind, Scope};

/// True when `line` may be a JSON object (a cheap check before [`json_fields`]).
pub(crate) fn looks_like_json_object(line: &[u8]) -> bool {
    let t = line.trim_ascii();
    t.len() >= 2 && t[0] == b'{' && t[t.len() - 1] == b'}'
}

/// Where a JSON object that ends a line of text starts (`… resource={"a":1}`): the first
/// `{` after `=`, `:` or a blank from which the rest of the line is one valid object; `None`
/// when there is none (or the line is itself an object, see [`looks_like_json_object`]).
/// Looks at no more than a few starts, so a line of braces costs little.
pub(crate) fn embedded_object(line: &[u8]) -> Option<usize> {
    let t = line.trim_ascii_end();
    if t.last() != Some(&b'}') || looks_like_json_object(line) {
        return None;
    }
    let mut fields = Vec::new();
    memchr::memchr_iter(b'{', t)
        .filter(|&i| i > 0 && matches!(t[i - 1], b'=' | b':' | b' ' | b'\t'))
        .take(4)
        .find(|&i| json_fields(&line[i..], &mut fields))
}

/// Splits a line that is exactly one JSON object into its string and number values (in
/// order), each with the key it is under (the array's key for array elements). Returns false,
/// leaving `out` unspecified, when the line is not one valid JSON object.
pub(crate) fn json_fields(line: &[u8], out: &mut Vec<Field>) -> bool {
    parse(line, out, None, None)
}

/// [`json_fields`], and the raw range of every key (between its quotes), in order: a key is
/// data too, and a rewrite must know where each string of the line is.
pub(crate) fn json_fields_and_keys(
    line: &[u8],
    out: &mut Vec<Field>,
    keys: &mut Vec<Range<usize>>,
) -> bool {
    keys.clear();
    parse(line, out, Some(keys), None)
}

/// [`json_fields`], and the byte range of every object (from its `{` to after its `}`),
/// ordered by start: what the fields of one object are.
pub(crate) fn json_fields_and_objects(
    line: &[u8],
    out: &mut Vec<Field>,
    objects: &mut Vec<Range<usize>>,
) -> bool {
    objects.clear();
    parse(line, out, None, Some(objects))
}

fn parse(
    line: &[u8],
    out: &mut Vec<Field>,
    mut keys: Option<&mut Vec<Range<usize>>>,
    mut objects: Option<&mut Vec<Range<usize>>>,
) -> bool {
    out.clear();
    let mut seen = |k: &Range<usize>| {
        if let Some(keys) = keys.as_mut() {
            keys.push(k.clone());
        }
    };
    let mut p = Parser { s: line, i: 0 };
    p.ws();
    if p.peek() != Some(b'{') {
        return false;
    }
    // The stack holds, per open container, whether it is an object and the key its values
    // belong to.
    let mut stack: Vec<(bool, Range<usize>)> = Vec::new();
    // The open objects: where each starts and the key it is under.
    let mut scopes: Vec<Scope> = Vec::new();
    let scope = |scopes: &[Scope]| (scopes.len() > 1).then(|| scopes[scopes.len() - 1].clone());
    let mut key: Range<usize> = 0..0;
    // The objects' ranges, by start; the open ones' indices.
    let mut open: Vec<usize> = Vec::new();
    // States: expecting a value; after a value (expecting , or close).
    let mut want_value = true;
    loop {
        p.ws();
        if want_value {
            let Some(c) = p.peek() else { return false };
            match c {
                b'{' => {
                    scopes.push(Scope {
                        start: p.i,
                        outer: key.clone(),
                    });
                    if let Some(o) = objects.as_mut() {
                        open.push(o.len());
                        o.push(p.i..p.i);
                    }
                    p.i += 1;
                    stack.push((true, key.clone()));
                    p.ws();
                    if p.peek() == Some(b'}') {
                        p.i += 1;
                        stack.pop();
                        scopes.pop();
                        close_object(&mut objects, &mut open, p.i);
                        want_value = false;
                    } else {
                        match p.key() {
                            Some(k) => {
                                seen(&k);
                                key = k;
                            }
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
                        scope: scope(&scopes),
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
                        scope: scope(&scopes),
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
                        Some(k) => {
                            seen(&k);
                            key = k;
                        }
                        None => return false,
                    }
                }
                want_value = true;
            }
            Some(b'}') if is_obj => {
                p.i += 1;
                scopes.pop();
                close_object(&mut objects, &mut open, p.i);
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

/// Ends the innermost open object's range at `end`.
fn close_object(objects: &mut Option<&mut Vec<Range<usize>>>, open: &mut Vec<usize>, end: usize) {
    if let (Some(o), Some(k)) = (objects.as_mut(), open.pop()) {
        o[k].end = end;
    }
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

/// The decimal digits of the integer a JSON number stands for, when it is written with a
/// fraction or an exponent (`536904399.0`, `5.36904399e8`, `4111111111111111.0`): systems
/// that hold every number as a float write identifiers so. `None` for a plain integer (its
/// raw bytes are its digits), a number that is not an integer, or one of more than
/// [`MAX_NUMBER_DIGITS`] digits. Read from the text, never through a float, so no digit is
/// lost. The sign is not part of the digits.
pub(crate) fn integer_digits(raw: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    let raw = raw.strip_prefix(b"-").unwrap_or(raw);
    let (mantissa, exp) = match raw.iter().position(|b| matches!(b, b'e' | b'E')) {
        Some(i) => (&raw[..i], &raw[i + 1..]),
        None => (raw, &b""[..]),
    };
    let (int, frac) = match mantissa.iter().position(|&b| b == b'.') {
        Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
        None => (mantissa, &b""[..]),
    };
    if frac.is_empty() && exp.is_empty() {
        return false;
    }
    let exp: i64 = match std::str::from_utf8(exp) {
        Ok("") => 0,
        Ok(e) => match e.strip_prefix('+').unwrap_or(e).parse() {
            Ok(v) => v,
            Err(_) => return false,
        },
        Err(_) => return false,
    };
    // The digits of int.frac shifted by exp places: digits[..point] is the integer part.
    let digits = || int.iter().chain(frac);
    let point = int.len() as i64 + exp;
    let total = (int.len() + frac.len()) as i64;
    if point <= 0 || point > MAX_NUMBER_DIGITS as i64 + total {
        return false;
    }
    // What lies after the point must be zeros.
    if digits().skip(point as usize).any(|&d| d != b'0') {
        return false;
    }
    out.extend(digits().take(point as usize));
    out.extend(std::iter::repeat_n(b'0', (point - total).max(0) as usize));
    let lead = out
        .iter()
        .take_while(|&&d| d == b'0')
        .count()
        .min(out.len() - 1);
    out.drain(..lead);
    if out.len() > MAX_NUMBER_DIGITS {
        out.clear();
        return false;
    }
    true
}

/// Most digits [`integer_digits`] gives (more than any identifier has).
pub(crate) const MAX_NUMBER_DIGITS: usize = 24;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::to_decoded;

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
    fn keys_are_regions_too() {
        let line = br#"{"a": 1, "jane@example.com": {"b": [true, null]}, "c": "x"}"#;
        let (mut f, mut k) = (Vec::new(), Vec::new());
        assert!(json_fields_and_keys(line, &mut f, &mut k));
        let keys: Vec<_> = k.iter().map(|r| &line[r.clone()]).collect();
        assert_eq!(keys, [&b"a"[..], b"jane@example.com", b"b", b"c"]);
    }

    #[test]
    fn an_object_at_the_end_of_a_line() {
        let line = br#"2026-03-04T10:11:12Z INFO fhir.ingest resource={"a":{"b":1}}"#;
        assert_eq!(embedded_object(line), Some(47));
        assert_eq!(embedded_object(br#"{"a":1}"#), None);
        assert_eq!(embedded_object(b"Foo{a=1}"), None);
        assert_eq!(embedded_object(br#"x={"a":1} y"#), None);
        assert_eq!(embedded_object(br#"x={not json} y={"a":1}"#), Some(15));
    }

    #[test]
    fn objects_are_ranges() {
        let line = br#"{"a": {"b": [{"c": 1}, {}]}, "d": 2}"#;
        let (mut f, mut o) = (Vec::new(), Vec::new());
        assert!(json_fields_and_objects(line, &mut f, &mut o));
        let got: Vec<&[u8]> = o.iter().map(|r| &line[r.clone()]).collect();
        assert_eq!(
            got,
            [
                &line[..],
                br#"{"b": [{"c": 1}, {}]}"#,
                br#"{"c": 1}"#,
                b"{}"
            ]
        );
    }

    #[test]
    fn integer_digits_of_numbers_written_as_floats() {
        let digits = |s: &str| {
            let mut out = Vec::new();
            integer_digits(s.as_bytes(), &mut out).then(|| String::from_utf8(out).unwrap())
        };
        assert_eq!(digits("536904399.0").as_deref(), Some("536904399"));
        assert_eq!(
            digits("4111111111111111.0").as_deref(),
            Some("4111111111111111")
        );
        assert_eq!(digits("5.36904399e8").as_deref(), Some("536904399"));
        assert_eq!(digits("5.36904399E+8").as_deref(), Some("536904399"));
        assert_eq!(
            digits("4.111111111111111e15").as_deref(),
            Some("4111111111111111")
        );
        assert_eq!(digits("-536904399.000").as_deref(), Some("536904399"));
        assert_eq!(digits("1e3").as_deref(), Some("1000"));
        assert_eq!(digits("0.0").as_deref(), Some("0"));
        // A 19-digit value beyond f64's exact range keeps every digit.
        assert_eq!(
            digits("6011000990139424001.0").as_deref(),
            Some("6011000990139424001")
        );
        for not in ["536904399", "5.5", "1e-3", "1e400", "0.5e1"] {
            assert_eq!(
                digits(not),
                if not == "0.5e1" {
                    Some("5".into())
                } else {
                    None
                },
                "{not}"
            );
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
}
