//! Context words: every detector's positive words and the generic negative words, looked up
//! word by word in the unit's words (one hash lookup per sub-word, no second pass over the
//! bytes). Words and phrases are split as text is — at spaces, `_`, `-`, `.`, camelCase and
//! letter–digit joins — so `credit card`, `credit_card`, `creditCard` and `CreditCard` are one
//! phrase, and `PatientSSN` holds `ssn`. A word counts within [`WINDOW`] bytes of the
//! candidate, or anywhere in the name of the field the candidate is in.

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::span::Span;

/// Bytes before and after a candidate that are searched for context words.
pub(crate) const WINDOW: usize = 48;

/// Most bytes between a negative word and the candidate it lowers.
const NEGATIVE_GAP: usize = 16;

/// True when the word labels the candidate: before it with only a short run of non-letters
/// between (`order_id=884213`, `ticket #884213`) — the rest of the key the word starts
/// (`traceNumber": "…`) counts as part of the word — or, for a word that is a `unit`, right
/// after it (`1234 ms`, `512bytes`), but not as the key of the next field
/// (`10.20.30.40:8443 build=10.0.1`, `npi=1253905842 elapsed_ms=1`). A word that is no unit
/// after a value is the start of what comes next (`routing number 034008395 ticket …`).
fn adjacent(hay: &[u8], word: Span, cand: Span, unit: bool) -> bool {
    if word.end() <= cand.start() {
        let rest = hay[word.end()..cand.start()]
            .iter()
            .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_')
            .count();
        let gap = &hay[word.end() + rest..cand.start()];
        gap.len() <= NEGATIVE_GAP
            && !gap.iter().any(u8::is_ascii_alphabetic)
            && (rest == 0 || is_key(hay, word))
    } else if cand.end() <= word.start() {
        let gap = &hay[cand.end()..word.start()];
        unit && gap.len() <= 2 && gap.iter().all(|b| *b == b' ') && !is_key(hay, word)
    } else {
        false
    }
}

/// True when `v` could be a version or build number: digits and dots only, and without a dot
/// at most 10 digits. A card or SSN in its written groups (`4111 1111 1111 1111`,
/// `536-90-4399`) or a 16-digit card number is no version, whatever word is before it.
pub(crate) fn version_shaped(v: &[u8]) -> bool {
    let digits = v.iter().filter(|b| b.is_ascii_digit()).count();
    let dots = v.iter().filter(|&&b| b == b'.').count();
    digits + dots == v.len() && (dots > 0 || digits <= 10)
}

/// True when `word` is (the start of) the key of a `key=value` or `key: value` field: the
/// rest of its identifier, an optional closing quote and blanks, then `=` or `:` (not a
/// URL's `://`).
pub(crate) fn is_key(hay: &[u8], word: Span) -> bool {
    let mut i = word.end();
    while hay
        .get(i)
        .is_some_and(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    {
        i += 1;
    }
    if matches!(hay.get(i), Some(b'"' | b'\'')) {
        i += 1;
    }
    while hay.get(i) == Some(&b' ') {
        i += 1;
    }
    match hay.get(i) {
        Some(b'=') => true,
        Some(b':') => hay.get(i + 1..i + 3) != Some(b"//"),
        _ => false,
    }
}

/// True when context word `word` labels `cand`: it is in the field name `key` before the
/// value, or right before it with nothing but punctuation between (`MR# 1234`, `ssn: ...`)
/// or one short word (`phone to 539 498 418`, `number is ...`).
pub(crate) fn labels(hay: &[u8], word: Span, cand: Span, key: (usize, usize)) -> bool {
    if word.start() >= key.0 && word.end() <= key.1 && key.1 > key.0 {
        return true;
    }
    if word.end() > cand.start() {
        return false;
    }
    // The value of a `key=value` field (`to=0146964294`, `to: "…"`) near a whole word that
    // supports it (`msg="sms sent" to=…`) — not a word inside an identifier (`PhoneStatusBar`).
    let before = &hay[..cand.start()];
    let before = before.strip_suffix(b"\"").unwrap_or(before);
    let before = before.strip_suffix(b" ").unwrap_or(before);
    let field = matches!(before.last(), Some(b'=' | b':'))
        && before.len() >= 2
        && before[before.len() - 2].is_ascii_alphanumeric();
    let whole = !hay[..word.start()]
        .last()
        .is_some_and(u8::is_ascii_alphanumeric)
        && !hay.get(word.end()).is_some_and(u8::is_ascii_alphanumeric);
    if field && whole && cand.start() - word.end() <= 48 {
        return true;
    }
    let gap = &hay[word.end()..cand.start()];
    let punct = |g: &[u8]| g.len() <= 3 && g.iter().all(|b| b.is_ascii_punctuation() || *b == b' ');
    if punct(gap) {
        return true;
    }
    // ` to `, ` is: `, ` on `: one word of two or three letters between blanks.
    let inner = gap.trim_ascii();
    let letters = inner.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    gap.first() == Some(&b' ')
        && (2..=3).contains(&letters)
        && gap.len() <= 8
        && punct(&inner[letters..])
        && gap.last().is_some_and(|b| !b.is_ascii_alphanumeric())
}

/// A context word found in a unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Hit {
    pub(crate) span: Span,
    pub(crate) word: u32,
}

