//! UK_NHS — NHS number (England, Wales, Isle of Man; Northern Ireland H&C and Scotland CHI use
//! the same check), ENTITIES.md §5: mod 11 with weights 10..2, check 10 never issued; the 999
//! test range scored lower.

use super::{Cand, Verdict, numeric_boundary_ok};

/// True when ten digit values pass the NHS mod-11 check.
pub(crate) fn mod11_ok(d: &[u8]) -> bool {
    if d.len() != 10 {
        return false;
    }
    let sum: u32 = d[..9]
        .iter()
        .zip((2..=10u32).rev())
        .map(|(&x, w)| u32::from(x) * w)
        .sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return false,
        c => c,
    };
    check == u32::from(d[9])
}

pub(crate) fn validate(c: &Cand<'_>) -> Option<Verdict> {
    if !numeric_boundary_ok(c.hay, c.span) {
        return None;
    }
    let d = c.digits(b" -")?;
    if d.len() != 10 || !d.grouped_as(&[&[3, 3, 4]]) || !mod11_ok(d.as_slice()) {
        return None;
    }
    // Issued ranges (4xx, 6xx-7xx, 3xx, CHI dates...) are descriptive, not a filter:
    // published specimens such as 943 476 5919 lie outside them (ENTITIES.md §5, §8).
    let test_range = d.as_slice()[..3] == [9, 9, 9];
    let mut score = match d.sep {
        // The printed 3-3-4 grouping is distinctive.
        Some(_) if grouped_334(c.bytes()) => 0.6,
        _ => 0.3,
    };
    if test_range {
        score -= 0.1;
    }
    Verdict::new(c.span, score)
}

fn grouped_334(b: &[u8]) -> bool {
    b.len() == 12 && !b[3].is_ascii_digit() && !b[7].is_ascii_digit()
}

#[cfg(test)]
mod tests {
    use super::super::tests::{digits, run, table};
    use super::*;

    #[test]
    fn entities_md_examples() {
        table(
            validate,
            0.5,
            &["943 476 5919", "943-476-5870", "999 000 0018"],
            &["943 476 5918", "987 654 4321", "9434765919", "943 4765 919"],
        );
    }

    #[test]
    fn mod11() {
        assert!(mod11_ok(&digits("9434765919")));
        assert!(!mod11_ok(&digits("9434765918")));
        assert!(run(validate, "9434765919").is_some_and(|v| v.score < 0.5));
    }
}
