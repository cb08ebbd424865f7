//! The `velum._velum` extension module: velum's engine, policies, tokens and vault for
//! Python, in-process. The Python package (`python/velum/`) re-exports these types and adds
//! the logging filter and the Spark helper.
//!
//! - Text is copied out of Python objects, then scanned with the GIL released, so threads
//!   of the caller run in parallel; a `Redactor` is immutable and shared freely.
//! - Offsets of `scan` are Python string indices (code points); of `scan_bytes`, bytes.
//! - Errors are `velum.PolicyError`, `KeyringError`, `VaultError` (all `velum.VelumError`);
//!   their messages are velum's, which name places and never hold a value or a key.

mod call;
mod results;

use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use call::{CallOptions, Derived};
use results::{CharIndex, Explanation, JsonFinding, Redacted, Replacement};

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use rayon::prelude::*;
use serde_json::Value;

create_exception!(velum, VelumError, PyException, "Any error raised by velum.");
create_exception!(
    velum,
    PolicyError,
    VelumError,
    "A policy that cannot be read or compiled; the message names the file, line and field."
);
create_exception!(
    velum,
    KeyringError,
    VelumError,
    "A keyring that cannot be read, is not private, or is missing where tokens need one."
);
create_exception!(
    velum,
    VaultError,
    VelumError,
    "A vault policy, API key, purpose or audit log the vault refuses."
);

fn policy_err(e: velum::Error) -> PyErr {
    PolicyError::new_err(e.to_string())
}

fn keyring_err(e: velum::Error) -> PyErr {
    KeyringError::new_err(e.to_string())
}

fn vault_err(e: velum::Error) -> PyErr {
    VaultError::new_err(e.to_string())
}

/// A policy argument: `None`, a path (`str` without `=`, `[` or a newline, or any
/// `os.PathLike`), or TOML text.
fn load_policy(policy: Option<&Bound<'_, PyAny>>) -> PyResult<velum::Policy> {
    let Some(p) = policy else {
        return Ok(velum::Policy::default());
    };
    if let Ok(s) = p.cast::<PyString>() {
        let text = s.to_cow()?;
        if text.contains(['=', '[', '\n']) {
            return velum::Policy::from_toml_str(&text, "<policy>").map_err(policy_err);
        }
    }
    let path: PathBuf = p
        .extract()
        .map_err(|_| PyTypeError::new_err("policy: give None, a path or TOML text"))?;
    velum::Policy::from_path(&path).map_err(policy_err)
}

fn path_arg(p: &Bound<'_, PyAny>, what: &str) -> PyResult<PathBuf> {
    p.extract()
        .map_err(|_| PyTypeError::new_err(format!("{what}: give a path")))
}

/// One finding: `entity`, `start`, `end` (Python string indices for `scan`, byte offsets
/// for `scan_bytes`), `score` and `detector`.
#[pyclass(frozen, eq, module = "velum", get_all)]
#[derive(Clone, PartialEq)]
struct Finding {
    entity: String,
    start: usize,
    end: usize,
    score: f64,
    detector: String,
}

#[pymethods]
impl Finding {
    fn __repr__(&self) -> String {
        // Entity and detector names are ASCII identifiers: quoted as Python quotes them.
        format!(
            "Finding(entity='{}', start={}, end={}, score={:.2}, detector='{}')",
            self.entity, self.start, self.end, self.score, self.detector
        )
    }
}

fn finding(f: &velum::Finding, start: usize, end: usize) -> Finding {
    Finding {
        entity: f.entity.name().to_owned(),
        start,
        end,
        score: f64::from(f.score),
        detector: f.detector.as_str().to_owned(),
    }
}

/// Byte spans of `text` as code-point indices (findings are in order of their starts).
fn char_spans(text: &str, found: &[velum::Finding]) -> Vec<Finding> {
    if text.is_ascii() {
        return found
            .iter()
            .map(|f| finding(f, f.span.start(), f.span.end()))
            .collect();
    }
    let bytes = text.as_bytes();
    // Code points before a byte offset: the bytes that do not continue a character.
    let mut at = (0usize, 0usize); // (byte, chars before it)
    let mut to_chars = |off: usize| {
        let (b, c) = if off >= at.0 { at } else { (0, 0) };
        let n = c + bytes[b..off].iter().filter(|&&x| x & 0xC0 != 0x80).count();
        at = (off, n);
        n
    };
    found
        .iter()
        .map(|f| {
            let s = to_chars(f.span.start());
            let e = to_chars(f.span.end());
            finding(f, s, e)
        })
        .collect()
}

