//! Word shapes: runs of capitalised words that may be a person's name, and street addresses.

use super::{View, from_word, merged};
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

/// `Jane`, `Müller`: an upper-case Latin letter, then one or more lower-case Latin letters.
fn cap_lower(v: &View<'_>, i: usize) -> bool {
    let w = v.w[i];
    if !w.has(lex::CAPITALISED) || w.mark & NOT_NAME != 0 {
        return false;
    }
    // Latin script only (`Ελένη` is capitalised too, but no dictionary knows it).
    !w.has(WIDE) || std::str::from_utf8(v.text(i)).is_ok_and(|s| s.chars().all(latin))
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
        let sep = v.sep(last);
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

const DIRECTIONS: &[&[u8]] = &[
    b"North", b"South", b"East", b"West", b"NE", b"NW", b"SE", b"SW", b"N", b"S", b"E", b"W",
];
const POST_DIRECTIONS: &[&[u8]] = &[b"NE", b"NW", b"SE", b"SW", b"N", b"S", b"E", b"W"];
const STREET_SUFFIXES: &[&[u8]] = &[
    b"Street",
    b"St",
    b"Avenue",
    b"Ave",
    b"Road",
    b"Rd",
    b"Boulevard",
    b"Blvd",
    b"Drive",
    b"Dr",
    b"Lane",
    b"Ln",
    b"Court",
    b"Ct",
    b"Plaza",
    b"Plz",
    b"Place",
    b"Pl",
    b"Terrace",
    b"Ter",
    b"Way",
    b"Circle",
    b"Cir",
    b"Parkway",
    b"Pkwy",
    b"Highway",
    b"Hwy",
    b"Square",
    b"Sq",
    b"Trail",
    b"Trl",
    b"Loop",
    b"Alley",
    b"Pike",
];
const UNITS: &[&[u8]] = &[
    b"Apt",
    b"Apartment",
    b"Suite",
    b"Ste",
    b"Unit",
    b"Fl",
    b"Floor",
    b"Rm",
    b"Room",
    b"Bldg",
    b"Lot",
];

/// `Main`: an ASCII capital and lower-case letters (a street's name word).
fn street_word(v: &View<'_>, i: usize) -> bool {
    let t = v.text(i);
    t.len() >= 2 && t[0].is_ascii_uppercase() && t[1..].iter().all(u8::is_ascii_lowercase)
}

/// `1st`, `42nd`, `103rd`, `5th`.
fn ordinal(t: &[u8]) -> bool {
    (3..=5).contains(&t.len())
        && t[..t.len() - 2].iter().all(u8::is_ascii_digit)
        && matches!(
            &t[t.len() - 2..],
            [b's', b't'] | [b'n', b'd'] | [b'r', b'd'] | [b't', b'h']
        )
}

/// Street addresses (`NUMBER [DIR] Name… SUFFIX [DIR] [UNIT] [, City, ST ZIP]`) and PO boxes.
pub(super) fn address(v: &View<'_>, from: usize, check: &mut dyn FnMut(Span) -> Option<usize>) {
    let mut next = 0;
    // A house number (`12`, `12B`) starts a street address; a PO box is found from its
    // number, looking back for `Box`.
    for i in merged(
        from_word(&v.words.nums, from),
        from_word(&v.words.mixed, from),
    ) {
        if i < next {
            continue;
        }
        // Cheap tests first: a house number is followed by a space and a word; a PO box's
        // number follows a space.
        let street = matches!(v.sep(i), [b' '])
            && i + 1 < v.len()
            && (v.w[i + 1].has(lex::UPPER) || v.text(i + 1)[0].is_ascii_digit());
        let po = matches!(v.sep_before(i), [b' ']) && i >= 2 && v.w[i - 1].len() == 3;
        if !street && !po {
            continue;
        }
        let found = street
            .then(|| street_at(v, i))
            .flatten()
            .or_else(|| po.then(|| po_box_before(v, i, from)).flatten());
        if let Some(span) = found
            && let Some(e) = check(span)
        {
            next = v.word_at(e);
        }
    }
}

fn street_at(v: &View<'_>, i: usize) -> Option<Span> {
    let n = v.len();
    let t = v.text(i);
    // The house number: 1–6 digits and an optional capital (`12B`).
    let digits = t.iter().take_while(|b| b.is_ascii_digit()).count();
    let tail = &t[digits..];
    if !(1..=6).contains(&digits)
        || !(tail.is_empty() || (tail.len() == 1 && tail[0].is_ascii_uppercase()))
    {
        return None;
    }
    if v.byte_before(i).is_some_and(|b| b == b'_') {
        return None;
    }
    let sp = |k: usize| k < n && matches!(v.sep(k), [b' ']);
    let dotted_sp = |k: usize| k < n && matches!(v.sep(k), [b' '] | [b'.', b' ']);
    // With the optional direction first, then without (the direction may be the name:
    // `12 North St`).
    for with_dir in [true, false] {
        let mut k = i;
        if with_dir {
            if !(sp(k) && k + 1 < n && is_in(DIRECTIONS, v.text(k + 1)) && dotted_sp(k + 1)) {
                continue;
            }
            k += 1;
        }
        if !sp(k) {
            return None;
        }
        // Names: the last suffix word among the next five words with 1–4 names before it.
        let mut suffix = None;
        let mut j = k + 1;
        let mut names = 0;
        while j < n && names <= 4 {
            if names >= 1 && is_in(STREET_SUFFIXES, v.text(j)) {
                suffix = Some(j);
            }
            if !(street_word(v, j) || ordinal(v.text(j))) || !sp(j) {
                break;
            }
            names += 1;
            j += 1;
        }
        let Some(s) = suffix else { continue };
        let mut last = s;
        let mut end = v.w[s].end as usize;
        if v.hay.get(end) == Some(&b'.') {
            end += 1;
        }
        let at_sep = |end: usize, last: usize| v.sep_from(end, last);
        // A post-direction.
        if last + 1 < n
            && matches!(at_sep(end, last), [b' '])
            && is_in(POST_DIRECTIONS, v.text(last + 1))
        {
            last += 1;
            end = v.w[last].end as usize;
            if v.hay.get(end) == Some(&b'.') {
                end += 1;
            }
        }
        // A unit: `, Apt 4B`, ` Suite 200`, ` #12`.
        if let Some((l, e)) = unit_after(v, end, last) {
            last = l;
            end = e;
        }
        // `, City, ST 12345(-6789)`.
        if let Some((l, e)) = city_state_zip(v, end, last) {
            last = l;
            end = e;
        }
        let _ = last;
        return Some(Span::new(v.w[i].start as usize, end));
    }
    None
}

/// `,? (Apt|Suite…)\.? ?[A-Z0-9-]{1,6}` or `,? #[A-Z0-9-]{1,6}` after byte `end`.
fn unit_after(v: &View<'_>, end: usize, last: usize) -> Option<(usize, usize)> {
    let n = v.len();
    let sep = v.sep_from(end, last);
    let k = last + 1;
    if k >= n {
        return None;
    }
    let unit_id = |k: usize| -> Option<(usize, usize)> {
        // `[A-Z0-9-]{1,6}`: one word (`4B`, `200`) possibly joined by dashes.
        let mut j = k;
        let t = v.text(j);
        if !t
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            return None;
        }
        let mut len = t.len();
        while j + 1 < n
            && matches!(v.sep(j), [b'-'])
            && v.text(j + 1)
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            && len + 1 + v.text(j + 1).len() <= 6
        {
            len += 1 + v.text(j + 1).len();
            j += 1;
        }
        (len <= 6).then(|| (j, v.w[j].end as usize))
    };
    if matches!(sep, [b' ', b'#'] | [b',', b' ', b'#']) {
        return unit_id(k);
    }
    if !matches!(sep, [b' '] | [b',', b' ']) || !is_in(UNITS, v.text(k)) || k + 1 >= n {
        return None;
    }
    if !matches!(v.sep(k), [b' '] | [b'.'] | [b'.', b' '] | []) {
        return None;
    }
    unit_id(k + 1)
}

