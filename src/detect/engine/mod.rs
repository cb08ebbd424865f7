//! The single pass. A unit is cut into words once (`lex`), the words get their log-structure
//! marks (`structure`), and every candidate shape the detectors read runs over them
//! (`shapes`): a shape proposes spans, and each goes to the validators of the detectors that
//! read the shape (for numbers, those whose digit counts it has). A policy's own regular
//! expressions run in the same pass over the unit (`custom`). Then context words (one
//! Aho-Corasick pass over the windows of candidates that could reach their threshold),
//! thresholds, the allow-list and overlap resolution give the findings.
//!
//! A unit (or a field's value) holding none of the bytes some candidate needs is not looked
//! at. A detector does not see a candidate that starts inside the last value it confirmed
//! (the shorter forms of a number it already took, the rest of a name), and when a validator
//! keeps only part of a candidate, the text in front of the kept value is validated too, as
//! a second pass would read it once the value is redacted.
//!
//! The parts: `build.rs` compiles definitions and options into an [`Engine`], `segment.rs`
//! says what of a unit is scanned, `scratch.rs` holds the per-thread buffers, `custom.rs` a
//! policy's patterns; this file is the pass itself.

mod build;
mod custom;
mod scratch;
mod segment;

use std::collections::HashSet;

use super::context::{self, ContextIndex, Effect};
use super::lex::Words;
use super::resolve::{Scored, resolve};
use super::shapes::{Shape, View};
use super::structure;
use super::trace::{Reason, Rejected};
use super::validate::{Cand, Settings, ValidateFn};
use crate::span::{DetectorId, Entity, Finding, Span};

pub(crate) use build::{EngineOptions, EntityOptions, normalise};
pub(crate) use custom::check_pattern;
use scratch::Covered;
pub(crate) use scratch::{EngineScratch, Explained};
pub(crate) use segment::Segment;
use segment::segment_of;

/// Bytes of the unit on each side that the text in front of a kept value is validated with
/// (see `Engine::check`): more than any validator looks beyond its candidate.
const PREFIX_WINDOW: usize = 128;

/// Most digits a number candidate has.
const MAX_NUMBER_DIGITS: usize = 19;

struct Det {
    id: DetectorId,
    entity: Entity,
    validator: ValidateFn,
    fixed_score: Option<f32>,
    priority: i32,
    boost: f32,
    numeric: bool,
    min_score: f32,
    /// Reports only with a supporting context word (its best score is under its threshold):
    /// not run in a unit without one.
    gated: bool,
    /// See [`DetectorDef::label_below`].
    label_below: f32,
    allow: Option<usize>,
}

pub(crate) struct Engine {
    /// The shapes some detector reads, in run order.
    shapes: Vec<Shape>,
    /// Per shape (`Shape as usize`): the detectors that read it (not the number shape).
    by_shape: Vec<Vec<u16>>,
    /// For the number shape, per digit count: the detectors that take it.
    by_digits: Vec<Vec<u16>>,
    /// A policy's regular expressions.
    custom: Option<custom::Custom>,
    /// Labels and mask characters velum writes: a candidate touching one counts as glued to
    /// its neighbour, as it was to the value the label replaced.
    labels: Vec<Vec<u8>>,
    mask_chars: Vec<u8>,
    /// `ends[b]`: some label ends with byte `b`, or `b` is a mask character; `starts[b]`: some
    /// label starts with it, or it is a mask character — the cheap gates before comparing
    /// labels on each side of a candidate.
    ends: [bool; 256],
    starts: [bool; 256],
    /// `trigger[b]`: some candidate needs byte `b` (a digit, a capital, `@`, `:` or a
    /// non-ASCII letter for the shapes; a pattern's required bytes); a unit (or a field's
    /// value) without any is not looked at.
    trigger: [bool; 256],
    dets: Vec<Det>,
    allow: Vec<HashSet<Vec<u8>>>,
    context: ContextIndex,
    settings: Settings,
    max_match_len: usize,
}

