//! Per-call options of the `Redactor` methods, as Presidio takes them: `entities` (detect
//! only these), `threshold` (one threshold for every entity), `allow` (values never
//! reported) and `operators` (an action per entity). Each set of options compiles the
//! redactor's policy with them once (sharing its keyring); the result is kept for the next
//! call with the same options.

use std::collections::HashMap;
use std::sync::Mutex;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

/// Compiled option sets kept per redactor; beyond this many the cache starts again.
const MAX_KEPT: usize = 64;

/// The options of one call, checked.
#[derive(Debug, Default)]
pub(crate) struct CallOptions {
    entities: Option<Vec<velum::Entity>>,
    threshold: Option<f32>,
    allow: Option<Vec<String>>,
    operators: Vec<(velum::Entity, velum::Rule)>,
}

fn entity(name: &str, known: &[velum::Entity], what: &str) -> PyResult<velum::Entity> {
    velum::Entity::parse(name)
        .filter(|e| known.contains(e))
        .ok_or_else(|| {
            let names: Vec<&str> = known.iter().map(|e| e.name()).collect();
            PyValueError::new_err(format!(
                "{what}: no entity {name:?} in this policy (it has {})",
                names.join(", ")
            ))
        })
}

/// One operator: an action name, or a dict with `action` and the rule's other fields.
fn rule(e: velum::Entity, v: &Bound<'_, PyAny>) -> PyResult<velum::Rule> {
    let bad = |m: String| PyValueError::new_err(format!("operators[{:?}]: {m}", e.name()));
    let action = |s: &str| {
        velum::Action::parse(s).ok_or_else(|| {
            bad(format!(
                "no action {s:?} (label, mask, hash, token, keep, drop)"
            ))
        })
    };
    let mut r = velum::Rule::default();
    if let Ok(s) = v.cast::<PyString>() {
        r.action = action(&s.to_cow()?)?;
        return Ok(r);
    }
    let Ok(d) = v.cast::<PyDict>() else {
        return Err(bad("give an action name or a dict with \"action\"".into()));
    };
    let mut has_action = false;
    for (k, x) in d.iter() {
        let k: String = k.extract()?;
        match k.as_str() {
            "action" => {
                r.action = action(&x.extract::<String>()?)?;
                has_action = true;
            }
            "label" => r.label = x.extract()?,
            "keep_first" => r.keep_first = x.extract()?,
            "keep_last" => r.keep_last = x.extract()?,
            "mask_char" => {
                let c: String = x.extract()?;
                match c.as_bytes() {
                    [b] if b.is_ascii_punctuation() => r.mask_char = *b,
                    _ => return Err(bad("mask_char is one ASCII punctuation character".into())),
                }
            }
            other => {
                return Err(bad(format!(
                    "no field {other:?} (action, label, keep_first, keep_last, mask_char)"
                )));
            }
        }
    }
    if !has_action {
        return Err(bad("the dict has no \"action\"".into()));
    }
    Ok(r)
}

impl CallOptions {
    /// Checks the arguments of one call against the entities the redactor knows.
    pub(crate) fn parse(
        entities: Option<Vec<String>>,
        threshold: Option<f64>,
        allow: Option<Vec<String>>,
        operators: Option<&Bound<'_, PyDict>>,
        known: &[velum::Entity],
    ) -> PyResult<Self> {
        let entities = entities
            .map(|v| {
                v.iter()
                    .map(|n| entity(n, known, "entities"))
                    .collect::<PyResult<Vec<_>>>()
            })
            .transpose()?;
        let threshold = match threshold {
            Some(t) if !(0.0..=1.0).contains(&t) => {
                return Err(PyValueError::new_err(format!(
                    "threshold: {t} is not between 0 and 1"
                )));
            }
            t => t.map(|t| t as f32),
        };
        let mut ops = Vec::new();
        if let Some(d) = operators {
            for (k, v) in d.iter() {
                let name: String = k.extract()?;
                let e = entity(&name, known, "operators")?;
                ops.push((e, rule(e, &v)?));
            }
        }
        Ok(Self {
            entities,
            threshold,
            allow,
            operators: ops,
        })
    }

    fn is_empty(&self) -> bool {
        self.entities.is_none()
            && self.threshold.is_none()
            && self.allow.is_none()
            && self.operators.is_empty()
    }

    fn apply(&self, mut p: velum::Policy) -> velum::Policy {
        if let Some(e) = &self.entities {
            p = p.with_only_entities(e.iter().copied());
        }
        if let Some(t) = self.threshold {
            p = p.with_threshold(t);
        }
        if let Some(a) = &self.allow {
            p = p.with_allowed(a);
        }
        for (e, r) in &self.operators {
            p = p.with_rule(*e, r.clone());
        }
        p
    }
}

/// The redactors compiled for option sets, by the options' description.
#[derive(Default)]
pub(crate) struct Derived {
    kept: Mutex<HashMap<String, velum::Redactor>>,
}

impl Derived {
    /// The redactor for `opts`: `base` when there are none.
    pub(crate) fn get(
        &self,
        base: &velum::Redactor,
        policy: &velum::Policy,
        opts: &CallOptions,
    ) -> Result<velum::Redactor, velum::Error> {
        if opts.is_empty() {
            return Ok(base.clone());
        }
        let key = format!("{opts:?}");
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(r) = kept.get(&key) {
            return Ok(r.clone());
        }
        let r = base.with_policy(&opts.apply(policy.clone()))?;
        if kept.len() >= MAX_KEPT {
            kept.clear();
        }
        kept.insert(key, r.clone());
        Ok(r)
    }
}
