//! What an input is before it is text: recognised by its content as well as its name, so
//! that compressed or wide bytes are never scanned as if they were text and passed through.
//!
//! - **Compression** by magic bytes: gzip and zstd are decompressed (and the output
//!   compressed the same way); bzip2, xz, zip, 7z and lz4 are refused with what to do, since
//!   their bytes hide every value from a text scan.
//! - **Encoding**: UTF-8 (a byte-order mark is text like any other byte), or UTF-16/UTF-32
//!   by their byte-order mark or, without one, by the zero bytes of ASCII text in them; wide
//!   text is decoded for the scan and written back in its own encoding ([`wide`]).
//! - **Format** by file name, as `velum batch` reads it: `.csv` and `.tsv` (also inside
//!   `.gz`/`.zst`) are rows under a header, everything else lines.
//!
//! # Example
//! ```
//! use std::io::{Read, Write};
//! use velum::input::{self, Compression};
//! let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
//! gz.write_all(b"mail jane@example.com\n").map_err(velum::Error::output)?;
//! let r = velum::Redactor::new();
//! let gz = gz.finish().map_err(velum::Error::output)?;
//! let (kind, mut text) = input::open(std::io::Cursor::new(gz), "mail.log.gz", &r)?;
//! assert_eq!(kind.compression, Compression::Gzip);
//! let mut s = String::new();
//! text.read_to_string(&mut s).map_err(velum::Error::output)?;
//! assert_eq!(s, "mail jane@example.com\n");
//! # Ok::<(), velum::Error>(())
//! ```

pub mod wide;

use std::io::{self, Read, Write};
use std::path::Path;

pub use wide::{Wide, WideReader, WideWriter};

use crate::error::{Error, Result};
use crate::record::Format;

/// Compression of an input, kept from input to output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// Not compressed.
    None,
    /// gzip (RFC 1952; concatenated members are read).
    Gzip,
    /// Zstandard.
    Zstd,
}

impl Compression {
    /// Its name in reports: `none`, `gzip`, `zstd`.
    pub fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Gzip => "gzip",
            Self::Zstd => "zstd",
        }
    }
}

/// What an input is: its compression and its text encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kind {
    /// Compression, by magic bytes.
    pub compression: Compression,
    /// `None` for UTF-8 (or bytes read as they are); else the wide encoding.
    pub wide: Option<Wide>,
    /// The wide text began with a byte-order mark (written back the same way).
    pub bom: bool,
}

impl Kind {
    /// Plain UTF-8 text.
    pub const TEXT: Self = Self {
        compression: Compression::None,
        wide: None,
        bom: false,
    };
}

/// The bytes that begin a compressed stream velum does not decompress, with the format's
/// name and how to decompress it.
const REFUSED: &[(&[u8], &str, &str)] = &[
    (b"BZh", "bzip2", "bzip2 -dc"),
    (&[0xFD, b'7', b'z', b'X', b'Z', 0], "xz", "xz -dc"),
    (b"PK\x03\x04", "zip", "unzip -p"),
    (&[b'7', b'z', 0xBC, 0xAF, 0x27, 0x1C], "7z", "7z x -so"),
    (&[0x04, 0x22, 0x4D, 0x18], "lz4", "lz4 -dc"),
];

