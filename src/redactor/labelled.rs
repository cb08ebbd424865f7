//! Names labelled in a line of text: `name=ROBERT SMITH`, `Patient: JOHNSON, MARY`,
//! `customer_name="jane doe"`. A key that says *person* vouches for the name after it in any
//! case, as it does for a JSON field or a CSV column (see [`super::person_field`]); this is
//! the same rule for the `key=value` and `Key: value` pairs of plain text, where case and
//! the dictionaries alone would leave an upper- or lower-case name in clear.
//!
//! The value is the quoted text after the key, or the run of name-like words after it:
//! words of letters (and `.'’-`) joined by a space or `, `, which ends at the next key
//! (`name=Jane Doe age=7`), at any other punctuation, or where the words change case (`JOHNSON,
//! MARY admitted`). A lower-case run that goes on into prose, or has more than three words,
//! keeps only its leading words the dictionaries know as names (`name=john smith logged in`
//! → `john smith`).

use crate::span::{Finding, Span};

use super::Redactor;
use super::person_field::{PERSON_KEYS, PersonKey, person_key};

/// Most words a labelled name has (as a JSON field's).
const MAX_WORDS: usize = 6;

/// How a word is written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Case {
    Upper,
    Capitalised,
    Lower,
}

fn case_of(w: &str) -> Option<Case> {
    let mut letters = w.chars().filter(|c| c.is_alphabetic());
    let first = letters.next()?;
    let rest_upper = w
        .chars()
        .filter(|c| c.is_alphabetic())
        .skip(1)
        .all(char::is_uppercase);
    let rest_lower = w
        .chars()
        .filter(|c| c.is_alphabetic())
        .skip(1)
        .all(char::is_lowercase);
    match (first.is_uppercase(), rest_upper, rest_lower) {
        // A one-letter word (an initial) fits upper and capitalised runs alike.
        (true, true, true) => Some(Case::Capitalised),
        (true, true, false) => Some(Case::Upper),
        (true, false, _) => Some(Case::Capitalised),
        (false, _, true) if first.is_lowercase() => Some(Case::Lower),
        _ => None,
    }
}

fn fits(run: Case, w: Case, first_len: usize, len: usize) -> bool {
    run == w
        || (run == Case::Upper && w == Case::Capitalised && len == 1)
        || (run == Case::Capitalised && w == Case::Upper && (len == 1 || first_len == 1))
}

fn name_char(c: char) -> bool {
    c.is_alphabetic() || matches!(c, '.' | '\'' | '’' | '-')
}

/// The last four bytes of a normalised key (lower case, without `_`, `-`, ` ` and `.`), zero
/// padded in front, as one number.
fn tail(key: &[u8]) -> u32 {
    // The common case, four letters at the end: one load.
    if let Some(last) = key.last_chunk::<4>()
        && last.iter().all(u8::is_ascii_alphabetic)
    {
        return u32::from_be_bytes(*last) | 0x2020_2020;
    }
    let mut t = [0u8; 4];
    let mut n = 0;
    for &b in key.iter().rev() {
        if matches!(b, b'_' | b'-' | b' ' | b'.') {
            continue;
        }
        if n == 4 {
            break;
        }
        t[3 - n] = b.to_ascii_lowercase();
        n += 1;
    }
    u32::from_be_bytes(t)
}

/// True when `key` may be a person key: its tail is one a person key has (`…name`,
/// `…ient`, `user`). The cheap test before the lookup, for the many `key=value` pairs of a
/// log line that are not.
fn may_be_person_key(key: &[u8]) -> bool {
    static TAILS: std::sync::OnceLock<Vec<u32>> = std::sync::OnceLock::new();
    let tails = TAILS.get_or_init(|| {
        let mut v: Vec<u32> = PERSON_KEYS
            .iter()
            .chain(&["name"])
            .map(|k| tail(k.as_bytes()))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    });
    tails.binary_search(&tail(key)).is_ok()
}

/// The key that ends at byte `end` (exclusive) of `line`: one or two words of ASCII letters,
/// digits, `_`, `-` and `.` (`Patient Name`), longest first.
fn keys_before(line: &[u8], end: usize) -> [Option<usize>; 2] {
    let key_byte = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
    let mut s = end;
    while s > 0 && key_byte(line[s - 1]) {
        s -= 1;
    }
    if s == end {
        return [None, None];
    }
    // A key starts a word: not the tail of a URL, a path or a time (`http://`, `12:30`).
    let starts_word = |s: usize| {
        s == 0
            || matches!(
                line[s - 1],
                b' ' | b'\t' | b'"' | b'\'' | b'{' | b'[' | b'(' | b',' | b';' | b'|' | b'&' | b'?'
            )
    };
    let one = starts_word(s).then_some(s);
    let mut two = None;
    if s >= 2 && line[s - 1] == b' ' {
        let mut t = s - 1;
        while t > 0 && line[t - 1].is_ascii_alphabetic() {
            t -= 1;
        }
        if t < s - 1 && starts_word(t) {
            two = Some(t);
        }
    }
    [two, one]
}