/// How context changed one candidate's score.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Effect {
    pub(crate) delta: f32,
    pub(crate) positive: Option<Hit>,
    pub(crate) negative: Option<Hit>,
}

/// Text velum itself writes: a label, a token or hash prefix, a run of mask characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Artifact {
    /// An exact label such as `[EMAIL]`.
    Label,
    /// `VLM_` / `VLMH_`: the artifact runs to the end of the word.
    TokenPrefix,
    /// Three mask characters: the artifact runs to the end of the mask run.
    MaskRun,
}

/// How two words of a phrase may be joined in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Join {
    /// A space, `_`, `-` or `.`, or nothing at a camelCase or letter–digit join:
    /// `credit card`, `credit_card`, `creditCard` are one phrase.
    Flexible,
    /// Exactly these bytes (`a/c`, `swift/bic`, `d'assurance`).
    Exact(Vec<u8>),
}

/// A context word or phrase, split into sub-words as the text is.
#[derive(Clone, Debug)]
struct Phrase {
    /// The sub-words after the first, each with how it joins the one before.
    rest: Vec<(Join, Vec<u8>)>,
    /// Bytes that must follow the last sub-word (the `#` of `mr#`).
    trailing: Vec<u8>,
}

/// The first sub-words of the phrases, packed (up to 16 lower-case bytes in a `u128`) in an
/// open-addressing table: a lookup is a multiply and a probe or two, no hashing of bytes and
/// no comparison of slices.
struct Heads {
    keys: Vec<u128>,
    /// Per slot: the phrases starting with the key, longest first.
    lists: Vec<Vec<u32>>,
    shift: u32,
}

/// A sub-word packed for [`Heads`]: its bytes, ASCII lower-cased, and its length in the top
/// byte (so `a` and `a\0` differ); `None` when longer than 14 bytes.
fn pack(w: &[u8]) -> Option<u128> {
    if w.is_empty() || w.len() > 14 {
        return None;
    }
    let mut buf = [0u8; 16];
    buf[..w.len()].copy_from_slice(w);
    buf[15] = w.len() as u8;
    let lo = lower8(u64::from_le_bytes(buf[..8].try_into().expect("8 bytes")));
    let hi = lower8(u64::from_le_bytes(buf[8..].try_into().expect("8 bytes")));
    Some(u128::from(lo) | (u128::from(hi) << 64))
}

