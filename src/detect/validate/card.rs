//! CREDIT_CARD — payment card numbers (ISO/IEC 7812), ENTITIES.md §1: issuer prefix (IIN) and
//! length, then Luhn, all-same-digit strings rejected.

use super::{Cand, Digits, Verdict, luhn_ok, numeric_boundary_ok};

/// Card brands velum recognises by prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Brand {
    Visa,
    Mastercard,
    Amex,
    Discover,
    Jcb,
    Diners,
    UnionPay,
    Maestro,
    Mir,
}

/// Looks the brand up by prefix, longest prefix first, and checks the length for it.
pub(crate) fn brand(d: &Digits) -> Option<Brand> {
    let n = d.len();
    let (p1, p2, p3, p4, p6) = (
        d.prefix(1),
        d.prefix(2),
        d.prefix(3),
        d.prefix(4),
        d.prefix(6),
    );
    let in_len = |lo: usize, hi: usize| (lo..=hi).contains(&n);
    let b = if (622126..=622925).contains(&p6) || p4 == 6011 {
        Brand::Discover
    } else if (2221..=2720).contains(&p4) {
        Brand::Mastercard
    } else if (3528..=3589).contains(&p4) {
        Brand::Jcb
    } else if p4 == 3095 {
        Brand::Diners
    } else if matches!(
        p4,
        5018 | 5020 | 5038 | 5893 | 6304 | 6390 | 6759 | 6761..=6763
    ) {
        Brand::Maestro
    } else if matches!(p4, 1800 | 2131) && n == 15 {
        // JCB's legacy 15-digit ranges.
        Brand::Jcb
    } else if (2200..=2204).contains(&p4) {
        Brand::Mir
    } else if (644..=649).contains(&p3) {
        Brand::Discover
    } else if (300..=305).contains(&p3) {
        Brand::Diners
    } else if (51..=55).contains(&p2) {
        Brand::Mastercard
    } else if (56..=58).contains(&p2) {
        Brand::Maestro
    } else if p2 == 34 || p2 == 37 {
        Brand::Amex
    } else if p2 == 65 {
        Brand::Discover
    } else if p2 == 36 || p2 == 38 || p2 == 39 {
        Brand::Diners
    } else if p2 == 62 {
        Brand::UnionPay
    } else if p1 == 4 {
        Brand::Visa
    } else {
        return None;
    };
    let len_ok = match b {
        Brand::Visa => matches!(n, 13 | 16 | 19),
        Brand::Mastercard => n == 16,
        Brand::Amex => n == 15,
        Brand::Jcb => in_len(15, 19),
        Brand::Discover | Brand::UnionPay | Brand::Mir => in_len(16, 19),
        Brand::Diners => in_len(14, 19),
        Brand::Maestro => in_len(12, 19),
    };
    len_ok.then_some(b)
}

