//! Telephone numbering plans: which national numbers each calling code assigns, from
//! libphonenumber's metadata (`patterns/phone/regions.tsv`, made by
//! `scripts/regen-phone.py`). `build.rs` compiles the number patterns of each calling code
//! (all territories sharing it: the NANP's 25, `+44`'s four...) ahead of time into one
//! anchored DFA; here a code's DFA is deserialised (checked, not built) the first time a
//! number is tried against it, so no regular expression is compiled at run time and a first
//! phone number costs microseconds. Used by the PHONE validator and by the vault's canonical
//! form of a number (E.164).

use std::sync::OnceLock;

use regex_automata::dfa::Automaton;
use regex_automata::dfa::dense::DFA;
use regex_automata::{Anchored, Input};

/// One territory, as build.rs writes it.
pub(crate) struct PlanRow {
    id: &'static str,
    cc: u16,
    trunk: Option<&'static str>,
}

/// One calling code, as build.rs writes it.
pub(crate) struct CodeRow {
    cc: u16,
    /// Bit `n` set: national significant numbers of `n` digits exist.
    lengths: u32,
    /// `territory:type` of each pattern of the DFA (`GB:mobile`).
    types: &'static [&'static str],
    off: usize,
    len: usize,
}

mod generated {
    use super::{CodeRow, PlanRow};
    include!(concat!(env!("OUT_DIR"), "/phone_plans.rs"));
}

use generated::{CODES, PLANS};

#[repr(C, align(8))]
struct Aligned<B: ?Sized> {
    bytes: B,
}

static DFAS: &Aligned<[u8]> = &Aligned {
    bytes: *include_bytes!(concat!(env!("OUT_DIR"), "/phone_dfas.bin")),
};

/// A calling code's plan, by index into `CODES`.
#[derive(Clone, Copy)]
struct Code(u16);

impl Code {
    fn of(cc: u16) -> Option<Self> {
        CODES
            .binary_search_by_key(&cc, |c| c.cc)
            .ok()
            .map(|i| Self(i as u16))
    }

    fn row(self) -> &'static CodeRow {
        &CODES[usize::from(self.0)]
    }

    fn dfa(self) -> &'static DFA<&'static [u32]> {
        static CELLS: OnceLock<Vec<OnceLock<DFA<&'static [u32]>>>> = OnceLock::new();
        let cells = CELLS.get_or_init(|| (0..CODES.len()).map(|_| OnceLock::new()).collect());
        cells[usize::from(self.0)].get_or_init(|| {
            let r = self.row();
            DFA::from_bytes(&DFAS.bytes[r.off..r.off + r.len])
                .expect("build.rs wrote a valid DFA")
                .0
        })
    }

    /// `territory:type` of the national significant number `nsn` (ASCII digits) under this
    /// code (`"US:tollFree"`), or `None` when no territory of the code assigns it.
    fn number_type(self, nsn: &[u8]) -> Option<&'static str> {
        let r = self.row();
        if nsn.len() >= 32 || r.lengths & (1 << nsn.len()) == 0 {
            return None;
        }
        let m = self
            .dfa()
            .try_search_fwd(&Input::new(nsn).anchored(Anchored::Yes))
            .ok()??;
        (m.offset() == nsn.len()).then(|| r.types[m.pattern().as_usize()])
    }
}

/// A territory (region) of the numbering plans, by index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Region(u16);

impl Region {
    fn row(self) -> &'static PlanRow {
        &PLANS[usize::from(self.0)]
    }

    /// The country calling code.
    pub(crate) fn calling_code(self) -> u16 {
        self.row().cc
    }

    /// The trunk (national) prefix written before national numbers (`0` in GB, `1` in NANP).
    pub(crate) fn trunk(self) -> Option<&'static str> {
        self.row().trunk
    }

    /// The territory with ISO code `code` (any case); `None` for an unknown code.
    pub(crate) fn by_id(code: &str) -> Option<Self> {
        let up = code.to_ascii_uppercase();
        PLANS
            .iter()
            .position(|r| r.id == up && up != "001")
            .map(|i| Self(i as u16))
    }

    /// Every territory.
    pub(crate) fn all() -> impl Iterator<Item = Self> {
        (0..PLANS.len() as u16).map(Self)
    }
}

/// True when some territory of `r`'s calling code has national numbers of `len` digits.
pub(crate) fn may_have_length(r: Region, len: usize) -> bool {
    len < 32 && Code::of(r.calling_code()).is_some_and(|c| c.row().lengths & (1 << len) != 0)
}

/// One territory per calling code that has no trunk prefix (Italy, Spain, Poland, Denmark…):
/// their national numbers may start with any digit.
pub(crate) fn without_trunk() -> &'static [Region] {
    static LIST: OnceLock<Vec<Region>> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut list: Vec<Region> = Vec::new();
        for r in Region::all() {
            if r.trunk().is_none()
                && r.calling_code() != 0
                && !list.iter().any(|q| q.calling_code() == r.calling_code())
            {
                list.push(r);
            }
        }
        list
    })
}