/// ASCII lower case of eight bytes at once: `A`–`Z` get bit 5, nothing else changes.
fn lower8(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Per byte below 0x80: high bit set when b >= 'A' (b + 0x3f) and when b > 'Z' (b + 0x25).
    let low7 = x & !HIGH;
    let ge_a = low7 + ONES * (0x80 - b'A' as u64);
    let gt_z = low7 + ONES * (0x80 - b'Z' as u64 - 1);
    let upper = ge_a & !gt_z & !x & HIGH;
    x | (upper >> 2)
}

impl Heads {
    fn slot(&self, k: u128) -> usize {
        let h = (k as u64) ^ ((k >> 64) as u64).rotate_left(29);
        (h.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize
    }

    fn build(entries: Vec<(u128, Vec<u32>)>) -> Self {
        let slots = (entries.len() * 2).next_power_of_two().max(16);
        let mut t = Self {
            keys: vec![0; slots],
            lists: vec![Vec::new(); slots],
            shift: 64 - slots.trailing_zeros(),
        };
        for (k, list) in entries {
            let mut i = t.slot(k);
            while t.keys[i] != 0 {
                i = (i + 1) & (slots - 1);
            }
            t.keys[i] = k;
            t.lists[i] = list;
        }
        t
    }

    fn get(&self, k: u128) -> Option<&[u32]> {
        let mask = self.keys.len() - 1;
        let mut i = self.slot(k);
        loop {
            match self.keys[i] {
                0 => return None,
                x if x == k => return Some(&self.lists[i]),
                _ => i = (i + 1) & mask,
            }
        }
    }
}

/// The sub-words of a word (byte ranges): split at camelCase joins (`cardNumber`,
/// `PatientSSN`, `IPAddress` → `IP` `Address`) and between letters and digits (`ssn2`).
fn sub_words(w: &[u8], mut f: impl FnMut(usize, usize)) {
    let class = |b: u8| {
        if b.is_ascii_digit() {
            0
        } else if b.is_ascii_uppercase() {
            1
        } else {
            2
        }
    };
    let mut start = 0;
    for i in 1..w.len() {
        let (a, b) = (class(w[i - 1]), class(w[i]));
        let split = (a == 0) != (b == 0)
            || (a == 2 && b == 1)
            // `IPAddress`: the capital before a lower-case letter starts the next sub-word.
            || (a == 1 && b == 1 && w.get(i + 1).is_some_and(|&c| class(c) == 2) && i > start);
        if split && w[i - 1] < 0x80 && w[i] < 0x80 {
            f(start, i);
            start = i;
        }
    }
    f(start, w.len());
}

/// Splits a context word as text is split: sub-words and how each joins the one before.
fn split_phrase(text: &str) -> (Vec<u8>, Phrase) {
    let b = text.as_bytes();
    let mut subs: Vec<(Join, Vec<u8>)> = Vec::new();
    let mut i = 0;
    let mut pending: Vec<u8> = Vec::new();
    while i < b.len() {
        let word_start = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] >= 0x80) {
            i += 1;
        }
        if i > word_start {
            let w = &b[word_start..i];
            let mut first_in_word = true;
            sub_words(w, |s, e| {
                let join = if first_in_word {
                    if subs.is_empty() || pending.len() == 1 && b" _-.".contains(&pending[0]) {
                        Join::Flexible
                    } else {
                        Join::Exact(pending.clone())
                    }
                } else {
                    Join::Flexible
                };
                first_in_word = false;
                subs.push((join, w[s..e].to_ascii_lowercase()));
            });
            pending.clear();
        }
        let sep_start = i;
        while i < b.len() && !(b[i].is_ascii_alphanumeric() || b[i] >= 0x80) {
            i += 1;
        }
        pending.extend_from_slice(&b[sep_start..i]);
    }
    let mut it = subs.into_iter();
    let first = it.next().map(|(_, w)| w).unwrap_or_default();
    (
        first,
        Phrase {
            rest: it.collect(),
            trailing: pending,
        },
    )
}

