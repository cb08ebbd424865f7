//! Why a candidate was not reported: what `velum explain` shows for a value left in clear.
//! The engine records a [`Rejected`] at each place it drops a candidate, only when asked to
//! (a scan never pays for it): the validator's check, a missing context word, text velum
//! wrote, a score under the threshold, the allow-list, a better overlapping finding, and a
//! number the log structure reads as a time, date, version or identifier.

use crate::span::{DetectorId, Entity, Span};

/// Why a candidate was not reported; see [`Rejected`].
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Reason {
    /// The detector's validator refused it: a check digit, a length, a prefix or range, a
    /// structure the identifier must have.
    Check,
    /// The detector reports only with one of its context words in the unit, and none is.
    NeedsContext,
    /// It stands in or against text velum writes (a label, a token, a mask).
    WrittenByVelum,
    /// Its score after context is under the threshold; `negative` is the word that lowered
    /// it, if one did.
    BelowThreshold {
        /// The score after context.
        score: f32,
        /// The threshold of its entity.
        threshold: f32,
        /// The negative context word that lowered it, if any.
        negative: Option<Span>,
    },
    /// A weak value (its validator's score alone is low) needs a label right before it or
    /// its field name, and a word nearby is not enough.
    NeedsLabel,
    /// The policy's allow-list holds the value.
    Allowed,
    /// An overlapping candidate of this entity was preferred (longer, more specific or
    /// better scored).
    Overlapped {
        /// The entity of the finding that won.
        by: Entity,
    },
    /// The name of its field says it is not this entity (`status: Will Call` is no person).
    FieldName,
    /// Never a candidate: the log's structure reads this number as part of a time, a date,
    /// a version or an identifier (`structure` names which).
    Structure {
        /// `time`, `date`, `version` or `identifier`.
        structure: &'static str,
    },
}

impl Reason {
    /// A short English description, as `velum explain` prints it.
    ///
    /// # Example
    /// ```
    /// assert_eq!(velum::Reason::Check.describe(), "failed its check (check digit, length, prefix or structure)");
    /// ```
    pub fn describe(&self) -> String {
        match self {
            Self::Check => "failed its check (check digit, length, prefix or structure)".into(),
            Self::NeedsContext => "needs a context word, and the text has none".into(),
            Self::WrittenByVelum => "part of text velum writes (a label, token or mask)".into(),
            Self::BelowThreshold {
                score, threshold, ..
            } => format!("score {score:.2} below the threshold {threshold:.2}"),
            Self::NeedsLabel => {
                "a weak value: needs a label right before it or a field name".into()
            }
            Self::Allowed => "on the policy's allow-list".into(),
            Self::Overlapped { by } => format!("overlapped by a better {by} finding"),
            Self::FieldName => "its field's name says it is not this entity".into(),
            Self::Structure { structure } => {
                format!("read as part of a {structure}, not a candidate")
            }
        }
    }

    /// How much it says about a value, higher first: of two reasons one detector gave for
    /// one candidate, the higher is kept, and `velum explain` lists them in this order.
    ///
    /// # Example
    /// ```
    /// use velum::Reason;
    /// assert!(Reason::Allowed.rank_for_display() > Reason::Check.rank_for_display());
    /// ```
    pub fn rank_for_display(&self) -> u8 {
        self.rank()
    }

    pub(crate) fn rank(&self) -> u8 {
        match self {
            Self::Structure { .. } => 0,
            Self::NeedsContext => 1,
            Self::Check => 2,
            Self::WrittenByVelum => 3,
            Self::Overlapped { .. } => 4,
            Self::NeedsLabel => 5,
            Self::FieldName => 6,
            Self::BelowThreshold { .. } => 7,
            Self::Allowed => 8,
        }
    }
}

impl Rejected {
    /// The same rejection with its spans (the candidate's, a negative word's) moved by `f`:
    /// from a reading's text (decoded, a field) back to the unit's bytes.
    pub(crate) fn map_spans(self, f: impl Fn(Span) -> Span) -> Self {
        let reason = match self.reason {
            Reason::BelowThreshold {
                score,
                threshold,
                negative,
            } => Reason::BelowThreshold {
                score,
                threshold,
                negative: negative.map(&f),
            },
            other => other,
        };
        Self {
            span: f(self.span),
            reason,
            ..self
        }
    }
}

/// A candidate that was looked at and not reported, with why.
///
/// # Example
/// ```
/// // 4111 1111 1111 1112 fails Luhn's check digit.
/// let r = velum::Redactor::new();
/// let why = r.explain_rejected(b"card 4111 1111 1111 1112");
/// assert!(why.iter().any(|w| w.entity == Some(velum::Entity::CREDIT_CARD)
///     && w.reason == velum::Reason::Check));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Rejected {
    /// Where the candidate is in the unit.
    pub span: Span,
    /// The entity it was a candidate for (`None` for a [`Reason::Structure`] number, which
    /// no detector saw).
    pub entity: Option<Entity>,
    /// The detector that looked at it.
    pub detector: Option<DetectorId>,
    /// Why it was not reported.
    pub reason: Reason,
}
