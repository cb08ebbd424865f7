//! UTF-16 and UTF-32 text, read as UTF-8 and written back as it came.
//!
//! [`WideReader`] decodes code units into UTF-8 for the scanner; [`WideWriter`] encodes the
//! rewritten text back into the same encoding. A lone surrogate (which UTF-16 text does
//! hold: a file cut in the middle of a pair, a Windows file name) is carried as WTF-8, the
//! three bytes of its code point, so every code unit round-trips exactly and the bytes outside
//! a finding come back unchanged. Input that is not whole code units — an odd byte at the end
//! of UTF-16, a UTF-32 value past U+10FFFF — is an error naming where it is.

use std::io::{self, Read, Write};

/// A wide encoding: its code unit size and byte order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wide {
    /// UTF-16, little-endian.
    Utf16Le,
    /// UTF-16, big-endian.
    Utf16Be,
    /// UTF-32, little-endian.
    Utf32Le,
    /// UTF-32, big-endian.
    Utf32Be,
}

impl Wide {
    /// Bytes per code unit.
    fn unit(self) -> usize {
        match self {
            Self::Utf16Le | Self::Utf16Be => 2,
            Self::Utf32Le | Self::Utf32Be => 4,
        }
    }

    /// The byte-order mark of the encoding.
    pub(crate) fn bom(self) -> &'static [u8] {
        match self {
            Self::Utf16Le => &[0xFF, 0xFE],
            Self::Utf16Be => &[0xFE, 0xFF],
            Self::Utf32Le => &[0xFF, 0xFE, 0, 0],
            Self::Utf32Be => &[0, 0, 0xFE, 0xFF],
        }
    }

    /// Its name, as `iconv` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Utf16Le => "UTF-16LE",
            Self::Utf16Be => "UTF-16BE",
            Self::Utf32Le => "UTF-32LE",
            Self::Utf32Be => "UTF-32BE",
        }
    }

    fn read_unit(self, b: &[u8]) -> u32 {
        match self {
            Self::Utf16Le => u32::from(u16::from_le_bytes([b[0], b[1]])),
            Self::Utf16Be => u32::from(u16::from_be_bytes([b[0], b[1]])),
            Self::Utf32Le => u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            Self::Utf32Be => u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
        }
    }

    fn write_unit(self, u: u32, out: &mut Vec<u8>) {
        match self {
            Self::Utf16Le => out.extend_from_slice(&(u as u16).to_le_bytes()),
            Self::Utf16Be => out.extend_from_slice(&(u as u16).to_be_bytes()),
            Self::Utf32Le => out.extend_from_slice(&u.to_le_bytes()),
            Self::Utf32Be => out.extend_from_slice(&u.to_be_bytes()),
        }
    }
}

/// Appends code point `c` (a surrogate too: WTF-8) as UTF-8.
fn push_utf8(c: u32, out: &mut Vec<u8>) {
    match c {
        0..0x80 => out.push(c as u8),
        0x80..0x800 => out.extend_from_slice(&[0xC0 | (c >> 6) as u8, 0x80 | (c & 0x3F) as u8]),
        0x800..0x10000 => out.extend_from_slice(&[
            0xE0 | (c >> 12) as u8,
            0x80 | ((c >> 6) & 0x3F) as u8,
            0x80 | (c & 0x3F) as u8,
        ]),
        _ => out.extend_from_slice(&[
            0xF0 | (c >> 18) as u8,
            0x80 | ((c >> 12) & 0x3F) as u8,
            0x80 | ((c >> 6) & 0x3F) as u8,
            0x80 | (c & 0x3F) as u8,
        ]),
    }
}

fn invalid(what: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what)
}

