//! [`Redactor::redact_json`]: redaction of a parsed `serde_json::Value` in place, for
//! library callers that hold records already parsed. The rule of every other path holds:
//! each value is read as text (the floor) and under its key (which adds), and a key that
//! holds personal data is rewritten too.

use std::borrow::Cow;

use crate::record::Structure;
use crate::span::{Finding, Span};

use super::fields::float_like;
use super::{Redactor, Scratch};

impl Redactor {
    /// Redacts a parsed JSON value in place: every string and number is scanned as text and
    /// with its field name in front of it as context (`"ssn": 536904399` is an SSN, a bare
    /// number is not); a number written as a float (`536904399.0`) is read as its digits; a
    /// redacted number becomes a string. A key that holds personal data is rewritten as text
    /// is (keys keep their order; two that become equal are told apart by ` (2)`, ` (3)`…).
    /// Returns the number of findings.
    ///
    /// # Example
    /// ```
    /// let r = velum::Redactor::new();
    /// let mut v = serde_json::json!({
    ///     "user": {"email": "jane@example.com", "ssn": 536904399},
    ///     "order_id": 536904399,
    ///     "tags": ["ok", "call +44 20 7946 0958"],
    ///     "card": 4111111111111111.0
    /// });
    /// assert_eq!(r.redact_json(&mut v), 4);
    /// assert_eq!(v["user"]["email"], "[EMAIL]");
    /// assert_eq!(v["user"]["ssn"], "*****4399");
    /// assert_eq!(v["order_id"], 536904399); // a number under an `order_id` key is not an SSN
    /// assert_eq!(v["tags"][1], "call [PHONE]");
    /// assert_eq!(v["card"], "************1111");
    /// ```
    pub fn redact_json(&self, value: &mut serde_json::Value) -> usize {
        let mut scratch = self.pool.get();
        self.json_walk(value, None, &mut scratch)
    }

    /// A key as the text floor reads it: rewritten when it holds personal data.
    ///
    /// # Example
    /// ```
    /// let r = velum::Redactor::new();
    /// assert_eq!(r.redact_key("jane@example.com"), "[EMAIL]");
    /// assert_eq!(r.redact_key("email"), "email");
    /// ```
    pub fn redact_key<'a>(&self, key: &'a str) -> Cow<'a, str> {
        let mut scratch = self.pool.get();
        let mut found = Vec::new();
        self.scan_structured(&mut scratch, key.as_bytes(), Structure::Text, &mut found);
        match self.rewrite_structured(key.as_bytes(), Structure::Text, &found) {
            Cow::Borrowed(_) => Cow::Borrowed(key),
            Cow::Owned(v) => Cow::Owned(String::from_utf8_lossy(&v).into_owned()),
        }
    }

    fn json_walk(
        &self,
        v: &mut serde_json::Value,
        key: Option<&str>,
        scratch: &mut Scratch,
    ) -> usize {
        use serde_json::Value;
        let text = match v {
            Value::Object(map) => {
                let mut n = 0;
                let renamed = map.keys().any(|k| !self.scan_key(k, scratch).is_empty());
                if renamed {
                    let old = std::mem::take(map);
                    for (k, mut child) in old {
                        n += self.json_walk(&mut child, Some(&k), scratch);
                        let found = self.scan_key(&k, scratch);
                        n += found.len();
                        let new =
                            match self.rewrite_structured(k.as_bytes(), Structure::Text, &found) {
                                Cow::Borrowed(_) => k,
                                Cow::Owned(b) => String::from_utf8_lossy(&b).into_owned(),
                            };
                        let mut name = new.clone();
                        let mut i = 2;
                        while map.contains_key(&name) {
                            name = format!("{new} ({i})");
                            i += 1;
                        }
                        map.insert(name, child);
                    }
                    return n;
                }
                return map
                    .iter_mut()
                    .map(|(k, child)| self.json_walk(child, Some(k), scratch))
                    .sum();
            }
            Value::Array(items) => {
                return items
                    .iter_mut()
                    .map(|child| self.json_walk(child, key, scratch))
                    .sum();
            }
            Value::String(s) => s.clone(),
            Value::Number(n) => {
                let t = n.to_string();
                let mut digits = Vec::new();
                if float_like(t.as_bytes())
                    && crate::record::json::integer_digits(t.as_bytes(), &mut digits)
                {
                    String::from_utf8_lossy(&digits).into_owned()
                } else {
                    t
                }
            }
            Value::Null | Value::Bool(_) => return 0,
        };
        let value = text.as_bytes();
        let head = key
            .map(|k| [k.as_bytes(), b": "].concat())
            .unwrap_or_default();
        let mut mine = Vec::new();
        self.scan_value(scratch, &head, key, value, &mut mine);
        self.settle(
            &mut mine,
            0,
            &|found, out, edits| self.rewrite_into(value, Structure::Auto, found, out, Some(edits)),
            &mut |text, more| self.scan_value(scratch, &head, key, text, more),
        );
        if let Cow::Owned(new) = self.rewrite_structured(value, Structure::Auto, &mine) {
            *v = Value::String(String::from_utf8_lossy(&new).into_owned());
        }
        mine.len()
    }

    /// The findings of a key read as text.
    fn scan_key(&self, key: &str, scratch: &mut Scratch) -> Vec<Finding> {
        let mut found = Vec::new();
        self.scan_structured(scratch, key.as_bytes(), Structure::Text, &mut found);
        found
    }

    /// One value read as text (the floor) and under its key (`head` is `key: `).
    fn scan_value(
        &self,
        scratch: &mut Scratch,
        head: &[u8],
        key: Option<&str>,
        value: &[u8],
        out: &mut Vec<Finding>,
    ) {
        let first = out.len();
        self.scan_once(scratch, value, Structure::Auto, out);
        let Some(key) = key else {
            return;
        };
        let mut unit = head.to_vec();
        let at = unit.len();
        unit.extend_from_slice(value);
        let mut found = Vec::new();
        self.compiled
            .engine
            .scan_field(&unit, at, &mut scratch.engine, &mut found);
        let before = out.len();
        let mut field: Vec<Finding> = found
            .iter()
            .filter(|f| f.span.start() >= at)
            .map(|f| Finding {
                span: Span::new(f.span.start() - at, f.span.end() - at),
                ..*f
            })
            .collect();
        self.person_hint(key.as_bytes(), value, &mut field);
        // The key's reading first: of equal spans it is the one kept.
        out.splice(first..first, field);
        if out.len() > before {
            self.union(out, first);
        }
    }
}
