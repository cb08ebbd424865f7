//! Transform: the only stage that writes. Given a unit and its findings (sorted, disjoint) it
//! builds the rewritten unit, copying every byte outside a finding unchanged. A unit with no
//! finding to change is returned borrowed: no allocation, no copy.

use crate::span::{Entity, Finding};

/// What happens to a finding.
///
/// # Example
/// ```
/// use velum::Action;
/// assert_eq!(Action::parse("mask"), Some(Action::Mask));
/// assert_eq!(Action::Mask.as_str(), "mask");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// Leave the value as it is (it is still reported by `scan`).
    Keep,
    /// Replace the value with a label such as `[EMAIL]`.
    Label,
    /// Replace letters and digits with a mask character, keeping separators and, if the rule
    /// says so, the first and last few characters.
    Mask,
    /// Remove the value.
    Drop,
    /// Replace the value with a deterministic, authenticated, reversible token (needs a
    /// keyring; see the README for the grammar).
    Token,
    /// Replace the value with a keyed, irreversible pseudonym (needs a keyring).
    Hash,
}

impl Action {
    /// Parses a policy action name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "keep" => Self::Keep,
            "label" => Self::Label,
            "mask" => Self::Mask,
            "drop" => Self::Drop,
            "token" => Self::Token,
            "hash" => Self::Hash,
            _ => return None,
        })
    }

    /// The policy name of the action.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Keep => "keep",
            Self::Label => "label",
            Self::Mask => "mask",
            Self::Drop => "drop",
            Self::Token => "token",
            Self::Hash => "hash",
        }
    }

    /// True for actions that need key material.
    pub fn needs_keyring(self) -> bool {
        matches!(self, Self::Token | Self::Hash)
    }
}

/// An action with its parameters, as a policy sets it for one entity.
///
/// # Example
/// ```
/// use velum::{Action, Rule};
/// let rule = Rule { action: Action::Mask, keep_last: 4, ..Rule::default() };
/// assert_eq!(rule.apply_to(velum::Entity::CREDIT_CARD, b"4111 1111 1111 1111"), b"**** **** **** 1111");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// The action.
    pub action: Action,
    /// Label template; `{entity}` is replaced by the entity name.
    pub label: String,
    /// Mask: letters and digits kept at the start.
    pub keep_first: usize,
    /// Mask: letters and digits kept at the end.
    pub keep_last: usize,
    /// Mask: the ASCII punctuation character written instead of each letter or digit.
    pub mask_char: u8,
}

impl Default for Rule {
    fn default() -> Self {
        Self {
            action: Action::Label,
            label: "[{entity}]".to_owned(),
            keep_first: 0,
            keep_last: 0,
            mask_char: b'*',
        }
    }
}

/// Makes tokens and keyed hashes; the vault implements it for a keyring.
pub(crate) trait Sealer {
    fn token(&self, entity: Entity, value: &[u8], out: &mut Vec<u8>);
    fn hash(&self, entity: Entity, value: &[u8], out: &mut Vec<u8>);
}

impl Rule {
    /// The replacement for one value. `token` and `hash` need a keyring, which only a
    /// [`Redactor`](crate::Redactor) holds: here they fall back to the label, so no value
    /// ever passes unchanged.
    pub fn apply_to(&self, entity: Entity, value: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(value.len());
        self.write(entity, value, &mut out, None);
        out
    }

    pub(crate) fn write(
        &self,
        entity: Entity,
        value: &[u8],
        out: &mut Vec<u8>,
        sealer: Option<&dyn Sealer>,
    ) {
        self.write_finding(entity, value, false, out, sealer);
    }

