//! IBAN — International Bank Account Number (ISO 13616), ENTITIES.md §1: country in the SWIFT
//! registry with its exact length and BBAN structure, ISO 7064 mod 97-10, and the national
//! check digits where the registry defines them ([`super::bban`]). Printed (grouped by 4, or
//! irregularly after the country and check digits, space or `-`) and electronic forms, any
//! case.

use super::{Cand, Verdict};
use crate::span::Span;

/// Country code and IBAN length, SWIFT IBAN registry release 101 (89 countries).
#[rustfmt::skip]
const LENGTHS: &[(&[u8; 2], u8)] = &[
    (b"NO", 15), (b"BE", 16), (b"DK", 18), (b"FI", 18), (b"FK", 18), (b"FO", 18), (b"GL", 18),
    (b"NL", 18), (b"SD", 18), (b"MK", 19), (b"SI", 19), (b"AT", 20), (b"BA", 20), (b"EE", 20),
    (b"KZ", 20), (b"LT", 20), (b"LU", 20), (b"MN", 20), (b"XK", 20), (b"CH", 21), (b"HR", 21),
    (b"LI", 21), (b"LV", 21), (b"BG", 22), (b"BH", 22), (b"CR", 22), (b"DE", 22), (b"GB", 22),
    (b"GE", 22), (b"IE", 22), (b"ME", 22), (b"RS", 22), (b"VA", 22), (b"AE", 23), (b"GI", 23),
    (b"IL", 23), (b"IQ", 23), (b"OM", 23), (b"SO", 23), (b"TL", 23), (b"AD", 24), (b"CZ", 24),
    (b"ES", 24), (b"MD", 24), (b"PK", 24), (b"RO", 24), (b"SA", 24), (b"SE", 24), (b"SK", 24),
    (b"TN", 24), (b"VG", 24), (b"LY", 25), (b"PT", 25), (b"ST", 25), (b"IS", 26), (b"TR", 26),
    (b"BI", 27), (b"DJ", 27), (b"FR", 27), (b"GR", 27), (b"IT", 27), (b"MC", 27), (b"MR", 27),
    (b"SM", 27), (b"AL", 28), (b"AZ", 28), (b"BY", 28), (b"CY", 28), (b"DO", 28), (b"GT", 28),
    (b"HN", 28), (b"HU", 28), (b"LB", 28), (b"NI", 28), (b"PL", 28), (b"SV", 28), (b"BR", 29),
    (b"EG", 29), (b"PS", 29), (b"QA", 29), (b"UA", 29), (b"JO", 30), (b"KW", 30), (b"MU", 30),
    (b"YE", 30), (b"MT", 31), (b"SC", 31), (b"LC", 32), (b"RU", 33),
];

/// BBAN structure per country in the registry's notation (`n` digits, `a` upper-case letters,
/// `c` alphanumerics), for the countries whose structure is checked. The others are checked
/// on length and mod 97 only. A unit test holds every entry to its registry length.
#[rustfmt::skip]
const BBAN: &[(&[u8; 2], &str)] = &[
    (b"AD", "4n4n12c"), (b"AE", "3n16n"), (b"AT", "16n"), (b"BA", "16n"), (b"BE", "12n"),
    (b"BG", "4a4n2n8c"), (b"CH", "5n12c"), (b"CY", "3n5n16c"), (b"CZ", "20n"), (b"DE", "18n"),
    (b"DK", "14n"), (b"EE", "16n"), (b"ES", "20n"), (b"FI", "14n"), (b"FO", "14n"),
    (b"FR", "5n5n11c2n"), (b"GB", "4a14n"), (b"GL", "14n"), (b"GR", "3n4n16c"), (b"HR", "17n"),
    (b"HU", "24n"), (b"IE", "4a14n"), (b"IL", "3n3n13n"), (b"IS", "22n"), (b"IT", "1a5n5n12c"),
    (b"LI", "5n12c"), (b"LT", "16n"), (b"LU", "3n13c"), (b"LV", "4a13c"), (b"MC", "5n5n11c2n"),
    (b"ME", "18n"), (b"MT", "4a5n18c"), (b"NL", "4a10n"), (b"NO", "11n"), (b"PL", "24n"),
    (b"PT", "21n"), (b"RO", "4a16c"), (b"RS", "18n"), (b"SE", "20n"), (b"SI", "15n"),
    (b"SK", "20n"), (b"SM", "1a5n5n12c"), (b"TR", "5n1n16c"), (b"XK", "16n"),
];