impl Redactor {
    /// Appends to `out` the names that a person key labels in `line` (see the module docs);
    /// returns how many it appended. Offsets are `line`'s.
    pub(super) fn labelled_names(&self, line: &[u8], out: &mut Vec<Finding>) -> usize {
        let first = out.len();
        let mut from = 0;
        for at in memchr::memchr2_iter(b'=', b':', line) {
            if at < from {
                continue;
            }
            // `key:value` or `key = value`: the key ends at the separator, or a space before it.
            let key_end = if at > 0 && line[at - 1] == b' ' {
                at - 1
            } else {
                at
            };
            // A key ends with a letter (a JSON key's closing quote is the JSON reading's).
            if key_end == 0
                || !line[key_end - 1].is_ascii_alphabetic()
                || !may_be_person_key(&line[key_end.saturating_sub(8)..key_end])
            {
                continue;
            }
            let Some(norm) = keys_before(line, key_end)
                .into_iter()
                .flatten()
                .find_map(|s| match person_key(&line[s..key_end]) {
                    Some(PersonKey::Name(n)) => Some(n),
                    _ => None,
                })
            else {
                continue;
            };
            let Some(value) = value_after(line, at + 1) else {
                continue;
            };
            let mut found = Vec::new();
            self.person_hint_name(norm, &line[value.start()..value.end()], &mut found);
            for mut f in found {
                f.span = f.span.offset(value.start());
                out.push(f);
            }
            from = value.end();
        }
        out.len() - first
    }
}

/// The span of the value after a separator at `at - 1`: quoted, or a run of name-like words.
fn value_after(line: &[u8], at: usize) -> Option<Span> {
    let mut s = at;
    while s < line.len() && line[s] == b' ' {
        s += 1;
    }
    let q = *line.get(s)?;
    if q == b'"' || q == b'\'' {
        let len = memchr::memchr(q, &line[s + 1..])?;
        return (len > 0).then(|| Span::new(s + 1, s + 1 + len));
    }
    let text = std::str::from_utf8(&line[s..]).ok().or_else(|| {
        // Up to the first invalid byte.
        let e = std::str::from_utf8(&line[s..]).err()?.valid_up_to();
        std::str::from_utf8(&line[s..s + e]).ok()
    })?;
    // Words: (offset, end) in `text`.
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut run: Option<Case> = None;
    let mut first_len = 0;
    let mut i = 0;
    let mut open = false; // the run stopped where prose goes on
    let mut comma = false;
    while words.len() < MAX_WORDS {
        let rest = &text[i..];
        let len: usize = rest
            .char_indices()
            .find(|&(_, c)| !name_char(c))
            .map_or(rest.len(), |(j, _)| j);
        if len == 0 {
            break;
        }
        let w = &rest[..len];
        let after = rest[len..].chars().next();
        // The next key: `age=7`, `Ward:`.
        if matches!(after, Some('=' | ':')) {
            if words.is_empty() {
                return None;
            }
            break;
        }
        let Some(c) = case_of(w) else {
            open = true;
            break;
        };
        match run {
            None => {
                run = Some(c);
                first_len = w.chars().count();
            }
            Some(r) if fits(r, c, first_len, w.chars().count()) => {}
            Some(_) => {
                open = true;
                break;
            }
        }
        words.push((i, i + len));
        i += len;
        let tail = &text[i..];
        if tail.starts_with(", ") && !comma {
            comma = true;
            i += 2;
        } else if tail.starts_with(' ') && !tail.starts_with("  ") {
            i += 1;
        } else {
            break;
        }
    }
    if words.len() == MAX_WORDS && i < text.len() {
        open = true;
    }
    // A lower-case run that goes on into prose, or is long, keeps its leading words the
    // dictionaries know as names (from the third on, names that are no common word: `john
    // smith said` ends at `smith`).
    if run == Some(Case::Lower) && (open || words.len() > 3) {
        let known = words
            .iter()
            .enumerate()
            .take_while(|&(k, &(a, b))| crate::detect::validate::is_name_word(&text[a..b], k < 2))
            .count();
        words.truncate(known);
        if words.len() < 2 {
            return None;
        }
    }
    let &(_, end) = words.last()?;
    let (a, _) = words[0];
    // Without the comma of `Surname, Given` at the end.
    Some(Span::new(s + a, s + end))
}

#[cfg(test)]
mod tests {
    use crate::{Entity, Redactor};

    fn names(line: &str) -> Vec<String> {
        let r = Redactor::new();
        let mut out = Vec::new();
        r.labelled_names(line.as_bytes(), &mut out);
        out.iter()
            .filter(|f| f.entity == Entity::PERSON)
            .map(|f| line[f.span.start()..f.span.end()].to_owned())
            .collect()
    }

    #[test]
    fn a_person_key_labels_a_name_in_any_case() {
        assert_eq!(names("name=ROBERT SMITH"), ["ROBERT SMITH"]);
        assert_eq!(
            names("PATIENT: JOHNSON, MARY admitted 2024-03-02"),
            ["JOHNSON, MARY"]
        );
        assert_eq!(names("patient_name=\"jane doe\" ward=3"), ["jane doe"]);
        assert_eq!(names("customer_name=Jane Doe age=7"), ["Jane Doe"]);
        assert_eq!(
            names("user login ok name=john smith logged in"),
            ["john smith"]
        );
        assert_eq!(names("name=john smith said to wait"), ["john smith"]);
        assert_eq!(names("Patient Name: keano korsman"), ["keano korsman"]);
    }

    #[test]
    fn every_person_key_passes_the_tail_test() {
        for k in super::PERSON_KEYS {
            assert!(super::may_be_person_key(k.as_bytes()), "{k}");
        }
        for k in ["patient_name", "Customer-Name", "payeeName", "nok"] {
            assert!(super::may_be_person_key(k.as_bytes()), "{k}");
        }
        assert!(!super::may_be_person_key(b"status"));
        assert!(!super::may_be_person_key(b"12"));
    }

    #[test]
    fn keys_that_say_nothing_and_values_that_are_no_name() {
        assert!(names("hostname=ROBERT SMITH").is_empty());
        assert!(names("name=cache-warmup status=ok").is_empty());
        assert!(names("owner: Platform Team").is_empty());
        assert!(names("at 12:30 Jane").is_empty());
        assert!(names("http://name:8080/").is_empty());
        assert!(names("name=").is_empty());
    }
}
