//! Street addresses as they are written across the regions velum meets most, read from the
//! words of a unit around each number (a house number or a postcode: every form has one):
//!
//! - number first (US, UK, CA, AU, IE): `[Flat 3[,]] 12[/4][B] [N] Name… Type [NW] [Apt 4B]`
//!   — the type a street type word (USPS Publication 28 and the AU/UK lists: `Street`,
//!   `Crossroad`, `Tor`…); the unit may stand first with no number (`Flat 27a, Hannah Center`);
//! - the street before its number (DE, AT, NL, PL, ES, IT): a compound (`Drubinring 75`,
//!   `Krista-Seifert-Weg 3/1`, `Stoiberstr. 823`) or a type word first (`ul. Głowackiego 45`,
//!   `Calle de Anacleto Domínguez 8`, `Piazza Tedesco, 257`), a unit after it (`Apt. 52`,
//!   `Piano 8`, `Puerta 8`);
//! - number, comma, lower-case type (FR): `46, rue de Benard`, or no number (`rue Seguin`);
//!
//! then a tail: `, City, ST 12345`, `, City, MB G5N 6C6`, `, City, NSW, 2543`,
//! `, City, W2J 8AP`, `, 66442 Kehl`, `, 82-212 Zamość`, `, 4634 BQ, Vorchten`,
//! `, Murcia, 50027`, `, 13887, Magnano (BI)`. The tail is what makes a street form strong;
//! forms without one (other than the US one) need context. PO boxes are found from their
//! number. [`parts`] reads back what a candidate holds, for the validator's score.
//!
//! The parts: `words.rs` the vocabulary, `street.rs` the street forms read from a number,
//! `tail.rs` what closes an address; this file the entry points and the [`Reader`]'s view
//! of the words.

mod street;
mod tail;
mod words;

use super::{View, from_word, merged};
use crate::detect::lex::{self, Words};
use crate::detect::structure::NOT_NUMBER;
use crate::span::Span;
use words::*;
pub(crate) use words::{ends_with_street_type_first, is_street_type};

/// What a street address candidate holds (read back by the validator).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Parts {
    /// A US-style `Number Name Type` street.
    pub(crate) typed: bool,
    /// A unit (`Apt 4B`, `Flat 3`, `Piano 8`).
    pub(crate) unit: bool,
    /// A city and postcode (or state and ZIP).
    pub(crate) tail: bool,
    /// A PO box.
    pub(crate) po_box: bool,
}

/// One address found: its span and what it holds.
#[derive(Clone, Copy, Debug)]
struct Found {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) parts: Parts,
}

/// Street addresses and PO boxes, from every number (see the module doc).
pub(super) fn address(v: &View<'_>, from: usize, check: &mut dyn FnMut(Span) -> Option<usize>) {
    let mut next = 0;
    let mut floor = 0;
    for i in merged(
        from_word(&v.words.nums, from),
        from_word(&v.words.mixed, from),
    ) {
        if i < next || v.w[i].mark & NOT_NUMBER != 0 {
            continue;
        }
        let Some(f) = at_number(v, i, from) else {
            continue;
        };
        if f.start < floor {
            continue;
        }
        if let Some(e) = check(Span::new(f.start, f.end)) {
            next = v.word_at(e);
            floor = e;
        }
    }
}

/// What the address candidate `text` (the whole of it) holds, as the shape read it.
pub(crate) fn parts(text: &[u8]) -> Option<Parts> {
    let mut words = Words::default();
    words.lex(text);
    let v = View::new(text, &words);
    merged(&words.nums, &words.mixed)
        .filter_map(|i| at_number(&v, i, 0))
        .find(|f| f.start == 0 && f.end == text.len())
        .map(|f| f.parts)
}