/// True when `bban` (upper case, no separators) fits the country's structure, or when the
/// structure is not checked for that country.
fn bban_ok(cc: [u8; 2], bban: &[u8]) -> bool {
    let Some((_, shape)) = BBAN.iter().find(|(c, _)| **c == cc) else {
        return true;
    };
    let mut at = 0;
    let mut n = 0usize;
    for ch in shape.bytes() {
        if ch.is_ascii_digit() {
            n = n * 10 + usize::from(ch - b'0');
            continue;
        }
        let Some(part) = bban.get(at..at + n) else {
            return false;
        };
        let ok = match ch {
            b'n' => part.iter().all(u8::is_ascii_digit),
            b'a' => part.iter().all(u8::is_ascii_uppercase),
            _ => part.iter().all(u8::is_ascii_alphanumeric),
        };
        if !ok {
            return false;
        }
        at += n;
        n = 0;
    }
    at == bban.len()
}

/// The registry length for a country code (upper case), if the country uses IBANs.
pub(crate) fn country_length(cc: [u8; 2]) -> Option<usize> {
    LENGTHS
        .iter()
        .find(|(c, _)| **c == cc)
        .map(|(_, n)| usize::from(*n))
}

/// ISO 7064 mod 97-10 as IBANs use it: move the first four characters to the end, read
/// letters as 10..35, valid iff the remainder is 1. Separators (space, `-`) are skipped;
/// any other non-alphanumeric byte fails.
pub(crate) fn mod97_ok(s: &[u8]) -> bool {
    // No allocation: this runs for every IBAN-shaped candidate.
    let chars = || {
        s.iter()
            .filter(|b| !matches!(b, b' ' | b'-'))
            .map(u8::to_ascii_uppercase)
    };
    if chars().nth(4).is_none() || !chars().all(|b| b.is_ascii_alphanumeric()) {
        return false;
    }
    let mut r: u32 = 0;
    for b in chars().skip(4).chain(chars().take(4)) {
        r = if b.is_ascii_digit() {
            (r * 10 + u32::from(b - b'0')) % 97
        } else {
            (r * 100 + u32::from(b - b'A') + 10) % 97
        };
    }
    r == 1
}

