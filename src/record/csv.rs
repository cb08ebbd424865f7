//! CSV/TSV syntax: the fields of a row (RFC 4180), their decoding, and the header whose
//! column names are context for the fields under them.

use super::{Field, Kind};

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

/// The lenient reading of one line as a row: where each field would be, whatever the line
/// holds. Quote-aware (`naive` false): a field whose first byte (after blanks) is `"` is
/// quoted when a closing quote followed by the separator (or the end of the line, blanks
/// allowed) is on the line; otherwise the quote is a byte of the field, which ends at the
/// next separator. `naive`: every separator ends a field. A line that is a valid row reads
/// as [`csv_fields`] reads it.
pub(crate) fn csv_cells_lenient(line: &[u8], sep: u8, naive: bool, out: &mut Vec<Field>) {
    out.clear();
    let blank = |b: u8| b == b' ' || (b == b'\t' && sep != b'\t');
    let mut i = 0;
    for column in 0.. {
        let lead = line[i..].iter().take_while(|&&b| blank(b)).count();
        let q = i + lead;
        let mut done = None;
        if !naive && line.get(q) == Some(&b'"') {
            let mut j = q + 1;
            while let Some(k) = memchr::memchr(b'"', &line[j..]) {
                let close = j + k;
                if line.get(close + 1) == Some(&b'"') {
                    j = close + 2;
                    continue;
                }
                let after = close + 1 + line[close + 1..].iter().take_while(|&&b| blank(b)).count();
                if after == line.len() || line[after] == sep {
                    done = Some((q + 1..close, after));
                    break;
                }
                j = close + 1;
            }
        }
        let (raw, quoted, end) = match done {
            Some((raw, end)) => (raw, true, end),
            None => {
                let end = memchr::memchr(sep, &line[i..]).map_or(line.len(), |k| i + k);
                (i..end, false, end)
            }
        };
        out.push(Field {
            key: 0..0,
            column,
            raw,
            kind: Kind::Csv { quoted },
            scope: None,
        });
        if end >= line.len() {
            break;
        }
        i = end + 1;
    }
}

/// Where a byte of a long row is (for a row scanned in chunks): the column it is under, read
/// two ways — quote-aware, as [`csv_cells_lenient`] reads a row (which a stray quote can
/// hold "inside a quoted field" to the end of the line), and naively, every separator
/// ending a field — so the chunks of a row too long to hold whole keep their column names.
/// A lone `\r` ends a row (lines ended so are rows).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct CsvCursor {
    /// The quote-aware column and state.
    pub(crate) column: usize,
    pub(crate) state: CsvState,
    /// The column counting every separator.
    pub(crate) naive: usize,
}

/// Where a quote-aware reader is within a field.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum CsvState {
    /// At the start of a field.
    #[default]
    Start,
    /// In a field that did not start with a quote.
    Unquoted,
    /// In a quoted field.
    Quoted,
    /// In a quoted field, just after a quote (the end of the field, or the first of `""`).
    QuoteInQuoted,
}

impl CsvCursor {
    /// Moves the cursor over `bytes` (a part of one line, separated by `sep`).
    pub(crate) fn advance(&mut self, bytes: &[u8], sep: u8) {
        for &b in bytes {
            if b == sep || b == b'\r' {
                self.naive = if b == sep { self.naive + 1 } else { 0 };
            }
            self.state = match (self.state, b) {
                (CsvState::Quoted, b'"') => CsvState::QuoteInQuoted,
                (CsvState::Quoted, _) => CsvState::Quoted,
                (CsvState::Start, b'"') | (CsvState::QuoteInQuoted, b'"') => CsvState::Quoted,
                (_, b'\r') => {
                    self.column = 0;
                    CsvState::Start
                }
                (_, x) if x == sep => {
                    self.column += 1;
                    CsvState::Start
                }
                _ => CsvState::Unquoted,
            };
        }
    }
}

