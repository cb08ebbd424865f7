//! Where a unit ends: at the next `\n` for lines; for CSV/TSV records, at the next `\n`
//! outside a quoted field (RFC 4180: a field that starts with `"` runs to the `"` not
//! followed by another, and may hold newlines), so a record is all its physical lines.
//!
//! A quote that is never closed would make the rest of the input one record. A record is
//! therefore looked for only within `limit` bytes; past that, the framing reads the lines
//! inside that window as lines of text (see [`Units::end`]), which keeps the work linear
//! and nothing in them goes unscanned.

/// How the stream is cut into units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Units {
    /// A unit is a line.
    Lines,
    /// A unit is a record of a delimited format with this separator.
    Records(u8),
}

/// Where the unit that starts at the beginning of a buffer ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum End {
    /// At the `\n` at this offset.
    At(usize),
    /// Not within the bytes given (or too soon to tell): wait for more.
    Open,
    /// A record ran over the limit without ending: read up to and including the `\n` at
    /// this offset as lines of text.
    Broken(usize),
}

impl Units {
    /// The end of the unit that starts at `buf[0]`, looking at no more than `limit` bytes.
    ///
    /// # Example (crate-internal)
    /// `Units::Records(b',').end(b"1,\"a\nb\",2\n3", 1 << 20)` is `End::At(9)`.
    pub(crate) fn end(self, buf: &[u8], limit: usize) -> End {
        match self {
            Self::Lines => memchr::memchr(b'\n', buf).map_or(End::Open, End::At),
            Self::Records(sep) => {
                let window = &buf[..buf.len().min(limit)];
                match record_end(window, sep, false) {
                    Some(i) => End::At(i),
                    None if window.len() < limit => End::Open,
                    // Too long to be one record: its lines are lines, up to the last newline
                    // seen (a window without one is a long line, chunked as any other).
                    None => memchr::memrchr(b'\n', window).map_or(End::Open, End::Broken),
                }
            }
        }
    }

    /// True when `rest`, the last bytes of the input, is one whole unit: a line, or a record
    /// whose quotes are all closed.
    pub(crate) fn whole_at_eof(self, rest: &[u8]) -> bool {
        match self {
            Self::Lines => !rest.contains(&b'\n'),
            Self::Records(sep) => record_end(rest, sep, true) == Some(rest.len()),
        }
    }
}

/// The offset of the `\n` that ends the record starting at `buf[0]`, if `buf` holds it; at
/// the end of input (`eof`), the end of `buf` ends a record whose quotes are closed.
fn record_end(buf: &[u8], sep: u8, eof: bool) -> Option<usize> {
    let mut i = 0;
    loop {
        if buf.get(i) == Some(&b'"') {
            // A quoted field: to the quote that is not an escaped `""`. A quote closes a
            // field only before a separator or a line end; the first that does not was never
            // closing one, and the quote that opened the field is a byte of it (a stray
            // quote must not swallow the rows after it).
            let open = i;
            i += 1;
            loop {
                i += memchr::memchr(b'"', &buf[i..])? + 1;
                match buf.get(i) {
                    Some(b'"') => i += 1,
                    Some(&b) if b == sep || b == b'\n' || b == b'\r' => break,
                    Some(_) => {
                        i = open + 1;
                        break;
                    }
                    // The quote is the last byte: it may yet be the first of `""`.
                    None => return eof.then_some(i),
                }
            }
        }
        // The rest of the field (after a closing quote, bytes up to the separator belong to
        // it, as a lenient reader takes them).
        match memchr::memchr2(sep, b'\n', &buf[i..]) {
            Some(k) => i += k,
            None => return eof.then_some(buf.len()),
        }
        if buf[i] == b'\n' {
            return Some(i);
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: Units = Units::Records(b',');

    #[test]
    fn lines_end_at_every_newline() {
        assert_eq!(Units::Lines.end(b"a,\"b\nc\"\n", 100), End::At(4));
        assert_eq!(Units::Lines.end(b"abc", 100), End::Open);
    }

    #[test]
    fn a_quoted_newline_is_inside_the_record() {
        assert_eq!(
            CSV.end(b"1,\"hello\nworld\",536904399\n2", 100),
            End::At(25)
        );
        assert_eq!(CSV.end(b"\"a\"\"\nb\",c\n", 100), End::At(9));
        assert_eq!(CSV.end(b"\"\"\n", 100), End::At(2));
        assert_eq!(CSV.end(b"a,b\r\nc", 100), End::At(4));
        // A quote inside an unquoted field is a byte of it.
        assert_eq!(CSV.end(b"5\" screen,x\ny", 100), End::At(11));
        // A quote followed by neither a separator nor a line end closes nothing: the quote
        // that opened the field was a byte of it (a stray quote swallows no rows).
        assert_eq!(CSV.end(b"\"a\"b\n", 100), End::At(4));
        assert_eq!(CSV.end(b"1,\"typed\n2,\"x\ny\",3\n", 100), End::At(8));
        assert_eq!(
            Units::Records(b'\t').end(b"\"a\tb\nc\"\td\ne", 100),
            End::At(9)
        );
    }

    #[test]
    fn an_open_record_waits_and_a_broken_one_is_lines() {
        assert_eq!(CSV.end(b"1,\"hello\nwor", 100), End::Open);
        // A closing quote as the last byte may be the first of "".
        assert_eq!(CSV.end(b"1,\"a\"", 100), End::Open);
        let mut long = b"1,\"never closed\n".to_vec();
        long.extend(std::iter::repeat_n(b"more text\n", 20).flatten());
        assert_eq!(CSV.end(&long, 64), End::Broken(55));
        assert_eq!(CSV.end(&[b'x'; 100], 64), End::Open);
        assert_eq!(CSV.end(b"\"xxxxxxxxxxxxxxxx", 8), End::Open);
    }

    #[test]
    fn the_last_record_may_end_without_a_newline() {
        assert!(CSV.whole_at_eof(b"2,\"a\nb\",c"));
        assert!(CSV.whole_at_eof(b"2,\"a\nb\""));
        assert!(CSV.whole_at_eof(b""));
        assert!(!CSV.whole_at_eof(b"2,\"a\nb"));
        assert!(Units::Lines.whole_at_eof(b"2,\"a"));
        assert!(!Units::Lines.whole_at_eof(b"a\nb"));
    }
}
