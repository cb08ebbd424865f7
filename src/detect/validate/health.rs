//! Health identifiers, ENTITIES.md §5: US_MBI (position classes), US_DEA (registrant type,
//! check digit), MRN (context-only), AU_MEDICARE (weights 1,3,7,9 mod 10, issue number),
//! AU_IHI (prefix 800360, Luhn).

use super::{Cand, Verdict, luhn_ok, numeric_boundary_ok};

fn word_boundary(c: &Cand<'_>) -> bool {
    let (s, e) = (c.span.start(), c.span.end());
    let glued_before = s > 0 && c.hay[s - 1].is_ascii_alphanumeric();
    let glued_after = e < c.hay.len() && c.hay[e].is_ascii_alphanumeric();
    !glued_before && !glued_after
}

/// Letters an MBI may use: A–Z without S L O I B Z.
fn mbi_letter(b: u8) -> bool {
    b.is_ascii_uppercase() && !b"SLOIBZ".contains(&b)
}

/// True for an 11-character MBI (upper case, no dashes).
pub(crate) fn mbi_ok(s: &[u8]) -> bool {
    if s.len() != 11 {
        return false;
    }
    let digit = |b: u8| b.is_ascii_digit();
    let either = |b: u8| digit(b) || mbi_letter(b);
    (b'1'..=b'9').contains(&s[0])
        && mbi_letter(s[1])
        && either(s[2])
        && digit(s[3])
        && mbi_letter(s[4])
        && either(s[5])
        && digit(s[6])
        && mbi_letter(s[7])
        && mbi_letter(s[8])
        && digit(s[9])
        && digit(s[10])
}

pub(crate) fn validate_mbi(c: &Cand<'_>) -> Option<Verdict> {
    if !word_boundary(c) {
        return None;
    }
    let b = c.bytes();
    let s: Vec<u8> = b
        .iter()
        .filter(|&&x| x != b'-')
        .map(u8::to_ascii_uppercase)
        .collect();
    if !mbi_ok(&s) {
        return None;
    }
    // Dashes (`1EG4-TE5-MK73`, as printed on cards) must be in the card's places.
    let dashes: Vec<usize> = b
        .iter()
        .enumerate()
        .filter(|(_, x)| **x == b'-')
        .map(|(i, _)| i)
        .collect();
    let score = match dashes.as_slice() {
        [] => 0.45,
        [4, 8] => 0.6,
        _ => return None,
    };
    Verdict::new(c.span, score)
}

/// US_DEA: registrant type, a surname initial (or `9`), seven digits whose last is the check.
pub(crate) fn validate_dea(c: &Cand<'_>) -> Option<Verdict> {
    let b = c.bytes();
    let s = c.span.start();
    if s > 0 && c.hay[s - 1].is_ascii_alphanumeric() {
        return None;
    }
    if b.len() < 9 || !b"ABFGMPRX".contains(&b[0].to_ascii_uppercase()) {
        return None;
    }
    let second = b[1].to_ascii_uppercase();
    if !(second.is_ascii_uppercase() || second == b'9') {
        return None;
    }
    let d: Vec<u32> = b[2..9]
        .iter()
        .map(|&x| u32::from(x.wrapping_sub(b'0')))
        .collect();
    if d.iter().any(|&x| x > 9) {
        return None;
    }
    let check = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10;
    if check != d[6] {
        return None;
    }
    // After the nine: end, a non-alphanumeric, or a `-` and the supervised suffix.
    let e = c.span.end();
    if e < c.hay.len() && c.hay[e].is_ascii_alphanumeric() {
        return None;
    }
    Verdict::new(c.span, 0.6)
}