/// The cells of `line`, a part of a row that starts where `at` says: the quote-aware reading
/// (`naive` false: the field `at` is in runs to its end as its state says, then
/// [`csv_cells_lenient`]) or the naive one (every separator ends a field). Columns count
/// from `at`'s; a lone `\r` starts a new row at column 0.
pub(crate) fn csv_cells_from(
    line: &[u8],
    sep: u8,
    at: CsvCursor,
    naive: bool,
    out: &mut Vec<Field>,
) {
    out.clear();
    let mut cells = Vec::new();
    let mut first_line = true;
    for (s, e) in physical_lines(line) {
        let part = &line[s..e];
        let (base, skip) = if !first_line {
            (0, 0)
        } else if naive {
            (at.naive, 0)
        } else {
            // The rest of the field the part starts in.
            let end = match at.state {
                CsvState::Start => 0,
                CsvState::Unquoted | CsvState::QuoteInQuoted => {
                    memchr::memchr(sep, part).unwrap_or(part.len())
                }
                CsvState::Quoted => {
                    let mut j = 0;
                    loop {
                        match memchr::memchr(b'"', &part[j..]) {
                            Some(k) if part.get(j + k + 1) == Some(&b'"') => j += k + 2,
                            Some(k) => {
                                j += k + 1;
                                break memchr::memchr(sep, &part[j..])
                                    .map_or(part.len(), |m| j + m);
                            }
                            None => break part.len(),
                        }
                    }
                }
            };
            if at.state != CsvState::Start {
                out.push(Field {
                    key: 0..0,
                    column: at.column,
                    raw: s..s + end,
                    kind: Kind::Csv { quoted: false },
                    scope: None,
                });
                if end == part.len() {
                    first_line = false;
                    continue;
                }
                (at.column + 1, end + 1)
            } else {
                (at.column, 0)
            }
        };
        first_line = false;
        csv_cells_lenient(&part[skip..], sep, naive, &mut cells);
        out.extend(cells.drain(..).map(|mut c| {
            c.column += base;
            c.raw = c.raw.start + s + skip..c.raw.end + s + skip;
            c
        }));
    }
}

/// The records of a unit as `(start, end)` (without terminators): each ends at a `\n`
/// (`\r\n`) or a lone `\r` outside a quoted field, a quote closing a field only before a
/// separator or a line end (else the quote that opened it was a byte of the field).
pub(crate) fn records(unit: &[u8], sep: u8) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let mut field_start = true;
    while i < unit.len() {
        let b = unit[i];
        if field_start && b == b'"' {
            // A quoted field: to its closing quote, if it has one that closes.
            let mut j = i + 1;
            let close = loop {
                match memchr::memchr(b'"', &unit[j..]) {
                    Some(k) if unit.get(j + k + 1) == Some(&b'"') => j += k + 2,
                    Some(k) => {
                        let after = unit.get(j + k + 1).copied();
                        if after.is_none_or(|a| a == sep || a == b'\n' || a == b'\r') {
                            break Some(j + k + 1);
                        }
                        break None;
                    }
                    None => break None,
                }
            };
            field_start = false;
            i = close.unwrap_or(i + 1);
            continue;
        }
        field_start = false;
        if b == sep {
            field_start = true;
        } else if b == b'\n' || b == b'\r' {
            let end = i;
            i += if b == b'\r' && unit.get(i + 1) == Some(&b'\n') {
                2
            } else {
                1
            };
            out.push((start, end));
            start = i;
            field_start = true;
            continue;
        }
        i += 1;
    }
    out.push((start, unit.len()));
    out
}

/// The physical lines of a unit as `(start, end)` (without terminators): lines end at `\n`
/// (a `\r` before it is not content) and at a `\r` on its own, as old Mac files end them.
pub(crate) fn physical_lines(unit: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        if at > unit.len() || (at == unit.len() && at > 0) {
            return None;
        }
        let start = at;
        match memchr::memchr2(b'\n', b'\r', &unit[at..]) {
            None => {
                at = unit.len() + 1;
                Some((start, unit.len()))
            }
            Some(k) => {
                let e = at + k;
                at = if unit[e] == b'\r' && unit.get(e + 1) == Some(&b'\n') {
                    e + 2
                } else {
                    e + 1
                };
                Some((start, e))
            }
        }
    })
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

/// A CSV header: column names, decoded.
#[derive(Clone, Debug, Default)]
pub(crate) struct CsvHeader {
    pub(crate) names: Vec<Vec<u8>>,
    pub(crate) sep: u8,
}

