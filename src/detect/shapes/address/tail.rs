//! What closes an address: a city with a state and ZIP, a province and postal code, an AU
//! state and postcode, a UK postcode or an Eircode; or a European postcode before its place
//! (`66442 Kehl`, `4634 BQ, Vorchten`); and a country after it.

use super::Reader;
use super::words::*;
use crate::detect::lex;

impl Reader<'_, '_> {
    /// A postcode and its place from word `k`: `66442 Kehl`, `82-212 Zamość`,
    /// `4634 BQ, Vorchten`, `8922XF, Zevenhoven`, `13887, Magnano (BI)`. Its last word.
    pub(super) fn postcode_first(&self, k: usize) -> Option<usize> {
        let pc = self.eu_postcode(k)?;
        let sep = self.sep(pc);
        if !(matches!(sep, [b' '] | [b',', b' ']) && pc + 1 < self.n()) {
            return None;
        }
        let last = self.place(pc + 1)?;
        // An Italian province: ` (BI)`.
        if matches!(self.sep(last), [b' ', b'(']) && last + 1 < self.n() {
            let p = last + 1;
            let t = self.t(p);
            if t.len() == 2
                && t.iter().all(u8::is_ascii_uppercase)
                && self.v.hay.get(self.end(p)) == Some(&b')')
            {
                return Some(p);
            }
        }
        Some(last)
    }

    /// A European postcode at word `k`: 4 or 5 digits, `NN-NNN` (PL), `NNNN AA` and
    /// `NNNNAA` (NL). Its last word.
    pub(super) fn eu_postcode(&self, k: usize) -> Option<usize> {
        if k >= self.n() {
            return None;
        }
        let t = self.t(k);
        let w = self.v.w[k];
        if w.is_number() {
            if t.len() == 2
                && matches!(self.sep(k), [b'-'])
                && k + 1 < self.n()
                && self.v.w[k + 1].is_number()
                && self.t(k + 1).len() == 3
            {
                return Some(k + 1);
            }
            if t.len() == 4
                && self.space(k)
                && self.t(k + 1).len() == 2
                && self.t(k + 1).iter().all(u8::is_ascii_uppercase)
                && matches!(self.sep(k + 1), [b','] | [b',', b' '])
            {
                return Some(k + 1);
            }
            return matches!(t.len(), 4 | 5).then_some(k);
        }
        (t.len() == 6
            && t[..4].iter().all(u8::is_ascii_digit)
            && t[4..].iter().all(u8::is_ascii_uppercase))
        .then_some(k)
    }

    /// A place name from word `k`: capitalised words with particles and dashes between
    /// (`Oberndorf bei Salzburg`, `Drosendorf-Zissersdorf`, `Bagno Di Romagna`). Its last word.
    pub(super) fn place(&self, k: usize) -> Option<usize> {
        if !self.name(k) {
            return None;
        }
        let mut last = k;
        let mut j = k;
        let mut words = 1;
        while words < NAME_WORDS + 1 && j + 1 < self.n() {
            if !self.joins(j) {
                break;
            }
            let next = j + 1;
            if self.name(next) {
                // `Saint Juliette`, but not the state of `Lake Dana, MB`.
                last = next;
            } else if self.is(next, PARTICLES)
                && self.v.w[next].has(lex::LOWER)
                && self.space(next)
                && self.name(next + 1)
            {
                last = next + 1;
                j = next;
                words += 1;
            } else {
                break;
            }
            j += 1;
            words += 1;
        }
        Some(last)
    }

    /// `, City, ST 12345`, `, City, MB G5N 6C6`, `, City, NSW, 2543`, `, City, W2J 8AP`,
    /// `, City, 50027`, `, 66442 Kehl`… after word `last`: the tail's last word.
    pub(super) fn tail(&self, last: usize) -> Option<usize> {
        if !self.comma(last) {
            return None;
        }
        let k = last + 1;
        if let Some(t) = self.postcode_first(k) {
            return Some(t);
        }
        // The city, then what closes it. The city is cut before a capitals-only word that
        // closes it (`Lake Dana, MB`, `Port Kristy KY`).
        if !self.name(k) {
            return None;
        }
        for c in k..k + NAME_WORDS {
            if let Some(t) = self.closing(c) {
                return Some(t);
            }
            if !self.joins(c) || !(self.name(c + 1) || self.is(c + 1, PARTICLES)) {
                return None;
            }
        }
        None
    }