impl Engine {
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

    /// Notes, when explaining, that detector `d` dropped the candidate at `span`.
    fn reject(&self, trace: &mut Option<Vec<Rejected>>, span: Span, d: u16, reason: Reason) {
        if let Some(t) = trace {
            let det = &self.dets[usize::from(d)];
            t.push(Rejected {
                span,
                entity: Some(det.entity),
                detector: Some(det.id),
                reason,
            });
        }
    }

    /// True when the candidate `s..e` touches a label or mask run velum wrote. The value it
    /// replaced stood there, so the candidate is glued to it, as it was before redaction.
    fn touches_artifact(&self, hay: &[u8], s: usize, e: usize, artifacts: &[Span]) -> bool {
        // Starting inside one (`MEDICARE` of `[AU_MEDICARE]`, a SWIFT_BIC's shape). One that
        // only runs on into an artifact (`GB82WEST… VLM_IP_…`) is validated: its validator
        // keeps the value in front.
        let i = artifacts.partition_point(|a| a.end() <= s);
        if artifacts.get(i).is_some_and(|a| a.start() <= s) {
            return true;
        }
        let before = &hay[..s];
        let after = &hay[e..];
        let ended = before.last().is_some_and(|&b| self.ends[usize::from(b)]);
        let started = after.first().is_some_and(|&b| self.starts[usize::from(b)]);
        if !ended && !started {
            return false;
        }
        let masked = |b: Option<&u8>| b.is_some_and(|b| self.mask_chars.contains(b));
        masked(before.last())
            || masked(after.first())
            || self
                .labels
                .iter()
                .any(|l| (ended && before.ends_with(l)) || (started && after.starts_with(l)))
    }

    /// Validates one candidate with detectors `dets` (those that have not confirmed a value
    /// it starts inside), then what a validator left of it in front of the value it kept
    /// (`Björn Lee` when it kept `Łukasz Patel` of `Björn Lee Łukasz Patel`), as that text is
    /// read once the value is redacted. Returns the end of the longest value confirmed.
    #[allow(clippy::too_many_arguments)] // the scan loop's state, borrowed field by field
    fn check(
        &self,
        dets: &[u16],
        hay: &[u8],
        span: Span,
        raw: &mut Vec<Scored>,
        covered: &mut Covered,
        present: &[bool],
        artifacts: &[Span],
        trace: &mut Option<Vec<Rejected>>,
    ) -> Option<usize> {
        let (s, e) = (span.start(), span.end());
        // Only detectors that can report here: a gated one needs its context in the unit.
        if !dets
            .iter()
            .any(|&d| !self.dets[usize::from(d)].gated || present[usize::from(d)])
        {
            for &d in dets {
                self.reject(trace, span, d, Reason::NeedsContext);
            }
            return None;
        }
        if self.touches_artifact(hay, s, e, artifacts) {
            if let Some(&d) = dets.first() {
                self.reject(trace, span, d, Reason::WrittenByVelum);
            }
            return None;
        }
        let before = raw.len();
        let end = self.validate(dets, hay, span, raw, covered, present, true, trace)?;
        let first = raw[before..].iter().map(|c| c.span.start()).min()?;
        let mut cut = first;
        // The prefix ends at its last letter or digit (`5533 0/44 0` of `5533 0/44 0)32
        // 0130000`, which the next pass reads before `)[PHONE]`).
        while cut > s && hay[cut - 1] < 0x80 && !hay[cut - 1].is_ascii_alphanumeric() {
            cut -= 1;
        }
        if cut > s && !self.touches_artifact(hay, s, cut, artifacts) {
            // Read as the next pass reads it: with a label where the kept value is (`Lincoln
            // [PERSON], TX`, not `Lincoln Place, Austin, TX`), in a window of the unit around
            // it (bounded, so a long run of such candidates stays linear).
            let kept = raw[before..]
                .iter()
                .filter(|c| c.span.start() == first)
                .map(|c| c.span.end())
                .max()
                .unwrap_or(first);
            let from = s.saturating_sub(PREFIX_WINDOW);
            let mut view = Vec::with_capacity(first - from + 3 + PREFIX_WINDOW);
            view.extend_from_slice(&hay[from..first]);
            view.extend_from_slice(b"[X]");
            view.extend_from_slice(&hay[kept..hay.len().min(kept + PREFIX_WINDOW)]);
            let at = raw.len();
            let sub = Span::new(s - from, cut - from);
            // (What it refuses there is no news: the candidate as a whole was explained.)
            self.validate(dets, &view, sub, raw, covered, present, false, &mut None);
            let mut k = at;
            while k < raw.len() {
                if raw[k].span.end() > sub.end() {
                    raw.remove(k);
                } else {
                    raw[k].span = raw[k].span.offset(from);
                    k += 1;
                }
            }
        }
        Some(end)
    }

