//! PERSON written in one case, upper or lower (`DEAR MARY JOHNSON`, `spoke with mary
//! johnson`, `MR JOHN Q SMITH`), ENTITIES.md §6. Case, the name shape's first evidence, says
//! nothing here, so the evidence is a word before the name that introduces a person
//! ([`crate::detect::cue`]) and the dictionaries for every word: a given name first, a surname
//! last, each word a name, an initial only between. A common word counts only when it is
//! also a frequent name (`will`, `rose`) and longer than two letters (not `in`, `an`); a name
//! made only of such words scores 0.3, others 0.45: the cue, a context word of the
//! detector, lifts them over the threshold (`patterns/person/person_caseless.toml`). The longest such run from the start is
//! the name (`spoke with mary johnson today` → `mary johnson`).

use super::person::{Known, known, not_a_person, street_name};
use super::{Cand, Verdict};
use crate::span::Span;

/// Most words the shape proposes (three names and an initial between).
const MAX_WORDS: usize = 4;

pub(crate) fn validate(c: &Cand<'_>) -> Option<Verdict> {
    let s = c.span.start();
    if !crate::detect::cue::introduces_caseless(c.hay, s) {
        return None;
    }
    let text = std::str::from_utf8(c.bytes()).ok()?;
    // Words with their offsets in `text`, as the person validator keeps them.
    let mut words = [(0usize, 0usize, false); MAX_WORDS];
    let mut n = 0;
    let mut at = 0;
    for w in text.split(' ') {
        if n == MAX_WORDS {
            return None;
        }
        words[n] = (at, at + w.len(), false);
        n += 1;
        at += w.len() + 1;
    }
    let words = &words[..n];
    let word = |k: usize| text[words[k].0..words[k].1].trim_end_matches('.');
    // Longest first: `mary johnson today` is `mary johnson`.
    for j in (2..=n).rev() {
        if word(j - 1).len() < 2 {
            continue;
        }
        let e = s + words[j - 1].1;
        // Not glued to a letter or digit after it (`mary johnsonx`).
        if c.hay.get(e).is_some_and(|b| b.is_ascii_alphanumeric()) {
            continue;
        }
        let Some(score) = score((0..j).map(word)) else {
            continue;
        };
        if not_a_person(text, words, 0, j) || street_name(c.hay, s, word(j - 1)) {
            return None;
        }
        return Verdict::new(Span::new(s, e), score);
    }
    None
}

/// The score of the words of a one-case name, or `None` when they are not one.
fn score<'a>(words: impl Iterator<Item = &'a str>) -> Option<f32> {
    let words: Vec<&str> = words.collect();
    let n = words.len();
    let mut names = 0;
    let mut plain = false; // some word is a name and no common word
    let mut weak = false; // some word is a common word no frequent name, or unknown
    let (mut first, mut last) = (Known::default(), Known::default());
    for (i, w) in words.iter().enumerate() {
        if w.chars().count() == 1 {
            // An initial: only between names.
            if names == 0 || i + 1 == n {
                return None;
            }
            continue;
        }
        let mut k = known(w);
        // A surname in letters no dictionary folds (`ĐẶNG`, `yüksel`), as the last word.
        let foreign = !(k.given || k.surname || k.stop) && i + 1 == n && !w.is_ascii();
        // A short common word is a function word first (`in`, `an`, `to`), whatever a
        // census lists.
        let short = w.len() <= 2;
        if k.never || (k.stop && short) {
            return None;
        }
        if foreign {
            k.surname = true;
            weak = true;
        } else if !(k.given || k.surname) {
            return None;
        } else if k.stop && !k.common {
            // A common word that is a rarer surname (`sales`), only last.
            if i + 1 != n || !k.surname {
                return None;
            }
            weak = true;
        }
        plain |= (k.given || k.surname) && !k.stop && !foreign;
        if names == 0 {
            first = k;
        }
        last = k;
        names += 1;
    }
    // A rarer or unknown surname needs a given name that is no common word before it.
    let strong_first = first.given && !first.stop;
    if names < 2 || !first.given || !last.surname || (weak && !strong_first) {
        return None;
    }
    Some(if plain && !weak { 0.45 } else { 0.3 })
}

#[cfg(test)]
mod tests {
    use super::super::{Cand, Settings};
    use crate::span::Span;

    fn run(hay: &str, name: &str) -> Option<(String, f32)> {
        let s = hay.find(name).unwrap();
        let settings = Settings::default();
        let c = Cand::new(hay.as_bytes(), Span::new(s, s + name.len()), &settings);
        super::validate(&c).map(|v| (hay[v.span.range()].to_owned(), v.score))
    }

    #[test]
    fn a_name_in_one_case_after_a_word_that_introduces_it() {
        for (hay, cand, name) in [
            ("DEAR MARY JOHNSON,", "MARY JOHNSON", "MARY JOHNSON"),
            (
                "spoke with mary johnson today",
                "mary johnson today",
                "mary johnson",
            ),
            (
                "ADMITTED PATIENT ROBERT SMITH TO WARD",
                "ROBERT SMITH TO",
                "ROBERT SMITH",
            ),
            ("MR JOHN Q SMITH", "JOHN Q SMITH", "JOHN Q SMITH"),
            (
                "mrs. jane walker called",
                "jane walker called",
                "jane walker",
            ),
            // A rarer surname that is a common word, or one in letters no dictionary folds,
            // after a given name.
            ("hey diego sales can you", "diego sales can", "diego sales"),
            ("DEAR JOHN ĐẶNG, YOUR", "JOHN ĐẶNG", "JOHN ĐẶNG"),
        ] {
            assert_eq!(
                run(hay, cand).map(|(n, _)| n).as_deref(),
                Some(name),
                "{hay}"
            );
        }
    }

    #[test]
    fn no_name_without_the_cue_or_the_dictionaries() {
        for (hay, cand) in [
            // No word that introduces a person.
            ("ERROR ROBERT SMITH", "ROBERT SMITH"),
            ("with mary johnson", "mary johnson"),
            // Words the dictionaries do not know as a name, or common words that are no
            // frequent name.
            ("DEAR VALUED CUSTOMER", "VALUED CUSTOMER"),
            ("hello world team", "world team"),
            ("hi will call", "will call"),
            ("called in an hour", "in an"),
            ("hey mark sales team", "mark sales team"),
            ("hi john pls", "john pls"),
            // An initial first, or the surname missing.
            ("DEAR J SMITH", "J SMITH"),
        ] {
            assert_eq!(run(hay, cand), None, "{hay}");
        }
    }
}
