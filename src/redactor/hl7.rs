//! HL7 version 2 segments, read by position: the floor rule's typed fields for the messages
//! hospitals exchange (`PID|1||12345^^^HOSP^MR||SMITH^JOHN^Q||19800101|…`). A segment's
//! fields are `|`-separated, their components `^`-separated, repetitions `~`-separated; the
//! standard says what each position holds — a patient's names, identifiers, birth date,
//! address, phones, SSN; a next of kin's, a guarantor's, an insured's; a doctor's name — so
//! each is what its position says, whatever its shape (an HL7 name is `FAMILY^GIVEN`, in any
//! case). Segments are found at the start of a unit, after a CR (their standard terminator)
//! or a blank, so a message logged on one line is read too.

use std::ops::Range;

use crate::span::{Entity, Finding, Span};

use super::Redactor;

/// The score of a value its position types.
const TYPED: f32 = 0.95;

/// What a field of a segment holds: the components (1-based) of each repetition that are
/// personal data, and their entity.
struct Typed {
    segment: &'static [u8],
    field: usize,
    what: What,
}

/// How a field's components are read.
#[derive(Clone, Copy)]
enum What {
    /// An identifier list (CX): component 1 is the id, typed by component 5 (`MR`, `SS`…;
    /// a medical record number unless it says otherwise).
    Ids,
    /// A person's name (XPN): family, given, middle.
    Name,
    /// A person's id and name (XCN: a doctor): component 1 the id (an NPI), 2 to 4 the name.
    IdName,
    /// A date of birth (component 1).
    Birth,
    /// An address (XAD): street and other designation.
    Address,
    /// A telephone (XTN): component 1, or the e-mail address of component 4.
    Phone,
    /// A social security number.
    Ssn,
}

const FIELDS: &[Typed] = &[
    Typed {
        segment: b"PID",
        field: 2,
        what: What::Ids,
    },
    Typed {
        segment: b"PID",
        field: 3,
        what: What::Ids,
    },
    Typed {
        segment: b"PID",
        field: 4,
        what: What::Ids,
    },
    Typed {
        segment: b"PID",
        field: 5,
        what: What::Name,
    },
    Typed {
        segment: b"PID",
        field: 6,
        what: What::Name,
    },
    Typed {
        segment: b"PID",
        field: 7,
        what: What::Birth,
    },
    Typed {
        segment: b"PID",
        field: 9,
        what: What::Name,
    },
    Typed {
        segment: b"PID",
        field: 11,
        what: What::Address,
    },
    Typed {
        segment: b"PID",
        field: 13,
        what: What::Phone,
    },
    Typed {
        segment: b"PID",
        field: 14,
        what: What::Phone,
    },
    Typed {
        segment: b"PID",
        field: 19,
        what: What::Ssn,
    },
    Typed {
        segment: b"MRG",
        field: 1,
        what: What::Ids,
    },
    Typed {
        segment: b"NK1",
        field: 2,
        what: What::Name,
    },
    Typed {
        segment: b"NK1",
        field: 4,
        what: What::Address,
    },
    Typed {
        segment: b"NK1",
        field: 5,
        what: What::Phone,
    },
    Typed {
        segment: b"NK1",
        field: 6,
        what: What::Phone,
    },
    Typed {
        segment: b"GT1",
        field: 3,
        what: What::Name,
    },
    Typed {
        segment: b"GT1",
        field: 5,
        what: What::Address,
    },
    Typed {
        segment: b"GT1",
        field: 6,
        what: What::Phone,
    },
    Typed {
        segment: b"GT1",
        field: 7,
        what: What::Phone,
    },
    Typed {
        segment: b"GT1",
        field: 12,
        what: What::Ssn,
    },
    Typed {
        segment: b"IN1",
        field: 16,
        what: What::Name,
    },
    Typed {
        segment: b"IN1",
        field: 19,
        what: What::Address,
    },
    Typed {
        segment: b"PV1",
        field: 7,
        what: What::IdName,
    },
    Typed {
        segment: b"PV1",
        field: 8,
        what: What::IdName,
    },
    Typed {
        segment: b"PV1",
        field: 9,
        what: What::IdName,
    },
    Typed {
        segment: b"PV1",
        field: 17,
        what: What::IdName,
    },
    Typed {
        segment: b"ORC",
        field: 12,
        what: What::IdName,
    },
    Typed {
        segment: b"OBR",
        field: 16,
        what: What::IdName,
    },
];

impl Redactor {
    /// Appends to `out` the values of the HL7 v2 segments in `unit` that their position types
    /// (see the module docs), in order.
    pub(super) fn hl7_fields(&self, unit: &[u8], out: &mut Vec<Finding>) {
        if memchr::memchr(b'|', unit).is_none() || memchr::memchr(b'^', unit).is_none() {
            return;
        }
        let first = out.len();
        for start in segment_starts(unit) {
            let id = &unit[start..start + 3];
            let end =
                memchr::memchr2(b'\r', b'\n', &unit[start..]).map_or(unit.len(), |e| start + e);
            let mut field = 0;
            let mut at = start + 4;
            while at <= end {
                field += 1;
                let e = memchr::memchr(b'|', &unit[at..end]).map_or(end, |k| at + k);
                if let Some(t) = FIELDS.iter().find(|t| t.segment == id && t.field == field) {
                    self.typed_hl7(unit, at..e, t.what, out);
                }
                at = e + 1;
            }
        }
        out[first..].sort_by_key(|f| f.span.start());
    }