    /// Runs the validators of `dets` on one candidate; the end of the longest value
    /// confirmed. With `skip_covered`, a detector does not see a candidate starting inside
    /// the last value it confirmed.
    #[allow(clippy::too_many_arguments)] // the scan loop's state, borrowed field by field
    fn validate(
        &self,
        dets: &[u16],
        hay: &[u8],
        span: Span,
        raw: &mut Vec<Scored>,
        covered: &mut Covered,
        present: &[bool],
        skip_covered: bool,
        trace: &mut Option<Vec<Rejected>>,
    ) -> Option<usize> {
        let mut cand = Cand::new(hay, span, &self.settings);
        let mut end = None;
        for &d in dets {
            if skip_covered && span.start() < covered.get(d) {
                continue;
            }
            let det = &self.dets[usize::from(d)];
            if det.gated && !present[usize::from(d)] {
                self.reject(trace, span, d, Reason::NeedsContext);
                continue;
            }
            cand.supported = present[usize::from(d)];
            let valid = (det.validator)(&cand);
            if valid.is_none() {
                self.reject(trace, span, d, Reason::Check);
            }
            if let Some(v) = valid {
                raw.push(Scored {
                    span: v.span,
                    det: d,
                    score: det.fixed_score.unwrap_or(v.score),
                    priority: det.priority,
                    ix: 0,
                    fragment: false,
                    labelled: false,
                });
                covered.extend(d, v.span.end());
                end = end.max(Some(v.span.end()));
            }
        }
        end
    }

    /// What every reading of `hay` shares, made once: its words, their log-structure marks,
    /// the context words and artifacts of the whole unit (they gate the detectors that
    /// report only with context, and score every candidate).
    fn prepare(&self, hay: &[u8], scratch: &mut EngineScratch) {
        let EngineScratch {
            words,
            hits,
            present,
            artifacts,
            ..
        } = scratch;
        words.lex(hay);
        hits.clear();
        if !self.context.is_empty() {
            self.context.hits(hay, &words.w, hits);
        }
        self.context.mark_supported(hits, present, self.dets.len());
        self.context.artifact_spans(hits, artifacts);
        if !self.shapes.is_empty() {
            structure::mark(hay, words);
        }
    }

