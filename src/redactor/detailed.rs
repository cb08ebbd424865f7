//! [`Redactor::redact_detailed`]: the redacted text and, for each finding, where its value
//! was in the input and where its replacement is in the output — what a caller needs to
//! highlight, audit or undo one replacement.

use crate::record::Structure;
use crate::span::{DetectorId, Entity, Span};
use crate::transform::{Action, Edit};

use super::{Redactor, lines};

/// One finding of [`Redactor::redact_detailed`] and where its replacement landed.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Replacement {
    /// The entity found.
    pub entity: Entity,
    /// The detector that found it.
    pub detector: DetectorId,
    /// Its score.
    pub score: f32,
    /// The action the policy applied (`Keep` leaves the value where it was).
    pub action: Action,
    /// Where the value is in the input.
    pub input: Span,
    /// Where its replacement (or, kept, the value) is in the output; empty for `drop`.
    pub output: Span,
}

/// The result of [`Redactor::redact_detailed`].
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Redacted {
    /// The redacted text (what [`Redactor::redact`] gives).
    pub text: Vec<u8>,
    /// Each finding, in order of place.
    pub replacements: Vec<Replacement>,
}

impl Redactor {
    /// [`Redactor::redact`], with each finding's place in the input and in the output.
    ///
    /// # Example
    /// ```
    /// let r = velum::Redactor::new();
    /// let d = r.redact_detailed(b"mail jane@example.com, ssn 536-90-4399");
    /// assert_eq!(d.text, b"mail [EMAIL], ssn ***-**-4399");
    /// let ssn = &d.replacements[1];
    /// assert_eq!(&d.text[ssn.output.range()], b"***-**-4399");
    /// assert_eq!(ssn.input.start(), 27);
    /// ```
    pub fn redact_detailed(&self, text: &[u8]) -> Redacted {
        let mut scratch = self.pool.get();
        let mut d = Redacted::default();
        let (mut findings, mut out, mut edits) = (Vec::new(), Vec::new(), Vec::new());
        for (start, unit, term) in lines(text) {
            findings.clear();
            edits.clear();
            self.scan_unit_with(&mut scratch, unit, &mut findings);
            let base = d.text.len();
            let changed = !findings.is_empty()
                && self.rewrite_into(unit, Structure::Auto, &findings, &mut out, Some(&mut edits));
            if changed {
                d.text.extend_from_slice(&out);
            } else {
                d.text.extend_from_slice(unit);
                edits.clear();
            }
            d.text.extend_from_slice(term);
            for f in &findings {
                let action = self.rule(f.entity).action;
                let to = edits
                    .iter()
                    .find(|e| e.from == f.span.range())
                    .map(|e| e.to.clone())
                    .unwrap_or_else(|| {
                        shifted(&edits, f.span.start())..shifted(&edits, f.span.end())
                    });
                d.replacements.push(Replacement {
                    entity: f.entity,
                    detector: f.detector,
                    score: f.score,
                    action,
                    input: f.span.offset(start),
                    output: Span::new(base + to.start, base + to.end),
                });
            }
        }
        d
    }
}

/// Where byte `at` of a unit (outside every edit) is in its rewrite.
fn shifted(edits: &[Edit], at: usize) -> usize {
    let mut pos = at as isize;
    for e in edits
        .iter()
        .filter(|e| e.from.end <= at && !(e.from.is_empty() && e.from.start == at))
    {
        pos += e.to.len() as isize - e.from.len() as isize;
    }
    pos as usize
}

#[cfg(test)]
mod tests {
    use crate::{Action, Entity, Policy, Redactor, Rule};

    /// For every action, each replacement's output span holds what the policy wrote for
    /// it, and the text is what `redact` gives: on text, JSON and embedded JSON lines.
    #[test]
    fn each_replacement_lands_where_it_says() {
        let lines = [
            "to jane@example.com, ssn 536-90-4399, card 4111 1111 1111 1111",
            r#"{"user":{"email":"jane@example.com","ssn":536904399},"note":"tab\there é"}"#,
            r#"2026-01-01 login {"ip":"203.0.113.9","who":"Jane Smith"}"#,
            "ok\nssn 536-90-4399\r\nlast 203.0.113.9",
        ];
        for action in [Action::Label, Action::Mask, Action::Drop, Action::Keep] {
            let mut p = Policy::default();
            for e in Entity::BUILTIN {
                p = p.with_rule(
                    *e,
                    Rule {
                        action,
                        ..Rule::default()
                    },
                );
            }
            let r = Redactor::from_policy(&p).unwrap();
            for l in lines {
                let d = r.redact_detailed(l.as_bytes());
                assert_eq!(d.text, r.redact(l.as_bytes()).as_ref(), "{l}");
                assert!(!d.replacements.is_empty(), "{l}");
                for x in &d.replacements {
                    let value = &l.as_bytes()[x.input.range()];
                    let got = &d.text[x.output.range()];
                    match action {
                        Action::Keep => assert_eq!(got, value, "{l}"),
                        Action::Drop => assert!(got.is_empty(), "{l}"),
                        Action::Label => {
                            let want = format!("[{}]", x.entity.name());
                            assert!(String::from_utf8_lossy(got).contains(&want), "{l}: {got:?}");
                        }
                        _ => assert!(got.contains(&b'*'), "{l}: {got:?}"),
                    }
                }
            }
        }
    }
}
