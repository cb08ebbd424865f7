//! Context words: one Aho-Corasick automaton over every detector's positive words and the
//! generic negative words, run once per unit and only when the unit has a candidate. A word
//! counts when it stands alone (letters do not continue it on either side, except at a
//! camelCase join) within [`WINDOW`] bytes of the candidate.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::error::{Error, Result};
use crate::span::Span;

/// Bytes before and after a candidate that are searched for context words.
pub(crate) const WINDOW: usize = 48;

/// Most bytes between a negative word and the candidate it lowers.
const NEGATIVE_GAP: usize = 16;

/// True when the word labels the candidate: before it with only a short run of non-letters
/// between (`order_id=884213`, `ticket #884213`), or right after it as a unit (`1234 ms`,
/// `512bytes`) — not the key of the next field (`10.20.30.40:8443 build=10.0.1`).
fn adjacent(hay: &[u8], word: Span, cand: Span) -> bool {
    if word.end() <= cand.start() {
        let gap = &hay[word.end()..cand.start()];
        gap.len() <= NEGATIVE_GAP && !gap.iter().any(u8::is_ascii_alphabetic)
    } else if cand.end() <= word.start() {
        let gap = &hay[cand.end()..word.start()];
        let is_key = matches!(hay.get(word.end()), Some(b'=' | b':'));
        gap.len() <= 2 && gap.iter().all(|b| *b == b' ') && !is_key
    } else {
        false
    }
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

pub(crate) struct ContextIndex {
    ac: Option<AhoCorasick>,
    /// Per pattern: `Some` for an artifact of velum's own output (with its exact text), which
    /// is a barrier like a candidate and never context.
    artifact: Vec<Option<(Artifact, String)>>,
    /// Per word: the detectors it supports.
    supports: Vec<Vec<u16>>,
    /// Per word: whether it is generic negative context for numeric detectors.
    negative: Vec<bool>,
    /// Per word: the detectors it speaks against (their own negative words).
    opposes: Vec<Vec<u16>>,
    penalty: f32,
}

impl ContextIndex {
    /// Builds the automaton. `positive[d]` lists detector `d`'s words.
    /// `own_negative[d]` lists words that speak against detector `d`; `negative` is the
    /// generic list for numeric detectors.
    /// `artifacts` are the texts velum writes in place of values (labels, token prefixes,
    /// mask runs): they bound context windows exactly as the values they replaced did, and
    /// words inside them never count, so redacting redacted output changes nothing.
    pub(crate) fn build(
        positive: &[Vec<String>],
        own_negative: &[Vec<String>],
        negative: &[String],
        penalty: f32,
        artifacts: &[(Artifact, String)],
    ) -> Result<Self> {
        let mut words: Vec<String> = Vec::new();
        let mut supports: Vec<Vec<u16>> = Vec::new();
        let mut opposes: Vec<Vec<u16>> = Vec::new();
        let mut neg: Vec<bool> = Vec::new();
        let mut slot = |w: &str, words: &mut Vec<String>| -> usize {
            let w = w.trim().to_ascii_lowercase();
            match words.iter().position(|x| *x == w) {
                Some(i) => i,
                None => {
                    words.push(w);
                    supports.push(Vec::new());
                    opposes.push(Vec::new());
                    neg.push(false);
                    words.len() - 1
                }
            }
        };
        let mut support_pairs = Vec::new();
        for (d, ws) in positive.iter().enumerate() {
            for w in ws.iter().filter(|w| !w.trim().is_empty()) {
                let i = slot(w, &mut words);
                support_pairs.push((i, d as u16));
            }
        }
        let mut oppose_pairs = Vec::new();
        for (d, ws) in own_negative.iter().enumerate() {
            for w in ws.iter().filter(|w| !w.trim().is_empty()) {
                let i = slot(w, &mut words);
                oppose_pairs.push((i, d as u16));
            }
        }
        let mut neg_slots = Vec::new();
        for w in negative.iter().filter(|w| !w.trim().is_empty()) {
            neg_slots.push(slot(w, &mut words));
        }
        for (i, d) in support_pairs {
            if !supports[i].contains(&d) {
                supports[i].push(d);
            }
        }
        for (i, d) in oppose_pairs {
            if !opposes[i].contains(&d) {
                opposes[i].push(d);
            }
        }
        for i in neg_slots {
            neg[i] = true;
        }
        let mut artifact: Vec<Option<(Artifact, String)>> = vec![None; words.len()];
        for (kind, text) in artifacts {
            if text.is_empty()
                || words
                    .iter()
                    .zip(&artifact)
                    .any(|(w, a)| a.is_some() && *w == text.to_ascii_lowercase())
            {
                continue;
            }
            words.push(text.to_ascii_lowercase());
            supports.push(Vec::new());
            opposes.push(Vec::new());
            neg.push(false);
            artifact.push(Some((*kind, text.clone())));
        }
        let ac = if words.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::LeftmostLongest)
                    // A few hundred short words: a full DFA is small and the fastest to search.
                    .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                    .build(&words)
                    .map_err(|e| Error::config(format!("context words: {e}")))?,
            )
        };
        Ok(Self {
            ac,
            artifact,
            supports,
            opposes,
            negative: neg,
            penalty,
        })
    }

    /// Appends the stand-alone context words of `hay` to `out`, in order.
    #[cfg(test)]
    pub(crate) fn find(&self, hay: &[u8], out: &mut Vec<Hit>) {
        self.find_in(hay, 0..hay.len(), out);
    }

    /// Appends the stand-alone context words and the artifacts lying in `hay[range]` to
    /// `out`, in order. Words inside an artifact are dropped.
    pub(crate) fn find_in(&self, hay: &[u8], range: std::ops::Range<usize>, out: &mut Vec<Hit>) {
        let Some(ac) = &self.ac else { return };
        let mut barrier_end = 0;
        for m in ac.find_iter(aho_corasick::Input::new(hay).range(range)) {
            let (s, mut e) = (m.start(), m.end());
            let word = m.pattern().as_u32();
            if let Some((kind, text)) = &self.artifact[word as usize] {
                if &hay[s..e] != text.as_bytes() {
                    continue;
                }
                match kind {
                    Artifact::Label => {}
                    Artifact::TokenPrefix => {
                        while e < hay.len() && (hay[e].is_ascii_alphanumeric() || hay[e] == b'_') {
                            e += 1;
                        }
                    }
                    Artifact::MaskRun => {
                        while e < hay.len() && hay[e] == text.as_bytes()[0] {
                            e += 1;
                        }
                    }
                }
                barrier_end = barrier_end.max(e);
                out.push(Hit {
                    span: Span::new(s, e),
                    word,
                });
                continue;
            }
            if s < barrier_end {
                continue;
            }
            let left_ok = s == 0
                || !hay[s - 1].is_ascii_alphabetic()
                || (hay[s - 1].is_ascii_lowercase() && hay[s].is_ascii_uppercase());
            let right_ok = e == hay.len()
                || !hay[e].is_ascii_alphabetic()
                || (hay[e - 1].is_ascii_lowercase() && hay[e].is_ascii_uppercase());
            if left_ok && right_ok {
                out.push(Hit {
                    span: Span::new(s, e),
                    word,
                });
            }
        }
    }

    /// How far beyond a window the search must reach so that an artifact crossing the
    /// window's edge is seen whole (a cut label could look like a bare context word).
    pub(crate) fn search_margin(&self) -> usize {
        self.artifact
            .iter()
            .flatten()
            .map(|(_, t)| t.len())
            .max()
            .unwrap_or(0)
    }

    fn is_artifact(&self, h: &Hit) -> bool {
        self.artifact[h.word as usize].is_some()
    }

    /// The score change for detector `det` at `span`, given the unit's hits (sorted). Positive
    /// words count within [`WINDOW`] bytes, but not past `lo` and `hi`: the neighbouring
    /// candidates, so a word next to one identifier does not vouch for another beyond it.
    /// Negative words count only when [`adjacent`]: in `order_id=1 customer=536-90-4399` the
    /// neighbouring field's key says nothing about the SSN. Words in `hay[..key_end]` (a
    /// field name in front of its value) count for a candidate after it at any distance,
    /// positive and negative alike.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn effect(
        &self,
        hay: &[u8],
        hits: &[Hit],
        span: Span,
        (lo, hi): (usize, usize),
        key_end: usize,
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
            let w = h.word as usize;
            if self.supports[w].contains(&det) {
                if eff.positive.is_none_or(|p| dist(h) < dist(&p)) {
                    eff.positive = Some(*h);
                }
            } else if ((numeric && self.negative[w]) || self.opposes[w].contains(&det))
                && adjacent(hay, h.span, span)
                && eff.negative.is_none_or(|n| dist(h) < dist(&n))
            {
                eff.negative = Some(*h);
            }
        }
        if key_end > 0 && span.start() >= key_end {
            for h in hits.iter().take_while(|h| h.span.end() <= key_end) {
                if self.is_artifact(h) {
                    continue;
                }
                let w = h.word as usize;
                if self.supports[w].contains(&det) {
                    eff.positive = eff.positive.or(Some(*h));
                } else if (numeric && self.negative[w]) || self.opposes[w].contains(&det) {
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

    /// True when no detector has context words.
    pub(crate) fn is_empty(&self) -> bool {
        self.ac.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> ContextIndex {
        ContextIndex::build(
            &[
                vec!["card".into(), "credit card".into()],
                vec!["ssn".into()],
            ],
            &[vec![], vec!["build".into()]],
            &["order".into(), "v".into()],
            0.3,
            &[
                (Artifact::Label, "[IP_ADDRESS]".into()),
                (Artifact::TokenPrefix, "VLM_".into()),
                (Artifact::MaskRun, "***".into()),
            ],
        )
        .unwrap()
    }

    fn hits(ix: &ContextIndex, s: &str) -> Vec<Hit> {
        let mut v = Vec::new();
        ix.find(s.as_bytes(), &mut v);
        v
    }

    #[test]
    fn words_stand_alone() {
        let ix = index();
        assert_eq!(hits(&ix, "Credit Card: 1").len(), 1);
        assert_eq!(hits(&ix, "discard this").len(), 0);
        assert_eq!(hits(&ix, "cardNumber=1").len(), 1);
        assert_eq!(hits(&ix, "card_number=1").len(), 1);
        assert_eq!(hits(&ix, "ssn=1 v2.0").len(), 2);
        assert_eq!(hits(&ix, "savvy").len(), 0);
    }

    const ALL: (usize, usize) = (0, usize::MAX);

    /// Found in review: `upstream=10.20.30.40:8443 build=10.0.1` lost its IP to the next
    /// field's key. A word after a value lowers it only as a unit (`1234 ms`).
    #[test]
    fn a_following_word_lowers_only_as_a_unit() {
        let at = |h: &str, w: &str, c: &str| {
            let (ws, cs) = (h.find(w).unwrap(), h.find(c).unwrap());
            adjacent(
                h.as_bytes(),
                Span::new(ws, ws + w.len()),
                Span::new(cs, cs + c.len()),
            )
        };
        assert!(at("order_id=884213", "order_id", "884213"));
        assert!(at("took 1234567890 ms", "ms", "1234567890"));
        assert!(at("1234567890ms", "ms", "1234567890"));
        assert!(!at(
            "up=10.20.30.40:8443 build=10.0.1",
            "build",
            "10.20.30.40"
        ));
        assert!(!at("4111111111111111 build=7", "build", "4111111111111111"));
        assert!(!at("order 884213 shipped by", "by", "884213"));
    }

    #[test]
    fn artifacts_are_barriers_and_never_context() {
        let ix = index();
        // Words inside a label or a token do not count.
        let s = "[IP_ADDRESS] VLM_CREDIT_CARD_K1_ab2ip3card 4111111111111111";
        let h = hits(&ix, s);
        let at = s.find('4').unwrap();
        assert_eq!(
            ix.effect(
                s.as_bytes(),
                &h,
                Span::new(at, at + 16),
                ALL,
                0,
                0,
                0.3,
                true
            )
            .delta,
            0.0
        );
        // A mask run stands where the masked value stood: "card" does not reach past it.
        let s = "card **** **** **** 1111 4111111111111111";
        let h = hits(&ix, s);
        let at = s.rfind('4').unwrap() - 15;
        assert_eq!(
            ix.effect(
                s.as_bytes(),
                &h,
                Span::new(at, at + 16),
                ALL,
                0,
                0,
                0.3,
                true
            )
            .delta,
            0.0
        );
        // Exact case only: lower-case text is not velum's output.
        let s = "card vlm_x 4111111111111111";
        let h = hits(&ix, s);
        assert!(
            ix.effect(s.as_bytes(), &h, Span::new(11, 27), ALL, 0, 0, 0.3, true)
                .delta
                > 0.0
        );
    }

    #[test]
    fn barriers_stop_the_window() {
        let ix = index();
        let s = "card 1 4111111111111111";
        let h = hits(&ix, s);
        assert_eq!(
            ix.effect(
                s.as_bytes(),
                &h,
                Span::new(7, 23),
                (6, usize::MAX),
                0,
                0,
                0.3,
                true
            )
            .delta,
            0.0
        );
        assert!(
            ix.effect(
                s.as_bytes(),
                &h,
                Span::new(7, 23),
                (0, usize::MAX),
                0,
                0,
                0.3,
                true
            )
            .delta
                > 0.0
        );
    }

    #[test]
    fn effect_in_window() {
        let ix = index();
        let s = "card 4111111111111111";
        let h = hits(&ix, s);
        let e = ix.effect(s.as_bytes(), &h, Span::new(5, 21), ALL, 0, 0, 0.3, true);
        assert!(e.positive.is_some() && (e.delta - 0.3).abs() < 1e-6);
        // Not this detector's word.
        assert_eq!(
            ix.effect(s.as_bytes(), &h, Span::new(5, 21), ALL, 0, 1, 0.3, true)
                .delta,
            0.0
        );
        // Too far away.
        let far = format!("card {} 4111111111111111", "x".repeat(60));
        let h = hits(&ix, &far);
        let at = far.find('4').unwrap();
        assert_eq!(
            ix.effect(
                far.as_bytes(),
                &h,
                Span::new(at, at + 16),
                ALL,
                0,
                0,
                0.3,
                true
            )
            .delta,
            0.0
        );
        // Negative context only for numeric detectors.
        let s = "order 4111111111111111";
        let h = hits(&ix, s);
        assert!(
            ix.effect(s.as_bytes(), &h, Span::new(6, 22), ALL, 0, 0, 0.3, true)
                .delta
                < 0.0
        );
        assert_eq!(
            ix.effect(s.as_bytes(), &h, Span::new(6, 22), ALL, 0, 0, 0.3, false)
                .delta,
            0.0
        );
        // A detector's own negative words apply whether or not it is numeric.
        let s = "build 536-90-4399";
        let h = hits(&ix, s);
        assert!(
            ix.effect(s.as_bytes(), &h, Span::new(6, 17), ALL, 0, 1, 0.3, false)
                .delta
                < 0.0
        );
        assert_eq!(
            ix.effect(s.as_bytes(), &h, Span::new(6, 17), ALL, 0, 0, 0.3, false)
                .delta,
            0.0
        );
        // Negative words must be adjacent: a neighbouring field's key does not count.
        let s = "order_id=1 customer=4111111111111111";
        let h = hits(&ix, s);
        assert_eq!(
            ix.effect(s.as_bytes(), &h, Span::new(20, 36), ALL, 0, 0, 0.3, true)
                .delta,
            0.0
        );
        let s = "order=4111111111111111";
        let h = hits(&ix, s);
        assert!(
            ix.effect(s.as_bytes(), &h, Span::new(6, 22), ALL, 0, 0, 0.3, true)
                .delta
                < 0.0
        );
    }
}