    /// Appends the candidates inside the values of `segs` (validated, not yet scored by
    /// context) to `raw`; `hay` is prepared.
    fn candidates(&self, hay: &[u8], segs: &[Segment], scratch: &mut EngineScratch) {
        let EngineScratch {
            words,
            custom,
            raw,
            covered,
            present,
            artifacts,
            trace,
            ..
        } = scratch;
        covered.reset(self.dets.len());
        if !self.shapes.is_empty() {
            let view = View::new(hay, words);
            let from = view.word_at(segs.first().map_or(hay.len(), |s| s.value.0));
            for &shape in &self.shapes {
                // Not when the unit has none of its words and the shape's detectors report
                // only with them (`swift`, `Dear`), or when no word can start a candidate.
                let unsupported =
                    |d: &u16| self.dets[usize::from(*d)].gated && !present[usize::from(*d)];
                if (shape != Shape::Number
                    && !self.by_shape[shape as usize].is_empty()
                    && self.by_shape[shape as usize].iter().all(unsupported))
                    || !shape.possible(&view)
                {
                    continue;
                }
                // Each shape yields its candidates in order, so what a detector confirmed
                // covers only the later candidates of the same shape: one of another shape
                // before it (an MRN `A2019032` seen after the number `630368` behind it) is
                // still looked at.
                covered.reset(self.dets.len());
                let mut check = |span: Span| {
                    let dets: &[u16] = if shape == Shape::Number {
                        let n = hay[span.range()]
                            .iter()
                            .filter(|b| b.is_ascii_digit())
                            .count();
                        self.by_digits.get(n).map_or(&[], Vec::as_slice)
                    } else {
                        &self.by_shape[shape as usize]
                    };
                    if dets.is_empty() {
                        return None;
                    }
                    // Inside one value: never in a field name, never across fields.
                    if !(segs.len() == 1
                        && span.start() >= segs[0].value.0
                        && span.end() <= segs[0].value.1)
                        && segment_of(segs, span).is_none()
                    {
                        return None;
                    }
                    self.check(dets, hay, span, raw, covered, present, artifacts, trace)
                };
                shape.run(&view, from, &mut check);
            }
        }
        if let (Some(c), Some(cache)) = (&self.custom, custom.as_mut()) {
            covered.reset(self.dets.len());
            for s in segs {
                c.run(&hay[..s.value.1], s.value.0, cache, &mut |dets, span| {
                    self.check(dets, hay, span, raw, covered, present, artifacts, trace);
                });
            }
        }
        if let Some(t) = trace {
            structure_rejections(hay, segs, words, t);
        }
    }

    /// Scans one unit and appends its findings, in order, to `out`.
    pub(crate) fn scan(&self, hay: &[u8], scratch: &mut EngineScratch, out: &mut Vec<Finding>) {
        self.scan_inner(hay, &[Segment::text(hay.len())], scratch, |_, f, _, _| {
            out.push(f)
        });
    }

    /// Scans a field: `hay[..key_end]` is its name, whose context words count for every
    /// candidate after it however far (the name labels the whole value); candidates are only
    /// looked for in `hay[key_end..]`.
    pub(crate) fn scan_field(
        &self,
        hay: &[u8],
        key_end: usize,
        scratch: &mut EngineScratch,
        out: &mut Vec<Finding>,
    ) {
        let segs = [Segment::field((0, key_end), (key_end, hay.len()))];
        self.scan_inner(hay, &segs, scratch, |_, f, _, _| out.push(f));
    }

    /// Scans the values of a record laid out in `hay` (a JSON object line): each segment is a
    /// value and its field name, findings are in `hay`'s offsets, in order.
    pub(crate) fn scan_segments(
        &self,
        hay: &[u8],
        segs: &[Segment],
        scratch: &mut EngineScratch,
        out: &mut Vec<Finding>,
    ) {
        self.scan_inner(hay, segs, scratch, |_, f, _, _| out.push(f));
    }

    /// Like [`Engine::scan`] of one segment of `hay` (a field, see [`Segment`]), with each
    /// finding's base score and context effect, and the candidates dropped and why.
    pub(crate) fn explain_and_reject(
        &self,
        hay: &[u8],
        seg: Segment,
        scratch: &mut EngineScratch,
    ) -> (Vec<Explained>, Vec<Rejected>) {
        let mut v = Vec::new();
        scratch.trace = Some(Vec::new());
        self.scan_inner(hay, &[seg], scratch, |_, finding, base, effect| {
            v.push(Explained {
                finding,
                base,
                effect,
            })
        });
        (v, scratch.trace.take().unwrap_or_default())
    }