/// MRN: 6–10 digits, optionally after one or two letters, or dashed (`00-482-913`,
/// `123-456-78`). No format of its
/// own: base 0.1, so only a label (`MRN`, `patient_id`...) reports it.
pub(crate) fn validate_mrn(c: &Cand<'_>) -> Option<Verdict> {
    if !word_boundary(c) || !numeric_boundary_ok(c.hay, c.span) {
        return None;
    }
    let b = c.bytes();
    // Digits alone are one run or dash-grouped as records print them (`00-482-913`,
    // `123-456-78`): two to four groups of two to four digits.
    if b[0].is_ascii_digit()
        && !c.digits(b"-").is_some_and(|d| {
            d.sep.is_none_or(|s| s == b'-')
                && (d.groups().len() == 1
                    || ((2..=4).contains(&d.groups().len())
                        && d.groups().iter().all(|g| (2..=4).contains(g))))
        })
    {
        return None;
    }
    let digits = b.iter().filter(|x| x.is_ascii_digit()).count();
    let letters = b.iter().take_while(|x| x.is_ascii_alphabetic()).count();
    ((6..=10).contains(&digits) && letters <= 2).then_some(Verdict {
        span: c.span,
        score: 0.1,
    })
}

/// AU_MEDICARE: 10 digits (+ the IRN as an 11th), first 2–6, weighted check, issue 1–9.
pub(crate) fn validate_au_medicare(c: &Cand<'_>) -> Option<Verdict> {
    if !numeric_boundary_ok(c.hay, c.span) {
        return None;
    }
    let d = c.digits(b" ")?;
    let s = d.as_slice();
    if !(s.len() == 10 || s.len() == 11)
        || !(2..=6).contains(&s[0])
        || !d.grouped_as(&[&[4, 5, 1], &[4, 5, 1, 1]])
    {
        return None;
    }
    const W: [u32; 8] = [1, 3, 7, 9, 1, 3, 7, 9];
    let sum: u32 = s[..8].iter().zip(W).map(|(&x, w)| u32::from(x) * w).sum();
    if sum % 10 != u32::from(s[8]) || s[9] == 0 || s.get(10) == Some(&0) {
        return None;
    }
    // `2123 45670 1`: the card's grouping is strong evidence; a bare run is weak (1 in 10).
    let grouped =
        d.sep.is_some() && c.bytes().get(4) == Some(&b' ') && c.bytes().get(10) == Some(&b' ');
    Verdict::new(c.span, if grouped { 0.55 } else { 0.3 })
}

/// AU_IHI: 16 digits, prefix 800360, Luhn.
pub(crate) fn validate_au_ihi(c: &Cand<'_>) -> Option<Verdict> {
    if !numeric_boundary_ok(c.hay, c.span) {
        return None;
    }
    let d = c.digits(b" -")?;
    let s = d.as_slice();
    (s.len() == 16 && d.grouped_as(&[&[4, 4, 4, 4]]) && s[..6] == [8, 0, 0, 3, 6, 0] && luhn_ok(s))
        .then_some(Verdict {
            span: c.span,
            score: 0.9,
        })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{run, table};
    use super::*;

    #[test]
    fn mbi_entities_md_examples() {
        table(
            validate_mbi,
            0.45,
            &["1EG4-TE5-MK73", "2CX0HT1WY58", "1eg4te5mk73"],
            &["1SG4TE5MK73", "0EG4TE5MK73", "1EG4TE5MB73", "1EG4T-E5MK73"],
        );
    }

    #[test]
    fn dea_entities_md_examples() {
        table(
            validate_dea,
            0.5,
            &["AB1234563", "BJ6125341", "F91234563"],
            &["AB1234567", "ZB1234563"],
        );
    }

    #[test]
    fn mrn_needs_context() {
        for v in [
            "00482913",
            "A1234567",
            "00-482-913",
            "123-456-78",
            "12-34-5678",
        ] {
            assert!(run(validate_mrn, v).is_some_and(|v| v.score < 0.5), "{v}");
        }
        assert!(run(validate_mrn, "12345").is_none());
        assert!(run(validate_mrn, "1-2345678").is_none());
    }

    #[test]
    fn au_medicare_entities_md_examples() {
        table(
            validate_au_medicare,
            0.3,
            &["2123 45670 1", "4123 48972 1", "2123 45670 1 3"],
            &["2123 45671 1", "7123 45670 1", "2123 45670 0"],
        );
    }

    #[test]
    fn au_ihi_entities_md_examples() {
        table(
            validate_au_ihi,
            0.5,
            &["8003 6081 6669 0503", "8003 6012 3456 7894"],
            &["8003 6081 6669 0504", "8003 6112 3456 7893"],
        );
    }
}