/// Reads UTF-16 or UTF-32 text (after its byte-order mark, if any) as UTF-8.
///
/// # Example
/// ```
/// use std::io::Read;
/// use velum::input::{Wide, WideReader};
/// let utf16: Vec<u8> = "mail a@b.co\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
/// let mut text = String::new();
/// WideReader::new(&utf16[..], Wide::Utf16Le).read_to_string(&mut text)?;
/// assert_eq!(text, "mail a@b.co\n");
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct WideReader<R> {
    inner: R,
    wide: Wide,
    /// The bytes as an 8-bit reader reads them must show no value (see [`NarrowCheck`]).
    check: Option<NarrowCheck>,
    /// Raw bytes not yet decoded (a part of a code unit or of a surrogate pair).
    raw: Vec<u8>,
    /// Decoded bytes not yet handed out, from `at`.
    text: Vec<u8>,
    at: usize,
    /// Raw bytes read so far (for error messages).
    offset: u64,
    eof: bool,
}

impl<R: Read> WideReader<R> {
    /// Decodes `inner`, which is in `wide` (its byte-order mark already consumed).
    pub fn new(inner: R, wide: Wide) -> Self {
        Self {
            inner,
            wide,
            check: None,
            raw: Vec::new(),
            text: Vec::new(),
            at: 0,
            offset: 0,
            eof: false,
        }
    }

    /// Decodes the whole code units of `raw` into `text`.
    fn decode(&mut self) -> io::Result<()> {
        let n = self.wide.unit();
        let mut i = 0;
        while i + n <= self.raw.len() {
            let u = self.wide.read_unit(&self.raw[i..]);
            let mut used = n;
            let c = match (self.wide, u) {
                (Wide::Utf16Le | Wide::Utf16Be, 0xD800..0xDC00) => {
                    if i + 2 * n > self.raw.len() && !self.eof {
                        break; // the rest of the pair is not here yet
                    }
                    match self
                        .raw
                        .get(i + n..i + 2 * n)
                        .map(|b| self.wide.read_unit(b))
                    {
                        Some(lo @ 0xDC00..0xE000) => {
                            used = 2 * n;
                            0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00)
                        }
                        _ => u, // a lone high surrogate: WTF-8
                    }
                }
                (Wide::Utf32Le | Wide::Utf32Be, 0x11_0000..) => {
                    return Err(invalid(format!(
                        "{}: no code point at byte {}",
                        self.wide.name(),
                        self.offset + i as u64
                    )));
                }
                _ => u,
            };
            push_utf8(c, &mut self.text);
            i += used;
        }
        self.raw.drain(..i);
        self.offset += i as u64;
        if self.eof && !self.raw.is_empty() {
            return Err(invalid(format!(
                "{}: the input ends inside a code unit (byte {})",
                self.wide.name(),
                self.offset
            )));
        }
        Ok(())
    }
}

impl<R: Read> WideReader<R> {
    /// Also reads the raw bytes as 8-bit text with `r`: a value found there means the bytes
    /// are not the wide text they were taken for, and reading stops with an error before the
    /// text of those bytes is handed out.
    pub(crate) fn checked(mut self, r: &crate::Redactor) -> Self {
        self.check = Some(NarrowCheck::new(r));
        self
    }
}

/// The text scan of bytes taken for wide text, as an 8-bit reader reads them: the floor of
/// the wide reading. Real UTF-16/32 text shows nothing this way (its ASCII is interleaved
/// with zero bytes); 8-bit text that begins like wide text (a stray `FF FE`, crafted first
/// bytes) shows its values, and must not be read as wide.
pub(crate) struct NarrowCheck {
    r: crate::Redactor,
    /// The last line, not yet ended.
    carry: Vec<u8>,
}

/// Bytes of an unended line held before it is scanned in pieces (each piece keeps the last
/// [`OVERLAP`] bytes of the one before).
const CARRY: usize = 64 << 10;
const OVERLAP: usize = 512;

impl NarrowCheck {
    pub(crate) fn new(r: &crate::Redactor) -> Self {
        Self {
            r: r.clone(),
            carry: Vec::new(),
        }
    }

