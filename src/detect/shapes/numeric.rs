//! Digit shapes: numbers (a run of digits, or groups of digits), telephone numbers and dates.

use super::{View, from_word, merged};
use crate::detect::structure::{DATE, NOT_NUMBER, TIME};
use crate::span::Span;

/// Most groups a grouped number has (`4-4-4-4-3` is five; phones with an area code in
/// brackets and a country code reach seven).
const MAX_GROUPS: usize = 7;
/// Most digits of a number candidate (cards reach 19).
const MAX_DIGITS: usize = 19;
/// Fewest digits a number candidate has (bank accounts and record numbers start at 6).
const MIN_DIGITS: usize = 6;

/// A word that may be a group of a number: digits only, and not part of a time, a date, a
/// version or an identifier.
fn group(v: &View<'_>, i: usize) -> bool {
    let w = v.w[i];
    w.is_number() && w.mark & NOT_NUMBER == 0
}

/// Separators between the groups of a number: one space, `-` or `.`.
fn number_sep(s: &[u8]) -> bool {
    matches!(s, [b' '] | [b'-'] | [b'.'])
}

/// The words `i..k` of a run of number groups starting at `i`.
fn run_end(v: &View<'_>, i: usize) -> usize {
    let mut k = i + 1;
    while k < v.len() && group(v, k) && number_sep(v.sep(k - 1)) {
        k += 1;
    }
    k
}

/// Numbers: within each run of groups, from every group, the sub-runs of up to seven groups
/// and 6–19 digits, longest first. A validator that confirms the longest keeps the shorter
/// ones of the same start from being tried for its detector (the engine skips a detector's
/// candidates that start inside its last value).
pub(super) fn number(v: &View<'_>, from: usize, check: &mut dyn FnMut(Span) -> Option<usize>) {
    let mut next = 0;
    for &i in from_word(&v.words.nums, from) {
        let i = i as usize;
        if i < next || !group(v, i) {
            continue;
        }
        let k = run_end(v, i);
        for a in i..k {
            let mut ends = [0usize; MAX_GROUPS];
            let mut m = 0;
            let mut digits = 0;
            for b in a..k.min(a + MAX_GROUPS) {
                digits += v.w[b].len();
                if digits > MAX_DIGITS {
                    break;
                }
                if digits >= MIN_DIGITS {
                    ends[m] = b;
                    m += 1;
                }
            }
            for &b in ends[..m].iter().rev() {
                check(v.span(a, b));
            }
        }
        next = k;
    }
}

/// Separators inside a telephone number: a space, `-`, `.`, `/`, and the brackets of an area
/// or trunk code (`(212) 555`, `+44 (0)20`, `1-(800)`).
fn phone_sep(s: &[u8]) -> bool {
    !s.is_empty()
        && s.len() <= 3
        && s.iter()
            .all(|b| matches!(b, b' ' | b'-' | b'.' | b'/' | b'(' | b')'))
        && s.iter().filter(|&&b| b == b' ').count() <= 1
}

/// Most digits of a telephone number with its trunk prefix (E.164 allows 15).
const PHONE_DIGITS: usize = 17;

/// Telephone numbers: from each group (and the `+` or `(` before it), the longest run of
/// groups a number may have, with an extension (`x123`, `ext. 123`); the validator drops
/// trailing groups until a valid number remains. After a number is found the search goes on
/// after it; after a rejected one, from the next group.
pub(super) fn phone(v: &View<'_>, from: usize, check: &mut dyn FnMut(Span) -> Option<usize>) {
    let n = v.len();
    let mut next = 0;
    for &i in from_word(&v.words.nums, from) {
        let i = i as usize;
        if i < next || !group(v, i) {
            continue;
        }
        // Four dotted groups of one to three digits are an IPv4 address, not a phone
        // (unless a `+` says otherwise: `+61.466.220.943`).
        if matches!(v.sep(i), [b'.'])
            && i + 3 < n
            && v.sep_before(i).last() != Some(&b'+')
            && (0..4).all(|k| v.w[i + k].is_number() && v.w[i + k].len() <= 3)
            && (0..3).all(|k| matches!(v.sep(i + k), [b'.']))
        {
            next = i + 4;
            continue;
        }
        // The number may begin at a `+` or `(` right before its first group.
        let before = v.sep_before(i);
        let mut start = v.w[i].start as usize;
        let mut open = 0;
        if let Some(&b) = before.last()
            && matches!(b, b'+' | b'(')
        {
            start -= 1;
            if b == b'(' {
                open = 1;
            }
            // `+1 (212)`: the `+` before a bracket.
        }
        let mut digits = v.w[i].len();
        let mut groups = 1;
        let mut k = i;
        let mut glued = false;
        while k + 1 < n && groups < 8 {
            let sep = v.sep(k);
            if !phone_sep(sep) {
                break;
            }
            // The last group with its extension glued on (`0199x12`).
            if let Some(d) = glued_extension(v.text(k + 1)) {
                digits += d;
                k += 1;
                glued = true;
                break;
            }
            if !group(v, k + 1) {
                break;
            }
            let opens = sep.iter().filter(|&&b| b == b'(').count();
            let closes = sep.iter().filter(|&&b| b == b')').count();
            if open + opens > 1 + closes || closes > open + opens {
                break;
            }
            open = open + opens - closes;
            if digits + v.w[k + 1].len() > PHONE_DIGITS {
                break;
            }
            digits += v.w[k + 1].len();
            groups += 1;
            k += 1;
        }
        let mut end = v.w[k].end as usize;
        // A closing bracket of the last group (`(0)` trunks are inside the run).
        if open == 1 && v.hay.get(end) == Some(&b')') {
            end += 1;
        }
        if digits >= 7 {
            if !glued {
                end = extension(v, k).unwrap_or(end);
            }
            if let Some(e) = check(Span::new(start, end)) {
                next = v.word_at(e);
            }
        }
    }
}