impl CsvHeader {
    /// Parses a header: its first physical line, read as a row (leniently when it is not a
    /// valid one: `id, "email" ,name` still names three columns); names are decoded and
    /// trimmed. `None` when the line has no separator and no name.
    pub(crate) fn parse(line: &[u8], sep: u8) -> Option<Self> {
        let line = physical_lines(line)
            .next()
            .map_or(line, |(s, e)| &line[s..e]);
        let mut fields = Vec::new();
        if !csv_fields(line, sep, &mut fields) {
            csv_cells_lenient(line, sep, false, &mut fields);
        }
        let (mut dec, mut map) = (Vec::new(), Vec::new());
        let names: Vec<Vec<u8>> = fields
            .iter()
            .map(|f| {
                let quoted = matches!(f.kind, Kind::Csv { quoted: true });
                decode_csv(&line[f.raw.clone()], quoted, &mut dec, &mut map);
                let t = dec.trim_ascii();
                let t = t.strip_prefix(b"\"").unwrap_or(t);
                let t = t.strip_suffix(b"\"").unwrap_or(t);
                t.trim_ascii().to_vec()
            })
            .collect();
        if names.iter().all(Vec::is_empty) {
            return None;
        }
        Some(Self { names, sep })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        // Not a valid row, but still the names of three columns.
        let h = CsvHeader::parse(br#"id, "email" ,name"#, b',').unwrap();
        assert_eq!(h.names, [&b"id"[..], b"email", b"name"]);
        let h = CsvHeader::parse(b"id,ssn\r1,536904399\r", b',').unwrap();
        assert_eq!(h.names, [&b"id"[..], b"ssn"]);
        let h = CsvHeader::parse(b"id,email,\"full name\"", b',').unwrap();
        assert_eq!(h.names[2], b"full name");
    }

    fn lenient(line: &str, naive: bool) -> Vec<(usize, String, bool)> {
        let mut f = Vec::new();
        csv_cells_lenient(line.as_bytes(), b',', naive, &mut f);
        f.iter()
            .map(|f| {
                (
                    f.column,
                    line[f.raw.clone()].to_owned(),
                    matches!(f.kind, Kind::Csv { quoted: true }),
                )
            })
            .collect()
    }

    #[test]
    fn any_line_reads_as_a_row() {
        let cells = |v: Vec<(usize, String, bool)>| -> Vec<String> {
            v.into_iter().map(|(_, s, _)| s).collect()
        };
        // A valid row reads as csv_fields reads it.
        assert_eq!(
            cells(lenient(r#"1,"Doe, Jane","say ""hi""",,x"#, false)),
            ["1", "Doe, Jane", "say \"\"hi\"\"", "", "x"]
        );
        // A quote that never closes is a byte of its field.
        assert_eq!(
            cells(lenient(r#"1,"typed by user,536904399"#, false)),
            ["1", "\"typed by user", "536904399"]
        );
        assert_eq!(
            cells(lenient(r#"1,5" screen,536904399,x"#, false)),
            ["1", "5\" screen", "536904399", "x"]
        );
        // A space before a quote.
        let v = lenient(r#"1, "Doe, Jane" ,536904399"#, false);
        assert_eq!(v[1], (1, "Doe, Jane".to_owned(), true));
        assert_eq!(v[2].1, "536904399");
        // A closing quote not followed by a separator closes nothing.
        assert_eq!(
            cells(lenient(r#"1,"a"b,536904399"#, false)),
            ["1", "\"a\"b", "536904399"]
        );
        assert_eq!(
            cells(lenient(r#"1,"Doe, Jane",536904399"#, true)),
            ["1", "\"Doe", " Jane\"", "536904399"]
        );
        assert_eq!(cells(lenient("", false)), [""]);
        assert_eq!(cells(lenient("a,", false)), ["a", ""]);
    }

    #[test]
    fn a_cursor_knows_the_column_of_any_byte() {
        let line = b"1,\"a,b\",x,\"c\"\"d\",y\r2,z";
        let mut c = CsvCursor::default();
        let mut cols = Vec::new();
        for b in line.iter() {
            c.advance(std::slice::from_ref(b), b',');
            cols.push((c.column, c.naive));
        }
        // After `x,`: quote-aware column 3, naive 4.
        let at = line.iter().position(|&b| b == b'x').unwrap();
        assert_eq!(cols[at + 1], (3, 4));
        assert_eq!(*cols.last().unwrap(), (1, 1));
        // A chunk that starts inside a quoted field.
        let at = CsvCursor {
            column: 1,
            state: CsvState::Quoted,
            naive: 1,
        };
        let mut f = Vec::new();
        csv_cells_from(b"b\",536904399,q\r1,2", b',', at, false, &mut f);
        let got: Vec<_> = f.iter().map(|f| (f.column, f.raw.clone())).collect();
        assert_eq!(
            got,
            [(1, 0..2), (2, 3..12), (3, 13..14), (0, 15..16), (1, 17..18)]
        );
        csv_cells_from(b"b\",536904399", b',', at, true, &mut f);
        assert_eq!(f[1].column, 2);
    }

    #[test]
    fn records_end_outside_quotes_at_lf_and_lone_cr() {
        let unit = "1,\"a\nb\",x\r2,\"c\rd\",y\r\n3,\"typed\n4,z";
        let got: Vec<&str> = records(unit.as_bytes(), b',')
            .into_iter()
            .map(|(s, e)| &unit[s..e])
            .collect();
        assert_eq!(got, ["1,\"a\nb\",x", "2,\"c\rd\",y", "3,\"typed", "4,z"]);
    }

    #[test]
    fn physical_lines_end_at_lf_crlf_and_lone_cr() {
        fn lines(s: &str) -> Vec<&str> {
            physical_lines(s.as_bytes())
                .map(|(a, b)| &s[a..b])
                .collect()
        }
        assert_eq!(lines("a\nb\r\nc\rd"), ["a", "b", "c", "d"]);
        assert_eq!(lines("a\n"), ["a"]);
        assert_eq!(lines(""), [""]);
        assert_eq!(lines("\r\r"), ["", ""]);
    }
}
