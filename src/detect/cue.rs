//! Words that introduce a person by name: `Dear`, `called`, `his daughter`, `Mr`, `spoke
//! with`. A name right after one needs less evidence (`Dear Anna`), and a name in one case,
//! upper or lower (`DEAR MARY JOHNSON`, `spoke with mary johnson`), where case says nothing,
//! is read only after one. Shapes and validators both ask, so the lists sit here, below both.

/// Words that introduce a person by name (any case).
const CUES: &[&[u8]] = &[
    b"aunt",
    b"brother",
    b"called",
    b"caller",
    b"colleague",
    b"contacted",
    b"dad",
    b"daughter",
    b"dear",
    b"emailed",
    b"father",
    b"granddaughter",
    b"grandfather",
    b"grandmother",
    b"grandson",
    b"hello",
    b"hey",
    b"hi",
    b"husband",
    b"mom",
    b"mother",
    b"mum",
    b"named",
    b"nephew",
    b"niece",
    b"paged",
    b"partner",
    b"phoned",
    b"sister",
    b"son",
    b"thanks",
    b"uncle",
    b"wife",
];

/// Titles and role words that introduce a name in one case (`MR JOHN SMITH`, `patient mary
/// jones`); a capitalised name after a title is the name shape's own (`Dr Okafor`).
const BEFORE_CASELESS: &[&[u8]] = &[
    b"mr", b"mrs", b"ms", b"miss", b"mx", b"dr", b"prof", b"patient", b"client",
];

/// A verb and the preposition after it that introduce a person (`spoke with`, `seen by`,
/// `my name is`).
const VERB_THEN: &[(&[u8], &[u8])] = &[
    (b"name", b"is"),
    (b"spoke", b"with"),
    (b"spoke", b"to"),
    (b"talked", b"with"),
    (b"talked", b"to"),
    (b"met", b"with"),
    (b"seen", b"by"),
    (b"signed", b"by"),
    (b"referred", b"by"),
    (b"reviewed", b"by"),
    (b"approved", b"by"),
    (b"examined", b"by"),
    (b"attended", b"by"),
];

/// For each first letter, the lengths (bit `len`) of the words of every list above that start
/// with it (a preposition of [`VERB_THEN`] too): one load rules out most words of a line.
const FIRST_AND_LEN: [u16; 26] = {
    let mut t = [0u16; 26];
    let lists: [&[&[u8]]; 2] = [CUES, BEFORE_CASELESS];
    let mut l = 0;
    while l < lists.len() {
        let mut i = 0;
        while i < lists[l].len() {
            let w = lists[l][i];
            t[(w[0] - b'a') as usize] |= 1 << w.len();
            i += 1;
        }
        l += 1;
    }
    let mut i = 0;
    while i < VERB_THEN.len() {
        let w = VERB_THEN[i].1;
        t[(w[0] - b'a') as usize] |= 1 << w.len();
        i += 1;
    }
    t
};

/// False when `word` is in none of the lists (the cheap test before comparing).
pub(crate) fn may_introduce(word: &[u8]) -> bool {
    let Some(&b) = word.first() else {
        return false;
    };
    let b = b.to_ascii_lowercase();
    b.is_ascii_lowercase()
        && word.len() < 16
        && FIRST_AND_LEN[usize::from(b - b'a')] & (1 << word.len()) != 0
}

fn is_in(list: &[&[u8]], w: &[u8]) -> bool {
    // Length first: most words are in no list.
    list.iter()
        .any(|c| c.len() == w.len() && c.eq_ignore_ascii_case(w))
}

/// True when `word` introduces a person by name (any case): `Dear`, `called`, `daughter`.
pub(crate) fn is_cue(word: &[u8]) -> bool {
    (2..=13).contains(&word.len()) && is_in(CUES, word)
}

/// The word that ends at byte `end` of `hay` after exactly one space (or `. ` after a
/// title), and where it starts.
fn word_before(hay: &[u8], end: usize) -> Option<(usize, &[u8])> {
    let head = hay[..end].strip_suffix(b" ")?;
    let head = head.strip_suffix(b".").unwrap_or(head);
    let from = head
        .iter()
        .rposition(|b| !b.is_ascii_alphabetic())
        .map_or(0, |p| p + 1);
    // A whole word: not the tail of `10ms` or `user_dr`.
    let whole = from == 0 || !matches!(head[from - 1], b'0'..=b'9' | b'_');
    (from < head.len() && whole).then(|| (from, &head[from..]))
}