/// For a word like `0199x12` (a group and its extension), the digits of the group.
fn glued_extension(t: &[u8]) -> Option<usize> {
    let d = t.iter().take_while(|b| b.is_ascii_digit()).count();
    let rest = &t[d..];
    ((2..=5).contains(&d)
        && rest.len() >= 2
        && rest.len() <= 6
        && matches!(rest[0], b'x' | b'X')
        && rest[1..].iter().all(u8::is_ascii_digit))
    .then_some(d)
}

/// The end of an extension after word `k` (`x123`, ` x 123`, ` ext. 123`, ` ext 123`).
fn extension(v: &View<'_>, k: usize) -> Option<usize> {
    let next = k + 1;
    if next >= v.len() {
        return None;
    }
    let sep = v.sep(k);
    let t = v.text(next);
    // `x123` is one word.
    if matches!(sep, [b' '] | [])
        && t.len() >= 2
        && matches!(t[0], b'x' | b'X')
        && t[1..].iter().all(u8::is_ascii_digit)
        && t.len() <= 6
    {
        return Some(v.w[next].end as usize);
    }
    let word = ["x", "ext", "extn", "extension"]
        .iter()
        .any(|w| t.eq_ignore_ascii_case(w.as_bytes()));
    if matches!(sep, [b' '] | []) && word && next + 1 < v.len() {
        let s2 = v.sep(next);
        if matches!(s2, [b' '] | [b'.', b' '] | [b'.'] | [b':', b' '] | [])
            && v.w[next + 1].is_number()
            && v.w[next + 1].len() <= 5
        {
            return Some(v.w[next + 1].end as usize);
        }
    }
    None
}

/// Separators inside a date (`17 June 1975`, `June 17, 1975`, `17-Jun-1975`, `1975-06-17`).
fn date_sep(s: &[u8]) -> bool {
    matches!(
        s,
        [b' '] | [b',', b' '] | [b','] | [b'-'] | [b'/'] | [b'.'] | [b'.', b' ']
    )
}

/// Dates: the runs of words the structure pass marked as a date (without a time of day;
/// `T00:00:00` is a date), a year after a month-name date, and compact `19800517`.
pub(super) fn date(v: &View<'_>, from: usize, check: &mut dyn FnMut(Span) -> Option<usize>) {
    let n = v.len();
    let mut next = 0;
    let starts = merged(
        from_word(&v.words.nums, from),
        from_word(&v.words.caps, from),
    );
    for i in starts {
        if i < next {
            continue;
        }
        let w = v.w[i];
        if w.mark & DATE == 0 {
            // `19800517`: a compact date needs no marks (a bare one is only ever a date of
            // birth with context).
            let t = v.text(i);
            if w.is_number()
                && w.len() == 8
                && w.mark & NOT_NUMBER == 0
                && (t.starts_with(b"19") || t.starts_with(b"20"))
            {
                check(v.span(i, i));
            }
            continue;
        }
        let mut k = i;
        while k + 1 < n && v.w[k + 1].mark & DATE != 0 && date_sep(v.sep(k)) {
            k += 1;
        }
        // A year after `June 17,`.
        if k + 1 < n
            && matches!(v.sep(k), [b',', b' '] | [b' '] | [b','])
            && v.w[k + 1].is_number()
            && v.w[k + 1].len() == 4
            && v.w[k + 1].mark & NOT_NUMBER == 0
        {
            k += 1;
        }
        let mut end = v.w[k].end as usize;
        // A time of day makes it a timestamp, unless it is midnight (`T00:00:00Z`).
        let timed = (i..=k).any(|x| v.w[x].mark & TIME != 0)
            || v.w
                .get(k + 1)
                .is_some_and(|x| x.mark & TIME != 0 && date_sep(v.sep(k)));
        next = k + 1;
        if timed {
            match midnight(v, k) {
                Some(e) => end = e,
                None => continue,
            }
        }
        check(Span::new(v.w[i].start as usize, end));
    }
}

