//! [`Redactor`]: a compiled policy plus detection engine, built once, shared freely
//! (`Send + Sync`, cheap to clone), used by the CLI, the stream adaptors and library callers.
//!
//! Input given to [`Redactor::scan`] or [`Redactor::redact`] is treated as text of one or more
//! lines: each line (without its `\n` or `\r\n`) is one unit, exactly as the `velum` binary
//! frames a stream, so the library and the CLI give byte-identical results.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use regex_automata::util::pool::Pool;

use crate::detect::context::Artifact;
use crate::detect::engine::{Engine, EngineOptions, Explained, Scratch};
use crate::detect::spec;
use crate::detect::validate::Settings;
use crate::error::Result;
use crate::phone::Regions;
use crate::policy::Policy;
use crate::record::{self, Kind, Structure};
use crate::span::{Entity, Finding, Span};
use crate::transform::{self, Action, Rule, Sealer};
use crate::vault::Keyring;
use crate::vault::codec;

pub(crate) struct Compiled {
    pub(crate) engine: Engine,
    rules: HashMap<Entity, Rule>,
    default_rule: Rule,
    keys: Option<KeySealer>,
}

/// Tokens and hashes for the `token` and `hash` actions, from canonical values.
struct KeySealer {
    keyring: Keyring,
    regions: Regions,
}

impl Sealer for KeySealer {
    fn token(&self, entity: Entity, value: &[u8], out: &mut Vec<u8>) {
        let canon = zeroize::Zeroizing::new(codec::canonical(entity, value, &self.regions));
        out.extend_from_slice(
            codec::Codec {
                keyring: &self.keyring,
            }
            .seal(entity, &canon)
            .as_bytes(),
        );
    }

    fn hash(&self, entity: Entity, value: &[u8], out: &mut Vec<u8>) {
        let canon = zeroize::Zeroizing::new(codec::canonical(entity, value, &self.regions));
        out.extend_from_slice(
            codec::Codec {
                keyring: &self.keyring,
            }
            .hash(entity, &canon)
            .as_bytes(),
        );
    }
}

/// Why a finding got its score; see [`Redactor::explain`].
///
/// # Example
/// ```
/// let e = velum::Redactor::new().explain(b"order_id=536-90-4399");
/// assert!(e.is_empty()); // lowered below the threshold by the `order_id` key
/// let e = &velum::Redactor::new().explain(b"ssn 536904399")[0];
/// assert_eq!((e.base_score, e.finding.score), (0.3, 0.65));
/// ```
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct Explanation {
    /// The finding.
    pub finding: Finding,
    /// The validator's score before context.
    pub base_score: f32,
    /// The context word that raised the score, if any.
    pub positive_context: Option<Span>,
    /// The negative context word that lowered it, if any.
    pub negative_context: Option<Span>,
    /// The name of the field the value is under (a JSON key), when the line is a record.
    pub field: Option<Span>,
    /// True when the field name alone made the finding (a PERSON under `first_name`...).
    pub by_field_name: bool,
}

type ScratchPool = Pool<Scratch, Box<dyn Fn() -> Scratch + Send + Sync>>;

/// Finds and rewrites personal data according to a [`Policy`].
///
/// # Example
/// ```
/// use velum::Redactor;
/// let r = Redactor::new(); // the embedded default policy
/// let out = r.redact(b"card 4111 1111 1111 1111 for jane@example.com\n");
/// assert_eq!(out.as_ref(), b"card **** **** **** 1111 for [EMAIL]\n");
/// // Nothing found: the input comes back borrowed, with no copy.
/// assert!(matches!(r.redact(b"all quiet\n"), std::borrow::Cow::Borrowed(_)));
/// ```
#[derive(Clone)]
pub struct Redactor {
    compiled: Arc<Compiled>,
    pool: Arc<ScratchPool>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor").finish_non_exhaustive()
    }
}

impl Default for Redactor {
    fn default() -> Self {
        Self::new()
    }
}

impl Redactor {
    /// A redactor with the embedded default policy.
    pub fn new() -> Self {
        Self::from_policy(&Policy::default()).expect("the embedded default policy compiles")
    }

    /// Compiles a policy with the built-in detectors and the policy's own patterns.
    ///
    /// # Errors
    /// [`ErrorKind::Config`](crate::ErrorKind::Config) when a custom pattern cannot be
    /// compiled (too large, for instance; the message names its file and line), or when the
    /// policy uses `token` or `hash` (those need [`Redactor::with_keyring`]).
    pub fn from_policy(policy: &Policy) -> Result<Self> {
        Self::build(policy, None)
    }

    /// Like [`Redactor::from_policy`], with a keyring for the `token` and `hash` actions.
    ///
    /// # Errors
    /// As [`Redactor::from_policy`].
    ///
    /// # Security
    /// Tokens are deterministic: equal values give equal tokens, which is what keeps joins
    /// and counts working, and all that they reveal.
    ///
    /// # Example
    /// ```
    /// use velum::{Keyring, Policy, Redactor};
    /// let r = Redactor::with_keyring(&Policy::default().tokenize_all(), Keyring::generate()?)?;
    /// let a = r.redact(b"mail jane@example.com");
    /// let b = r.redact(b"mail JANE@example.com");
    /// assert_eq!(a, b); // canonicalised first, so one value has one token
    /// assert!(a.starts_with(b"mail VLM_EMAIL_K1_"));
    /// # Ok::<(), velum::Error>(())
    /// ```
    pub fn with_keyring(policy: &Policy, keyring: Keyring) -> Result<Self> {
        Self::build(policy, Some(keyring))
    }

