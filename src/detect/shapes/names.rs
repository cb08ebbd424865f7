//! Runs of capitalised words that may be a person's name.

use super::{View, from_word};
use crate::detect::lex::{self, WIDE};
use crate::detect::structure::NOT_NAME;
use crate::span::Span;

const TITLES: &[&[u8]] = &[
    b"Mr",
    b"Mrs",
    b"Ms",
    b"Miss",
    b"Mx",
    b"Dr",
    b"Prof",
    b"Professor",
    b"Rev",
    b"Fr",
    b"Sir",
    b"Dame",
    b"Lord",
    b"Lady",
    b"Hon",
    b"Judge",
    b"Capt",
    b"Col",
    b"Sgt",
    b"Lt",
    b"Nurse",
];

const PARTICLES: &[&[u8]] = &[
    b"van", b"von", b"der", b"den", b"de", b"la", b"del", b"della", b"di", b"da", b"das", b"dos",
    b"du", b"le", b"ter", b"ten", b"zu", b"af", b"bin", b"binti", b"ibn", b"y",
];

const SUFFIXES: &[&[u8]] = &[
    b"Jr", b"Sr", b"II", b"III", b"IV", b"MD", b"PhD", b"RN", b"DDS", b"Esq",
];

/// A Latin letter (ASCII or in the Latin blocks of Unicode).
fn latin(c: char) -> bool {
    c.is_ascii_alphabetic()
        || matches!(c, '\u{c0}'..='\u{24f}' | '\u{1e00}'..='\u{1eff}') && c != '×' && c != '÷'
}

/// A Greek or Cyrillic letter.
fn greek_or_cyrillic(c: char) -> bool {
    matches!(c, '\u{370}'..='\u{3ff}' | '\u{1f00}'..='\u{1fff}' | '\u{400}'..='\u{4ff}')
}

/// `Jane`, `Müller`, `Ελένη`, `Иван`: an upper-case letter, then one or more lower-case
/// letters, of one script: Latin, or Greek or Cyrillic (which the validator weighs apart:
/// no dictionary knows them).
fn cap_lower(v: &View<'_>, i: usize) -> bool {
    let w = v.w[i];
    if !w.has(lex::CAPITALISED) || w.mark & NOT_NAME != 0 {
        return false;
    }
    !w.has(WIDE)
        || std::str::from_utf8(v.text(i))
            .is_ok_and(|s| s.chars().all(latin) || s.chars().all(greek_or_cyrillic))
}

/// `McDonald`, `MacLeod`, `FitzGerald`.
fn mc(v: &View<'_>, i: usize) -> bool {
    let w = v.w[i];
    if w.mark & NOT_NAME != 0 || w.has(WIDE) || w.has(lex::DIGIT) {
        return false;
    }
    let t = v.text(i);
    [&b"Mc"[..], b"Mac", b"Fitz"].iter().any(|p| {
        t.len() > p.len() + 1
            && t.starts_with(p)
            && t[p.len()].is_ascii_uppercase()
            && t[p.len() + 1..].iter().all(u8::is_ascii_lowercase)
    })
}

fn single_upper(v: &View<'_>, i: usize) -> bool {
    let w = v.w[i];
    if w.mark & NOT_NAME != 0 {
        return false;
    }
    let t = v.text(i);
    if t.len() == 1 {
        return t[0].is_ascii_uppercase();
    }
    w.has(WIDE)
        && std::str::from_utf8(t).is_ok_and(|s| {
            let mut cs = s.chars();
            cs.next().is_some_and(|c| c.is_uppercase() && latin(c)) && cs.next().is_none()
        })
}

/// A name token at word `i`: `Jane`, `McDonald`, `O'Neil` (two words), `Smith-Jones` (two
/// words). Returns its last word.
fn name_token(v: &View<'_>, i: usize) -> Option<usize> {
    let n = v.len();
    if single_upper(v, i)
        && i + 1 < n
        && (matches!(v.sep(i), [b'\'']) || v.sep(i) == "’".as_bytes())
        && cap_lower(v, i + 1)
    {
        return Some(i + 1);
    }
    if mc(v, i) {
        return Some(i);
    }
    if cap_lower(v, i) {
        if i + 1 < n && matches!(v.sep(i), [b'-']) && cap_lower(v, i + 1) {
            return Some(i + 1);
        }
        return Some(i);
    }
    None
}

/// An initial at word `i` followed by its dot: `J.` (the dot is in the name).
fn initial(v: &View<'_>, i: usize) -> bool {
    single_upper(v, i) && v.sep(i).first() == Some(&b'.')
}

fn is_in(list: &[&[u8]], t: &[u8]) -> bool {
    // Length and first byte first: most words are in no list.
    list.iter()
        .any(|w| w.len() == t.len() && w.first() == t.first() && *w == t)
}

