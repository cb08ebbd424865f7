//! PHONE — telephone numbers, ENTITIES.md §3, validated with libphonenumber's metadata (crate
//! `phonenumber`). A number with `+` is parsed on its own; one without is tried against the
//! policy's default regions in order. Contiguous digits without `+` need context.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::str::FromStr;
use std::sync::OnceLock;

use phonenumber::country::Id;

use super::{Cand, Verdict, numeric_boundary_ok};
use crate::span::Span;

/// The regions tried, in order, for numbers written without a country code, each with the
/// trunk digit a national number must then start with (`0` in GB and AU; none required in
/// NANP, whose trunk `1` is optional). The trunks come from libphonenumber's metadata, which
/// is loaded (~65 ms) only when the first candidate needs it, not when a policy is built.
#[derive(Clone, Debug)]
pub(crate) struct Regions {
    ids: Vec<Id>,
    trunks: OnceLock<Vec<Option<u8>>>,
}

impl PartialEq for Regions {
    fn eq(&self, other: &Self) -> bool {
        self.ids == other.ids
    }
}

impl Regions {
    /// US, GB, AU, CA: the regions whose formats ENTITIES.md lists.
    pub(crate) fn default_set() -> Self {
        Self::from_ids([Id::US, Id::GB, Id::AU, Id::CA])
    }

    fn from_ids(ids: impl IntoIterator<Item = Id>) -> Self {
        Self {
            ids: ids.into_iter().collect(),
            trunks: OnceLock::new(),
        }
    }

    /// Each region with its trunk digit.
    fn with_trunks(&self) -> impl Iterator<Item = (Id, Option<u8>)> + '_ {
        let trunks = self.trunks.get_or_init(|| {
            self.ids
                .iter()
                .map(|id| {
                    let code = format!("{id:?}");
                    phonenumber::metadata::DATABASE
                        .by_id(code.as_str())
                        .and_then(|m| m.national_prefix())
                        .filter(|p| *p != "1")
                        .and_then(|p| p.bytes().next())
                })
                .collect()
        });
        self.ids.iter().copied().zip(trunks.iter().copied())
    }

    /// Parses ISO 3166 alpha-2 codes; returns the first one that is not a known region.
    pub(crate) fn parse<'a>(codes: impl IntoIterator<Item = &'a str>) -> Result<Self, &'a str> {
        codes
            .into_iter()
            .map(|c| Id::from_str(&c.to_ascii_uppercase()).map_err(|_| c))
            .collect::<Result<Vec<_>, _>>()
            .map(Self::from_ids)
    }
}

fn digit_count(s: &str) -> usize {
    s.bytes().filter(u8::is_ascii_digit).count()
}

/// The candidate and the shorter forms made by dropping trailing groups (the pattern allows
/// at most seven groups), for
/// patterns that ran on into a following number.
fn shapes(s: &str) -> impl Iterator<Item = &str> {
    let mut cur = Some(s);
    std::iter::from_fn(move || {
        let out = cur?;
        cur = out
            .rfind([' ', '-', '.'])
            .map(|i| out[..i].trim_end_matches([' ', '-', '.', '(']))
            .filter(|t| digit_count(t) >= 7);
        Some(out)
    })
    .take(8)
}

/// Cheap structural test before libphonenumber (which costs microseconds): a national number
/// has 10 or 11 digits, and is NANP (`[2-9]XX [2-9]XX XXXX`, optionally after `1`) or starts
/// with a trunk `0`. Rejects order ids, epoch times and other digit runs at once.
fn plausible_national(b: &[u8]) -> bool {
    let mut d = [0u8; 16];
    let mut n = 0;
    for &x in b {
        if x.is_ascii_digit() {
            if n == d.len() {
                return false;
            }
            d[n] = x - b'0';
            n += 1;
        }
    }
    let nanp = |d: &[u8]| d.len() == 10 && d[0] >= 2 && d[3] >= 2;
    match n {
        10 => d[0] == 0 || nanp(&d[..10]),
        11 => d[0] == 0 || (d[0] == 1 && nanp(&d[1..11])),
        _ => false,
    }
}

/// The E.164 form of a phone number as found in text (`+` numbers as written, others in the
/// first region where they are valid).
pub(crate) fn e164(value: &[u8], regions: &Regions) -> Option<Vec<u8>> {
    let s = std::str::from_utf8(value).ok()?;
    let fmt = |n: phonenumber::PhoneNumber| {
        n.format()
            .mode(phonenumber::Mode::E164)
            .to_string()
            .into_bytes()
    };
    if s.starts_with('+') {
        return phonenumber::parse(None, s).ok().map(fmt);
    }
    regions.ids.iter().find_map(|&id| {
        phonenumber::parse(Some(id), s)
            .ok()
            .filter(phonenumber::is_valid)
            .map(fmt)
    })
}

/// How many verdicts each thread remembers (see [`valid`]).
const MEMO_CAP: usize = 4096;

