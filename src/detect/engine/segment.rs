//! What of a unit is scanned: [`Segment`]s, plain text or a field's value with its name,
//! whose words are context for the value.

use crate::span::Span;

/// A part of a unit that is scanned: a value, and the name of its field (empty for plain
/// text), whose context words count for the value at any distance. Candidates lie inside one
/// value; context does not reach past its field.
///
/// `about..key.0` is what describes the value from beside it (the fields before a `value` in
/// its object: `"system": "http://hl7.org/fhir/sid/us-npi"`): its words raise the value's
/// score as the key's do, but do not lower it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Segment {
    pub(crate) key: (usize, usize),
    pub(crate) value: (usize, usize),
    pub(crate) about: usize,
}

impl Segment {
    /// A whole unit of text.
    #[inline]
    pub(crate) fn text(len: usize) -> Self {
        Self {
            key: (0, 0),
            value: (0, len),
            about: 0,
        }
    }

    /// A value with its field name.
    pub(crate) fn field(key: (usize, usize), value: (usize, usize)) -> Self {
        Self {
            key,
            value,
            about: key.0,
        }
    }

    /// The first byte context may come from.
    #[inline]
    pub(super) fn lo(self) -> usize {
        if self.key.1 > self.key.0 {
            self.about.min(self.key.0).min(self.value.0)
        } else {
            self.value.0
        }
    }
}

/// The segment holding `span`, if one does.
#[inline]
pub(super) fn segment_of(segs: &[Segment], span: Span) -> Option<Segment> {
    let i = segs.partition_point(|s| s.value.0 <= span.start());
    let s = *segs.get(i.checked_sub(1)?)?;
    (span.end() <= s.value.1).then_some(s)
}
