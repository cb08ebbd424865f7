//! Small `Copy` values every stage passes along: [`Span`], [`Entity`], [`DetectorId`] and
//! [`Finding`]. They carry positions and names, never matched bytes.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Mutex, OnceLock};

/// A half-open byte range `start..end` within one unit (usually a line).
///
/// # Example
/// ```
/// use velum::Span;
/// let s = Span::new(2, 5);
/// assert_eq!(s.len(), 3);
/// assert_eq!(&b"ab123cd"[s.range()], b"123");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    start: usize,
    end: usize,
}

impl Span {
    /// Creates a span.
    ///
    /// # Panics
    /// Panics when `start > end`.
    pub fn new(start: usize, end: usize) -> Self {
        assert!(start <= end, "span start {start} is after its end {end}");
        Self { start, end }
    }

    /// First byte of the span.
    pub fn start(self) -> usize {
        self.start
    }

    /// One past the last byte of the span.
    pub fn end(self) -> usize {
        self.end
    }

    /// Number of bytes covered.
    pub fn len(self) -> usize {
        self.end - self.start
    }

    /// True when the span covers no byte.
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The span as a `Range`, for slicing.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start..self.end
    }

    /// True when the two spans share at least one byte.
    pub fn overlaps(self, other: Self) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// The span moved right by `by` bytes.
    pub fn offset(self, by: usize) -> Self {
        Self::new(self.start + by, self.end + by)
    }
}

fn names() -> std::sync::MutexGuard<'static, HashSet<&'static str>> {
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let set = NAMES.get_or_init(Default::default);
    set.lock().unwrap_or_else(|e| e.into_inner())
}

fn intern(name: &str) -> &'static str {
    let mut set = names();
    if let Some(existing) = set.get(name) {
        return existing;
    }
    let leaked: &'static str = Box::leak(name.to_owned().into_boxed_str());
    set.insert(leaked);
    leaked
}

/// An entity type such as `CREDIT_CARD` or `EMAIL`.
///
/// Built-in names are the contract of DESIGN.md; policies may add custom ones (upper-case
/// ASCII letters, digits and `_`, starting with a letter).
///
/// # Example
/// ```
/// use velum::Entity;
/// assert_eq!(Entity::CREDIT_CARD.name(), "CREDIT_CARD");
/// assert_eq!(Entity::parse("EMAIL"), Some(Entity::EMAIL));
/// assert!(Entity::parse("credit card").is_none());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Entity(&'static str);

macro_rules! builtin_entities {
    ($($name:ident),* $(,)?) => {
        impl Entity {
            $(
                #[doc = concat!("The built-in `", stringify!($name), "` entity.")]
                pub const $name: Entity = Entity(stringify!($name));
            )*
            /// Every entity name of the DESIGN.md contract, in contract order.
            pub const BUILTIN: &'static [Entity] = &[$(Entity::$name),*];
        }
    };
}

builtin_entities!(
    PERSON,
    EMAIL,
    PHONE,
    CREDIT_CARD,
    IBAN,
    US_BANK_ACCOUNT,
    ABA_ROUTING,
    SWIFT_BIC,
    US_SSN,
    US_ITIN,
    UK_NINO,
    CA_SIN,
    AU_TFN,
    IP_ADDRESS,
    MAC_ADDRESS,
    DATE_OF_BIRTH,
    STREET_ADDRESS,
    UK_NHS,
    US_NPI,
    US_MBI,
    US_DEA,
    MRN,
    AU_MEDICARE,
    AU_IHI,
);

impl Entity {
    /// Parses an entity name: a built-in one, or any well-formed custom name
    /// (`[A-Z][A-Z0-9_]*`, at most 64 bytes). Returns `None` for a malformed name.
    pub fn parse(name: &str) -> Option<Self> {
        if let Some(e) = Self::BUILTIN.iter().find(|e| e.0 == name) {
            return Some(*e);
        }
        if Self::is_well_formed(name) {
            Some(Self(intern(name)))
        } else {
            None
        }
    }