/// The widest address around number word `i` (words before `from` are not looked at).
fn at_number(v: &View<'_>, i: usize, from: usize) -> Option<Found> {
    let p = Reader { v, from };
    // Cheap tests first (this runs for every number of a log): an address goes on after its
    // number with a space or a comma and a word, or has a word before it.
    let n = v.len();
    let after = i + 1 < n
        && matches!(v.sep(i), [b' '] | [b',', b' '] | [b'/'] | [b'-'])
        && (v.w[i + 1].has(lex::UPPER | lex::LOWER) || v.w[i + 1].is_number());
    let before = i > from
        && matches!(v.sep_before(i), [b' '] | [b'.', b' '] | [b',', b' '])
        && v.w[i - 1].has(lex::UPPER | lex::LOWER);
    if !after && !before {
        return None;
    }
    let mut best: Option<Found> = None;
    let mut keep = |f: Option<Found>| {
        if let Some(f) = f
            && best.is_none_or(|b| f.end - f.start > b.end - b.start)
        {
            best = Some(f);
        }
    };
    keep(p.number_first(i));
    keep(p.unit_then_street(i));
    keep(p.french(i));
    keep(p.street_then_number(i));
    keep(p.po_box(i));
    best
}

pub(super) struct Reader<'r, 'a> {
    v: &'r View<'a>,
    from: usize,
}

impl Reader<'_, '_> {
    fn n(&self) -> usize {
        self.v.len()
    }

    fn t(&self, k: usize) -> &[u8] {
        self.v.text(k)
    }

    fn sep(&self, k: usize) -> &[u8] {
        self.v.sep(k)
    }

    fn start(&self, k: usize) -> usize {
        self.v.w[k].start as usize
    }

    fn end(&self, k: usize) -> usize {
        self.v.w[k].end as usize
    }

    fn is(&self, k: usize, list: &[&str]) -> bool {
        k < self.n() && in_list(list, self.t(k))
    }

    /// A word of a name: capitalised (`Main`, `Müller`), in capitals (`MAIN`), or camel
    /// case (`FernandesBourg`, `McDonald`); letters only.
    fn name(&self, k: usize) -> bool {
        k < self.n() && {
            let w = self.v.w[k];
            w.has(lex::FIRST_UPPER) && w.is_alpha() && w.mark & NOT_NUMBER == 0
        }
    }

    fn ordinal(&self, k: usize) -> bool {
        let t = self.t(k);
        (3..=6).contains(&t.len())
            && t[..t.len() - 2].iter().all(u8::is_ascii_digit)
            && matches!(
                &t[t.len() - 2..].to_ascii_lowercase()[..],
                b"st" | b"nd" | b"rd" | b"th"
            )
    }

    fn space(&self, k: usize) -> bool {
        k + 1 < self.n() && matches!(self.sep(k), [b' '])
    }

    /// True when word `k` and the next are one name's: a space or a dash between them, the
    /// apostrophe of `O'Hara`, `D'Angelo`, the dot of `St. Kilda`, `Mt. Eliza`.
    fn joins(&self, k: usize) -> bool {
        if k + 1 >= self.n() {
            return false;
        }
        let t = self.t(k);
        match self.sep(k) {
            [b' '] | [b'-'] => true,
            [b'\''] => t.len() <= 2 && self.name(k),
            [b'.', b' '] => matches!(t, b"St" | b"Ste" | b"Mt" | b"Ft"),
            s => s == "’".as_bytes() && t.len() <= 2 && self.name(k),
        }
    }

    fn comma(&self, k: usize) -> bool {
        k + 1 < self.n() && matches!(self.after(k), [b',', b' '])
    }

    /// The separator after word `k`, without the dot of an abbreviation (`St.`, `Ave.`).
    fn after(&self, k: usize) -> &[u8] {
        let sep = self.sep(k);
        match sep {
            [b'.', rest @ ..]
                if !rest.is_empty() && self.v.w[k].is_alpha() && self.t(k).len() <= 4 =>
            {
                rest
            }
            _ => sep,
        }
    }
}

#[cfg(test)]
mod tests;
