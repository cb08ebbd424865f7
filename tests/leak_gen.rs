//! Canaries for the leak harness: values of every entity type with valid check digits,
//! each with the context a writer puts beside it, placed in random structures (text,
//! `key=value`, JSON with nesting, escapes and numbers, CSV/TSV with quoted newlines, stray
//! quotes, CR and ragged rows, Unicode spaces and fullwidth digits, lines of 40+ findings,
//! negative keys next to them). Shared by `tests/leak.rs` and the `leak` fuzz target; it
//! needs nothing but `std`.
//!
//! Every value is synthetic: generated digits with their check digits computed, names and
//! streets from short lists of common words.

#![allow(dead_code, unreachable_pub)] // each user takes what it needs; the fuzz crate needs `pub`

/// A small deterministic generator (SplitMix64).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.next() % u64::from(hi - lo + 1)) as u32
    }

    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn digits(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.below(10) as u8).collect()
    }
}

fn text(d: &[u8]) -> String {
    d.iter().map(|x| char::from(b'0' + x)).collect()
}

fn luhn_check(payload: &[u8]) -> u8 {
    let mut sum = 0u32;
    for (i, &d) in payload.iter().rev().enumerate() {
        let mut v = u32::from(d);
        if i % 2 == 0 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    ((10 - sum % 10) % 10) as u8
}

/// One canary: its entity, the value as written, the context written before it in text,
/// and the field name a record puts it under.
#[derive(Clone, Debug)]
pub struct Canary {
    pub entity: &'static str,
    pub value: String,
    pub before: &'static str,
    pub key: &'static str,
}

impl Canary {
    /// The strings that would identify the value if they were left in the output: every
    /// run of 8 letters and digits of its identifying part (lower case), or all of it when
    /// shorter. The identifying part is the whole value, but for an e-mail address its local
    /// part and for a street address its number and street (a city and ZIP code alone
    /// identify no one).
    pub fn parts(&self) -> Vec<String> {
        let core = match self.entity {
            "EMAIL" => self.value.split('@').next().unwrap_or_default().to_owned(),
            "STREET_ADDRESS" => self.value.split(',').next().unwrap_or_default().to_owned(),
            _ => self.value.clone(),
        };
        let norm: String = normalise(&core);
        let chars: Vec<char> = norm.chars().collect();
        // A street's name runs into the words after it (`...done street`): whole only.
        if chars.len() <= 8 || self.entity == "STREET_ADDRESS" {
            return vec![norm];
        }
        (0..=chars.len() - 8)
            .map(|i| chars[i..i + 8].iter().collect())
            .collect()
    }
}

/// Letters and digits of `s`, lower case; fullwidth digits read as digits.
pub fn normalise(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            let c = match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32)?,
                c => c,
            };
            c.is_alphanumeric()
                .then(|| c.to_lowercase().next().unwrap_or(c))
        })
        .collect()
}

/// The tokens of an output in which a leaked value would stand: runs of letters, digits and
/// the separators values are written with, each normalised (see [`normalise`]). A label, a
/// mask's `*` or a token's `_` ends a token.
pub fn tokens(output: &str) -> Vec<String> {
    output
        .split(|c: char| {
            !(c.is_alphanumeric()
                || matches!(
                    c,
                    ' ' | '-'
                        | '.'
                        | '('
                        | ')'
                        | '+'
                        | '/'
                        | '@'
                        | '\u{a0}'
                        | '\u{200b}'
                        | '\u{2009}'
                ))
        })
        .map(normalise)
        .filter(|t| t.len() >= 4)
        .collect()
}

const GIVEN: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Olivia",
    "Emma",
    "Noah",
    "Liam",
    "Sophia",
];
const FAMILY: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
];
const STREETS: &[&str] = &[
    "Oak",
    "Maple",
    "Cedar",
    "Pine",
    "Elm",
    "Washington",
    "Lake",
    "Hill",
    "Park",
    "Main",
];
const STREET_TYPES: &[&str] = &["Street", "Avenue", "Road", "Drive", "Lane", "Boulevard"];
const CITIES: &[(&str, &str, &str)] = &[
    ("Springfield", "IL", "62704"),
    ("Denver", "CO", "80202"),
    ("Boston", "MA", "02108"),
    ("Austin", "TX", "78701"),
    ("Portland", "OR", "97205"),
];