/// The compression of a stream from its first bytes, and of a named file also from its
/// name (a `.gz` or `.zst` file must carry its magic; an empty one is an empty stream).
///
/// # Errors
/// [`ErrorKind::Config`](crate::ErrorKind::Config) for a compression velum does not read, or
/// a name that says one compression of data that is not.
pub fn compression_of(name: &str, head: &[u8]) -> Result<Compression> {
    let magic = if head.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Compression::Zstd
    } else {
        Compression::None
    };
    if magic == Compression::None
        && let Some((_, what, cmd)) = REFUSED
            .iter()
            .find(|(m, _, _)| head.starts_with(m) && (m.len() > 3 || head.len() > 3))
    {
        return Err(Error::config(format!(
            "{name}: {what}-compressed data, which velum does not read; decompress it first \
             (`{cmd} FILE | velum redact`), or give gzip or zstd files to `velum batch`"
        )));
    }
    let lower = name.to_ascii_lowercase();
    let named = if lower.ends_with(".gz") {
        Some(Compression::Gzip)
    } else if lower.ends_with(".zst") {
        Some(Compression::Zstd)
    } else {
        None
    };
    match named {
        Some(n) if head.is_empty() => Ok(n),
        Some(n) if n != magic => Err(Error::config(format!(
            "{name}: named .{} but not {} data (corrupt?)",
            if n == Compression::Gzip { "gz" } else { "zst" },
            n.name()
        ))),
        _ => Ok(magic),
    }
}

/// The wide encoding of text from its first bytes: a byte-order mark (then `true`), or the
/// pattern of zero bytes ASCII text has in UTF-16 or UTF-32.
pub fn encoding_of(head: &[u8]) -> Option<(Wide, bool)> {
    for wide in [Wide::Utf32Le, Wide::Utf32Be, Wide::Utf16Le, Wide::Utf16Be] {
        if head.starts_with(wide.bom()) {
            return Some((wide, true));
        }
    }
    // Without a mark: most code units of text are ASCII, whose other bytes are zero.
    let h = &head[..head.len().min(512)];
    let unit = |n: usize| h.len() / n;
    let zeros = |n: usize, at: usize| h.chunks_exact(n).filter(|c| c[at] == 0).count();
    let most = |z: usize, n: usize| unit(n) >= 1 && z * 10 >= unit(n) * 7;
    let few = |z: usize, n: usize| z * 10 <= unit(n);
    if h.len() >= 4 {
        let (z0, z1, z2, z3) = (zeros(4, 0), zeros(4, 1), zeros(4, 2), zeros(4, 3));
        if few(z0, 4) && most(z1, 4) && most(z2, 4) && most(z3, 4) {
            return Some((Wide::Utf32Le, false));
        }
        if most(z0, 4) && most(z1, 4) && most(z2, 4) && few(z3, 4) {
            return Some((Wide::Utf32Be, false));
        }
    }
    if h.len() >= 2 {
        let (z0, z1) = (zeros(2, 0), zeros(2, 1));
        if few(z0, 2) && most(z1, 2) {
            return Some((Wide::Utf16Le, false));
        }
        if most(z0, 2) && few(z1, 2) {
            return Some((Wide::Utf16Be, false));
        }
    }
    None
}

/// The line format of a file by its name: `.csv`/`.tsv` (also as `.csv.gz`, `.tsv.zst`) are
/// rows under a header; `None` for anything else (read line by line, JSON objects field by
/// field).
///
/// # Example
/// ```
/// use velum::{Format, input::format_of};
/// assert_eq!(format_of(std::path::Path::new("people.CSV.gz")), Some(Format::Csv));
/// assert_eq!(format_of(std::path::Path::new("app.log")), None);
/// ```
pub fn format_of(path: &Path) -> Option<Format> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let inner = name
        .strip_suffix(".gz")
        .or_else(|| name.strip_suffix(".zst"))
        .unwrap_or(&name);
    if inner.ends_with(".csv") {
        Some(Format::Csv)
    } else if inner.ends_with(".tsv") {
        Some(Format::Tsv)
    } else {
        None
    }
}

