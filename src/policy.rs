//! Policies: which entity gets which action, thresholds, allow-lists, extra context words and
//! custom patterns. A policy is data (TOML); the embedded default (`policies/default.toml`)
//! makes the binary work with no file beside it. Everything is checked when the policy is
//! loaded, and an error names the file, the line and the field.
//!
//! ```toml
//! min_score = 0.5                 # default threshold for every entity
//! phone_regions = ["US", "GB"]    # regions tried for phone numbers without `+`
//! label = "[{entity}]"            # default label template
//!
//! [defaults]
//! action = "label"                # label | mask | drop | keep | token | hash
//!
//! [entities.CREDIT_CARD]
//! action = "mask"
//! keep_last = 4                   # also keep_first, mask_char
//! min_score = 0.6
//! allow = ["4111 1111 1111 1111"] # values never touched (compared without separators, any case)
//! context = ["tarjeta"]           # extra context words
//!
//! [[patterns]]
//! name = "employee_id"
//! entity = "EMPLOYEE_ID"          # a new entity name, or a built-in one
//! regex = 'EMP-\d{6}'
//! validator = "luhn"              # optional: a built-in validator used as a gate
//! score = 0.8                     # reported score when it matches (default 0.8)
//! context = ["employee"]
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::detect::engine::EntityOptions;
use crate::detect::spec::{DetectorDef, default_boost};
use crate::detect::validate;
use crate::error::{Error, Result};
use crate::phone::Regions;
use crate::span::{DetectorId, Entity};
use crate::transform::{Action, Rule};

const DEFAULT_POLICY: &str = include_str!("../policies/default.toml");

/// A custom pattern from a policy.
#[derive(Clone, Debug)]
pub(crate) struct CustomPattern {
    pub(crate) name: String,
    pub(crate) entity: Entity,
    pub(crate) regex: String,
    pub(crate) validator: String,
    pub(crate) score: f32,
    pub(crate) priority: i32,
    pub(crate) context: Vec<String>,
    pub(crate) context_boost: f32,
    pub(crate) origin: String,
}

/// Per-entity settings of a policy.
#[derive(Clone, Debug, Default)]
pub(crate) struct EntityPolicy {
    pub(crate) rule: Option<Rule>,
    pub(crate) detection: EntityOptions,
}

/// A loaded, checked policy.
///
/// # Example
/// ```
/// use velum::{Policy, Redactor};
/// let policy = Policy::from_toml_str(r#"
///     [entities.EMAIL]
///     action = "drop"
/// "#, "inline")?;
/// let r = Redactor::from_policy(&policy)?;
/// assert_eq!(r.redact(b"to jane@example.com!").as_ref(), b"to !");
/// # Ok::<(), velum::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Policy {
    pub(crate) origin: String,
    pub(crate) min_score: f32,
    pub(crate) phone_regions: Regions,
    pub(crate) defaults: Rule,
    pub(crate) entities: BTreeMap<Entity, EntityPolicy>,
    pub(crate) patterns: Vec<CustomPattern>,
    /// Only these entities are detected (all when `None`); see [`Policy::with_only_entities`].
    pub(crate) only: Option<BTreeSet<Entity>>,
    /// Values never reported as any entity; see [`Policy::with_allowed`].
    pub(crate) allow_all: Vec<Vec<u8>>,
}

