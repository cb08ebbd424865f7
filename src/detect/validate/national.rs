//! National and tax identifiers, ENTITIES.md §2: US_ITIN (9, then groups 50–65, 70–88,
//! 90–92, 94–99), UK_NINO (prefix rules, suffix A–D), CA_SIN (Luhn, first digit not 0 or 8),
//! AU_TFN (weights 1,4,3,7,5,8,6,9,10 mod 11; eight digits for older numbers).

use super::{Cand, Verdict, luhn_ok, numeric_boundary_ok};

/// US_ITIN: `9AA-GG-SSSS` with an ITIN group.
pub(crate) fn validate_itin(c: &Cand<'_>) -> Option<Verdict> {
    if !numeric_boundary_ok(c.hay, c.span) {
        return None;
    }
    let d = c.digits(b" -.")?;
    let s = d.as_slice();
    if s.len() != 9 || s[0] != 9 || !d.grouped_as(&[&[3, 2, 4]]) {
        return None;
    }
    let group = s[3] * 10 + s[4];
    if !matches!(group, 50..=65 | 70..=88 | 90..=92 | 94..=99) {
        return None;
    }
    let score = match d.sep {
        Some(b'-') => 0.7,
        Some(_) => 0.55,
        None => 0.3,
    };
    Verdict::new(c.span, score)
}

/// UK_NINO: two prefix letters, six digits, suffix A–D (or none); spaces between pairs.
pub(crate) fn validate_nino(c: &Cand<'_>) -> Option<Verdict> {
    let b = c.bytes();
    if c.span.start() > 0 && c.hay[c.span.start() - 1].is_ascii_alphanumeric() {
        return None;
    }
    let chars: Vec<u8> = b
        .iter()
        .filter(|x| **x != b' ')
        .map(u8::to_ascii_uppercase)
        .collect();
    if !(chars.len() == 8 || chars.len() == 9) {
        return None;
    }
    let (p1, p2) = (chars[0], chars[1]);
    if !p1.is_ascii_uppercase()
        || !p2.is_ascii_uppercase()
        || b"DFIQUV".contains(&p1)
        || b"DFIOQUV".contains(&p2)
    {
        return None;
    }
    let prefix = [p1, p2];
    if [b"BG", b"GB", b"KN", b"NK", b"NT", b"TN", b"ZZ"]
        .iter()
        .any(|p| **p == prefix)
    {
        return None;
    }
    if !chars[2..8].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let suffix = chars.get(8).copied();
    if suffix.is_some_and(|s| !(b'A'..=b'D').contains(&s)) {
        return None;
    }
    // A suffix letter that is not A–D after the digits makes the whole no NINO: its first
    // part is not one either (`AB 12 34 56 E`).
    if suffix.is_none() {
        let rest = &c.hay[c.span.end()..];
        let rest = rest.strip_prefix(b" ").unwrap_or(rest);
        if rest.first().is_some_and(u8::is_ascii_alphabetic)
            && rest.get(1).is_none_or(|b| !b.is_ascii_alphanumeric())
        {
            return None;
        }
    }
    // Administrative prefixes are references, not NINOs.
    if [b"OO", b"CR", b"FY", b"MW", b"NC", b"PP", b"PY", b"PZ"]
        .iter()
        .any(|p| **p == prefix)
    {
        return None;
    }
    let upper = b.iter().all(|x| !x.is_ascii_lowercase());
    let score = match (suffix.is_some(), upper) {
        (true, true) => 0.55,
        _ => 0.4,
    };
    Verdict::new(c.span, score)
}

/// CA_SIN: nine digits passing Luhn, first digit not 0 or 8. A grouped `3-3-3` form is
/// stronger than a bare run, but both need context to report (1 in 10 pass Luhn).
pub(crate) fn validate_sin(c: &Cand<'_>) -> Option<Verdict> {
    if !numeric_boundary_ok(c.hay, c.span) {
        return None;
    }
    let d = c.digits(b" -")?;
    let s = d.as_slice();
    if s.len() != 9 || s[0] == 0 || s[0] == 8 || d.all_same() || !luhn_ok(s) {
        return None;
    }
    // Only 3-3-3 grouping is a SIN's written form.
    if d.sep.is_some() && !grouped_333(c.bytes()) {
        return None;
    }
    Verdict::new(c.span, if d.sep.is_some() { 0.4 } else { 0.3 })
}