    fn typed_hl7(&self, unit: &[u8], field: Range<usize>, what: What, out: &mut Vec<Finding>) {
        let mut push = |r: Range<usize>, entity: Entity| {
            if r.is_empty()
                || r.len() > 128
                || !unit[r.clone()].iter().any(u8::is_ascii_alphanumeric)
            {
                return;
            }
            let detector = match entity {
                Entity::PERSON => "person",
                Entity::MRN => "mrn",
                Entity::US_SSN => "us_ssn",
                Entity::DATE_OF_BIRTH => "date_of_birth",
                Entity::STREET_ADDRESS => "street_address",
                Entity::EMAIL => "email",
                Entity::US_NPI => "us_npi",
                _ => "phone",
            };
            if let Some((id, e, min)) = self.compiled.engine.detector(detector)
                && TYPED >= min
            {
                out.push(Finding {
                    span: Span::new(r.start, r.end),
                    entity: e,
                    score: TYPED,
                    detector: id,
                    fragment: false,
                });
            }
        };
        for rep in split(unit, field, b'~') {
            let comps: Vec<Range<usize>> = split(unit, rep, b'^').collect();
            let comp = |n: usize| comps.get(n - 1).cloned();
            match what {
                What::Ids => {
                    let entity = match comp(5).map(|r| &unit[r]) {
                        Some(b"SS") => Entity::US_SSN,
                        _ => Entity::MRN,
                    };
                    if let Some(r) = comp(1) {
                        push(r, entity);
                    }
                }
                What::Name => {
                    for n in 1..=3 {
                        if let Some(r) = comp(n) {
                            push(r, Entity::PERSON);
                        }
                    }
                }
                What::IdName => {
                    if let Some(r) = comp(1) {
                        push(r, Entity::US_NPI);
                    }
                    for n in 2..=4 {
                        if let Some(r) = comp(n) {
                            push(r, Entity::PERSON);
                        }
                    }
                }
                What::Birth => {
                    if let Some(r) = comp(1) {
                        push(r, Entity::DATE_OF_BIRTH);
                    }
                }
                What::Address => {
                    for n in 1..=2 {
                        if let Some(r) = comp(n) {
                            push(r, Entity::STREET_ADDRESS);
                        }
                    }
                }
                What::Phone => {
                    if let Some(r) = comp(1) {
                        push(r, Entity::PHONE);
                    }
                    if let Some(r) = comp(4)
                        && unit[r.clone()].contains(&b'@')
                    {
                        push(r, Entity::EMAIL);
                    }
                }
                What::Ssn => {
                    if let Some(r) = comp(1) {
                        push(r, Entity::US_SSN);
                    }
                }
            }
        }
    }
}

/// The parts of `range` of `unit` between separators `sep`.
fn split(unit: &[u8], range: Range<usize>, sep: u8) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut at = range.start;
    let end = range.end;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let e = memchr::memchr(sep, &unit[at..end]).map_or(end, |k| at + k);
        let part = at..e;
        if e == end {
            done = true;
        }
        at = e + 1;
        Some(part)
    })
}

/// Where typed segments start in `unit`: a known id and `|`, at the start, after a CR or LF
/// (the segment terminator), or after a blank or a quote (a message in a log line).
fn segment_starts(unit: &[u8]) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr_iter(b'|', unit).filter_map(move |bar| {
        let start = bar.checked_sub(3)?;
        let id = &unit[start..bar];
        let known = FIELDS.iter().any(|t| t.segment == id);
        let boundary = start == 0 || matches!(unit[start - 1], b'\r' | b'\n' | b' ' | b'"' | b'\t');
        (known && boundary).then_some(start)
    })
}

#[cfg(test)]
mod tests {
    use crate::Redactor;

    /// Issue 23: HL7 v2 names (`FAMILY^GIVEN`), identifiers, birth dates, addresses, phones
    /// and SSNs, by their position.
    #[test]
    fn hl7_segments_are_read_by_position() {
        let r = Redactor::new();
        let msg = "MSH|^~\\&|LAB|HOSP|||202601011200||ADT^A01|1|P|2.5\rPID|1||12345^^^HOSP^MR~999-22-1962^^^SSA^SS||SMITH^JOHN^Q||19800101|M|||123 Main St^^Springfield^IL^62704||(555)555-1234^PRN^PH^jane@example.com|||||||536-90-4399\rNK1|1|DOE^JANE|SPO|9 Elm Rd^^Boston^MA^02108|5550000001\rPV1|1|I|W^1^2|||||1234567893^WELBY^MARCUS^A^^DR";
        let out = String::from_utf8(r.redact(msg.as_bytes()).into_owned()).unwrap();
        for value in [
            "12345",
            "999-22-1962",
            "SMITH",
            "JOHN",
            "19800101",
            "123 Main St",
            "(555)555-1234",
            "jane@example.com",
            "536-90-4399",
            "DOE",
            "JANE",
            "9 Elm Rd",
            "5550000001",
            "WELBY",
            "MARCUS",
        ] {
            assert!(!out.contains(value), "{value} in {out}");
        }
        // The structure and the other fields stay.
        assert!(out.starts_with("MSH|^~\\&|LAB|HOSP|||202601011200||ADT^A01|1|P|2.5\rPID|1||"));
        assert!(out.contains("^^^HOSP^MR~"));
        assert!(out.contains("|M|||") && out.contains("^^Springfield^IL^62704"));
        // In a log line, after a blank.
        let line = "INFO hl7 in: PID|1||55501^^^H^MR||ROE^RICHARD";
        let out = String::from_utf8(r.redact(line.as_bytes()).into_owned()).unwrap();
        assert_eq!(out, "INFO hl7 in: PID|1||[MRN]^^^H^MR||[PERSON]^[PERSON]");
        // A pipe-separated line that is no HL7 segment.
        assert!(r.scan(b"id|name^x|PIDX|1||2^3").is_empty());
    }
}
