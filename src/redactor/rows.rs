//! A CSV/TSV row read under its header: each cell with its column's name as context. This
//! reading adds to the text scan of the same bytes (see [`super::readings`]).
//!
//! A row is read two ways when it is not one valid line:
//! - **strictly** (RFC 4180, as the `csv` crate reads it): a valid record, even one whose
//!   quoted fields hold newlines, is its fields;
//! - **each physical line leniently** ([`crate::record::csv::csv_cells_lenient`]): a line
//!   is cut into cells at its separators, a quote closing a field only where one can, and
//!   also at every separator (a ragged row can give the header's count of cells with its
//!   columns shifted, so no count decides which reading is right). So a
//!   stray quote that the framing read as opening a field of many lines, a quote inside a
//!   field (`5" screen`), a blank before a quote, lines ended by a lone CR, or a ragged row
//!   all keep the column names over the values under them.
//!
//! The findings of every reading are kept (a wrong column name can only add a finding, and
//! only where a value validates under it).

use crate::record::csv::{CsvCursor, csv_cells_from, csv_cells_lenient, physical_lines, records};
use crate::record::{CsvHeader, Field, Structure, csv_fields};
use crate::span::Finding;

use super::{Redactor, Scratch};

impl Redactor {
    /// Reads `unit` as a row under `header` (see the module docs); findings in `unit`'s
    /// offsets, appended to `out`, in order and disjoint.
    pub(super) fn scan_row(
        &self,
        scratch: &mut Scratch,
        unit: &[u8],
        header: &CsvHeader,
        out: &mut Vec<Finding>,
    ) {
        let first = out.len();
        let mut parsed = std::mem::take(&mut scratch.record.fields);
        let mut fields = std::mem::take(&mut scratch.record.strict);
        let mut cells = std::mem::take(&mut scratch.record.cells);
        fields.clear();
        // Strictly: the unit's records (one, or several ended by lone CRs), each valid.
        let mut strict = true;
        for (s, e) in records(unit, header.sep) {
            if !csv_fields(&unit[s..e], header.sep, &mut parsed) {
                strict = false;
                continue;
            }
            for mut f in parsed.drain(..) {
                f.raw = f.raw.start + s..f.raw.end + s;
                self.scan_cell(scratch, unit, &f, name(header, unit, &f), out);
                fields.push(f);
            }
        }
        let before = out.len();
        if !strict || memchr::memchr2(b'\n', b'\r', unit).is_some() {
            for (s, e) in physical_lines(unit) {
                let line = &unit[s..e];
                for naive in [false, true] {
                    csv_cells_lenient(line, header.sep, naive, &mut cells);
                    for c in &mut cells {
                        c.raw = c.raw.start + s..c.raw.end + s;
                    }
                    for c in &cells {
                        // What the strict reading scanned already is not scanned again.
                        if strict
                            && fields
                                .iter()
                                .any(|f| f.raw == c.raw && f.column == c.column)
                        {
                            continue;
                        }
                        self.scan_cell(scratch, unit, c, name(header, unit, c), out);
                    }
                }
            }
        }
        scratch.record.cells = cells;
        scratch.record.fields = parsed;
        scratch.record.strict = fields;
        // Each reading's findings are in order; two readings' interleave and may overlap.
        if out.len() > before && out.len() - first > 1 {
            self.union(out, first);
        }
    }
}

impl Redactor {
    /// Redacts one record given as column names and values, exactly as `velum redact
    /// --format csv` redacts that row under a header of those names: every value with its
    /// column's name as context, the row's text as the floor. For callers that hold rows
    /// already split (a DataFrame, a database cursor). A number is given as its text
    /// (`536904399.0` reads as the digits it stands for).
    ///
    /// # Example
    /// ```
    /// let r = velum::Redactor::new();
    /// let row = r.redact_row(&["id", "ssn", "note"], &["7", "536904399", "ok, fine"]);
    /// assert_eq!(row, ["7", "*****4399", "ok, fine"]);
    /// // Without the column's name, nine digits are not an SSN.
    /// assert_eq!(r.redact_row(&["id", "x"], &["7", "536904399"])[1], "536904399");
    /// ```
    pub fn redact_row<S: AsRef<str>>(&self, names: &[S], values: &[S]) -> Vec<String> {
        let header = CsvHeader {
            names: names
                .iter()
                .map(|n| n.as_ref().trim().as_bytes().to_vec())
                .collect(),
            sep: b',',
        };
        let mut line = Vec::new();
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                line.push(b',');
            }
            write_cell(v.as_ref().as_bytes(), &mut line);
        }
        let mut scratch = self.pool.get();
        let mut found = Vec::new();
        let how = Structure::Row(&header);
        self.scan_structured(&mut scratch, &line, how, &mut found);
        let out = self.rewrite_structured(&line, how, &found);
        let mut fields = Vec::new();
        let (mut dec, mut map) = (Vec::new(), Vec::new());
        if !csv_fields(&out, b',', &mut fields) || fields.len() != values.len() {
            // Not one cell per value any more: each value is redacted under its name on its
            // own (one value is its whole line).
            if values.len() == 1 {
                return vec![String::from_utf8_lossy(&out).into_owned()];
            }
            return values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let n = names.get(i).map_or("", AsRef::as_ref);
                    self.redact_row(&[n], &[v.as_ref()]).remove(0)
                })
                .collect();
        }
        fields
            .iter()
            .map(|f| {
                let quoted = matches!(f.kind, crate::record::Kind::Csv { quoted: true });
                crate::record::decode_csv(&out[f.raw.clone()], quoted, &mut dec, &mut map);
                String::from_utf8_lossy(&dec).into_owned()
            })
            .collect()
    }

    /// Reads `unit`, a chunk of a row too long to hold whole that starts where `at` says,
    /// cell by cell under the header's names: quote-aware and naively (see
    /// [`CsvCursor`]). Findings appended to `out`, in order and disjoint.
    pub(super) fn scan_row_from(
        &self,
        scratch: &mut Scratch,
        unit: &[u8],
        header: &CsvHeader,
        at: CsvCursor,
        out: &mut Vec<Finding>,
    ) {
        let first = out.len();
        let mut cells = std::mem::take(&mut scratch.record.cells);
        for naive in [false, true] {
            csv_cells_from(unit, header.sep, at, naive, &mut cells);
            for c in &cells {
                self.scan_cell(scratch, unit, c, name(header, unit, c), out);
            }
        }
        scratch.record.cells = cells;
        if out.len() - first > 1 {
            self.union(out, first);
        }
    }
}

