//! Alphanumeric identifier shapes: IBANs, UK National Insurance numbers, DEA and Medicare
//! beneficiary numbers, letter-prefixed record numbers and SWIFT/BIC codes. Each is a small
//! matcher over the bytes at a word's start, with the word boundary checked at its end.

use super::{View, from_word, merged};
use crate::detect::lex::{self, DIGIT, UPPER, WIDE};
use crate::span::Span;

fn boundary_after(hay: &[u8], e: usize) -> bool {
    hay.get(e)
        .is_none_or(|&b| !lex::is_word_byte(b) && b < 0x80)
}

/// IBANs: a word starting with two letters and two digits (`GB82`, `GB82WEST1234…`), or a
/// country code set apart from its check digits (`DE 89 3704…`), then alphanumeric groups
/// joined by one space or `-`, up to 34 characters; the validator cuts it to the country's
/// length at a group boundary.
pub(super) fn iban(v: &View<'_>, from: usize, check: &mut dyn FnMut(Span) -> Option<usize>) {
    let n = v.len();
    let mut next = 0;
    for i in merged(
        from_word(&v.words.mixed, from),
        from_word(&v.words.caps, from),
    ) {
        if i < next {
            continue;
        }
        let w = v.w[i];
        let t = v.text(i);
        let joined = t.len() >= 4
            && t[..2].iter().all(u8::is_ascii_alphabetic)
            && t[2..4].iter().all(u8::is_ascii_digit);
        let apart = t.len() == 2
            && t.iter().all(u8::is_ascii_uppercase)
            && i + 1 < n
            && matches!(v.sep(i), [b' '] | [b'-'])
            && v.text(i + 1).len() >= 2
            && v.text(i + 1)[..2].iter().all(u8::is_ascii_digit);
        if w.has(WIDE) || !(joined || apart) {
            continue;
        }
        let mut chars = t.len();
        let mut k = i;
        // One separator kind after the first group (the validator wants it too):
        // `…7654 32 5555-5555` ends at `5555`. The first may differ, as where the national
        // account number follows in its own form (`BE68 539-0075470-34`).
        let mut rest: Option<&[u8]> = None;
        while k + 1 < n
            && matches!(v.sep(k), [b' '] | [b'-'])
            && rest.is_none_or(|s| s == v.sep(k))
            && !v.w[k + 1].has(WIDE)
            && chars + v.w[k + 1].len() <= 34
        {
            if k > i {
                rest = Some(v.sep(k));
            }
            chars += v.w[k + 1].len();
            k += 1;
        }
        if chars >= 15 && check(v.span(i, k)).is_some() {
            next = k + 1;
        }
    }
}

/// A tiny pattern over bytes: `l` an ASCII letter, `d` a digit, `a` a letter or digit, `_` an
/// optional space, `-` an optional dash. Returns the end of the match at `at`.
fn pattern(hay: &[u8], at: usize, pat: &[u8]) -> Option<usize> {
    let mut p = at;
    for &c in pat {
        let b = hay.get(p).copied();
        match c {
            b'_' | b'-' => {
                let want = if c == b'_' { b' ' } else { b'-' };
                if b == Some(want) {
                    p += 1;
                }
            }
            _ => {
                let ok = b.is_some_and(|b| match c {
                    b'l' => b.is_ascii_alphabetic(),
                    b'd' => b.is_ascii_digit(),
                    _ => b.is_ascii_alphanumeric(),
                });
                if !ok {
                    return None;
                }
                p += 1;
            }
        }
    }
    Some(p)
}

/// NINOs: `AB123456C`, `AB 12 34 56 C`, `ab123456` (no suffix).
pub(super) fn nino(v: &View<'_>, from: usize, check: &mut dyn FnMut(Span) -> Option<usize>) {
    for i in merged(
        from_word(&v.words.mixed, from),
        from_word(&v.words.caps, from),
    ) {
        let w = v.w[i];
        if w.has(WIDE) || !v.text(i)[0].is_ascii_alphabetic() || v.text(i).len() > 9 {
            continue;
        }
        let s = w.start as usize;
        let Some(e) = pattern(v.hay, s, b"ll_dd_dd_dd") else {
            continue;
        };
        // The suffix letter, with or without a space, A–D.
        let suffixed = [e, e + 1].into_iter().find_map(|p| {
            (p == e || v.hay.get(e) == Some(&b' '))
                .then(|| v.hay.get(p).copied())
                .flatten()
                .filter(|b| matches!(b.to_ascii_uppercase(), b'A'..=b'D'))
                .map(|_| p + 1)
                .filter(|&end| boundary_after(v.hay, end))
        });
        if let Some(end) = suffixed
            && check(Span::new(s, end)).is_some()
        {
            continue;
        }
        if boundary_after(v.hay, e) {
            check(Span::new(s, e));
        }
    }
}

