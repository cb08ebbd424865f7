//! Validators: cheap, pure functions that confirm or reject one candidate and give it a base
//! score. One family per file; each cites the rule it implements (see ENTITIES.md).
//!
//! A validator sees the whole unit (for boundary checks) and the candidate span, and may
//! narrow the span (an e-mail local part cut at `=`, an IBAN cut to its country's length).
//! It never allocates on the common path and never looks at policy or output.

mod address;
mod bank;
mod bban;
mod card;
mod caseless_name;
mod cjk_name;
mod date;
mod email;
mod health;
mod iban;
mod ip;
mod mac;
mod national;
mod nhs;
mod npi;
mod person;
mod phone;
mod ssn;

use crate::phone::Regions;
use crate::span::Span;

pub(crate) use person::{has_dictionary_name, is_name_word, starts_with_given_name};

/// Per-engine settings a validator may consult.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    /// Regions tried, in order, for phone numbers written without `+`.
    pub(crate) phone_regions: Regions,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            phone_regions: Regions::default_set(),
        }
    }
}

/// A candidate handed to a validator.
pub(crate) struct Cand<'a> {
    /// The whole unit.
    pub(crate) hay: &'a [u8],
    /// The candidate's span within `hay`.
    pub(crate) span: Span,
    pub(crate) settings: &'a Settings,
    /// Whether a word that supports the detector is in the unit (true when not known): a
    /// validator may skip readings that could only be reported with one.
    pub(crate) supported: bool,
    /// The candidate's digits, parsed once for all the detectors of its shape (a bare digit
    /// run goes to a dozen numeric validators).
    digits: std::cell::OnceCell<Option<Digits>>,
}

impl<'a> Cand<'a> {
    pub(crate) fn new(hay: &'a [u8], span: Span, settings: &'a Settings) -> Self {
        Self {
            hay,
            span,
            settings,
            supported: true,
            digits: std::cell::OnceCell::new(),
        }
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.hay[self.span.range()]
    }

    /// [`Digits::parse`] of the candidate with separators `seps`, a subset of `b" -."`.
    pub(crate) fn digits(&self, seps: &[u8]) -> Option<Digits> {
        debug_assert!(seps.iter().all(|b| b" -.".contains(b)));
        let d = (*self
            .digits
            .get_or_init(|| Digits::parse(self.bytes(), b" -.")))?;
        // Parsed with both separators: the narrower set accepts it when its one separator
        // kind (if any) is allowed.
        d.sep.is_none_or(|s| seps.contains(&s)).then_some(d)
    }
}

/// A confirmed candidate: the (possibly narrowed) span and a base score before context.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Verdict {
    pub(crate) span: Span,
    pub(crate) score: f32,
}

impl Verdict {
    pub(crate) fn new(span: Span, score: f32) -> Option<Self> {
        Some(Self { span, score })
    }
}