/// One detector's own context words.
#[derive(Clone, Debug, Default)]
pub(crate) struct DetectorWords {
    /// Words that support it.
    pub(crate) positive: Vec<String>,
    /// Words that speak against it where they label the value.
    pub(crate) negative: Vec<String>,
    /// Field names that speak against it as the key of the value's field only.
    pub(crate) negative_keys: Vec<String>,
}

pub(crate) struct ContextIndex {
    /// First sub-word (lower case) → the phrases starting with it, longest first.
    first: Heads,
    phrases: Vec<Phrase>,
    /// Per first two bytes of a sub-word (see [`pair`]): bit `n` set when some phrase starts
    /// with a sub-word of `n` bytes beginning with them — the cheap test before a lookup.
    starts: Vec<u32>,
    /// Per phrase: the detectors it supports.
    supports: Vec<Vec<u16>>,
    /// Per phrase: whether it is generic negative context for numeric detectors.
    negative: Vec<bool>,
    /// Per phrase: a negative word that names a version (`build`, `v`…).
    version: Vec<bool>,
    /// Per phrase: a negative word that is a unit, written after its number (`ms`).
    unit: Vec<bool>,
    /// Per phrase: the detectors it speaks against (their own negative words).
    opposes: Vec<Vec<u16>>,
    /// Per phrase: the detectors it speaks against as the key of the value's field only
    /// (`status: Will Call`, not `the status Will Call set`).
    opposes_as_key: Vec<Vec<u16>>,
    penalty: f32,
    /// Texts velum writes in place of values: exact labels, token prefixes (`VLM_`), the
    /// bytes of mask runs. Each is a barrier like a candidate, and never context.
    labels: Vec<Vec<u8>>,
    /// The bytes labels start with (`[` for the default `[EMAIL]`).
    label_firsts: Vec<u8>,
    token_prefixes: Vec<Vec<u8>>,
    mask_chars: Vec<u8>,
}

/// The index of a sub-word's first two bytes in `ContextIndex::starts`: their low five bits,
/// so both cases of a letter share one (other bytes may collide: the test only filters).
fn pair(w: &[u8]) -> usize {
    let a = usize::from(w.first().map_or(0, |&b| b & 0x1f));
    let b = usize::from(w.get(1).map_or(0, |&b| b & 0x1f));
    (a << 5) | b
}

/// The word id `Hit::word` has for an artifact (velum's own output).
const ARTIFACT: u32 = u32::MAX;

