//! The engine's per-thread buffers: words, candidates, scores, context hits, the ends of
//! values each detector confirmed, and (when explaining) the candidates dropped. A scan
//! allocates nothing once they have grown.

use super::custom;
use super::{Engine, Scored};
use crate::detect::context::{Effect, Hit};
use crate::detect::lex::Words;
use crate::detect::trace::Rejected;
use crate::span::{Finding, Span};

/// Per detector: the end of the last value it confirmed in the current run of a shape. Reset
/// once per shape and unit: by a new stamp, not by writing every detector's entry (a unit
/// runs fifteen shapes over thirty detectors).
#[derive(Default)]
pub(crate) struct Covered {
    stamp: u32,
    /// Per detector: the stamp the end was written under, and the end.
    ends: Vec<(u32, usize)>,
}

impl Covered {
    pub(super) fn reset(&mut self, detectors: usize) {
        if self.ends.len() != detectors {
            self.ends.clear();
            self.ends.resize(detectors, (0, 0));
        }
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.ends.fill((0, 0));
            self.stamp = 1;
        }
    }

    #[inline]
    pub(super) fn get(&self, d: u16) -> usize {
        match self.ends[usize::from(d)] {
            (s, end) if s == self.stamp => end,
            _ => 0,
        }
    }

    #[inline]
    pub(super) fn extend(&mut self, d: u16, end: usize) {
        let now = self.get(d).max(end);
        self.ends[usize::from(d)] = (self.stamp, now);
    }
}

/// A finding with the reasons for its score, for `velum explain`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Explained {
    pub(crate) finding: Finding,
    pub(crate) base: f32,
    pub(crate) effect: Effect,
}

/// Reusable per-thread buffers of the engine (a part of the redactor's
/// [`Scratch`](crate::Scratch)): words, candidates, context hits. A scan allocates nothing
/// once they have grown.
pub(crate) struct EngineScratch {
    pub(super) words: Words,
    pub(super) custom: Option<custom::CustomCache>,
    pub(super) raw: Vec<Scored>,
    pub(super) base: Vec<f32>,
    pub(super) effects: Vec<Effect>,
    pub(super) hits: Vec<Hit>,
    pub(super) resolved: Vec<Scored>,
    pub(super) starts: Vec<usize>,
    pub(super) ends: Vec<usize>,
    pub(super) covered: Covered,
    /// The unit's artifacts (velum's labels, tokens and masks), sorted.
    pub(super) artifacts: Vec<Span>,
    /// Per detector: a word that supports it is in the unit (only gated detectors).
    pub(super) present: Vec<bool>,
    /// When explaining: the candidates dropped, with why (`None` when scanning).
    pub(super) trace: Option<Vec<Rejected>>,
}

impl std::fmt::Debug for EngineScratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineScratch").finish_non_exhaustive()
    }
}

impl Engine {
    /// Fresh per-thread buffers.
    pub(crate) fn scratch(&self) -> EngineScratch {
        EngineScratch {
            words: Words::default(),
            custom: self.custom.as_ref().map(custom::Custom::cache),
            raw: Vec::new(),
            base: Vec::new(),
            effects: Vec::new(),
            hits: Vec::new(),
            resolved: Vec::new(),
            starts: Vec::new(),
            ends: Vec::new(),
            covered: Covered::default(),
            artifacts: Vec::new(),
            present: Vec::new(),
            trace: None,
        }
    }
}