/// Finds and redacts personal data with a policy (the embedded default when `policy` is
/// `None`); `keyring` (a path) is needed by the `token` and `hash` actions and by
/// `tokenize` (a sealed keyring opens with the passphrase file named by
/// `VELUM_KEYRING_PASSPHRASE_FILE`, or the `age` identity file named by
/// `VELUM_KEYRING_IDENTITY`). Immutable: share one among threads.
///
/// >>> r = velum.Redactor()
/// >>> r.redact("ssn 536-90-4399 from 203.0.113.9")
/// 'ssn ***-**-4399 from [IP_ADDRESS]'
#[pyclass(frozen, module = "velum")]
struct Redactor {
    inner: velum::Redactor,
    /// The policy with every type tokenised, made on the first `tokenize`.
    tokens: OnceLock<velum::Redactor>,
    policy: velum::Policy,
    has_keyring: bool,
    /// Redactors compiled for per-call options.
    derived: Derived,
}

/// The text of each cell: `None` stays `None`, anything else is its `str()`.
fn cell_texts(values: &[Option<Bound<'_, PyAny>>]) -> PyResult<Vec<Option<String>>> {
    values
        .iter()
        .map(|v| match v {
            Some(v) if !v.is_none() => Ok(Some(v.str()?.to_cow()?.into_owned())),
            _ => Ok(None),
        })
        .collect()
}

impl Redactor {
    /// One row, `None` cells read as empty and kept `None`.
    fn row(&self, names: &[String], cells: &[Option<String>]) -> Vec<Option<String>> {
        let values: Vec<&str> = cells.iter().map(|c| c.as_deref().unwrap_or("")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let out = self.inner.redact_row(&names, &values);
        out.into_iter()
            .zip(cells)
            .map(|(o, c)| c.as_ref().map(|_| o))
            .collect()
    }

    /// The redactor for one call's options (this one when there are none).
    fn with_options(
        &self,
        entities: Option<Vec<String>>,
        threshold: Option<f64>,
        allow: Option<Vec<String>>,
        operators: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<velum::Redactor> {
        let opts = CallOptions::parse(
            entities,
            threshold,
            allow,
            operators,
            &self.inner.entities(),
        )?;
        self.derived
            .get(&self.inner, &self.policy, &opts)
            .map_err(|e| {
                if e.to_string().contains("keyring") {
                    keyring_err(e)
                } else {
                    policy_err(e)
                }
            })
    }

    fn tokenizer(&self) -> PyResult<&velum::Redactor> {
        if let Some(t) = self.tokens.get() {
            return Ok(t);
        }
        if !self.has_keyring {
            return Err(KeyringError::new_err(
                "tokenize needs a keyring: Redactor(keyring=PATH)",
            ));
        }
        // The same keyring (one copy of the keys), every type with the `token` action.
        let t = self
            .inner
            .with_policy(&self.policy.clone().tokenize_all())
            .map_err(policy_err)?;
        Ok(self.tokens.get_or_init(|| t))
    }
}

#[pymethods]
impl Redactor {
    #[new]
    #[pyo3(signature = (policy=None, keyring=None))]
    fn new(
        policy: Option<&Bound<'_, PyAny>>,
        keyring: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let policy = load_policy(policy)?;
        // A sealed keyring opens with VELUM_KEYRING_PASSPHRASE_FILE or VELUM_KEYRING_IDENTITY.
        let keyring = match keyring {
            Some(k) => {
                let path = path_arg(k, "keyring")?;
                Some(velum::Keyring::load(&path).map_err(keyring_err)?)
            }
            None => None,
        };
        let has_keyring = keyring.is_some();
        let inner = match keyring {
            Some(k) => velum::Redactor::with_keyring(&policy, k),
            None => velum::Redactor::from_policy(&policy),
        }
        .map_err(|e| {
            if policy.needs_keyring().is_some() && !has_keyring {
                keyring_err(e)
            } else {
                policy_err(e)
            }
        })?;
        Ok(Self {
            inner,
            tokens: OnceLock::new(),
            policy,
            has_keyring,
            derived: Derived::default(),
        })
    }

    /// `text` with every finding rewritten by the policy. Per call, as Presidio takes them:
    /// `entities` (detect only these), `threshold` (one for every entity), `allow` (values
    /// never touched) and `operators` (entity to action: `label`, `mask`, `hash`, `token`,
    /// `keep`, `drop`, or a dict with `action` and `keep_first`, `keep_last`, `mask_char`,
    /// `label`).
    ///
    /// >>> r = velum.Redactor()
    /// >>> r.redact("mail jane@example.com")
    /// 'mail [EMAIL]'
    /// >>> r.redact("jane@example.com 203.0.113.9", entities=["EMAIL"])
    /// '[EMAIL] 203.0.113.9'
    /// >>> r.redact("ops@example.com, jane@example.com", allow=["ops@example.com"])
    /// 'ops@example.com, [EMAIL]'
    /// >>> r.redact("ssn 536-90-4399", operators={"US_SSN": {"action": "mask", "keep_last": 2}})
    /// 'ssn ***-**-**99'
    #[pyo3(signature = (text, *, entities=None, threshold=None, allow=None, operators=None))]
    fn redact(
        &self,
        py: Python<'_>,
        text: PyBackedStr,
        entities: Option<Vec<String>>,
        threshold: Option<f64>,
        allow: Option<Vec<String>>,
        operators: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<String> {
        let r = self.with_options(entities, threshold, allow, operators)?;
        Ok(py.detach(|| r.redact_str(&text).into_owned()))
    }

    /// :meth:`redact`, with where each replacement landed: a ``Redacted`` whose ``text`` is
    /// the redacted text and whose ``items`` give each finding's ``start``/``end`` in
    /// ``text`` and ``out_start``/``out_end`` in the output. Same per-call options.
    ///
    /// >>> d = velum.Redactor().redact_detailed("Zoë: jane@example.com")
    /// >>> d.text
    /// 'Zoë: [EMAIL]'
    /// >>> [(i.entity, i.start, i.end, d.text[i.out_start:i.out_end]) for i in d.items]
    /// [('EMAIL', 5, 21, '[EMAIL]')]
    #[pyo3(signature = (text, *, entities=None, threshold=None, allow=None, operators=None))]
    fn redact_detailed(
        &self,
        py: Python<'_>,
        text: PyBackedStr,
        entities: Option<Vec<String>>,
        threshold: Option<f64>,
        allow: Option<Vec<String>>,
        operators: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Redacted> {
        let r = self.with_options(entities, threshold, allow, operators)?;
        Ok(py.detach(|| {
            let d = r.redact_detailed(text.as_bytes());
            let (cin, cout) = (CharIndex::new(text.as_bytes()), CharIndex::new(&d.text));
            let items = d
                .replacements
                .iter()
                .map(|x| Replacement {
                    entity: x.entity.name().to_owned(),
                    start: cin.at(x.input.start()),
                    end: cin.at(x.input.end()),
                    out_start: cout.at(x.output.start()),
                    out_end: cout.at(x.output.end()),
                    action: x.action.as_str().to_owned(),
                    score: f64::from(x.score),
                    detector: x.detector.as_str().to_owned(),
                })
                .collect();
            Redacted {
                text: String::from_utf8_lossy(&d.text).into_owned(),
                items,
            }
        }))
    }

    /// Why each value was or was not reported: an ``Explanation`` per finding
    /// (``reported`` true, with its score and what moved it) and per candidate that was
    /// looked at and left (a failed check digit, no context word, a negative word, under the
    /// threshold, the allow-list...), in order of place.
    ///
    /// >>> for e in velum.Redactor().explain("card 4111 1111 1111 1112"):
    /// ...     print(e.entity, e.reported, e.reason)
    /// AU_IHI False failed its check (check digit, length, prefix or structure)
    /// CREDIT_CARD False failed its check (check digit, length, prefix or structure)
    /// PHONE False failed its check (check digit, length, prefix or structure)
    /// US_BANK_ACCOUNT False needs a context word, and the text has none
    fn explain(&self, py: Python<'_>, text: PyBackedStr) -> Vec<Explanation> {
        py.detach(|| {
            let unit = text.as_bytes();
            let ix = CharIndex::new(unit);
            let quote = |s: velum::Span| String::from_utf8_lossy(&unit[s.range()]).into_owned();
            let mut out: Vec<(usize, Explanation)> = Vec::new();
            for e in self.inner.explain(unit) {
                let f = e.finding;
                let mut reason = format!("score {:.2} (base {:.2}", f.score, e.base_score);
                if let Some(c) = e.positive_context {
                    reason.push_str(&format!(", raised by context near {:?}", quote(c)));
                }
                if let Some(c) = e.negative_context {
                    reason.push_str(&format!(", lowered by context near {:?}", quote(c)));
                }
                if let Some(k) = e.field {
                    let how = if e.by_field_name {
                        "made by field name"
                    } else {
                        "in field"
                    };
                    reason.push_str(&format!(", {how} {:?}", quote(k)));
                }
                reason.push(')');
                out.push((
                    f.span.start(),
                    Explanation {
                        entity: Some(f.entity.name().to_owned()),
                        start: ix.at(f.span.start()),
                        end: ix.at(f.span.end()),
                        reported: true,
                        score: Some(f64::from(f.score)),
                        detector: Some(f.detector.as_str().to_owned()),
                        reason,
                    },
                ));
            }
            for n in self.inner.explain_rejected(unit) {
                let mut reason = n.reason.describe();
                if let velum::Reason::BelowThreshold {
                    negative: Some(c), ..
                } = n.reason
                {
                    reason.push_str(&format!(", lowered by context near {:?}", quote(c)));
                }
                out.push((
                    n.span.start(),
                    Explanation {
                        entity: n.entity.map(|e| e.name().to_owned()),
                        start: ix.at(n.span.start()),
                        end: ix.at(n.span.end()),
                        reported: false,
                        score: match n.reason {
                            velum::Reason::BelowThreshold { score, .. } => Some(f64::from(score)),
                            _ => None,
                        },
                        detector: n.detector.map(|d| d.as_str().to_owned()),
                        reason,
                    },
                ));
            }
            out.sort_by_key(|(at, e)| (*at, !e.reported));
            out.into_iter().map(|(_, e)| e).collect()
        })
    }

    /// The entity names this redactor detects (built-in and the policy's own).
    ///
    /// >>> "US_SSN" in velum.Redactor().entities()
    /// True
    fn entities(&self) -> Vec<String> {
        self.inner
            .entities()
            .iter()
            .map(|e| e.name().to_owned())
            .collect()
    }

    /// `data` with every finding rewritten; bytes in, bytes out (any encoding, not only UTF-8).
    fn redact_bytes<'py>(&self, py: Python<'py>, data: PyBackedBytes) -> Bound<'py, PyBytes> {
        let out = py.detach(|| self.inner.redact(&data).into_owned());
        PyBytes::new(py, &out)
    }

    /// The findings of `text`, with Python string indices: `text[f.start:f.end]` is the value.
    ///
    /// >>> text = "Zoë: 4111 1111 1111 1111"
    /// >>> [(f.entity, f.start, f.end, text[f.start:f.end]) for f in velum.Redactor().scan(text)]
    /// [('CREDIT_CARD', 5, 24, '4111 1111 1111 1111')]
    ///
    /// Per call: `entities`, `threshold` and `allow`, as :meth:`redact` takes them.
    ///
    /// >>> [f.entity for f in velum.Redactor().scan("at 10.1.2.3", threshold=0.9)]
    /// []
    #[pyo3(signature = (text, *, entities=None, threshold=None, allow=None))]
    fn scan(
        &self,
        py: Python<'_>,
        text: PyBackedStr,
        entities: Option<Vec<String>>,
        threshold: Option<f64>,
        allow: Option<Vec<String>>,
    ) -> PyResult<Vec<Finding>> {
        let r = self.with_options(entities, threshold, allow, None)?;
        Ok(py.detach(|| char_spans(&text, &r.scan(text.as_bytes()))))
    }

    /// The findings of `data`, with byte offsets.
    fn scan_bytes(&self, py: Python<'_>, data: PyBackedBytes) -> Vec<Finding> {
        py.detach(|| {
            self.inner
                .scan(&data)
                .iter()
                .map(|f| finding(f, f.span.start(), f.span.end()))
                .collect()
        })
    }

    /// Each text redacted, on all cores (rayon's pool), in order.
    ///
    /// >>> velum.Redactor().redact_many(["a jane@example.com", "b 203.0.113.9"])
    /// ['a [EMAIL]', 'b [IP_ADDRESS]']
    #[pyo3(signature = (texts, *, entities=None, threshold=None, allow=None, operators=None))]
    fn redact_many(
        &self,
        py: Python<'_>,
        texts: Vec<PyBackedStr>,
        entities: Option<Vec<String>>,
        threshold: Option<f64>,
        allow: Option<Vec<String>>,
        operators: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Vec<String>> {
        let r = self.with_options(entities, threshold, allow, operators)?;
        Ok(py.detach(|| {
            texts
                .par_iter()
                .map(|t| r.redact_str(t).into_owned())
                .collect()
        }))
    }

    /// One record given as column names and values, redacted exactly as
    /// ``velum redact --format csv`` redacts that row under a header of those names; ``None``
    /// stays ``None``, any other value is read as its ``str()``.
    ///
    /// >>> velum.Redactor().redact_row(["id", "ssn"], [7, 536904399.0])
    /// ['7', '*****4399']
    fn redact_row(
        &self,
        py: Python<'_>,
        names: Vec<String>,
        values: Vec<Option<Bound<'_, PyAny>>>,
    ) -> PyResult<Vec<Option<String>>> {
        let texts = cell_texts(&values)?;
        Ok(py.detach(|| self.row(&names, &texts)))
    }

    /// Many records under one header, each as :meth:`redact_row`, on all cores.
    ///
    /// >>> velum.Redactor().redact_rows(["name", "x"], [["Jane Smith", None], ["ok", 1]])
    /// [['[PERSON]', None], ['ok', '1']]
    fn redact_rows(
        &self,
        py: Python<'_>,
        names: Vec<String>,
        rows: Vec<Vec<Option<Bound<'_, PyAny>>>>,
    ) -> PyResult<Vec<Vec<Option<String>>>> {
        let texts = rows
            .iter()
            .map(|r| cell_texts(r))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(py.detach(|| texts.par_iter().map(|r| self.row(&names, r)).collect()))
    }

    /// A copy of `obj` (dicts, lists, tuples, strings, numbers, booleans, None) with each
    /// value redacted: read as text and with its field name as context. A key that holds
    /// personal data is rewritten; a redacted number becomes a string.
    ///
    /// `skip_keys` leaves the values of some keys as they are: a key name (at any depth)
    /// or a path (`"$.user.id"`); the per-call options are :meth:`redact`'s.
    ///
    /// >>> velum.Redactor().redact_json({"ssn": 536904399, "order_id": 536904399})
    /// {'ssn': '*****4399', 'order_id': 536904399}
    /// >>> velum.Redactor().redact_json({"a": "jane@example.com", "b": "jane@example.com"}, skip_keys=["b"])
    /// {'a': '[EMAIL]', 'b': 'jane@example.com'}
    #[pyo3(signature = (obj, *, skip_keys=None, entities=None, threshold=None, allow=None, operators=None))]
    #[allow(clippy::too_many_arguments)] // Python keyword arguments
    fn redact_json<'py>(
        &self,
        py: Python<'py>,
        obj: &Bound<'py, PyAny>,
        skip_keys: Option<Vec<String>>,
        entities: Option<Vec<String>>,
        threshold: Option<f64>,
        allow: Option<Vec<String>>,
        operators: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let r = self.with_options(entities, threshold, allow, operators)?;
        let mut v = to_value(obj, &mut String::from("$"), 0)?;
        let mut opts = velum::JsonOptions::default();
        opts.skip_keys = skip_keys.unwrap_or_default();
        py.detach(|| r.redact_json_with(&mut v, &opts));
        from_value(py, obj, &v)
    }

    /// The findings of a dict or list, each with the path of its value (Presidio's
    /// ``analyze_dict``); nothing is changed. ``start``/``end`` are in the value's text (a
    /// number's digits) or, for a finding in a key, in the key.
    ///
    /// >>> [(f.path, f.entity) for f in velum.Redactor().scan_json({"user": {"ssn": 536904399}, "tags": ["ip 203.0.113.9"]})]
    /// [('$.user.ssn', 'US_SSN'), ('$.tags[0]', 'IP_ADDRESS')]
    #[pyo3(signature = (obj, *, skip_keys=None, entities=None, threshold=None, allow=None))]
    #[allow(clippy::too_many_arguments)] // Python keyword arguments
    fn scan_json(
        &self,
        py: Python<'_>,
        obj: &Bound<'_, PyAny>,
        skip_keys: Option<Vec<String>>,
        entities: Option<Vec<String>>,
        threshold: Option<f64>,
        allow: Option<Vec<String>>,
    ) -> PyResult<Vec<JsonFinding>> {
        let r = self.with_options(entities, threshold, allow, None)?;
        let mut v = to_value(obj, &mut String::from("$"), 0)?;
        let mut opts = velum::JsonOptions::default();
        opts.skip_keys = skip_keys.unwrap_or_default();
        opts.rewrite = false;
        Ok(py.detach(|| {
            r.redact_json_with(&mut v, &opts)
                .into_iter()
                .map(|f| {
                    // Offsets in the text that was scanned: the key, or the value at the path.
                    let text = match &f.key {
                        Some(k) => k.clone(),
                        None => value_text(&v, &f.path),
                    };
                    let ix = CharIndex::new(text.as_bytes());
                    JsonFinding {
                        entity: f.finding.entity.name().to_owned(),
                        start: ix.at(f.finding.span.start().min(text.len())),
                        end: ix.at(f.finding.span.end().min(text.len())),
                        score: f64::from(f.finding.score),
                        detector: f.finding.detector.as_str().to_owned(),
                        path: f.path,
                        key: f.key,
                    }
                })
                .collect()
        }))
    }

    /// `text` with every finding replaced by its token (as `velum tokenize`): the policy's
    /// types, each with the `token` action. Needs the keyring.
    fn tokenize(&self, py: Python<'_>, text: PyBackedStr) -> PyResult<String> {
        let t = self.tokenizer()?;
        Ok(py.detach(|| t.redact_str(&text).into_owned()))
    }

    fn __repr__(&self) -> String {
        format!(
            "Redactor(policy={:?}, keyring={})",
            self.policy.origin(),
            if self.has_keyring { "<loaded>" } else { "None" }
        )
    }
}

/// The text of the value at `path` (as `JsonFinding` paths write it) as it was scanned: a
/// string, or a number's text (empty when the path leads nowhere).
fn value_text(root: &Value, path: &str) -> String {
    let mut v = root;
    let mut rest = path.strip_prefix('$').unwrap_or(path);
    while !rest.is_empty() {
        let next = if let Some(r) = rest.strip_prefix("[\"") {
            // A quoted key: up to the unescaped `"]`.
            let (mut key, mut chars, mut used) = (String::new(), r.char_indices(), None);
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, d)) = chars.next() {
                            key.push(d);
                        }
                    }
                    '"' => {
                        used = Some(i + 2);
                        break;
                    }
                    _ => key.push(c),
                }
            }
            let Some(n) = used else { break };
            rest = &r[n.min(r.len())..];
            v.get(key.as_str())
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']').unwrap_or(r.len());
            let i: usize = r[..end].parse().unwrap_or(usize::MAX);
            rest = &r[(end + 1).min(r.len())..];
            v.get(i)
        } else if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let key = &r[..end];
            rest = &r[end..];
            v.get(key)
        } else {
            None
        };
        match next {
            Some(n) => v = n,
            None => return String::new(),
        }
    }
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// Nesting beyond this is refused (a Python structure that deep is an attack or a cycle).
const MAX_DEPTH: usize = 512;