/// Opens an input: what it is (by its first bytes and `name`), and a reader of its text
/// (decompressed, wide text decoded to UTF-8).
///
/// Bytes are taken for wide text only when they read as nothing else: `r` scans them as
/// 8-bit text too, and wherever that shows a value they are not wide text — at the start,
/// they are read as bytes; later, reading stops with an error (see [`WideReader`]).
///
/// # Errors
/// [`ErrorKind::Config`](crate::ErrorKind::Config) for a compression velum does not read;
/// [`ErrorKind::Io`](crate::ErrorKind::Io) when the input cannot be read.
pub fn open<'a, R: Read + Send + 'a>(
    raw: R,
    name: &str,
    r: &crate::Redactor,
) -> Result<(Kind, Box<dyn Read + Send + 'a>)> {
    let mut raw = Head::new(raw);
    // Enough for every magic number; what one read gives is looked at whole, and no more is
    // waited for (a pipe's first line may be all there is for a while).
    let head = raw
        .head(6)
        .map_err(|e| Error::io(format!("{name}: cannot read"), e))?;
    let compression = compression_of(name, head)?;
    let decoded: Box<dyn Read + Send + 'a> = match compression {
        Compression::None => Box::new(raw),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(raw)),
        Compression::Zstd => Box::new(
            zstd::Decoder::new(raw).map_err(|e| Error::io(format!("{name}: not zstd"), e))?,
        ),
    };
    let mut text = Head::new(decoded);
    let head = text.head(4).map_err(|e| {
        Error::io(
            format!("{name}: cannot read ({} data corrupt?)", compression.name()),
            e,
        )
    })?;
    let mut wide = encoding_of(head);
    if wide.is_some() {
        // Look at more before deciding, and read it as 8-bit text.
        let head = text
            .head(WIDE_HEAD)
            .map_err(|e| Error::io(format!("{name}: cannot read"), e))?;
        if !wide::NarrowCheck::new(r).clear(head, true) {
            wide = None;
        }
    }
    let (kind, reader): (Kind, Box<dyn Read + Send + 'a>) = match wide {
        None => (
            Kind {
                compression,
                wide: None,
                bom: false,
            },
            Box::new(text),
        ),
        Some((wide, bom)) => {
            if bom {
                text.skip(wide.bom().len());
            }
            (
                Kind {
                    compression,
                    wide: Some(wide),
                    bom,
                },
                Box::new(WideReader::new(text, wide).checked(r)),
            )
        }
    };
    Ok((kind, reader))
}

/// Bytes looked at before text is taken for wide text.
const WIDE_HEAD: usize = 4096;

/// A reader whose first bytes can be looked at before they are read.
struct Head<R> {
    inner: R,
    buf: Vec<u8>,
    at: usize,
}

impl<R: Read> Head<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            buf: Vec::new(),
            at: 0,
        }
    }

    /// At least `want` bytes from the start (fewer at the end of the input).
    fn head(&mut self, want: usize) -> io::Result<&[u8]> {
        let mut chunk = vec![0u8; want.max(4096)];
        while self.buf.len() < want {
            let n = match self.inner.read(&mut chunk) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                break;
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
        Ok(&self.buf)
    }

    fn skip(&mut self, n: usize) {
        self.at = self.at.saturating_add(n).min(self.buf.len());
    }
}

impl<R: Read> Read for Head<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.at < self.buf.len() {
            let n = out.len().min(self.buf.len() - self.at);
            out[..n].copy_from_slice(&self.buf[self.at..self.at + n]);
            self.at += n;
            if self.at == self.buf.len() {
                self.buf = Vec::new();
                self.at = 0;
            }
            return Ok(n);
        }
        self.inner.read(out)
    }
}

/// Where an input's rewritten text goes: encoded and compressed as the input was.
pub struct Output<W: Write> {
    inner: Layer<W>,
}