fn email(r: &mut Rng) -> Canary {
    let domains = ["example.com", "mailhost.org", "corp-mail.net", "inbox.io"];
    let local = format!(
        "{}.{}{}",
        r.pick(GIVEN).to_lowercase(),
        r.pick(FAMILY).to_lowercase(),
        r.range(10, 9999)
    );
    Canary {
        entity: "EMAIL",
        value: format!("{local}@{}", r.pick(&domains)),
        before: "mail",
        key: "email",
    }
}

fn card(r: &mut Rng) -> Canary {
    let (prefix, len): (&[u8], usize) = *r.pick(&[
        (&[4][..], 16),
        (&[5, 1][..], 16),
        (&[5, 5][..], 16),
        (&[3, 7][..], 15),
        (&[6, 0, 1, 1][..], 16),
    ]);
    let mut d = prefix.to_vec();
    d.extend(r.digits(len - 1 - prefix.len()));
    if d.iter().all(|&x| x == d[0]) {
        d[len - 2] = (d[0] + 1) % 10;
    }
    d.push(luhn_check(&d));
    let t = text(&d);
    let value = match (len, r.below(3)) {
        (16, 0) => format!("{} {} {} {}", &t[..4], &t[4..8], &t[8..12], &t[12..]),
        (16, 1) => format!("{}-{}-{}-{}", &t[..4], &t[4..8], &t[8..12], &t[12..]),
        (15, 0) => format!("{} {} {}", &t[..4], &t[4..10], &t[10..]),
        _ => t,
    };
    Canary {
        entity: "CREDIT_CARD",
        value,
        before: "card",
        key: "card_number",
    }
}

fn ssn(r: &mut Rng) -> Canary {
    let area = loop {
        let a = r.range(1, 899);
        if a != 666 {
            break a;
        }
    };
    let value = format!(
        "{area:03}{}{:02}{}{:04}",
        if r.chance(70) { "-" } else { "" },
        r.range(1, 99),
        "",
        r.range(1, 9999)
    );
    // Dashed `AAA-GG-SSSS`, or nine digits (which need the word or key).
    let value = if value.contains('-') {
        format!("{}-{}", &value[..6], &value[6..])
    } else {
        value
    };
    Canary {
        entity: "US_SSN",
        value,
        before: "ssn",
        key: "ssn",
    }
}

fn iban(r: &mut Rng) -> Canary {
    let banks = ["WEST", "NWBK", "BARC", "MIDL", "LOYD"];
    let bank = r.pick(&banks);
    let digits = text(&r.digits(14));
    // Check digits: the rearranged string with letters as numbers, mod 97.
    let rearranged = format!("{bank}{digits}GB00");
    let mut m = 0u32;
    for c in rearranged.chars() {
        let v = c.to_digit(36).expect("alphanumeric");
        m = if v >= 10 {
            (m * 100 + v) % 97
        } else {
            (m * 10 + v) % 97
        };
    }
    let check = 98 - m;
    let flat = format!("GB{check:02}{bank}{digits}");
    let value = if r.chance(50) {
        flat.as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).expect("ascii"))
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        flat
    };
    Canary {
        entity: "IBAN",
        value,
        before: "iban",
        key: "iban",
    }
}

fn phone(r: &mut Rng) -> Canary {
    let value = match r.below(3) {
        0 => format!("+44 20 7946 0{:03}", r.range(0, 999)),
        1 => format!("+1 (201) 555-01{:02}", r.range(0, 99)),
        _ => format!("+61 491 570 {:03}", r.range(100, 999)),
    };
    Canary {
        entity: "PHONE",
        value,
        before: "phone",
        key: "phone",
    }
}

fn ip(r: &mut Rng) -> Canary {
    let value = if r.chance(75) {
        let a = loop {
            let a = r.range(11, 223);
            if ![127, 169, 172, 192, 100].contains(&a) {
                break a;
            }
        };
        format!(
            "{a}.{}.{}.{}",
            r.range(0, 255),
            r.range(0, 255),
            r.range(1, 254)
        )
    } else {
        format!(
            "2a00:{:x}:{:x}:{:x}::{:x}",
            r.range(0x1000, 0xffff),
            r.range(0x1000, 0xffff),
            r.range(0x100, 0xfff),
            r.range(0x100, 0xfff)
        )
    };
    Canary {
        entity: "IP_ADDRESS",
        value,
        before: "client ip",
        key: "client_ip",
    }
}

