//! PERSON — names without a neural model, ENTITIES.md §6. The candidate pattern finds runs of
//! capitalised tokens (with initials, particles, a leading title and a trailing suffix); this
//! looks each token up in dictionaries of given names and surnames (US Census 1990 and Faker's
//! Latin-script locales, `patterns/person/`, ASCII-folded) and a stoplist of common words, then
//! keeps the best-scoring run of tokens:
//!
//! | evidence | score |
//! | --- | --- |
//! | title + capitalised token(s) (`Dr Okafor`) | 0.85 |
//! | given name + surname (`Jane Doe`, `Doe, Jane`) | 0.8 |
//! | one dictionary name + an unknown capitalised token | 0.6 |
//! | a single dictionary name | 0.4 (context words lift it) |
//!
//! A stoplisted token (`May`, `Will`, `Grant`, `Server`) counts only next to another name
//! token or after a title; street and calendar words never count. The span is the name
//! itself: a leading title is outside it (`Dr [PERSON]`), a generational suffix inside.

use super::{Cand, Verdict};
use crate::span::Span;

/// The candidate pattern allows at most a title, three initials, five names, two particles
/// before each and a suffix.
const MAX_TOKENS: usize = 24;

const GIVEN_F: u8 = 1;
const SURNAME_F: u8 = 2;
const STOP_F: u8 = 4;
const COMMON_F: u8 = 8;
/// Street and unit words, directions, weekdays: never part of a name.
const NEVER_F: u8 = 16;
const TITLE_F: u8 = 32;
const PARTICLE_F: u8 = 64;
const SUFFIX_F: u8 = 128;

/// The dictionaries as one hash table built by build.rs (see `person_dict` there): slots of
/// `offset | len << 24 | flags << 32 | tag << 40`, keys in one blob.
static TABLE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/person_dict.bin"));
static KEYS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/person_keys.bin"));

/// The hash build.rs uses for the table (FNV-1a, then its high bits folded in).
fn dict_hash(key: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in key {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^ (h >> 29)
}

/// The flags of a folded key (upper-case ASCII): `GIVEN_F`, `SURNAME_F`... or 0.
fn flags(key: &str) -> u8 {
    let key = key.as_bytes();
    let slots = TABLE.len() / 8;
    let mask = slots - 1;
    let h = dict_hash(key);
    let mut i = (h as usize) & mask;
    loop {
        let slot = u64::from_le_bytes(TABLE[i * 8..i * 8 + 8].try_into().expect("8 bytes"));
        if slot == 0 {
            return 0;
        }
        let off = (slot & 0xff_ffff) as usize;
        let len = ((slot >> 24) & 0xff) as usize;
        if slot >> 40 == h >> 40 && len == key.len() && &KEYS[off..off + len] == key {
            return (slot >> 32) as u8;
        }
        i = (i + 1) & mask;
    }
}

/// Where a folded key is built: no allocation per token.
struct Key {
    buf: [u8; 48],
    len: usize,
}

impl Key {
    fn push(&mut self, c: char) -> bool {
        if self.len == self.buf.len() {
            return false;
        }
        self.buf[self.len] = c as u8;
        self.len += 1;
        true
    }

    fn push_str(&mut self, s: &str) -> bool {
        s.chars().all(|c| self.push(c))
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).expect("folded keys are ASCII")
    }
}

