//! Words of a unit: one pass over the bytes with a byte-class table cuts a unit into maximal
//! runs of letters and digits ([`Word`]s); everything between two words is separator bytes,
//! left in the unit and read by whoever needs them. Non-ASCII bytes are decoded only here:
//! an alphabetic character (`ü`, `Ł`, `é`) belongs to its word, anything else (`’`, `€`,
//! invalid UTF-8) separates. Every later stage (log structure, candidate shapes) works on
//! these words, so no byte is classified twice.

/// The word holds an ASCII digit.
pub(crate) const DIGIT: u8 = 1;
/// The word holds an upper-case letter (ASCII or not).
pub(crate) const UPPER: u8 = 2;
/// The word holds a lower-case letter (ASCII or not).
pub(crate) const LOWER: u8 = 4;
/// The word holds a non-ASCII letter.
pub(crate) const WIDE: u8 = 8;
/// The first character is an upper-case letter.
pub(crate) const FIRST_UPPER: u8 = 16;
/// Every character is a hexadecimal digit (`0-9a-fA-F`).
pub(crate) const HEX: u8 = 32;
/// The word holds a letter that is neither upper nor lower case (CJK, Arabic...).
pub(crate) const CASELESS: u8 = 64;
/// An upper-case letter, then one or more lower-case letters only (`Jane`, `Müller`): the
/// shape of a name word.
pub(crate) const CAPITALISED: u8 = 128;

/// One maximal run of letters and digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Word {
    pub(crate) start: u32,
    pub(crate) end: u32,
    /// [`DIGIT`], [`UPPER`]... of the characters in it.
    pub(crate) flags: u8,
    /// Log-structure marks (see `structure`): set later, zero here.
    pub(crate) mark: u8,
}

impl Word {
    pub(crate) fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub(crate) fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Only ASCII digits.
    pub(crate) fn is_number(self) -> bool {
        self.flags & (DIGIT | UPPER | LOWER | CASELESS) == DIGIT
    }

    /// Only letters (any script, any case).
    pub(crate) fn is_alpha(self) -> bool {
        self.flags & DIGIT == 0
    }

    pub(crate) fn has(self, flag: u8) -> bool {
        self.flags & flag != 0
    }
}

/// A high (non-ASCII) byte: decoded before it is classified.
const HIGH: u8 = 128;

/// Per byte: the flags it gives its word ([`DIGIT`], [`UPPER`], [`LOWER`], [`HEX`]), [`HIGH`]
/// for a non-ASCII byte, 0 for a separator.
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = match b as u8 {
            b'0'..=b'9' => DIGIT | HEX,
            b'A'..=b'F' => UPPER | HEX,
            b'G'..=b'Z' => UPPER,
            b'a'..=b'f' => LOWER | HEX,
            b'g'..=b'z' => LOWER,
            0x80..=0xff => HIGH,
            _ => 0,
        };
        b += 1;
    }
    t
};

/// True for a byte that is part of an ASCII word.
pub(crate) fn is_word_byte(b: u8) -> bool {
    CLASS[usize::from(b)] & !HIGH != 0
}

/// Decodes the UTF-8 character at `hay[i..]`: `(char, length)`, or `None` for invalid bytes.
pub(crate) fn decode(hay: &[u8], i: usize) -> Option<(char, usize)> {
    let b0 = hay[i];
    let len = match b0 {
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return None,
    };
    let s = hay.get(i..i + len)?;
    let c = std::str::from_utf8(s).ok()?.chars().next()?;
    Some((c, len))
}

/// The flags a non-ASCII character gives its word, or `None` when it is not a letter.
fn wide_flags(c: char) -> Option<u8> {
    if !c.is_alphabetic() {
        return None;
    }
    Some(
        WIDE | if c.is_uppercase() {
            UPPER
        } else if c.is_lowercase() {
            LOWER
        } else {
            CASELESS
        },
    )
}

/// The words of a unit, and the indices of the words each kind of candidate can start at, so
/// that a shape looks only at its own (a handful per line) instead of at every word.
#[derive(Default)]
pub(crate) struct Words {
    pub(crate) w: Vec<Word>,
    /// Words of digits only.
    pub(crate) nums: Vec<u32>,
    /// Words that start with an upper-case letter.
    pub(crate) caps: Vec<u32>,
    /// Words of letters and digits.
    pub(crate) mixed: Vec<u32>,
    /// Words that start with a letter of no case (CJK, Hangul, kana...).
    pub(crate) caseless: Vec<u32>,
    /// Hex words that may be a MAC or IPv6 group: two or four characters followed by `:` or
    /// `-` (or a four-character one by `.`), one to four before `:`, and any after `::`.
    pub(crate) hexsep: Vec<u32>,
}

