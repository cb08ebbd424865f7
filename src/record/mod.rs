//! Structured records: a line that is a JSON object, or a CSV row under a header, is split
//! into fields so each value can be scanned with its field name as context and rewritten in
//! a way that keeps the record valid.
//!
//! This module only knows syntax: where each value's (and key's) bytes are, how to decode
//! them (JSON escapes, CSV's doubled quotes) with a map back to the raw bytes, and how to
//! encode a rewritten value. [`crate::Redactor`] decides what to scan and what to write; a
//! record read this way only adds to what its bytes read as text hold.
//!
//! - [`json`]: the whole line must be one valid object (RFC 8259; iterative, so depth costs
//!   no stack). A string is decoded, rewritten, re-escaped; a number that is rewritten
//!   becomes a string; a key is a string too.
//! - [`csv`]: RFC 4180 fields on one line, and the lenient reading of a line that is not
//!   one (a stray quote, a ragged row, a space before a quote): the first says where a valid
//!   row's fields are, the second which column each part of any line would be under.

pub(crate) mod csv;
pub(crate) mod json;

use std::ops::Range;

pub(crate) use csv::{CsvHeader, csv_fields, decode_csv};
pub(crate) use json::{decode_json, escape_json, json_fields, looks_like_json_object};

/// What kind of value a field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A JSON string (raw range excludes the quotes).
    JsonString,
    /// A JSON number.
    JsonNumber,
    /// A JSON object key (raw range excludes the quotes).
    JsonKey,
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

/// How one unit is read: as text, as text or a JSON object, as a row under a header, or as
/// a chunk of a row too long to hold whole, which starts where the cursor says.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Structure<'h> {
    Text,
    Auto,
    Row(&'h CsvHeader),
    RowFrom(&'h CsvHeader, csv::CsvCursor),
}

/// The decoded offset of raw offset `raw` (the first decoded byte at or after it).
pub(crate) fn to_decoded(map: &[usize], raw: usize) -> usize {
    map.partition_point(|&r| r < raw)
}
