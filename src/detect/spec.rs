//! Detector definitions: what the engine compiles. Built-in ones come from the pattern files
//! embedded at build time (`patterns/**/*.toml`, format in `patterns/README.md`); a policy
//! adds its own through the same type.

use serde::Deserialize;

use super::shapes::Shape;
use super::validate::{self, ValidateFn};
use crate::error::{Error, Result};
use crate::span::{DetectorId, Entity};

include!(concat!(env!("OUT_DIR"), "/builtin_patterns.rs"));

/// One detector, ready to compile.
#[derive(Clone)]
pub(crate) struct DetectorDef {
    pub(crate) id: DetectorId,
    pub(crate) entity: Entity,
    pub(crate) validator: ValidateFn,
    /// For policy patterns: the score to report when the validator confirms (its own score is
    /// then only a gate). `None` for built-ins, whose validator scores.
    pub(crate) fixed_score: Option<f32>,
    /// Tie-breaker in overlap resolution: higher is more specific.
    pub(crate) priority: i32,
    /// The best score its validator gives (1 when not said): under the threshold, the
    /// detector reports only with context, and is not run in a unit without its words.
    pub(crate) max_score: f32,
    /// Candidates whose validator score is under this reach the threshold only through a
    /// label (the field name, or a context word right before the value), not a word nearby.
    pub(crate) label_below: f32,
    /// Candidate shapes the scanner builds for it (built-in detectors).
    pub(crate) shapes: Vec<Shape>,
    /// For the `number` shape: the digit counts it takes (inclusive).
    pub(crate) digits: Option<(usize, usize)>,
    /// Regular expressions (policy patterns, or a built-in detector no shape serves).
    pub(crate) patterns: Vec<String>,
    pub(crate) context: Vec<String>,
    /// Words that speak against this detector in particular.
    pub(crate) negative_context: Vec<String>,
    /// Field names whose values are never this entity: they speak against it as the key of
    /// the value's field only (`status: Will Call`).
    pub(crate) negative_keys: Vec<String>,
    pub(crate) context_boost: f32,
    /// Takes the generic negative context of numeric identifiers.
    pub(crate) numeric: bool,
    /// Longest value the validator accepts, when the pattern itself is unbounded.
    pub(crate) max_len: Option<usize>,
    /// Where it was defined, for error messages (`patterns/financial/iban.toml`).
    pub(crate) origin: String,
}

/// The generic negative context words and their penalty.
#[derive(Clone, Debug, Default)]
pub(crate) struct NegativeContext {
    pub(crate) words: Vec<String>,
    /// Those of `words` that name versions: they count only against a value a version can
    /// be written as (see `context::version_shaped`).
    pub(crate) versions: Vec<String>,
    /// Those of `words` that are units, written after their number (`1234 ms`): only they
    /// count after a value.
    pub(crate) units: Vec<String>,
    pub(crate) penalty: f32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatternFile {
    #[serde(default)]
    detector: Vec<DetectorSpec>,
    negative: Option<NegativeSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DetectorSpec {
    id: String,
    entity: String,
    validator: String,
    #[serde(default)]
    priority: i32,
    max_score: Option<f32>,
    label_below: Option<f32>,
    #[serde(default)]
    shapes: Vec<String>,
    digits: Option<[usize; 2]>,
    #[serde(default)]
    patterns: Vec<String>,
    #[serde(default)]
    context: Vec<String>,
    #[serde(default)]
    negative_context: Vec<String>,
    #[serde(default)]
    negative_keys: Vec<String>,
    #[serde(default = "default_boost")]
    context_boost: f32,
    #[serde(default)]
    numeric: bool,
    max_len: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NegativeSpec {
    words: Vec<String>,
    #[serde(default)]
    versions: Vec<String>,
    #[serde(default)]
    units: Vec<String>,
    penalty: f32,
}

pub(crate) fn default_boost() -> f32 {
    0.3
}

/// Parses the embedded pattern files.
///
/// # Errors
/// A malformed embedded file is a build defect; the error names the file and the field.
pub(crate) fn builtin() -> Result<(Vec<DetectorDef>, NegativeContext)> {
    let mut defs = Vec::new();
    let mut negative = NegativeContext::default();
    for (path, text) in BUILTIN_PATTERN_FILES {
        let origin = format!("patterns/{path}");
        let file: PatternFile = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| text[..s.start].lines().count().max(1));
            Error::config_at(&origin, line, "", e.message())
        })?;
        if let Some(n) = file.negative {
            negative.words.extend(n.words);
            negative.versions.extend(n.versions);
            negative.units.extend(n.units);
            negative.penalty = n.penalty;
        }
        for d in file.detector {
            let entity = Entity::parse(&d.entity).ok_or_else(|| {
                Error::config_at(&origin, None, "entity", "malformed entity name")
            })?;
            let validator = validate::by_name(&d.validator).ok_or_else(|| {
                Error::config_at(
                    &origin,
                    None,
                    "validator",
                    &format!("unknown validator {:?}", d.validator),
                )
            })?;
            let shapes = d
                .shapes
                .iter()
                .map(|s| {
                    Shape::parse(s).ok_or_else(|| {
                        Error::config_at(&origin, None, "shapes", &format!("unknown shape {s:?}"))
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            if shapes.is_empty() && d.patterns.is_empty() {
                return Err(Error::config_at(
                    &origin,
                    None,
                    "shapes",
                    "a detector needs shapes or patterns",
                ));
            }
            if shapes.contains(&Shape::Number) != d.digits.is_some() {
                return Err(Error::config_at(
                    &origin,
                    None,
                    "digits",
                    "the number shape needs digits = [min, max], and only it",
                ));
            }
            defs.push(DetectorDef {
                id: DetectorId::new(&d.id),
                entity,
                validator,
                fixed_score: None,
                priority: d.priority,
                max_score: d.max_score.unwrap_or(1.0),
                label_below: d.label_below.unwrap_or(0.0),
                shapes,
                digits: d.digits.map(|[a, b]| (a, b)),
                patterns: d.patterns,
                context: d.context,
                negative_context: d.negative_context,
                negative_keys: d.negative_keys,
                context_boost: d.context_boost,
                numeric: d.numeric,
                max_len: d.max_len,
                origin: origin.clone(),
            });
        }
    }
    Ok((defs, negative))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_files_parse() {
        let (defs, neg) = builtin().unwrap();
        assert!(defs.len() >= 9);
        assert!(neg.words.iter().any(|w| w == "invoice"));
        let mut ids: Vec<_> = defs.iter().map(|d| d.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), defs.len(), "detector ids are unique");
        for d in &defs {
            assert!(d.entity.is_builtin(), "{}", d.origin);
        }
    }
}
