//! Regular-expression detectors: a policy's own `[[patterns]]` (and any pattern file that
//! gives `patterns` instead of shapes). All of them are compiled into one multi-pattern
//! `regex_automata::meta::Regex`, searched leftmost-first and without overlap, so a unit
//! scans in time linear in its length whatever the patterns (`a+` on a line of `a`s is one
//! match, not one per byte); at each match start the other patterns that match there are
//! tried too, so one listed first does not hide another starting at the same place.

use regex_automata::meta::{self, Regex};
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input, MatchKind, PatternID, PatternSet};
use regex_syntax::hir::{Class, Hir, HirKind};

use crate::error::{Error, Result};
use crate::span::Span;

/// Longest match assumed for a pattern the regex leaves unbounded (`\w+`) and whose detector
/// gives no `max_len`; stream chunking keeps at least this much overlap.
pub(crate) const UNBOUNDED_MATCH_CAP: usize = 4096;

/// Compiled-size ceiling for all patterns together; a policy pattern past it is refused.
const NFA_SIZE_LIMIT: usize = 32 << 20;
/// Lazy DFA cache per scratch (custom patterns are few and small).
const HYBRID_CACHE: usize = 2 << 20;

fn syntax_config() -> syntax::Config {
    syntax::Config::new().unicode(false).utf8(false)
}

pub(super) fn parse_hir(pattern: &str) -> std::result::Result<Hir, String> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
        .map_err(|e| e.to_string())
}

/// Checks a pattern the way [`Custom::build`] will: it must parse (ASCII mode; `(?u:…)` for
/// Unicode classes) and must not match the empty string.
pub(crate) fn check_pattern(pattern: &str) -> std::result::Result<(), String> {
    let hir = parse_hir(pattern).map_err(|e| format!("invalid regex: {e}"))?;
    match hir.properties().minimum_len() {
        None => return Err("the pattern can never match".to_owned()),
        Some(0) => return Err("the pattern can match the empty string".to_owned()),
        Some(_) => {}
    }
    // Alone it must fit the size limit too (the combined set is checked when compiled).
    Regex::builder()
        .syntax(syntax_config())
        .configure(meta::Config::new().nfa_size_limit(Some(NFA_SIZE_LIMIT)))
        .build(pattern)
        .map(|_| ())
        .map_err(|e| {
            if e.size_limit().is_some() {
                format!(
                    "the pattern compiles to more than {} MiB; simplify it",
                    NFA_SIZE_LIMIT >> 20
                )
            } else {
                format!("invalid regex: {e}")
            }
        })
}

/// Adds to `set` every byte a match of `h` may start with; returns true when `h` can match
/// the empty string (so what follows it may start the match too).
fn first_bytes(h: &Hir, set: &mut [bool; 256]) -> bool {
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(lit) => {
            set[usize::from(lit.0[0])] = true;
            false
        }
        HirKind::Class(Class::Bytes(c)) => {
            for r in c.ranges() {
                for b in r.start()..=r.end() {
                    set[usize::from(b)] = true;
                }
            }
            false
        }
        HirKind::Class(Class::Unicode(c)) => {
            let lead = |ch: char| {
                let mut buf = [0u8; 4];
                ch.encode_utf8(&mut buf).as_bytes()[0]
            };
            for r in c.ranges() {
                for b in lead(r.start())..=lead(r.end()) {
                    set[usize::from(b)] = true;
                }
            }
            false
        }
        HirKind::Repetition(r) => first_bytes(&r.sub, set) || r.min == 0,
        HirKind::Capture(c) => first_bytes(&c.sub, set),
        HirKind::Concat(xs) => xs.iter().all(|x| first_bytes(x, set)),
        HirKind::Alternation(xs) => {
            // Every branch adds its bytes: no short-circuit.
            let mut nullable = false;
            for x in xs {
                nullable |= first_bytes(x, set);
            }
            nullable
        }
    }
}

