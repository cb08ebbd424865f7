//! The single pass. Every detector's patterns ("shapes") are compiled into one multi-pattern
//! `regex_automata::meta::Regex`; identical pattern strings are compiled once and feed every
//! detector that lists them. One leftmost-first search finds the next candidate start; at that
//! start the other shapes whose first-byte set admits the byte are tried anchored, so a shape
//! listed earlier never hides another one starting at the same place. Each candidate goes to
//! its detectors' validators; then context words (one Aho-Corasick pass, only for units with a
//! candidate), thresholds, the allow-list and overlap resolution give the findings.
//!
//! A unit (or a field's value) holding none of the bytes some match must contain (worked out
//! from the patterns) is not searched. The search resumes at the byte after each candidate
//! start, so a candidate of another shape starting inside one already seen is still found
//! (and overlap resolution settles them); matches of the same shape that start inside the
//! value its validators last confirmed are skipped as suffixes. When a validator keeps only
//! part of a candidate, the text in front of the kept value is validated too, and the text
//! after it is searched, as a second pass would read them once the value is redacted.

use std::collections::{HashMap, HashSet};

use regex_automata::meta::{self, Regex};
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input, MatchKind};
use regex_syntax::hir::{Class, Hir, HirKind};

use super::context::{Artifact, ContextIndex, Effect, Hit, WINDOW};
use super::resolve::{Scored, resolve};
use super::spec::{DetectorDef, NegativeContext};
use super::validate::{Cand, Settings, ValidateFn};
use crate::error::{Error, Result};
use crate::span::{DetectorId, Entity, Finding, Span};

/// Longest match assumed for a pattern the regex leaves unbounded (`\w+`) and whose detector
/// gives no `max_len`; stream chunking keeps at least this much overlap.
pub(crate) const UNBOUNDED_MATCH_CAP: usize = 4096;

/// Compiled-size ceiling for all patterns together; a policy pattern past it is refused.
const NFA_SIZE_LIMIT: usize = 32 << 20;
/// Lazy DFA cache per scratch.
const HYBRID_CACHE: usize = 4 << 20;

/// Per-entity knobs a policy sets on detection.
#[derive(Clone, Debug, Default)]
pub(crate) struct EntityOptions {
    pub(crate) min_score: Option<f32>,
    /// Normalised values (see [`normalise`]) never reported.
    pub(crate) allow: Vec<Vec<u8>>,
    /// Extra positive context words for every detector of the entity.
    pub(crate) context: Vec<String>,
}

/// Everything besides the detector definitions that shapes detection.
#[derive(Clone, Debug)]
pub(crate) struct EngineOptions {
    pub(crate) settings: Settings,
    pub(crate) min_score: f32,
    pub(crate) entities: HashMap<Entity, EntityOptions>,
    /// Texts velum writes in place of values (see [`Artifact`]).
    pub(crate) artifacts: Vec<(Artifact, String)>,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            settings: Settings::default(),
            min_score: 0.5,
            entities: HashMap::new(),
            artifacts: Vec::new(),
        }
    }
}

/// The form allow-list entries and values are compared in: separators (space, `-`, `.`, `(`,
/// `)`) removed, ASCII lower case.
pub(crate) fn normalise(v: &[u8]) -> Vec<u8> {
    v.iter()
        .filter(|b| !matches!(b, b' ' | b'-' | b'.' | b'(' | b')'))
        .map(u8::to_ascii_lowercase)
        .collect()
}

struct Det {
    id: DetectorId,
    entity: Entity,
    validator: ValidateFn,
    fixed_score: Option<f32>,
    priority: i32,
    boost: f32,
    numeric: bool,
    min_score: f32,
    allow: Option<usize>,
}

struct Shape {
    dets: Vec<u16>,
}

/// A finding with the reasons for its score, for `velum explain`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Explained {
    pub(crate) finding: Finding,
    pub(crate) base: f32,
    pub(crate) effect: Effect,
}