pub(crate) fn validate(c: &Cand<'_>) -> Option<Verdict> {
    if !numeric_boundary_ok(c.hay, c.span) {
        return None;
    }
    let d = c.digits(b" -")?;
    // Contiguous, or grouped as cards print them: in fours (4-4-4-4, 4-4-4-4-3, the 15-, 14-
    // and 13-digit 4-4-4-3, 4-4-4-2 and 4-4-4-1, a 12-digit Maestro 4-4-4), Amex 4-6-5,
    // Diners 4-6-4, the 13-digit 4-3-3-3, and 16 digits in two halves (8-8).
    let halves = d.ngroups == 2 && d.groups() == [8, 8];
    if !halves
        && !d.grouped_as(&[
            &[4, 4, 4, 4],
            &[4, 4, 4, 4, 3],
            &[4, 4, 4, 4, 2],
            &[4, 4, 4, 4, 1],
            &[4, 6, 5],
            &[4, 6, 4],
            &[4, 4, 4, 3],
            &[4, 4, 4, 2],
            &[4, 4, 4, 1],
            &[4, 4, 4],
            &[4, 3, 3, 3],
        ])
    {
        return None;
    }
    if !(12..=19).contains(&d.len()) || d.all_same() || !luhn_ok(d.as_slice()) {
        return None;
    }
    let score = match brand(&d) {
        // Seventeen to nineteen digits in one run are as often a 64-bit integer (a seed, a
        // trace id: up to 19 digits) as a card: only with card context.
        Some(_) if d.len() >= 17 && d.sep.is_none() => 0.45,
        // Two 8-digit halves are as often two ids side by side: only with card context.
        Some(_) if halves => 0.45,
        Some(Brand::Visa) if d.len() != 16 => 0.8,
        // 12- to 15-digit Maestro numbers look like any grouped id: only with context.
        Some(Brand::Maestro) if d.len() < 16 => 0.45,
        Some(Brand::Maestro) => 0.75,
        Some(_) => 0.9,
        // A Luhn-valid number with no known issuer: only with strong context.
        None => 0.25,
    };
    Verdict::new(c.span, score)
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
                "4111 1111 1111 1111",
                "2223 0031 2200 3222",
                "3782 822463 10005",
                "3530 1113 3330 0000",
                "6011 1111 1111 1117",
                "3056 9309 0259 04",
                "6200 0000 0000 0005",
                "4111-1111-1111-1111",
                "4111111111111111",
                "5555555555554444",
                "378282246310005",
            ],
            &[
                "4111 1111 1111 1112",
                "1234 5678 1234 5670",
                "0000 0000 0000 0000",
                "4111-1111 1111-1111",
            ],
        );
    }

    #[test]
    fn brands_and_lengths() {
        let b = |s: &str| brand(&Digits::parse(s.as_bytes(), b" ").unwrap());
        assert_eq!(b("4111111111111111"), Some(Brand::Visa));
        assert_eq!(b("4111111111111"), Some(Brand::Visa));
        assert_eq!(b("41111111111111"), None); // Visa has no 14-digit length
        assert_eq!(b("2223003122003222"), Some(Brand::Mastercard));
        assert_eq!(b("378282246310005"), Some(Brand::Amex));
        assert_eq!(b("3782822463100050"), None); // Amex is 15 only
        assert_eq!(b("6221260000000000"), Some(Brand::Discover));
        assert_eq!(b("6200000000000005"), Some(Brand::UnionPay));
        assert_eq!(b("30569309025904"), Some(Brand::Diners));
        assert_eq!(b("3530111333300000"), Some(Brand::Jcb));
        assert_eq!(b("2200000000000004"), Some(Brand::Mir));
        assert_eq!(b("1234567812345670"), None);
        assert_eq!(b("503800000005"), Some(Brand::Maestro));
        assert_eq!(b("563233291704"), Some(Brand::Maestro));
        assert_eq!(b("180000000000002"), Some(Brand::Jcb));
        assert_eq!(b("213100000000001"), Some(Brand::Jcb));
        assert_eq!(b("1800000000000002"), None); // the legacy JCB ranges are 15 digits
    }

    #[test]
    fn printed_groupings() {
        table(
            validate,
            0.5,
            // Visa's published 13-digit test number, as 4-3-3-3 and 4-4-4-1; Maestro 4-4-4.
            &["4222 222 222 222", "4222-2222-2222-2"],
            &["4222 22 222 2222", "42 2222 2222 222", "5038 00 000 005"],
        );
        // 8-8 halves are a card only with context.
        table(validate, 0.4, &["4111 1111 1111 1111"], &[]);
        let v = run(validate, "45325260 18159080").unwrap();
        assert!(v.score < 0.5, "{v:?}");
        // A 12-digit Maestro number is reported only with context.
        table(validate, 0.4, &["5038 0000 0005", "5632-3329-1704"], &[]);
        assert!(run(validate, "5038 0000 0005").unwrap().score < 0.5);
    }

    /// A 64-bit integer (`seed: 4733342587716648840`) passes Luhn one time in ten: nineteen
    /// digits in one run need a card word.
    #[test]
    fn long_runs_need_context() {
        let v = run(validate, "4733342587716648840").unwrap();
        assert!(v.score < 0.5, "{v:?}");
        let v = run(validate, "4111 1111 1111 1111 003").unwrap();
        assert!(v.score >= 0.5, "{v:?}");
    }

    #[test]
    fn unknown_brand_scores_low() {
        // Luhn-valid 16 digits starting with 8: no brand, weak evidence.
        let v = run(validate, "8000000000000003").unwrap();
        assert!(v.score < 0.5);
    }

    #[test]
    fn boundaries() {
        let settings = super::super::Settings::default();
        let hay = b"x 1.4111111111111111 y";
        let c = Cand::new(hay, crate::span::Span::new(4, 20), &settings);
        assert!(validate(&c).is_none());
    }
}