/// Appends `c` folded as the dictionaries are (upper-case ASCII); false for a letter with no
/// Latin base (the token then cannot be looked up).
fn fold_char(c: char, out: &mut Key) -> bool {
    let base = match c {
        'a'..='z' | 'A'..='Z' => c.to_ascii_uppercase(),
        '\'' | '’' | '-' | '.' => return true,
        'À'..='Å' | 'à'..='å' | 'Ā'..='ą' => 'A',
        'Æ' | 'æ' => {
            return out.push_str("AE");
        }
        'Ç' | 'ç' | 'Ć'..='č' => 'C',
        'Ð' | 'ð' | 'Ď'..='đ' => 'D',
        'È'..='Ë' | 'è'..='ë' | 'Ē'..='ě' => 'E',
        'Ĝ'..='ģ' => 'G',
        'Ĥ'..='ħ' => 'H',
        'Ì'..='Ï' | 'ì'..='ï' | 'Ĩ'..='ı' => 'I',
        'Ĳ' | 'ĳ' => {
            return out.push_str("IJ");
        }
        'Ĵ' | 'ĵ' => 'J',
        'Ķ'..='ĸ' => 'K',
        'Ĺ'..='ł' => 'L',
        'Ñ' | 'ñ' | 'Ń'..='ŋ' => 'N',
        'Ò'..='Ö' | 'Ø' | 'ò'..='ö' | 'ø' | 'Ō'..='ő' => 'O',
        'Œ' | 'œ' => {
            return out.push_str("OE");
        }
        'Ŕ'..='ř' => 'R',
        'Ś'..='š' | 'ſ' | 'Ș' | 'ș' => 'S',
        'ß' => {
            return out.push_str("SS");
        }
        'Ţ'..='ŧ' | 'Ț' | 'ț' => 'T',
        'Þ' | 'þ' => {
            return out.push_str("TH");
        }
        'Ù'..='Ü' | 'ù'..='ü' | 'Ũ'..='ų' => 'U',
        'Ŵ' | 'ŵ' => 'W',
        'Ý' | 'ý' | 'ÿ' | 'Ŷ'..='Ÿ' => 'Y',
        'Ź'..='ž' => 'Z',
        _ => return false,
    };
    out.push(base)
}

/// The dictionary key of a token (`O'Neil` → `ONEIL`, `Müller` → `MULLER`), if it has one.
#[cfg(test)]
fn fold(token: &str) -> Option<String> {
    fold_key(token).map(|k| k.as_str().to_owned())
}

fn fold_key(token: &str) -> Option<Key> {
    let mut k = Key {
        buf: [0; 48],
        len: 0,
    };
    for c in token.chars() {
        if !fold_char(c, &mut k) {
            return None;
        }
    }
    (k.len > 0).then_some(k)
}

/// What a token of a candidate is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Title,
    Initial,
    Particle,
    Suffix,
    /// A capitalised word: its dictionary evidence.
    Name {
        given: bool,
        surname: bool,
        /// A common word: counts only next to another name token or after a title.
        stop: bool,
        never: bool,
        /// One of the most frequent names.
        common: bool,
        /// In a script the dictionaries do not cover (Greek, Cyrillic): no evidence either way.
        foreign: bool,
    },
}

/// Dictionary evidence for one capitalised word (each part of a hyphenated one).
fn lookup(word: &str) -> Tok {
    let (mut given, mut surname, mut stop, mut never, mut common) =
        (false, false, false, false, false);
    let mut foreign = false;
    for part in word.split('-') {
        let Some(k) = fold_key(part) else {
            foreign |= part.chars().any(|c| {
                matches!(c, '\u{370}'..='\u{3ff}' | '\u{1f00}'..='\u{1fff}' | '\u{400}'..='\u{4ff}')
            });
            continue;
        };
        let k = k.as_str();
        let f = flags(k);
        given |= f & GIVEN_F != 0;
        surname |= f & SURNAME_F != 0;
        stop |= f & STOP_F != 0;
        common |= f & COMMON_F != 0;
        never |= f & NEVER_F != 0;
    }
    Tok::Name {
        given,
        surname,
        stop,
        never,
        common,
        foreign,
    }
}

/// What the dictionaries know of one word, in any case (`MARY`, `mary`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Known {
    pub(super) given: bool,
    pub(super) surname: bool,
    /// A common word too (`will`, `rose`).
    pub(super) stop: bool,
    /// A frequent name (every Census given name, the 1,000 most frequent surnames).
    pub(super) common: bool,
    /// A street, unit or calendar word: never part of a name.
    pub(super) never: bool,
}

pub(super) fn known(word: &str) -> Known {
    match lookup(word) {
        Tok::Name {
            given,
            surname,
            stop,
            common,
            never,
            ..
        } => Known {
            given,
            surname,
            stop,
            common,
            never,
        },
        _ => Known::default(),
    }
}

/// True when some token of `text` is a given name or surname that is not a common word, or
/// when it is two or more words the first of which is a given name (`Nick Ommeren`: `Nick`
/// is a common word too).
/// True when the first of two or more words of `text` is a given name in the dictionaries
/// (and no stop or never word): the stricter test for a value whose case says nothing.
pub(crate) fn starts_with_given_name(text: &str) -> bool {
    let mut words = text.split([' ', ',']).filter(|w| !w.is_empty());
    let first = words.next().map(|w| lookup(w.trim_end_matches('.')));
    words.next().is_some()
        && matches!(
            first,
            Some(Tok::Name {
                given: true,
                never: false,
                stop: false,
                ..
            })
        )
}