/// Reusable per-thread buffers for [`Redactor::scan_unit_with`](crate::Redactor::scan_unit_with): one per thread, created with [`Redactor::scratch`](crate::Redactor::scratch).
///
/// # Example
/// ```
/// let r = velum::Redactor::new();
/// let mut scratch = r.scratch();
/// let mut found = Vec::new();
/// for line in [&b"a jane@example.com"[..], b"b 536-90-4399"] {
///     found.clear();
///     r.scan_unit_with(&mut scratch, line, &mut found); // no allocation per line
///     assert_eq!(found.len(), 1);
/// }
/// ```
pub struct Scratch {
    cache: Option<meta::Cache>,
    set_cache: Option<meta::Cache>,
    patset: regex_automata::PatternSet,
    raw: Vec<Scored>,
    base: Vec<f32>,
    effects: Vec<Effect>,
    hits: Vec<Hit>,
    resolved: Vec<Scored>,
    starts: Vec<usize>,
    ends: Vec<usize>,
    covered: Vec<usize>,
    windows: Vec<(usize, usize)>,
    /// Buffers for scanning structured records field by field.
    pub(crate) record: crate::record::RecordScratch,
}

impl std::fmt::Debug for Scratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scratch").finish_non_exhaustive()
    }
}

pub(crate) struct Engine {
    re: Option<Regex>,
    /// The same patterns with `MatchKind::All`: one anchored pass says which shapes match at a
    /// candidate start, so only those are searched for their ends.
    set_re: Option<Regex>,
    /// Labels and mask characters velum writes: a candidate touching one counts as glued to
    /// its neighbour, as it was to the value the label replaced.
    labels: Vec<Vec<u8>>,
    mask_chars: Vec<u8>,
    /// `edge[b]`: some label starts or ends with byte `b`, or `b` is a mask character — the
    /// cheap gate before comparing labels.
    edge: [bool; 256],
    shapes: Vec<Shape>,
    /// For each first byte, the shapes that may start with it.
    by_first: Vec<Vec<u32>>,
    /// `trigger[b]`: some match of some shape contains byte `b`, and every match contains one
    /// such byte; a unit (or a field's value) without any is not searched.
    trigger: [bool; 256],
    dets: Vec<Det>,
    allow: Vec<HashSet<Vec<u8>>>,
    context: ContextIndex,
    settings: Settings,
    max_match_len: usize,
}

fn syntax_config() -> syntax::Config {
    syntax::Config::new().unicode(false).utf8(false)
}

fn parse_hir(pattern: &str) -> std::result::Result<Hir, String> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
        .map_err(|e| e.to_string())
}

/// Checks a pattern the way [`Engine::build`] will: it must parse (ASCII mode; `(?u:…)` for
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

/// How likely a byte is to occur in a log line, for [`required_bytes`]: digits cost little
/// because some shape needs them anyway; spaces and lower-case letters, which are in nearly
/// every unit, cost most.
fn byte_cost(b: u8) -> u32 {
    match b {
        b'0'..=b'9' => 1,
        b'A'..=b'Z' | 0x80..=0xff => 2,
        b'a'..=b'z' | b' ' | b'\t' => 20,
        _ => 5,
    }
}

/// A set of bytes of which every match of `h` contains at least one (the cheapest such set
/// found by walking the pattern), or `None` when `h` can match without any particular byte
/// (the empty string). Units with none of the set's bytes cannot hold a match.
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