    fn build(policy: &Policy, keyring: Option<Keyring>) -> Result<Self> {
        if keyring.is_none()
            && let Some(which) = policy.needs_keyring()
        {
            let what = which.map_or_else(|| "[defaults]".to_owned(), |e| format!("entity {e}"));
            return Err(crate::Error::config(format!(
                "{}: {what} uses a token or hash action, which needs a keyring (--keyring FILE or VELUM_KEYRING)",
                policy.origin()
            )));
        }
        let (mut defs, negative) = spec::builtin()?;
        defs.extend(policy.custom_defs()?);
        // What this policy writes in place of values: redacting it again must change nothing.
        let mut entities: Vec<Entity> = Entity::BUILTIN.to_vec();
        entities.extend(defs.iter().map(|d| d.entity));
        let mut artifacts = vec![
            (Artifact::TokenPrefix, "VLM_".to_owned()),
            (Artifact::TokenPrefix, "VLMH_".to_owned()),
        ];
        for e in entities {
            let rule = policy.rule(e);
            match rule.action {
                Action::Label => {
                    artifacts.push((
                        Artifact::Label,
                        String::from_utf8_lossy(&rule.apply_to(e, b"")).into_owned(),
                    ));
                }
                Action::Mask => artifacts.push((
                    Artifact::MaskRun,
                    char::from(rule.mask_char).to_string().repeat(3),
                )),
                _ => {}
            }
        }
        let opts = EngineOptions {
            settings: Settings {
                phone_regions: policy.phone_regions.clone(),
            },
            min_score: policy.min_score,
            entities: policy
                .entities
                .iter()
                .map(|(e, p)| (*e, p.detection.clone()))
                .collect(),
            artifacts,
        };
        let engine = Engine::build(&defs, &negative, &opts)?;
        let rules = engine
            .entities()
            .map(|e| (e, policy.rule(e).clone()))
            .collect();
        let compiled = Arc::new(Compiled {
            engine,
            rules,
            default_rule: policy.defaults.clone(),
            keys: keyring.map(|keyring| KeySealer {
                keyring,
                regions: policy.phone_regions.clone(),
            }),
        });
        let for_pool = Arc::clone(&compiled);
        let make: Box<dyn Fn() -> Scratch + Send + Sync> =
            Box::new(move || for_pool.engine.scratch());
        Ok(Self {
            compiled,
            pool: Arc::new(Pool::new(make)),
        })
    }

    /// Runs `f` with a scratch from the redactor's pool (one per thread at a time).
    pub(crate) fn with_scratch<T>(&self, f: impl FnOnce(&mut Scratch) -> T) -> T {
        let mut s = self.pool.get();
        f(&mut s)
    }

    /// Fresh per-thread buffers for the `*_with` methods (see [`Scratch`]).
    pub fn scratch(&self) -> Scratch {
        self.compiled.engine.scratch()
    }

    /// The longest value any detector matches; stream chunking overlaps more than this.
    ///
    /// # Example
    /// ```
    /// assert!(velum::Redactor::new().max_match_len() >= 254); // an e-mail address
    /// ```
    pub fn max_match_len(&self) -> usize {
        self.compiled.engine.max_match_len()
    }

    /// The rule applied to an entity.
    ///
    /// # Example
    /// ```
    /// use velum::{Action, Entity, Redactor};
    /// assert_eq!(Redactor::new().rule(Entity::CREDIT_CARD).action, Action::Mask);
    /// ```
    pub fn rule(&self, entity: Entity) -> &Rule {
        self.compiled
            .rules
            .get(&entity)
            .unwrap_or(&self.compiled.default_rule)
    }

    /// Scans one unit (a line without its terminator) and appends its findings to `out`
    /// (example on [`Scratch`]). A line that is one JSON object is scanned field by field,
    /// each value with its field name as context ([`Format::Auto`](crate::Format::Auto)).
    pub fn scan_unit_with(&self, scratch: &mut Scratch, unit: &[u8], out: &mut Vec<Finding>) {
        self.scan_structured(scratch, unit, Structure::Auto, out);
    }

    /// Scans one unit read as `how`; findings are in `unit`'s byte offsets, in order.
    pub(crate) fn scan_structured(
        &self,
        scratch: &mut Scratch,
        unit: &[u8],
        how: Structure<'_>,
        out: &mut Vec<Finding>,
    ) {
        let fields = match how {
            Structure::Auto if record::looks_like_json_object(unit) => Some(None),
            Structure::Row(h) => Some(Some(h)),
            _ => None,
        };
        if let Some(header) = fields
            && self.scan_fields(scratch, unit, header, out)
        {
            return;
        }
        self.compiled.engine.scan(unit, scratch, out);
    }

    /// Applies a field name's verdict on PERSON to the findings of its value (spans relative
    /// to `value`): under `name`, `patient`, `cardholder`… a name-shaped value is a PERSON even
    /// if no dictionary knows it; under `hostname`, `service`… nothing is a PERSON.
    fn person_hint(&self, key: &[u8], value: &[u8], found: &mut Vec<Finding>) {
        match person_key(key) {
            Some(PersonKey::Never) => found.retain(|g| g.entity != Entity::PERSON),
            Some(PersonKey::Name(norm)) => self.person_hint_name(norm, value, found),
            None => {}
        }
    }

    /// [`Redactor::person_hint`] under a person key (`norm` its normalised form).
    fn person_hint_name(&self, norm: &str, value: &[u8], found: &mut Vec<Finding>) {
        let Ok(text) = std::str::from_utf8(value) else {
            return;
        };
        let trimmed = text.trim();
        let Some((id, entity, min)) = self.compiled.engine.detector("person") else {
            return;
        };
        // Words that also name other things need a known name in the value.
        let ambiguous = matches!(
            norm,
            "name"
                | "user"
                | "contact"
                | "owner"
                | "author"
                | "customer"
                | "holder"
                | "sender"
                | "recipient"
        );
        if !name_shaped(trimmed)
            || 0.9 < min
            || (ambiguous && !crate::detect::validate::has_dictionary_name(trimmed))
        {
            return;
        }
        let start = text.len() - text.trim_start().len();
        let span = Span::new(start, start + trimmed.len());
        found.retain(|g| g.entity != Entity::PERSON);
        if found.iter().any(|g| g.span.overlaps(span)) {
            return;
        }
        let at = found.partition_point(|g| g.span.start() < span.start());
        found.insert(
            at,
            Finding {
                span,
                entity,
                score: 0.9,
                detector: id,
                fragment: false,
            },
        );
    }

