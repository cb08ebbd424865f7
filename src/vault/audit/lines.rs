//! Reading a log a line at a time, none held longer than [`MAX_RECORD`] bytes.

use std::io::{self, BufRead, Read};

use super::MAX_RECORD;

/// Reads a log's lines one at a time, as bytes (a line that is not UTF-8 is a malformed
/// record, not an I/O error), none held longer than [`MAX_RECORD`].
pub(super) struct Lines<R> {
    r: R,
    pub(super) buf: Vec<u8>,
    /// Offset of the next line's first byte.
    next: u64,
}

/// One line read by [`Lines`].
pub(super) struct Line {
    /// Offset of its first byte in the file.
    pub(super) start: u64,
    /// It ended with `\n` (a last line without one is a torn write).
    pub(super) complete: bool,
    /// It was longer than [`MAX_RECORD`] (`buf` holds its first bytes).
    pub(super) too_long: bool,
}

impl<R: BufRead> Lines<R> {
    pub(super) fn new(r: R) -> Self {
        Self {
            r,
            buf: Vec::new(),
            next: 0,
        }
    }

    /// The next line, its content in `self.buf` (without the `\n`); `None` at the end.
    pub(super) fn next_line(&mut self) -> io::Result<Option<Line>> {
        self.buf.clear();
        let start = self.next;
        let n = (&mut self.r)
            .take(MAX_RECORD as u64 + 1)
            .read_until(b'\n', &mut self.buf)?;
        if n == 0 {
            return Ok(None);
        }
        self.next += n as u64;
        let mut complete = self.buf.last() == Some(&b'\n');
        let too_long = !complete && n > MAX_RECORD;
        if too_long {
            // Skip the rest of the line, a buffer at a time.
            loop {
                let chunk = self.r.fill_buf()?;
                if chunk.is_empty() {
                    break;
                }
                match memchr::memchr(b'\n', chunk) {
                    Some(i) => {
                        self.r.consume(i + 1);
                        self.next += i as u64 + 1;
                        complete = true;
                        break;
                    }
                    None => {
                        let k = chunk.len();
                        self.r.consume(k);
                        self.next += k as u64;
                    }
                }
            }
        }
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
        }
        Ok(Some(Line {
            start,
            complete,
            too_long,
        }))
    }
}