/// DEA numbers: one word of two letters and seven digits.
pub(super) fn dea(v: &View<'_>, from: usize, check: &mut dyn FnMut(Span) -> Option<usize>) {
    for &i in from_word(&v.words.mixed, from) {
        let i = i as usize;
        let t = v.text(i);
        if t.len() == 9
            && b"ABFGMPRXabfgmprx".contains(&t[0])
            && (t[1].is_ascii_alphabetic() || t[1] == b'9')
            && t[2..].iter().all(u8::is_ascii_digit)
        {
            check(v.span(i, i));
        }
    }
}

/// Medicare beneficiary identifiers: eleven characters, one word or `4-3-4` with dashes.
pub(super) fn mbi(v: &View<'_>, from: usize, check: &mut dyn FnMut(Span) -> Option<usize>) {
    for &i in from_word(&v.words.mixed, from) {
        let i = i as usize;
        let w = v.w[i];
        let t = v.text(i);
        if !t[0].is_ascii_digit() || !w.has(UPPER | lex::LOWER) || w.has(WIDE) {
            continue;
        }
        let s = w.start as usize;
        if let Some(e) = pattern(v.hay, s, b"dlad-lad-lldd")
            && boundary_after(v.hay, e)
        {
            check(Span::new(s, e));
        }
    }
}

/// Record numbers with a letter prefix: one or two upper-case letters and 6–10 digits.
pub(super) fn letter_id(v: &View<'_>, from: usize, check: &mut dyn FnMut(Span) -> Option<usize>) {
    for &i in from_word(&v.words.mixed, from) {
        let i = i as usize;
        let w = v.w[i];
        let t = v.text(i);
        if w.flags & (DIGIT | UPPER) != DIGIT | UPPER || w.has(lex::LOWER) || w.has(WIDE) {
            continue;
        }
        let letters = t.iter().take_while(|b| b.is_ascii_uppercase()).count();
        let digits = t.len() - letters;
        if (1..=2).contains(&letters)
            && (6..=10).contains(&digits)
            && t[letters..].iter().all(u8::is_ascii_digit)
        {
            check(v.span(i, i));
        }
    }
}

/// SWIFT/BIC codes: one upper-case word of 8 or 11 characters, the first six letters.
pub(super) fn bic(v: &View<'_>, from: usize, check: &mut dyn FnMut(Span) -> Option<usize>) {
    for &i in from_word(&v.words.caps, from) {
        let i = i as usize;
        let w = v.w[i];
        let t = v.text(i);
        if (t.len() == 8 || t.len() == 11)
            && !w.has(lex::LOWER)
            && !w.has(WIDE)
            && t[..6].iter().all(u8::is_ascii_uppercase)
        {
            check(v.span(i, i));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Shape;
    use super::super::tests::cands;

    #[test]
    fn ibans_printed_and_electronic() {
        assert_eq!(
            cands(Shape::Iban, "iban GB82 WEST 1234 5698 7654 32 ok"),
            ["GB82 WEST 1234 5698 7654 32 ok"]
        );
        assert_eq!(
            cands(Shape::Iban, "to DE89370400440532013000."),
            ["DE89370400440532013000"]
        );
        assert_eq!(
            cands(Shape::Iban, "DE 89 3704 0044 0532 0130 00"),
            ["DE 89 3704 0044 0532 0130 00"]
        );
        assert_eq!(
            cands(Shape::Iban, "BE68 539-0075470-34 x"),
            ["BE68 539-0075470-34"]
        );
        assert!(cands(Shape::Iban, "ab12 x").is_empty());
    }

    #[test]
    fn ninos_dea_mbi_ids_bics() {
        assert_eq!(cands(Shape::Nino, "ni AB 12 34 56 C."), ["AB 12 34 56 C"]);
        assert_eq!(cands(Shape::Nino, "ni ce123456"), ["ce123456"]);
        assert_eq!(cands(Shape::Dea, "dea AB1234563"), ["AB1234563"]);
        assert_eq!(cands(Shape::Mbi, "mbi 1EG4-TE5-MK73"), ["1EG4-TE5-MK73"]);
        assert_eq!(cands(Shape::Mbi, "mbi 2CX0HT1WY58"), ["2CX0HT1WY58"]);
        assert_eq!(cands(Shape::LetterId, "mrn A1234567"), ["A1234567"]);
        assert_eq!(cands(Shape::Bic, "bic DEUTDEFF500"), ["DEUTDEFF500"]);
        assert!(cands(Shape::Bic, "Deutdeff").is_empty());
    }
}
