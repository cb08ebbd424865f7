//! The street part of an address, from its number: number first (`12 Main St`), a unit
//! first (`Flat 3, 12 …`), French (`46, rue de …`), the street before its number
//! (`Drubinring 75`, `Calle de … 8`), and PO boxes; each then reads its unit and tail.

use super::words::*;
use super::{Found, Parts, Reader};
use crate::detect::lex;
use crate::detect::structure::NOT_NUMBER;

impl Reader<'_, '_> {
    /// A house number at word `k`: 1–6 digits with an optional letter or two (`12B`, `27a`),
    /// and `/4` or `-45` after it (`3/1`, `74/70`, Queens' `123-45`). Its last word.
    pub(super) fn house(&self, k: usize) -> Option<usize> {
        if k >= self.n() || self.v.w[k].mark & NOT_NUMBER != 0 {
            return None;
        }
        let t = self.t(k);
        let d = t.iter().take_while(|b| b.is_ascii_digit()).count();
        let rest = &t[d..];
        if !(1..=6).contains(&d) || rest.len() > 2 || !rest.iter().all(u8::is_ascii_alphabetic) {
            return None;
        }
        if k > 0 && matches!(self.v.byte_before(k), Some(b'_' | b'-' | b'/' | b'.')) {
            return None;
        }
        let mut last = k;
        if matches!(self.sep(k), [b'/'] | [b'-'])
            && k + 1 < self.n()
            && self.v.w[k + 1].is_number()
            && self.t(k + 1).len() <= 4
        {
            last = k + 1;
        }
        // `12 bis`, `7-ter` (FR, NL, IT): a repeated number.
        if last + 1 < self.n()
            && matches!(
                self.t(last + 1).first(),
                Some(b'b' | b't' | b'q' | b'B' | b'T' | b'Q')
            )
            && matches!(self.sep(last), [b' '] | [b'-'])
            && ["bis", "ter", "quater"]
                .iter()
                .any(|w| self.t(last + 1).eq_ignore_ascii_case(w.as_bytes()))
        {
            last += 1;
        }
        Some(last)
    }

    /// A unit after word `k` (`, Apt 4B`, ` Suite 479`, ` Apt. 976`, ` #12`, ` Piano 8`):
    /// its last word.
    pub(super) fn unit_after(&self, k: usize) -> Option<usize> {
        let sep = self.after(k);
        let u = k + 1;
        if u >= self.n() {
            return None;
        }
        if matches!(sep, [b' ', b'#'] | [b',', b' ', b'#'] | [b' ', b'#', b' ']) {
            return self.unit_id(u);
        }
        if matches!(sep, [b' '] | [b',', b' '])
            && let Some(f) = self.floor_door(u)
        {
            return Some(f);
        }
        // `m. 15`, `lok. 3` (PL): a unit written short, with its dot.
        if matches!(sep, [b' '] | [b',', b' '])
            && in_list(UNITS_DOTTED, self.t(u))
            && matches!(self.sep(u), [b'.', b' '])
        {
            return self.unit_id(u + 1);
        }
        if !matches!(sep, [b' '] | [b',', b' ']) || !self.is(u, UNITS) {
            return None;
        }
        if !matches!(self.sep(u), [b' '] | [b'.', b' '] | [b'.']) {
            return None;
        }
        self.unit_id(u + 1)
    }

    /// A Spanish floor and door from word `k`: `3º 2ª`, `3º B`, `2º-1ª`, `1º izq`, `bajo A`.
    /// Its last word.
    pub(super) fn floor_door(&self, k: usize) -> Option<usize> {
        let ordinal = |t: &[u8]| {
            std::str::from_utf8(t).is_ok_and(|s| {
                let d = s.bytes().take_while(u8::is_ascii_digit).count();
                (1..=2).contains(&d) && matches!(&s[d..], "º" | "ª" | "°" | "o" | "a")
            })
        };
        let t = self.t(k);
        let floor = ordinal(t) && t.len() > 1 && !t.iter().all(u8::is_ascii_alphanumeric)
            || t.eq_ignore_ascii_case(b"bajo")
            || t.eq_ignore_ascii_case(b"entlo");
        if !floor {
            return None;
        }
        let d = k + 1;
        if d < self.n() && matches!(self.sep(k), [b' '] | [b'-']) {
            let dt = self.t(d);
            let door = ordinal(dt)
                || (dt.len() == 1 && dt[0].is_ascii_uppercase())
                || (dt.len() <= 2 && self.v.w[d].is_number())
                || ["izq", "izda", "dcha", "dch", "der", "centro"]
                    .iter()
                    .any(|w| dt.eq_ignore_ascii_case(w.as_bytes()));
            if door {
                return Some(d);
            }
        }
        Some(k)
    }

