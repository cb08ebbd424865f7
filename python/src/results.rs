//! What the detailed calls return: `Redacted` and its `Replacement`s (where each value was
//! and where its replacement landed), `Explanation`s of reported and rejected candidates,
//! and `JsonFinding`s (a finding with its JSON path). Offsets are Python string indices.

use pyo3::prelude::*;

/// Byte offsets of one text as Python string indices (code points).
pub(crate) struct CharIndex {
    /// Code points before each byte offset; empty for ASCII text (the same numbers).
    before: Vec<usize>,
}

impl CharIndex {
    pub(crate) fn new(text: &[u8]) -> Self {
        if text.is_ascii() {
            return Self { before: Vec::new() };
        }
        let mut before = Vec::with_capacity(text.len() + 1);
        let mut n = 0;
        for &b in text {
            before.push(n);
            if b & 0xC0 != 0x80 {
                n += 1;
            }
        }
        // A byte offset inside a character counts the character (never one here: spans
        // are on character boundaries).
        before.push(n);
        Self { before }
    }

    pub(crate) fn at(&self, byte: usize) -> usize {
        if self.before.is_empty() {
            byte
        } else {
            self.before[byte]
        }
    }
}

/// One replacement of `redact_detailed`: `entity`, `start`/`end` in the input,
/// `out_start`/`out_end` in the output, the `action`, `score` and `detector`.
#[pyclass(frozen, eq, module = "velum", get_all)]
#[derive(Clone, PartialEq)]
pub(crate) struct Replacement {
    pub(crate) entity: String,
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) out_start: usize,
    pub(crate) out_end: usize,
    pub(crate) action: String,
    pub(crate) score: f64,
    pub(crate) detector: String,
}

#[pymethods]
impl Replacement {
    fn __repr__(&self) -> String {
        format!(
            "Replacement(entity='{}', start={}, end={}, out_start={}, out_end={}, action='{}')",
            self.entity, self.start, self.end, self.out_start, self.out_end, self.action
        )
    }
}

/// The result of `redact_detailed`: `text` (the redacted text) and `items` (a
/// `Replacement` per finding, in order).
#[pyclass(frozen, module = "velum", get_all)]
pub(crate) struct Redacted {
    pub(crate) text: String,
    pub(crate) items: Vec<Replacement>,
}

#[pymethods]
impl Redacted {
    fn __repr__(&self) -> String {
        format!(
            "Redacted(text=<{} chars>, items={})",
            self.text.chars().count(),
            self.items.len()
        )
    }
}

/// One decision of `explain`: a finding (`reported` true) or a candidate that was looked
/// at and not reported, with `reason`. `entity` is None for a number no detector saw.
#[pyclass(frozen, module = "velum", get_all)]
#[derive(Clone)]
pub(crate) struct Explanation {
    pub(crate) entity: Option<String>,
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) reported: bool,
    pub(crate) score: Option<f64>,
    pub(crate) detector: Option<String>,
    pub(crate) reason: String,
}

#[pymethods]
impl Explanation {
    fn __repr__(&self) -> String {
        format!(
            "Explanation(entity={}, start={}, end={}, reported={}, reason={:?})",
            self.entity
                .as_deref()
                .map_or_else(|| "None".to_owned(), |e| format!("'{e}'")),
            self.start,
            self.end,
            if self.reported { "True" } else { "False" },
            self.reason
        )
    }
}

/// A finding in a dict or list: `path` (`$.user.email`, `$.tags[1]`), `key` (set when the
/// finding is in a key, not a value), then `entity`, `start`, `end` (in the value's text),
/// `score` and `detector`.
#[pyclass(frozen, module = "velum", get_all)]
#[derive(Clone)]
pub(crate) struct JsonFinding {
    pub(crate) path: String,
    pub(crate) key: Option<String>,
    pub(crate) entity: String,
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) score: f64,
    pub(crate) detector: String,
}

#[pymethods]
impl JsonFinding {
    fn __repr__(&self) -> String {
        format!(
            "JsonFinding(path={:?}, entity='{}', start={}, end={})",
            self.path, self.entity, self.start, self.end
        )
    }
}
