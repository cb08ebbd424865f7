//! PHONE — telephone numbers, ENTITIES.md §3, checked against the numbering plans of
//! libphonenumber's metadata ([`crate::phone`], compiled ahead of time). A number with `+`
//! is checked on its own; one without is tried against the policy's default regions
//! (`phone_regions`, by default US, GB, AU, CA), and a grouped national number valid only in
//! some other region scores low, so that only phone context (`tel`, `call`…) reports it.
//! Contiguous digits without `+` need context.
//!
//! The candidate is parsed once into its digit groups; the forms tried are the candidate and
//! the shorter ones that drop trailing groups (a shape may run on into a following number).

use std::sync::OnceLock;

use super::{Cand, Verdict, numeric_boundary_ok};
use crate::phone::{self, Region};
use crate::span::Span;

/// Most digit groups of a number (`+1 (212) 555 0123 4567…`).
const GROUPS: usize = 10;
/// Most digits kept.
const DIGITS: usize = 20;
/// Most digits of a number with its trunk prefix (as the phone shape proposes them).
const PHONE_DIGITS: usize = 17;

/// A candidate parsed once: its digits, where each group ends (in digits and in bytes), a
/// `+`, and where an extension starts and ends.
struct Parsed {
    digits: [u8; DIGITS],
    /// After group `g`: how many digits, and the byte offset of its end.
    ends: [(u8, u16); GROUPS],
    groups: usize,
    plus: bool,
    /// Bytes of the whole candidate with its extension, when it has one.
    with_ext: Option<usize>,
}

impl Parsed {
    fn new(text: &[u8]) -> Option<Self> {
        let mut p = Self {
            digits: [0; DIGITS],
            ends: [(0, 0); GROUPS],
            groups: 0,
            plus: text.first() == Some(&b'+'),
            with_ext: None,
        };
        let main = match without_extension(text) {
            Some(m) => {
                p.with_ext = Some(text.len());
                &text[..m]
            }
            None => text,
        };
        let mut n = 0;
        let mut in_group = false;
        for (i, &b) in main.iter().enumerate() {
            if b.is_ascii_digit() {
                if n == DIGITS {
                    return None;
                }
                p.digits[n] = b;
                n += 1;
                in_group = true;
            } else if in_group {
                if p.groups == GROUPS {
                    return None;
                }
                p.ends[p.groups] = (n as u8, i as u16);
                p.groups += 1;
                in_group = false;
            }
        }
        if in_group {
            if p.groups == GROUPS {
                return None;
            }
            p.ends[p.groups] = (n as u8, main.len() as u16);
            p.groups += 1;
        }
        Some(p)
    }
}

