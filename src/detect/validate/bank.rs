//! Bank identifiers, ENTITIES.md §1: ABA_ROUTING (prefix ranges, 3-7-1 weights), SWIFT_BIC
//! (shape + ISO 3166 country), US_BANK_ACCOUNT (context-only: no format of its own).

use super::{Cand, Verdict, numeric_boundary_ok};

/// ISO 3166-1 alpha-2 codes, plus XK (Kosovo, used by SWIFT).
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI \
BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ \
DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ \
GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN \
KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS \
MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT \
PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF \
TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA \
ZM ZW";

/// True for an ISO 3166-1 alpha-2 country code (upper case).
pub(crate) fn is_country(cc: &[u8]) -> bool {
    cc.len() == 2
        && COUNTRIES
            .as_bytes()
            .chunks(3)
            .any(|c| c[0] == cc[0] && c[1] == cc[1])
}

/// True when nine digit values form a routing number: an assigned prefix and the 3-7-1
/// weighted sum ≡ 0 (mod 10).
pub(crate) fn aba_ok(d: &[u8]) -> bool {
    if d.len() != 9 {
        return false;
    }
    let prefix = d[0] * 10 + d[1];
    let assigned = matches!(prefix, 0..=12 | 21..=32 | 61..=72 | 80);
    let sum: u32 = d
        .iter()
        .zip([3u32, 7, 1].iter().cycle())
        .map(|(&x, &w)| u32::from(x) * w)
        .sum();
    assigned && sum.is_multiple_of(10) && d.iter().any(|&x| x != 0)
}

/// ABA_ROUTING: nine contiguous digits; ≈4 % of random 9-digit numbers pass, so the base
/// score needs context (`routing`, `aba`...).
pub(crate) fn validate_aba(c: &Cand<'_>) -> Option<Verdict> {
    if !numeric_boundary_ok(c.hay, c.span) {
        return None;
    }
    let d = c.digits(b"")?;
    aba_ok(d.as_slice()).then_some(Verdict {
        span: c.span,
        score: 0.3,
    })
}

/// SWIFT_BIC: 4 letters (institution) + country + 2 alphanumerics (+ 3 for a branch). Plain
/// upper-case words pass the shape (`DATABASE`), so only context reports it.
pub(crate) fn validate_bic(c: &Cand<'_>) -> Option<Verdict> {
    let b = c.bytes();
    if !(b.len() == 8 || b.len() == 11)
        || !b[..6].iter().all(u8::is_ascii_uppercase)
        || !b[6..]
            .iter()
            .all(|x| x.is_ascii_uppercase() || x.is_ascii_digit())
        || !is_country(&b[4..6])
    {
        return None;
    }
    // A code with a digit in it is less likely to be a word.
    let score = if b[6..].iter().any(u8::is_ascii_digit) {
        0.4
    } else {
        0.3
    };
    Verdict::new(c.span, score)
}

/// US_BANK_ACCOUNT: 6 to 17 digits, never on shape alone (base 0.15: context must carry it).
pub(crate) fn validate_account(c: &Cand<'_>) -> Option<Verdict> {
    if !numeric_boundary_ok(c.hay, c.span) {
        return None;
    }
    let d = c.digits(b"-")?;
    ((6..=17).contains(&d.len()) && !d.all_same()).then_some(Verdict {
        span: c.span,
        score: 0.15,
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{digits, run, table};
    use super::*;

    #[test]
    fn aba_entities_md_examples() {
        for v in ["011000015", "021000021", "121000358"] {
            assert!(aba_ok(&digits(v)), "{v}");
            assert!(run(validate_aba, v).is_some());
        }
        for v in ["021000022", "131000021", "810000009", "000000000"] {
            assert!(!aba_ok(&digits(v)), "{v}");
        }
        // Bare: needs context.
        assert!(run(validate_aba, "021000021").unwrap().score < 0.5);
    }

    #[test]
    fn bic_entities_md_examples() {
        table(
            validate_bic,
            0.3,
            &["DEUTDEFF", "DEUTDEFF500", "NWBKGB2L"],
            &["DEUT1EFF", "DEUTDEF", "DEUTQQFF"],
        );
        // Words of the shape are found but never reach a threshold on their own.
        for w in ["DATABASE", "SHUTDOWN", "TERMINAL", "PLATFORM"] {
            assert!(run(validate_bic, w).is_some_and(|v| v.score < 0.5), "{w}");
        }
        assert!(is_country(b"XK") && !is_country(b"QQ"));
        assert_eq!(COUNTRIES.split(' ').count(), 250);
    }

    #[test]
    fn bank_account_is_context_only() {
        assert!(run(validate_account, "000123456789").is_some_and(|v| v.score < 0.5));
        assert!(run(validate_account, "4401882211").is_some());
        assert!(run(validate_account, "12345").is_none());
        assert!(run(validate_account, "111111111").is_none());
    }
}