    /// A unit's id at word `k`: up to six letters and digits with a digit (`4B`, `27a`,
    /// `09`), or one letter.
    pub(super) fn unit_id(&self, k: usize) -> Option<usize> {
        if k >= self.n() {
            return None;
        }
        let t = self.t(k);
        let ok = t.len() <= 6
            && t.iter().all(u8::is_ascii_alphanumeric)
            && (t.iter().any(u8::is_ascii_digit) || (t.len() == 1 && t[0].is_ascii_uppercase()));
        ok.then_some(k)
    }

    /// A unit that ends at word `k` (its id): `Flat 09`, `Apt. 114`, `Suite 843`.
    pub(super) fn unit_before(&self, k: usize) -> Option<usize> {
        if k < self.from + 1 || self.unit_id(k).is_none() {
            return None;
        }
        let u = k - 1;
        (self.name(u) && matches!(self.sep(u), [b' '] | [b'.', b' ']) && self.is(u, UNITS))
            .then_some(u)
    }

    /// `Name… Type [Dir]` from word `k`: its last word (and the type's).
    pub(super) fn typed_street(&self, k: usize) -> Option<usize> {
        let mut k = k;
        // An optional direction first (which may also be the name: `12 North St`).
        let dir = self.is(k, DIRECTIONS)
            && self.name(k)
            && matches!(self.sep(k), [b' '] | [b'.', b' '])
            && k + 1 < self.n();
        for with_dir in [true, false] {
            if with_dir && !dir {
                continue;
            }
            let first = if with_dir { k + 1 } else { k };
            let mut typ = None;
            let mut j = first;
            let mut names = 0;
            while j < self.n() && names <= NAME_WORDS {
                let word = self.name(j) || self.ordinal(j);
                if !word {
                    break;
                }
                if names >= 1 && self.is(j, TYPES_AFTER) {
                    typ = Some(j);
                }
                names += 1;
                if !self.joins(j) {
                    break;
                }
                j += 1;
            }
            let Some(mut last) = typ else { continue };
            // A post-direction (`Avenue NW`).
            if self.space(last)
                && self.is(last + 1, DIRECTIONS)
                && self.t(last + 1).len() <= 2
                && self.t(last + 1).iter().all(u8::is_ascii_uppercase)
            {
                last += 1;
            }
            k = last;
            return Some(k);
        }
        None
    }

    /// The end byte of word `k` with a dot right after it (`St.`, `Apt.`).
    pub(super) fn end_dot(&self, k: usize) -> usize {
        let e = self.end(k);
        if self.v.hay.get(e) == Some(&b'.') {
            e + 1
        } else {
            e
        }
    }

    /// What follows a street ending at word `last`: a unit, then a tail. The address.
    pub(super) fn finish(&self, start: usize, last: usize, mut parts: Parts) -> Found {
        let mut last = last;
        if let Some(u) = self.unit_after(last) {
            last = u;
            parts.unit = true;
        }
        if let Some(t) = self.tail(last).or_else(|| self.eircode_tail(last)) {
            last = t;
            parts.tail = true;
            if let Some(c) = self.country_after(last) {
                last = c;
            }
        }
        let mut end = if parts.tail || parts.unit {
            self.end(last)
        } else {
            self.end_dot(last)
        };
        // The bracket of `(BI)`.
        if self.v.sep_before(last).ends_with(b"(") && self.v.hay.get(end) == Some(&b')') {
            end += 1;
        }
        Found { start, end, parts }
    }