fn to_value(obj: &Bound<'_, PyAny>, path: &mut String, depth: usize) -> PyResult<Value> {
    if depth > MAX_DEPTH {
        return Err(PyValueError::new_err(format!(
            "redact_json: nested deeper than {MAX_DEPTH} at {path}"
        )));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.cast::<PyInt>().is_ok() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::from(u));
        }
        // Wider than 64 bits: scanned as its digits.
        return Ok(Value::String(obj.str()?.to_cow()?.into_owned()));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Ok(serde_json::Number::from_f64(f.value()).map_or(Value::Null, Value::Number));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut m = serde_json::Map::new();
        for (k, v) in d.iter() {
            let Ok(k) = k.cast::<PyString>() else {
                return Err(PyTypeError::new_err(format!(
                    "redact_json: a key at {path} is not a string"
                )));
            };
            let k = k.to_cow()?.into_owned();
            let len = path.len();
            path.push('.');
            path.push_str(&k);
            let value = to_value(&v, path, depth + 1)?;
            path.truncate(len);
            m.insert(k, value);
        }
        return Ok(Value::Object(m));
    }
    if obj.cast::<PyList>().is_ok() || obj.cast::<PyTuple>().is_ok() {
        let mut a = Vec::new();
        for (i, v) in obj.try_iter()?.enumerate() {
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            a.push(to_value(&v?, path, depth + 1)?);
            path.truncate(len);
        }
        return Ok(Value::Array(a));
    }
    Err(PyTypeError::new_err(format!(
        "redact_json: {path} is a {}, not a JSON value",
        obj.get_type().name()?
    )))
}

