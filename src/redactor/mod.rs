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

mod detailed;
mod encoded;
mod explain;
mod fields;
mod fixed_point;
mod hl7;
mod json;
mod json_value;
mod labelled;
mod person_field;
mod readings;
mod rows;
mod scratch;
mod typed;

pub use detailed::{Redacted, Replacement};
pub use explain::Explanation;
pub use json_value::{JsonFinding, JsonOptions};
pub use scratch::Scratch;

use crate::detect::context::Artifact;
use crate::detect::engine::{Engine, EngineOptions, EntityOptions};
use crate::detect::spec;
use crate::detect::validate::Settings;
use crate::error::Result;
use crate::phone::Regions;
use crate::policy::Policy;
use crate::record::{self, Structure};
use crate::span::{Entity, Finding, Span};
use crate::transform::{self, Action, Edit, Rule, Sealer};
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
    /// Shared with the redactors [`Redactor::with_policy`] makes: one copy of the keys.
    keyring: Arc<Keyring>,
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

    /// A redactor for another policy with this one's keyring (if it has one): what a caller
    /// that varies the entities, threshold, allow-list or actions per call compiles, with no
    /// second copy of the keys.
    ///
    /// # Errors
    /// As [`Redactor::from_policy`] (a `token` or `hash` action needs this redactor to have a
    /// keyring).
    ///
    /// # Example
    /// ```
    /// use velum::{Action, Entity, Keyring, Policy, Redactor, Rule};
    /// let base = Redactor::with_keyring(&Policy::default(), Keyring::generate()?)?;
    /// let rule = Rule { action: Action::Token, ..Rule::default() };
    /// let r = base.with_policy(&Policy::default().with_rule(Entity::EMAIL, rule))?;
    /// assert!(r.redact_str("jane@example.com").starts_with("VLM_EMAIL_"));
    /// # Ok::<(), velum::Error>(())
    /// ```
    pub fn with_policy(&self, policy: &Policy) -> Result<Self> {
        Self::build_shared(
            policy,
            self.compiled.keys.as_ref().map(|k| Arc::clone(&k.keyring)),
        )
    }

    fn build(policy: &Policy, keyring: Option<Keyring>) -> Result<Self> {
        Self::build_shared(policy, keyring.map(Arc::new))
    }

    fn build_shared(policy: &Policy, keyring: Option<Arc<Keyring>>) -> Result<Self> {
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
        if let Some(only) = &policy.only {
            defs.retain(|d| only.contains(&d.entity));
        }
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
            entities: {
                let mut m: HashMap<Entity, EntityOptions> = policy
                    .entities
                    .iter()
                    .map(|(e, p)| (*e, p.detection.clone()))
                    .collect();
                if !policy.allow_all.is_empty() {
                    for d in &defs {
                        m.entry(d.entity)
                            .or_default()
                            .allow
                            .extend(policy.allow_all.iter().cloned());
                    }
                }
                m
            },
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
        let make: Box<dyn Fn() -> Scratch + Send + Sync> = Box::new(move || Scratch {
            engine: for_pool.engine.scratch(),
            record: Default::default(),
        });
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
        Scratch {
            engine: self.compiled.engine.scratch(),
            record: Default::default(),
        }
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

    /// The entities this redactor detects (built-in and the policy's own), each once, in
    /// name order.
    ///
    /// # Example
    /// ```
    /// let r = velum::Redactor::new();
    /// assert!(r.entities().contains(&velum::Entity::US_SSN));
    /// ```
    pub fn entities(&self) -> Vec<Entity> {
        let mut v: Vec<Entity> = self.compiled.engine.entities().collect();
        v.sort_by_key(|e| e.name());
        v.dedup();
        v
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
    ///
    /// The findings are the union of every reading of the unit — its text is the floor,
    /// structure only adds (see `readings`) — and those of the unit as the next pass reads
    /// it too (see `fixed_point`): what comes out is what a second pass confirms.
    pub(crate) fn scan_structured(
        &self,
        scratch: &mut Scratch,
        unit: &[u8],
        how: Structure<'_>,
        out: &mut Vec<Finding>,
    ) {
        let first = out.len();
        self.scan_once(scratch, unit, how, out);
        self.settle(
            out,
            first,
            &|found, text, edits| self.rewrite_into(unit, how, found, text, Some(edits)),
            &mut |text, more| self.scan_once(scratch, text, how, more),
        );
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
    /// record: JSON strings and keys are re-escaped, a rewritten JSON number becomes a
    /// string, CSV quoting is kept (or added when needed).
    pub(crate) fn rewrite_structured<'a>(
        &self,
        unit: &'a [u8],
        how: Structure<'_>,
        findings: &[Finding],
    ) -> Cow<'a, [u8]> {
        if findings.is_empty() {
            return Cow::Borrowed(unit);
        }
        let mut out = Vec::new();
        if self.rewrite_into(unit, how, findings, &mut out, None) {
            Cow::Owned(out)
        } else {
            Cow::Borrowed(unit)
        }
    }

    /// [`Redactor::rewrite_structured`] into `out` (cleared first), each change recorded in
    /// `edits` when given; false, with `out` empty, when nothing changes.
    pub(crate) fn rewrite_into(
        &self,
        unit: &[u8],
        how: Structure<'_>,
        findings: &[Finding],
        out: &mut Vec<u8>,
        mut edits: Option<&mut Vec<Edit>>,
    ) -> bool {
        let sealer = self.compiled.keys.as_ref().map(|k| k as &dyn Sealer);
        let header = match how {
            Structure::Auto if record::looks_like_json_object(unit) => Some(None),
            Structure::Row(h) => Some(Some(h)),
            _ => None,
        };
        if let Some(header) = header
            && let Some(changed) =
                self.rewrite_fields(unit, header, findings, sealer, out, edits.as_deref_mut())
        {
            return changed;
        }
        if matches!(how, Structure::Auto)
            && let Some(at) = record::json::embedded_object(unit)
            && let Some(changed) =
                self.rewrite_embedded(unit, at, findings, out, edits.as_deref_mut())
        {
            return changed;
        }
        if let Some(e) = edits.as_deref_mut() {
            e.clear();
        }
        if crate::decode::needs(unit) {
            return self.rewrite_encoded(unit, findings, sealer, out, edits);
        }
        transform::rewrite_into(unit, findings, |e| self.rule(e), sealer, out, edits)
    }

    /// [`Redactor::rewrite_into`] of a line of text that ends with a JSON object at `at`: the
    /// text before it as text, the object as a record (so it stays valid JSON). `None` when a
    /// finding runs over the object's start (then the line is rewritten as text).
    fn rewrite_embedded(
        &self,
        unit: &[u8],
        at: usize,
        findings: &[Finding],
        out: &mut Vec<u8>,
        edits: Option<&mut Vec<Edit>>,
    ) -> Option<bool> {
        let k = findings.partition_point(|f| f.span.start() < at);
        if findings[..k].iter().any(|f| f.span.end() > at) {
            return None;
        }
        let inner: Vec<Finding> = findings[k..]
            .iter()
            .map(|f| Finding {
                span: Span::new(f.span.start() - at, f.span.end() - at),
                ..*f
            })
            .collect();
        let (mut head, mut tail) = (Vec::new(), Vec::new());
        let (mut head_edits, mut tail_edits) = (Vec::new(), Vec::new());
        let head_changed = self.rewrite_into(
            &unit[..at],
            Structure::Text,
            &findings[..k],
            &mut head,
            Some(&mut head_edits),
        );
        let tail_changed = self.rewrite_into(
            &unit[at..],
            Structure::Auto,
            &inner,
            &mut tail,
            Some(&mut tail_edits),
        );
        out.clear();
        if !head_changed && !tail_changed {
            return Some(false);
        }
        out.extend_from_slice(if head_changed { &head } else { &unit[..at] });
        let base = out.len();
        out.extend_from_slice(if tail_changed { &tail } else { &unit[at..] });
        if let Some(e) = edits {
            e.clear();
            e.extend(head_edits);
            e.extend(tail_edits.into_iter().map(|x| Edit {
                from: x.from.start + at..x.from.end + at,
                to: x.to.start + base..x.to.end + base,
            }));
        }
        Some(true)
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

    /// A verdict that turns on a neighbour is the same before and after the neighbour is
    /// redacted: the findings are those of the fixed point (fuzz/regressions/json/*).
    #[test]
    fn findings_are_those_the_next_pass_sees_too() {
        let r = Redactor::new();
        for line in [
            &b"{\"us\":\"22-610-125(3::6-02-0366-1101:13:01:34\"}"[..],
            b"{\"contact\":\"DE89 5533 0/44 0532 0130 030\"}",
            b"ip 2001:db8:85a3::8a2e:370.215 20 7946 6-1",
        ] {
            let once = r.redact(line).into_owned();
            assert_eq!(
                r.redact(&once).as_ref(),
                &once[..],
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }

    use crate::{Keyring, Policy};

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
            include_bytes!("../../fuzz/regressions/scan/artifact-at-window-edge"),
            include_bytes!("../../fuzz/regressions/scan/label-context-idempotence"),
            // See: fuzz/regressions/scan/loser-remainder — what stuck out of a beaten IPv6
            // candidate became a finding once the winning phone was labelled.
            include_bytes!("../../fuzz/regressions/scan/loser-remainder"),
            include_bytes!("../../fuzz/regressions/scan/iban-greedy-group"),
            // See: fuzz/regressions/scan/date-comma-list-idempotence — an SSN after
            // `1993-10-06,` was taken for the tail of one number until the date was labelled.
            include_bytes!("../../fuzz/regressions/scan/date-comma-list-idempotence"),
            // See: fuzz/regressions/scan/address-before-email-idempotence — an address was
            // rejected for the lower-case word after it, an e-mail address, until the e-mail
            // was labelled.
            include_bytes!("../../fuzz/regressions/scan/address-before-email-idempotence"),
            // See: fuzz/regressions/scan/person-cut-short-idempotence — a name the validator
            // cut out of a longer PERSON candidate hid another name in the rest of it, until
            // the first was labelled.
            include_bytes!("../../fuzz/regressions/scan/person-cut-short-idempotence"),
            br#"{"last_name": "Flore Jefferson Drive, Boston, MA 02108"}"#,
            // See: fuzz/regressions/scan/person-prefix-idempotence — the validator kept the
            // second of two names in one candidate; the first was found once it was labelled.
            include_bytes!("../../fuzz/regressions/scan/person-prefix-idempotence"),
            "customer=Björn Lee Łukasz Patel\n".as_bytes(),
            // See: fuzz/regressions/scan/ip-after-comma-idempotence — `4161,203.0.113.9` read
            // as one number (`1,234.5`) until the IP address was labelled.
            include_bytes!("../../fuzz/regressions/scan/ip-after-comma-idempotence"),
            b"629-26-4161,203.0.113.9 and 10.0.0.1,536-90-4399",
            // See: fuzz/regressions/scan/address-tail-cut-idempotence — an address whose
            // `, City, ST ZIP` ran on into a word was rejected whole until the city was
            // labelled.
            include_bytes!("../../fuzz/regressions/scan/address-tail-cut-idempotence"),
            include_bytes!("../../fuzz/regressions/scan/address-tail-cut-idempotence-2"),
            b"6562 E Hill Way, Denver, CO 80202iii",
            // See: fuzz/regressions/scan/person-next-to-value-idempotence — a lone name was
            // rejected for the capital of the e-mail address after it, until it was labelled.
            include_bytes!("../../fuzz/regressions/scan/person-next-to-value-idempotence"),
            b"emergency contact Olga O'@example.net ph",
            // See: fuzz/regressions/scan/phone-comma-list-idempotence — an SSN after
            // `0491 570 507,` read as the tail of `507,299` until the phone was labelled.
            include_bytes!("../../fuzz/regressions/scan/phone-comma-list-idempotence"),
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

    #[test]
    fn send_sync_clone() {
        fn assert_traits<T: Send + Sync + Clone>() {}
        assert_traits::<Redactor>();
    }
}