    /// True when `chunk`, after what came before, shows no value as 8-bit text; `end` at
    /// the end of the input.
    pub(crate) fn clear(&mut self, chunk: &[u8], end: bool) -> bool {
        self.carry.extend_from_slice(chunk);
        let upto = if end {
            self.carry.len()
        } else {
            match memchr::memrchr(b'\n', &self.carry) {
                Some(i) => i + 1,
                None if self.carry.len() > CARRY => self.carry.len(),
                None => return true,
            }
        };
        let found = !self.r.scan(&self.carry[..upto]).is_empty();
        let keep =
            if upto == self.carry.len() && !end && memchr::memrchr(b'\n', &self.carry).is_none() {
                self.carry.len().saturating_sub(OVERLAP)
            } else {
                upto
            };
        self.carry.drain(..keep);
        !found
    }
}

impl<R: Read> Read for WideReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.text.len() {
            if self.eof {
                return Ok(0);
            }
            self.text.clear();
            self.at = 0;
            let mut chunk = [0u8; 64 << 10];
            let n = self.inner.read(&mut chunk)?;
            if n == 0 {
                self.eof = true;
            }
            if let Some(c) = self.check.as_mut()
                && !c.clear(&chunk[..n], n == 0)
            {
                return Err(invalid(format!(
                    "not {} text after all: before byte {} the bytes read as 8-bit text hold \
                     personal data; convert the input to UTF-8 (iconv) and redact that",
                    self.wide.name(),
                    self.offset + (self.raw.len() + n) as u64
                )));
            }
            self.raw.extend_from_slice(&chunk[..n]);
            self.decode()?;
        }
        let n = buf.len().min(self.text.len() - self.at);
        buf[..n].copy_from_slice(&self.text[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Writes UTF-8 (WTF-8) text as UTF-16 or UTF-32, with a byte-order mark first when asked.
///
/// # Example
/// ```
/// use std::io::Write;
/// use velum::input::{Wide, WideWriter};
/// let mut w = WideWriter::new(Vec::new(), Wide::Utf16Be, true);
/// w.write_all("é\n".as_bytes())?;
/// assert_eq!(w.finish()?, [0xFE, 0xFF, 0x00, 0xE9, 0x00, 0x0A]);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct WideWriter<W> {
    inner: W,
    wide: Wide,
    bom: bool,
    /// The start of a UTF-8 sequence whose other bytes have not been written yet.
    pending: Vec<u8>,
    out: Vec<u8>,
}

impl<W: Write> WideWriter<W> {
    /// Encodes into `inner`; `bom` writes the byte-order mark before the first text.
    pub fn new(inner: W, wide: Wide, bom: bool) -> Self {
        Self {
            inner,
            wide,
            bom,
            pending: Vec::new(),
            out: Vec::new(),
        }
    }

    /// Writes what is left and returns the inner writer; an incomplete sequence at the end
    /// is an error.
    ///
    /// # Errors
    /// A write error, or text that ends in the middle of a UTF-8 sequence.
    pub fn finish(mut self) -> io::Result<W> {
        self.start()?;
        if !self.pending.is_empty() {
            return Err(invalid(
                "the text ends inside a UTF-8 sequence; it cannot be written as wide text".into(),
            ));
        }
        self.inner.flush()?;
        Ok(self.inner)
    }

    fn start(&mut self) -> io::Result<()> {
        if self.bom {
            self.bom = false;
            self.inner.write_all(self.wide.bom())?;
        }
        Ok(())
    }
}

/// The code point of the UTF-8 (WTF-8) sequence at the start of `b` and its length; `None`
/// when `b` holds only its start; an error when it is not one.
fn next_code_point(b: &[u8]) -> io::Result<Option<(u32, usize)>> {
    let lead = b[0];
    let len = match lead {
        0..0x80 => return Ok(Some((u32::from(lead), 1))),
        0xC2..0xE0 => 2,
        0xE0..0xF0 => 3,
        0xF0..0xF5 => 4,
        _ => {
            return Err(invalid(
                "text that is not UTF-8 cannot be written as wide text".into(),
            ));
        }
    };
    if b.len() < len {
        return Ok(None);
    }
    let mut c = u32::from(lead) & (0x7F >> len);
    for &x in &b[1..len] {
        if x & 0xC0 != 0x80 {
            return Err(invalid(
                "text that is not UTF-8 cannot be written as wide text".into(),
            ));
        }
        c = (c << 6) | u32::from(x & 0x3F);
    }
    Ok(Some((c, len)))
}

impl<W: Write> Write for WideWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.start()?;
        self.pending.extend_from_slice(buf);
        self.out.clear();
        let mut i = 0;
        while i < self.pending.len() {
            let Some((c, n)) = next_code_point(&self.pending[i..])? else {
                break;
            };
            match (self.wide, c) {
                (Wide::Utf16Le | Wide::Utf16Be, 0x10000..) => {
                    let v = c - 0x10000;
                    self.wide.write_unit(0xD800 + (v >> 10), &mut self.out);
                    self.wide.write_unit(0xDC00 + (v & 0x3FF), &mut self.out);
                }
                _ => self.wide.write_unit(c, &mut self.out),
            }
            i += n;
        }
        self.pending.drain(..i);
        self.inner.write_all(&self.out)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(wide: Wide, raw: &[u8]) -> Vec<u8> {
        let mut text = Vec::new();
        WideReader::new(raw, wide).read_to_end(&mut text).unwrap();
        let mut w = WideWriter::new(Vec::new(), wide, false);
        // One byte at a time: sequences are cut anywhere.
        for b in &text {
            w.write_all(std::slice::from_ref(b)).unwrap();
        }
        w.finish().unwrap()
    }

    #[test]
    fn every_code_unit_round_trips() {
        let s = "mail jané@example.com 😀 東京\r\n";
        for wide in [Wide::Utf16Le, Wide::Utf16Be, Wide::Utf32Le, Wide::Utf32Be] {
            let mut raw = Vec::new();
            for c in s.chars() {
                let mut units = [0u16; 2];
                match wide {
                    Wide::Utf16Le | Wide::Utf16Be => {
                        for u in c.encode_utf16(&mut units) {
                            wide.write_unit(u32::from(*u), &mut raw);
                        }
                    }
                    _ => wide.write_unit(c as u32, &mut raw),
                }
            }
            let mut text = String::new();
            WideReader::new(&raw[..], wide)
                .read_to_string(&mut text)
                .unwrap();
            assert_eq!(text, s, "{wide:?}");
            assert_eq!(round_trip(wide, &raw), raw, "{wide:?}");
        }
        // Lone surrogates, high and low, at the end too.
        let raw: Vec<u8> = [0x61u16, 0xD800, 0x62, 0xDC00, 0x63, 0xD83D]
            .iter()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(round_trip(Wide::Utf16Le, &raw), raw);
    }

    /// Issue 21: bytes that begin like UTF-16 but are 8-bit text do not hide their values.
    #[test]
    fn eight_bit_text_taken_for_wide_text_stops_the_read() {
        let r = crate::Redactor::new();
        let mut raw: Vec<u8> = "ok\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
        raw.extend_from_slice(b"then 8-bit text: mail jane@example.com\n");
        let mut text = Vec::new();
        let e = WideReader::new(&raw[..], Wide::Utf16Le)
            .checked(&r)
            .read_to_end(&mut text)
            .unwrap_err();
        assert!(e.to_string().contains("not UTF-16LE text"), "{e}");
        // Real wide text passes the check.
        let raw: Vec<u8> = "mail jane@example.com\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let mut text = String::new();
        WideReader::new(&raw[..], Wide::Utf16Le)
            .checked(&r)
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "mail jane@example.com\n");
    }

    #[test]
    fn what_is_not_whole_code_units_is_an_error() {
        let mut text = Vec::new();
        let e = WideReader::new(&[0x61u8, 0, 0x62][..], Wide::Utf16Le)
            .read_to_end(&mut text)
            .unwrap_err();
        assert!(e.to_string().contains("byte 2"), "{e}");
        let e = WideReader::new(&[0, 0, 0x11, 0][..], Wide::Utf32Le)
            .read_to_end(&mut text)
            .unwrap_err();
        assert!(e.to_string().contains("byte 0"), "{e}");
        let mut w = WideWriter::new(Vec::new(), Wide::Utf16Le, false);
        w.write_all(&[0xE6, 0x9D]).unwrap();
        assert!(w.finish().is_err());
    }
}