/// `orig` rebuilt with the redacted values of `v` (same key order, tuples stay tuples, a
/// value left as it was is the same object).
fn from_value<'py>(
    py: Python<'py>,
    orig: &Bound<'py, PyAny>,
    v: &Value,
) -> PyResult<Bound<'py, PyAny>> {
    if let Ok(d) = orig.cast::<PyDict>() {
        let out = PyDict::new(py);
        let Value::Object(m) = v else {
            return Ok(orig.clone());
        };
        // The map keeps the dict's order, with keys that held personal data rewritten.
        if m.len() != d.len() {
            return Err(PyValueError::new_err(
                "redact_json: the dict changed while it was redacted",
            ));
        }
        for ((k, x), (nk, nv)) in d.iter().zip(m) {
            let same = k.cast::<PyString>()?.to_cow()? == nk.as_str();
            let key = if same {
                k
            } else {
                PyString::new(py, nk).into_any()
            };
            out.set_item(key, from_value(py, &x, nv)?)?;
        }
        return Ok(out.into_any());
    }
    let is_tuple = orig.cast::<PyTuple>().is_ok();
    if is_tuple || orig.cast::<PyList>().is_ok() {
        let Value::Array(a) = v else {
            return Ok(orig.clone());
        };
        let items = orig
            .try_iter()?
            .zip(a)
            .map(|(x, nv)| from_value(py, &x?, nv))
            .collect::<PyResult<Vec<_>>>()?;
        return Ok(if is_tuple {
            PyTuple::new(py, items)?.into_any()
        } else {
            PyList::new(py, items)?.into_any()
        });
    }
    match v {
        Value::String(s) => {
            let same = orig
                .cast::<PyString>()
                .ok()
                .and_then(|o| o.to_cow().ok().map(|c| c == s.as_str()))
                .unwrap_or(false);
            if same || (orig.cast::<PyInt>().is_ok() && orig.str()?.to_cow()? == s.as_str()) {
                Ok(orig.clone())
            } else {
                Ok(PyString::new(py, s).into_any())
            }
        }
        _ => Ok(orig.clone()),
    }
}