    /// What closes a city ending at word `c`: ` ST 12345(-6789)`, ` MB G5N 6C6`,
    /// `, NSW, 2543`, ` VIC 3000`, `, W2J 8AP`, `, 50027`. The last word.
    pub(super) fn closing(&self, c: usize) -> Option<usize> {
        let n = self.n();
        let sep = self.sep(c);
        if !matches!(sep, [b' '] | [b',', b' ']) || c + 1 >= n {
            return None;
        }
        let s = c + 1;
        let st = self.t(s);
        let upper = st.iter().all(u8::is_ascii_uppercase);
        // A state or province, then its code.
        if upper && (2..=3).contains(&st.len()) && s + 1 < n {
            let code_sep = self.sep(s);
            let z = s + 1;
            if matches!(code_sep, [b' ']) && in_upper(US_STATES, st) && self.zip(z).is_some() {
                return self.zip(z);
            }
            if matches!(code_sep, [b' '])
                && in_upper(CA_PROVINCES, st)
                && let Some(p) = self.ca_postcode(z)
            {
                return Some(p);
            }
            if matches!(code_sep, [b' '] | [b',', b' '])
                && in_upper(AU_STATES, st)
                && self.v.w[z].is_number()
                && self.t(z).len() == 4
            {
                return Some(z);
            }
        }
        // A UK postcode, after a comma or a space (`London SW1A 2AA`): its form says enough.
        if let Some(p) = self.uk_postcode(s) {
            return Some(p);
        }
        if !matches!(sep, [b',', b' ']) {
            return None;
        }
        // `, Murcia, 50027`: a bare postcode after the city.
        (self.v.w[s].is_number() && matches!(st.len(), 4 | 5) && self.boundary_after(s))
            .then_some(s)
    }

    /// The country after a complete address ending at word `last` (`, United Kingdom`,
    /// ` USA`, `, Deutschland`): its last word.
    pub(super) fn country_after(&self, last: usize) -> Option<usize> {
        if !matches!(self.after(last), [b' '] | [b',', b' ']) {
            return None;
        }
        let k = last + 1;
        // Longest first: `United States of America` before `United States`.
        (k..(k + 4).min(self.n())).rev().find(|&e| {
            (k..e).all(|j| matches!(self.sep(j), [b' ']))
                && self.name(k)
                && self.boundary_after(e)
                && is_country(&self.v.hay[self.start(k)..self.end(e)])
        })
    }

    pub(super) fn boundary_after(&self, k: usize) -> bool {
        self.v
            .hay
            .get(self.end(k))
            .is_none_or(|b| !b.is_ascii_alphanumeric())
    }

    /// ` D61 P37T Leon Ville`, `, Y404XF4, Amie Ville`: an Irish Eircode after word `last`,
    /// and the place after it. Its last word.
    pub(super) fn eircode_tail(&self, last: usize) -> Option<usize> {
        if !matches!(self.after(last), [b' '] | [b',', b' ']) || last + 1 >= self.n() {
            return None;
        }
        let k = last + 1;
        let routing = |t: &[u8]| {
            t.len() == 3
                && t[0].is_ascii_uppercase()
                && (t[1..].iter().all(u8::is_ascii_digit) || t == b"D6W")
        };
        let unique = |t: &[u8]| {
            t.len() == 4
                && t.iter()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                && t.iter().any(u8::is_ascii_uppercase)
        };
        let t = self.t(k);
        let code = if t.len() == 7 && routing(&t[..3]) && unique(&t[3..]) {
            k
        } else if routing(t) && self.space(k) && unique(self.t(k + 1)) {
            k + 1
        } else {
            return None;
        };
        if !matches!(self.sep(code), [b' '] | [b',', b' ']) || code + 1 >= self.n() {
            return Some(code);
        }
        Some(self.place(code + 1).unwrap_or(code))
    }

    /// A ZIP at word `k`: five digits, or ZIP+4. Its last word.
    pub(super) fn zip(&self, k: usize) -> Option<usize> {
        if k >= self.n() || !self.v.w[k].is_number() || self.t(k).len() != 5 {
            return None;
        }
        if matches!(self.sep(k), [b'-'])
            && k + 1 < self.n()
            && self.v.w[k + 1].is_number()
            && self.t(k + 1).len() == 4
        {
            return Some(k + 1);
        }
        Some(k)
    }

    /// A Canadian postal code at word `k` (`G5N 6C6`, `G5N6C6`). Its last word.
    pub(super) fn ca_postcode(&self, k: usize) -> Option<usize> {
        let lda = |t: &[u8]| {
            t.len() == 3
                && t[0].is_ascii_uppercase()
                && t[1].is_ascii_digit()
                && t[2].is_ascii_uppercase()
        };
        let dld = |t: &[u8]| {
            t.len() == 3
                && t[0].is_ascii_digit()
                && t[1].is_ascii_uppercase()
                && t[2].is_ascii_digit()
        };
        if k >= self.n() {
            return None;
        }
        let t = self.t(k);
        if t.len() == 6 && lda(&t[..3]) && dld(&t[3..]) {
            return Some(k);
        }
        (lda(t) && self.space(k) && dld(self.t(k + 1))).then_some(k + 1)
    }

    /// A UK postcode at word `k` (`W2J 8AP`, `TS3P 9AE`, `M9 5UB`, `E0 6QQ`). Its last word.
    pub(super) fn uk_postcode(&self, k: usize) -> Option<usize> {
        if k + 1 >= self.n() || !self.space(k) {
            return None;
        }
        let out = self.t(k);
        let inw = self.t(k + 1);
        let letters = out.iter().take_while(|b| b.is_ascii_uppercase()).count();
        let rest = &out[letters..];
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let tail = &rest[digits..];
        let outward = (1..=2).contains(&letters)
            && (1..=2).contains(&digits)
            && (tail.is_empty() || (tail.len() == 1 && tail[0].is_ascii_uppercase()));
        let inward = inw.len() == 3
            && inw[0].is_ascii_digit()
            && inw[1..].iter().all(u8::is_ascii_uppercase);
        (outward && inward).then_some(k + 1)
    }
}