    /// Scans each value of a JSON object line (`header` `None`) or CSV row with its field
    /// name as context. False, with nothing added to `out`, when `unit` is not such a record.
    fn scan_fields(
        &self,
        scratch: &mut Scratch,
        unit: &[u8],
        header: Option<&record::CsvHeader>,
        out: &mut Vec<Finding>,
    ) -> bool {
        let mut rec = std::mem::take(&mut scratch.record);
        let ok = match header {
            None => record::json_fields(unit, &mut rec.fields),
            Some(h) => record::csv_fields(unit, h.sep, &mut rec.fields),
        };
        if ok && header.is_none() {
            self.scan_json(scratch, unit, &mut rec, out);
        } else if ok {
            for f in &rec.fields {
                rec.unit.clear();
                match header {
                    None => record::decode_json(&unit[f.key.clone()], &mut rec.dec, &mut rec.map),
                    Some(h) => {
                        rec.dec.clear();
                        if let Some(name) = h.names.get(f.column) {
                            rec.dec.extend_from_slice(name);
                        }
                    }
                }
                if !rec.dec.is_empty() {
                    rec.unit.extend_from_slice(&rec.dec);
                    rec.unit.extend_from_slice(b": ");
                }
                let at = rec.unit.len();
                decode_field(unit, f, &mut rec.dec, &mut rec.map);
                rec.unit.extend_from_slice(&rec.dec);
                rec.found.clear();
                self.compiled
                    .engine
                    .scan_field(&rec.unit, at, scratch, &mut rec.found);
                // Only findings in the value count: the key is context.
                rec.found.retain(|g| g.span.start() >= at);
                for g in &mut rec.found {
                    g.span = Span::new(g.span.start() - at, g.span.end() - at);
                }
                if at > 0 {
                    self.person_hint(&rec.unit[..at - 2], &rec.dec, &mut rec.found);
                }
                out.extend(rec.found.iter().map(|g| {
                    let (s, e) = (g.span.start(), g.span.end());
                    Finding {
                        span: Span::new(f.raw.start + rec.map[s], f.raw.start + rec.map[e]),
                        ..*g
                    }
                }));
            }
        }
        scratch.record = rec;
        ok
    }

    /// Scans the values of a JSON object line whose fields are in `rec.fields`: those without
    /// escapes in place, in one pass over the line (each value with its own key as context),
    /// the others decoded one by one; then each field name's verdict on PERSON.
    fn scan_json(
        &self,
        scratch: &mut Scratch,
        unit: &[u8],
        rec: &mut record::RecordScratch,
        out: &mut Vec<Finding>,
    ) {
        use crate::detect::engine::Segment;
        rec.segs.clear();
        rec.escaped.clear();
        for (i, f) in rec.fields.iter().enumerate() {
            let escaped =
                |r: &std::ops::Range<usize>| memchr::memchr(b'\\', &unit[r.clone()]).is_some();
            if escaped(&f.key) || escaped(&f.raw) {
                rec.escaped.push(i);
            } else {
                rec.segs.push(Segment {
                    key: (f.key.start, f.key.end),
                    value: (f.raw.start, f.raw.end),
                });
            }
        }
        let first = out.len();
        if !rec.segs.is_empty() {
            self.compiled
                .engine
                .scan_segments(unit, &rec.segs, scratch, out);
        }
        // Field names that decide PERSON, field by field (findings are in field order).
        let mut k = first;
        for f in &rec.fields {
            let key = &unit[f.key.clone()];
            let Some(class) = person_key(key) else {
                continue;
            };
            while k < out.len() && out[k].span.end() <= f.raw.start {
                k += 1;
            }
            let mut e = k;
            while e < out.len() && out[e].span.start() < f.raw.end {
                e += 1;
            }
            rec.found.clear();
            rec.found.extend(out[k..e].iter().map(|g| Finding {
                span: Span::new(g.span.start() - f.raw.start, g.span.end() - f.raw.start),
                ..*g
            }));
            match class {
                PersonKey::Never => rec.found.retain(|g| g.entity != Entity::PERSON),
                PersonKey::Name(norm) => {
                    self.person_hint_name(norm, &unit[f.raw.clone()], &mut rec.found)
                }
            }
            let now = rec.found.iter().map(|g| Finding {
                span: g.span.offset(f.raw.start),
                ..*g
            });
            let n = rec.found.len();
            out.splice(k..e, now);
            k += n;
        }
        // The escaped fields, decoded.
        if !rec.escaped.is_empty() {
            let escaped = std::mem::take(&mut rec.escaped);
            for &i in &escaped {
                let f = rec.fields[i].clone();
                rec.unit.clear();
                record::decode_json(&unit[f.key.clone()], &mut rec.dec, &mut rec.map);
                if !rec.dec.is_empty() {
                    rec.unit.extend_from_slice(&rec.dec);
                    rec.unit.extend_from_slice(b": ");
                }
                let at = rec.unit.len();
                decode_field(unit, &f, &mut rec.dec, &mut rec.map);
                rec.unit.extend_from_slice(&rec.dec);
                rec.found.clear();
                self.compiled
                    .engine
                    .scan_field(&rec.unit, at, scratch, &mut rec.found);
                rec.found.retain(|g| g.span.start() >= at);
                for g in &mut rec.found {
                    g.span = Span::new(g.span.start() - at, g.span.end() - at);
                }
                if at > 0 {
                    self.person_hint(&rec.unit[..at - 2], &rec.dec, &mut rec.found);
                }
                out.extend(rec.found.iter().map(|g| {
                    let (s, e) = (g.span.start(), g.span.end());
                    Finding {
                        span: Span::new(f.raw.start + rec.map[s], f.raw.start + rec.map[e]),
                        ..*g
                    }
                }));
            }
            rec.escaped = escaped;
            out[first..].sort_by_key(|g| g.span.start());
        }
    }