/// Opens tokens for authorised principals, recording every decision in the audit log
/// before any value is released (as `velum detokenize`). Principals come with an API key
/// of the vault policy, or — with `jwt_issuer` and `jwt_audience` — with an OAuth 2.0 /
/// OIDC access token from that issuer, whose roles claim names the policy's roles (keys
/// from `jwks`, a file, `jwks_url`, or the issuer's discovery document).
#[pyclass(frozen, module = "velum")]
struct Vault {
    vault: velum::vault::Vault,
    audit: Mutex<velum::vault::AuditLog>,
    oidc: Option<velum::vault::OidcVerifier>,
}

#[pymethods]
impl Vault {
    #[new]
    #[pyo3(signature = (keyring, vault_policy, audit_log, *, jwt_issuer=None, jwt_audience=None, jwks=None, jwks_url=None, roles_claim="roles", leeway=60))]
    #[allow(clippy::too_many_arguments)] // Python keyword arguments
    fn new(
        keyring: &Bound<'_, PyAny>,
        vault_policy: &Bound<'_, PyAny>,
        audit_log: &Bound<'_, PyAny>,
        jwt_issuer: Option<String>,
        jwt_audience: Option<String>,
        jwks: Option<&Bound<'_, PyAny>>,
        jwks_url: Option<String>,
        roles_claim: &str,
        leeway: u64,
    ) -> PyResult<Self> {
        let oidc = match (jwt_issuer, jwt_audience) {
            (Some(iss), Some(aud)) => {
                use velum::vault::{JwksSource, JwtConfig};
                let file = jwks.map(|f| path_arg(f, "jwks")).transpose()?;
                let source = JwksSource::from_options(file, jwks_url);
                let mut c = JwtConfig::new(&iss, &aud, source);
                c.roles_claim = roles_claim.to_owned();
                c.leeway = std::time::Duration::from_secs(leeway);
                Some(velum::vault::OidcVerifier::new(c).map_err(vault_err)?)
            }
            (None, None) => None,
            _ => {
                return Err(PyValueError::new_err(
                    "give both jwt_issuer and jwt_audience, or neither",
                ));
            }
        };
        let keyring = velum::Keyring::load(path_arg(keyring, "keyring")?).map_err(keyring_err)?;
        let policy = velum::vault::VaultPolicy::load(path_arg(vault_policy, "vault_policy")?)
            .map_err(vault_err)?;
        let audit = velum::vault::AuditLog::open(path_arg(audit_log, "audit_log")?, &keyring)
            .map_err(vault_err)?;
        Ok(Self {
            vault: velum::vault::Vault::new(keyring, policy),
            audit: Mutex::new(audit),
            oidc,
        })
    }

