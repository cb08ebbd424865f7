//! Candidate shapes: where a value of some kind may start and end, built from the [`Word`]s of
//! a unit and their structure marks instead of a regular expression per detector. A detector
//! names the shapes it reads (`shapes = ["number"]` in its pattern file); the engine runs each
//! shape once per unit and hands every candidate to the validators of the detectors that read
//! it. A shape only proposes: it must never miss a real value (a validator rejects the rest,
//! and may narrow the span), and it does a bounded amount of work per word, so a unit scans in
//! time linear in its length whatever it holds.

pub(crate) mod address;
mod ids;
mod names;
mod net;
mod numeric;

use super::lex::{Word, Words};
use crate::span::Span;

/// A candidate shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Shape {
    /// Digit groups: one run of 6–19 digits, or up to seven groups joined by one of ` -.`
    /// (the detectors' validators check the grouping they accept).
    Number,
    /// A telephone number: `+` forms, `(212) 555-0123`, national groupings, an extension.
    Phone,
    /// Four dotted decimal groups.
    Ipv4,
    /// Colon-separated hex groups with `::` or eight groups, an IPv4 tail allowed.
    Ipv6,
    /// Six hex pairs (`:` or `-`) or three dotted groups of four.
    Mac,
    /// `local@domain`, found from each `@`.
    Email,
    /// Two letters and two digits, then alphanumeric groups.
    Iban,
    /// Two letters, six digits (in pairs or not), an optional suffix letter.
    Nino,
    /// Two letters and seven digits.
    Dea,
    /// Eleven characters, digit first (`1EG4-TE5-MK73`).
    Mbi,
    /// One or two letters and 6–10 digits (`A1234567`).
    LetterId,
    /// Eight or eleven upper-case letters and digits, six letters first.
    Bic,
    /// A calendar date: numeric, with a month name, or a compact `19800517`.
    Date,
    /// A run of capitalised words with titles, initials, particles and suffixes.
    Name,
    /// A word of CJK or Hangul letters, or two after one space (`王小明`, `佐藤 花子`).
    CjkName,
    /// Two or three words of one case (`ROBERT SMITH`, `mary johnson`) after a word that
    /// introduces a person.
    CaselessName,
    /// A street address (number, name, suffix…, unit, city, state and ZIP) or a PO box.
    Address,
}

impl Shape {
    /// Every shape, in the order the engine runs them.
    pub(crate) const ALL: [Self; 17] = [
        Self::Number,
        Self::Phone,
        Self::Ipv4,
        Self::Ipv6,
        Self::Mac,
        Self::Email,
        Self::Iban,
        Self::Nino,
        Self::Dea,
        Self::Mbi,
        Self::LetterId,
        Self::Bic,
        Self::Date,
        Self::Name,
        Self::CjkName,
        Self::CaselessName,
        Self::Address,
    ];

    /// The name pattern files use.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Number => "number",
            Self::Phone => "phone",
            Self::Ipv4 => "ipv4",
            Self::Ipv6 => "ipv6",
            Self::Mac => "mac",
            Self::Email => "email",
            Self::Iban => "iban",
            Self::Nino => "nino",
            Self::Dea => "dea",
            Self::Mbi => "mbi",
            Self::LetterId => "letter_id",
            Self::Bic => "bic",
            Self::Date => "date",
            Self::Name => "name",
            Self::CjkName => "cjk_name",
            Self::CaselessName => "caseless_name",
            Self::Address => "address",
        }
    }

    pub(crate) fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The longest candidate the shape proposes (stream chunks overlap at least this much).
    pub(crate) fn max_len(self) -> usize {
        match self {
            Self::Number => 40,
            Self::Phone => 48,
            Self::Ipv4 => 15,
            Self::Ipv6 => 45,
            Self::Mac => 17,
            Self::Email => 254,
            Self::Iban => 48,
            Self::Nino => 13,
            Self::Dea => 9,
            Self::Mbi => 13,
            Self::LetterId => 12,
            Self::Bic => 11,
            Self::Date => 32,
            Self::Name => 200,
            Self::CjkName => 40,
            Self::CaselessName => 120,
            Self::Address => 200,
        }
    }

    /// False when `v` cannot hold a candidate of the shape (it has none of the words the
    /// shape starts at): the shape is not run.
    pub(crate) fn possible(self, v: &View<'_>) -> bool {
        let w = v.words;
        match self {
            Self::Number | Self::Phone | Self::Ipv4 | Self::Date => !w.nums.is_empty(),
            Self::Address => !w.nums.is_empty() || !w.mixed.is_empty(),
            Self::Ipv6 | Self::Mac => !w.hexsep.is_empty(),
            Self::Email => memchr::memchr(b'@', v.hay).is_some(),
            Self::Iban | Self::Nino => {
                !w.mixed.is_empty() || (!w.caps.is_empty() && !w.nums.is_empty())
            }
            Self::Dea | Self::Mbi | Self::LetterId => !w.mixed.is_empty(),
            Self::Bic | Self::Name => !w.caps.is_empty(),
            Self::CjkName => !w.caseless.is_empty(),
            Self::CaselessName => v.w.len() >= 3,
        }
    }

    /// Runs the shape over `view` from word `from`, calling `check` with each candidate in
    /// order of start. `check` validates it and returns the end of the value it confirmed, if
    /// any; a shape may use that to go on after the value (or after the part of its candidate
    /// that was kept).
    pub(crate) fn run(
        self,
        v: &View<'_>,
        from: usize,
        check: &mut dyn FnMut(Span) -> Option<usize>,
    ) {
        match self {
            Self::Number => numeric::number(v, from, check),
            Self::Phone => numeric::phone(v, from, check),
            Self::Date => numeric::date(v, from, check),
            Self::Ipv4 => net::ipv4(v, from, check),
            Self::Ipv6 => net::ipv6(v, from, check),
            Self::Mac => net::mac(v, from, check),
            Self::Email => net::email(v, from, check),
            Self::Iban => ids::iban(v, from, check),
            Self::Nino => ids::nino(v, from, check),
            Self::Dea => ids::dea(v, from, check),
            Self::Mbi => ids::mbi(v, from, check),
            Self::LetterId => ids::letter_id(v, from, check),
            Self::Bic => ids::bic(v, from, check),
            Self::Name => names::name(v, from, check),
            Self::CjkName => names::cjk_name(v, from, check),
            Self::CaselessName => names::caseless_name(v, from, check),
            Self::Address => address::address(v, from, check),
        }
    }
}