impl ContextIndex {
    /// Builds the index. `own[d]` holds detector `d`'s words: those that support it, those
    /// that speak against it, and the field names that speak against it as the key of the
    /// value's field only. `negative` is the generic list for numeric
    /// detectors, of which `versions` name versions. `artifacts` are the texts velum writes in place of values (labels, token
    /// prefixes, mask runs): they bound context windows exactly as the values they replaced
    /// did, and words inside them never count, so redacting redacted output changes nothing.
    ///
    /// # Errors
    /// None today; kept for a word list that cannot be indexed.
    pub(crate) fn build(
        own: &[DetectorWords],
        negative: &[String],
        versions: &[String],
        units: &[String],
        penalty: f32,
        artifacts: &[(Artifact, String)],
    ) -> Result<Self> {
        let mut words: Vec<String> = Vec::new();
        let slot = |w: &str, words: &mut Vec<String>| -> usize {
            let w = w.trim().to_ascii_lowercase();
            match words.iter().position(|x| *x == w) {
                Some(i) => i,
                None => {
                    words.push(w);
                    words.len() - 1
                }
            }
        };
        let mut support_pairs = Vec::new();
        let mut oppose_pairs = Vec::new();
        let mut key_pairs = Vec::new();
        for (d, o) in own.iter().enumerate() {
            for (list, pairs) in [
                (&o.positive, &mut support_pairs),
                (&o.negative, &mut oppose_pairs),
                (&o.negative_keys, &mut key_pairs),
            ] {
                for w in list.iter().filter(|w| !w.trim().is_empty()) {
                    pairs.push((slot(w, &mut words), d as u16));
                }
            }
        }
        let neg_slots: Vec<usize> = negative
            .iter()
            .filter(|w| !w.trim().is_empty())
            .map(|w| slot(w, &mut words))
            .collect();
        let mut supports: Vec<Vec<u16>> = vec![Vec::new(); words.len()];
        let mut opposes: Vec<Vec<u16>> = vec![Vec::new(); words.len()];
        let mut opposes_as_key: Vec<Vec<u16>> = vec![Vec::new(); words.len()];
        let mut neg: Vec<bool> = vec![false; words.len()];
        for (pairs, to) in [
            (support_pairs, &mut supports),
            (oppose_pairs, &mut opposes),
            (key_pairs, &mut opposes_as_key),
        ] {
            for (i, d) in pairs {
                if !to[i].contains(&d) {
                    to[i].push(d);
                }
            }
        }
        for i in neg_slots {
            neg[i] = true;
        }
        let flags = |list: &[String]| {
            let mut f = vec![false; words.len()];
            for w in list {
                let w = w.trim().to_ascii_lowercase();
                if let Some(i) = words.iter().position(|x| *x == w) {
                    f[i] = true;
                }
            }
            f
        };
        let (version, unit) = (flags(versions), flags(units));
        let mut first: HashMap<u128, Vec<u32>> = HashMap::new();
        let mut phrases = Vec::with_capacity(words.len());
        let mut starts = vec![0u32; 32 * 32];
        for (i, w) in words.iter().enumerate() {
            let (head, phrase) = split_phrase(w);
            if head.is_empty() {
                return Err(Error::config(format!(
                    "context word {w:?}: it needs a letter or a digit"
                )));
            }
            if head.len() < 32 {
                starts[pair(&head)] |= 1 << head.len();
            }
            let key = pack(&head).ok_or_else(|| {
                Error::config(format!(
                    "context word {w:?}: its first word is longer than 14 bytes"
                ))
            })?;
            first.entry(key).or_default().push(i as u32);
            phrases.push(phrase);
        }
        // Longest first: `account number` before `account`.
        let len = |p: &Phrase| p.rest.len() * 2 + usize::from(!p.trailing.is_empty());
        for list in first.values_mut() {
            list.sort_by_key(|&i| std::cmp::Reverse(len(&phrases[i as usize])));
        }
        let mut entries: Vec<(u128, Vec<u32>)> = first.into_iter().collect();
        entries.sort();
        let first = Heads::build(entries);
        let mut labels = Vec::new();
        let mut label_firsts = Vec::new();
        let mut token_prefixes = Vec::new();
        let mut mask_chars = Vec::new();
        for (kind, text) in artifacts {
            if text.is_empty() {
                continue;
            }
            match kind {
                Artifact::Label => {
                    label_firsts.push(text.as_bytes()[0]);
                    labels.push(text.clone().into_bytes());
                }
                Artifact::TokenPrefix => token_prefixes.push(text.clone().into_bytes()),
                Artifact::MaskRun => mask_chars.push(text.as_bytes()[0]),
            }
        }
        labels.sort();
        labels.dedup();
        label_firsts.sort_unstable();
        label_firsts.dedup();
        mask_chars.sort_unstable();
        mask_chars.dedup();
        Ok(Self {
            first,
            phrases,
            starts,
            supports,
            opposes,
            opposes_as_key,
            negative: neg,
            version,
            unit,
            penalty,
            labels,
            label_firsts,
            token_prefixes,
            mask_chars,
        })
    }

    /// True when detector `d` has a supporting word among `hits`.
    /// Sets `present[d]` (cleared and sized first) for each detector `d` one of `hits`
    /// supports.
    pub(crate) fn mark_supported(&self, hits: &[Hit], present: &mut Vec<bool>, dets: usize) {
        present.clear();
        present.resize(dets, false);
        for h in hits.iter().filter(|h| h.word != ARTIFACT) {
            for &d in &self.supports[h.word as usize] {
                if let Some(p) = present.get_mut(usize::from(d)) {
                    *p = true;
                }
            }
        }
    }