impl Engine {
    /// Compiles detector definitions into one engine.
    ///
    /// # Errors
    /// A pattern that does not parse, can match the empty string, or makes the compiled set
    /// too large; the message names the pattern's origin.
    pub(crate) fn build(
        defs: &[DetectorDef],
        negative: &NegativeContext,
        opts: &EngineOptions,
    ) -> Result<Self> {
        if defs.len() > usize::from(u16::MAX) {
            return Err(Error::config("too many detectors"));
        }
        let mut pattern_ids: HashMap<&str, usize> = HashMap::new();
        let mut patterns: Vec<&str> = Vec::new();
        let mut shapes: Vec<Shape> = Vec::new();
        let mut origins: Vec<String> = Vec::new();
        let mut firsts: Vec<[bool; 256]> = Vec::new();
        let mut trigger = [false; 256];
        let mut max_match_len = 0usize;
        for (d, def) in defs.iter().enumerate() {
            for (i, p) in def.patterns.iter().enumerate() {
                let origin = format!(
                    "{} (detector {:?}, pattern {})",
                    def.origin,
                    def.id.as_str(),
                    i + 1
                );
                check_pattern(p).map_err(|e| Error::config(format!("{origin}: {e}")))?;
                let hir = parse_hir(p)
                    .map_err(|e| Error::config(format!("{origin}: invalid regex: {e}")))?;
                let len = match (hir.properties().maximum_len(), def.max_len) {
                    (Some(a), Some(b)) => a.min(b),
                    (Some(a), None) => a,
                    (None, Some(b)) => b,
                    (None, None) => UNBOUNDED_MATCH_CAP,
                };
                max_match_len = max_match_len.max(len);
                let id = *pattern_ids.entry(p.as_str()).or_insert_with(|| {
                    patterns.push(p);
                    shapes.push(Shape { dets: Vec::new() });
                    origins.push(origin.clone());
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
                });
                if !shapes[id].dets.contains(&(d as u16)) {
                    shapes[id].dets.push(d as u16);
                }
            }
        }
        let re = if patterns.is_empty() {
            None
        } else {
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
            Some(re)
        };
        let set_re = if patterns.is_empty() {
            None
        } else {
            let config = meta::Config::new()
                .match_kind(MatchKind::All)
                .utf8_empty(false)
                .which_captures(regex_automata::nfa::thompson::WhichCaptures::None)
                .nfa_size_limit(Some(NFA_SIZE_LIMIT))
                .dfa_size_limit(Some(NFA_SIZE_LIMIT))
                .hybrid_cache_capacity(HYBRID_CACHE);
            Some(
                Regex::builder()
                    .syntax(syntax_config())
                    .configure(config)
                    .build_many(&patterns)
                    .map_err(|e| Error::config(format!("patterns: {e}")))?,
            )
        };
        let mut by_first = vec![Vec::new(); 256];
        for (pid, set) in firsts.iter().enumerate() {
            for (b, &on) in set.iter().enumerate() {
                if on {
                    by_first[b].push(pid as u32);
                }
            }
        }
        let mut allow_sets: Vec<HashSet<Vec<u8>>> = Vec::new();
        let mut allow_of: HashMap<Entity, usize> = HashMap::new();
        let mut positive: Vec<Vec<String>> = Vec::new();
        let mut dets = Vec::with_capacity(defs.len());
        for def in defs {
            let eo = opts.entities.get(&def.entity);
            let allow = eo.filter(|o| !o.allow.is_empty()).map(|o| {
                *allow_of.entry(def.entity).or_insert_with(|| {
                    allow_sets.push(o.allow.iter().map(|v| normalise(v)).collect());
                    allow_sets.len() - 1
                })
            });
            let mut words = def.context.clone();
            if let Some(o) = eo {
                words.extend(o.context.iter().cloned());
            }
            positive.push(words);
            dets.push(Det {
                id: def.id,
                entity: def.entity,
                validator: def.validator,
                fixed_score: def.fixed_score,
                priority: def.priority,
                boost: def.context_boost,
                numeric: def.numeric,
                min_score: eo.and_then(|o| o.min_score).unwrap_or(opts.min_score),
                allow,
            });
        }
        let own_negative: Vec<Vec<String>> =
            defs.iter().map(|d| d.negative_context.clone()).collect();
        let context = ContextIndex::build(
            &positive,
            &own_negative,
            &negative.words,
            negative.penalty,
            &opts.artifacts,
        )?;
        let labels: Vec<Vec<u8>> = opts
            .artifacts
            .iter()
            .filter(|(k, _)| *k == Artifact::Label)
            .map(|(_, t)| t.clone().into_bytes())
            .filter(|t| !t.is_empty())
            .collect();
        let mask_chars: Vec<u8> = opts
            .artifacts
            .iter()
            .filter(|(k, _)| *k == Artifact::MaskRun)
            .filter_map(|(_, t)| t.bytes().next())
            .collect();
        let mut edge = [false; 256];
        for l in &labels {
            edge[usize::from(l[0])] = true;
            edge[usize::from(l[l.len() - 1])] = true;
        }
        for &m in &mask_chars {
            edge[usize::from(m)] = true;
        }
        Ok(Self {
            re,
            set_re,
            labels,
            mask_chars,
            edge,
            shapes,
            by_first,
            trigger,
            dets,
            allow: allow_sets,
            context,
            settings: opts.settings.clone(),
            max_match_len,
        })
    }

