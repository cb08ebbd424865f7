//! STREET_ADDRESS — postal addresses, ENTITIES.md §4: the `address` shape reads the street
//! forms of the US, UK, CA, AU and of European countries, a unit, and a city and postcode
//! tail ([`crate::detect::shapes::address`]); this checks what follows (only the end,
//! punctuation, a capitalised token — never prose) and scores by how much of an address is
//! there: a tail (city and postcode) 0.9, a unit 0.75, a US-style `Number Name Type` 0.5, a
//! PO box 0.6, a bare street before its number (`Drubinring 75`) 0.4, which needs context.

use super::{Cand, Verdict};
use crate::detect::shapes::address::parts;
use crate::span::Span;

pub(crate) fn validate(c: &Cand<'_>) -> Option<Verdict> {
    let s = c.span.start();
    if s > 0 && c.hay[s - 1].is_ascii_alphanumeric() {
        return None;
    }
    // The optional tails (`, Apt 4`, `, City, ST 12345`) can run on into what follows
    // (`…, CO 80202abc`): then the address is the longest form, cut at a comma, that ends
    // cleanly — the form found once the city next to it is redacted.
    let mut end = c.span.end();
    loop {
        if let Some(v) = judge(c.hay, Span::new(s, end)) {
            return Some(v);
        }
        let comma = c.hay[s..end].iter().rposition(|&b| b == b',')?;
        end = s + comma;
    }
}

/// The verdict on the address `hay[span]`, by what follows it and what it holds.
fn judge(hay: &[u8], span: Span) -> Option<Verdict> {
    let e = span.end();
    let p = parts(&hay[span.range()])?;
    // After the address: end, punctuation, a capitalised word or a value — never a word of
    // prose, lower-case letters only (`200 Main Way to go`, `3 Park Lane threads`). A value
    // (`jo@example.net`) may be redacted, and the label in its place must leave the verdict
    // as it was. After a city and postcode the address is complete, and prose may follow.
    let rest = &hay[e..];
    let next_word = rest.strip_prefix(b" ").unwrap_or(b"");
    let next_word = &next_word[..next_word
        .iter()
        .position(u8::is_ascii_whitespace)
        .unwrap_or(next_word.len())];
    let prose = next_word.first().is_some_and(u8::is_ascii_lowercase)
        && next_word
            .iter()
            .all(|b| b.is_ascii_alphabetic() || b"-'.,;:!?)\"".contains(b));
    // Nor inside a hyphenated word (`44 MEDICAL WALK-IN`: the type was a word's first half).
    let hyphenated =
        rest.first() == Some(&b'-') && rest.get(1).is_some_and(u8::is_ascii_alphabetic);
    if rest.first().is_some_and(u8::is_ascii_alphanumeric)
        || hyphenated
        || (!p.tail && rest.first() == Some(&b' ') && prose)
    {
        return None;
    }
    let score = if p.tail {
        0.9
    } else if p.po_box {
        0.6
    } else if p.unit {
        0.75
    } else if p.typed {
        0.5
    } else {
        0.4
    };
    Verdict::new(span, score)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{run, run_at};
    use super::*;

    #[test]
    fn shapes_and_scores() {
        assert!(
            run(
                validate,
                "1600 Pennsylvania Avenue NW, Washington, DC 20500"
            )
            .unwrap()
            .score
                >= 0.8
        );
        assert!(run(validate, "42 W 5th St Apt 3B").unwrap().score >= 0.7);
        assert!(run(validate, "PO Box 1234").is_some());
        assert!(run(validate, "12 Oak Street").is_some_and(|v| v.score >= 0.5));
    }

    #[test]
    fn prose_after_the_suffix_is_not_an_address() {
        assert!(run_at(validate, "200 Main Way to go", 0, 12).is_none());
        assert!(run_at(validate, "ROUTE 44 MEDICAL WALK-IN", 6, 21).is_none());
        assert!(run_at(validate, "3 Park Lane threads.", 0, 11).is_none());
    }

    /// See: fuzz/regressions/scan/address-before-email-idempotence — an address followed by
    /// an e-mail address was taken for an address followed by prose, until the e-mail was
    /// labelled and the next pass found the address.
    /// See: fuzz/regressions/scan/address-tail-cut-idempotence — `, City, ST ZIP` glued to
    /// the next word: the address is the street part, as once the city is labelled.
    #[test]
    fn a_tail_that_runs_on_is_cut_at_a_comma() {
        let hay = "6562 E Hill Way, Denver, CO 80202iii";
        let v = run_at(validate, hay, 0, 33).unwrap();
        assert_eq!(&hay[v.span.range()], "6562 E Hill Way");
        let hay = "6562 E Hill Way, [PERSON], CO 80202iii";
        assert!(run_at(validate, hay, 0, 15).is_some());
        let hay = "1600 Pennsylvania Avenue NW, Washington, DC 20500";
        assert_eq!(
            run_at(validate, hay, 0, hay.len()).unwrap().span.end(),
            hay.len()
        );
    }

    #[test]
    fn a_value_after_the_suffix_is_not_prose() {
        let hay = "lives at 4155 S Elm Street binson@example.net HTTP";
        assert!(run_at(validate, hay, 9, 26).is_some());
        let hay = "lives at 4155 S Elm Street [EMAIL] HTTP";
        assert!(run_at(validate, hay, 9, 26).is_some());
    }
}
