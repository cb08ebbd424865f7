//! STREET_ADDRESS — a heuristic for US-style postal addresses, ENTITIES.md §4. The candidate
//! pattern finds `NUMBER [DIR] Name… SUFFIX [DIR] [UNIT] [, City, ST ZIP]` and PO boxes; this
//! checks what follows (only the end, punctuation, a capitalised token — never prose) and scores
//! by how much of an address is there.

use super::{Cand, Verdict};
use crate::span::Span;

const STATES: &str = "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO \
MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR VI GU AS MP AA AE AP";

fn has_state_zip(b: &[u8]) -> bool {
    // `…, ST 12345` or `…, ST 12345-6789` at the end.
    let t: Vec<&[u8]> = b.rsplit(|&x| x == b' ').take(2).collect();
    if t.len() < 2 {
        return false;
    }
    let (zip, st) = (t[0], t[1]);
    let zip_ok = (zip.len() == 5 && zip.iter().all(u8::is_ascii_digit))
        || (zip.len() == 10
            && zip[5] == b'-'
            && zip.iter().filter(|x| x.is_ascii_digit()).count() == 9);
    zip_ok
        && st.len() == 2
        && STATES
            .as_bytes()
            .chunks(3)
            .any(|c| c[0] == st[0] && c[1] == st[1])
}

pub(crate) fn validate(c: &Cand<'_>) -> Option<Verdict> {
    let s = c.span.start();
    if s > 0 && c.hay[s - 1].is_ascii_alphanumeric() {
        return None;
    }
    // The pattern's optional tails (`, Apt 4`, `, City, ST 12345`) can run on into what
    // follows (`…, CO 80202abc`): then the address is the longest form, cut at a comma,
    // that ends cleanly — the form the pattern finds once the city next to it is redacted.
    let mut end = c.span.end();
    loop {
        if let Some(v) = judge(c.hay, Span::new(s, end)) {
            return Some(v);
        }
        let comma = c.hay[s..end].iter().rposition(|&b| b == b',')?;
        end = s + comma;
    }
}

/// The verdict on the address `hay[span]`, by what follows it and how much of an address it
/// holds.
fn judge(hay: &[u8], span: Span) -> Option<Verdict> {
    let e = span.end();
    // After the address: end, punctuation, a capitalised word or a value — never a word of
    // prose, lower-case letters only (`200 Main Way to go`, `3 Park Lane threads`). A value
    // (`jo@example.net`) may be redacted, and the label in its place must leave the verdict
    // as it was. After a state and ZIP the address is complete, and prose may follow.
    let b = &hay[span.range()];
    let complete = has_state_zip(b);
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
    if rest.first().is_some_and(u8::is_ascii_alphanumeric)
        || (!complete && rest.first() == Some(&b' ') && prose)
    {
        return None;
    }
    let lower = b.to_ascii_lowercase();
    if lower.starts_with(b"p") && lower.windows(3).any(|w| w == b"box") {
        return Verdict::new(span, 0.6);
    }
    let unit = [
        " apt",
        " apartment",
        " suite",
        " ste",
        " unit",
        " #",
        " fl ",
        " floor",
        " rm",
        " room",
        " bldg",
        " lot",
    ]
    .iter()
    .any(|u| lower.windows(u.len()).any(|w| w == u.as_bytes()));
    let score = if complete {
        0.85
    } else if unit {
        0.75
    } else {
        0.5
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
        assert_eq!(&hay[v.span.range()], "6562 E Hill Way, Denver");
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