fn mac(r: &mut Rng) -> Canary {
    let b: Vec<String> = std::iter::once(format!("{:02x}", r.range(0, 127) * 2))
        .chain((0..5).map(|_| format!("{:02x}", r.range(0, 255))))
        .collect();
    Canary {
        entity: "MAC_ADDRESS",
        value: b.join(":"),
        before: "mac",
        key: "mac",
    }
}

fn nhs(r: &mut Rng) -> Canary {
    let d = loop {
        let mut d = r.digits(9);
        d[0] = r.range(4, 7) as u8;
        let sum: u32 = d
            .iter()
            .enumerate()
            .map(|(i, &x)| u32::from(x) * (10 - i as u32))
            .sum();
        let check = (11 - sum % 11) % 11;
        if check < 10 {
            let mut d = d;
            d.push(check as u8);
            break d;
        }
    };
    let t = text(&d);
    Canary {
        entity: "UK_NHS",
        value: format!("{} {} {}", &t[..3], &t[3..6], &t[6..]),
        before: "NHS number",
        key: "nhs_number",
    }
}

fn npi(r: &mut Rng) -> Canary {
    let mut d = vec![1];
    d.extend(r.digits(8));
    let mut full = vec![8, 0, 8, 4, 0];
    full.extend(&d);
    d.push(luhn_check(&full));
    Canary {
        entity: "US_NPI",
        value: text(&d),
        before: "npi",
        key: "npi",
    }
}

fn aba(r: &mut Rng) -> Canary {
    loop {
        let mut d = r.digits(9);
        d[0] = 0;
        d[1] = r.range(1, 9) as u8;
        let w = [3, 7, 1, 3, 7, 1, 3, 7];
        let s: u32 = d[..8].iter().zip(w).map(|(&x, w)| u32::from(x) * w).sum();
        d[8] = ((10 - s % 10) % 10) as u8;
        if d.iter().collect::<std::collections::HashSet<_>>().len() > 2 {
            return Canary {
                entity: "ABA_ROUTING",
                value: text(&d),
                before: "routing number",
                key: "routing_number",
            };
        }
    }
}

fn bank_account(r: &mut Rng) -> Canary {
    let n = r.range(8, 12) as usize;
    let mut d = r.digits(n);
    d[0] = r.range(1, 9) as u8;
    Canary {
        entity: "US_BANK_ACCOUNT",
        value: text(&d),
        before: "account number",
        key: "account_number",
    }
}

fn mrn(r: &mut Rng) -> Canary {
    let mut d = r.digits(8);
    d[0] = r.range(1, 9) as u8;
    Canary {
        entity: "MRN",
        value: text(&d),
        before: "MRN",
        key: "mrn",
    }
}

fn sin(r: &mut Rng) -> Canary {
    let mut d = r.digits(8);
    d[0] = *r.pick(&[1u8, 2, 3, 4, 5, 6, 7, 9]);
    d.push(luhn_check(&d));
    let t = text(&d);
    Canary {
        entity: "CA_SIN",
        value: format!("{} {} {}", &t[..3], &t[3..6], &t[6..]),
        before: "SIN",
        key: "sin",
    }
}

fn tfn(r: &mut Rng) -> Canary {
    let w = [1, 4, 3, 7, 5, 8, 6, 9, 10];
    loop {
        let mut d = r.digits(8);
        d[0] = r.range(1, 9) as u8;
        let s: u32 = d.iter().zip(w).map(|(&x, w)| u32::from(x) * w).sum();
        // The last digit (weight 10) that makes the sum 0 mod 11.
        if let Some(last) = (0..10u32).find(|l| (s + l * 10).is_multiple_of(11)) {
            d.push(last as u8);
            let t = text(&d);
            return Canary {
                entity: "AU_TFN",
                value: format!("{} {} {}", &t[..3], &t[3..6], &t[6..]),
                before: "TFN",
                key: "tfn",
            };
        }
    }
}

fn itin(r: &mut Rng) -> Canary {
    Canary {
        entity: "US_ITIN",
        value: format!(
            "9{:02}-{}-{:04}",
            r.range(0, 99),
            r.range(70, 88),
            r.range(1, 9999)
        ),
        before: "ITIN",
        key: "itin",
    }
}

