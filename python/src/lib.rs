//! The `velum._velum` extension module: velum's engine, policies, tokens and vault for
//! Python, in-process. The Python package (`python/velum/`) re-exports these types and adds
//! the logging filter and the Spark helper.
//!
//! - Text is copied out of Python objects, then scanned with the GIL released, so threads
//!   of the caller run in parallel; a `Redactor` is immutable and shared freely.
//! - Offsets of `scan` are Python string indices (code points); of `scan_bytes`, bytes.
//! - Errors are `velum.PolicyError`, `KeyringError`, `VaultError` (all `velum.VelumError`);
//!   their messages are velum's, which name places and never hold a value or a key.

use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

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
/// `tokenize`. Immutable: share one among threads.
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
    /// A second copy of the keyring (read with the first; keyrings are not `Clone`, so that
    /// copies of keys are never made by accident), for the tokenizer.
    keyring: Mutex<Option<velum::Keyring>>,
    has_keyring: bool,
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

    fn tokenizer(&self) -> PyResult<&velum::Redactor> {
        if let Some(t) = self.tokens.get() {
            return Ok(t);
        }
        let mut slot = self.keyring.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = self.tokens.get() {
            return Ok(t);
        }
        let keyring = slot.take().ok_or_else(|| {
            KeyringError::new_err("tokenize needs a keyring: Redactor(keyring=PATH)")
        })?;
        let t = velum::Redactor::with_keyring(&self.policy.clone().tokenize_all(), keyring)
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
        let (keyring, second) = match keyring {
            Some(k) => {
                let path = path_arg(k, "keyring")?;
                let load = || velum::Keyring::load(&path).map_err(keyring_err);
                (Some(load()?), Some(load()?))
            }
            None => (None, None),
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
            keyring: Mutex::new(second),
            has_keyring,
        })
    }

    /// `text` with every finding rewritten by the policy.
    ///
    /// >>> velum.Redactor().redact("mail jane@example.com")
    /// 'mail [EMAIL]'
    fn redact(&self, py: Python<'_>, text: PyBackedStr) -> String {
        py.detach(|| self.inner.redact_str(&text).into_owned())
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
    fn scan(&self, py: Python<'_>, text: PyBackedStr) -> Vec<Finding> {
        py.detach(|| char_spans(&text, &self.inner.scan(text.as_bytes())))
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
    fn redact_many(&self, py: Python<'_>, texts: Vec<PyBackedStr>) -> Vec<String> {
        py.detach(|| {
            texts
                .par_iter()
                .map(|t| self.inner.redact_str(t).into_owned())
                .collect()
        })
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
    /// >>> velum.Redactor().redact_json({"ssn": 536904399, "order_id": 536904399})
    /// {'ssn': '*****4399', 'order_id': 536904399}
    fn redact_json<'py>(
        &self,
        py: Python<'py>,
        obj: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut v = to_value(obj, &mut String::from("$"), 0)?;
        py.detach(|| self.inner.redact_json(&mut v));
        from_value(py, obj, &v)
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
/// before any value is released (as `velum detokenize`).
#[pyclass(frozen, module = "velum")]
struct Vault {
    vault: velum::vault::Vault,
    audit: Mutex<velum::vault::AuditLog>,
}

#[pymethods]
impl Vault {
    #[new]
    fn new(
        keyring: &Bound<'_, PyAny>,
        vault_policy: &Bound<'_, PyAny>,
        audit_log: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let keyring = velum::Keyring::load(path_arg(keyring, "keyring")?).map_err(keyring_err)?;
        let policy = velum::vault::VaultPolicy::load(path_arg(vault_policy, "vault_policy")?)
            .map_err(vault_err)?;
        let audit = velum::vault::AuditLog::open(path_arg(audit_log, "audit_log")?, &keyring)
            .map_err(vault_err)?;
        Ok(Self {
            vault: velum::vault::Vault::new(keyring, policy),
            audit: Mutex::new(audit),
        })
    }

    /// `text` with each token the principal holding `api_key` may open replaced by its
    /// value (or the part its role reveals); the rest stay tokens. Raises `VaultError` for
    /// a key that is not recognised (which is audited too), a purpose that is refused, and
    /// when nothing could be released: the principal's roles reveal no type, or need a
    /// purpose for every type and none was given. With `counts=True` returns `(text,
    /// counts)`, `counts` a dict of `revealed`, `partial`, `denied`, `no_purpose`,
    /// `invalid`, `unavailable`.
    #[pyo3(signature = (text, *, api_key, purpose=None, counts=false))]
    fn detokenize<'py>(
        &self,
        py: Python<'py>,
        text: PyBackedStr,
        api_key: PyBackedStr,
        purpose: Option<String>,
        counts: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        if let Some(p) = &purpose {
            velum::vault::check_purpose(p)
                .map_err(|why| VaultError::new_err(format!("purpose: {why}")))?;
        }
        py.detach(|| {
            let mut audit = self.audit.lock().unwrap_or_else(|e| e.into_inner());
            let principal = self
                .vault
                .authenticate_audited(api_key.as_bytes(), &mut audit)
                .map_err(vault_err)?
                .ok_or_else(|| VaultError::new_err("the API key is not recognised"))?
                .clone();
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
    m.add_class::<Vault>()?;
    let py = m.py();
    m.add("VelumError", py.get_type::<VelumError>())?;
    m.add("PolicyError", py.get_type::<PolicyError>())?;
    m.add("KeyringError", py.get_type::<KeyringError>())?;
    m.add("VaultError", py.get_type::<VaultError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
