//! [`Redactor::redact_json`]: redaction of a parsed `serde_json::Value` in place, for
//! library callers that hold records already parsed.

use std::borrow::Cow;

use crate::detect::engine::Scratch;
use crate::span::{Finding, Span};

use super::Redactor;

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
        let in_value = |found: &[Finding], out: &mut Vec<Finding>| {
            out.extend(
                found
                    .iter()
                    .filter(|f| f.span.start() >= at)
                    .map(|f| Finding {
                        span: Span::new(f.span.start() - at, f.span.end() - at),
                        ..*f
                    }),
            );
        };
        let mut mine: Vec<Finding> = Vec::new();
        in_value(findings, &mut mine);
        // As the next pass reads the value (see `Redactor::scan_structured`).
        let head = unit[..at].to_vec();
        super::settle(
            text.as_bytes(),
            &mut mine,
            0,
            &|found| self.rewrite_unit(text.as_bytes(), found).into_owned(),
            &mut |value, more| {
                let mut field = head.clone();
                field.extend_from_slice(value);
                let mut all = Vec::new();
                self.compiled
                    .engine
                    .scan_field(&field, at, scratch, &mut all);
                in_value(&all, more);
            },
        );
        if let Cow::Owned(new) = self.rewrite_unit(text.as_bytes(), &mine) {
            *v = Value::String(String::from_utf8_lossy(&new).into_owned());
        }
        mine.len()
    }
}