/// The end of `T00:00:00(.000)(Z)` when the date's last word is `DDT00` followed by it.
fn midnight(v: &View<'_>, k: usize) -> Option<usize> {
    let t = v.text(k);
    if !t.ends_with(b"T00") {
        return None;
    }
    // `:00:00`, the last `00` perhaps with its zone glued on (`00Z`).
    let mut j = k;
    for part in 0..2 {
        if j + 1 >= v.len() || !matches!(v.sep(j), [b':']) {
            return None;
        }
        let next = v.text(j + 1);
        if !(next == b"00" || (part == 1 && next == b"00Z")) {
            return None;
        }
        j += 1;
    }
    let mut end = v.w[j].end as usize;
    if matches!(v.sep(j), [b'.']) && j + 1 < v.len() {
        let f = v.text(j + 1);
        let digits = f.strip_suffix(b"Z").unwrap_or(f);
        if !digits.is_empty() && digits.iter().all(|&b| b == b'0') {
            end = v.w[j + 1].end as usize;
        }
    }
    Some(end)
}

#[cfg(test)]
mod tests {
    use super::super::Shape;
    use super::super::tests::{cands, cands_with};

    #[test]
    fn numbers_longest_first_from_each_group() {
        assert_eq!(
            cands(Shape::Number, "ssn 536-90-4399 ok"),
            ["536-90-4399", "90-4399"]
        );
        // Confirmed whole: the engine skips starts inside it per detector; the shape still
        // proposes them.
        assert_eq!(
            cands(Shape::Number, "card 4111 1111 1111 1111 2024"),
            [
                "4111 1111 1111 1111",
                "4111 1111 1111",
                "4111 1111",
                "1111 1111 1111 2024",
                "1111 1111 1111",
                "1111 1111",
                "1111 1111 2024",
                "1111 1111",
                "1111 2024"
            ]
        );
        // Times, dates, versions and ids are not numbers.
        assert!(cands(Shape::Number, "2026-11-25T09:14:02.377Z 16:00:00,144").is_empty());
        assert!(cands(Shape::Number, "blk_-4980916519894289629 v1.2.3.4.5").is_empty());
        // Long runs: at most seven groups and 19 digits per candidate.
        let long = "12-".repeat(1000);
        let n = cands(Shape::Number, &long).len();
        assert!(n < 1000 * 7, "{n}");
    }

    #[test]
    fn phones_from_each_start() {
        assert_eq!(
            cands_with(Shape::Phone, "call +44 20 7946 0958 now", |_| true),
            ["+44 20 7946 0958"]
        );
        assert_eq!(cands(Shape::Phone, "(212) 555-0123 x"), ["(212) 555-0123"]);
        assert_eq!(
            cands(Shape::Phone, "tel 1 (800) 555-0199 ext. 12"),
            ["1 (800) 555-0199 ext. 12"]
        );
        assert_eq!(
            cands(Shape::Phone, "ph 212.555.0199x12"),
            ["212.555.0199x12"]
        );
        // Rejected: the next group is tried.
        assert_eq!(
            cands_with(Shape::Phone, "9 212 555 0199", |_| false)[..2],
            ["9 212 555 0199", "212 555 0199"]
        );
    }

    #[test]
    fn dates() {
        assert_eq!(cands(Shape::Date, "dob 1980-05-17 x"), ["1980-05-17"]);
        assert_eq!(cands(Shape::Date, "born June 17, 1975."), ["June 17, 1975"]);
        assert_eq!(cands(Shape::Date, "born 17 Jun 1975"), ["17 Jun 1975"]);
        assert_eq!(cands(Shape::Date, "dob 19800517"), ["19800517"]);
        assert_eq!(
            cands(Shape::Date, "birthDate 1980-05-17T00:00:00Z"),
            ["1980-05-17T00:00:00Z"]
        );
        assert!(cands(Shape::Date, "at 2026-11-25T09:14:02Z").is_empty());
        assert!(cands(Shape::Date, "Jun 17 07:07:00").is_empty());
    }
}