    /// Rewrites one unit whose findings are known. Borrowed when nothing changes.
    ///
    /// # Example
    /// ```
    /// let r = velum::Redactor::new();
    /// let unit = b"ip 203.0.113.9";
    /// let found = r.scan(unit);
    /// assert_eq!(r.rewrite_unit(unit, &found).as_ref(), b"ip [IP_ADDRESS]");
    /// ```
    pub fn rewrite_unit<'a>(&self, unit: &'a [u8], findings: &[Finding]) -> Cow<'a, [u8]> {
        self.rewrite_structured(unit, Structure::Auto, findings)
    }

    /// Rewrites one unit read as `how`, whose findings (from
    /// [`Redactor::scan_structured`] with the same `how`) are known. A record stays a valid
    /// record: JSON strings are re-escaped, a rewritten JSON number becomes a string, CSV
    /// quoting is kept (or added when needed); keys are never touched.
    pub(crate) fn rewrite_structured<'a>(
        &self,
        unit: &'a [u8],
        how: Structure<'_>,
        findings: &[Finding],
    ) -> Cow<'a, [u8]> {
        if findings.is_empty() {
            return Cow::Borrowed(unit);
        }
        let sealer = self.compiled.keys.as_ref().map(|k| k as &dyn Sealer);
        let header = match how {
            Structure::Auto if record::looks_like_json_object(unit) => Some(None),
            Structure::Row(h) => Some(Some(h)),
            _ => None,
        };
        if let Some(header) = header
            && let Some(out) = self.rewrite_fields(unit, header, findings, sealer)
        {
            return out;
        }
        transform::rewrite(unit, findings, |e| self.rule(e), sealer)
    }

    /// The record form of [`Redactor::rewrite_structured`]; `None` when `unit` is not such a
    /// record or a finding lies outside every value.
    fn rewrite_fields<'a>(
        &self,
        unit: &'a [u8],
        header: Option<&record::CsvHeader>,
        findings: &[Finding],
        sealer: Option<&dyn Sealer>,
    ) -> Option<Cow<'a, [u8]>> {
        let mut fields = Vec::new();
        let ok = match header {
            None => record::json_fields(unit, &mut fields),
            Some(h) => record::csv_fields(unit, h.sep, &mut fields),
        };
        if !ok {
            return None;
        }
        let (mut dec, mut map) = (Vec::new(), Vec::new());
        // Replacements of one field, with the raw span each replaces.
        let mut reps: Vec<(Span, Vec<u8>)> = Vec::new();
        let mut out: Option<Vec<u8>> = None;
        let (mut at, mut k) = (0, 0);
        for f in &fields {
            let first = k;
            while k < findings.len()
                && findings[k].span.start() >= f.raw.start
                && findings[k].span.end() <= f.raw.end
            {
                k += 1;
            }
            decode_field(unit, f, &mut dec, &mut map);
            reps.clear();
            for g in &findings[first..k] {
                let rule = self.rule(g.entity);
                if rule.action == Action::Keep {
                    continue;
                }
                // The rule sees the decoded value (what a token is made of); the replacement
                // goes where the value's raw bytes were, and every other byte stays.
                let d0 = record::to_decoded(&map, g.span.start() - f.raw.start);
                let d1 = record::to_decoded(&map, g.span.end() - f.raw.start);
                let mut rep = Vec::new();
                rule.write_finding(g.entity, &dec[d0..d1], g.fragment, &mut rep, sealer);
                reps.push((g.span, rep));
            }
            if reps.is_empty() {
                continue;
            }
            let o = out.get_or_insert_with(|| Vec::with_capacity(unit.len() + 16));
            match f.kind {
                Kind::JsonString => {
                    o.extend_from_slice(&unit[at..f.raw.start]);
                    splice(o, unit, f.raw.clone(), &reps, record::escape_json);
                }
                Kind::JsonNumber => {
                    o.extend_from_slice(&unit[at..f.raw.start]);
                    o.push(b'"');
                    splice(o, unit, f.raw.clone(), &reps, record::escape_json);
                    o.push(b'"');
                }
                Kind::Csv { quoted } => {
                    let sep = header.map_or(b',', |h| h.sep);
                    let needs = |r: &[u8]| {
                        r.iter()
                            .any(|&b| matches!(b, b'"' | b'\n' | b'\r') || b == sep)
                    };
                    let quote = quoted || reps.iter().any(|(_, r)| needs(r));
                    o.extend_from_slice(&unit[at..f.raw.start - usize::from(quoted)]);
                    if quote {
                        o.push(b'"');
                    }
                    // Unquoted raw text has no quotes to double; replacements are quoted as
                    // CSV wants when the field is.
                    let write = |r: &[u8], o: &mut Vec<u8>| {
                        for &b in r {
                            if quote && b == b'"' {
                                o.push(b'"');
                            }
                            o.push(b);
                        }
                    };
                    splice(o, unit, f.raw.clone(), &reps, write);
                    if quote {
                        o.push(b'"');
                    }
                }
            }
            at = f.raw.end + usize::from(matches!(f.kind, Kind::Csv { quoted: true }));
        }
        if k != findings.len() {
            return None;
        }
        Some(match out {
            None => Cow::Borrowed(unit),
            Some(mut o) => {
                o.extend_from_slice(&unit[at..]);
                Cow::Owned(o)
            }
        })
    }

    /// Each finding of one unit with the reasons for its score: the validator's base score
    /// and the context words that raised or lowered it.
    ///
    /// # Example
    /// ```
    /// let r = velum::Redactor::new();
    /// let unit = b"npi 1234567893";
    /// let e = &r.explain(unit)[0];
    /// assert_eq!(e.finding.entity, velum::Entity::US_NPI);
    /// assert!(e.base_score < e.finding.score);
    /// assert_eq!(&unit[e.positive_context.unwrap().range()], b"npi");
    /// ```
    pub fn explain(&self, unit: &[u8]) -> Vec<Explanation> {
        if record::looks_like_json_object(unit)
            && let Some(v) = self.explain_json(unit)
        {
            return v;
        }
        let mut scratch = self.pool.get();
        self.compiled
            .engine
            .explain(unit, &mut scratch)
            .into_iter()
            .map(
                |Explained {
                     finding,
                     base,
                     effect,
                 }| Explanation {
                    finding,
                    base_score: base,
                    positive_context: effect.positive.map(|h| h.span),
                    negative_context: effect.negative.map(|h| h.span),
                    field: None,
                    by_field_name: false,
                },
            )
            .collect()
    }

    /// [`Redactor::explain`] of a JSON object line, field by field, in raw line offsets.
    fn explain_json(&self, unit: &[u8]) -> Option<Vec<Explanation>> {
        let mut fields = Vec::new();
        if !record::json_fields(unit, &mut fields) {
            return None;
        }
        let mut scratch = self.pool.get();
        let (mut kd, mut km, mut vd, mut vm) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut out = Vec::new();
        for f in &fields {
            record::decode_json(&unit[f.key.clone()], &mut kd, &mut km);
            let mut u = kd.clone();
            if !kd.is_empty() {
                u.extend_from_slice(b": ");
            }
            let at = u.len();
            decode_field(unit, f, &mut vd, &mut vm);
            u.extend_from_slice(&vd);
            let key_span = Span::new(f.key.start, f.key.end);
            let map = |s: Span| -> Span {
                if s.end() <= kd.len() {
                    Span::new(f.key.start + km[s.start()], f.key.start + km[s.end()])
                } else if s.start() >= at {
                    Span::new(
                        f.raw.start + vm[s.start() - at],
                        f.raw.start + vm[s.end() - at],
                    )
                } else {
                    key_span
                }
            };
            let explained = self.compiled.engine.explain_field(&u, at, &mut scratch);
            let mut mine: Vec<Finding> = Vec::new();
            for e in explained.iter().filter(|e| e.finding.span.start() >= at) {
                out.push(Explanation {
                    finding: Finding {
                        span: map(e.finding.span),
                        ..e.finding
                    },
                    base_score: e.base,
                    positive_context: e.effect.positive.map(|h| map(h.span)),
                    negative_context: e.effect.negative.map(|h| map(h.span)),
                    field: (!kd.is_empty()).then_some(key_span),
                    by_field_name: false,
                });
                mine.push(Finding {
                    span: Span::new(e.finding.span.start() - at, e.finding.span.end() - at),
                    ..e.finding
                });
            }
            if !kd.is_empty() {
                let before = mine.clone();
                self.person_hint(&kd, &vd, &mut mine);
                for g in mine.iter().filter(|g| !before.contains(g)) {
                    out.push(Explanation {
                        finding: Finding {
                            span: Span::new(
                                f.raw.start + vm[g.span.start()],
                                f.raw.start + vm[g.span.end()],
                            ),
                            ..*g
                        },
                        base_score: g.score,
                        positive_context: None,
                        negative_context: None,
                        field: Some(key_span),
                        by_field_name: true,
                    });
                }
                // A field name that rules PERSON out removes the dictionary's guesses.
                let removed: Vec<Span> = before
                    .iter()
                    .filter(|g| !mine.contains(g))
                    .map(|g| {
                        Span::new(
                            f.raw.start + vm[g.span.start()],
                            f.raw.start + vm[g.span.end()],
                        )
                    })
                    .collect();
                out.retain(|e| !removed.contains(&e.finding.span));
            }
        }
        Some(out)
    }

    /// Findings in `text`, with spans relative to `text`, line by line.
    ///
    /// # Example
    /// ```
    /// let r = velum::Redactor::new();
    /// let f = r.scan(b"ok\nssn 536-90-4399\n");
    /// assert_eq!(f[0].entity, velum::Entity::US_SSN);
    /// assert_eq!(f[0].span.start(), 7);
    /// ```
    pub fn scan(&self, text: &[u8]) -> Vec<Finding> {
        let mut scratch = self.pool.get();
        let mut out = Vec::new();
        let mut unit_findings = Vec::new();
        for (start, unit, _) in lines(text) {
            unit_findings.clear();
            self.scan_unit_with(&mut scratch, unit, &mut unit_findings);
            out.extend(unit_findings.iter().map(|f| Finding {
                span: f.span.offset(start),
                ..*f
            }));
        }
        out
    }

    /// `text` with every finding rewritten by the policy; borrowed when nothing changes.
    pub fn redact<'a>(&self, text: &'a [u8]) -> Cow<'a, [u8]> {
        let mut scratch = self.pool.get();
        self.redact_with(&mut scratch, text)
    }

    /// [`Redactor::redact`] with caller-held buffers.
    ///
    /// # Example
    /// ```
    /// let r = velum::Redactor::new();
    /// let mut scratch = r.scratch();
    /// assert_eq!(r.redact_with(&mut scratch, b"x@example.com").as_ref(), b"[EMAIL]");
    /// ```
    pub fn redact_with<'a>(&self, scratch: &mut Scratch, text: &'a [u8]) -> Cow<'a, [u8]> {
        let mut findings = Vec::new();
        let mut out: Option<Vec<u8>> = None;
        for (start, unit, term) in lines(text) {
            findings.clear();
            self.scan_unit_with(scratch, unit, &mut findings);
            match (self.rewrite_unit(unit, &findings), &mut out) {
                (Cow::Borrowed(_), None) => {}
                (Cow::Borrowed(u), Some(o)) => {
                    o.extend_from_slice(u);
                    o.extend_from_slice(term);
                }
                (Cow::Owned(u), o) => {
                    let o = o.get_or_insert_with(|| {
                        let mut v = Vec::with_capacity(text.len() + 16);
                        v.extend_from_slice(&text[..start]);
                        v
                    });
                    o.extend_from_slice(&u);
                    o.extend_from_slice(term);
                }
            }
        }
        match out {
            Some(o) => Cow::Owned(o),
            None => Cow::Borrowed(text),
        }
    }

    /// [`Redactor::redact`] for `&str`. Replacements are ASCII or copied bytes, so the result
    /// stays UTF-8.
    ///
    /// # Example
    /// ```
    /// let r = velum::Redactor::new();
    /// assert_eq!(r.redact_str("mail jane@example.com"), "mail [EMAIL]");
    /// ```
    pub fn redact_str<'a>(&self, text: &'a str) -> Cow<'a, str> {
        match self.redact(text.as_bytes()) {
            Cow::Borrowed(_) => Cow::Borrowed(text),
            Cow::Owned(v) => Cow::Owned(String::from_utf8_lossy(&v).into_owned()),
        }
    }
}