    /// Fresh per-thread buffers.
    pub(crate) fn scratch(&self) -> Scratch {
        Scratch {
            cache: self.re.as_ref().map(Regex::create_cache),
            set_cache: self.set_re.as_ref().map(Regex::create_cache),
            patset: regex_automata::PatternSet::new(self.shapes.len()),
            raw: Vec::new(),
            base: Vec::new(),
            effects: Vec::new(),
            hits: Vec::new(),
            resolved: Vec::new(),
            starts: Vec::new(),
            ends: Vec::new(),
            covered: Vec::new(),
            windows: Vec::new(),
            record: Default::default(),
        }
    }

    /// The detector of `entity` with the given id, as `(id, min_score)`, if the policy kept it.
    pub(crate) fn detector(&self, id: &str) -> Option<(DetectorId, Entity, f32)> {
        self.dets
            .iter()
            .find(|d| d.id.as_str() == id)
            .map(|d| (d.id, d.entity, d.min_score))
    }

    /// The longest match any detector can make; chunked scanning overlaps at least this much.
    pub(crate) fn max_match_len(&self) -> usize {
        self.max_match_len
    }

    /// The entity a detector reports.
    pub(crate) fn entities(&self) -> impl Iterator<Item = Entity> + '_ {
        self.dets.iter().map(|d| d.entity)
    }

    /// True when the candidate `s..e` touches a label or mask run velum wrote. The value it
    /// replaced stood there, so the candidate is glued to it, as it was before redaction.
    fn touches_artifact(&self, hay: &[u8], s: usize, e: usize) -> bool {
        let before = &hay[..s];
        let after = &hay[e..];
        let gate = |b: Option<&u8>| b.is_some_and(|&b| self.edge[usize::from(b)]);
        if !gate(before.last()) && !gate(after.first()) {
            return false;
        }
        let masked = |b: Option<&u8>| b.is_some_and(|b| self.mask_chars.contains(b));
        masked(before.last())
            || masked(after.first())
            || self
                .labels
                .iter()
                .any(|l| before.ends_with(l) || after.starts_with(l))
    }

    /// Validates one candidate with every detector of its shape, then what a validator left
    /// of it in front of the value it kept (`Björn Lee` when it kept `Łukasz Patel` of
    /// `Björn Lee Łukasz Patel`), as that text is read once the value is redacted. Returns the
    /// end of the longest value confirmed (a validator may cut the candidate short), if any.
    fn run_shape_and_prefix(
        &self,
        shape: usize,
        hay: &[u8],
        s: usize,
        e: usize,
        raw: &mut Vec<Scored>,
    ) -> Option<usize> {
        let before = raw.len();
        let end = self.run_shape(shape, hay, s, e, raw)?;
        let first = raw[before..].iter().map(|c| c.span.start()).min()?;
        let mut cut = first;
        while cut > s && matches!(hay[cut - 1], b' ' | b',' | b'\t') {
            cut -= 1;
        }
        if cut > s {
            self.run_shape(shape, hay, s, cut, raw);
        }
        Some(end)
    }

    /// Validates one candidate with every detector of its shape; when one confirmed it, the
    /// end of the longest value confirmed (a validator may cut the candidate short).
    fn run_shape(
        &self,
        shape: usize,
        hay: &[u8],
        s: usize,
        e: usize,
        raw: &mut Vec<Scored>,
    ) -> Option<usize> {
        if self.touches_artifact(hay, s, e) {
            return None;
        }
        let before = raw.len();
        let cand = Cand::new(hay, Span::new(s, e), &self.settings);
        for &d in &self.shapes[shape].dets {
            let det = &self.dets[usize::from(d)];
            if let Some(v) = (det.validator)(&cand) {
                raw.push(Scored {
                    span: v.span,
                    det: d,
                    score: det.fixed_score.unwrap_or(v.score),
                    priority: det.priority,
                    ix: 0,
                    fragment: false,
                });
            }
        }
        raw[before..].iter().map(|c| c.span.end()).max()
    }

    /// Appends the candidates of `hay[from..]` (validated, not yet scored by context) to `raw`.
    #[allow(clippy::too_many_arguments)]
    fn candidates(
        &self,
        hay: &[u8],
        cache: &mut meta::Cache,
        set_cache: &mut meta::Cache,
        patset: &mut regex_automata::PatternSet,
        raw: &mut Vec<Scored>,
        covered: &mut Vec<usize>,
        from: usize,
    ) {
        let (Some(re), Some(set_re)) = (&self.re, &self.set_re) else {
            return;
        };
        // covered[shape]: end of the value its validators last confirmed. A later match of the
        // same shape starting inside it is a suffix of a value already found, and is skipped;
        // after a rejected match (`0958 4111 1111 1111` fails Luhn), or past the end of a value
        // a validator cut short (`Flore Jefferson` out of `Flore Jefferson Drive, Boston`), the
        // next start is tried in full, and other shapes are tried at every start, so no
        // candidate is missed.
        covered.clear();
        covered.resize(self.shapes.len(), 0);
        let mut at = from;
        while at < hay.len() {
            let Some(m) = re.search_with(cache, &Input::new(hay).range(at..)) else {
                break;
            };
            let (s, primary) = (m.start(), m.pattern().as_usize());
            if s >= covered[primary]
                && let Some(end) = self.run_shape_and_prefix(primary, hay, s, m.end(), raw)
            {
                covered[primary] = end;
            }
            let others = &self.by_first[usize::from(hay[s])];
            if others
                .iter()
                .any(|&p| p as usize != primary && s >= covered[p as usize])
            {
                // Which other shapes match here at all: one anchored pass.
                patset.clear();
                set_re.which_overlapping_matches_with(
                    set_cache,
                    &Input::new(hay).range(s..).anchored(Anchored::Yes),
                    patset,
                );
            } else {
                at = s + 1;
                continue;
            }
            for &pid in others {
                let pid = pid as usize;
                if pid == primary
                    || s < covered[pid]
                    || !patset.contains(regex_automata::PatternID::must(pid))
                {
                    continue;
                }
                let input = Input::new(hay)
                    .range(s..)
                    .anchored(Anchored::Pattern(regex_automata::PatternID::must(pid)));
                if let Some(m2) = re.search_with(cache, &input)
                    && let Some(end) = self.run_shape_and_prefix(pid, hay, s, m2.end(), raw)
                {
                    covered[pid] = end;
                }
            }
            at = s + 1;
        }
    }

    /// Scans one unit and appends its findings, in order, to `out`.
    pub(crate) fn scan(&self, hay: &[u8], scratch: &mut Scratch, out: &mut Vec<Finding>) {
        self.scan_inner(hay, 0, scratch, |_, f, _, _| out.push(f));
    }

    /// Scans a field: `hay[..key_end]` is its name, whose context words count for every
    /// candidate after it however far (the name labels the whole value); candidates are only
    /// looked for in `hay[key_end..]`.
    pub(crate) fn scan_field(
        &self,
        hay: &[u8],
        key_end: usize,
        scratch: &mut Scratch,
        out: &mut Vec<Finding>,
    ) {
        self.scan_inner(hay, key_end, scratch, |_, f, _, _| out.push(f));
    }

    /// Like [`Engine::scan`], with each finding's base score and context effect.
    pub(crate) fn explain(&self, hay: &[u8], scratch: &mut Scratch) -> Vec<Explained> {
        self.explain_field(hay, 0, scratch)
    }

    /// [`Engine::explain`] of a field (see [`Engine::scan_field`]).
    pub(crate) fn explain_field(
        &self,
        hay: &[u8],
        key_end: usize,
        scratch: &mut Scratch,
    ) -> Vec<Explained> {
        let mut v = Vec::new();
        self.scan_inner(hay, key_end, scratch, |_, finding, base, effect| {
            v.push(Explained {
                finding,
                base,
                effect,
            })
        });
        v
    }

    fn scan_inner(
        &self,
        hay: &[u8],
        key_end: usize,
        scratch: &mut Scratch,
        mut emit: impl FnMut(usize, Finding, f32, Effect),
    ) {
        let Scratch {
            cache,
            set_cache,
            patset,
            raw,
            base,
            effects,
            hits,
            resolved,
            starts,
            ends,
            covered,
            windows,
            record: _,
        } = scratch;
        raw.clear();
        let (Some(cache), Some(set_cache)) = (cache.as_mut(), set_cache.as_mut()) else {
            return;
        };
        // A field's name is context, never a candidate: the search starts at its value, and
        // a value without a byte some match needs is not searched at all.
        if !hay[key_end..].iter().any(|&b| self.trigger[usize::from(b)]) {
            return;
        }
        self.candidates(hay, cache, set_cache, patset, raw, covered, key_end);
        // No candidate can reach its threshold even with context: nothing to report, and no
        // need for the context pass (the common case for loopback IPs, bare digit runs...).
        let reachable = |c: &Scored| {
            let det = &self.dets[usize::from(c.det)];
            c.score + det.boost >= det.min_score
        };
        if !raw.iter().any(reachable) {
            return;
        }
        // Context words are only looked for in the windows around reachable candidates.
        hits.clear();
        if !self.context.is_empty() {
            let margin = WINDOW + self.context.search_margin();
            starts.clear();
            starts.extend(raw.iter().filter(|c| reachable(c)).map(|c| c.span.start()));
            ends.clear();
            ends.extend(raw.iter().filter(|c| reachable(c)).map(|c| c.span.end()));
            windows.clear();
            if key_end > 0 {
                windows.push((0, key_end));
            }
            windows.extend(
                starts
                    .iter()
                    .zip(ends.iter())
                    .map(|(&s, &e)| (s.saturating_sub(margin), (e + margin).min(hay.len()))),
            );
            windows.sort_unstable();
            let mut cur: Option<(usize, usize)> = None;
            for &(s, e) in windows.iter() {
                match cur {
                    Some((cs, ce)) if s <= ce => cur = Some((cs, ce.max(e))),
                    Some((cs, ce)) => {
                        self.context.find_in(hay, cs..ce, hits);
                        cur = Some((s, e));
                    }
                    None => cur = Some((s, e)),
                }
            }
            if let Some((cs, ce)) = cur {
                self.context.find_in(hay, cs..ce, hits);
            }
        }
        base.clear();
        effects.clear();
        // Neighbouring candidates bound each one's context window.
        starts.clear();
        ends.clear();
        starts.extend(raw.iter().map(|c| c.span.start()));
        ends.extend(raw.iter().map(|c| c.span.end()));
        starts.sort_unstable();
        ends.sort_unstable();
        raw.retain_mut(|c| {
            let det = &self.dets[usize::from(c.det)];
            let lo = ends[..ends.partition_point(|&e| e <= c.span.start())]
                .last()
                .copied()
                .unwrap_or(0);
            let hi = starts
                .get(starts.partition_point(|&s| s < c.span.end()))
                .copied()
                .unwrap_or(usize::MAX);
            let effect = self.context.effect(
                hay,
                hits,
                c.span,
                (lo, hi),
                key_end,
                c.det,
                det.boost,
                det.numeric,
            );
            let b = c.score;
            c.score = ((c.score + effect.delta).clamp(0.0, 1.0) * 100.0).round() / 100.0;
            if c.score < det.min_score {
                return false;
            }
            if let Some(a) = det.allow
                && self.allow[a].contains(&normalise(&hay[c.span.range()]))
            {
                return false;
            }
            c.ix = base.len() as u32;
            base.push(b);
            effects.push(effect);
            true
        });
        resolve(raw, resolved);
        for (n, c) in resolved.iter().enumerate() {
            let det = &self.dets[usize::from(c.det)];
            let i = c.ix as usize;
            emit(
                n,
                Finding {
                    span: c.span,
                    entity: det.entity,
                    score: c.score,
                    detector: det.id,
                    fragment: c.fragment,
                },
                base[i],
                effects[i],
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::spec;
    use super::*;

    fn engine() -> Engine {
        let (defs, neg) = spec::builtin().unwrap();
        Engine::build(&defs, &neg, &EngineOptions::default()).unwrap()
    }

    fn scan(e: &Engine, s: &str) -> Vec<(String, &'static str)> {
        let mut scratch = e.scratch();
        let mut out = Vec::new();
        e.scan(s.as_bytes(), &mut scratch, &mut out);
        out.iter()
            .map(|f| (s[f.span.range()].to_owned(), f.entity.name()))
            .collect()
    }

    #[test]
    fn finds_each_foundation_type() {
        let e = engine();
        let line = "user jane.doe@example.com paid with 4111 1111 1111 1111 from 203.0.113.9, \
                    iban GB82 WEST 1234 5698 7654 32, ssn 536-90-4399, call +44 20 7946 0958, \
                    nhs 943 476 5919, npi 1234567893, ipv6 2001:db8::1";
        let got = scan(&e, line);
        let want = [
            ("jane.doe@example.com", "EMAIL"),
            ("4111 1111 1111 1111", "CREDIT_CARD"),
            ("203.0.113.9", "IP_ADDRESS"),
            ("GB82 WEST 1234 5698 7654 32", "IBAN"),
            ("536-90-4399", "US_SSN"),
            ("+44 20 7946 0958", "PHONE"),
            ("943 476 5919", "UK_NHS"),
            ("1234567893", "US_NPI"),
            ("2001:db8::1", "IP_ADDRESS"),
        ];
        let want: Vec<_> = want.iter().map(|(a, b)| (a.to_string(), *b)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn hard_negatives_are_quiet() {
        let e = engine();
        for line in [
            "order 4111111111111112 shipped",
            "ts=1700000000123 took 1234567890 ms",
            "id 550e8400-e29b-41d4-a716-446655440000",
            "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "version 10.0.19041.1 build 1.3.6.1.4.1",
            "at 2024-01-02T10:11:12.123Z",
            "npi 1234567890",
            "GB82 WEST 1234 5698 7654 33",
            "image@2x.png and git@github.com:org/repo",
        ] {
            assert_eq!(scan(&e, line), vec![], "{line}");
        }
    }

    #[test]
    fn context_decides_weak_numbers() {
        let e = engine();
        assert_eq!(scan(&e, "id 1234567893"), vec![]);
        assert_eq!(scan(&e, "provider npi: 1234567893").len(), 1);
        assert_eq!(scan(&e, "ref 9434765919"), vec![]);
        assert_eq!(scan(&e, "NHS number 9434765919")[0].1, "UK_NHS");
        assert_eq!(scan(&e, "ssn=536904399")[0].1, "US_SSN");
    }

    #[test]
    fn a_rejected_match_does_not_hide_one_inside_it() {
        // `0958 4111 1111 1111` is 4-4-4-4 too, and fails Luhn; the card after it is found.
        let e = engine();
        assert_eq!(
            scan(&e, "+44 20 7946 0958 4111 1111 1111 1111 ::"),
            vec![
                ("+44 20 7946 0958".to_owned(), "PHONE"),
                ("4111 1111 1111 1111".to_owned(), "CREDIT_CARD")
            ]
        );
    }

    /// See: fuzz/regressions/scan/person-cut-short-idempotence.
    #[test]
    fn the_rest_of_a_candidate_cut_short_is_searched() {
        // The PERSON pattern runs on to `Boston`; the validator keeps `Flore Jefferson`. The
        // rest is searched like any text, as it is once the name is labelled.
        let e = engine();
        let mut scratch = e.scratch();
        let mut out = Vec::new();
        let hay = b"last_name: Flore Jefferson Drive, Boston, MA 02108";
        e.scan_field(hay, 11, &mut scratch, &mut out);
        let names: Vec<&[u8]> = out.iter().map(|f| &hay[f.span.range()]).collect();
        assert_eq!(names, vec![&b"Flore Jefferson"[..], b"Boston"]);
    }

    /// See: fuzz/regressions/scan/person-prefix-idempotence.
    #[test]
    fn what_a_validator_leaves_in_front_is_validated_too() {
        let e = engine();
        assert_eq!(
            scan(&e, "customer=Björn Lee Łukasz Patel"),
            vec![
                ("Björn Lee".to_owned(), "PERSON"),
                ("Łukasz Patel".to_owned(), "PERSON")
            ]
        );
    }

    #[test]
    fn same_start_alternatives_are_tried() {
        // 3-3-4 is both an NHS shape and a NANP phone shape: context picks the type.
        let e = engine();
        assert_eq!(scan(&e, "nhs no 943 476 5919")[0].1, "UK_NHS");
        assert_eq!(scan(&e, "phone 943-476-5919")[0].1, "PHONE");
    }

    #[test]
    fn invalid_utf8_is_scanned() {
        let e = engine();
        let mut hay = b"\xff\xfe jane@example.com \x00\xc3".to_vec();
        hay.extend_from_slice(b" 536-90-4399");
        let mut out = Vec::new();
        e.scan(&hay, &mut e.scratch(), &mut out);
        assert_eq!(out.len(), 2);
    }

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

    #[test]
    fn units_without_a_required_byte_are_not_searched() {
        let e = engine();
        // The built-in shapes all need a digit, a capital, `@`, `:`, `-`, `.`...
        for b in [b'@', b'7', b'J', b':'] {
            assert!(e.trigger[usize::from(b)], "{}", b as char);
        }
        for b in [b'a', b'z', b' ', b'_'] {
            assert!(!e.trigger[usize::from(b)], "{}", b as char);
        }
        // ... so a field whose value has none is skipped, and a finding in the key is never
        // reported, while the key still gives context.
        let mut scratch = e.scratch();
        let mut out = Vec::new();
        let hay = b"jane@example.com: cache refreshed";
        e.scan_field(hay, 18, &mut scratch, &mut out);
        assert_eq!(out, vec![]);
        let hay = b"ssn: 536904399";
        e.scan_field(hay, 5, &mut scratch, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].span, Span::new(5, 14));
    }

    #[test]
    fn empty_matching_pattern_is_refused() {
        let (mut defs, neg) = spec::builtin().unwrap();
        defs[0].patterns = vec!["a*".into()];
        let err = Engine::build(&defs, &neg, &EngineOptions::default())
            .err()
            .unwrap();
        assert!(err.to_string().contains("empty string"), "{err}");
    }
}
