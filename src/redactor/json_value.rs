//! [`Redactor::redact_json`]: redaction of a parsed `serde_json::Value` in place, for
//! library callers that hold records already parsed. The rule of every other path holds:
//! each value is read as text (the floor) and under its key (which adds), and a key that
//! holds personal data is rewritten too.

use std::borrow::Cow;

use crate::record::Structure;
use crate::span::{Finding, Span};

use super::fields::float_like;
use super::{Redactor, Scratch};

/// Options of [`Redactor::redact_json_with`].
///
/// # Example
/// ```
/// let mut o = velum::JsonOptions::default();
/// o.skip_keys.push("$.user.id".into());
/// o.rewrite = false; // report only
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct JsonOptions {
    /// Keys whose values are left as they are, not scanned: a key name (`"id"`, at any depth)
    /// or a path from the root (`"$.user.id"`, `"$.items[0].sku"`).
    pub skip_keys: Vec<String>,
    /// Rewrite the value (true, the default) or only report the findings.
    pub rewrite: bool,
}

impl Default for JsonOptions {
    fn default() -> Self {
        Self {
            skip_keys: Vec::new(),
            rewrite: true,
        }
    }
}

impl JsonOptions {
    fn skips(&self, key: &str, path: &str) -> bool {
        self.skip_keys.iter().any(|s| s == key || s == path)
    }
}

/// A finding in a JSON value, with where it is; see [`Redactor::redact_json_with`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct JsonFinding {
    /// The path of the value (`$.user.email`, `$.tags[1]`; a key that is not an identifier
    /// is quoted: `$["first name"]`), or of the object whose key it is in.
    pub path: String,
    /// The key the finding is in, when it is in a key rather than a value.
    pub key: Option<String>,
    /// The finding; its span is in the value's text (a number's digits) or in the key.
    pub finding: Finding,
}

/// Appends `.key` (or `["key"]` when it is not an identifier) to a path.
fn push_key(path: &mut String, key: &str) {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        && !key.starts_with(|c: char| c.is_ascii_digit());
    if plain {
        path.push('.');
        path.push_str(key);
    } else {
        path.push_str("[\"");
        for c in key.chars() {
            match c {
                '"' => path.push_str("\\\""),
                '\\' => path.push_str("\\\\"),
                _ => path.push(c),
            }
        }
        path.push_str("\"]");
    }
}