/// True when the word right before byte `start` (one space away) introduces a person.
pub(crate) fn cue_before(hay: &[u8], start: usize) -> bool {
    hay[..start].strip_suffix(b" ").is_some_and(|head| {
        let from = head
            .iter()
            .rposition(|b| !b.is_ascii_alphabetic())
            .map_or(0, |p| p + 1);
        is_cue(&head[from..])
    })
}

/// True when what stands right before byte `start` introduces a name written in one case: a
/// cue word, a title or role word (`MR`, `Mrs.`, `patient`), or a verb and its preposition
/// (`spoke with`, `seen by`).
pub(crate) fn introduces_caseless(hay: &[u8], start: usize) -> bool {
    let Some((from, w)) = word_before(hay, start) else {
        return false;
    };
    if !may_introduce(w) {
        return false;
    }
    if is_cue(w) || is_in(BEFORE_CASELESS, w) {
        return true;
    }
    // `spoke with`: the preposition, then the verb one space before it.
    if !(2..=4).contains(&w.len()) || hay.get(start - 1) != Some(&b' ') {
        return false;
    }
    let Some((_, verb)) = word_before(hay, from) else {
        return false;
    };
    VERB_THEN
        .iter()
        .any(|(v, p)| p.eq_ignore_ascii_case(w) && v.eq_ignore_ascii_case(verb))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `person_caseless` detector is gated by its context words: each word that can
    /// introduce a one-case name must be one of them, or the shape is never run where it is.
    #[test]
    fn every_word_here_gates_the_one_case_detector() {
        let (defs, _) = crate::detect::spec::builtin().unwrap();
        let def = defs
            .iter()
            .find(|d| d.id.as_str() == "person_caseless")
            .unwrap();
        let words: Vec<&[u8]> = CUES.iter().chain(BEFORE_CASELESS).copied().collect();
        // A verb and its preposition as one phrase (a longer phrase shadows a word it
        // starts with: `seen by` is a phrase of the person detector), `name is` as `name`.
        let phrases = VERB_THEN.iter().map(|(v, p)| {
            if *v == b"name" {
                b"name".to_vec()
            } else {
                [*v, b" ", *p].concat()
            }
        });
        for w in words.into_iter().map(<[u8]>::to_vec).chain(phrases) {
            assert!(
                def.context.iter().any(|c| c.as_bytes() == w),
                "{} missing from person_caseless.toml's context",
                String::from_utf8_lossy(&w)
            );
        }
    }

    #[test]
    fn cue_words_in_any_case() {
        assert!(is_cue(b"Dear") && is_cue(b"DEAR") && is_cue(b"dear"));
        assert!(!is_cue(b"deer") && !is_cue(b""));
        assert!(cue_before(b"Dear Anna", 5));
        assert!(!cue_before(b"Dear  Anna", 6));
        assert!(!cue_before(b"Anna", 0));
    }

    #[test]
    fn the_cheap_test_passes_every_listed_word() {
        for w in CUES
            .iter()
            .chain(BEFORE_CASELESS)
            .chain(VERB_THEN.iter().map(|(_, p)| p))
        {
            assert!(may_introduce(w), "{}", String::from_utf8_lossy(w));
            assert!(may_introduce(&w.to_ascii_uppercase()));
        }
        assert!(!may_introduce(b"logged") && !may_introduce(b"") && !may_introduce(b"9x"));
    }

    #[test]
    fn what_introduces_a_name_in_one_case() {
        for (text, start) in [
            ("DEAR MARY JOHNSON", 5),
            ("MR JOHN SMITH", 3),
            ("Mrs. jane doe", 5),
            ("ADMITTED PATIENT ROBERT SMITH", 17),
            ("spoke with mary johnson", 11),
            ("SEEN BY ROBERT LEE", 8),
            ("hi my name is dale nichols", 14),
        ] {
            assert!(introduces_caseless(text.as_bytes(), start), "{text}");
        }
        for (text, start) in [
            ("ERROR ROBERT SMITH", 6),
            ("went with mary johnson", 10),
            ("with mary", 5),
            ("x:mary", 2),
            ("mary", 0),
            ("for 10ms in an", 10),
        ] {
            assert!(!introduces_caseless(text.as_bytes(), start), "{text}");
        }
    }
}