impl Words {
    /// Cuts `hay` into words (what was there before is cleared).
    pub(crate) fn lex(&mut self, hay: &[u8]) {
        self.w.clear();
        self.nums.clear();
        self.caps.clear();
        self.mixed.clear();
        self.caseless.clear();
        self.hexsep.clear();
        let n = hay.len();
        let mut i = 0;
        while i < n {
            // Separators: ASCII ones are skipped by the table alone.
            let c = CLASS[usize::from(hay[i])];
            if c == 0 {
                i += 1;
                continue;
            }
            let start = i;
            // The first character apart: the flags of the rest say whether it is capitalised.
            let first = if c == HIGH {
                match decode(hay, i).map(|(ch, l)| (wide_flags(ch), l)) {
                    Some((Some(f), l)) => {
                        i += l;
                        f
                    }
                    Some((None, l)) => {
                        i += l;
                        continue;
                    }
                    None => {
                        i += 1;
                        continue;
                    }
                }
            } else {
                i += 1;
                c
            };
            let first_upper = if first & UPPER != 0 { FIRST_UPPER } else { 0 };
            let mut any = first;
            let mut all = 0xffu8;
            while i < n {
                let c = CLASS[usize::from(hay[i])];
                if c == 0 {
                    break;
                }
                if c == HIGH {
                    match decode(hay, i).and_then(|(ch, l)| Some((wide_flags(ch)?, l))) {
                        Some((f, l)) => {
                            any |= f;
                            all &= f;
                            i += l;
                            continue;
                        }
                        None => break,
                    }
                }
                any |= c;
                all &= c;
                i += 1;
            }
            // `all` is still 0xff when the first character was the only one.
            let capitalised = if first_upper != 0
                && all != 0xff
                && all & LOWER != 0
                && all & (UPPER | DIGIT | CASELESS) == 0
            {
                CAPITALISED
            } else {
                0
            };
            let flags = (any & !HEX) | (all & first & HEX) | first_upper | capitalised;
            let k = self.w.len() as u32;
            let word = Word {
                start: start as u32,
                end: i as u32,
                flags,
                mark: 0,
            };
            if word.is_number() {
                self.nums.push(k);
            } else if flags & DIGIT != 0 {
                self.mixed.push(k);
            }
            if first_upper != 0 {
                self.caps.push(k);
            } else if first & CASELESS != 0 {
                self.caseless.push(k);
            }
            let len = i - start;
            if flags & HEX != 0
                && len <= 4
                && (match hay.get(i) {
                    Some(b':') => true,
                    Some(b'-') => len == 2,
                    Some(b'.') => len == 4,
                    _ => false,
                } || (start >= 2 && hay[start - 1] == b':' && hay[start - 2] == b':'))
            {
                self.hexsep.push(k);
            }
            self.w.push(word);
        }
    }
}

/// The words of `hay` (for tests and callers that need no index lists).
#[cfg(test)]
pub(crate) fn words(hay: &[u8], out: &mut Vec<Word>) {
    let mut w = Words::default();
    w.lex(hay);
    *out = w.w;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<&str> {
        let mut w = Vec::new();
        words(s.as_bytes(), &mut w);
        w.iter().map(|w| &s[w.range()]).collect()
    }

    #[test]
    fn words_are_maximal_alphanumeric_runs() {
        assert_eq!(
            texts("blk_-4980916519894289629 at 10.0.0.1:80"),
            [
                "blk",
                "4980916519894289629",
                "at",
                "10",
                "0",
                "0",
                "1",
                "80"
            ]
        );
        assert_eq!(texts("  "), Vec::<&str>::new());
        assert_eq!(
            texts("Müller-Łukasz O’Neil"),
            ["Müller", "Łukasz", "O", "Neil"]
        );
        // Invalid UTF-8 separates; so does a non-letter character.
        assert_eq!(texts("a\u{20ac}b"), ["a", "b"]);
        let mut w = Vec::new();
        words(b"ab\xffcd\xc3", &mut w);
        assert_eq!(w.len(), 2);
        assert_eq!((w[1].start, w[1].end), (3, 5));
    }

    #[test]
    fn flags() {
        let mut w = Vec::new();
        words("Jane DEADbeef 4111 x9 Élodie 東京".as_bytes(), &mut w);
        let f: Vec<u8> = w.iter().map(|w| w.flags).collect();
        assert_eq!(f[0], UPPER | LOWER | FIRST_UPPER | CAPITALISED);
        assert_eq!(f[1], UPPER | LOWER | HEX | FIRST_UPPER);
        assert_eq!(f[2], DIGIT | HEX);
        assert!(w[2].is_number() && !w[3].is_number());
        assert_eq!(f[3], DIGIT | LOWER);
        assert_eq!(f[4], UPPER | LOWER | WIDE | FIRST_UPPER | CAPITALISED);
        assert_eq!(f[5], WIDE | CASELESS);
    }
}