    /// Appends to `out` (cleared first) the context words of `hay`, whose words are `words`,
    /// and the artifacts of velum's own output, in order. Words inside an artifact are dropped.
    pub(crate) fn hits(&self, hay: &[u8], words: &[super::lex::Word], out: &mut Vec<Hit>) {
        out.clear();
        self.artifacts(hay, out);
        let mut barriers = out.len();
        let mut ai = 0;
        let mut skip_until = 0usize;
        let mut subs = [(0usize, 0usize); 8];
        for (wi, w) in words.iter().enumerate() {
            let (ws, we) = (w.start as usize, w.end as usize);
            if we <= skip_until {
                continue;
            }
            // Inside an artifact: no context.
            while ai < barriers && out[ai].span.end() <= ws {
                ai += 1;
            }
            if ai < barriers && out[ai].span.start() < we {
                continue;
            }
            // A token (`VLM_…`): one artifact to the end of its word characters.
            if w.len() <= 5 && hay.get(we) == Some(&b'_') && !self.token_prefixes.is_empty() {
                let t = &hay[ws..=we];
                if self.token_prefixes.iter().any(|p| p.as_slice() == t)
                    && (ws == 0 || !(hay[ws - 1].is_ascii_alphanumeric() || hay[ws - 1] == b'_'))
                {
                    let mut e = we;
                    while e < hay.len() && (hay[e].is_ascii_alphanumeric() || hay[e] == b'_') {
                        e += 1;
                    }
                    out.push(Hit {
                        span: Span::new(ws, e),
                        word: ARTIFACT,
                    });
                    barriers = out.len();
                    skip_until = e;
                    continue;
                }
            }
            let first = hay[ws].to_ascii_lowercase();
            // Numbers, hex digests and very long words hold no context word.
            if first.is_ascii_digit()
                || (w.has(super::lex::HEX) && w.has(super::lex::DIGIT))
                || w.len() > 48
            {
                continue;
            }
            // One sub-word (no camelCase or digit join) that no phrase starts with: the
            // common case, decided without splitting.
            let simple = !w.has(super::lex::DIGIT)
                && (!w.has(super::lex::UPPER)
                    || !w.has(super::lex::LOWER)
                    || w.has(super::lex::CAPITALISED));
            if simple && (w.len() >= 32 || self.starts[pair(&hay[ws..we])] & (1 << w.len()) == 0) {
                continue;
            }
            let mut ns = 0;
            if simple {
                subs[0] = (ws, we);
                ns = 1;
            } else {
                sub_words(&hay[ws..we], |s, e| {
                    if ns < subs.len() {
                        subs[ns] = (ws + s, ws + e);
                        ns += 1;
                    }
                });
            }
            let mut k = 0;
            while k < ns {
                let (s, e) = subs[k];
                k += 1;
                if s < skip_until
                    || e - s >= 32
                    || self.starts[pair(&hay[s..e])] & (1 << (e - s)) == 0
                {
                    continue;
                }
                let Some(list) = pack(&hay[s..e]).and_then(|k| self.first.get(k)) else {
                    continue;
                };
                for &p in list {
                    if let Some(end) = self.match_rest(hay, words, wi, &subs[..ns], k, p) {
                        out.push(Hit {
                            span: Span::new(s, end),
                            word: p,
                        });
                        skip_until = end;
                        break;
                    }
                }
            }
        }
        if barriers > 0 {
            out.sort_by_key(|h| h.span.start());
        }
    }