/// Appends a value as one CSV cell: quoted when it holds a separator, a quote, a line break
/// or blanks at either end.
fn write_cell(v: &[u8], out: &mut Vec<u8>) {
    let quote = v.iter().any(|&b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
        || v.first().is_some_and(u8::is_ascii_whitespace)
        || v.last().is_some_and(u8::is_ascii_whitespace);
    if !quote {
        out.extend_from_slice(v);
        return;
    }
    out.push(b'"');
    for &b in v {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// The name of the column a cell is under: empty past the header's last column, and for a
/// cell that is the name itself (the header row, or a header repeated in concatenated
/// files), which is no value of the column.
fn name<'h>(header: &'h CsvHeader, unit: &[u8], f: &Field) -> &'h [u8] {
    let name = header.names.get(f.column).map_or(&[][..], Vec::as_slice);
    if unit[f.raw.clone()].trim_ascii().eq_ignore_ascii_case(name) {
        return &[];
    }
    name
}

#[cfg(test)]
mod tests {
    use crate::{Format, Redactor};

    fn csv(input: &str) -> String {
        let mut out = Vec::new();
        Redactor::new()
            .redact_stream_as(input.as_bytes(), &mut out, Format::Csv)
            .unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Issue 21: one stray quote took the column names away from every later row.
    #[test]
    fn a_stray_quote_keeps_the_columns_of_the_rows_after_it() {
        let mut input = "id,note,ssn\n1,\"typed by user,536904399\n".to_owned();
        for i in 10..60 {
            input.push_str(&format!("{i},plain,5369043{i}\n"));
        }
        let out = csv(&input);
        assert!(!out.contains("5369043"), "{out}");
        assert_eq!(out.lines().count(), input.lines().count());
        // A second stray quote closes the first: the lines between are one quoted field to
        // a CSV reader, and still rows to this one.
        let input = "id,note,ssn\n1,\"x,536904399\n2,plain,536904310\n3,y\",536904311\n";
        let out = csv(input);
        assert!(!out.contains("5369043"), "{out}");
    }

    /// A row given as values is redacted as the CLI redacts it as a line of CSV.
    #[test]
    fn a_row_of_values_is_the_cli_row() {
        let r = Redactor::new();
        let names = [
            "first_name",
            "last_name",
            "ssn",
            "note",
            "account_number",
            "nhs_number",
        ];
        let values = [
            "Jane",
            "Smith",
            "536904399.0",
            "said \"hi\",\nthen left",
            "0001234567",
            "943 476 5919",
        ];
        let got = r.redact_row(&names, &values);
        let mut line = String::new();
        for (i, v) in values.iter().enumerate() {
            line.push_str(if i > 0 { "," } else { "" });
            line.push('"');
            line.push_str(&v.replace('"', "\"\""));
            line.push('"');
        }
        let out = csv(&format!("{}\n{line}\n", names.join(",")));
        let mut rd = ::csv::ReaderBuilder::new().from_reader(out.as_bytes());
        let rec = rd.records().next().unwrap().unwrap();
        let cli: Vec<&str> = rec.iter().collect();
        assert_eq!(got, cli);
        assert_eq!(got[0], "[PERSON]");
        assert_eq!(got[2], "*****4399");
        assert_eq!(got[3], values[3]);
        assert_eq!(got[5], "[UK_NHS]");
    }

    #[test]
    fn rows_the_row_parser_refuses_keep_their_columns() {
        for row in [
            "1,5\" screen,536904399",
            "1, \"Doe, Jane\" ,536904399",
            "1,\"a\"b,536904399",
            "1,x,536904399,extra,cells",
        ] {
            let out = csv(&format!("id,note,ssn\n{row}\n"));
            assert!(!out.contains("536904399"), "{row}: {out}");
        }
        // Lines ended by a lone CR, the header's too.
        let out = csv("id,note,ssn\r1,x,536904399\r2,y,536904310\r");
        assert!(!out.contains("5369043"), "{out}");
    }
}