/// One territory per calling code whose trunk prefix starts with the digit `d` (ASCII):
/// [`national`] tries a number against every territory of the code at once.
pub(crate) fn with_trunk(d: u8) -> &'static [Region] {
    static BY: OnceLock<Vec<Vec<Region>>> = OnceLock::new();
    let by = BY.get_or_init(|| {
        let mut by: Vec<Vec<Region>> = vec![Vec::new(); 10];
        for r in Region::all() {
            if let Some(t) = r.trunk().and_then(|t| t.bytes().next())
                && t.is_ascii_digit()
            {
                let list = &mut by[usize::from(t - b'0')];
                if !list.iter().any(|q| q.calling_code() == r.calling_code()) {
                    list.push(r);
                }
            }
        }
        by
    });
    if d.is_ascii_digit() {
        &by[usize::from(d - b'0')]
    } else {
        &[]
    }
}

/// The regions a policy tries, in order, for numbers written without `+` (`phone_regions`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Regions {
    ids: Vec<Region>,
}

impl Regions {
    /// US, GB, AU, CA: the regions whose formats ENTITIES.md lists.
    pub(crate) fn default_set() -> Self {
        Self {
            ids: ["US", "GB", "AU", "CA"]
                .iter()
                .map(|c| Region::by_id(c).expect("a known region"))
                .collect(),
        }
    }

    /// Parses ISO 3166 alpha-2 codes; returns the first one that is not a known region.
    pub(crate) fn parse<'a>(codes: impl IntoIterator<Item = &'a str>) -> Result<Self, &'a str> {
        codes
            .into_iter()
            .map(|c| Region::by_id(c).ok_or(c))
            .collect::<Result<Vec<_>, _>>()
            .map(|ids| Self { ids })
    }

    /// The regions, in order.
    pub(crate) fn as_slice(&self) -> &[Region] {
        &self.ids
    }

    /// True when some region of them has calling code `cc`.
    pub(crate) fn has_code(&self, cc: u16) -> bool {
        self.ids.iter().any(|r| r.calling_code() == cc)
    }
}

/// Splits the digits of an international number (after its `+`) into calling code and
/// national significant number: calling codes are prefix-free, so at most one of the first
/// one, two or three digits is a code.
pub(crate) fn split_international(digits: &[u8]) -> Option<(u16, &[u8])> {
    (1..=3).find_map(|n| {
        let head = digits.get(..n)?;
        let cc = head.iter().fold(0u16, |a, &b| a * 10 + u16::from(b - b'0'));
        (head[0] != b'0' && Code::of(cc).is_some()).then(|| (cc, &digits[n..]))
    })
}

/// The calling code of the international number `digits` (after `+`) and its national
/// significant number, when some territory of the code assigns it. A trunk prefix written in
/// brackets (`+44 (0)20…`) is dropped.
pub(crate) fn international(digits: &[u8]) -> Option<(u16, &[u8])> {
    let (cc, nsn) = split_international(digits)?;
    let code = Code::of(cc)?;
    if code.number_type(nsn).is_some() {
        return Some((cc, nsn));
    }
    let rest = nsn.strip_prefix(b"0")?;
    code.number_type(rest).map(|_| (cc, rest))
}

/// The national significant number of `digits`, a number written in `region`'s national
/// format (with or without its trunk prefix), when the region or another one sharing its
/// calling code assigns it (a Jersey mobile dialled in Britain, a Canadian number in the US),
/// as libphonenumber decides.
pub(crate) fn national(region: Region, digits: &[u8]) -> Option<&[u8]> {
    let code = Code::of(region.calling_code())?;
    if let Some(t) = region.trunk()
        && let Some(rest) = digits.strip_prefix(t.as_bytes())
        && code.number_type(rest).is_some()
    {
        return Some(rest);
    }
    code.number_type(digits).map(|_| digits)
}

/// The E.164 form (`+442079460958`) of a number written with `+` or `00` (any separators),
/// or in national format in the first of `regions` that assigns it; an extension is kept as
/// ` x12`.
pub(crate) fn e164(value: &[u8], regions: &[Region]) -> Option<Vec<u8>> {
    let (main, ext) = split_extension(value);
    let digits: Vec<u8> = main.iter().copied().filter(u8::is_ascii_digit).collect();
    let plus = main.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'+');
    let (cc, nsn) = if plus {
        international(&digits)?
    } else if let Some(n) = digits.strip_prefix(b"00").and_then(international) {
        // `00` dialled for `+`.
        n
    } else {
        // In national format: a default region's. (Another region's number is kept as
        // written: which region it is, nothing says.)
        regions
            .iter()
            .find_map(|&r| national(r, &digits).map(|n| (r.calling_code(), n)))?
    };
    let mut out = format!("+{cc}").into_bytes();
    out.extend_from_slice(nsn);
    if !ext.is_empty() {
        out.extend_from_slice(b" x");
        out.extend_from_slice(ext);
    }
    Some(out)
}