/// How likely a byte is to occur in a log line, for [`required_bytes`]: digits cost little;
/// spaces and lower-case letters, which are in nearly every unit, cost most.
fn byte_cost(b: u8) -> u32 {
    match b {
        b'0'..=b'9' => 1,
        b'A'..=b'Z' | 0x80..=0xff => 2,
        b'a'..=b'z' | b' ' | b'\t' => 20,
        _ => 5,
    }
}

/// A set of bytes of which every match of `h` contains at least one (the cheapest such set
/// found by walking the pattern), or `None` when `h` can match without any particular byte.
fn required_bytes(h: &Hir) -> Option<[bool; 256]> {
    let cost = |set: &[bool; 256]| -> u32 {
        (0..=255u8)
            .filter(|&b| set[usize::from(b)])
            .map(byte_cost)
            .sum()
    };
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => None,
        HirKind::Literal(lit) => {
            let b = *lit.0.iter().min_by_key(|&&b| byte_cost(b))?;
            let mut set = [false; 256];
            set[usize::from(b)] = true;
            Some(set)
        }
        HirKind::Class(_) => {
            let mut set = [false; 256];
            first_bytes(h, &mut set);
            Some(set)
        }
        HirKind::Repetition(r) if r.min == 0 => None,
        HirKind::Repetition(r) => required_bytes(&r.sub),
        HirKind::Capture(c) => required_bytes(&c.sub),
        HirKind::Concat(xs) => xs
            .iter()
            .filter_map(required_bytes)
            .min_by_key(|set| cost(set)),
        HirKind::Alternation(xs) => {
            let mut union = [false; 256];
            for x in xs {
                let set = required_bytes(x)?;
                for (u, s) in union.iter_mut().zip(set) {
                    *u |= s;
                }
            }
            Some(union)
        }
    }
}

/// One pattern: its string, where it came from, and the detectors it feeds.
pub(super) struct PatternDef<'a> {
    pub(super) pattern: &'a str,
    pub(super) origin: String,
    pub(super) detector: u16,
    /// The detector's own cap on a match's length.
    pub(super) max_len: Option<usize>,
}

/// The compiled regular-expression detectors.
pub(super) struct Custom {
    re: Regex,
    /// The same patterns with `MatchKind::All`: one anchored pass says which match at a start.
    set_re: Regex,
    /// Per pattern: the detectors it feeds (identical strings are compiled once).
    dets: Vec<Vec<u16>>,
    /// For each first byte, the patterns that may start with it.
    by_first: Vec<Vec<u32>>,
    /// `trigger[b]`: every match of some pattern contains a byte of the set containing `b`;
    /// a unit without any such byte is not searched.
    pub(super) trigger: [bool; 256],
    pub(super) max_match_len: usize,
}

/// Per-thread search state.
pub(super) struct CustomCache {
    cache: meta::Cache,
    set_cache: meta::Cache,
    patset: PatternSet,
}