enum Layer<W: Write> {
    Plain(W),
    Gzip(flate2::write::GzEncoder<W>),
    Zstd(zstd::Encoder<'static, W>),
    Wide(Box<WideWriter<Self>>),
}

impl<W: Write> Output<W> {
    /// An output that writes text as `kind` says into `w`.
    ///
    /// # Errors
    /// When the compressor cannot start.
    pub fn new(kind: Kind, w: W) -> io::Result<Self> {
        let compressed = match kind.compression {
            Compression::None => Layer::Plain(w),
            Compression::Gzip => Layer::Gzip(flate2::write::GzEncoder::new(
                w,
                flate2::Compression::default(),
            )),
            Compression::Zstd => Layer::Zstd(zstd::Encoder::new(w, 3)?),
        };
        let inner = match kind.wide {
            None => compressed,
            Some(wide) => Layer::Wide(Box::new(WideWriter::new(compressed, wide, kind.bom))),
        };
        Ok(Self { inner })
    }

    /// Ends the encoding and the compressed stream; returns the writer.
    ///
    /// # Errors
    /// A write error, or text that cannot be encoded.
    pub fn finish(self) -> io::Result<W> {
        self.inner.finish()
    }
}

impl<W: Write> Layer<W> {
    fn finish(self) -> io::Result<W> {
        match self {
            Self::Plain(w) => Ok(w),
            Self::Gzip(w) => w.finish(),
            Self::Zstd(w) => w.finish(),
            Self::Wide(w) => w.finish()?.finish(),
        }
    }
}

impl<W: Write> Write for Layer<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Self::Plain(w) => w.write(buf),
            Self::Gzip(w) => w.write(buf),
            Self::Zstd(w) => w.write(buf),
            Self::Wide(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Self::Plain(w) => w.flush(),
            Self::Gzip(w) => w.flush(),
            Self::Zstd(w) => w.flush(),
            Self::Wide(w) => w.flush(),
        }
    }
}

impl<W: Write> Write for Output<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str, bom: bool) -> Vec<u8> {
        let mut v = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        v.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        v
    }

    #[test]
    fn wide_text_is_known_with_and_without_a_mark() {
        assert_eq!(
            encoding_of(&utf16le("ab", true)),
            Some((Wide::Utf16Le, true))
        );
        assert_eq!(
            encoding_of(&utf16le("mail jane@example.com\n", false)),
            Some((Wide::Utf16Le, false))
        );
        let be: Vec<u8> = "id,ssn\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(encoding_of(&be), Some((Wide::Utf16Be, false)));
        let w32: Vec<u8> = "ab\n"
            .chars()
            .flat_map(|c| (c as u32).to_le_bytes())
            .collect();
        assert_eq!(encoding_of(&w32), Some((Wide::Utf32Le, false)));
        assert_eq!(encoding_of(b"plain text\n"), None);
        assert_eq!(encoding_of("ünïcödé täxt".as_bytes()), None);
        assert_eq!(encoding_of(b""), None);
    }

    #[test]
    fn compressions_velum_cannot_read_are_refused() {
        for head in [&b"BZh91AY&SY"[..], &[0xFD, b'7', b'z', b'X', b'Z', 0, 0]] {
            let e = compression_of("x", head).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::Config);
        }
        assert_eq!(
            compression_of("a.log", b"plain").unwrap(),
            Compression::None
        );
        assert!(compression_of("a.gz", b"plain").is_err());
        assert_eq!(compression_of("a.gz", b"").unwrap(), Compression::Gzip);
    }

    #[test]
    fn an_input_read_and_written_back_as_it_came() {
        let text = "mail jane@example.com\r\n😀\n";
        for (raw, name) in [
            (utf16le(text, true), "a.txt"),
            (utf16le(text, false), "b.txt"),
            (text.as_bytes().to_vec(), "c.txt"),
        ] {
            let red = crate::Redactor::new();
            let (kind, mut r) = open(io::Cursor::new(raw.clone()), name, &red).unwrap();
            let mut s = String::new();
            r.read_to_string(&mut s).unwrap();
            assert_eq!(s, text, "{name}");
            let mut out = Output::new(kind, Vec::new()).unwrap();
            out.write_all(s.as_bytes()).unwrap();
            assert_eq!(out.finish().unwrap(), raw, "{name}");
        }
    }
}