/// The length of `text` without a trailing extension (` x123`, `x123`, ` ext. 123`,
/// ` extension 12`), if it has one.
fn without_extension(text: &[u8]) -> Option<usize> {
    let digits = text.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 5 || digits == text.len() {
        return None;
    }
    let head = text[..text.len() - digits].trim_ascii_end();
    let head = head.strip_suffix(b".").unwrap_or(head);
    let head = head.strip_suffix(b":").unwrap_or(head);
    let word = ["extension", "extn", "ext", "x"].iter().find(|w| {
        head.len() >= w.len() && head[head.len() - w.len()..].eq_ignore_ascii_case(w.as_bytes())
    })?;
    let main = &head[..head.len() - word.len()];
    // The word stands alone (or `x` is glued to the last digit group).
    if main.last().is_some_and(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    Some(main.trim_ascii_end().len())
}

/// True when the groups of a NANP number end where `1-NXX-NXX-XXXX` groups do: after 3
/// and 6 digits (or after 1, 4 and 7 with the trunk `1`), so `30852 30852` is not one.
fn nanp_grouping(ends: &[(u8, u16)], trunk: bool) -> bool {
    // Where the groups before the last end: 3-3-4, 3-7, or one run (and with the trunk
    // 1-3-3-4, 1-3-7, 1-10); `326407-8452` is not a way to write a number.
    let forms: &[&[u8]] = if trunk {
        &[&[1, 4, 7], &[1, 4], &[1], &[4, 7], &[4], &[]]
    } else {
        &[&[3, 6], &[3], &[]]
    };
    let mut at = [0u8; 4];
    let n = ends.len().min(at.len());
    for (a, &(d, _)) in at.iter_mut().zip(ends) {
        *a = d;
    }
    ends.len() <= at.len() && forms.contains(&&at[..n])
}

/// Per trunk digit and national number length: one region per calling code whose numbers
/// (trunk dropped) may have that length, for the national formats of other regions.
fn other_regions(trunk: u8, len: usize) -> &'static [Region] {
    static BY: OnceLock<Vec<Vec<Vec<Region>>>> = OnceLock::new();
    let by = BY.get_or_init(|| {
        (b'0'..=b'9')
            .map(|t| {
                (0..=DIGITS)
                    .map(|l| {
                        phone::with_trunk(t)
                            .iter()
                            .chain(phone::without_trunk())
                            .copied()
                            .filter(|&r| {
                                l >= 1
                                    && (phone::may_have_length(r, l - 1)
                                        || phone::may_have_length(r, l))
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect()
    });
    if !trunk.is_ascii_digit() || len > DIGITS {
        return &[];
    }
    &by[usize::from(trunk - b'0')][len]
}

/// The score of the number whose digits are `d`, grouped as `ends` (the first `g` groups of
/// the candidate), written with `+` or not.
/// With `fallback`, a number no plan confirms but a phone word may label scores 0.2.
fn score(
    p: &Parsed,
    g: usize,
    regions: &phone::Regions,
    supported: bool,
    fallback: bool,
) -> Option<f32> {
    let nd = usize::from(p.ends[g - 1].0);
    let d = &p.digits[..nd];
    if !(7..=17).contains(&nd) {
        return None;
    }
    let grouped = g > 1 || p.ends[0].1 as usize > nd;
    // What a phone word labels is a phone number however its plan rates it (a number not
    // yet assigned, a test range, a plan velum's metadata does not know): weak, so only a
    // label (`phone=`, `"phone": …`, `tel.`) reports it. Written as phones are: with `+`
    // and 8–15 digits, or in groups, or 9–15 digits.
    let labelled_only = |ok: bool| {
        (fallback && supported && ok && (g == 1 || p.ends[0].0 <= 5) && nd <= 15).then_some(0.2)
    };
    if p.plus {
        return phone::international(d)
            .map(|_| 0.8)
            .or_else(|| labelled_only(nd >= 8));
    }
    // Grouped, a number starts with its area or trunk code: at most five digits
    // (`01632 960123`); `020011 6037` is a time and a process id.
    if g > 1 && p.ends[0].0 > 5 {
        return None;
    }
    // `00` is the international prefix of most of the world: `001-234-280-3587`,
    // `0044 20 7946 0958`.
    if let Some(rest) = d.strip_prefix(b"00")
        && phone::international(rest).is_some()
    {
        return Some(if grouped { 0.7 } else { 0.3 });
    }
    let first = d[0];
    // Written without `+`, a number of a trunk-prefix country starts with its trunk; NANP's
    // trunk `1` is optional, and NANP numbers are grouped [1-]3-3-4 (or 3-7, 1-3-7).
    let ends = &p.ends[..g - 1];
    let in_region = |r: Region| {
        let trunk = r.trunk().map(|t| t.as_bytes()[0]);
        let nanp = trunk == Some(b'1');
        (nanp || trunk.is_none_or(|t| t == first))
            && (!nanp || nanp_grouping(ends, first == b'1'))
            && phone::national(r, d).is_some()
    };
    // Regions sharing a calling code are tried together (`national` does), once.
    let rs = regions.as_slice();
    let default = rs.iter().enumerate().any(|(k, &r)| {
        !rs[..k].iter().any(|q| q.calling_code() == r.calling_code()) && in_region(r)
    });
    if default {
        return Some(if grouped { 0.7 } else { 0.3 });
    }
    // A national format of another region: weak without phone context, and contiguous
    // digits weaker still (they reach the threshold only with a phone word, so without one
    // in the unit they are not looked up).
    if supported
        && other_regions(first, nd)
            .iter()
            .any(|&r| !regions.has_code(r.calling_code()) && in_region(r))
    {
        return Some(if grouped { 0.2 } else { 0.15 });
    }
    labelled_only(grouped || nd >= 9)
}

pub(crate) fn validate(c: &Cand<'_>) -> Option<Verdict> {
    let v = reading(c)?;
    // A weak reading (another region's number) must not swallow a strong one that starts at
    // a later group (`… 7654 32 (212) 555-0143`): then only the groups before it are read,
    // as the next pass reads them once the strong one is a label.
    if v.score < 0.5
        && let Some(at) = stronger_later(c)
    {
        let text = &c.hay[c.span.start()..at];
        let end = text.iter().rposition(u8::is_ascii_digit)? + 1;
        let mut before = Cand::new(
            c.hay,
            Span::new(c.span.start(), c.span.start() + end),
            c.settings,
        );
        before.supported = c.supported;
        return reading(&before).filter(|w| w.span.end() <= at);
    }
    Some(v)
}

/// Where the candidate, from one of its later groups, reads as a default region's number.
fn stronger_later(c: &Cand<'_>) -> Option<usize> {
    let text = c.bytes();
    let mut i = 0;
    loop {
        // The start of the next group (a digit or the bracket of an area code).
        let d = text[i..].iter().position(|b| !b.is_ascii_digit())?;
        let k = text[i + d..]
            .iter()
            .position(|b| b.is_ascii_digit() || *b == b'(')?;
        i += d + k;
        // The shape may have cut the run short (at its digit limit): a later number may end
        // after it, within the limit counted from its own start.
        let start = c.span.start() + i;
        let mut digits = c.hay[start..c.span.end()]
            .iter()
            .filter(|b| b.is_ascii_digit())
            .count();
        let mut end = c.span.end();
        // A bracket that closes nothing of the candidate ended it: what follows is another
        // value (`5533 0/44 0)32 0130000`), which may be redacted before the next pass.
        let unopened = c.hay.get(end) == Some(&b')') && !text.contains(&b'(');
        while let Some(&b) = c.hay.get(end).filter(|_| !unopened) {
            let digit = b.is_ascii_digit();
            if !(digit || matches!(b, b' ' | b'-' | b'.' | b'(' | b')'))
                || (digit && digits == PHONE_DIGITS)
            {
                break;
            }
            digits += usize::from(digit);
            end += 1;
        }
        let rest = Span::new(start, end);
        if reading(&Cand::new(c.hay, rest, c.settings)).is_some_and(|v| v.score >= 0.5) {
            return Some(start);
        }
        if text[i] == b'(' {
            i += 1;
        }
    }
}

/// The best reading of a candidate: the whole of it, then without trailing groups.
fn reading(c: &Cand<'_>) -> Option<Verdict> {
    let text = c.bytes();
    let s = c.span.start();
    if s > 0 && c.hay[s - 1].is_ascii_alphanumeric() {
        return None;
    }
    let p = Parsed::new(text)?;
    let regions = &c.settings.phone_regions;
    // The whole candidate (with its extension), then without trailing groups; then, when no
    // plan confirms any of them, the whole candidate as a number only a label reports.
    for (g, fallback) in (1..=p.groups)
        .rev()
        .map(|g| (g, false))
        .chain(std::iter::once((p.groups, true)))
    {
        if usize::from(p.ends[g - 1].0) < 7 {
            continue;
        }
        let len = match p.with_ext {
            Some(e) if g == p.groups => e,
            _ => usize::from(p.ends[g - 1].1),
        };
        let span = Span::new(s, s + len);
        // The boundary is checked after the extension when it is kept (`0199x12`).
        let bounded = if len > usize::from(p.ends[g - 1].1) {
            len
        } else {
            usize::from(p.ends[g - 1].1)
        };
        if !p.plus && text[0] != b'(' && !numeric_boundary_ok(c.hay, Span::new(s, s + bounded)) {
            continue;
        }
        if let Some(score) = score(&p, g, regions, c.supported, fallback) {
            return Verdict::new(span, score);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::tests::{run, table};
    use super::*;

    /// See: fuzz/regressions/json/prefix-before-bracket-idempotence — the weak reading of
    /// a number does not give way to one made with the value after a bracket it never
    /// opened, which the next pass sees as a label.
    #[test]
    fn a_stray_bracket_ends_the_number() {
        // See also fuzz/regressions/json/weak-prefix-idempotence: before a strong number.
        use super::super::tests::run_at as at;
        let first = at(validate, "5533 0/44 0532 0130 030", 0, 23);
        let second = at(validate, "5533 0/44 0532 [PHONE]", 0, 14);
        assert_eq!(first.map(|v| v.span), second.map(|v| v.span));
        use super::super::tests::run_at;
        let first = run_at(validate, "5533 0/44 0)32 0130000", 0, 11);
        let second = run_at(validate, "5533 0/44 0)[PHONE]", 0, 11);
        assert_eq!(first.map(|v| v.span), second.map(|v| v.span));
    }

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
    fn more_national_forms() {
        table(
            validate,
            0.5,
            &[
                "415.555.0199",
                "(020) 7946 0018",
                "212 5550143",
                "1800 555-0199",
                "1-800-555-0199",
                "+44 (0)20 7946 0958",
                "(212) 555-0123 ext. 42",
                "07829 858162",
            ],
            &["30852 30852"],
        );
        // Another region's national format: found, but weak without context.
        let fr = run(validate, "06 12 34 56 78").unwrap();
        assert!(fr.score < 0.5 && fr.score > 0.0, "{fr:?}");
        // Contiguous, no `+`: weak.
        assert!(run(validate, "2015550123").unwrap().score < 0.5);
    }

    #[test]
    fn other_regions_and_prefixes() {
        // Regions without a trunk prefix (Italy, Poland): any first digit, weak.
        for n in ["3520887192", "0123056737", "539 498 418", "32 326 85 81"] {
            let v = run(validate, n).unwrap_or_else(|| panic!("{n}"));
            assert!(v.score < 0.25, "{n} {v:?}");
        }
        // `00` for `+`, grouped as the country writes it.
        assert!(run(validate, "001-234-280-3587").unwrap().score >= 0.5);
        assert!(run(validate, "0044 20 7946 0958").unwrap().score >= 0.5);
        // A glued extension stays with its number.
        let v = run(validate, "830.590.6396x14986").unwrap();
        assert_eq!(v.span, Span::new(0, 18));
        // NANP digits in groups no one writes are not a NANP number.
        assert!(run(validate, "326407-8452").is_none_or(|v| v.score < 0.25));
    }

    /// See: tests/properties.proptest-regressions (`… 7654 32 (212) 555-0143`): a weak
    /// reading from `32` hid the US number after it.
    #[test]
    fn a_weak_start_gives_way_to_a_strong_number_after_it() {
        assert!(run(validate, "32 (212) 555-0143").is_none());
        assert!(run(validate, "7654 32 (212) 555-0143").is_none());
        // The groups before it are read alone, as the next pass reads them.
        let hay = "1111 1111 (212) 555-0143";
        let v = super::super::tests::run_at(validate, hay, 0, 19);
        assert!(v.is_none_or(|v| v.span.end() <= 9), "{v:?}");
        let hay = "32 (212) 555-0143 4111 1111 1111 1111";
        assert!(super::super::tests::run_at(validate, hay, 0, 22).is_none());
        // A first group longer than any area code is not the start of a number.
        assert!(run(validate, "020011 6037").is_none());
        assert!(run(validate, "01632 960123").is_some());
        assert!(run(validate, "(212) 555-0143").is_some_and(|v| v.score >= 0.5));
    }

    #[test]
    fn trailing_group_is_dropped() {
        let v = run(validate, "+44 20 7946 0958 12").unwrap();
        assert_eq!(v.span, Span::new(0, 16));
        // A canonical E.164 number followed by an IP address: four groups to drop.
        let v = run(validate, "+442079460958 203.0.113.9").unwrap();
        assert_eq!(v.span, Span::new(0, 13));
        // The extension stays with its number.
        let v = run(validate, "+1 201-555-0123 x123").unwrap();
        assert_eq!(v.span, Span::new(0, 20));
    }

    /// Issue 21: a number a phone word labels is reported whatever its plan says, weakly.
    #[test]
    fn a_labelled_number_needs_no_valid_plan() {
        use super::super::tests::run_supported;
        for n in [
            "+1 452-507-9362",
            "+18780293054",
            "123-456-7890",
            "(123) 456 7890",
        ] {
            let v = run_supported(validate, n).unwrap_or_else(|| panic!("{n}"));
            assert!(v.score < 0.25, "{n}: {v:?}");
            assert!(run(validate, n).is_none_or(|v| v.score < 0.25), "{n}");
        }
        // Too short to be a phone.
        for n in ["+1234567", "+12 345"] {
            assert!(run_supported(validate, n).is_none(), "{n}");
        }
    }

    #[test]
    fn regions_parse() {
        assert!(phone::Regions::parse(["us", "GB"]).is_ok());
        assert_eq!(phone::Regions::parse(["US", "XX"]), Err("XX"));
    }
}