/// The signature every validator has.
pub(crate) type ValidateFn = fn(&Cand<'_>) -> Option<Verdict>;

/// Looks a validator up by the name used in pattern files and policies.
pub(crate) fn by_name(name: &str) -> Option<ValidateFn> {
    Some(match name {
        "credit_card" => card::validate,
        "iban" => iban::validate,
        "us_ssn" => ssn::validate,
        "ipv4" => ip::validate_v4,
        "ipv6" => ip::validate_v6,
        "uk_nhs" => nhs::validate,
        "us_npi" => npi::validate,
        "email" => email::validate,
        "phone" => phone::validate,
        "aba_routing" => bank::validate_aba,
        "swift_bic" => bank::validate_bic,
        "us_bank_account" => bank::validate_account,
        "us_itin" => national::validate_itin,
        "uk_nino" => national::validate_nino,
        "ca_sin" => national::validate_sin,
        "au_tfn" => national::validate_tfn,
        "mac_address" => mac::validate,
        "date_of_birth" => date::validate,
        "street_address" => address::validate,
        "us_mbi" => health::validate_mbi,
        "us_dea" => health::validate_dea,
        "mrn" => health::validate_mrn,
        "au_medicare" => health::validate_au_medicare,
        "au_ihi" => health::validate_au_ihi,
        "person" => person::validate,
        "person_cjk" => cjk_name::validate,
        "person_caseless" => caseless_name::validate,
        "luhn" => generic_luhn,
        "mod97" => generic_mod97,
        "none" => accept,
        _ => return None,
    })
}

/// Names accepted by [`by_name`], for error messages.
pub(crate) const NAMES: &[&str] = &[
    "credit_card",
    "iban",
    "us_ssn",
    "ipv4",
    "ipv6",
    "uk_nhs",
    "us_npi",
    "email",
    "phone",
    "aba_routing",
    "swift_bic",
    "us_bank_account",
    "us_itin",
    "uk_nino",
    "ca_sin",
    "au_tfn",
    "mac_address",
    "date_of_birth",
    "street_address",
    "us_mbi",
    "us_dea",
    "mrn",
    "au_medicare",
    "au_ihi",
    "person",
    "person_cjk",
    "person_caseless",
    "luhn",
    "mod97",
    "none",
];

fn accept(c: &Cand<'_>) -> Option<Verdict> {
    Verdict::new(c.span, 1.0)
}

/// Luhn over the digits of the candidate (separators ignored), all-zero rejected.
fn generic_luhn(c: &Cand<'_>) -> Option<Verdict> {
    let d = c.digits(b" -")?;
    (d.len() >= 2 && luhn_ok(d.as_slice()) && !d.all_same()).then_some(Verdict {
        span: c.span,
        score: 1.0,
    })
}

/// ISO 7064 mod 97-10 over the candidate as an IBAN-style string.
fn generic_mod97(c: &Cand<'_>) -> Option<Verdict> {
    iban::mod97_ok(c.bytes()).then_some(Verdict {
        span: c.span,
        score: 1.0,
    })
}

/// Up to 32 decimal digits (as values 0..=9) taken from a candidate, with the one separator
/// kind it used and the lengths of its groups.
#[derive(Clone, Copy)]
pub(crate) struct Digits {
    buf: [u8; 32],
    len: usize,
    /// The separator byte seen, if any.
    pub(crate) sep: Option<u8>,
    groups: [u8; 8],
    ngroups: usize,
}

impl Digits {
    /// Collects the digits of `s`, allowing only bytes of `seps` between them and only one
    /// separator kind per candidate (`4111-1111 1111-1111` is rejected). Full-width digits are
    /// not accepted here (the candidate patterns are ASCII).
    pub(crate) fn parse(s: &[u8], seps: &[u8]) -> Option<Self> {
        let mut d = Self {
            buf: [0; 32],
            len: 0,
            sep: None,
            groups: [0; 8],
            ngroups: 0,
        };
        let mut run = 0u8;
        for &b in s {
            if b.is_ascii_digit() {
                if d.len == d.buf.len() {
                    return None;
                }
                d.buf[d.len] = b - b'0';
                d.len += 1;
                run += 1;
            } else if seps.contains(&b) {
                match d.sep {
                    None => d.sep = Some(b),
                    Some(prev) if prev == b => {}
                    Some(_) => return None,
                }
                if run == 0 || d.ngroups == d.groups.len() - 1 {
                    return None;
                }
                d.groups[d.ngroups] = run;
                d.ngroups += 1;
                run = 0;
            } else {
                return None;
            }
        }
        if run == 0 {
            return None;
        }
        d.groups[d.ngroups] = run;
        d.ngroups += 1;
        Some(d)
    }

    /// The lengths of the digit groups (`[3, 2, 4]` for `536-90-4399`, `[9]` for a run).
    pub(crate) fn groups(&self) -> &[u8] {
        &self.groups[..self.ngroups]
    }

    /// True when the digits are one run or grouped as one of `forms`.
    pub(crate) fn grouped_as(&self, forms: &[&[u8]]) -> bool {
        self.ngroups == 1 || forms.contains(&self.groups())
    }

    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn all_same(&self) -> bool {
        self.as_slice().windows(2).all(|w| w[0] == w[1])
    }

    /// The number formed by the first `n` digits.
    pub(crate) fn prefix(&self, n: usize) -> u32 {
        self.as_slice()[..n.min(self.len)]
            .iter()
            .fold(0u32, |acc, &d| acc * 10 + u32::from(d))
    }
}

/// Luhn (mod 10) over digit values, check digit last. ENTITIES.md §0.
pub(crate) fn luhn_sum(digits: &[u8]) -> u32 {
    let mut sum = 0u32;
    for (i, &d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(d);
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum
}

/// True when `digits` pass Luhn.
pub(crate) fn luhn_ok(digits: &[u8]) -> bool {
    luhn_sum(digits).is_multiple_of(10)
}

/// ENTITIES.md §0 candidate boundaries for numeric identifiers, beyond what the pattern's `\b`
/// already ensures: the candidate must not continue as `.digit` or `-digit` (a decimal, a
/// range), nor be preceded by `digit.`, `digit-` or a short `digit,` group (`12,345678901`).
/// A comma after it always ends it (what follows may be a value that gets redacted).
pub(crate) fn numeric_boundary_ok(hay: &[u8], span: Span) -> bool {
    let (s, e) = (span.start(), span.end());
    let digit = |b: &u8| b.is_ascii_digit();
    let joiner = |b: u8| matches!(b, b'.' | b'-' | b',');
    // `,` and `.` continue a number only as a short group (`1,234`, `12.5`), not between two
    // values of a list (`1993-10-06,091-26-2328`): otherwise redacting the neighbour would
    // change the verdict on the next pass.
    // A short group is part of this number unless what lies beyond it joins it to yet
    // another group of digits (`2024-01-02`, `12:30.5`); a `:` after a key (`"value":2.25…`)
    // does not.
    let group = |run: usize, beyond: Option<&u8>, past: Option<&u8>| {
        run <= 3
            && !(beyond.is_some_and(|b| matches!(b, b'-' | b'/'))
                || (beyond == Some(&b':') && past.is_some_and(u8::is_ascii_digit)))
    };
    // A group that goes on as a dotted run (`203.0.113.9`, `10.0.2997.1`) or a spaced one
    // (`0491 570 507`) is part of another value of the list, not the tail of this number:
    // `.` digits `.`, or a space then a digit. (`1,234.56` has one dot: one number.)
    fn another_value<'a>(mut it: impl Iterator<Item = &'a u8>) -> bool {
        match it.next() {
            Some(b'.') => {
                let mut digits = 0;
                let mut next = it.next();
                while next.is_some_and(u8::is_ascii_digit) && digits < 64 {
                    digits += 1;
                    next = it.next();
                }
                digits > 0 && next == Some(&b'.')
            }
            Some(b' ') => it.next().is_some_and(u8::is_ascii_digit),
            _ => false,
        }
    }
    if e < hay.len() {
        if hay[e].is_ascii_alphanumeric() {
            return false;
        }
        if joiner(hay[e]) && hay.get(e + 1).is_some_and(digit) {
            let run = hay[e + 1..]
                .iter()
                .take(64)
                .take_while(|b| digit(b))
                .count();
            // A comma after the candidate separates it from the next value, whatever that is:
            // the next value may be redacted, and the verdict on this one must not change
            // when it is (`6642,25@example.net`, `4325100021820,8 Palmer Pine`, `...,270.86`
            // were each read as a longer number until their neighbour became a label).
            let list = hay[e] == b',';
            if hay[e] == b'-' || (group(run, hay.get(e + 1 + run), hay.get(e + 2 + run)) && !list) {
                return false;
            }
        }
    }
    if s >= 1 {
        if hay[s - 1].is_ascii_alphanumeric() {
            return false;
        }
        // A signed number (`seed: -4703476967167426113`) is a quantity: no identifier is
        // written with a sign.
        if hay[s - 1] == b'-'
            && (s == 1 || matches!(hay[s - 2], b' ' | b'=' | b':' | b'[' | b'(' | b',' | b'"'))
        {
            return false;
        }
        if s >= 2 && joiner(hay[s - 1]) && hay[s - 2].is_ascii_digit() {
            let run = hay[..s - 1]
                .iter()
                .rev()
                .take(64)
                .take_while(|b| digit(b))
                .count();
            let beyond = (s - 1).checked_sub(run + 1).map(|i| &hay[i]);
            let past = (s - 1).checked_sub(run + 2).map(|i| &hay[i]);
            let list = hay[s - 1] == b',' && another_value(hay[..s - 1 - run].iter().rev());
            if hay[s - 1] == b'-' || (group(run, beyond, past) && !list) {
                return false;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn digits(s: &str) -> Vec<u8> {
        s.bytes()
            .filter(u8::is_ascii_digit)
            .map(|b| b - b'0')
            .collect()
    }

    /// Runs a validator over `s` taken whole as the candidate.
    pub(crate) fn run(f: ValidateFn, s: &str) -> Option<Verdict> {
        let settings = Settings::default();
        f(&Cand::new(s.as_bytes(), Span::new(0, s.len()), &settings))
    }

    /// [`run`] with a supporting context word in the unit.
    pub(crate) fn run_supported(f: ValidateFn, s: &str) -> Option<Verdict> {
        let settings = Settings::default();
        let mut c = Cand::new(s.as_bytes(), Span::new(0, s.len()), &settings);
        c.supported = true;
        f(&c)
    }

    /// Runs a validator over `hay[start..end]` as the candidate, with `hay` around it.
    pub(crate) fn run_at(f: ValidateFn, hay: &str, start: usize, end: usize) -> Option<Verdict> {
        let settings = Settings::default();
        f(&Cand::new(hay.as_bytes(), Span::new(start, end), &settings))
    }

    /// Asserts that every `valid` value is confirmed with a score >= `min` and every
    /// `invalid` one rejected or scored below `min`.
    pub(crate) fn table(f: ValidateFn, min: f32, valid: &[&str], invalid: &[&str]) {
        for v in valid {
            let got = run(f, v);
            assert!(
                got.is_some_and(|g| g.score >= min),
                "expected valid: {v:?} got {got:?}"
            );
        }
        for v in invalid {
            let got = run(f, v);
            assert!(
                got.is_none_or(|g| g.score < min),
                "expected invalid: {v:?} got {got:?}"
            );
        }
    }

    #[test]
    fn luhn_examples() {
        assert!(luhn_ok(&digits("4111111111111111")));
        assert!(!luhn_ok(&digits("4111111111111112")));
        assert!(luhn_ok(&digits("79927398713")));
        assert!(luhn_ok(&digits("0000000000000000"))); // passes: callers reject all-zero
    }

    #[test]
    fn digits_single_separator_kind() {
        assert!(Digits::parse(b"4111-1111-1111-1111", b" -").is_some());
        assert!(Digits::parse(b"4111-1111 1111-1111", b" -").is_none());
        assert!(Digits::parse(b"41x1", b" -").is_none());
        let d = Digits::parse(b"123 456", b" -").unwrap();
        assert_eq!(d.as_slice(), &[1, 2, 3, 4, 5, 6]);
        assert_eq!(d.sep, Some(b' '));
        assert_eq!(d.prefix(4), 1234);
    }

    #[test]
    fn shared_digits_match_a_parse_with_the_same_separators() {
        let settings = Settings::default();
        let key = |d: Option<Digits>| d.map(|d| (d.as_slice().to_vec(), d.sep));
        for s in [
            "4111111111111111",
            "4111-1111-1111-1111",
            "4111 1111 1111 1111",
            "4111-1111 1111-1111",
            "41x1",
            "123 456",
            &"9".repeat(33),
        ] {
            let c = Cand::new(s.as_bytes(), Span::new(0, s.len()), &settings);
            // Asked in either order, each separator set gives what its own parse gives.
            for seps in [&b""[..], b" ", b"-", b" -", b"", b"-"] {
                assert_eq!(
                    key(c.digits(seps)),
                    key(Digits::parse(s.as_bytes(), seps)),
                    "{s}"
                );
            }
        }
    }

    #[test]
    fn numeric_boundaries() {
        let ok = |h: &str, s: usize, e: usize| numeric_boundary_ok(h.as_bytes(), Span::new(s, e));
        assert!(ok("x 123 y", 2, 5));
        assert!(!ok("1.123", 2, 5));
        assert!(!ok("123.4", 0, 3));
        assert!(!ok("123-4", 0, 3));
        assert!(ok("123-x", 0, 3));
        assert!(ok("123.", 0, 3));
        assert!(!ok("a123", 1, 4));
        // Found by fuzzing: a list of values is not one number.
        assert!(ok("1993-10-06,091-26-2328", 11, 22));
        assert!(ok("4111111111111111,536904399", 17, 26));
        assert!(ok("536904399,1993-10-06", 0, 9));
        assert!(!ok("12,345678901", 3, 12));
        assert!(ok("536904399,123", 0, 9));
        // See: fuzz/regressions/scan/ip-after-comma-idempotence — next to a dotted value.
        assert!(ok("629-26-4161,203.0.113.9", 0, 11));
        assert!(ok("10.0.0.1,536-90-4399", 9, 20));
        assert!(ok("536904399,234.56", 0, 9));
        assert!(!ok("7.5,536904399", 4, 13));
        // See: fuzz/regressions/scan/phone-comma-list-idempotence — after a spaced value.
        assert!(ok("0491 570 507,299-54-9160", 13, 24));
        assert!(ok("299-54-9160,0491 570 507", 0, 11));
        assert!(!ok("total 12,536904399", 9, 18));
        // See: fuzz/regressions/scan/ssn-before-email-idempotence — the e-mail after it.
        assert!(ok("762-08-6642,25@example.net", 0, 11));
        assert!(ok("762-08-6642,25.x@example.net", 0, 11));
        // See: fuzz/regressions/scan/number-before-address-idempotence — and any neighbour
        // after a comma.
        assert!(ok("4325100021820,8 Palmer Pine", 0, 13));
        assert!(ok("375036321702780,270.8698100", 0, 15));
    }

    #[test]
    fn every_name_resolves() {
        for n in NAMES {
            assert!(by_name(n).is_some(), "{n}");
        }
        assert!(by_name("nope").is_none());
    }
}