    /// `[Unit Id] 12 [N] Name… Type`: the US, UK, CA and AU form.
    pub(super) fn number_first(&self, i: usize) -> Option<Found> {
        let h = self.house(i)?;
        if !self.space(h) {
            return None;
        }
        let last = self.typed_street(h + 1)?;
        // A unit before the number: `Apt. 114 873 Baker Highway`, `Flat 3, 12 High St`.
        let mut start = self.start(i);
        let mut parts = Parts {
            typed: true,
            ..Parts::default()
        };
        if i >= self.from + 2
            && matches!(self.v.sep_before(i), [b' '] | [b',', b' '])
            && let Some(u) = self.unit_before(i - 1)
        {
            start = self.start(u);
            parts.unit = true;
        } else if h > i
            && i > self.from
            && matches!(self.v.sep_before(i), [b' '])
            && self.name(i - 1)
            && self.is(i - 1, UNITS)
        {
            // `Unit 5/12 Smith St` (AU): the unit's number before the house number's.
            start = self.start(i - 1);
            parts.unit = true;
        }
        Some(self.finish(start, last, parts))
    }

    /// `Flat 27a, Hannah Center, …` with no house number: the UK form.
    pub(super) fn unit_then_street(&self, i: usize) -> Option<Found> {
        let u = self.unit_before(i)?;
        if !self.comma(i) {
            return None;
        }
        let last = self.typed_street(i + 1)?;
        Some(self.finish(
            self.start(u),
            last,
            Parts {
                typed: true,
                unit: true,
                ..Parts::default()
            },
        ))
    }

    /// `46, rue de Benard, 12645 Saint Juliette`: number, comma, a lower-case type first.
    pub(super) fn french(&self, i: usize) -> Option<Found> {
        let h = self.house(i)?;
        if !(self.comma(h) || self.space(h)) {
            return None;
        }
        let typ = h + 1;
        if typ >= self.n()
            || !self.v.w[typ].is_alpha()
            || !self.space(typ)
            || !self.is(typ, TYPES_BEFORE)
        {
            return None;
        }
        let last = self.names_from(typ + 1)?;
        Some(self.finish(self.start(i), last, Parts::default()))
    }

    /// `[particles] Name…` from word `k`: its last word.
    pub(super) fn names_from(&self, k: usize) -> Option<usize> {
        let mut j = k;
        let mut last = None;
        let mut words = 0;
        while j < self.n() && words < NAME_WORDS + 2 {
            if self.name(j) {
                last = Some(j);
            } else if !(self.is(j, PARTICLES) && self.v.w[j].has(lex::LOWER)) {
                break;
            }
            words += 1;
            // `d'Italia`, `Smith-Jones`: glued by an apostrophe or a dash.
            if !(self.joins(j) || matches!(self.sep(j), [b'\'']) && j + 1 < self.n()) {
                break;
            }
            if !self.name(j + 1) && !self.is(j + 1, PARTICLES) {
                break;
            }
            j += 1;
        }
        last
    }

    /// The street before house number `i`: `Drubinring 75`, `Krista-Seifert-Weg 3/1`,
    /// `Stoiberstr. 823`, `ul. Głowackiego 45`, `Calle de X Y 8`, `Piazza Tedesco, 257`.
    /// With no house number when a postcode follows: `rue Seguin, 31430 Guichard`.
    pub(super) fn street_then_number(&self, i: usize) -> Option<Found> {
        if i < self.from + 1 {
            return None;
        }
        let before = self.v.sep_before(i);
        let b = i - 1;
        let compound = matches!(before, [b' '] | [b'.', b' ']) && self.compound_end(b);
        let start = if compound {
            // `Krista-Seifert-Weg`: the names dashed before the type.
            let mut s = b;
            while s > self.from
                && matches!(self.sep(s - 1), [b'-'])
                && self.name(s - 1)
                && b - s < NAME_WORDS
            {
                s -= 1;
            }
            s
        } else if matches!(before, [b' '] | [b',', b' ']) {
            self.type_first_start(b)?
        } else {
            return None;
        };
        // A type word first that says *street* by itself (`Calle`, `Via`, not `Place`)
        // makes the street as strong as the US `12 Oak Street`.
        let typed = !compound && self.name(start) && is_street_type_first(self.t(start));
        // The house number, or a postcode right after a comma (no house number).
        match self.house(i) {
            Some(h) if !(matches!(before, [b',', b' ']) && self.postcode_first(i).is_some()) => {
                let parts = Parts {
                    typed,
                    ..Parts::default()
                };
                Some(self.finish(self.start(start), h, parts))
            }
            _ if matches!(before, [b',', b' ']) => {
                let t = self.postcode_first(i)?;
                let mut end = self.end(t);
                if self.v.sep_before(t).ends_with(b"(") && self.v.hay.get(end) == Some(&b')') {
                    end += 1;
                }
                Some(Found {
                    start: self.start(start),
                    end,
                    parts: Parts {
                        tail: true,
                        ..Parts::default()
                    },
                })
            }
            _ => None,
        }
    }