/// True when `word` is a given name or surname in the dictionaries; with `common`, also when
/// it is a common word too (`smith`, but also `in` and `said`).
pub(crate) fn is_name_word(word: &str, common: bool) -> bool {
    matches!(
        lookup(word.trim_end_matches('.')),
        Tok::Name { given, surname, never: false, stop, .. } if (given || surname) && (common || !stop)
    )
}

pub(crate) fn has_dictionary_name(text: &str) -> bool {
    // A CJK or Hangul name is known by its surname.
    if super::cjk_name::is_cjk_name(text) {
        return true;
    }
    let mut words = text.split([' ', ',']).filter(|w| !w.is_empty());
    let first = words.next().map(|w| lookup(w.trim_end_matches('.')));
    let more = words.next().is_some();
    (more
        && matches!(
            first,
            Some(Tok::Name {
                given: true,
                never: false,
                ..
            })
        ))
        || text.split([' ', ',']).any(|w| {
            matches!(
                lookup(w.trim_end_matches('.')),
                Tok::Name { given, surname, stop: false, never: false, .. } if given || surname
            )
        })
}

fn classify(word: &str, first: bool) -> Tok {
    let bare = word.trim_end_matches('.');
    let mut chars = bare.chars();
    let one_upper = chars.next().is_some_and(char::is_uppercase) && chars.next().is_none();
    if one_upper {
        return Tok::Initial;
    }
    // Titles, particles and suffixes are ASCII words in the table too.
    let f = if bare.is_ascii() && bare.len() <= 9 {
        fold_key(bare).map_or(0, |k| flags(k.as_str()))
    } else {
        0
    };
    if first && f & TITLE_F != 0 {
        return Tok::Title;
    }
    if bare.starts_with(char::is_lowercase) && f & PARTICLE_F != 0 {
        return Tok::Particle;
    }
    if !first && f & SUFFIX_F != 0 {
        return Tok::Suffix;
    }
    lookup(bare)
}

