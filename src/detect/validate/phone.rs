//! PHONE — telephone numbers, ENTITIES.md §3, checked against the numbering plans of
//! libphonenumber's metadata ([`crate::phone`], compiled ahead of time). A number with `+`
//! is checked on its own; one without is tried against the policy's default regions
//! (`phone_regions`, by default US, GB, AU, CA), and a grouped national number valid only in
//! some other region scores low, so that only phone context (`tel`, `call`…) reports it.
//! Contiguous digits without `+` need context.

use super::{Cand, Verdict, numeric_boundary_ok};
use crate::phone::{self, Region};
use crate::span::Span;

/// Digits of a candidate (at most 20), without separators.
struct Num {
    buf: [u8; 20],
    len: usize,
}

impl Num {
    fn of(b: &[u8]) -> Option<Self> {
        let mut n = Self {
            buf: [0; 20],
            len: 0,
        };
        for &x in b.iter().filter(|x| x.is_ascii_digit()) {
            if n.len == n.buf.len() {
                return None;
            }
            n.buf[n.len] = x;
            n.len += 1;
        }
        Some(n)
    }

    fn digits(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// The length of `text` without a trailing extension (` x123`, `x123`, ` ext. 123`,
/// ` extension 12`), if it has one.
fn without_extension(text: &[u8]) -> Option<usize> {
    let digits = text.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 5 {
        return None;
    }
    let mut head = &text[..text.len() - digits];
    head = head.trim_ascii_end();
    let head = head
        .strip_suffix(b".")
        .unwrap_or(head)
        .strip_suffix(b":")
        .unwrap_or(head);
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

/// The candidate and the shorter forms made by dropping trailing groups, for candidates that
/// ran on into a following number: `(length, has an extension)`.
fn forms(text: &[u8]) -> impl Iterator<Item = usize> + '_ {
    let first = without_extension(text).map(|_| text.len());
    let mut cur = Some(without_extension(text).unwrap_or(text.len()));
    first
        .into_iter()
        .chain(std::iter::from_fn(move || {
            let out = cur?;
            let t = &text[..out];
            cur = t
                .iter()
                .rposition(|b| matches!(b, b' ' | b'-' | b'.' | b'/'))
                .map(|i| {
                    let mut e = i;
                    while e > 0 && matches!(t[e - 1], b' ' | b'-' | b'.' | b'(' | b'/') {
                        e -= 1;
                    }
                    e
                })
                .filter(|&e| t[..e].iter().filter(|b| b.is_ascii_digit()).count() >= 7);
            Some(out)
        }))
        .take(9)
}

/// The verdict on the number `text` (no extension), written with `+` or not.
fn score(text: &[u8], regions: &phone::Regions) -> Option<f32> {
    let num = Num::of(text)?;
    let d = num.digits();
    if !(7..=17).contains(&d.len()) {
        return None;
    }
    if text.first() == Some(&b'+') {
        return phone::international(d).map(|_| 0.8);
    }
    let grouped = text
        .iter()
        .any(|b| matches!(b, b' ' | b'-' | b'.' | b'(' | b'/'));
    let first = d[0];
    // Written without `+`, a number of a trunk-prefix country starts with its trunk; NANP's
    // trunk `1` is optional, and NANP numbers are grouped [1-]3-3-4 (or 3-7, 1-3-7).
    let in_region = |r: Region| {
        let trunk = r.trunk().map(|t| t.as_bytes()[0]);
        let nanp = trunk == Some(b'1');
        (nanp || trunk.is_none_or(|t| t == first))
            && (!nanp || !grouped || nanp_grouping(text, first == b'1'))
            && phone::national(r, d).is_some()
    };
    if regions.as_slice().iter().any(|&r| in_region(r)) {
        return Some(if grouped { 0.7 } else { 0.3 });
    }
    // A national format of another region: only as written by people (grouped, with its
    // trunk), and weak without phone context.
    if grouped
        && phone::with_trunk(first)
            .iter()
            .any(|&r| !regions.contains(r) && in_region(r))
    {
        return Some(0.2);
    }
    None
}

/// True when the groups of a NANP number end where `1-NXX-NXX-XXXX` groups do: after 3
/// and 6 digits (or after 1, 4 and 7 with the trunk `1`), so `30852 30852` is not one.
fn nanp_grouping(text: &[u8], trunk: bool) -> bool {
    let ends: &[usize] = if trunk { &[1, 4, 7, 11] } else { &[3, 6, 10] };
    let mut n = 0;
    let mut prev_digit = false;
    for &b in text {
        if b.is_ascii_digit() {
            n += 1;
            prev_digit = true;
        } else {
            if prev_digit && !ends.contains(&n) {
                return false;
            }
            prev_digit = false;
        }
    }
    true
}

pub(crate) fn validate(c: &Cand<'_>) -> Option<Verdict> {
    let text = c.bytes();
    let s = c.span.start();
    if s > 0 && c.hay[s - 1].is_ascii_alphanumeric() {
        return None;
    }
    let plus = text.first() == Some(&b'+');
    for len in forms(text) {
        let form = &text[..len];
        let main = without_extension(form).map_or(form, |m| &form[..m]);
        let span = Span::new(s, s + len);
        if !plus && !form.starts_with(b"(") && !numeric_boundary_ok(c.hay, span) {
            continue;
        }
        if let Some(score) = score(main, &c.settings.phone_regions) {
            return Verdict::new(span, score);
        }
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
            ],
            &[],
        );
        // Another region's national format: found, but weak without context.
        let de = run(validate, "06 12 34 56 78").unwrap();
        assert!(de.score < 0.5 && de.score > 0.0, "{de:?}");
        // Contiguous, no `+`: weak.
        assert!(run(validate, "2015550123").unwrap().score < 0.5);
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

    #[test]
    fn regions_parse() {
        assert!(phone::Regions::parse(["us", "GB"]).is_ok());
        assert_eq!(phone::Regions::parse(["US", "XX"]), Err("XX"));
    }
}