/// Runs of capitalised words that may be a name, as
/// `[Title[.] ][I. ]{0,3}Name(,? [particle ]{0,2}(Name|I.)){0,4}[,? Suffix[.]]`, from every word
/// that can start one; after a confirmed name the search goes on after the part kept.
pub(super) fn name(v: &View<'_>, from: usize, check: &mut dyn FnMut(Span) -> Option<usize>) {
    let mut next = 0;
    for &i in from_word(&v.words.caps, from) {
        let i = i as usize;
        if i < next {
            continue;
        }
        let Some(span) = run_at(v, i) else {
            continue;
        };
        if let Some(e) = check(span) {
            next = v.word_at(e);
        }
    }
}

/// The name-shaped run starting at word `i`.
fn run_at(v: &View<'_>, i: usize) -> Option<Span> {
    let n = v.len();
    let w = v.w[i];
    // Every word of a name is a capitalised word outside log structure, and a name starts
    // with one of letters only.
    if w.mark & NOT_NAME != 0 || w.has(lex::DIGIT) {
        return None;
    }
    let start = w.start as usize;
    let mut k = i;
    // A title: `Dr `, `Mrs. `.
    if w.len() <= 9
        && is_in(TITLES, v.text(k))
        && k + 1 < n
        && matches!(v.sep(k), [b' '] | [b'.', b' '])
    {
        k += 1;
    }
    // Up to three initials: `J. R. `, `J.R. `.
    let mut initials = 0;
    while initials < 3 && k + 1 < n && initial(v, k) && matches!(v.sep(k), [b'.'] | [b'.', b' ']) {
        k += 1;
        initials += 1;
    }
    let mut last = name_token(v, k)?;
    let mut end = v.w[last].end as usize;
    // More names, initials and particles: `,? (particle ){0,2}(Name|I.)`, up to four.
    let mut more = 0;
    while more < 4 && last + 1 < n {
        // After an initial, what follows its dot (`John Q. Smith`).
        let sep = v.sep_from(end, last);
        if !matches!(sep, [b' '] | [b',', b' ']) {
            break;
        }
        let mut j = last + 1;
        // A generational suffix ends the run (with its dot, below).
        if is_in(SUFFIXES, v.text(j)) {
            break;
        }
        let mut particles = 0;
        while particles < 2
            && j + 1 < n
            && is_in(PARTICLES, v.text(j))
            && matches!(v.sep(j), [b' '])
        {
            j += 1;
            particles += 1;
        }
        if let Some(t) = name_token(v, j) {
            last = t;
            end = v.w[t].end as usize;
        } else if initial(v, j) {
            last = j;
            end = v.w[j].end as usize + 1;
        } else {
            break;
        }
        more += 1;
    }
    // A generational suffix: `, Jr.`, ` PhD`.
    if last + 1 < n
        && matches!(v.sep_from(end, last), [b' '] | [b',', b' '])
        && is_in(SUFFIXES, v.text(last + 1))
    {
        last += 1;
        end = v.w[last].end as usize;
        if v.hay.get(end) == Some(&b'.') {
            end += 1;
        }
    }
    Some(Span::new(start, end))
}

/// Words of letters of no case (CJK, Hangul): each word, and a short word with the next one
/// after one space (`佐藤 花子`, `김 민수`), longest first. The validator reads the surname.
pub(super) fn cjk_name(v: &View<'_>, from: usize, check: &mut dyn FnMut(Span) -> Option<usize>) {
    let n = v.len();
    let mut next = 0;
    for &i in from_word(&v.words.caseless, from) {
        let i = i as usize;
        if i < next || v.w[i].mark & NOT_NAME != 0 || v.w[i].has(lex::DIGIT) {
            continue;
        }
        let w = v.w[i];
        // At most three characters of three bytes before the space (a surname).
        if w.len() <= 9
            && i + 1 < n
            && matches!(v.sep(i), [b' '] | [0xe3, 0x80, 0x80])
            && v.w[i + 1].has(lex::CASELESS)
            && !v.w[i + 1].has(lex::DIGIT)
            && let Some(e) = check(Span::new(w.start as usize, v.w[i + 1].end as usize))
        {
            next = v.word_at(e);
            continue;
        }
        if w.len() <= 40
            && let Some(e) = check(Span::new(w.start as usize, w.end as usize))
        {
            next = v.word_at(e);
        }
    }
}

/// How a word of a one-case name is written: `ROBERT`, `robert`; one letter only as an
/// initial inside the name.
fn one_case(w: lex::Word) -> Option<u8> {
    let case = w.flags & (lex::UPPER | lex::LOWER | lex::DIGIT | lex::CASELESS);
    (w.mark & NOT_NAME == 0 && (case == lex::UPPER || case == lex::LOWER)).then_some(case)
}