/// The state of one walk over a value.
struct Walk<'s, 'o> {
    scratch: &'s mut Scratch,
    path: String,
    opts: &'o JsonOptions,
    found: Vec<JsonFinding>,
}

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
        self.redact_json_with(value, &JsonOptions::default()).len()
    }

    /// [`Redactor::redact_json`] with options, returning each finding with the path of the
    /// value (or key) it is in. With `rewrite: false` the value is left as it is: the
    /// findings are what redaction would change (Presidio's `analyze_dict`).
    ///
    /// # Example
    /// ```
    /// use velum::{JsonOptions, Redactor};
    /// let r = Redactor::new();
    /// let mut v = serde_json::json!({
    ///     "user": {"email": "jane@example.com", "id": "jane@example.com"},
    ///     "tags": ["ok", "ip 203.0.113.9"]
    /// });
    /// let mut opts = JsonOptions::default();
    /// opts.skip_keys = vec!["id".into()];
    /// let found = r.redact_json_with(&mut v, &opts);
    /// let paths: Vec<&str> = found.iter().map(|f| f.path.as_str()).collect();
    /// assert_eq!(paths, ["$.user.email", "$.tags[1]"]);
    /// assert_eq!(v["user"]["id"], "jane@example.com"); // skipped, as asked
    /// assert_eq!(v["tags"][1], "ip [IP_ADDRESS]");
    /// ```
    pub fn redact_json_with(
        &self,
        value: &mut serde_json::Value,
        opts: &JsonOptions,
    ) -> Vec<JsonFinding> {
        let mut scratch = self.pool.get();
        let mut w = Walk {
            scratch: &mut scratch,
            path: String::from("$"),
            opts,
            found: Vec::new(),
        };
        self.json_walk(value, None, &mut w);
        w.found
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

    fn json_walk(&self, v: &mut serde_json::Value, key: Option<&str>, w: &mut Walk<'_, '_>) {
        use serde_json::Value;
        let text = match v {
            Value::Object(map) => {
                let keys: Vec<(String, Vec<Finding>)> = map
                    .keys()
                    .map(|k| (k.clone(), self.scan_key(k, w.scratch)))
                    .collect();
                for (k, found) in &keys {
                    w.found.extend(found.iter().map(|f| JsonFinding {
                        path: w.path.clone(),
                        key: Some(k.clone()),
                        finding: *f,
                    }));
                }
                let visit = |k: &str, child: &mut Value, w: &mut Walk<'_, '_>| {
                    let len = w.path.len();
                    push_key(&mut w.path, k);
                    if !w.opts.skips(k, &w.path) {
                        self.json_walk(child, Some(k), w);
                    }
                    w.path.truncate(len);
                };
                if !(w.opts.rewrite && keys.iter().any(|(_, f)| !f.is_empty())) {
                    for (k, child) in map.iter_mut() {
                        visit(k, child, w);
                    }
                    return;
                }
                let old = std::mem::take(map);
                for ((k, mut child), (_, found)) in old.into_iter().zip(&keys) {
                    visit(&k, &mut child, w);
                    let new = match self.rewrite_structured(k.as_bytes(), Structure::Text, found) {
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
                return;
            }
            Value::Array(items) => {
                for (i, child) in items.iter_mut().enumerate() {
                    let len = w.path.len();
                    w.path.push_str(&format!("[{i}]"));
                    self.json_walk(child, key, w);
                    w.path.truncate(len);
                }
                return;
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
            Value::Null | Value::Bool(_) => return,
        };
        let value = text.as_bytes();
        let head = key
            .map(|k| [k.as_bytes(), b": "].concat())
            .unwrap_or_default();
        let mut mine = Vec::new();
        let scratch = &mut *w.scratch;
        self.scan_value(scratch, &head, key, value, &mut mine);
        self.settle(
            &mut mine,
            0,
            &|found, out, edits| self.rewrite_into(value, Structure::Auto, found, out, Some(edits)),
            &mut |text, more| self.scan_value(scratch, &head, key, text, more),
        );
        if w.opts.rewrite
            && let Cow::Owned(new) = self.rewrite_structured(value, Structure::Auto, &mine)
        {
            *v = Value::String(String::from_utf8_lossy(&new).into_owned());
        }
        w.found.extend(mine.into_iter().map(|f| JsonFinding {
            path: w.path.clone(),
            key: None,
            finding: f,
        }));
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_name_values_and_keys_and_skips_take_names_or_paths() {
        let r = Redactor::new();
        let mut v = json!({
            "first name": "x",
            "jane@example.com": {"ip": "203.0.113.9"},
            "items": [{"sku": 536904399, "ssn": 536904399}],
            "id": "203.0.113.9"
        });
        let before = v.clone();
        let report = JsonOptions {
            skip_keys: vec!["$.items[0].ssn".into(), "id".into()],
            rewrite: false,
        };
        let found = r.redact_json_with(&mut v, &report);
        assert_eq!(v, before, "rewrite: false changes nothing");
        let got: Vec<(&str, Option<&str>, &str)> = found
            .iter()
            .map(|f| (f.path.as_str(), f.key.as_deref(), f.finding.entity.name()))
            .collect();
        assert_eq!(
            got,
            [
                ("$", Some("jane@example.com"), "EMAIL"),
                ("$[\"first name\"]", None, "PERSON"),
                ("$[\"jane@example.com\"].ip", None, "IP_ADDRESS"),
            ]
        );
        // Without skips the SSN and the id are found, and rewriting renames the key.
        let all = r.redact_json_with(&mut v, &JsonOptions::default());
        assert_eq!(all.len(), 5);
        assert_eq!(v["items"][0]["ssn"], "*****4399");
        assert_eq!(v["items"][0]["sku"], 536904399);
        assert!(v.get("[EMAIL]").is_some());
    }

    #[test]
    fn per_call_policy_options() {
        use crate::{Entity, Policy};
        let p = Policy::from_toml_str(
            "[[patterns]]\nname = \"emp\"\nentity = \"EMPLOYEE_ID\"\nregex = 'EMP-\\d{6}'\n",
            "t",
        )
        .unwrap();
        let only = Redactor::from_policy(
            &p.clone()
                .with_only_entities([Entity::parse("EMPLOYEE_ID").unwrap()]),
        )
        .unwrap();
        assert_eq!(
            only.redact_str("EMP-123456 jane@example.com"),
            "[EMPLOYEE_ID] jane@example.com"
        );
        let none = Redactor::from_policy(&p.clone().with_only_entities([])).unwrap();
        assert_eq!(none.redact_str("jane@example.com"), "jane@example.com");
        let allowed =
            Redactor::from_policy(&p.with_allowed(["EMP-123456", "203.0.113.9"])).unwrap();
        assert_eq!(
            allowed.redact_str("EMP-123456 EMP-654321 203.0.113.9 203.0.113.8"),
            "EMP-123456 [EMPLOYEE_ID] 203.0.113.9 [IP_ADDRESS]"
        );
    }
}