impl Redactor {
    /// Redacts a parsed JSON value in place: every string and number is scanned with its
    /// field name in front of it as context (`"ssn": 536904399` is an SSN, a bare number is
    /// not); keys are never altered; a redacted number becomes a string. Returns the number
    /// of findings.
    ///
    /// # Example
    /// ```
    /// let r = velum::Redactor::new();
    /// let mut v = serde_json::json!({
    ///     "user": {"email": "jane@example.com", "ssn": 536904399},
    ///     "order_id": 536904399,
    ///     "tags": ["ok", "call +44 20 7946 0958"]
    /// });
    /// assert_eq!(r.redact_json(&mut v), 3);
    /// assert_eq!(v["user"]["email"], "[EMAIL]");
    /// assert_eq!(v["user"]["ssn"], "*****4399");
    /// assert_eq!(v["order_id"], 536904399); // a number under an `order_id` key is not an SSN
    /// assert_eq!(v["tags"][1], "call [PHONE]");
    /// ```
    pub fn redact_json(&self, value: &mut serde_json::Value) -> usize {
        let mut scratch = self.pool.get();
        let mut findings = Vec::new();
        let mut unit = Vec::new();
        self.json_walk(value, None, &mut scratch, &mut findings, &mut unit)
    }

    fn json_walk(
        &self,
        v: &mut serde_json::Value,
        key: Option<&str>,
        scratch: &mut Scratch,
        findings: &mut Vec<Finding>,
        unit: &mut Vec<u8>,
    ) -> usize {
        use serde_json::Value;
        let text = match v {
            Value::Object(map) => {
                return map
                    .iter_mut()
                    .map(|(k, child)| self.json_walk(child, Some(k), scratch, findings, unit))
                    .sum();
            }
            Value::Array(items) => {
                return items
                    .iter_mut()
                    .map(|child| self.json_walk(child, key, scratch, findings, unit))
                    .sum();
            }
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Null | Value::Bool(_) => return 0,
        };
        // The unit is `key: value`, so the key is context; only findings in the value count.
        unit.clear();
        if let Some(k) = key {
            unit.extend_from_slice(k.as_bytes());
            unit.extend_from_slice(b": ");
        }
        let at = unit.len();
        unit.extend_from_slice(text.as_bytes());
        findings.clear();
        self.compiled.engine.scan_field(unit, at, scratch, findings);
        let mine: Vec<Finding> = findings
            .iter()
            .filter(|f| f.span.start() >= at)
            .map(|f| Finding {
                span: Span::new(f.span.start() - at, f.span.end() - at),
                ..*f
            })
            .collect();
        if let Cow::Owned(new) = self.rewrite_unit(text.as_bytes(), &mine) {
            *v = Value::String(String::from_utf8_lossy(&new).into_owned());
        }
        mine.len()
    }
}