    /// A fragment (see [`Finding::is_fragment`]) is masked whole.
    pub(crate) fn write_finding(
        &self,
        entity: Entity,
        value: &[u8],
        fragment: bool,
        out: &mut Vec<u8>,
        sealer: Option<&dyn Sealer>,
    ) {
        match (self.action, sealer) {
            (Action::Keep, _) => out.extend_from_slice(value),
            (Action::Drop, _) => {}
            (Action::Mask, _) if fragment => Self {
                keep_first: 0,
                keep_last: 0,
                ..self.clone()
            }
            .mask(value, out),
            (Action::Mask, _) => self.mask(value, out),
            (Action::Token, Some(s)) => s.token(entity, value, out),
            (Action::Hash, Some(s)) => s.hash(entity, value, out),
            (Action::Label | Action::Token | Action::Hash, _) => {
                write_label(&self.label, entity, out)
            }
        }
    }

    fn mask(&self, value: &[u8], out: &mut Vec<u8>) {
        let total = MaskUnits(value, 0).filter(|&(_, _, c)| c).count();
        // Never reveal the whole value: keep counts that cover it mask everything. Nor all
        // but one character: a single hidden digit is recovered by the value's own check
        // digit (Luhn, mod 97, mod 11), so fewer than two hidden characters mask everything.
        let (first, last) = if self.keep_first + self.keep_last + 2 > total {
            (0, 0)
        } else {
            (self.keep_first, self.keep_last)
        };
        let mut n = 0usize;
        for (i, j, is_char) in MaskUnits(value, 0) {
            if !is_char {
                out.extend_from_slice(&value[i..j]);
                continue;
            }
            if n < first || n >= total - last {
                out.extend_from_slice(&value[i..j]);
            } else {
                out.push(self.mask_char);
            }
            n += 1;
        }
    }
}

/// Walks a value in mask units `(start, end, is_char)`: a character is an ASCII letter or
/// digit, or one whole non-ASCII UTF-8 sequence; anything else is a separator byte.
struct MaskUnits<'a>(&'a [u8], usize);

impl Iterator for MaskUnits<'_> {
    type Item = (usize, usize, bool);

    fn next(&mut self) -> Option<Self::Item> {
        let (v, i) = (self.0, self.1);
        let b = *v.get(i)?;
        let mut j = i + 1;
        if b >= 0x80 {
            while j < v.len() && (0x80..0xC0).contains(&v[j]) {
                j += 1;
            }
        }
        self.1 = j;
        Some((i, j, b.is_ascii_alphanumeric() || b >= 0x80))
    }
}

fn write_label(template: &str, entity: Entity, out: &mut Vec<u8>) {
    let mut rest = template.as_bytes();
    // A byte search for `{`, not a substring searcher built per finding.
    while let Some(p) = memchr::memchr(b'{', rest) {
        if rest[p..].starts_with(b"{entity}") {
            out.extend_from_slice(&rest[..p]);
            out.extend_from_slice(entity.name().as_bytes());
            rest = &rest[p + "{entity}".len()..];
        } else {
            out.extend_from_slice(&rest[..=p]);
            rest = &rest[p + 1..];
        }
    }
    out.extend_from_slice(rest);
}

/// A change a rewrite made: the unit's bytes `from` became the output's bytes `to`. Every
/// byte outside the edits of a rewrite is copied unchanged, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Edit {
    pub(crate) from: std::ops::Range<usize>,
    pub(crate) to: std::ops::Range<usize>,
}

/// Rewrites `unit` with `findings` (sorted by start, disjoint). Borrowed when nothing changes.
#[cfg(test)]
pub(crate) fn rewrite<'a, 'r>(
    unit: &'a [u8],
    findings: &[Finding],
    rule_of: impl Fn(Entity) -> &'r Rule,
    sealer: Option<&dyn Sealer>,
) -> std::borrow::Cow<'a, [u8]> {
    let mut out = Vec::new();
    if rewrite_into(unit, findings, rule_of, sealer, &mut out, None) {
        std::borrow::Cow::Owned(out)
    } else {
        std::borrow::Cow::Borrowed(unit)
    }
}