    /// Scans `hay` as text into `text` and, reading the same words, marks and context, its
    /// `segs` (the values of a record, each with its field name) into `fields`: the two
    /// readings of a JSON line for the price of one pass over it.
    pub(crate) fn scan_text_and_segments(
        &self,
        hay: &[u8],
        segs: &[Segment],
        scratch: &mut EngineScratch,
        text: &mut Vec<Finding>,
        fields: &mut Vec<Finding>,
    ) {
        let whole = [Segment::text(hay.len())];
        if !self.triggered(hay, &whole) {
            return;
        }
        self.prepare(hay, scratch);
        self.scan_prepared(hay, &whole, scratch, |_, f, _, _| text.push(f));
        if self.triggered(hay, segs) {
            self.scan_prepared(hay, segs, scratch, |_, f, _, _| fields.push(f));
        }
    }

    /// True when some value of `segs` has a byte some candidate needs. A field's name is
    /// context, never a candidate: candidates are only looked for in values.
    fn triggered(&self, hay: &[u8], segs: &[Segment]) -> bool {
        segs.iter().any(|s| {
            hay[s.value.0..s.value.1]
                .iter()
                .any(|&b| self.trigger[usize::from(b)])
        })
    }

    fn scan_inner(
        &self,
        hay: &[u8],
        segs: &[Segment],
        scratch: &mut EngineScratch,
        emit: impl FnMut(usize, Finding, f32, Effect),
    ) {
        scratch.raw.clear();
        if !self.triggered(hay, segs) {
            return;
        }
        self.prepare(hay, scratch);
        self.scan_prepared(hay, segs, scratch, emit);
    }