/// A number as written, its digits (and `+`) only, with its extension as ` x12`: the
/// canonical form of a number [`e164`] cannot place.
pub(crate) fn as_written(value: &[u8]) -> Vec<u8> {
    let (main, ext) = split_extension(value);
    let mut out: Vec<u8> = main
        .iter()
        .filter(|b| b.is_ascii_digit() || **b == b'+')
        .copied()
        .collect();
    if !ext.is_empty() {
        out.extend_from_slice(b" x");
        out.extend_from_slice(ext);
    }
    out
}

/// A number and the digits of its extension (` x12`, `x12`, ` ext. 12`, ` extension 12`).
fn split_extension(value: &[u8]) -> (&[u8], &[u8]) {
    let digits = value
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let head = &value[..value.len() - digits];
    let lower = head.to_ascii_lowercase();
    let trimmed = lower.trim_ascii_end();
    let trimmed = trimmed.strip_suffix(b".").unwrap_or(trimmed);
    let trimmed = trimmed.strip_suffix(b":").unwrap_or(trimmed);
    for word in [&b"extension"[..], b"extn", b"ext", b"x"] {
        if let Some(main) = trimmed.strip_suffix(word)
            && digits > 0
            && main.last().is_none_or(|b| !b.is_ascii_alphabetic())
        {
            return (&value[..main.len()], &value[value.len() - digits..]);
        }
    }
    (value, b"")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(id: &str) -> Region {
        Region::by_id(id).unwrap()
    }

    fn kind(cc: u16, nsn: &[u8]) -> Option<&'static str> {
        Code::of(cc).and_then(|c| c.number_type(nsn))
    }

    #[test]
    fn e164_forms() {
        let us = [r("us")];
        let e = |v: &str| e164(v.as_bytes(), &us).map(|b| String::from_utf8(b).unwrap());
        assert_eq!(
            e("+44 20 7946 0958 x0").as_deref(),
            Some("+442079460958 x0")
        );
        assert_eq!(
            e("(201) 555-0123 ext. 42").as_deref(),
            Some("+12015550123 x42")
        );
        assert_eq!(e("001-201-555-0123").as_deref(), Some("+12015550123"));
    }

    #[test]
    fn plans_load() {
        assert!(PLANS.len() > 240);
        assert_eq!(r("gb").calling_code(), 44);
        assert_eq!(r("US").trunk(), Some("1"));
        assert!(Region::by_id("XX").is_none());
        // Every DFA deserialises.
        for c in CODES {
            let _ = Code::of(c.cc).unwrap().number_type(b"2015550123");
        }
    }

    #[test]
    fn numbers_by_code() {
        assert!(kind(1, b"2015550123").is_some());
        assert!(kind(1, b"1234567890").is_none());
        // Toll-free numbers are shared by the NANP territories: any may name it.
        assert!(kind(1, b"8005550199").is_some_and(|t| t.ends_with(":tollFree")));
        assert!(kind(44, b"2079460958").is_some());
        assert!(kind(44, b"207946095").is_none());
        // 07829 is a Jersey mobile: valid under +44 though not in GB itself.
        assert_eq!(kind(44, b"7829858162"), Some("JE:mobile"));
        assert_eq!(national(r("GB"), b"02079460958"), Some(&b"2079460958"[..]));
        assert_eq!(national(r("GB"), b"07829858162"), Some(&b"7829858162"[..]));
        assert_eq!(national(r("AU"), b"0412345678"), Some(&b"412345678"[..]));
        assert_eq!(national(r("US"), b"12125550123"), Some(&b"2125550123"[..]));
        assert!(national(r("DE"), b"030123456789").is_some());
    }

    #[test]
    fn international_numbers() {
        assert_eq!(
            split_international(b"442079460958"),
            Some((44, &b"2079460958"[..]))
        );
        assert_eq!(international(b"12015550123"), Some((1, &b"2015550123"[..])));
        // `+44 (0)20 7946 0958`: the bracketed trunk is dropped.
        assert!(international(b"4402079460958").is_some());
        assert!(international(b"44207946095").is_none());
        assert_eq!(
            e164(b"+44 20 7946 0958", &[]).as_deref(),
            Some(&b"+442079460958"[..])
        );
        assert_eq!(
            e164(b"(212) 555-0123", &[r("US")]).as_deref(),
            Some(&b"+12125550123"[..])
        );
        assert_eq!(e164(b"212-555-0123", &[r("GB")]), None);
    }
}