/// `, (City ){0,2}City,? ST 12345(-6789)` after byte `end`.
fn city_state_zip(v: &View<'_>, end: usize, last: usize) -> Option<(usize, usize)> {
    let n = v.len();
    if !matches!(v.sep_from(end, last), [b',', b' ']) {
        return None;
    }
    let mut k = last + 1;
    let mut words = 0;
    while k < n && street_word(v, k) && words < 3 {
        words += 1;
        if matches!(v.sep(k), [b',', b' '] | [b' ']) && k + 2 < n {
            let st = v.text(k + 1);
            let zip = v.text(k + 2);
            if st.len() == 2
                && st.iter().all(u8::is_ascii_uppercase)
                && matches!(v.sep(k + 1), [b' '])
                && zip.len() == 5
                && v.w[k + 2].is_number()
            {
                let mut last = k + 2;
                if matches!(v.sep(last), [b'-'])
                    && last + 1 < n
                    && v.w[last + 1].is_number()
                    && v.text(last + 1).len() == 4
                {
                    last += 1;
                }
                return Some((last, v.w[last].end as usize));
            }
        }
        if !matches!(v.sep(k), [b' ']) {
            break;
        }
        k += 1;
    }
    None
}

/// `PO Box 123`, `P.O. Box 123`, `P. O. Box`, `Post Office Box 123`, any case: from the
/// number at word `num`, the words before it.
fn po_box_before(v: &View<'_>, num: usize, from: usize) -> Option<Span> {
    if !v.w[num].is_number() || v.w[num].len() > 6 || num < from + 2 {
        return None;
    }
    let is = |k: usize, w: &[u8]| v.text(k).eq_ignore_ascii_case(w);
    let b = num - 1;
    if !matches!(v.sep(b), [b' ']) || !is(b, b"box") {
        return None;
    }
    let sep = v.sep(b - 1);
    if !sep.ends_with(b" ") {
        return None;
    }
    let end = v.w[num].end as usize;
    let k = b - 1;
    let start = if is(k, b"po") && matches!(sep, [b' '] | [b'.', b' ']) {
        // `PO Box`, `PO. Box`.
        k
    } else if is(k, b"o")
        && matches!(sep, [b' '] | [b'.', b' '])
        && k > from
        && is(k - 1, b"p")
        && matches!(v.sep(k - 1), [b'.'] | [b'.', b' '] | [b' '])
    {
        // `P.O. Box`, `P. O. Box`, `P.O Box`, `P O Box`.
        k - 1
    } else if is(k, b"office")
        && matches!(sep, [b' '])
        && k > from
        && is(k - 1, b"post")
        && matches!(v.sep(k - 1), [b' '])
    {
        k - 1
    } else {
        return None;
    };
    Some(Span::new(v.w[start].start as usize, end))
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
        assert_eq!(cands(Shape::Name, "Ronald McDonald"), ["Ronald McDonald"]);
        // Structure is never a name; nor are mixed-case words.
        assert!(cands(Shape::Name, "Jun 17 07:07:00 combo iPhone JavaScript").is_empty());
        assert!(cands(Shape::Name, "org.apache.Hadoop").is_empty());
        // Rejected: the next capitalised word starts a run.
        assert_eq!(
            cands_with(Shape::Name, "New York Times", |_| false),
            ["New York Times", "York Times", "Times"]
        );
    }

    #[test]
    fn addresses() {
        assert_eq!(
            cands(
                Shape::Address,
                "at 1600 Pennsylvania Avenue NW, Washington, DC 20500 ok"
            ),
            ["1600 Pennsylvania Avenue NW, Washington, DC 20500"]
        );
        assert_eq!(
            cands(Shape::Address, "12 North Main St., Apt 4B"),
            ["12 North Main St., Apt 4B"]
        );
        assert_eq!(cands(Shape::Address, "12 North St"), ["12 North St"]);
        assert_eq!(
            cands(Shape::Address, "12 Park Street Road x"),
            ["12 Park Street Road"]
        );
        assert_eq!(
            cands(Shape::Address, "PO Box 123 and P.O. Box 9"),
            ["PO Box 123", "P.O. Box 9"]
        );
        assert_eq!(
            cands(Shape::Address, "500 5th Ave #12"),
            ["500 5th Ave #12"]
        );
    }
}