impl Default for Policy {
    /// The embedded default policy.
    fn default() -> Self {
        Self::from_toml_str(DEFAULT_POLICY, "<default policy>")
            .expect("the embedded default policy is valid")
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    version: Option<Spanned<i64>>,
    min_score: Option<Spanned<f64>>,
    phone_regions: Option<Spanned<Vec<String>>>,
    label: Option<Spanned<String>>,
    defaults: Option<RawRule>,
    #[serde(default)]
    entities: BTreeMap<Spanned<String>, RawRule>,
    #[serde(default)]
    patterns: Vec<RawPattern>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRule {
    action: Option<Spanned<String>>,
    min_score: Option<Spanned<f64>>,
    keep_first: Option<Spanned<i64>>,
    keep_last: Option<Spanned<i64>>,
    mask_char: Option<Spanned<String>>,
    label: Option<Spanned<String>>,
    #[serde(default)]
    allow: Vec<String>,
    #[serde(default)]
    context: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPattern {
    name: Spanned<String>,
    entity: Spanned<String>,
    regex: Spanned<String>,
    validator: Option<Spanned<String>>,
    score: Option<Spanned<f64>>,
    priority: Option<i32>,
    #[serde(default)]
    context: Vec<String>,
    context_boost: Option<Spanned<f64>>,
}

struct Ctx<'a> {
    text: &'a str,
    origin: &'a str,
}

impl Ctx<'_> {
    fn line(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())]
            .matches('\n')
            .count()
            + 1
    }

    fn err<T>(&self, sp: &Spanned<T>, field: &str, msg: &str) -> Error {
        Error::config_at(self.origin, Some(self.line(sp.span().start)), field, msg)
    }

    fn score(&self, v: &Spanned<f64>, field: &str) -> Result<f32> {
        let x = *v.get_ref();
        if (0.0..=1.0).contains(&x) {
            Ok(x as f32)
        } else {
            Err(self.err(v, field, &format!("must be between 0 and 1, got {x}")))
        }
    }

    fn count(&self, v: &Spanned<i64>, field: &str) -> Result<usize> {
        let x = *v.get_ref();
        usize::try_from(x)
            .ok()
            .filter(|&n| n <= 64)
            .ok_or_else(|| self.err(v, field, &format!("must be between 0 and 64, got {x}")))
    }

    fn label(&self, v: &Spanned<String>) -> Result<String> {
        let s = v.get_ref();
        if s.len() > 128 || s.contains(['\n', '\r']) {
            return Err(self.err(v, "label", "must be one line of at most 128 bytes"));
        }
        Ok(s.clone())
    }

    fn rule(&self, raw: &RawRule, base: &Rule) -> Result<Rule> {
        let mut rule = base.clone();
        if let Some(a) = &raw.action {
            rule.action = Action::parse(a.get_ref()).ok_or_else(|| {
                self.err(
                    a,
                    "action",
                    &format!(
                        "unknown action {:?}; expected one of label, mask, drop, keep, token, hash",
                        a.get_ref()
                    ),
                )
            })?;
        }
        if let Some(v) = &raw.keep_first {
            rule.keep_first = self.count(v, "keep_first")?;
        }
        if let Some(v) = &raw.keep_last {
            rule.keep_last = self.count(v, "keep_last")?;
        }
        if let Some(v) = &raw.mask_char {
            let s = v.get_ref().as_bytes();
            if s.len() != 1 || !s[0].is_ascii_graphic() || s[0].is_ascii_alphanumeric() {
                return Err(self.err(
                    v,
                    "mask_char",
                    "must be one ASCII punctuation character, such as \"*\"",
                ));
            }
            rule.mask_char = s[0];
        }
        if let Some(v) = &raw.label {
            rule.label = self.label(v)?;
        }
        Ok(rule)
    }
}