/// Scores tokens `i..j` (names, initials and inner particles); `title` when a title stands
/// right before `i`.
fn score(toks: &[(Tok, bool)], i: usize, j: usize, title: bool, cue: bool) -> f32 {
    // No allocation: this runs for every window of every candidate.
    let mut buf = [(0usize, Tok::Initial); MAX_TOKENS];
    let mut n = 0;
    for (k, t) in toks.iter().enumerate().take(j).skip(i) {
        if matches!(t.0, Tok::Name { .. }) {
            buf[n] = (k, t.0);
            n += 1;
        }
    }
    let names = &buf[..n];
    if names.is_empty()
        || names
            .iter()
            .any(|(_, t)| matches!(t, Tok::Name { never: true, .. }))
        || !matches!(toks[i].0, Tok::Name { .. } | Tok::Initial)
        || !matches!(toks[j - 1].0, Tok::Name { .. })
    {
        return 0.0;
    }
    if title {
        return 0.85;
    }
    let given = |t: &Tok| matches!(t, Tok::Name { given: true, .. });
    let surname = |t: &Tok| matches!(t, Tok::Name { surname: true, .. });
    let stop = |t: &Tok| matches!(t, Tok::Name { stop: true, .. });
    let strong = |t: &Tok| (given(t) || surname(t)) && !stop(t);
    // After a word that introduces a person (`Dear Anna`, `called Ramirez back`, `his
    // daughter Elena`), one name is enough — a known one, or an unknown word that is not a
    // common one (`Dear Customer` is not a name).
    if cue && names.len() == 1 && j - i == 1 {
        let t = names[0].1;
        return if strong(&t) || ((given(&t) || surname(&t)) && !title) {
            0.8
        } else if !stop(&t) {
            0.65
        } else {
            0.0
        };
    }
    if names.len() == 1 {
        // One name cut out of a run of capitalised words (`York` of `New York`) is not one.
        let k = names[0].0;
        let is_name = |k: usize| matches!(toks.get(k).map(|t| t.0), Some(Tok::Name { .. }));
        if (k > 0 && is_name(k - 1)) || is_name(k + 1) {
            return 0.0;
        }
        let initials = (i..j).any(|k| toks[k].0 == Tok::Initial);
        let t = names[0].1;
        return match (strong(&t), initials) {
            (true, true) => 0.6,
            (true, false) => 0.4,
            // `J. R. Smith`: initials vouch for a common-word surname.
            (false, true) if surname(&t) => 0.6,
            _ => 0.0,
        };
    }
    let (first, last) = (names[0].1, names[names.len() - 1].1);
    // `Surname, Given` — the comma is on the first of exactly two names.
    if toks[names[0].0].1 {
        let ok = names.len() == 2
            && surname(&first)
            && given(&last)
            && (strong(&first) || strong(&last));
        return if ok { 0.8 } else { 0.0 };
    }
    if names[..names.len() - 1].iter().any(|(k, _)| toks[*k].1) {
        return 0.0; // a comma inside a longer run: a list, not a name
    }
    let inner = &names[1..names.len() - 1];
    // Common words (`New York`, `Spring Boot`, `Will Smith`): a name only as given name +
    // surname, with at most one of the two a common word and no other unknown token.
    if names.iter().any(|(_, t)| stop(t)) {
        let pair = given(&first) && surname(&last) && inner.iter().all(|(_, t)| strong(t));
        let common = |t: &Tok| matches!(t, Tok::Name { common: true, .. });
        return match (pair, strong(&first) || strong(&last)) {
            (true, true) => 0.75,
            // `Will Smith`, `Mark Brown`: both common words, but frequent names (not
            // `Summer Sale`, `Spring Boot`).
            (true, false) if common(&first) && common(&last) => 0.6,
            _ => 0.0,
        };
    }
    let hits = names.iter().filter(|(_, t)| strong(t)).count();
    // Two or three capitalised words in a script no dictionary covers (`Σοφία Σιώρης`,
    // `Иван Петров`): a name only with more evidence — a cue before it, or a person word
    // nearby (context lifts 0.45 over the threshold).
    let foreign = |t: &Tok| matches!(t, Tok::Name { foreign: true, .. });
    if hits == 0 && (2..=3).contains(&names.len()) && names.iter().all(|(_, t)| foreign(t)) {
        return if cue { 0.65 } else { 0.45 };
    }
    if hits == 0 {
        return 0.0;
    }
    if given(&first) && surname(&last) && hits == names.len() {
        0.8
    } else if given(&first) && surname(&last) {
        0.7
    } else {
        0.6
    }
}