/// What a field name says about PERSON.
#[derive(Clone, Copy)]
enum PersonKey<'a> {
    /// A name field (`first_name`, `patient`…), with the normalised key.
    Name(&'a str),
    /// A field whose values are never people (`hostname`, `service`…).
    Never,
}

/// The verdict of field name `key` on PERSON, normalised in a stack buffer (this runs for
/// every field of every record): lower case without `_`, `-`, ` ` or `.`.
fn person_key(key: &[u8]) -> Option<PersonKey<'static>> {
    let mut buf = [0u8; 24];
    let mut len = 0;
    for &b in key {
        if matches!(b, b'_' | b'-' | b' ' | b'.') {
            continue;
        }
        if len == buf.len() || !b.is_ascii_alphanumeric() {
            return None;
        }
        buf[len] = b.to_ascii_lowercase();
        len += 1;
    }
    let norm = std::str::from_utf8(&buf[..len]).ok()?;
    if is_not_person_key(norm) {
        return Some(PersonKey::Never);
    }
    PERSON_KEYS
        .iter()
        .find(|k| **k == norm)
        .map(|k| PersonKey::Name(k))
}

/// Field names that say their value is a person's name (ENTITIES.md §6), normalised: lower
/// case without `_`, `-` or spaces (`firstName`, `first_name` and `First Name` are equal).
const PERSON_KEYS: &[&str] = &[
    "name",
    "fullname",
    "firstname",
    "givenname",
    "middlename",
    "lastname",
    "surname",
    "familyname",
    "displayname",
    "patient",
    "patientname",
    "customer",
    "customername",
    "user",
    "username",
    "holder",
    "accountholder",
    "cardholder",
    "cardholdername",
    "nameoncard",
    "beneficiary",
    "payee",
    "recipient",
    "sender",
    "contact",
    "contactname",
    "emergencycontact",
    "guarantor",
    "insured",
    "subscriber",
    "physician",
    "providername",
    "author",
    "owner",
    "signedby",
    "nok",
    "nextofkin",
    "employee",
    "employeename",
    "applicant",
];

/// Field names whose values are never people (a service's `name`, a `hostname`...).
fn is_not_person_key(k: &str) -> bool {
    matches!(
        k,
        "hostname"
            | "host"
            | "filename"
            | "file"
            | "service"
            | "servicename"
            | "app"
            | "appname"
            | "logger"
            | "class"
            | "method"
            | "function"
            | "bucket"
            | "table"
            | "queue"
            | "topic"
            | "index"
            | "container"
            | "pod"
            | "image"
            | "region"
            | "zone"
            | "env"
            | "level"
            | "thread"
            | "event"
            | "path"
            | "url"
            | "status"
    )
}

/// True for a value shaped like a name: 1–6 tokens of letters (and `.'’-`), each starting
/// with an upper-case letter or a lower-case particle; `Surname, Given` allowed.
fn name_shaped(v: &str) -> bool {
    let tokens: Vec<&str> = v.split([' ', ',']).filter(|t| !t.is_empty()).collect();
    !tokens.is_empty()
        && tokens.len() <= 6
        && v.len() <= 80
        && tokens.iter().all(|t| {
            t.chars()
                .all(|c| c.is_alphabetic() || matches!(c, '.' | '\'' | '’' | '-'))
                && (t.starts_with(char::is_uppercase)
                    || matches!(
                        *t,
                        "van"
                            | "von"
                            | "der"
                            | "den"
                            | "de"
                            | "la"
                            | "del"
                            | "di"
                            | "da"
                            | "du"
                            | "le"
                            | "y"
                    ))
        })
        && tokens.iter().any(|t| t.starts_with(char::is_uppercase))
}