/// Two or three words of one case, upper or lower, with an initial between
/// (`ROBERT SMITH`, `mary j. johnson`), right after a word that introduces a person
/// (`Dear`, `MR`, `patient`, `spoke with`; [`crate::detect::cue`]). Case says nothing
/// there, so only such a word lets the run be a candidate, and the validator asks the
/// dictionaries about each word.
pub(super) fn caseless_name(
    v: &View<'_>,
    from: usize,
    check: &mut dyn FnMut(Span) -> Option<usize>,
) {
    let n = v.len();
    let mut next = 0;
    for i in from.max(1)..n.saturating_sub(1) {
        if i < next {
            continue;
        }
        let w = v.w[i];
        // The cheap tests first: a word of one case, of two letters or more, and the next
        // one of the same case after a space.
        let Some(case) = one_case(w) else {
            continue;
        };
        if w.len() < 2
            || v.sep(i) != b" "
            || one_case(v.w[i + 1]) != Some(case)
            || !crate::detect::cue::may_introduce(v.text(i - 1))
            || !crate::detect::cue::introduces_caseless(v.hay, w.start as usize)
        {
            continue;
        }
        let mut last = i;
        let mut names = 1;
        while names < 3 && last + 1 < n && one_case(v.w[last + 1]) == Some(case) {
            let sep = v.sep(last);
            let initial = v.w[last].len() == 1;
            if !(sep == b" " || (initial && sep == b". ")) {
                break;
            }
            last += 1;
            if v.w[last].len() > 1 {
                names += 1;
            }
        }
        if names < 2 || v.w[last].len() < 2 {
            continue;
        }
        if let Some(e) = check(Span::new(w.start as usize, v.w[last].end as usize)) {
            next = v.word_at(e);
        }
    }
}

impl View<'_> {
    /// The separator bytes from byte `from` (inside or at the end of word `i`'s separator) to
    /// the next word.
    fn sep_from(&self, from: usize, i: usize) -> &[u8] {
        let e = self
            .w
            .get(i + 1)
            .map_or(self.hay.len(), |w| w.start as usize);
        &self.hay[from.min(e)..e]
    }
}

#[cfg(test)]
mod tests {
    use super::super::Shape;
    use super::super::tests::{cands, cands_with};

    #[test]
    fn name_runs() {
        assert_eq!(cands(Shape::Name, "by Jane Doe."), ["Jane Doe"]);
        assert_eq!(
            cands(Shape::Name, "Dr. J. R. Smith, Jr. said"),
            ["Dr. J. R. Smith, Jr."]
        );
        assert_eq!(
            cands(Shape::Name, "Ludwig van Beethoven"),
            ["Ludwig van Beethoven"]
        );
        assert_eq!(
            cands(Shape::Name, "Mary O'Neil and Anne Smith-Jones"),
            ["Mary O'Neil", "Anne Smith-Jones"]
        );
        assert_eq!(cands(Shape::Name, "Doe, Jane"), ["Doe, Jane"]);
        assert_eq!(cands(Shape::Name, "José Müller ok"), ["José Müller"]);
        assert_eq!(
            cands(Shape::Name, "Hi Σοφία Σιώρης, ok"),
            ["Hi Σοφία Σιώρης"]
        );
        assert_eq!(cands(Shape::Name, "от Иван Петров"), ["Иван Петров"]);
        assert_eq!(cands(Shape::Name, "Ronald McDonald"), ["Ronald McDonald"]);
        // A middle initial inside a name (issue 23).
        assert_eq!(
            cands(Shape::Name, "by John Q. Smith today"),
            ["John Q. Smith"]
        );
        assert_eq!(
            cands(Shape::Name, "Dr. Mary A. Jones, MD said"),
            ["Dr. Mary A. Jones, MD"]
        );
        // Structure is never a name; nor are mixed-case words.
        assert!(cands(Shape::Name, "Jun 17 07:07:00 combo iPhone JavaScript").is_empty());
        assert!(cands(Shape::Name, "org.apache.Hadoop").is_empty());
        assert_eq!(
            cands_with(Shape::CjkName, "客户 王小明 来电, 佐藤 花子", |_| false),
            [
                "客户 王小明",
                "客户",
                "王小明 来电",
                "王小明",
                "来电",
                "佐藤 花子",
                "佐藤",
                "花子"
            ]
        );
        // Rejected: the next capitalised word starts a run.
        assert_eq!(
            cands_with(Shape::Name, "New York Times", |_| false),
            ["New York Times", "York Times", "Times"]
        );
    }

    #[test]
    fn one_case_runs_after_a_word_that_introduces_a_person() {
        assert_eq!(
            cands_with(
                Shape::CaselessName,
                "spoke with mary johnson today; DEAR MARY J. JOHNSON, ERROR ROBERT SMITH",
                |_| false
            ),
            ["mary johnson today", "MARY J. JOHNSON"]
        );
        assert!(cands_with(Shape::CaselessName, "with mary johnson", |_| false).is_empty());
    }
}