pub(crate) fn validate(c: &Cand<'_>) -> Option<Verdict> {
    let (s, e) = (c.span.start(), c.span.end());
    let text = std::str::from_utf8(c.bytes()).ok()?;
    // Not glued to a letter or digit on either side (`iPhone`, `abcJohn`).
    let before = std::str::from_utf8(&c.hay[s.saturating_sub(4)..s])
        .ok()
        .and_then(|b| b.chars().next_back());
    let after = std::str::from_utf8(&c.hay[e..(e + 4).min(c.hay.len())])
        .ok()
        .and_then(|a| a.chars().next())
        .or_else(|| c.hay.get(e).map(|&b| char::from(b)));
    if before.is_some_and(|ch| ch.is_alphanumeric() || ch == '_')
        || after.is_some_and(|ch| ch.is_alphanumeric() || ch == '_')
    {
        return None;
    }
    // Tokens with their byte ranges and whether a comma follows them (no allocation: this
    // runs for every capitalised word of a log).
    let mut words = [(0usize, 0usize, false); MAX_TOKENS];
    let mut toks = [(Tok::Initial, false); MAX_TOKENS];
    let mut n = 0;
    let mut at = 0;
    for w in text.split(' ') {
        if !w.is_empty() {
            let comma = w.ends_with(',');
            let len = w.len() - usize::from(comma);
            if n == MAX_TOKENS {
                return None;
            }
            words[n] = (at, at + len, comma);
            toks[n] = (classify(&text[at..at + len], n == 0), comma);
            n += 1;
        }
        at += w.len() + 1;
    }
    let (words, toks) = (&words[..n], &toks[..n]);
    let mut best: Option<(f32, usize, usize)> = None;
    for i in 0..toks.len() {
        let title = i > 0 && toks[i - 1].0 == Tok::Title;
        let cue = if i == 0 {
            cue_before(c.hay, s)
        } else {
            is_cue(&text[words[i - 1].0..words[i - 1].1]) && !words[i - 1].2
        };
        for j in i + 1..=toks.len() {
            let sc = score(toks, i, j, title, cue);
            let better =
                best.is_none_or(|(bs, bi, bj)| sc > bs || (sc == bs && (j - i) > (bj - bi)));
            if sc > 0.0 && better {
                best = Some((sc, i, j));
            }
        }
    }
    let (sc, i, mut j) = best?;
    // A longer name from the same start that is a name too is the name (`Dear John Smith`:
    // `John` alone after the cue scores higher than `John Smith`, whose surname is also a
    // common word, and would leave `Smith` in clear).
    let title = i > 0 && toks[i - 1].0 == Tok::Title;
    let cue = if i == 0 {
        cue_before(c.hay, s)
    } else {
        is_cue(&text[words[i - 1].0..words[i - 1].1]) && !words[i - 1].2
    };
    if let Some(longer) = (j + 1..=toks.len())
        .rev()
        .find(|&k| score(toks, i, k, title, cue) >= 0.5)
    {
        j = longer;
    }
    let cued = if i == 0 {
        cue_before(c.hay, s)
    } else {
        is_cue(&text[words[i - 1].0..words[i - 1].1])
    };
    if j < toks.len() && toks[j].0 == Tok::Suffix {
        j += 1;
    }
    let start = s + words[i].0;
    let end = s + words[j - 1].1;
    // A lone name next to a capitalised word outside the candidate (`New York` seen again
    // from `York` after `New York` was rejected) is part of some other proper noun.
    let single = (i..j)
        .filter(|&k| matches!(toks[k].0, Tok::Name { .. } | Tok::Initial))
        .count()
        == 1;
    if single
        && !(i > 0 && toks[i - 1].0 == Tok::Title)
        && !cued
        && capitalised_neighbour(c.hay, start, end)
    {
        return None;
    }
    if street_name(c.hay, start, &text[words[j - 1].0..words[j - 1].1])
        || not_a_person(text, words, i, j)
        || corporate_after(&c.hay[end..])
    {
        return None;
    }
    Verdict::new(Span::new(start, end), sc)
}

/// Words that start the name of a place (`San Jose`, `New Haven`, `North Virginia`).
const PLACE_FIRST: &[&str] = &[
    "EAST", "EL", "FORT", "LAKE", "LAS", "LOS", "MOUNT", "MT", "NEW", "NORTH", "PORT", "SAINT",
    "SAN", "SANTA", "SAO", "SOUTH", "ST", "STE", "WEST",
];

/// Words that end the name of a place or an organisation (`Virginia Beach`, `Wells Bank`).
const PLACE_OR_FIRM_LAST: &[&str] = &[
    "AIRLINES",
    "AIRPORT",
    "ASSOCIATES",
    "BANK",
    "BAY",
    "BEACH",
    "CAPITAL",
    "CENTER",
    "CENTRE",
    "CITY",
    "CLINIC",
    "COLLEGE",
    "CONSULTING",
    "COUNTY",
    "ENTERPRISES",
    "FALLS",
    "FOUNDATION",
    "GROUP",
    "HARBOR",
    "HARBOUR",
    "HEIGHTS",
    "HOLDINGS",
    "HOSPITAL",
    "INDUSTRIES",
    "INSTITUTE",
    "INSURANCE",
    "ISLAND",
    "ISLANDS",
    "LABS",
    "MEDIA",
    "MOTORS",
    "PARTNERS",
    "PHARMA",
    "RECORDS",
    "SECURITIES",
    "SERVICES",
    "SOFTWARE",
    "SOLUTIONS",
    "SPRINGS",
    "STUDIOS",
    "SYSTEMS",
    "TECHNOLOGIES",
    "TRUST",
    "UNIVERSITY",
    "VALLEY",
];

/// Firms, brands, products and places that look like names (`patterns/person/not_people.txt`).
fn not_people() -> &'static [String] {
    static LIST: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    LIST.get_or_init(|| {
        let mut v: Vec<String> = include_str!("../../../patterns/person/not_people.txt")
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_owned)
            .collect();
        v.sort_unstable();
        v
    })
}