/// Writes the raw bytes of `raw` with each replacement (encoded by `encode`) in place of the
/// raw span it replaces.
fn splice(
    o: &mut Vec<u8>,
    unit: &[u8],
    raw: std::ops::Range<usize>,
    reps: &[(Span, Vec<u8>)],
    encode: impl Fn(&[u8], &mut Vec<u8>),
) {
    let mut at = raw.start;
    for (span, rep) in reps {
        o.extend_from_slice(&unit[at..span.start()]);
        encode(rep, o);
        at = span.end();
    }
    o.extend_from_slice(&unit[at..raw.end]);
}

/// Decodes a field's value into `dec`, with the map back to its raw bytes.
fn decode_field(unit: &[u8], f: &record::Field, dec: &mut Vec<u8>, map: &mut Vec<usize>) {
    let raw = &unit[f.raw.clone()];
    match f.kind {
        Kind::JsonString => record::decode_json(raw, dec, map),
        Kind::JsonNumber => record::decode_csv(raw, false, dec, map),
        Kind::Csv { quoted } => record::decode_csv(raw, quoted, dec, map),
    }
}

/// Splits text into `(offset, unit, terminator)`: the unit excludes `\n` or `\r\n`.
pub(crate) fn lines(text: &[u8]) -> impl Iterator<Item = (usize, &[u8], &[u8])> {
    let mut at = 0;
    std::iter::from_fn(move || {
        if at >= text.len() {
            return None;
        }
        let start = at;
        let (content_end, next) = match memchr::memchr(b'\n', &text[at..]) {
            Some(i) => {
                let nl = at + i;
                let ce = if nl > start && text[nl - 1] == b'\r' {
                    nl - 1
                } else {
                    nl
                };
                (ce, nl + 1)
            }
            None => (text.len(), text.len()),
        };
        at = next;
        Some((start, &text[start..content_end], &text[content_end..next]))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_keeps_terminators() {
        let v: Vec<_> = lines(b"a\r\nb\n\nc").collect();
        assert_eq!(
            v,
            vec![
                (0, &b"a"[..], &b"\r\n"[..]),
                (3, &b"b"[..], &b"\n"[..]),
                (5, &b""[..], &b"\n"[..]),
                (6, &b"c"[..], &b""[..])
            ]
        );
    }

    #[test]
    fn redact_is_byte_transparent_around_findings() {
        let r = Redactor::new();
        let input = b"\xff\x00 a 536-90-4399\r\nquiet\nlast jane@example.com";
        let out = r.redact(input);
        assert_eq!(
            out.as_ref(),
            b"\xff\x00 a ***-**-4399\r\nquiet\nlast [EMAIL]"
        );
    }

    /// See: fuzz/regressions/scan/label-context-idempotence — the label `[IP_ADDRESS]` held
    /// the context word "ip", which raised a `::` nearby on a second pass.
    #[test]
    fn regression_redaction_artifacts_do_not_change_context() {
        let r = Redactor::new();
        for input in [
            &b"::c?c?::"[..],
            b"card 4111 1111 1111 1111 8000000000000003",
            b"call +44 20 7946 0958, nhs 943 476 5919",
            b"ip 203.0.113.9 ::",
            // See: fuzz/regressions/scan/artifact-at-window-edge — a label cut by the edge of
            // the context search window looked like the word "ip".
            include_bytes!("../fuzz/regressions/scan/artifact-at-window-edge"),
            include_bytes!("../fuzz/regressions/scan/label-context-idempotence"),
            // See: fuzz/regressions/scan/loser-remainder — what stuck out of a beaten IPv6
            // candidate became a finding once the winning phone was labelled.
            include_bytes!("../fuzz/regressions/scan/loser-remainder"),
            include_bytes!("../fuzz/regressions/scan/iban-greedy-group"),
            // See: fuzz/regressions/scan/date-comma-list-idempotence — an SSN after
            // `1993-10-06,` was taken for the tail of one number until the date was labelled.
            include_bytes!("../fuzz/regressions/scan/date-comma-list-idempotence"),
            // See: fuzz/regressions/scan/address-before-email-idempotence — an address was
            // rejected for the lower-case word after it, an e-mail address, until the e-mail
            // was labelled.
            include_bytes!("../fuzz/regressions/scan/address-before-email-idempotence"),
            // See: fuzz/regressions/scan/person-cut-short-idempotence — a name the validator
            // cut out of a longer PERSON candidate hid another name in the rest of it, until
            // the first was labelled.
            include_bytes!("../fuzz/regressions/scan/person-cut-short-idempotence"),
            br#"{"last_name": "Flore Jefferson Drive, Boston, MA 02108"}"#,
            // See: fuzz/regressions/scan/person-prefix-idempotence — the validator kept the
            // second of two names in one candidate; the first was found once it was labelled.
            include_bytes!("../fuzz/regressions/scan/person-prefix-idempotence"),
            "customer=Björn Lee Łukasz Patel\n".as_bytes(),
            // See: fuzz/regressions/scan/ip-after-comma-idempotence — `4161,203.0.113.9` read
            // as one number (`1,234.5`) until the IP address was labelled.
            include_bytes!("../fuzz/regressions/scan/ip-after-comma-idempotence"),
            b"629-26-4161,203.0.113.9 and 10.0.0.1,536-90-4399",
            // See: fuzz/regressions/scan/address-tail-cut-idempotence — an address whose
            // `, City, ST ZIP` ran on into a word was rejected whole until the city was
            // labelled.
            include_bytes!("../fuzz/regressions/scan/address-tail-cut-idempotence"),
            include_bytes!("../fuzz/regressions/scan/address-tail-cut-idempotence-2"),
            b"6562 E Hill Way, Denver, CO 80202iii",
            // See: fuzz/regressions/scan/person-next-to-value-idempotence — a lone name was
            // rejected for the capital of the e-mail address after it, until it was labelled.
            include_bytes!("../fuzz/regressions/scan/person-next-to-value-idempotence"),
            b"emergency contact Olga O'@example.net ph",
            // See: fuzz/regressions/scan/phone-comma-list-idempotence — an SSN after
            // `0491 570 507,` read as the tail of `507,299` until the phone was labelled.
            include_bytes!("../fuzz/regressions/scan/phone-comma-list-idempotence"),
            b"\"0491 570 507,299-54-9160,",
            b"a,1993-10-06,091-26-2328, dob 1993-10-06,091-26-2328 4111111111111111,536904399",
        ] {
            let once = r.redact(input).into_owned();
            assert_eq!(
                r.redact(&once).as_ref(),
                once.as_slice(),
                "{}",
                String::from_utf8_lossy(input)
            );
        }
        let k = Redactor::with_keyring(
            &Policy::default().tokenize_all(),
            Keyring::generate().unwrap(),
        )
        .unwrap();
        let input = b"ip 203.0.113.9 :: card 4111 1111 1111 1111 8000000000000003";
        let once = k.redact(input).into_owned();
        assert_eq!(k.redact(&once).as_ref(), once.as_slice());
        assert_eq!(r.redact(&once).as_ref(), once.as_slice());
    }

    fn redact_as(format: crate::Format, input: &str) -> String {
        let mut out = Vec::new();
        Redactor::new()
            .redact_stream_as(input.as_bytes(), &mut out, format)
            .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn json_lines_stay_valid_json_with_keys_untouched() {
        let line = r#"{"jane@example.com": "key stays", "user": {"email": "jane@example.com", "ssn": 536904399, "list": [{"ip": "203.0.113.9"}, "x\"y\\z \u00e9 bob@example.org\n"]}, "order_id": 536904399, "ok": true, "n": null}"#;
        let out = redact_as(crate::Format::Auto, &format!("{line}\n"));
        let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON out");
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys[0], "jane@example.com", "keys are never altered");
        assert_eq!(v["jane@example.com"], "key stays");
        assert_eq!(v["user"]["email"], "[EMAIL]");
        assert_eq!(
            v["user"]["ssn"], "*****4399",
            "a redacted number becomes a string"
        );
        assert_eq!(v["user"]["list"][0]["ip"], "[IP_ADDRESS]");
        assert_eq!(v["user"]["list"][1], "x\"y\\z é [EMAIL]\n");
        assert_eq!(v["order_id"], 536904399, "field name as negative context");
        assert_eq!(v["ok"], true);
        // Spacing and the rest of the line are kept byte for byte.
        assert!(out.starts_with(
            r#"{"jane@example.com": "key stays", "user": {"email": "[EMAIL]", "ssn": "*****4399""#
        ));
    }

    /// Found in review: re-escaping a whole string value changed bytes outside the finding
    /// (`\u0041` became `A`). Only the finding's raw bytes may change.
    #[test]
    fn json_rewrite_keeps_every_byte_outside_findings() {
        let line = r#"{"note": "\u0041 \"x\" jane@example.com \u00e9", "n": 1}"#;
        let out = redact_as(crate::Format::Auto, line);
        assert_eq!(out, r#"{"note": "\u0041 \"x\" [EMAIL] \u00e9", "n": 1}"#);
        let csv = "a,b\n\"q\"\"x jane@example.com\",y jane@example.com\n";
        let out = redact_as(crate::Format::Csv, csv);
        assert_eq!(out, "a,b\n\"q\"\"x [EMAIL]\",y [EMAIL]\n");
    }

    #[test]
    fn a_replacement_that_needs_quotes_quotes_its_csv_field() {
        let p = Policy::from_toml_str("label = \"<{entity}, \\\"x\\\">\"\n", "p.toml").unwrap();
        let r = Redactor::from_policy(&p).unwrap();
        let mut out = Vec::new();
        r.redact_stream_as(
            &b"a,b\nmail jane@example.com,z\n"[..],
            &mut out,
            crate::Format::Csv,
        )
        .unwrap();
        assert_eq!(out, b"a,b\n\"mail <EMAIL, \"\"x\"\">\",z\n");
    }

    #[test]
    fn json_findings_are_in_raw_line_offsets() {
        let line = br#"{"aA": "A jane@example.com"}"#;
        let r = Redactor::new();
        let f = r.scan(line);
        assert_eq!(f.len(), 1);
        assert_eq!(&line[f[0].span.range()], b"jane@example.com");
    }

    #[test]
    fn a_field_name_is_context_however_far_away() {
        let pad = "x".repeat(200);
        let line = format!(r#"{{"ssn": "{pad} 536904399"}}"#);
        assert_eq!(Redactor::new().scan(line.as_bytes()).len(), 1);
        // As text, the word is too far away to count.
        let out = redact_as(crate::Format::Text, &line);
        assert_eq!(out, line);
    }

    #[test]
    fn malformed_json_is_scanned_as_text() {
        for line in [
            r#"{"email": "jane@example.com""#,
            r#"{"email": "jane@example.com",}"#,
            r#"{"email": 'jane@example.com'}"#,
        ] {
            assert!(
                redact_as(crate::Format::Auto, line).contains("[EMAIL]"),
                "{line}"
            );
        }
    }

    #[test]
    fn csv_columns_are_context_and_quoting_is_kept() {
        let input = "id,Name,email,ssn,note\n1,\"Doe, Jane\",jane@example.com,536904399,\"said \"\"hi\"\" 536-90-4399\"\n2,,\"bob@example.org\",,\n3,\"open quote,x\n";
        let out = redact_as(crate::Format::Csv, input);
        assert_eq!(
            out,
            "id,Name,email,ssn,note\n1,\"[PERSON]\",[EMAIL],*****4399,\"said \"\"hi\"\" ***-**-4399\"\n2,,\"[EMAIL]\",,\n3,\"open quote,x\n"
        );
        // The same number without the column name is not an SSN.
        assert_eq!(
            redact_as(crate::Format::Text, "1,536904399\n"),
            "1,536904399\n"
        );
        let tsv = redact_as(crate::Format::Tsv, "ssn\tx\n536904399\ty\n");
        assert_eq!(tsv, "ssn\tx\n*****4399\ty\n");
    }

    #[test]
    fn send_sync_clone() {
        fn assert_traits<T: Send + Sync + Clone>() {}
        assert_traits::<Redactor>();
    }
}