impl Policy {
    /// Reads and checks a policy file.
    ///
    /// # Errors
    /// [`ErrorKind::Io`](crate::ErrorKind::Io) when the file cannot be read;
    /// [`ErrorKind::Config`](crate::ErrorKind::Config) naming `file:line: field` otherwise.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read(path).map_err(|e| Error::io_path(path, e))?;
        let text = String::from_utf8(text).map_err(|e| {
            Error::config(format!(
                "{}: not UTF-8 text (byte {})",
                path.display(),
                e.utf8_error().valid_up_to()
            ))
        })?;
        Self::from_toml_str(&text, &path.display().to_string())
    }

    /// Parses and checks a policy; `origin` names it in errors.
    ///
    /// # Errors
    /// [`ErrorKind::Config`](crate::ErrorKind::Config) naming `origin:line: field`.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Self> {
        let cx = Ctx { text, origin };
        let raw: RawPolicy = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| cx.line(s.start));
            Error::toml_at(origin, line, &e)
        })?;
        if let Some(v) = &raw.version
            && *v.get_ref() != 1
        {
            return Err(cx.err(v, "version", "only version 1 is supported"));
        }
        let min_score = match &raw.min_score {
            Some(v) => cx.score(v, "min_score")?,
            None => 0.5,
        };
        let phone_regions = match &raw.phone_regions {
            Some(v) => Regions::parse(v.get_ref().iter().map(String::as_str))
                .map_err(|bad| cx.err(v, "phone_regions", &format!("unknown region {bad:?}")))?,
            None => Regions::default_set(),
        };
        let mut defaults = Rule::default();
        if let Some(v) = &raw.label {
            defaults.label = cx.label(v)?;
        }
        if let Some(d) = &raw.defaults {
            if d.min_score.is_some() || !d.allow.is_empty() || !d.context.is_empty() {
                return Err(Error::config_at(
                    origin,
                    None,
                    "defaults",
                    "only action, label, keep_first, keep_last and mask_char belong here",
                ));
            }
            defaults = cx.rule(d, &defaults)?;
        }
        let mut patterns = Vec::new();
        for p in &raw.patterns {
            let name = p.name.get_ref();
            if name.is_empty()
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            {
                return Err(cx.err(&p.name, "name", "use letters, digits, `_` and `-`"));
            }
            let entity = Entity::parse(p.entity.get_ref()).ok_or_else(|| {
                cx.err(
                    &p.entity,
                    "entity",
                    "entity names are upper-case letters, digits and `_`, starting with a letter",
                )
            })?;
            let validator = match &p.validator {
                Some(v) => {
                    if validate::by_name(v.get_ref()).is_none() {
                        return Err(cx.err(
                            v,
                            "validator",
                            &format!(
                                "unknown validator {:?}; known: {}",
                                v.get_ref(),
                                validate::NAMES.join(", ")
                            ),
                        ));
                    }
                    v.get_ref().clone()
                }
                None => "none".to_owned(),
            };
            if let Err(e) = crate::detect::engine::check_pattern(p.regex.get_ref()) {
                return Err(cx.err(&p.regex, "regex", &e));
            }
            let score = match &p.score {
                Some(v) => cx.score(v, "score")?,
                None => 0.8,
            };
            let context_boost = match &p.context_boost {
                Some(v) => cx.score(v, "context_boost")?,
                None => default_boost(),
            };
            if patterns.iter().any(|q: &CustomPattern| q.name == *name) {
                return Err(cx.err(&p.name, "name", "a pattern of this name is already defined"));
            }
            patterns.push(CustomPattern {
                name: name.clone(),
                entity,
                regex: p.regex.get_ref().clone(),
                validator,
                score,
                priority: p.priority.unwrap_or(100),
                context: p.context.clone(),
                context_boost,
                origin: format!("{origin}:{}", cx.line(p.regex.span().start)),
            });
        }
        let mut entities = BTreeMap::new();
        for (key, r) in &raw.entities {
            let entity = Entity::parse(key.get_ref())
                .filter(|e| e.is_builtin() || patterns.iter().any(|p| p.entity == *e))
                .ok_or_else(|| {
                    cx.err(
                        key,
                        "entities",
                        &format!("unknown entity {:?} (not built in, and no [[patterns]] entry defines it)", key.get_ref()),
                    )
                })?;
            let rule = if r.action.is_some()
                || r.keep_first.is_some()
                || r.keep_last.is_some()
                || r.mask_char.is_some()
                || r.label.is_some()
            {
                Some(cx.rule(r, &defaults)?)
            } else {
                None
            };
            let min_score = r
                .min_score
                .as_ref()
                .map(|v| cx.score(v, "min_score"))
                .transpose()?;
            entities.insert(
                entity,
                EntityPolicy {
                    rule,
                    detection: EntityOptions {
                        min_score,
                        allow: r.allow.iter().map(|s| s.as_bytes().to_vec()).collect(),
                        context: r.context.clone(),
                    },
                },
            );
        }
        Ok(Self {
            origin: origin.to_owned(),
            min_score,
            phone_regions,
            defaults,
            entities,
            patterns,
            only: None,
            allow_all: Vec::new(),
        })
    }

    /// The same policy with `rule` for `entity`: policies can be built in code.
    ///
    /// # Example
    /// ```
    /// use velum::{Action, Entity, Policy, Redactor, Rule};
    /// let policy = Policy::default()
    ///     .with_rule(Entity::EMAIL, Rule { action: Action::Mask, keep_first: 1, ..Rule::default() })
    ///     .with_min_score(Entity::IP_ADDRESS, 0.9);
    /// let r = Redactor::from_policy(&policy)?;
    /// // 0.8 for a bare private address: under this policy's 0.9 it stays.
    /// assert_eq!(r.redact_str("jane@example.com at 10.1.2.3"), "j***@*******.*** at 10.1.2.3");
    /// # Ok::<(), velum::Error>(())
    /// ```
    pub fn with_rule(mut self, entity: Entity, rule: Rule) -> Self {
        self.entities.entry(entity).or_default().rule = Some(rule);
        self
    }

    /// The same policy with a threshold of its own for `entity` (0 to 1, clamped).
    pub fn with_min_score(mut self, entity: Entity, min_score: f32) -> Self {
        self.entities.entry(entity).or_default().detection.min_score =
            Some(min_score.clamp(0.0, 1.0));
        self
    }

    /// The same policy detecting only `entities` (built-in or the policy's own): values of
    /// any other type are neither reported nor rewritten. Presidio's `entities=` argument.
    ///
    /// # Example
    /// ```
    /// use velum::{Entity, Policy, Redactor};
    /// let r = Redactor::from_policy(&Policy::default().with_only_entities([Entity::EMAIL]))?;
    /// assert_eq!(r.redact_str("jane@example.com 203.0.113.9"), "[EMAIL] 203.0.113.9");
    /// # Ok::<(), velum::Error>(())
    /// ```
    pub fn with_only_entities(mut self, entities: impl IntoIterator<Item = Entity>) -> Self {
        self.only = Some(entities.into_iter().collect());
        self
    }

    /// The same policy with one threshold (0 to 1, clamped) for every entity, in place of
    /// the policy's own (the file's `min_score` and every `[entities.X] min_score`).
    ///
    /// # Example
    /// ```
    /// use velum::{Policy, Redactor};
    /// // A bare private address scores 0.8.
    /// let r = Redactor::from_policy(&Policy::default().with_threshold(0.9))?;
    /// assert_eq!(r.redact_str("at 10.1.2.3"), "at 10.1.2.3");
    /// # Ok::<(), velum::Error>(())
    /// ```
    pub fn with_threshold(mut self, min_score: f32) -> Self {
        let m = min_score.clamp(0.0, 1.0);
        self.min_score = m;
        for e in self.entities.values_mut() {
            e.detection.min_score = None;
        }
        self
    }

    /// The same policy with `values` never reported, whatever entity they would be
    /// (compared as the allow-lists of a policy file are: without separators, in any case).
    ///
    /// # Example
    /// ```
    /// use velum::{Policy, Redactor};
    /// let r = Redactor::from_policy(&Policy::default().with_allowed(["ops@example.com"]))?;
    /// assert_eq!(r.redact_str("ops@example.com jane@example.com"), "ops@example.com [EMAIL]");
    /// # Ok::<(), velum::Error>(())
    /// ```
    pub fn with_allowed<S: AsRef<[u8]>>(mut self, values: impl IntoIterator<Item = S>) -> Self {
        self.allow_all
            .extend(values.into_iter().map(|v| v.as_ref().to_vec()));
        self
    }

    /// The same policy with every entity's action set to `token` (`velum tokenize`).
    pub fn tokenize_all(mut self) -> Self {
        self.defaults.action = Action::Token;
        for e in self.entities.values_mut() {
            if let Some(r) = &mut e.rule {
                r.action = Action::Token;
            }
        }
        self
    }

    /// The first entity whose action needs a keyring, if any.
    pub fn needs_keyring(&self) -> Option<Option<Entity>> {
        if self.defaults.action.needs_keyring() {
            return Some(None);
        }
        self.entities
            .iter()
            .find(|(_, p)| p.rule.as_ref().is_some_and(|r| r.action.needs_keyring()))
            .map(|(e, _)| Some(*e))
    }

    /// Where the policy came from (a path, or a name given to [`Policy::from_toml_str`]).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The rule applied to `entity`.
    pub fn rule(&self, entity: Entity) -> &Rule {
        self.entities
            .get(&entity)
            .and_then(|e| e.rule.as_ref())
            .unwrap_or(&self.defaults)
    }

    pub(crate) fn custom_defs(&self) -> Result<Vec<DetectorDef>> {
        self.patterns
            .iter()
            .map(|p| {
                Ok(DetectorDef {
                    id: DetectorId::new(&format!("custom:{}", p.name)),
                    entity: p.entity,
                    validator: validate::by_name(&p.validator)
                        .ok_or_else(|| Error::config(format!("{}: unknown validator", p.origin)))?,
                    fixed_score: Some(p.score),
                    priority: p.priority,
                    max_score: p.score,
                    label_below: 0.0,
                    shapes: Vec::new(),
                    digits: None,
                    patterns: vec![p.regex.clone()],
                    context: p.context.clone(),
                    negative_context: Vec::new(),
                    negative_keys: Vec::new(),
                    context_boost: p.context_boost,
                    numeric: false,
                    max_len: None,
                    origin: p.origin.clone(),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn err(text: &str) -> String {
        let e = Policy::from_toml_str(text, "p.toml").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        e.to_string()
    }

    #[test]
    fn default_policy_loads() {
        let p = Policy::default();
        assert_eq!(p.rule(Entity::CREDIT_CARD).action, Action::Mask);
        assert_eq!(p.rule(Entity::EMAIL).action, Action::Label);
    }

    #[test]
    fn errors_name_file_line_and_field() {
        assert_eq!(
            err("min_score = 0.5\n[entities.CREDIT_CRD]\naction = \"mask\"\n"),
            "p.toml:2: entities: unknown entity \"CREDIT_CRD\" (not built in, and no [[patterns]] entry defines it)"
        );
        assert_eq!(
            err("[entities.EMAIL]\n\naction = \"scramble\"\n"),
            "p.toml:3: action: unknown action \"scramble\"; expected one of label, mask, drop, keep, token, hash"
        );
        assert!(
            err("[[patterns]]\nname = \"x\"\nentity = \"X_ID\"\nregex = 'a(b'\n")
                .starts_with("p.toml:4: regex: ")
        );
        assert!(
            err("[[patterns]]\nname = \"x\"\nentity = \"X_ID\"\nregex = 'a*'\n")
                .contains("empty string")
        );
        assert!(
            err("min_score = 2.0\n").starts_with("p.toml:1: min_score: must be between 0 and 1")
        );
        assert!(err("bogus = 1\n").starts_with("p.toml:1: unknown field `bogus`"));
        assert!(err("[entities.EMAIL\n").starts_with("p.toml:1: "));
        assert!(err("phone_regions = [\"US\", \"ZZ\"]\n").contains("unknown region \"ZZ\""));
        assert!(err("[entities.EMAIL]\nmask_char = \"9\"\n").starts_with("p.toml:2: mask_char:"));
    }

    #[test]
    fn custom_entities_may_be_configured() {
        let p = Policy::from_toml_str(
            "[[patterns]]\nname = \"emp\"\nentity = \"EMPLOYEE_ID\"\nregex = 'EMP-\\d{6}'\n[entities.EMPLOYEE_ID]\naction = \"drop\"\n",
            "p.toml",
        )
        .unwrap();
        assert_eq!(
            p.rule(Entity::parse("EMPLOYEE_ID").unwrap()).action,
            Action::Drop
        );
        assert_eq!(p.custom_defs().unwrap()[0].origin, "p.toml:4");
    }
}