fn nino(r: &mut Rng) -> Canary {
    let first = b"ABCEGHJKLMNPRSTWXYZ";
    let second = b"ABCEGHJKLMNPRSTWXYZ";
    loop {
        let a = char::from(*r.pick(first));
        let b = char::from(*r.pick(second));
        let pre = format!("{a}{b}");
        if ["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"].contains(&pre.as_str()) {
            continue;
        }
        let d = text(&r.digits(6));
        let s = char::from(b"ABCD"[r.below(4)]);
        return Canary {
            entity: "UK_NINO",
            value: format!("{pre}{d}{s}"),
            before: "NI number",
            key: "nino",
        };
    }
}

fn dob(r: &mut Rng) -> Canary {
    let (y, m, d) = (r.range(1930, 2005), r.range(1, 12), r.range(1, 28));
    Canary {
        entity: "DATE_OF_BIRTH",
        value: format!("{y}-{m:02}-{d:02}"),
        before: "DOB",
        key: "date_of_birth",
    }
}

fn mbi(r: &mut Rng) -> Canary {
    let letters = b"ACDEFGHJKMNPQRTUVWXY";
    let mut s = String::new();
    let l = |r: &mut Rng| char::from(*r.pick(letters));
    let digit = |r: &mut Rng| char::from(b'0' + r.below(10) as u8);
    s.push(char::from(b'1' + r.below(9) as u8));
    s.push(l(r));
    s.push(if r.chance(50) { l(r) } else { digit(r) });
    s.push(digit(r));
    s.push(l(r));
    s.push(if r.chance(50) { l(r) } else { digit(r) });
    s.push(digit(r));
    s.push(l(r));
    s.push(l(r));
    s.push(digit(r));
    s.push(digit(r));
    Canary {
        entity: "US_MBI",
        value: s,
        before: "MBI",
        key: "mbi",
    }
}

fn dea(r: &mut Rng) -> Canary {
    let d = r.digits(6);
    let check = (u32::from(d[0])
        + u32::from(d[2])
        + u32::from(d[4])
        + 2 * (u32::from(d[1]) + u32::from(d[3]) + u32::from(d[5])))
        % 10;
    let reg = char::from(*r.pick(b"ABFGM"));
    let initial = char::from(b'A' + r.below(26) as u8);
    Canary {
        entity: "US_DEA",
        value: format!("{reg}{initial}{}{check}", text(&d)),
        before: "DEA",
        key: "dea_number",
    }
}

fn medicare(r: &mut Rng) -> Canary {
    let mut d = r.digits(8);
    d[0] = r.range(2, 6) as u8;
    let w = [1, 3, 7, 9, 1, 3, 7, 9];
    let s: u32 = d.iter().zip(w).map(|(&x, w)| u32::from(x) * w).sum();
    d.push((s % 10) as u8);
    let t = text(&d);
    Canary {
        entity: "AU_MEDICARE",
        value: format!("{} {} {}", &t[..4], &t[4..9], r.range(1, 9)),
        before: "Medicare",
        key: "medicare_number",
    }
}

fn ihi(r: &mut Rng) -> Canary {
    let mut d = vec![8, 0, 0, 3, 6, 0];
    d.extend(r.digits(9));
    d.push(luhn_check(&d));
    let t = text(&d);
    Canary {
        entity: "AU_IHI",
        value: format!("{} {} {} {}", &t[..4], &t[4..8], &t[8..12], &t[12..]),
        before: "IHI",
        key: "ihi",
    }
}

fn address(r: &mut Rng) -> Canary {
    let (city, st, zip) = *r.pick(CITIES);
    Canary {
        entity: "STREET_ADDRESS",
        value: format!(
            "{} {} {}, {city}, {st} {zip}",
            r.range(10, 9999),
            r.pick(STREETS),
            r.pick(STREET_TYPES)
        ),
        before: "lives at",
        key: "street_address",
    }
}

fn person(r: &mut Rng) -> Canary {
    Canary {
        entity: "PERSON",
        value: format!("{} {}", r.pick(GIVEN), r.pick(FAMILY)),
        before: "patient",
        key: "patient_name",
    }
}

fn bic(r: &mut Rng) -> Canary {
    let v = *r.pick(&["DEUTDEFF", "NWBKGB2L", "BOFAUS3N", "BNPAFRPP", "COBADEFF"]);
    Canary {
        entity: "SWIFT_BIC",
        value: format!("{v}{}", if r.chance(50) { "XXX" } else { "" }),
        before: "BIC",
        key: "swift_bic",
    }
}