/// A unit seen as words: what every shape reads.
pub(crate) struct View<'a> {
    pub(crate) hay: &'a [u8],
    pub(crate) w: &'a [Word],
    pub(crate) words: &'a Words,
}

/// The word indices of two sorted lists, in order, without repeats.
pub(crate) fn merged<'a>(a: &'a [u32], b: &'a [u32]) -> impl Iterator<Item = usize> + 'a {
    let (mut i, mut j) = (0, 0);
    std::iter::from_fn(move || {
        let x = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) if x < y => {
                i += 1;
                x
            }
            (Some(&x), Some(&y)) if x > y => {
                j += 1;
                y
            }
            (Some(&x), Some(_)) => {
                i += 1;
                j += 1;
                x
            }
            (Some(&x), None) => {
                i += 1;
                x
            }
            (None, Some(&y)) => {
                j += 1;
                y
            }
            (None, None) => return None,
        };
        Some(x as usize)
    })
}

/// The indices of `list` from word `from` on.
pub(crate) fn from_word(list: &[u32], from: usize) -> &[u32] {
    &list[list.partition_point(|&k| (k as usize) < from)..]
}

impl<'a> View<'a> {
    pub(crate) fn new(hay: &'a [u8], words: &'a Words) -> Self {
        Self {
            hay,
            w: &words.w,
            words,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.w.len()
    }

    pub(crate) fn text(&self, i: usize) -> &'a [u8] {
        &self.hay[self.w[i].range()]
    }

    /// The separator bytes between word `i` and the next (to the end after the last).
    pub(crate) fn sep(&self, i: usize) -> &'a [u8] {
        let s = self.w[i].end as usize;
        let e = self
            .w
            .get(i + 1)
            .map_or(self.hay.len(), |w| w.start as usize);
        &self.hay[s..e]
    }

    /// The separator bytes before word `i`.
    pub(crate) fn sep_before(&self, i: usize) -> &'a [u8] {
        let e = self.w[i].start as usize;
        let s = if i == 0 {
            0
        } else {
            self.w[i - 1].end as usize
        };
        &self.hay[s..e]
    }

    /// The byte right before word `i`, if any.
    pub(crate) fn byte_before(&self, i: usize) -> Option<u8> {
        (self.w[i].start as usize)
            .checked_sub(1)
            .map(|p| self.hay[p])
    }

    /// The span from the start of word `a` to the end of word `b`.
    pub(crate) fn span(&self, a: usize, b: usize) -> Span {
        Span::new(self.w[a].start as usize, self.w[b].end as usize)
    }

    /// The index of the first word starting at or after byte `at`.
    pub(crate) fn word_at(&self, at: usize) -> usize {
        self.w.partition_point(|w| (w.start as usize) < at)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::structure;
    use super::*;

    /// Every candidate `shape` proposes in `s` (each accepted whole by `check`).
    pub(crate) fn cands(shape: Shape, s: &str) -> Vec<String> {
        cands_with(shape, s, |_| true)
    }

    /// The candidates, with `confirm` deciding which are confirmed (whole).
    pub(crate) fn cands_with(shape: Shape, s: &str, confirm: impl Fn(&str) -> bool) -> Vec<String> {
        let mut w = Words::default();
        w.lex(s.as_bytes());
        structure::mark(s.as_bytes(), &mut w);
        let v = View::new(s.as_bytes(), &w);
        let mut out = Vec::new();
        shape.run(&v, 0, &mut |span| {
            let t = s[span.range()].to_owned();
            let ok = confirm(&t);
            out.push(t);
            ok.then_some(span.end())
        });
        out
    }

    #[test]
    fn names_round_trip() {
        for s in Shape::ALL {
            assert_eq!(Shape::parse(s.name()), Some(s));
        }
        assert_eq!(Shape::parse("nope"), None);
    }
}