    /// True when word `k` is a one-word street (`Drubinring`, `Stoiberstr.`, `Meeshof`) or the
    /// type of a dashed one (`…-Weg`, `…-Straße`).
    pub(super) fn compound_end(&self, k: usize) -> bool {
        if !self.name(k) {
            return false;
        }
        let t = self.t(k);
        // Lower case in a stack buffer (ASCII, the common case), else decoded.
        let mut buf = [0u8; 40];
        let wide;
        let low: &str = if t.is_ascii() && t.len() <= buf.len() {
            for (d, b) in buf.iter_mut().zip(t) {
                *d = b.to_ascii_lowercase();
            }
            std::str::from_utf8(&buf[..t.len()]).unwrap_or("")
        } else {
            let Ok(s) = std::str::from_utf8(t) else {
                return false;
            };
            wide = s.to_lowercase();
            &wide
        };
        let dot = self.v.hay.get(self.end(k)) == Some(&b'.');
        let dashed = k > self.from && matches!(self.sep(k - 1), [b'-']) && self.name(k - 1);
        COMPOUND_ENDINGS.iter().any(|e| {
            let ok_len = if dashed {
                low.len() == e.len()
            } else {
                low.len() >= e.len() + 3
            };
            ok_len && low.ends_with(e) && (*e != "str" || dot)
        })
    }

    /// The first word of `Type [particles] Name…` ending at word `b` (a type word first).
    pub(super) fn type_first_start(&self, b: usize) -> Option<usize> {
        if !self.name(b) {
            return None;
        }
        let mut k = b;
        let mut words = 0;
        while k > self.from && words <= NAME_WORDS + 1 {
            let p = k - 1;
            let sep = self.sep(p);
            if matches!(sep, [b' '] | [b'.', b' ']) && self.is(p, TYPES_BEFORE) {
                // `C. Estrella Cid`, `ul. Głowackiego`: a type written short has its dot.
                let short = self.t(p).len() <= 2;
                if short && !matches!(sep, [b'.', b' ']) {
                    return None;
                }
                return Some(p);
            }
            if !self.joins(p) || !(self.name(p) || self.is(p, PARTICLES)) {
                return None;
            }
            k = p;
            words += 1;
        }
        None
    }

    /// `PO Box 123`, `P.O. Box 123`, `P. O. Box`, `Post Office Box 123`, any case, from the
    /// number at word `num`.
    pub(super) fn po_box(&self, num: usize) -> Option<Found> {
        let v = self.v;
        if !v.w[num].is_number() || v.w[num].len() > 6 || num < self.from + 2 {
            return None;
        }
        let is = |k: usize, w: &[u8]| v.text(k).eq_ignore_ascii_case(w);
        let b = num - 1;
        if !matches!(v.sep(b), [b' ']) || !is(b, b"box") {
            return None;
        }
        let sep = v.sep(b - 1);
        if !sep.ends_with(b" ") {
            return None;
        }
        let k = b - 1;
        // `P.O. Box`, `P. O. Box`, `P.O Box`, `P O Box`; `Post Office Box`.
        let dotted_po = is(k, b"o")
            && matches!(sep, [b' '] | [b'.', b' '])
            && k > self.from
            && is(k - 1, b"p")
            && matches!(v.sep(k - 1), [b'.'] | [b'.', b' '] | [b' ']);
        let post_office = is(k, b"office")
            && matches!(sep, [b' '])
            && k > self.from
            && is(k - 1, b"post")
            && matches!(v.sep(k - 1), [b' ']);
        let start = if is(k, b"po") && matches!(sep, [b' '] | [b'.', b' ']) {
            k
        } else if dotted_po || post_office {
            k - 1
        } else {
            return None;
        };
        Some(Found {
            start: self.start(start),
            end: self.end(num),
            parts: Parts {
                po_box: true,
                ..Parts::default()
            },
        })
    }
}