pub(crate) fn validate(c: &Cand<'_>) -> Option<Verdict> {
    let b = c.bytes();
    if c.span.start() > 0 && c.hay[c.span.start() - 1].is_ascii_alphanumeric() {
        return None;
    }
    // One separator kind after the first group (the national account number may follow the
    // country and check digits in its own form: `BE68 539-0075470-34`); find where the
    // country's length ends (it may end before the candidate does, at a group boundary).
    let mut first = None;
    let mut sep = None;
    let mut count = 0usize;
    let mut cut = None;
    let cc = [b[0].to_ascii_uppercase(), b.get(1)?.to_ascii_uppercase()];
    let want = country_length(cc);
    for (i, &x) in b.iter().enumerate() {
        if x == b' ' || x == b'-' {
            match (first, sep) {
                (None, _) => first = Some(x),
                (Some(_), None) => sep = Some(x),
                (Some(_), Some(s)) if s == x => {}
                _ => return None,
            }
            continue;
        }
        count += 1;
        if Some(count) == want && cut.is_none() {
            cut = Some(i + 1);
        }
    }
    let ends: Vec<usize> = match (want, cut) {
        (Some(n), Some(e)) if count == n => vec![e],
        // Longer than the country's IBAN: accept the leading part only when it ends where a
        // separator does, so no identifier is cut inside a group.
        (Some(_), Some(e)) if matches!(b.get(e), Some(b' ' | b'-')) => vec![e],
        (Some(_), _) => return None,
        // A country outside the registry (weak evidence, context decides): the pattern may have
        // run on into the next word, so try each group boundary, longest first.
        (None, _) => (0..=b.len())
            .rev()
            .filter(|&e| e == b.len() || matches!(b.get(e), Some(b' ' | b'-')))
            .filter(|&e| {
                (15..=34).contains(&b[..e].iter().filter(|x| x.is_ascii_alphanumeric()).count())
            })
            .collect(),
    };
    let end = ends
        .into_iter()
        .find(|&end| part_ok(c, b, cc, first.is_some(), end))?;
    let span = Span::new(c.span.start(), c.span.start() + end);
    // National check digits that fail make a look-alike (it passed mod 97 by chance, or was
    // made up): reported only next to a word that says IBAN.
    let (buf, len) = normalised(&b[..end])?;
    let norm = &buf[..len];
    let score = match want {
        Some(_) if super::bban::national_ok(cc, &norm[4..]) => 0.95,
        _ => 0.3,
    };
    Verdict::new(span, score)
}

/// The letters and digits of `part`, upper case, in a stack buffer (an IBAN has at most
/// 34); `None` when there are more.
fn normalised(part: &[u8]) -> Option<([u8; 34], usize)> {
    let mut buf = [0u8; 34];
    let mut n = 0;
    for &x in part {
        if x.is_ascii_alphanumeric() {
            *buf.get_mut(n)? = x.to_ascii_uppercase();
            n += 1;
        }
    }
    Some((buf, n))
}

