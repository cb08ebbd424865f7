//! US_NPI — National Provider Identifier (CMS), ENTITIES.md §5: ten digits starting 1 or 2,
//! Luhn over `80840` + NPI (the Luhn sum of the ten digits plus 24). A bare ten-digit number
//! passing a mod-10 check is weak evidence, so the base score needs context to report.
//! Printed contiguous, or grouped as ten-digit numbers are (3-3-4, 4-3-3, 5-5).

use super::{Cand, Verdict, luhn_sum, numeric_boundary_ok};

/// True when the ten digit values form a valid NPI.
pub(crate) fn npi_ok(d: &[u8]) -> bool {
    d.len() == 10 && matches!(d[0], 1 | 2) && (luhn_sum(d) + 24).is_multiple_of(10)
}

pub(crate) fn validate(c: &Cand<'_>) -> Option<Verdict> {
    if !numeric_boundary_ok(c.hay, c.span) {
        return None;
    }
    let d = c.digits(b" -.")?;
    if !d.grouped_as(&[&[3, 3, 4], &[4, 3, 3], &[5, 5]]) {
        return None;
    }
    let s = d.as_slice();
    // Also accept the 15-digit form with the ISO 7812 health prefix written out.
    let npi = if s.len() == 15 && s[..5] == [8, 0, 8, 4, 0] {
        &s[5..]
    } else {
        s
    };
    npi_ok(npi).then_some(Verdict {
        span: c.span,
        score: 0.35,
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{digits, run};
    use super::*;

    #[test]
    fn entities_md_examples() {
        for v in ["1234567893", "1987654328", "2453195994", "808401234567893"] {
            assert!(run(validate, v).is_some(), "{v}");
        }
        for v in ["123 456 7893", "1234-567-893", "12345 67893"] {
            assert!(run(validate, v).is_some(), "{v}");
        }
        for v in [
            "1234567890",
            "3234567891",
            "123456789",
            "12 3456 7893",
            "123 456 7890",
        ] {
            assert!(run(validate, v).is_none(), "{v}");
        }
        assert!(npi_ok(&digits("1234567893")));
    }
}
