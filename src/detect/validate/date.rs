//! DATE_OF_BIRTH — ENTITIES.md §4: a real calendar date between 1900 and today. A bare date is
//! never reported: the base score is low and only birth context (`dob`, `date of birth`,
//! a `birthDate` key...) lifts it over a threshold.

use super::{Cand, Verdict};

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn leap(y: u32) -> bool {
    (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400)
}

fn days_in(y: u32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Today's (year, month, day) in UTC.
fn today() -> (u32, u32, u32) {
    let (y, m, d) = crate::time::today();
    (y as u32, m, d)
}

/// True for a real date from 1900-01-01 to today.
pub(crate) fn plausible_birth(y: u32, m: u32, d: u32) -> bool {
    (1900..=9999).contains(&y)
        && (1..=12).contains(&m)
        && d >= 1
        && d <= days_in(y, m)
        && (y, m, d) <= today()
}

fn num(s: &[u8]) -> Option<u32> {
    (!s.is_empty() && s.len() <= 4 && s.iter().all(u8::is_ascii_digit))
        .then(|| s.iter().fold(0, |a, &b| a * 10 + u32::from(b - b'0')))
}

fn month_name(s: &[u8]) -> Option<u32> {
    let w: Vec<u8> = s
        .iter()
        .copied()
        .filter(u8::is_ascii_alphabetic)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    if w.len() < 3 {
        return None;
    }
    let i = MONTHS.iter().position(|m| w.starts_with(m.as_bytes()))?;
    // The word is the month's name or its abbreviation (`Sept` too), not any word.
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ][i];
    (full.as_bytes().starts_with(&w) || w == b"sept").then_some(i as u32 + 1)
}

fn year(v: u32, digits: usize) -> u32 {
    if digits == 2 {
        // Two-digit years: the most recent past century.
        let now = today().0 % 100;
        if v <= now { 2000 + v } else { 1900 + v }
    } else {
        v
    }
}

/// Parses the date forms of ENTITIES.md §4; `None` unless some reading is a plausible date.
pub(crate) fn parse(b: &[u8]) -> Option<(u32, u32, u32)> {
    let parts: Vec<&[u8]> = b
        .split(|&x| matches!(x, b'-' | b'/' | b'.' | b' ' | b','))
        .filter(|p| !p.is_empty())
        .collect();
    match parts.as_slice() {
        // 19900517
        [p] if p.len() == 8 => {
            let (y, m, d) = (num(&p[..4])?, num(&p[4..6])?, num(&p[6..])?);
            plausible_birth(y, m, d).then_some((y, m, d))
        }
        [a, b2, c] => {
            if let Some(m) = month_name(a) {
                // May 17, 1990
                let (d, y) = (num(b2)?, year(num(c)?, c.len()));
                return plausible_birth(y, m, d).then_some((y, m, d));
            }
            if let Some(m) = month_name(b2) {
                // 17 May 1990 / 17-May-1990
                let (d, y) = (num(a)?, year(num(c)?, c.len()));
                return plausible_birth(y, m, d).then_some((y, m, d));
            }
            let (x, y2, z) = (num(a)?, num(b2)?, num(c)?);
            if a.len() == 4 {
                // 1990-05-17
                return plausible_birth(x, y2, z).then_some((x, y2, z));
            }
            let yr = year(z, c.len());
            if c.len() != 4 && c.len() != 2 {
                return None;
            }
            // 05/17/1990 or 17/05/1990: either reading.
            if plausible_birth(yr, x, y2) {
                Some((yr, x, y2))
            } else if plausible_birth(yr, y2, x) {
                Some((yr, y2, x))
            } else {
                None
            }
        }
        _ => None,
    }
}

pub(crate) fn validate(c: &Cand<'_>) -> Option<Verdict> {
    let (s, e) = (c.span.start(), c.span.end());
    if (s > 0 && c.hay[s - 1].is_ascii_alphanumeric())
        || (e < c.hay.len() && c.hay[e].is_ascii_alphanumeric())
    {
        return None;
    }
    // An ISO date may carry a midnight time (`1990-05-17T00:00:00Z`, FHIR style).
    let b = c.bytes();
    let date = b.iter().position(|&x| x == b'T').map_or(b, |t| &b[..t]);
    parse(date)?;
    Verdict::new(c.span, 0.1)
}

#[cfg(test)]
mod tests {
    use super::super::tests::run;
    use super::*;

    #[test]
    fn entities_md_examples() {
        for v in [
            "1992-02-29",
            "05/17/1990",
            "17/05/1990",
            "17.05.1990",
            "17-05-1990",
            "May 17, 1990",
            "17 May 1990",
            "17-May-1990",
            "Sept. 3, 1961",
            "1958-11-03",
            "19900517",
            "3/4/85",
        ] {
            assert!(run(validate, v).is_some(), "{v}");
        }
        for v in [
            "1990-02-29",
            "13/13/1990",
            "1899-12-31",
            "2999-01-01",
            "Mayday 1, 1990",
            "00/00/2000",
        ] {
            assert!(run(validate, v).is_none(), "{v}");
        }
        assert_eq!(parse(b"Feb 29, 2000"), Some((2000, 2, 29)));
        assert!(today().0 >= 2025);
    }
}