    /// An entity name already known to this process (built in, or named by a loaded policy),
    /// without adding a new one: for names from untrusted input, where [`Entity::parse`]
    /// would keep every new name for the life of the process.
    ///
    /// # Example
    /// ```
    /// use velum::Entity;
    /// assert_eq!(Entity::lookup("US_SSN"), Some(Entity::US_SSN));
    /// assert_eq!(Entity::lookup("NEVER_SEEN_BEFORE_X"), None);
    /// ```
    pub fn lookup(name: &str) -> Option<Self> {
        if let Some(e) = Self::BUILTIN.iter().find(|e| e.0 == name) {
            return Some(*e);
        }
        names().get(name).map(|n| Self(n))
    }

    /// True when `name` is a syntactically valid entity name.
    pub fn is_well_formed(name: &str) -> bool {
        let b = name.as_bytes();
        !b.is_empty()
            && b.len() <= 64
            && b[0].is_ascii_uppercase()
            && b.iter()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
    }

    /// True for the names of DESIGN.md's contract.
    pub fn is_builtin(self) -> bool {
        Self::BUILTIN.contains(&self)
    }

    /// The entity name, e.g. `"IBAN"`.
    pub fn name(self) -> &'static str {
        self.0
    }
}

impl fmt::Debug for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// The name of the detector that produced a finding, e.g. `credit_card`, or
/// `custom:employee_id` for a policy pattern.
///
/// # Example
/// ```
/// use velum::DetectorId;
/// assert_eq!(DetectorId::new("credit_card").as_str(), "credit_card");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DetectorId(&'static str);

impl DetectorId {
    /// Interns a detector name.
    pub fn new(name: &str) -> Self {
        Self(intern(name))
    }

    /// The detector name.
    pub fn as_str(self) -> &'static str {
        self.0
    }
}

impl fmt::Debug for DetectorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Display for DetectorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// One piece of personal data found in a unit: where, what, how sure, and who said so.
///
/// A finding never holds the matched bytes; slice the unit with [`Span::range`] when the value
/// is needed.
///
/// # Example
/// ```
/// use velum::Redactor;
/// let r = Redactor::new();
/// let f = r.scan(b"mail jane.doe@example.com now");
/// assert_eq!(f.len(), 1);
/// assert_eq!(f[0].entity.name(), "EMAIL");
/// assert_eq!((f[0].span.start(), f[0].span.end()), (5, 25));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Finding {
    /// Byte range within the unit.
    pub span: Span,
    /// Entity type.
    pub entity: Entity,
    /// Confidence in `[0, 1]`.
    pub score: f32,
    /// Detector that produced it.
    pub detector: DetectorId,
    /// The part of a candidate that lost an overlap but sticks out of the winner: always
    /// replaced whole (a mask keeps none of it).
    pub(crate) fragment: bool,
}

impl Finding {
    /// True for the part of a beaten candidate that sticks out of the winning one; it is
    /// replaced whole, so nothing a detector confirmed is left behind.
    pub fn is_fragment(&self) -> bool {
        self.fragment
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_basics() {
        let a = Span::new(0, 4);
        let b = Span::new(3, 6);
        let c = Span::new(4, 6);
        assert!(a.overlaps(b));
        assert!(!a.overlaps(c));
        assert_eq!(a.offset(2), Span::new(2, 6));
        assert!(Span::new(3, 3).is_empty());
    }

    #[test]
    #[should_panic(expected = "span start")]
    fn span_rejects_reversed() {
        let _ = Span::new(5, 4);
    }

    #[test]
    fn entity_names() {
        assert_eq!(Entity::BUILTIN.len(), 24);
        assert!(Entity::parse("EMPLOYEE_ID").is_some());
        assert!(!Entity::parse("EMPLOYEE_ID").unwrap().is_builtin());
        assert_eq!(Entity::parse("EMPLOYEE_ID"), Entity::parse("EMPLOYEE_ID"));
        for bad in ["", "lower", "9X", "A-B", "A B"] {
            assert!(Entity::parse(bad).is_none(), "{bad}");
        }
    }
}