thread_local! {
    /// Recent verdicts, keyed by a 128-bit keyed hash of (region, text): the map keeps no
    /// number in clear (the hash is no protection against someone who can read the process's
    /// memory, keys included), and a per-thread random key makes collisions a matter of chance
    /// (~2^-105 for a full map), not of input.
    static MEMO: RefCell<(HashMap<u128, bool>, [RandomState; 2])> =
        RefCell::new((HashMap::new(), [RandomState::new(), RandomState::new()]));
}

/// libphonenumber's verdict on `s` read in `region` (`None`: written with `+`). A verdict
/// costs microseconds (the crate's regexes sit behind a shared cache) and the same numbers
/// recur in logs, so each thread remembers the last few thousand.
fn valid(region: Option<Id>, s: &str) -> bool {
    MEMO.with_borrow_mut(|(memo, keys)| {
        let tag = region.map_or(u16::MAX, |id| id as u16);
        let [a, b] = keys.each_ref().map(|k| k.hash_one((tag, s)));
        let key = (u128::from(a) << 64) | u128::from(b);
        if let Some(&v) = memo.get(&key) {
            return v;
        }
        let v = phonenumber::parse(region, s).is_ok_and(|n| phonenumber::is_valid(&n));
        if memo.len() >= MEMO_CAP {
            memo.clear();
        }
        memo.insert(key, v);
        v
    })
}

pub(crate) fn validate(c: &Cand<'_>) -> Option<Verdict> {
    let text = std::str::from_utf8(c.bytes()).ok()?;
    let s = c.span.start();
    if s > 0 && c.hay[s - 1].is_ascii_alphanumeric() {
        return None;
    }
    let plus = text.starts_with('+');
    if !plus && !plausible_national(c.bytes()) {
        return None;
    }
    for shape in shapes(text) {
        let n = digit_count(shape);
        if !(7..=20).contains(&n) {
            continue;
        }
        let span = Span::new(s, s + shape.len());
        if !plus && !shape.starts_with('(') && !numeric_boundary_ok(c.hay, span) {
            continue;
        }
        let grouped = shape
            .bytes()
            .any(|b| matches!(b, b' ' | b'-' | b'.' | b'('));
        let score = if plus {
            if !valid(None, shape) {
                continue;
            }
            0.8
        } else {
            let first = shape.bytes().find(u8::is_ascii_digit);
            let region_ok = |(id, trunk): (Id, Option<u8>)| {
                // Written without `+`, a number of a trunk-prefix country starts with it.
                trunk.is_none_or(|t| first == Some(t)) && valid(Some(id), shape)
            };
            if !c.settings.phone_regions.with_trunks().any(region_ok) {
                continue;
            }
            if grouped { 0.7 } else { 0.3 }
        };
        return Verdict::new(span, score);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::tests::{run, table};
    use super::*;

    #[test]
    fn entities_md_examples() {
        table(
            validate,
            0.5,
            &[
                "+1 201-555-0123",
                "(201) 555-0123",
                "+44 20 7946 0958",
                "+61 491 570 156",
                "020 7946 0958",
                "02 9876 5432",
                "0412 345 678",
                "212-555-0123",
                "212.555.0123",
                "1-212-555-0123",
                "+1 201-555-0123 x123",
            ],
            &["123-456-7890", "+44 20 7946 095", "2024-01-02", "12345"],
        );
    }

    #[test]
    fn contiguous_needs_context() {
        assert!(run(validate, "2015550123").unwrap().score < 0.5);
    }

    #[test]
    fn trailing_group_is_dropped() {
        let v = run(validate, "+44 20 7946 0958 12").unwrap();
        assert_eq!(v.span, Span::new(0, 16));
        // A canonical E.164 number followed by an IP address: four groups to drop.
        let v = run(validate, "+442079460958 203.0.113.9").unwrap();
        assert_eq!(v.span, Span::new(0, 13));
    }

    #[test]
    fn digit_runs_are_rejected_before_parsing() {
        assert!(!plausible_national(b"1700000000"));
        assert!(!plausible_national(b"1700000000123"));
        assert!(!plausible_national(b"884213456"));
        assert!(plausible_national(b"2015550123"));
        assert!(plausible_national(b"02079460958"));
        assert!(plausible_national(b"12015550123"));
    }

    #[test]
    fn remembered_verdicts_are_the_same_verdicts() {
        let cases = [
            (None, "+44 20 7946 0958", true),
            (None, "+44 20 7946 095", false),
            (Some(Id::US), "212-555-0123", true),
            (Some(Id::GB), "212-555-0123", false),
            (Some(Id::GB), "020 7946 0958", true),
            (Some(Id::US), "020 7946 0958", false),
        ];
        // Twice: the second round is answered from the memo, and must agree.
        for _ in 0..2 {
            for (region, s, want) in cases {
                assert_eq!(valid(region, s), want, "{s} in {region:?}");
            }
        }
    }

    #[test]
    fn regions_parse() {
        assert!(Regions::parse(["us", "GB"]).is_ok());
        assert_eq!(Regions::parse(["US", "XX"]), Err("XX"));
    }
}