impl Custom {
    /// Compiles `defs`; `None` when there are none.
    ///
    /// # Errors
    /// A pattern that does not parse, can match the empty string, or makes the compiled set
    /// too large; the message names the pattern's origin.
    pub(super) fn build(defs: &[PatternDef<'_>]) -> Result<Option<Self>> {
        if defs.is_empty() {
            return Ok(None);
        }
        let mut patterns: Vec<&str> = Vec::new();
        let mut dets: Vec<Vec<u16>> = Vec::new();
        let mut origins: Vec<String> = Vec::new();
        let mut firsts: Vec<[bool; 256]> = Vec::new();
        let mut trigger = [false; 256];
        let mut max_match_len = 0usize;
        for def in defs {
            check_pattern(def.pattern)
                .map_err(|e| Error::config(format!("{}: {e}", def.origin)))?;
            let hir = parse_hir(def.pattern)
                .map_err(|e| Error::config(format!("{}: invalid regex: {e}", def.origin)))?;
            let len = match (hir.properties().maximum_len(), def.max_len) {
                (Some(a), Some(b)) => a.min(b),
                (Some(a), None) => a,
                (None, Some(b)) => b,
                (None, None) => UNBOUNDED_MATCH_CAP,
            };
            max_match_len = max_match_len.max(len);
            let id = match patterns.iter().position(|p| *p == def.pattern) {
                Some(id) => id,
                None => {
                    patterns.push(def.pattern);
                    dets.push(Vec::new());
                    origins.push(def.origin.clone());
                    let mut set = [false; 256];
                    if first_bytes(&hir, &mut set) {
                        set = [true; 256];
                    }
                    firsts.push(set);
                    match required_bytes(&hir) {
                        Some(req) => {
                            for (t, r) in trigger.iter_mut().zip(req) {
                                *t |= r;
                            }
                        }
                        None => trigger = [true; 256],
                    }
                    patterns.len() - 1
                }
            };
            if !dets[id].contains(&def.detector) {
                dets[id].push(def.detector);
            }
        }
        let config = meta::Config::new()
            .match_kind(MatchKind::LeftmostFirst)
            .utf8_empty(false)
            .nfa_size_limit(Some(NFA_SIZE_LIMIT))
            .onepass_size_limit(Some(NFA_SIZE_LIMIT))
            .dfa_size_limit(Some(NFA_SIZE_LIMIT))
            .hybrid_cache_capacity(HYBRID_CACHE);
        let re = Regex::builder()
            .syntax(syntax_config())
            .configure(config)
            .build_many(&patterns)
            .map_err(|e| {
                let place = e
                    .pattern()
                    .map(|p| origins[p.as_usize()].clone())
                    .unwrap_or_else(|| "patterns".to_owned());
                if e.size_limit().is_some() {
                    Error::config(format!(
                        "{place}: the patterns compile to more than {} MiB; simplify or remove a custom pattern",
                        NFA_SIZE_LIMIT >> 20
                    ))
                } else {
                    Error::config(format!("{place}: invalid regex: {e}"))
                }
            })?;
        let set_config = meta::Config::new()
            .match_kind(MatchKind::All)
            .utf8_empty(false)
            .which_captures(regex_automata::nfa::thompson::WhichCaptures::None)
            .nfa_size_limit(Some(NFA_SIZE_LIMIT))
            .dfa_size_limit(Some(NFA_SIZE_LIMIT))
            .hybrid_cache_capacity(HYBRID_CACHE);
        let set_re = Regex::builder()
            .syntax(syntax_config())
            .configure(set_config)
            .build_many(&patterns)
            .map_err(|e| Error::config(format!("patterns: {e}")))?;
        let mut by_first = vec![Vec::new(); 256];
        for (pid, set) in firsts.iter().enumerate() {
            for (b, &on) in set.iter().enumerate() {
                if on {
                    by_first[b].push(pid as u32);
                }
            }
        }
        Ok(Some(Self {
            re,
            set_re,
            dets,
            by_first,
            trigger,
            max_match_len,
        }))
    }

    pub(super) fn cache(&self) -> CustomCache {
        CustomCache {
            cache: self.re.create_cache(),
            set_cache: self.set_re.create_cache(),
            patset: PatternSet::new(self.dets.len()),
        }
    }

    /// Calls `check` with each match in `hay[from..]` and the detectors of its pattern: the
    /// leftmost-first matches without overlap, and at each match's start the other patterns
    /// that match there.
    pub(super) fn run(
        &self,
        hay: &[u8],
        from: usize,
        c: &mut CustomCache,
        check: &mut dyn FnMut(&[u16], Span),
    ) {
        let mut at = from;
        while at < hay.len() {
            let Some(m) = self
                .re
                .search_with(&mut c.cache, &Input::new(hay).range(at..))
            else {
                break;
            };
            let (s, primary) = (m.start(), m.pattern().as_usize());
            check(&self.dets[primary], Span::new(s, m.end()));
            let others = &self.by_first[usize::from(hay[s])];
            if others.iter().any(|&p| p as usize != primary) {
                c.patset.clear();
                self.set_re.which_overlapping_matches_with(
                    &mut c.set_cache,
                    &Input::new(hay).range(s..).anchored(Anchored::Yes),
                    &mut c.patset,
                );
                for &pid in others {
                    let pid = pid as usize;
                    if pid == primary || !c.patset.contains(PatternID::must(pid)) {
                        continue;
                    }
                    let input = Input::new(hay)
                        .range(s..)
                        .anchored(Anchored::Pattern(PatternID::must(pid)));
                    if let Some(m2) = self.re.search_with(&mut c.cache, &input) {
                        check(&self.dets[pid], Span::new(s, m2.end()));
                    }
                }
            }
            at = m.end().max(s + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_byte_sets() {
        let mut set = [false; 256];
        assert!(!first_bytes(&parse_hir(r"\b\d{3}").unwrap(), &mut set));
        assert!(set[usize::from(b'0')] && !set[usize::from(b'a')]);
        let mut set = [false; 256];
        first_bytes(&parse_hir(r"(?:x)?[ab]|\+").unwrap(), &mut set);
        let on: Vec<u8> = (0..=255u8).filter(|&b| set[usize::from(b)]).collect();
        assert_eq!(on, b"+abx".to_vec());
        let mut set = [false; 256];
        first_bytes(&parse_hir(r"(?u:é)").unwrap(), &mut set);
        assert!(set[0xc3]);
    }

    #[test]
    fn required_byte_sets() {
        let req = |p: &str| {
            required_bytes(&parse_hir(p).unwrap()).map(|set| {
                (0..=255u8)
                    .filter(|&b| set[usize::from(b)])
                    .collect::<Vec<u8>>()
            })
        };
        // The cheapest required part: `@`, not the letters around it.
        assert_eq!(req(r"[a-z]+@[a-z]+\.com"), Some(b"@".to_vec()));
        assert_eq!(req(r"\b\d{3}[ -]\d{2}"), Some(b"0123456789".to_vec()));
        // Alternation: one set from every branch.
        assert_eq!(req(r"x+:|\+1"), Some(b"1:".to_vec()));
        assert_eq!(req(r"a*"), None);
        assert_eq!(req(r"(?:ab)?|c"), None);
    }

    fn matches(patterns: &[&str], hay: &str) -> Vec<(Vec<u16>, String)> {
        let defs: Vec<PatternDef<'_>> = patterns
            .iter()
            .enumerate()
            .map(|(i, p)| PatternDef {
                pattern: p,
                origin: format!("p{i}"),
                detector: i as u16,
                max_len: None,
            })
            .collect();
        let c = Custom::build(&defs).unwrap().unwrap();
        let mut cache = c.cache();
        let mut out = Vec::new();
        c.run(hay.as_bytes(), 0, &mut cache, &mut |d, s| {
            out.push((d.to_vec(), hay[s.range()].to_owned()))
        });
        out
    }

    #[test]
    fn matches_do_not_overlap_and_same_start_alternatives_are_tried() {
        assert_eq!(
            matches(&[r"a+"], "aaaa b aa"),
            [(vec![0], "aaaa".to_owned()), (vec![0], "aa".to_owned())]
        );
        assert_eq!(
            matches(&[r"EMP-\d{3}", r"EMP-\d+"], "id EMP-12345"),
            [
                (vec![0], "EMP-123".to_owned()),
                (vec![1], "EMP-12345".to_owned())
            ]
        );
        assert_eq!(
            matches(&[r"EMP-\d+", r"EMP-\d{3}"], "id EMP-12345"),
            [
                (vec![0], "EMP-12345".to_owned()),
                (vec![1], "EMP-123".to_owned())
            ]
        );
        // The same string twice feeds both detectors from one compiled pattern.
        assert_eq!(
            matches(&[r"X\d", r"X\d"], "X1"),
            [(vec![0, 1], "X1".to_owned())]
        );
    }
}