    /// The candidates of `segs` in a prepared `hay`, scored, resolved and emitted.
    fn scan_prepared(
        &self,
        hay: &[u8],
        segs: &[Segment],
        scratch: &mut EngineScratch,
        mut emit: impl FnMut(usize, Finding, f32, Effect),
    ) {
        scratch.raw.clear();
        self.candidates(hay, segs, scratch);
        let EngineScratch {
            raw,
            base,
            effects,
            hits,
            resolved,
            starts,
            ends,
            trace,
            ..
        } = scratch;
        // No candidate can reach its threshold even with context: nothing to report, and no
        // need for the context pass (the common case for loopback IPs, bare digit runs...).
        let reachable = |c: &Scored| {
            let det = &self.dets[usize::from(c.det)];
            c.score + det.boost >= det.min_score
        };
        if trace.is_none() && !raw.iter().any(reachable) {
            return;
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
            let seg = segment_of(segs, c.span).unwrap_or(Segment::text(hay.len()));
            let lo = ends[..ends.partition_point(|&e| e <= c.span.start())]
                .last()
                .copied()
                .unwrap_or(0)
                .max(seg.lo());
            let hi = starts
                .get(starts.partition_point(|&s| s < c.span.end()))
                .copied()
                .unwrap_or(usize::MAX)
                .min(seg.value.1);
            let effect = self.context.effect(
                hay,
                hits,
                c.span,
                (lo, hi),
                (seg.about, seg.key),
                c.det,
                det.boost,
                det.numeric,
            );
            let b = c.score;
            c.score = ((c.score + effect.delta).clamp(0.0, 1.0) * 100.0).round() / 100.0;
            c.labelled = effect
                .positive
                .is_some_and(|h| context::labels(hay, h.span, c.span, seg.key));
            let why = if b < det.label_below && !c.labelled {
                Some(Reason::NeedsLabel)
            } else if c.score < det.min_score {
                Some(Reason::BelowThreshold {
                    score: c.score,
                    threshold: det.min_score,
                    negative: effect.negative.map(|h| h.span),
                })
            } else if let Some(a) = det.allow
                && self.allow[a].contains(&normalise(&hay[c.span.range()]))
            {
                Some(Reason::Allowed)
            } else {
                None
            };
            if let Some(reason) = why {
                self.reject(trace, c.span, c.det, reason);
                return false;
            }
            c.ix = base.len() as u32;
            base.push(b);
            effects.push(effect);
            true
        });
        resolve(raw, resolved);
        if trace.is_some() {
            for c in raw.iter() {
                let kept = |r: &Scored| r.det == c.det && r.span.start() <= c.span.start();
                if resolved
                    .iter()
                    .any(|r| kept(r) && r.span.end() >= c.span.end())
                {
                    continue;
                }
                if let Some(w) = resolved.iter().find(|r| {
                    r.det != c.det && r.span.start() < c.span.end() && c.span.start() < r.span.end()
                }) {
                    let by = self.dets[usize::from(w.det)].entity;
                    self.reject(trace, c.span, c.det, Reason::Overlapped { by });
                }
            }
        }
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

/// Numbers of five digits or more inside `segs` that no shape proposed because the log's
/// structure reads them as a time, date, version or identifier.
fn structure_rejections(hay: &[u8], segs: &[Segment], words: &Words, out: &mut Vec<Rejected>) {
    for &i in &words.nums {
        let w = words.w[i as usize];
        let span = Span::new(w.start as usize, w.end as usize);
        if w.len() < 5 || w.mark & structure::NOT_NUMBER == 0 || segment_of(segs, span).is_none() {
            continue;
        }
        let structure = match w.mark {
            m if m & structure::TIME != 0 => "time",
            m if m & structure::DATE != 0 => "date",
            m if m & structure::VERSION != 0 => "version",
            _ => "identifier",
        };
        debug_assert!(hay.len() >= span.end());
        out.push(Rejected {
            span,
            entity: None,
            detector: None,
            reason: Reason::Structure { structure },
        });
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
#[allow(clippy::print_stderr)] // a profiling aid: it prints its timings
mod stage_times {
    use super::super::spec;
    use super::*;

    /// `VELUM_STAGE_FILE=f cargo test --release --lib stage_times -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn stage_times() {
        let Ok(path) = std::env::var("VELUM_STAGE_FILE") else {
            return;
        };
        let data = std::fs::read(path).unwrap();
        let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
        let (defs, neg) = spec::builtin().unwrap();
        let e = Engine::build(&defs, &neg, &EngineOptions::default()).unwrap();
        let mut s = e.scratch();
        let t = std::time::Instant::now();
        let mut n = 0usize;
        for l in &lines {
            s.words.lex(l);
            n += s.words.w.len();
        }
        let lex = t.elapsed();
        let t = std::time::Instant::now();
        for l in &lines {
            s.words.lex(l);
            structure::mark(l, &mut s.words);
        }
        let mark = t.elapsed();
        let mut per_shape = Vec::new();
        for &shape in &e.shapes {
            let t = std::time::Instant::now();
            let mut c = 0usize;
            for l in &lines {
                s.words.lex(l);
                structure::mark(l, &mut s.words);
                let v = View::new(l, &s.words);
                shape.run(&v, 0, &mut |_| {
                    c += 1;
                    None
                });
            }
            per_shape.push((shape.name(), t.elapsed().saturating_sub(mark), c));
        }
        let t = std::time::Instant::now();
        let mut raw = 0;
        for l in &lines {
            s.raw.clear();
            e.prepare(l, &mut s);
            e.candidates(l, &[Segment::text(l.len())], &mut s);
            raw += s.raw.len();
        }
        let cands = t.elapsed();
        let t = std::time::Instant::now();
        let mut out = Vec::new();
        let mut found = 0;
        for l in &lines {
            out.clear();
            e.scan(l, &mut s, &mut out);
            found += out.len();
        }
        let full = t.elapsed();
        eprintln!("candidates+validators {cands:?} ({raw} confirmed, {found} findings)");
        eprintln!(
            "{} lines {} words; lex {:?} mark(+lex) {:?} full scan {:?}",
            lines.len(),
            n,
            lex,
            mark,
            full
        );
        for (name, d, c) in per_shape {
            eprintln!("  {name:10} {d:?} {c} candidates");
        }
    }
}