/// Rewrites `unit` with `findings` (sorted by start, disjoint) into `out` (cleared first),
/// recording each replacement in `edits` when given. False, with `out` empty, when nothing
/// changes.
pub(crate) fn rewrite_into<'r>(
    unit: &[u8],
    findings: &[Finding],
    rule_of: impl Fn(Entity) -> &'r Rule,
    sealer: Option<&dyn Sealer>,
    out: &mut Vec<u8>,
    mut edits: Option<&mut Vec<Edit>>,
) -> bool {
    out.clear();
    let mut changed = findings
        .iter()
        .filter(|f| rule_of(f.entity).action != Action::Keep)
        .peekable();
    if changed.peek().is_none() {
        return false;
    }
    out.reserve(unit.len() + 16);
    let mut at = 0;
    for f in changed {
        out.extend_from_slice(&unit[at..f.span.start()]);
        let to = out.len();
        rule_of(f.entity).write_finding(f.entity, &unit[f.span.range()], f.fragment, out, sealer);
        if let Some(e) = edits.as_deref_mut() {
            e.push(Edit {
                from: f.span.range(),
                to: to..out.len(),
            });
        }
        at = f.span.end();
    }
    out.extend_from_slice(&unit[at..]);
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::{DetectorId, Span};

    fn mask(keep_first: usize, keep_last: usize, v: &str) -> String {
        let r = Rule {
            action: Action::Mask,
            keep_first,
            keep_last,
            ..Rule::default()
        };
        String::from_utf8(r.apply_to(Entity::CREDIT_CARD, v.as_bytes())).unwrap()
    }

    #[test]
    fn mask_keeps_separators_and_ends() {
        assert_eq!(mask(0, 4, "4111 1111 1111 1111"), "**** **** **** 1111");
        assert_eq!(mask(0, 4, "4111111111111111"), "************1111");
        assert_eq!(mask(0, 4, "536-90-4399"), "***-**-4399");
        assert_eq!(mask(1, 0, "jane@example.com"), "j***@*******.***");
        assert_eq!(mask(0, 0, "Zoë"), "***");
        // Keeping everything would reveal the value: mask it all.
        assert_eq!(mask(2, 2, "1234"), "****");
        // Issue 16: one hidden digit is given back by the check digit (Luhn here).
        assert_eq!(mask(6, 9, "4111111111111111"), "****************");
        assert_eq!(mask(6, 8, "4111111111111111"), "411111**11111111");
    }

    #[test]
    fn labels() {
        let r = Rule::default();
        assert_eq!(r.apply_to(Entity::EMAIL, b"x@y.com"), b"[EMAIL]");
        let r = Rule {
            label: "<{entity}:{entity}>".into(),
            ..Rule::default()
        };
        assert_eq!(r.apply_to(Entity::IBAN, b"x"), b"<IBAN:IBAN>");
        let r = Rule {
            label: "{{x}{entity}{".into(),
            ..Rule::default()
        };
        assert_eq!(r.apply_to(Entity::IBAN, b"x"), b"{{x}IBAN{");
    }

    #[test]
    fn rewrite_borrows_when_unchanged() {
        let keep = Rule {
            action: Action::Keep,
            ..Rule::default()
        };
        let f = Finding {
            span: Span::new(0, 1),
            entity: Entity::EMAIL,
            score: 1.0,
            detector: DetectorId::new("email"),
            fragment: false,
        };
        assert!(matches!(
            rewrite(b"abc", &[f], |_| &keep, None),
            std::borrow::Cow::Borrowed(_)
        ));
        assert!(matches!(
            rewrite(b"abc", &[], |_| &keep, None),
            std::borrow::Cow::Borrowed(_)
        ));
        let drop = Rule {
            action: Action::Drop,
            ..Rule::default()
        };
        assert_eq!(rewrite(b"abc", &[f], |_| &drop, None).as_ref(), b"bc");
    }
}