/// True when tokens `i..j` of a candidate (`words` in `text`) name a place, a firm, a brand
/// or a product: a place's first word or a firm's last word, or a listed phrase that
/// overlaps them.
pub(super) fn not_a_person(text: &str, words: &[(usize, usize, bool)], i: usize, j: usize) -> bool {
    let folded = |k: usize| fold_key(&text[words[k].0..words[k].1]);
    let key_in = |k: usize, list: &[&str]| folded(k).is_some_and(|f| list.contains(&f.as_str()));
    if (j - i >= 2 && (key_in(i, PLACE_FIRST) || key_in(j - 1, PLACE_OR_FIRM_LAST)))
        || (j < words.len() && key_in(j, PLACE_OR_FIRM_LAST))
        || (i > 0 && key_in(i - 1, PLACE_FIRST))
    {
        return true;
    }
    // Listed phrases of two to four words overlapping the window.
    let list = not_people();
    let mut phrase = [0u8; 128];
    for a in i.saturating_sub(3)..j {
        let mut len = 0;
        for b in a..(a + 4).min(words.len()) {
            let Some(f) = folded(b) else { break };
            let f = f.as_str().as_bytes();
            if len + f.len() + 1 > phrase.len() {
                break;
            }
            if b > a {
                phrase[len] = b' ';
                len += 1;
            }
            phrase[len..len + f.len()].copy_from_slice(f);
            len += f.len();
            let p = &phrase[..len];
            if b > a && b >= i && list.binary_search_by(|l| l.as_bytes().cmp(p)).is_ok() {
                return true;
            }
        }
    }
    false
}

/// True when a corporate suffix follows the name (`Goldman Sachs Inc`, `Baker & Co`).
fn corporate_after(rest: &[u8]) -> bool {
    let rest = rest.strip_prefix(b",").unwrap_or(rest);
    let Some(rest) = rest.strip_prefix(b" ") else {
        return false;
    };
    let rest = rest.strip_prefix(b"& ").unwrap_or(rest);
    let word: &[u8] = &rest[..rest
        .iter()
        .position(|b| !b.is_ascii_alphabetic())
        .unwrap_or(rest.len())];
    [
        &b"Inc"[..],
        b"LLC",
        b"Ltd",
        b"GmbH",
        b"AG",
        b"PLC",
        b"LLP",
        b"Corp",
        b"Co",
        b"SpA",
        b"BV",
        b"NV",
        b"SARL",
        b"Limited",
        b"Incorporated",
        b"Corporation",
    ]
    .contains(&word)
}

/// True when `word` introduces a person (any case).
fn is_cue(word: &str) -> bool {
    crate::detect::cue::is_cue(word.as_bytes())
}

use crate::detect::cue::cue_before;

/// True when a name at `start` whose last word is `last` is the name of a street: a street
/// type written before it (`Calle Miguel Hidalgo`, `Via della Giuseppe Verdi`), or a house
/// number before it (and maybe a direction: `3659 E Madison Way`) and a street type last
/// (`475 Michelle Port`, `4225 Ashley Garden`).
pub(super) fn street_name(hay: &[u8], start: usize, last: &str) -> bool {
    // A street type written first: `Calle Miguel Hidalgo`, `rue Victor Hugo`.
    if crate::detect::shapes::address::ends_with_street_type_first(&hay[..start]) {
        return true;
    }
    let mut head = hay[..start].strip_suffix(b" ").unwrap_or(b"x");
    let word = head
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_alphabetic() || **b == b'.')
        .count();
    let dir = &head[head.len() - word..];
    let dir = dir.strip_suffix(b".").unwrap_or(dir);
    if [
        &b"n"[..],
        b"s",
        b"e",
        b"w",
        b"ne",
        b"nw",
        b"se",
        b"sw",
        b"north",
        b"south",
        b"east",
        b"west",
    ]
    .iter()
    .any(|d| d.eq_ignore_ascii_case(dir))
    {
        head = head[..head.len() - word].strip_suffix(b" ").unwrap_or(b"x");
    }
    let len = head
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'/')
        .count();
    let number = &head[head.len() - len..];
    (1..=8).contains(&len)
        && number[0].is_ascii_digit()
        && crate::detect::shapes::address::is_street_type(last.as_bytes())
}

