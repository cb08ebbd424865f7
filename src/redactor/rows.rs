//! A CSV/TSV row read under its header: each cell with its column's name as context. This
//! reading adds to the text scan of the same bytes (see [`super::readings`]).
//!
//! A row is read two ways when it is not one valid line:
//! - **strictly** (RFC 4180, as the `csv` crate reads it): a valid record, even one whose
//!   quoted fields hold newlines, is its fields;
//! - **each physical line leniently** ([`crate::record::csv::csv_cells_lenient`]): a line
//!   is cut into cells at its separators, a quote closing a field only where one can, and
//!   when that does not give the header's number of cells, at every separator as well. So a
//!   stray quote that the framing read as opening a field of many lines, a quote inside a
//!   field (`5" screen`), a blank before a quote, lines ended by a lone CR, or a ragged row
//!   all keep the column names over the values under them.
//!
//! The findings of every reading are kept (a wrong column name can only add a finding, and
//! only where a value validates under it).

use crate::record::csv::{CsvCursor, csv_cells_from, csv_cells_lenient, physical_lines};
use crate::record::{CsvHeader, Field, csv_fields};
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
        let mut fields = std::mem::take(&mut scratch.record.fields);
        let mut cells = std::mem::take(&mut scratch.record.cells);
        let strict = csv_fields(unit, header.sep, &mut fields);
        if strict {
            for f in &fields {
                self.scan_cell(scratch, unit, f, name(header, unit, f), out);
            }
        }
        let mut readings = usize::from(out.len() > first);
        if !strict || memchr::memchr2(b'\n', b'\r', unit).is_some() {
            let before = out.len();
            for (s, e) in physical_lines(unit) {
                let line = &unit[s..e];
                for naive in [false, true] {
                    csv_cells_lenient(line, header.sep, naive, &mut cells);
                    if naive && (header.names.is_empty() || cells.len() == header.names.len()) {
                        break;
                    }
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
                    if !naive && (header.names.is_empty() || cells.len() == header.names.len()) {
                        break;
                    }
                }
            }
            if out.len() > before {
                readings += 1;
            }
            // Each cell's findings are in order, but cells of two readings interleave.
            if out.len() - before > 1 {
                readings += 1;
            }
        }
        scratch.record.fields = fields;
        scratch.record.cells = cells;
        if readings > 1 {
            self.union(out, first);
        }
    }
}

impl Redactor {
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