/// The checks on the candidate's first `end` bytes: grouping, BBAN shape, check digits,
/// mod 97, and the boundary after it.
fn part_ok(c: &Cand<'_>, b: &[u8], cc: [u8; 2], grouped: bool, end: usize) -> bool {
    let part = &b[..end];
    // Printed form: the country and check digits as one group of four (or two groups of
    // two), the rest in groups of any size (`DK16 710392 382 58588`); UUIDs and hex ids
    // (`ba53f259-7620-4db1`) start otherwise. A compact IBAN followed by ` bic` is compact.
    if grouped && part.iter().any(|&x| x == b' ' || x == b'-') {
        let mut groups = part.split(|&x| x == b' ' || x == b'-');
        let first = groups.next().map_or(0, <[u8]>::len);
        let apart = first == 2 && part.get(3).is_some_and(u8::is_ascii_digit);
        if !(first == 4 || apart) || groups.any(<[u8]>::is_empty) {
            return false;
        }
    }
    let Some((buf, len)) = normalised(part) else {
        return false;
    };
    let norm = &buf[..len];
    if norm.len() < 5 || !bban_ok(cc, &norm[4..]) {
        return false;
    }
    // The check digits, wherever the grouping put them (`DE 89 …` has them apart).
    let check = match (
        (norm[2] as char).to_digit(10),
        (norm[3] as char).to_digit(10),
    ) {
        (Some(a), Some(b)) => a * 10 + b,
        _ => return false,
    };
    if !(2..=98).contains(&check) || !mod97_ok(part) {
        return false;
    }
    let after = c.span.start() + end;
    !(after < c.hay.len() && c.hay[after].is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::super::tests::{run, run_at, table};
    use super::*;

    /// Found by the eval corpus: a compact IBAN whose length is a multiple of four, followed
    /// by a short word, drew that word into the candidate and was rejected.
    #[test]
    fn regression_compact_iban_before_a_short_word() {
        let hay = "ES9121000418450200051332 bic";
        assert_eq!(
            run_at(validate, hay, 0, hay.len()).map(|v| v.span),
            Some(Span::new(0, 24))
        );
    }

    #[test]
    fn entities_md_examples() {
        table(
            validate,
            0.5,
            &[
                "GB82 WEST 1234 5698 7654 32",
                "DE89 3704 0044 0532 0130 00",
                "NO93 8601 1117 947",
                "GB82WEST12345698765432",
                "gb82 west 1234 5698 7654 32",
                "DE89-3704-0044-0532-0130-00",
            ],
            &[
                "GB82 WEST 1234 5698 7654 33",
                "DE89 3704 0044 0532 0130 0",
                "GB82 WEST-1234 5698 7654 32",
                "GB00 WEST 1234 5698 7654 32",
            ],
        );
    }

    #[test]
    fn bban_shapes_match_registry_lengths() {
        for (cc, shape) in BBAN {
            let mut total = 0;
            let mut n = 0;
            for ch in shape.bytes() {
                if ch.is_ascii_digit() {
                    n = n * 10 + usize::from(ch - b'0');
                } else {
                    total += n;
                    n = 0;
                }
            }
            assert_eq!(
                Some(total + 4),
                country_length(**cc),
                "{}",
                String::from_utf8_lossy(*cc)
            );
        }
    }

    #[test]
    fn hex_ids_and_uuid_pieces_are_not_ibans() {
        for v in [
            "ba53f259-7620-4db1-a267",
            "be812879016ea7c0",
            "ad18-4889-acf8-f88b2cc48179",
            "ee869d98-a61f-4803-acf9",
        ] {
            assert!(run(validate, v).is_none(), "{v}");
        }
        // More published specimens, printed and electronic.
        for v in [
            "FR14 2004 1010 0505 0001 3M02 606",
            "IT60X0542811101000000123456",
            "NL91ABNA0417164300",
            "CH9300762011623852957",
            "BE68539007547034",
        ] {
            assert!(run(validate, v).is_some(), "{v}");
        }
    }

    #[test]
    fn irregular_groups_after_the_check_digits() {
        table(
            validate,
            0.9,
            &[
                "DK16 710392 382 58588",
                "IE18 OEDW8 156751 26029 79",
                "PL25 691531695707280488214734",
                "GB82-WEST-123456-98765432",
                "BE68 539-0075470-34",
                "BE 68 5390 0754 7034",
            ],
            // The same digits, one changed; the country and check digits split 3-1.
            &[
                "DK16 710392 382 58589",
                "DK1 6710392 382 58588",
                "BE68 539-0075470 34",
            ],
        );
    }

    #[test]
    fn national_check_digits_reject_look_alikes() {
        // Mod 97 holds (the check digits were recomputed), the Spanish control digits do not.
        assert!(mod97_ok(b"ES2921000418460200051332"));
        assert!(run(validate, "ES29 2100 0418 4602 0005 1332").is_some_and(|v| v.score < 0.5));
    }

    #[test]
    fn registry_has_89_countries() {
        assert_eq!(LENGTHS.len(), 89);
        assert_eq!(country_length(*b"GB"), Some(22));
        assert_eq!(country_length(*b"US"), None);
    }

    /// See: fuzz/regressions/scan/iban-greedy-group — an unregistered-country candidate ran on
    /// into the next word and failed; once that word was a label, the shorter one passed.
    #[test]
    fn unregistered_country_is_cut_at_group_boundaries() {
        // Shorter than any registered IBAN (15): never.
        assert!(run(validate, "GF82 WEvT 1234").is_none());
        // A mod-97-valid run followed by another word is cut where the word starts.
        let v = run(validate, "US28 ABCD 1234 5678 9012 34 next").unwrap();
        assert_eq!(v.span, Span::new(0, 27));
        assert!(v.score < 0.5, "unregistered country: context decides");
    }

    #[test]
    fn cut_at_group_boundary() {
        let v = run(validate, "DE89 3704 0044 0532 0130 00 1234").unwrap();
        assert_eq!(v.span, Span::new(0, 27));
    }
}