fn grouped_333(b: &[u8]) -> bool {
    b.len() == 11 && !b[3].is_ascii_digit() && !b[7].is_ascii_digit()
}

/// True when nine digit values pass the TFN weights, or eight (an older TFN) pass either
/// the published 8-digit weights (10,7,8,4,6,3,5,1) or the first eight of the 9-digit ones
/// (what python-stdnum checks).
pub(crate) fn tfn_ok(d: &[u8]) -> bool {
    const W9: [u32; 9] = [1, 4, 3, 7, 5, 8, 6, 9, 10];
    const W8: [u32; 8] = [10, 7, 8, 4, 6, 3, 5, 1];
    let sum = |w: &[u32]| {
        d.iter()
            .zip(w)
            .map(|(&x, &w)| u32::from(x) * w)
            .sum::<u32>()
            .is_multiple_of(11)
    };
    match d.len() {
        9 => sum(&W9),
        8 => sum(&W8) || sum(&W9[..8]),
        _ => false,
    }
}

/// AU_TFN: nine digits (`123 456 782`, `123.456.782`) or eight (`12 345 678`, `12.345.678`,
/// `123 456 78`) passing mod 11; needs context (1 in 11 pass).
pub(crate) fn validate_tfn(c: &Cand<'_>) -> Option<Verdict> {
    if !numeric_boundary_ok(c.hay, c.span) {
        return None;
    }
    let d = c.digits(b" -.")?;
    if d.all_same() || !tfn_ok(d.as_slice()) || !d.grouped_as(&[&[3, 3, 3], &[2, 3, 3], &[3, 3, 2]])
    {
        return None;
    }
    Verdict::new(c.span, if d.sep.is_some() { 0.4 } else { 0.3 })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{run, table};
    use super::*;

    #[test]
    fn itin_entities_md_examples() {
        table(
            validate_itin,
            0.5,
            &["912-70-1234", "900-50-1234", "955-94-0001"],
            &["912-93-4567", "912-89-1234", "912-10-1234", "812-70-1234"],
        );
    }

    #[test]
    fn nino_entities_md_examples() {
        table(
            validate_nino,
            0.4,
            &["AB 12 34 56 C", "CE123456", "ab123456c"],
            &[
                "QQ 12 34 56 A",
                "GB 12 34 56 A",
                "AO 12 34 56 A",
                "AB 12 34 56 E",
                "OO 12 34 56 A",
            ],
        );
        assert!(run(validate_nino, "AB 12 34 56 C").unwrap().score >= 0.5);
        // An invalid suffix: no finding of the part before it.
        assert!(super::super::tests::run_at(validate_nino, "AB 12 34 56 E", 0, 11).is_none());
        assert!(super::super::tests::run_at(validate_nino, "AB123456E x", 0, 8).is_none());
        assert!(super::super::tests::run_at(validate_nino, "AB 12 34 56 and", 0, 11).is_some());
    }

    #[test]
    fn sin_entities_md_examples() {
        table(
            validate_sin,
            0.3,
            &["130 692 544", "123-456-782", "923 456 784"],
            &["046 454 286", "123 456 789", "1234-56-782"],
        );
        assert!(
            run(validate_sin, "130 692 544").unwrap().score < 0.5,
            "needs context"
        );
    }

    #[test]
    fn tfn_entities_md_examples() {
        table(
            validate_tfn,
            0.3,
            &["123 456 782", "876 543 210", "459 891 231", "123.456.782"],
            &["123 456 789", "12 3456 782", "123.45.6782"],
        );
        // Eight digits (python-stdnum's check), in the forms they are written.
        table(
            validate_tfn,
            0.3,
            &["39825979", "84.830.401", "308 860 91"],
            &["39825978", "84.830.400", "3 0886 091"],
        );
    }
}