/// The generators, one per entity type.
pub const GENERATORS: &[fn(&mut Rng) -> Canary] = &[
    email,
    card,
    ssn,
    iban,
    phone,
    ip,
    mac,
    nhs,
    npi,
    aba,
    bank_account,
    mrn,
    sin,
    tfn,
    itin,
    nino,
    dob,
    mbi,
    dea,
    medicare,
    ihi,
    address,
    person,
    bic,
];

/// A canary of a random type.
pub fn canary(r: &mut Rng) -> Canary {
    (r.pick(GENERATORS))(r)
}

/// A canary written as a writer might hide it from an ASCII reader: a Unicode space or a
/// zero-width space inside it, or fullwidth digits.
pub fn disguise(r: &mut Rng, c: &Canary) -> String {
    match r.below(4) {
        0 => c.value.replacen(' ', "\u{a0}", 8),
        1 => {
            let mid = c
                .value
                .char_indices()
                .nth(c.value.chars().count() / 2)
                .map_or(0, |p| p.0);
            if c.value.as_bytes().get(mid).is_some_and(u8::is_ascii_digit) {
                format!("{}\u{200b}{}", &c.value[..mid], &c.value[mid..])
            } else {
                c.value.clone()
            }
        }
        2 => c
            .value
            .chars()
            .map(|ch| {
                if ch.is_ascii_digit() {
                    char::from_u32('０' as u32 + (ch as u32 - '0' as u32)).unwrap_or(ch)
                } else {
                    ch
                }
            })
            .collect(),
        _ => c.value.replacen(' ', "\u{2009}", 8),
    }
}

/// Filler words (no long digit runs: a number of nine digits in filler could be anything).
const WORDS: &[&str] = &[
    "request", "served", "cache", "miss", "retry", "worker", "queue", "ok", "done", "user",
    "session", "payment", "refund", "update", "profile", "ticket", "note", "status", "shipped",
];

fn filler(r: &mut Rng, n: usize) -> String {
    (0..n).map(|_| *r.pick(WORDS)).collect::<Vec<_>>().join(" ")
}

