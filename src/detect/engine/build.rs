//! Compiling detector definitions and a policy's options into an [`Engine`]: the shapes to
//! run and, per shape and digit count, the detectors that read them; the trigger bytes; the
//! context index; allow-lists; a policy's own patterns.

use std::collections::{HashMap, HashSet};

use super::{Det, Engine, MAX_NUMBER_DIGITS, custom};
use crate::detect::context::{Artifact, ContextIndex, DetectorWords};
use crate::detect::shapes::Shape;
use crate::detect::spec::{DetectorDef, NegativeContext};
use crate::detect::validate::Settings;
use crate::error::{Error, Result};
use crate::span::Entity;

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

/// The bytes some shape needs: every candidate holds a digit, a capital letter, an `@`, a
/// `:` (`::1`) or a non-ASCII letter, or follows a space (a name in lower case).
fn shape_trigger(shapes: &[Shape]) -> [bool; 256] {
    let mut t = [false; 256];
    if shapes.is_empty() {
        return t;
    }
    for b in 0..=255u8 {
        t[usize::from(b)] = b.is_ascii_digit()
            || b.is_ascii_uppercase()
            || b >= 0x80
            || (b == b'@' && shapes.contains(&Shape::Email))
            || (b == b':' && shapes.contains(&Shape::Ipv6))
            // A name in lower case follows a word that introduces it after a space.
            || (b == b' ' && shapes.contains(&Shape::CaselessName))
            // Lower-case starts: IBANs, NINOs and DEA numbers hold digits; `po box` needs
            // a digit too. E-mail addresses need `@`.
            ;
    }
    t
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
        let mut shapes: Vec<Shape> = Vec::new();
        let mut by_shape: Vec<Vec<u16>> = vec![Vec::new(); Shape::ALL.len()];
        let mut by_digits: Vec<Vec<u16>> = vec![Vec::new(); MAX_NUMBER_DIGITS + 1];
        let mut patterns = Vec::new();
        let mut max_match_len = 0usize;
        for (d, def) in defs.iter().enumerate() {
            let d16 = d as u16;
            for &shape in &def.shapes {
                if !shapes.contains(&shape) {
                    shapes.push(shape);
                }
                max_match_len =
                    max_match_len.max(shape.max_len().min(def.max_len.unwrap_or(usize::MAX)));
                if shape == Shape::Number {
                    let (lo, hi) = def.digits.unwrap_or((1, MAX_NUMBER_DIGITS));
                    for list in &mut by_digits[lo..=hi.min(MAX_NUMBER_DIGITS)] {
                        list.push(d16);
                    }
                } else {
                    by_shape[shape as usize].push(d16);
                }
            }
            for (i, p) in def.patterns.iter().enumerate() {
                patterns.push(custom::PatternDef {
                    pattern: p,
                    origin: format!(
                        "{} (detector {:?}, pattern {})",
                        def.origin,
                        def.id.as_str(),
                        i + 1
                    ),
                    detector: d16,
                    max_len: def.max_len,
                });
            }
        }
        // Run order: the order of `Shape::ALL`, whatever the detectors' order.
        shapes.sort_by_key(|s| Shape::ALL.iter().position(|x| x == s));
        let custom = custom::Custom::build(&patterns)?;
        let mut trigger = shape_trigger(&shapes);
        if let Some(c) = &custom {
            max_match_len = max_match_len.max(c.max_match_len);
            for (t, c) in trigger.iter_mut().zip(c.trigger) {
                *t |= c;
            }
        }
        let mut allow_sets: Vec<HashSet<Vec<u8>>> = Vec::new();
        let mut allow_of: HashMap<Entity, usize> = HashMap::new();
        let mut own: Vec<DetectorWords> = Vec::new();
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
            own.push(DetectorWords {
                positive: words,
                negative: def.negative_context.clone(),
                negative_keys: def.negative_keys.clone(),
            });
            let min_score = eo.and_then(|o| o.min_score).unwrap_or(opts.min_score);
            dets.push(Det {
                id: def.id,
                entity: def.entity,
                validator: def.validator,
                fixed_score: def.fixed_score,
                priority: def.priority,
                boost: def.context_boost,
                numeric: def.numeric,
                min_score,
                gated: def.max_score < min_score,
                label_below: def.label_below,
                allow,
            });
        }
        let context = ContextIndex::build(
            &own,
            &negative.words,
            &negative.versions,
            &negative.units,
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
        let (mut ends, mut starts) = ([false; 256], [false; 256]);
        for l in &labels {
            starts[usize::from(l[0])] = true;
            ends[usize::from(l[l.len() - 1])] = true;
        }
        for &m in &mask_chars {
            starts[usize::from(m)] = true;
            ends[usize::from(m)] = true;
        }
        Ok(Self {
            shapes,
            by_shape,
            by_digits,
            custom,
            labels,
            mask_chars,
            ends,
            starts,
            trigger,
            dets,
            allow: allow_sets,
            context,
            settings: opts.settings.clone(),
            max_match_len,
        })
    }
}
