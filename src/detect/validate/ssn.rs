//! US_SSN — US Social Security Number, ENTITIES.md §2: area not 000, 666 or 900–999; group not
//! 00; serial not 0000; publicised numbers rejected; `123-45-6789` a low-scored dummy.

use super::{Cand, Verdict, numeric_boundary_ok};

/// Numbers that were printed on sample cards or in advertising and never belong to a person.
const PUBLICISED: [u32; 3] = [78_051_120, 219_099_999, 457_555_462];

/// Checks the ranges of a 9-digit SSN given as digit values.
pub(crate) fn ranges_ok(d: &[u8]) -> bool {
    let n = |r: std::ops::Range<usize>| d[r].iter().fold(0u32, |a, &x| a * 10 + u32::from(x));
    let (area, group, serial) = (n(0..3), n(3..5), n(5..9));
    area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

pub(crate) fn validate(c: &Cand<'_>) -> Option<Verdict> {
    if !numeric_boundary_ok(c.hay, c.span) {
        return None;
    }
    let d = c.digits(b" -.")?;
    if d.len() != 9 || !d.grouped_as(&[&[3, 2, 4]]) || !ranges_ok(d.as_slice()) {
        return None;
    }
    let whole = d.prefix(9);
    if PUBLICISED.contains(&whole) {
        return None;
    }
    let score = if whole == 123_456_789 {
        0.3
    } else {
        match d.sep {
            Some(b'-') => 0.7,
            Some(_) => 0.55,
            // Nine bare digits are common (order ids, ZIP+4): context must carry them.
            None => 0.3,
        }
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
            &["536-90-4399", "219-56-7812", "536 90 4399"],
            &[
                "666-12-3456",
                "123-00-4567",
                "078-05-1120",
                "912-34-5678",
                "000-12-3456",
                "536-90-0000",
                "219-09-9999",
                "457-55-5462",
                "536-90 4399",
            ],
        );
    }

    #[test]
    fn bare_and_dummy_need_context() {
        assert!(run(validate, "536904399").unwrap().score < 0.5);
        assert!(run(validate, "123-45-6789").unwrap().score < 0.5);
    }
}