/// True when the word right before `start` or right after `end` (one space away) starts with
/// an upper-case letter. Only a word counts — letters, apostrophes, hyphens, closing
/// punctuation: a value next to the name (`O'@example.net`, `X@Y.COM`) may be redacted, and
/// the label in its place must leave the verdict as it was.
fn capitalised_neighbour(hay: &[u8], start: usize, end: usize) -> bool {
    // Before the name the word must end right at the space (`Drive, Boston`: the comma
    // parts them); after it, closing punctuation may follow the word.
    let word = |tok: &[u8], after: bool| {
        let letters = match tok.last() {
            Some(b',' | b'.' | b';' | b':') if after => &tok[..tok.len() - 1],
            _ => tok,
        };
        letters
            .iter()
            .all(|&b| b.is_ascii_alphabetic() || b >= 0x80 || matches!(b, b'\'' | b'-'))
            && std::str::from_utf8(letters)
                .ok()
                .and_then(|w| w.chars().next())
                .is_some_and(char::is_uppercase)
    };
    let word_before = start >= 2 && hay[start - 1] == b' ' && {
        let head = &hay[..start - 1];
        let from = head
            .iter()
            .rposition(u8::is_ascii_whitespace)
            .map_or(0, |p| p + 1);
        word(&head[from..], false)
    };
    let word_after = hay.get(end) == Some(&b' ') && {
        let tail = &hay[end + 1..];
        let to = tail
            .iter()
            .position(u8::is_ascii_whitespace)
            .unwrap_or(tail.len());
        word(&tail[..to], true)
    };
    word_before || word_after
}

#[cfg(test)]
mod tests {
    #[test]
    fn firms_places_and_products_are_not_people() {
        use super::super::tests::run;
        use super::validate;
        for s in [
            "Goldman Sachs",
            "Los Angeles",
            "North Virginia",
            "Virginia Beach",
            "Calvin Klein",
            "Jessica Wells Bank",
        ] {
            assert!(run(validate, s).is_none(), "{s}");
        }
        assert!(super::super::tests::run_at(validate, "Mark Baker Ltd", 0, 10).is_none());
        assert!(run(validate, "Jessica Wells").is_some());
    }

    #[test]
    fn the_name_of_a_street_is_not_a_person() {
        use super::super::tests::run_at;
        use super::validate;
        let hay = "at 475 Michelle Port today";
        assert!(run_at(validate, hay, 7, 20).is_none());
        assert!(run_at(validate, "at Michelle Port today", 3, 16).is_some());
        // After a direction too (a fuzzer's input: the address lost to the name).
        assert!(run_at(validate, "3659 E Madison Way, Austin", 7, 18).is_none());
        assert!(run_at(validate, "3659 N. Madison Way", 8, 19).is_none());
        // A street type written first (issue 23).
        assert!(run_at(validate, "to Calle Miguel Hidalgo 25", 9, 23).is_none());
        assert!(run_at(validate, "12 rue Victor Hugo", 7, 18).is_none());
        assert!(run_at(validate, "Via della Giuseppe Verdi", 9, 24).is_none());
    }

    use super::*;
    use crate::detect::validate::Settings;

    fn run(hay: &str) -> Option<(String, f32)> {
        let settings = Settings::default();
        let c = Cand::new(hay.as_bytes(), Span::new(0, hay.len()), &settings);
        validate(&c).map(|v| (hay[v.span.range()].to_owned(), v.score))
    }

    /// Issue 23: names in a script no dictionary covers (Greek, Cyrillic) are weak evidence
    /// alone, a name after a cue or with a person word nearby.
    #[test]
    fn names_in_scripts_the_dictionaries_do_not_cover() {
        use super::super::tests::run_at;
        let v = run("Σοφία Σιώρης").unwrap();
        assert!(v.1 < 0.5, "{v:?}");
        let v = run("Иван Петров").unwrap();
        assert!(v.1 < 0.5, "{v:?}");
        let hay = "Hi Τατιάνα Λέλεκας, thanks";
        let v = run_at(validate, hay, 3, 3 + "Τατιάνα Λέλεκας".len()).unwrap();
        assert!(v.score >= 0.5, "{v:?}");
        // One word alone, or four, says too little.
        assert!(run("Σοφία").is_none());
        assert!(run("Η Εθνική Τράπεζα Ελλάδος").is_none_or(|v| v.1 < 0.5));
    }