    /// `text` with each token the principal holding `api_key` may open replaced by its
    /// value (or the part its role reveals); the rest stay tokens. Raises `VaultError` for
    /// a key that is not recognised (which is audited too), a purpose that is refused, and
    /// when nothing could be released: the principal's roles reveal no type, or need a
    /// purpose for every type and none was given. With `counts=True` returns `(text,
    /// counts)`, `counts` a dict of `revealed`, `partial`, `denied`, `no_purpose`,
    /// `invalid`, `unavailable`. Give `api_key`, or `bearer_token` (an access token from the
    /// issuer the vault was made with); a token that is refused raises `VaultError` saying
    /// which check failed, and is audited.
    #[pyo3(signature = (text, *, api_key=None, bearer_token=None, purpose=None, counts=false))]
    fn detokenize<'py>(
        &self,
        py: Python<'py>,
        text: PyBackedStr,
        api_key: Option<PyBackedStr>,
        bearer_token: Option<PyBackedStr>,
        purpose: Option<String>,
        counts: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        if api_key.is_some() == bearer_token.is_some() {
            return Err(PyValueError::new_err(
                "give api_key or bearer_token (one of them)",
            ));
        }
        if bearer_token.is_some() && self.oidc.is_none() {
            return Err(VaultError::new_err(
                "bearer_token needs a Vault made with jwt_issuer and jwt_audience",
            ));
        }
        if let Some(p) = &purpose {
            velum::vault::check_purpose(p)
                .map_err(|why| VaultError::new_err(format!("purpose: {why}")))?;
        }
        py.detach(|| {
            let mut audit = self.audit.lock().unwrap_or_else(|e| e.into_inner());
            let principal = match (&api_key, &bearer_token, &self.oidc) {
                (Some(k), _, _) => self
                    .vault
                    .authenticate_audited(k.as_bytes(), &mut audit)
                    .map_err(vault_err)?
                    .ok_or_else(|| VaultError::new_err("the API key is not recognised"))?
                    .clone(),
                (None, Some(t), Some(v)) => self
                    .vault
                    .authenticate_token(v, t.as_bytes(), &mut audit)
                    .map_err(vault_err)?
                    .map_err(|why| VaultError::new_err(format!("bearer token refused: {why}")))?,
                _ => unreachable!("checked above"),
            };
            self.vault
                .check_can_release(&principal, purpose.as_deref())
                .map_err(|e| VaultError::new_err(e.to_string()))?;
            let mut out = Vec::with_capacity(text.len());
            let stats = self
                .vault
                .detokenize_stream(
                    &principal,
                    purpose.as_deref(),
                    &mut audit,
                    text.as_bytes(),
                    &mut out,
                )
                .map_err(vault_err)?;
            let out = String::from_utf8(out)
                .map_err(|_| VaultError::new_err("a revealed value is not UTF-8"))?;
            Ok::<_, PyErr>((out, stats))
        })
        .and_then(|(out, stats)| {
            if !counts {
                return Ok(out.into_pyobject(py)?.into_any());
            }
            let d = pyo3::types::PyDict::new(py);
            d.set_item("revealed", stats.revealed)?;
            d.set_item("partial", stats.partial)?;
            d.set_item("denied", stats.denied)?;
            d.set_item("no_purpose", stats.no_purpose)?;
            d.set_item("invalid", stats.invalid)?;
            d.set_item("unavailable", stats.unavailable)?;
            Ok((out, d).into_pyobject(py)?.into_any())
        })
    }
}

#[pymodule]
fn _velum(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Redactor>()?;
    m.add_class::<Finding>()?;
    m.add_class::<Replacement>()?;
    m.add_class::<Redacted>()?;
    m.add_class::<Explanation>()?;
    m.add_class::<JsonFinding>()?;
    m.add_class::<Vault>()?;
    let py = m.py();
    m.add("VelumError", py.get_type::<VelumError>())?;
    m.add("PolicyError", py.get_type::<PolicyError>())?;
    m.add("KeyringError", py.get_type::<KeyringError>())?;
    m.add("VaultError", py.get_type::<VaultError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