    /// Where phrase `p` ends when its first sub-word is the one before `subs[k]` in word
    /// `wi`: each further sub-word is the next one in the text, joined as the phrase says.
    fn match_rest(
        &self,
        hay: &[u8],
        words: &[super::lex::Word],
        mut wi: usize,
        subs: &[(usize, usize)],
        mut k: usize,
        p: u32,
    ) -> Option<usize> {
        let phrase = &self.phrases[p as usize];
        let mut end = subs[k - 1].1;
        if phrase.rest.is_empty() {
            if phrase.trailing.is_empty() {
                return Some(end);
            }
            return hay[end..]
                .starts_with(&phrase.trailing)
                .then(|| end + phrase.trailing.len());
        }
        let mut own: [(usize, usize); 8] = [(0, 0); 8];
        let mut subs_len = subs.len();
        let mut cur: &[(usize, usize)] = subs;
        for (join, want) in &phrase.rest {
            let (s, e) = if k < subs_len {
                // Inside the same word: a camelCase or letter-digit join.
                if *join != Join::Flexible {
                    return None;
                }
                let r = cur[k];
                k += 1;
                r
            } else {
                let next = words.get(wi + 1)?;
                let sep = &hay[end..next.start as usize];
                let ok = match join {
                    Join::Flexible => matches!(sep, [b' ' | b'_' | b'-' | b'.']),
                    Join::Exact(x) => sep == x.as_slice(),
                };
                if !ok {
                    return None;
                }
                wi += 1;
                let (ns, ne) = (next.start as usize, next.end as usize);
                subs_len = 0;
                sub_words(&hay[ns..ne], |s, e| {
                    if subs_len < own.len() {
                        own[subs_len] = (ns + s, ns + e);
                        subs_len += 1;
                    }
                });
                cur = &own;
                k = 1;
                own[0]
            };
            if !hay[s..e].eq_ignore_ascii_case(want) {
                return None;
            }
            end = e;
        }
        if !phrase.trailing.is_empty() {
            if !hay[end..].starts_with(&phrase.trailing) {
                return None;
            }
            end += phrase.trailing.len();
        }
        Some(end)
    }

    /// Appends velum's own labels and mask runs found in `hay` (tokens are found with the
    /// words).
    fn artifacts(&self, hay: &[u8], out: &mut Vec<Hit>) {
        let push = |out: &mut Vec<Hit>, s: usize, e: usize| {
            out.push(Hit {
                span: Span::new(s, e),
                word: ARTIFACT,
            })
        };
        for &f in &self.label_firsts {
            for at in memchr::memchr_iter(f, hay) {
                let second = hay.get(at + 1).copied();
                if let Some(l) = self
                    .labels
                    .iter()
                    .find(|l| l.get(1).copied() == second && hay[at..].starts_with(l))
                {
                    push(out, at, at + l.len());
                }
            }
        }
        for &m in &self.mask_chars {
            let mut p = 0;
            while let Some(i) = memchr::memchr(m, &hay[p..]) {
                let at = p + i;
                let mut e = at;
                while e < hay.len() && hay[e] == m {
                    e += 1;
                }
                if e - at >= 3 {
                    push(out, at, e);
                }
                p = e;
            }
        }
        if out.len() > 1 {
            out.sort_by_key(|h| h.span.start());
        }
    }

    /// Appends to `out` (cleared first) the spans of the artifacts among `hits`, sorted.
    pub(crate) fn artifact_spans(&self, hits: &[Hit], out: &mut Vec<Span>) {
        out.clear();
        out.extend(hits.iter().filter(|h| self.is_artifact(h)).map(|h| h.span));
        out.sort_unstable_by_key(|a| (a.start(), a.end()));
    }

    fn is_artifact(&self, h: &Hit) -> bool {
        h.word == ARTIFACT
    }