/// A JSON string literal of `s` (escaped as a writer escapes it, sometimes `\u` for `@`).
fn json_str(r: &mut Rng, s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '@' if r.chance(10) => out.push_str("\\u0040"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A JSON value for a canary: a number when it is all digits (sometimes written as a float
/// or with an exponent), else a string.
fn json_value(r: &mut Rng, c: &Canary) -> String {
    if !c.value.is_empty()
        && c.value.bytes().all(|b| b.is_ascii_digit())
        && !c.value.starts_with('0')
    {
        match r.below(3) {
            0 => c.value.clone(),
            1 => format!("{}.0", c.value),
            _ => {
                let (a, b) = c.value.split_at(1);
                format!("{a}.{b}e{}", b.len())
            }
        }
    } else {
        json_str(r, &c.value)
    }
}

/// One record of text: a line with `canaries` in one of the text structures. Returns the
/// line (no newline) and the canaries it holds.
pub fn text_record(r: &mut Rng, crowd: bool) -> (String, Vec<Canary>) {
    let n = 1 + r.below(3);
    let cs: Vec<Canary> = (0..n).map(|_| canary(r)).collect();
    let mut line = String::new();
    if crowd {
        // More findings than any bound: 40 to 60 e-mail addresses first.
        for i in 0..40 + r.below(20) {
            line.push_str(&format!("u{i}x{}@example.com ", r.range(0, 999)));
        }
    }
    let style = r.below(4);
    line.push_str("2026-12-07T10:00:00Z INFO svc.");
    let word: &str = r.pick::<&str>(WORDS);
    line.push_str(word);
    for c in &cs {
        let v = if r.chance(15) {
            disguise(r, c)
        } else {
            c.value.clone()
        };
        match style {
            // Prose: the context word, then the value.
            0 => line.push_str(&format!(" {} {} {v}", filler(r, 2), c.before)),
            // key=value, a negative key right after.
            1 => line.push_str(&format!(
                " {}={v} {}",
                c.key,
                r.pick(&[
                    "elapsed_ms=3",
                    "build=7",
                    "order_id=aa",
                    "v=2",
                    "latency=4ms",
                    ""
                ])
            )),
            // key: "value"
            2 => line.push_str(&format!(" {}: \"{v}\",", c.key)),
            // In a URL's query string.
            _ => line.push_str(&format!(
                " GET /api?{}={}&x=1",
                c.key,
                v.replace(' ', if r.chance(50) { "+" } else { "%20" })
                    .replace('@', if r.chance(50) { "%40" } else { "@" })
            )),
        }
    }
    line.push(' ');
    line.push_str(&filler(r, 2));
    (line, cs)
}

/// One record of JSON: an object line with the canaries under their keys, nested, in arrays,
/// with escapes, some as numbers.
pub fn json_record(r: &mut Rng) -> (String, Vec<Canary>) {
    let n = 1 + r.below(3);
    let cs: Vec<Canary> = (0..n).map(|_| canary(r)).collect();
    let mut fields = vec![format!("\"ts\":\"2026-12-07T10:00:0{}Z\"", r.below(10))];
    for c in &cs {
        let v = json_value(r, c);
        let f = match r.below(4) {
            0 => format!("\"{}\":{v}", c.key),
            1 => format!(
                "\"data\":{{\"{}\":{v},\"elapsed_ms\":{}}}",
                c.key,
                r.below(99)
            ),
            2 => format!("\"items\":[{{\"{}\":{v}}},null,true]", c.key),
            _ => {
                let msg = format!("{} {} {}", filler(r, 2), c.before, c.value);
                format!("\"msg\":{}", json_str(r, &msg))
            }
        };
        fields.push(f);
    }
    let note = filler(r, 3);
    fields.push(format!("\"note\":{}", json_str(r, &note)));
    (format!("{{{}}}", fields.join(",")), cs)
}

/// A CSV (or TSV) document of `rows` records under a header of canary keys, with quoted
/// newlines, stray quotes, lone CRs and ragged rows. Returns the text and its canaries.
pub fn csv_document(r: &mut Rng, rows: usize, sep: char) -> (String, Vec<Canary>) {
    let gens: Vec<fn(&mut Rng) -> Canary> = (0..4).map(|_| *r.pick(GENERATORS)).collect();
    let keys: Vec<&str> = {
        let mut probe = Rng::new(r.next());
        gens.iter().map(|g| g(&mut probe).key).collect()
    };
    let cr = r.chance(10);
    let end = if cr {
        "\r"
    } else if r.chance(30) {
        "\r\n"
    } else {
        "\n"
    };
    let mut doc = format!("id{sep}note{sep}{}{end}", keys.join(&sep.to_string()));
    let mut all = Vec::new();
    for i in 0..rows {
        let cs: Vec<Canary> = gens.iter().map(|g| g(r)).collect();
        let note = match r.below(8) {
            0 => "\"line one\nline two, \"\"quoted\"\"\"".to_owned(),
            1 => "\"typed by user".to_owned(), // a quote never closed
            2 => "5\" screen".to_owned(),      // a quote inside a field
            3 => format!("\"{}\"", filler(r, 2)),
            _ => filler(r, 2),
        };
        let mut cells = vec![format!("r{i}"), note];
        for c in &cs {
            let v = if r.chance(10) {
                disguise(r, c)
            } else {
                c.value.clone()
            };
            let v = if v.contains(sep) || v.contains('"') || r.chance(20) {
                format!("\"{}\"", v.replace('"', "\"\""))
            } else {
                v
            };
            cells.push(v);
        }
        if r.chance(5) {
            cells.push("extra".to_owned()); // ragged
        }
        if r.chance(5) {
            cells.pop(); // short (its canary is not there)
            let gone = cs.len() - 1;
            all.extend(cs.into_iter().take(gone));
        } else {
            all.extend(cs);
        }
        doc.push_str(&cells.join(&sep.to_string()));
        doc.push_str(end);
    }
    (doc, all)
}

/// The canaries whose identifying parts `output` still holds.
pub fn leaks<'c>(output: &str, canaries: &'c [Canary]) -> Vec<&'c Canary> {
    let toks = tokens(output);
    canaries
        .iter()
        .filter(|c| {
            output.contains(&c.value)
                || c.parts()
                    .iter()
                    .any(|p| toks.iter().any(|t| t.contains(p.as_str())))
        })
        .collect()
}