    /// Issue 23: after a word that introduces a person, the whole name, not its first word
    /// (`Dear John Smith` kept `John` and left `Smith`, a common word too, in clear).
    #[test]
    fn a_cue_takes_the_whole_name() {
        use super::super::tests::run_at;
        for (hay, name) in [
            ("Dear John Smith, your", "John Smith"),
            ("Hi Mary Baker, thanks", "Mary Baker"),
            ("Dear Anna, hi", "Anna"),
        ] {
            let s = hay.find(name.split(' ').next().unwrap()).unwrap();
            let e = hay.find(',').unwrap();
            let v = run_at(validate, hay, s, e).unwrap();
            assert_eq!(&hay[v.span.range()], name, "{hay}");
        }
    }

    /// See: fuzz/regressions/scan/person-next-to-value-idempotence.
    #[test]
    fn only_a_word_is_a_capitalised_neighbour() {
        let hay = b"New York";
        assert!(capitalised_neighbour(hay, 4, 8));
        // An e-mail address after the name is a value, as its label will be.
        let hay = b"contact Olga O'@example.net ph";
        assert!(!capitalised_neighbour(hay, 8, 12));
        let hay = b"contact Olga [EMAIL] ph";
        assert!(!capitalised_neighbour(hay, 8, 12));
        let hay = b"X@Y.COM Olga";
        assert!(!capitalised_neighbour(hay, 8, 12));
        let hay = b"Olga Street, and";
        assert!(capitalised_neighbour(hay, 0, 4));
        let hay = b"Drive, Boston";
        assert!(!capitalised_neighbour(hay, 7, 13));
    }

    #[test]
    fn folding_matches_the_dictionaries() {
        assert_eq!(fold("O'Neil").as_deref(), Some("ONEIL"));
        assert_eq!(fold("Müller").as_deref(), Some("MULLER"));
        assert_eq!(fold("Łukasz").as_deref(), Some("LUKASZ"));
        assert_eq!(fold("José").as_deref(), Some("JOSE"));
        assert_eq!(fold("Straße").as_deref(), Some("STRASSE"));
        assert_eq!(fold("李"), None);
        assert!(flags("JOSE") & GIVEN_F != 0 && flags("MULLER") & SURNAME_F != 0);
        assert!(flags("LUKASZ") & GIVEN_F != 0 && flags("SMITH") & COMMON_F != 0);
    }

    #[test]
    fn full_names_titles_particles_initials() {
        for (text, want, min) in [
            ("Jane Doe", "Jane Doe", 0.75),
            ("Dr Okafor", "Okafor", 0.85),
            ("Mrs. Ngozi Okafor", "Ngozi Okafor", 0.85),
            ("Ludwig van Beethoven", "Ludwig van Beethoven", 0.6),
            ("J. R. Smith", "J. R. Smith", 0.6),
            ("Mary O'Neil", "Mary O'Neil", 0.75),
            ("Ronald McDonald", "Ronald McDonald", 0.75),
            ("Anne Smith-Jones", "Anne Smith-Jones", 0.75),
            ("José Müller", "José Müller", 0.75),
            ("Łukasz Kowalski", "Łukasz Kowalski", 0.6),
            ("Doe, Jane", "Doe, Jane", 0.75),
            ("John Smith Jr.", "John Smith Jr.", 0.75),
            ("Patient John Smith", "John Smith", 0.75),
        ] {
            let got = run(text);
            assert!(
                got.as_ref().is_some_and(|(s, sc)| s == want && *sc >= min),
                "{text}: {got:?}"
            );
        }
    }

    #[test]
    fn common_words_need_company() {
        for text in [
            "May",
            "Will",
            "Grant Access",
            "Mark Complete",
            "Server Error",
            "Main Street",
            "Started Processing",
            // Both frequent names, but the surname not among the 1,000 most frequent.
            "Will Call",
            "Will Deal",
        ] {
            assert!(
                run(text).is_none_or(|(_, s)| s < 0.5),
                "{text}: {:?}",
                run(text)
            );
        }
        // Next to a real name they count.
        assert!(run("Will Smith").is_some_and(|(s, sc)| s == "Will Smith" && sc >= 0.6));
        // A single name is weak on its own (context lifts it).
        assert!(run("Okafor").is_some_and(|(_, s)| s < 0.5));
    }
}