    /// The score change for detector `det` at `span`, given the unit's hits (sorted). Positive
    /// words count within [`WINDOW`] bytes, but not past `lo` and `hi`: the neighbouring
    /// candidates, so a word next to one identifier does not vouch for another beyond it.
    /// Negative words count only when [`adjacent`]: in `order_id=1 customer=536-90-4399` the
    /// neighbouring field's key says nothing about the SSN. Words in `hay[key.0..key.1]` (a
    /// field name in front of its value) count for a candidate after it at any distance,
    /// positive and negative alike; words in `hay[about..key.0]` (sibling fields that
    /// describe it) only raise it.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn effect(
        &self,
        hay: &[u8],
        hits: &[Hit],
        span: Span,
        (lo, hi): (usize, usize),
        (about, key): (usize, (usize, usize)),
        det: u16,
        boost: f32,
        numeric: bool,
    ) -> Effect {
        let mut lo = span.start().saturating_sub(WINDOW).max(lo);
        let mut hi = (span.end() + WINDOW).min(hi);
        let first = hits.partition_point(|h| h.span.end() <= lo);
        // Artifacts of earlier redaction bound the window like the candidates they replaced.
        let window_end = hi;
        for h in hits[first..]
            .iter()
            .take_while(|h| h.span.start() < window_end)
        {
            if self.is_artifact(h) {
                if h.span.end() <= span.start() {
                    lo = lo.max(h.span.end());
                } else if h.span.start() >= span.end() {
                    hi = hi.min(h.span.start());
                }
            }
        }
        let first = first + hits[first..].partition_point(|h| h.span.end() <= lo);
        let dist = |h: &Hit| {
            if h.span.end() <= span.start() {
                span.start() - h.span.end()
            } else {
                h.span.start().saturating_sub(span.end())
            }
        };
        // The nearest supporting word, and the nearest negative one, each count once.
        let mut eff = Effect::default();
        for h in hits[first..].iter().take_while(|h| h.span.start() < hi) {
            if h.span.overlaps(span)
                || h.span.start() < lo
                || h.span.end() > hi
                || self.is_artifact(h)
            {
                continue;
            }
            // A word in the key of the next field describes that field's value.
            if h.span.start() >= span.end() && is_key(hay, h.span) {
                continue;
            }
            let w = h.word as usize;
            if self.supports[w].contains(&det) {
                if eff.positive.is_none_or(|p| dist(h) < dist(&p)) {
                    eff.positive = Some(*h);
                }
            } else if ((numeric && self.negative[w] && self.lowers(w, hay, span))
                || self.opposes[w].contains(&det)
                || (self.opposes_as_key[w].contains(&det) && is_key(hay, h.span)))
                && adjacent(hay, h.span, span, self.unit[w])
                && eff.negative.is_none_or(|n| dist(h) < dist(&n))
            {
                eff.negative = Some(*h);
            }
        }
        if key.1 > key.0 && span.start() >= key.1 {
            let from = hits.partition_point(|h| h.span.start() < about.min(key.0));
            for h in hits[from..].iter().take_while(|h| h.span.end() <= key.1) {
                if self.is_artifact(h) {
                    continue;
                }
                let w = h.word as usize;
                if self.supports[w].contains(&det) {
                    eff.positive = eff.positive.or(Some(*h));
                } else if h.span.start() < key.0 {
                    // A sibling's word only vouches.
                } else if (numeric && self.negative[w] && self.lowers(w, hay, span))
                    || self.opposes[w].contains(&det)
                    || self.opposes_as_key[w].contains(&det)
                {
                    eff.negative = eff.negative.or(Some(*h));
                }
            }
        }
        if eff.positive.is_some() {
            eff.delta += boost;
        }
        if eff.negative.is_some() {
            eff.delta -= self.penalty;
        }
        eff
    }

    /// True when generic negative word `w` speaks against `span`: a word that names a
    /// version only against what a version can be written as.
    fn lowers(&self, w: usize, hay: &[u8], span: Span) -> bool {
        !self.version[w] || version_shaped(&hay[span.range()])
    }

    /// True when no detector has context words and nothing velum writes needs watching.
    pub(crate) fn is_empty(&self) -> bool {
        self.phrases.is_empty()
            && self.labels.is_empty()
            && self.token_prefixes.is_empty()
            && self.mask_chars.is_empty()
    }
}

#[cfg(test)]
mod tests;
