//! Street addresses as they are written across the regions velum meets most, read from the
//! words of a unit around each number (a house number or a postcode: every form has one):
//!
//! - number first (US, UK, CA, AU, IE): `[Flat 3[,]] 12[/4][B] [N] Name… Type [NW] [Apt 4B]`
//!   — the type a street type word (USPS Publication 28 and the AU/UK lists: `Street`,
//!   `Crossroad`, `Tor`…); the unit may stand first with no number (`Flat 27a, Hannah Center`);
//! - the street before its number (DE, AT, NL, PL, ES, IT): a compound (`Drubinring 75`,
//!   `Krista-Seifert-Weg 3/1`, `Stoiberstr. 823`) or a type word first (`ul. Głowackiego 45`,
//!   `Calle de Anacleto Domínguez 8`, `Piazza Tedesco, 257`), a unit after it (`Apt. 52`,
//!   `Piano 8`, `Puerta 8`);
//! - number, comma, lower-case type (FR): `46, rue de Benard`, or no number (`rue Seguin`);
//!
//! then a tail: `, City, ST 12345`, `, City, MB G5N 6C6`, `, City, NSW, 2543`,
//! `, City, W2J 8AP`, `, 66442 Kehl`, `, 82-212 Zamość`, `, 4634 BQ, Vorchten`,
//! `, Murcia, 50027`, `, 13887, Magnano (BI)`. The tail is what makes a street form strong;
//! forms without one (other than the US one) need context. PO boxes are found from their
//! number. [`parts`] reads back what a candidate holds, for the validator's score.

use super::{View, from_word, merged};
use crate::detect::lex::{self, Words};
use crate::detect::structure::NOT_NUMBER;
use crate::span::Span;

/// Street type words that follow the name (lower case; compared case-insensitively):
/// USPS Publication 28 (C1) primary names and abbreviations, plurals included, and the
/// types of the AU, UK and IE address standards.
#[rustfmt::skip]
const TYPES_AFTER: &[&str] = &[
    "access", "allee", "alley", "alleyway", "ally", "aly", "amble", "anchorage", "annex", "anx",
    "approach", "arc", "arcade", "artery", "av", "ave", "avenue", "avn", "bank", "basin", "bay",
    "bayou", "bch", "beach", "bend", "bg", "bgs", "blf", "bluff", "bluffs", "blvd", "bnd",
    "boardwalk", "bottom", "boulevard", "bow", "bowl", "br", "brace", "brae", "branch", "brg",
    "bridge", "brk", "brks", "broadway", "brook", "brooks", "brow", "btm", "burg", "burgs",
    "busway", "byp", "bypass", "byu", "byway", "camp", "canyon", "cape", "causeway", "ccl",
    "center", "centers", "centre", "centreway", "chase", "cir", "circ", "circle", "circles",
    "circlet", "circuit", "circus", "cirs", "cl", "clf", "clfs", "cliff", "cliffs", "close",
    "club", "cluster", "cmn", "cmns", "cmp", "cnyn", "colonnade", "common", "commons",
    "concourse", "copse", "cor", "corner", "corners", "cors", "corso", "course", "court",
    "courts", "courtyard", "cove", "coves", "cp", "cpe", "cr", "creek", "cres", "crescent",
    "crest", "crk", "croft", "cross", "crossing", "crossroad", "crossroads", "crossway", "crse",
    "crst", "cruiseway", "cswy", "ct", "ctr", "ctrs", "cts", "curv", "curve", "cutting", "cv",
    "cvs", "cyn", "dale", "dam", "dell", "dene", "deviation", "dip", "divide", "dl", "dm",
    "domain", "down", "downs", "dr", "drive", "drives", "driveway", "drove", "drs", "drv", "dv",
    "dvd", "easement", "edge", "elbow", "end", "entrance", "esplanade", "est", "estate",
    "estates", "ests", "expressway", "expy", "ext", "extension", "extensions", "exts",
    "fairway", "fall", "falls", "ferry", "field", "fields", "firetrail", "flat", "flats", "fld",
    "flds", "fls", "flt", "flts", "follow", "footway", "ford", "fords", "foreshore", "forest",
    "forge", "forges", "fork", "forks", "formation", "fort", "frd", "frds", "freeway", "frg",
    "frgs", "frk", "frks", "front", "frontage", "frst", "frt", "frwy", "fry", "fwy", "gap",
    "garden", "gardens", "gate", "gates", "gateway", "gdn", "gdns", "glade", "glen", "glens",
    "gln", "glns", "grange", "green", "greens", "grn", "grns", "ground", "grove", "groves",
    "grv", "grvs", "gtwy", "gully", "harbor", "harbors", "harbour", "haven", "hbr", "hbrs",
    "heath", "heights", "highroad", "highway", "hill", "hills", "hl", "hls", "hollow", "holw",
    "hts", "hub", "hvn", "hwy", "inlet", "interchange", "intersection", "is", "island",
    "islands", "isle", "iss", "jct", "jcts", "junction", "junctions", "key", "keys", "knl",
    "knls", "knoll", "knolls", "ky", "kys", "lake", "lakes", "land", "landing", "lane",
    "laneway", "lck", "lcks", "ldg", "lees", "lf", "lgt", "lgts", "light", "lights", "link",
    "lk", "lks", "ln", "lndg", "loaf", "lock", "locks", "lodge", "lookout", "loop", "lower",
    "mall", "manor", "manors", "mdw", "mdws", "mead", "meadow", "meadows", "meander", "mew",
    "mews", "mile", "mill", "mills", "mission", "ml", "mls", "mnr", "mnrs", "motorway", "mount",
    "mountain", "mountains", "msn", "mt", "mtn", "mtns", "mtwy", "nck", "neck", "nook", "opas",
    "orch", "orchard", "outlook", "oval", "overpass", "parade", "park", "parklands", "parks",
    "parkway", "parkways", "pass", "passage", "path", "pathway", "pde", "pike", "pine", "pines",
    "pkwy", "pkwys", "pl", "place", "plain", "plains", "plateau", "plaza", "pln", "plns", "plz",
    "pne", "pnes", "pocket", "point", "points", "port", "ports", "pr", "prairie", "prom",
    "promenade", "prt", "prts", "psge", "pt", "pts", "quad", "quadrangle", "quadrant", "quay",
    "quays", "rad", "radial", "ramble", "ramp", "ranch", "range", "rapid", "rapids", "rd",
    "rdg", "rdgs", "rds", "reach", "reserve", "rest", "retreat", "ride", "ridge", "ridges",
    "ridgeway", "rise", "riv", "river", "riverway", "riviera", "rnch", "road", "roads", "ronde",
    "rotary", "round", "roundabout", "route", "row", "rpd", "rpds", "rst", "rte", "rue", "run",
    "serviceway", "shl", "shls", "shoal", "shoals", "shore", "shores", "shr", "shrs", "siding",
    "skwy", "skyway", "slope", "smt", "spg", "spgs", "spring", "springs", "spur", "spurs", "sq",
    "sqs", "square", "squares", "st", "sta", "stairs", "station", "steps", "stra", "straight",
    "strand", "stravenue", "stream", "street", "streets", "strip", "strm", "sts", "subway",
    "summit", "tarn", "ter", "terr", "terrace", "thoroughfare", "thoroughway", "throughway",
    "tollway", "top", "tor", "towers", "tpke", "trace", "track", "trafficway", "trail",
    "trailer", "trak", "tramway", "trce", "trfy", "triangle", "trl", "trlr", "trwy", "tunl",
    "tunnel", "turn", "turnpike", "un", "underpass", "union", "unions", "uns", "upas", "upper",
    "vale", "valley", "valleys", "via", "viaduct", "view", "views", "villa", "village",
    "villages", "villas", "ville", "vis", "vista", "vl", "vlg", "vlgs", "vly", "vlys", "vst",
    "vsta", "vw", "vws", "wade", "walk", "walks", "walkway", "wall", "waters", "way", "ways",
    "well", "wells", "wharf", "wl", "wls", "woods", "wy", "wynd", "xing", "xrd", "xrds", "yard",
];

/// Street type words that come first (ES, IT, PL, FR, PT), lower case.
#[rustfmt::skip]
const TYPES_BEFORE: &[&str] = &[
    "acceso", "al", "alameda", "aleja", "allée", "avda", "avenida", "avenue", "bd", "borgo",
    "boulevard", "bulevar", "bulwar", "c", "calle", "callejón", "camino", "campo", "canale",
    "carrer", "carrera", "carretera", "chemin", "circonvallazione", "contrada", "corso",
    "cours", "ctra", "cuesta", "estrada", "faubourg", "galleria", "glorieta", "impasse",
    "incrocio", "largo", "lungomare", "lungotevere", "os", "osiedle", "parque", "pasaje",
    "paseo", "passage", "piazza", "piazzale", "pl", "plac", "place", "plaza", "praça", "quai",
    "rambla", "ronda", "rondo", "rotonda", "route", "rua", "rue", "salita", "sentier", "skwer",
    "square", "strada", "stretto", "traversa", "travessa", "travesía", "ul", "ulica",
    "urbanización", "via", "vial", "viale", "vico", "vicolo", "voie", "vía",
];

/// Endings of one-word street names (DE, AT, CH, NL): `Drubinring`, `Weissweg`, `Meeshof`.
#[rustfmt::skip]
const COMPOUND_ENDINGS: &[&str] = &[
    "straße", "strasse", "str", "weg", "gasse", "platz", "allee", "ring", "damm", "ufer",
    "pfad", "steig", "markt", "chaussee", "zeile", "graben", "hof", "laan", "straat", "plein",
    "gracht", "kade", "pad", "singel", "dreef", "dijk", "steeg", "boulevard", "park", "veld",
    "gaarde", "berg", "kai", "promenade", "stieg", "wall", "baan", "plantsoen", "kanaal",
    "hoek", "wal",
];

/// Unit designators (a flat, a suite, a floor), lower case.
#[rustfmt::skip]
const UNITS: &[&str] = &[
    "apartment", "app", "appartamento", "apt", "bldg", "dept", "escalera", "fl", "flat",
    "floor", "interno", "level", "lot", "piano", "piso", "puerta", "rm", "room", "ste",
    "studio", "suite", "unit", "whg", "wohnung",
];

/// Unit designators written short with their dot (PL `m.` mieszkanie, `lok.` lokal).
const UNITS_DOTTED: &[&str] = &["lok", "m"];

/// Small words inside a street or place name (`Calle de la Paz`, `Raabs an der Thaya`).
#[rustfmt::skip]
const PARTICLES: &[&str] = &[
    "am", "an", "bei", "d", "da", "de", "dei", "del", "della", "delle", "der", "des", "di",
    "du", "im", "in", "la", "las", "le", "les", "lo", "los", "ob", "on", "sur", "upon", "y",
];

#[rustfmt::skip]
const DIRECTIONS: &[&str] = &[
    "e", "east", "n", "ne", "north", "nw", "s", "se", "south", "sw", "w", "west",
];

/// USPS state codes (with the freely associated states and the military ones), Canadian
/// provinces, Australian states.
#[rustfmt::skip]
const US_STATES: &[&str] = &[
    "AA", "AE", "AK", "AL", "AP", "AR", "AS", "AZ", "CA", "CO", "CT", "DC", "DE", "FL", "FM",
    "GA", "GU", "HI", "IA", "ID", "IL", "IN", "KS", "KY", "LA", "MA", "MD", "ME", "MH", "MI",
    "MN", "MO", "MP", "MS", "MT", "NC", "ND", "NE", "NH", "NJ", "NM", "NV", "NY", "OH", "OK",
    "OR", "PA", "PR", "PW", "RI", "SC", "SD", "TN", "TX", "UT", "VA", "VI", "VT", "WA", "WI",
    "WV", "WY",
];
#[rustfmt::skip]
const CA_PROVINCES: &[&str] = &[
    "AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT",
];
const AU_STATES: &[&str] = &["ACT", "NSW", "NT", "QLD", "SA", "TAS", "VIC", "WA"];

/// Most words in a street or place name.
const NAME_WORDS: usize = 4;

/// `t` lower-cased is in `list` (sorted: a test checks).
fn in_list(list: &[&str], t: &[u8]) -> bool {
    // Every listed word has 1 to 24 bytes.
    if t.is_empty() || t.len() > 24 {
        return false;
    }
    let mut buf = [0u8; 24];
    if t.is_ascii() {
        for (d, b) in buf.iter_mut().zip(t) {
            *d = b.to_ascii_lowercase();
        }
        let low = &buf[..t.len()];
        return list.binary_search_by(|w| w.as_bytes().cmp(low)).is_ok();
    }
    std::str::from_utf8(t).is_ok_and(|s| list.binary_search(&s.to_lowercase().as_str()).is_ok())
}

/// True when `word` is a street type written after the name (`Street`, `Port`, `Garden`).
pub(crate) fn is_street_type(word: &[u8]) -> bool {
    in_list(TYPES_AFTER, word)
}

/// Countries written after an address, in English and in their own languages, lower case
/// (sorted: a test checks).
#[rustfmt::skip]
const COUNTRIES: &[&str] = &[
    "australia", "austria", "belgie", "belgique", "belgium", "belgië", "brasil", "brazil",
    "canada", "danmark", "denmark", "deutschland", "eire", "espana", "españa", "finland",
    "france", "germany", "great britain", "ireland", "italia", "italy", "magyarország",
    "mexico", "méxico", "nederland", "new zealand", "norge", "norway", "poland", "polska",
    "portugal", "schweiz", "scotland", "spain", "suisse", "suomi", "sverige", "sweden",
    "switzerland", "the netherlands", "uk", "united kingdom", "united states",
    "united states of america", "us", "usa", "wales", "österreich",
];

fn is_country(t: &[u8]) -> bool {
    in_list(COUNTRIES, t)
}

/// Street types written first that are also everyday English words or abbreviations of one
/// or two letters: never evidence on their own (`Place an order`, `Route 66`, `Al Smith`).
const TYPES_BEFORE_WEAK: &[&str] = &[
    "al", "bd", "c", "campo", "cours", "os", "parque", "passage", "pl", "place", "route", "square",
    "ul", "voie",
];

/// True when `word` is a street type written before the name (`Calle`, `Via`, `rue`) that
/// says *street* by itself, written as a word (capitalised, in capitals, or the French lower
/// case), not an everyday English word.
pub(crate) fn is_street_type_first(word: &[u8]) -> bool {
    in_list(TYPES_BEFORE, word) && !in_list(TYPES_BEFORE_WEAK, word)
}

/// True when `head` (the bytes before a name, up to its start) ends with a street type
/// written first, and maybe the small words of a street name after it: `Calle `, `rue `,
/// `Calle de `, `Via della `. The name after it is the street's (`Calle Miguel Hidalgo`,
/// `rue Victor Hugo`), not a person's.
pub(crate) fn ends_with_street_type_first(head: &[u8]) -> bool {
    let mut head = head;
    for _ in 0..3 {
        let Some(h) = head.strip_suffix(b" ") else {
            return false;
        };
        let from = h
            .iter()
            .rposition(|&b| !(b.is_ascii_alphabetic() || b >= 0x80))
            .map_or(0, |p| p + 1);
        let word = &h[from..];
        if word.is_empty() {
            return false;
        }
        if in_list(PARTICLES, word) && word[0].is_ascii_lowercase() {
            head = &h[..from];
            continue;
        }
        return is_street_type_first(word);
    }
    false
}

/// What a street address candidate holds (read back by the validator).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Parts {
    /// A US-style `Number Name Type` street.
    pub(crate) typed: bool,
    /// A unit (`Apt 4B`, `Flat 3`, `Piano 8`).
    pub(crate) unit: bool,
    /// A city and postcode (or state and ZIP).
    pub(crate) tail: bool,
    /// A PO box.
    pub(crate) po_box: bool,
}

/// One address found: its span and what it holds.
#[derive(Clone, Copy, Debug)]
struct Found {
    start: usize,
    end: usize,
    parts: Parts,
}

/// Street addresses and PO boxes, from every number (see the module doc).
pub(super) fn address(v: &View<'_>, from: usize, check: &mut dyn FnMut(Span) -> Option<usize>) {
    let mut next = 0;
    let mut floor = 0;
    for i in merged(
        from_word(&v.words.nums, from),
        from_word(&v.words.mixed, from),
    ) {
        if i < next || v.w[i].mark & NOT_NUMBER != 0 {
            continue;
        }
        let Some(f) = at_number(v, i, from) else {
            continue;
        };
        if f.start < floor {
            continue;
        }
        if let Some(e) = check(Span::new(f.start, f.end)) {
            next = v.word_at(e);
            floor = e;
        }
    }
}

/// What the address candidate `text` (the whole of it) holds, as the shape read it.
pub(crate) fn parts(text: &[u8]) -> Option<Parts> {
    let mut words = Words::default();
    words.lex(text);
    let v = View::new(text, &words);
    merged(&words.nums, &words.mixed)
        .filter_map(|i| at_number(&v, i, 0))
        .find(|f| f.start == 0 && f.end == text.len())
        .map(|f| f.parts)
}

/// The widest address around number word `i` (words before `from` are not looked at).
fn at_number(v: &View<'_>, i: usize, from: usize) -> Option<Found> {
    let p = Reader { v, from };
    // Cheap tests first (this runs for every number of a log): an address goes on after its
    // number with a space or a comma and a word, or has a word before it.
    let n = v.len();
    let after = i + 1 < n
        && matches!(v.sep(i), [b' '] | [b',', b' '] | [b'/'] | [b'-'])
        && (v.w[i + 1].has(lex::UPPER | lex::LOWER) || v.w[i + 1].is_number());
    let before = i > from
        && matches!(v.sep_before(i), [b' '] | [b'.', b' '] | [b',', b' '])
        && v.w[i - 1].has(lex::UPPER | lex::LOWER);
    if !after && !before {
        return None;
    }
    let mut best: Option<Found> = None;
    let mut keep = |f: Option<Found>| {
        if let Some(f) = f
            && best.is_none_or(|b| f.end - f.start > b.end - b.start)
        {
            best = Some(f);
        }
    };
    keep(p.number_first(i));
    keep(p.unit_then_street(i));
    keep(p.french(i));
    keep(p.street_then_number(i));
    keep(p.po_box(i));
    best
}

struct Reader<'r, 'a> {
    v: &'r View<'a>,
    from: usize,
}

impl Reader<'_, '_> {
    fn n(&self) -> usize {
        self.v.len()
    }

    fn t(&self, k: usize) -> &[u8] {
        self.v.text(k)
    }

    fn sep(&self, k: usize) -> &[u8] {
        self.v.sep(k)
    }

    fn start(&self, k: usize) -> usize {
        self.v.w[k].start as usize
    }

    fn end(&self, k: usize) -> usize {
        self.v.w[k].end as usize
    }

    fn is(&self, k: usize, list: &[&str]) -> bool {
        k < self.n() && in_list(list, self.t(k))
    }

    /// A word of a name: capitalised (`Main`, `Müller`), in capitals (`MAIN`), or camel
    /// case (`FernandesBourg`, `McDonald`); letters only.
    fn name(&self, k: usize) -> bool {
        k < self.n() && {
            let w = self.v.w[k];
            w.has(lex::FIRST_UPPER) && w.is_alpha() && w.mark & NOT_NUMBER == 0
        }
    }

    fn ordinal(&self, k: usize) -> bool {
        let t = self.t(k);
        (3..=6).contains(&t.len())
            && t[..t.len() - 2].iter().all(u8::is_ascii_digit)
            && matches!(
                &t[t.len() - 2..].to_ascii_lowercase()[..],
                b"st" | b"nd" | b"rd" | b"th"
            )
    }

    fn space(&self, k: usize) -> bool {
        k + 1 < self.n() && matches!(self.sep(k), [b' '])
    }

    /// True when word `k` and the next are one name's: a space or a dash between them, the
    /// apostrophe of `O'Hara`, `D'Angelo`, the dot of `St. Kilda`, `Mt. Eliza`.
    fn joins(&self, k: usize) -> bool {
        if k + 1 >= self.n() {
            return false;
        }
        let t = self.t(k);
        match self.sep(k) {
            [b' '] | [b'-'] => true,
            [b'\''] => t.len() <= 2 && self.name(k),
            [b'.', b' '] => matches!(t, b"St" | b"Ste" | b"Mt" | b"Ft"),
            s => s == "’".as_bytes() && t.len() <= 2 && self.name(k),
        }
    }

    fn comma(&self, k: usize) -> bool {
        k + 1 < self.n() && matches!(self.after(k), [b',', b' '])
    }

    /// The separator after word `k`, without the dot of an abbreviation (`St.`, `Ave.`).
    fn after(&self, k: usize) -> &[u8] {
        let sep = self.sep(k);
        match sep {
            [b'.', rest @ ..]
                if !rest.is_empty() && self.v.w[k].is_alpha() && self.t(k).len() <= 4 =>
            {
                rest
            }
            _ => sep,
        }
    }

    /// A house number at word `k`: 1–6 digits with an optional letter or two (`12B`, `27a`),
    /// and `/4` or `-45` after it (`3/1`, `74/70`, Queens' `123-45`). Its last word.
    fn house(&self, k: usize) -> Option<usize> {
        if k >= self.n() || self.v.w[k].mark & NOT_NUMBER != 0 {
            return None;
        }
        let t = self.t(k);
        let d = t.iter().take_while(|b| b.is_ascii_digit()).count();
        let rest = &t[d..];
        if !(1..=6).contains(&d) || rest.len() > 2 || !rest.iter().all(u8::is_ascii_alphabetic) {
            return None;
        }
        if k > 0 && matches!(self.v.byte_before(k), Some(b'_' | b'-' | b'/' | b'.')) {
            return None;
        }
        let mut last = k;
        if matches!(self.sep(k), [b'/'] | [b'-'])
            && k + 1 < self.n()
            && self.v.w[k + 1].is_number()
            && self.t(k + 1).len() <= 4
        {
            last = k + 1;
        }
        // `12 bis`, `7-ter` (FR, NL, IT): a repeated number.
        if last + 1 < self.n()
            && matches!(
                self.t(last + 1).first(),
                Some(b'b' | b't' | b'q' | b'B' | b'T' | b'Q')
            )
            && matches!(self.sep(last), [b' '] | [b'-'])
            && ["bis", "ter", "quater"]
                .iter()
                .any(|w| self.t(last + 1).eq_ignore_ascii_case(w.as_bytes()))
        {
            last += 1;
        }
        Some(last)
    }

    /// A unit after word `k` (`, Apt 4B`, ` Suite 479`, ` Apt. 976`, ` #12`, ` Piano 8`):
    /// its last word.
    fn unit_after(&self, k: usize) -> Option<usize> {
        let sep = self.after(k);
        let u = k + 1;
        if u >= self.n() {
            return None;
        }
        if matches!(sep, [b' ', b'#'] | [b',', b' ', b'#'] | [b' ', b'#', b' ']) {
            return self.unit_id(u);
        }
        if matches!(sep, [b' '] | [b',', b' '])
            && let Some(f) = self.floor_door(u)
        {
            return Some(f);
        }
        // `m. 15`, `lok. 3` (PL): a unit written short, with its dot.
        if matches!(sep, [b' '] | [b',', b' '])
            && in_list(UNITS_DOTTED, self.t(u))
            && matches!(self.sep(u), [b'.', b' '])
        {
            return self.unit_id(u + 1);
        }
        if !matches!(sep, [b' '] | [b',', b' ']) || !self.is(u, UNITS) {
            return None;
        }
        if !matches!(self.sep(u), [b' '] | [b'.', b' '] | [b'.']) {
            return None;
        }
        self.unit_id(u + 1)
    }

    /// A Spanish floor and door from word `k`: `3º 2ª`, `3º B`, `2º-1ª`, `1º izq`, `bajo A`.
    /// Its last word.
    fn floor_door(&self, k: usize) -> Option<usize> {
        let ordinal = |t: &[u8]| {
            std::str::from_utf8(t).is_ok_and(|s| {
                let d = s.bytes().take_while(u8::is_ascii_digit).count();
                (1..=2).contains(&d) && matches!(&s[d..], "º" | "ª" | "°" | "o" | "a")
            })
        };
        let t = self.t(k);
        let floor = ordinal(t) && t.len() > 1 && !t.iter().all(u8::is_ascii_alphanumeric)
            || t.eq_ignore_ascii_case(b"bajo")
            || t.eq_ignore_ascii_case(b"entlo");
        if !floor {
            return None;
        }
        let d = k + 1;
        if d < self.n() && matches!(self.sep(k), [b' '] | [b'-']) {
            let dt = self.t(d);
            let door = ordinal(dt)
                || (dt.len() == 1 && dt[0].is_ascii_uppercase())
                || (dt.len() <= 2 && self.v.w[d].is_number())
                || ["izq", "izda", "dcha", "dch", "der", "centro"]
                    .iter()
                    .any(|w| dt.eq_ignore_ascii_case(w.as_bytes()));
            if door {
                return Some(d);
            }
        }
        Some(k)
    }

    /// A unit's id at word `k`: up to six letters and digits with a digit (`4B`, `27a`,
    /// `09`), or one letter.
    fn unit_id(&self, k: usize) -> Option<usize> {
        if k >= self.n() {
            return None;
        }
        let t = self.t(k);
        let ok = t.len() <= 6
            && t.iter().all(u8::is_ascii_alphanumeric)
            && (t.iter().any(u8::is_ascii_digit) || (t.len() == 1 && t[0].is_ascii_uppercase()));
        ok.then_some(k)
    }

    /// A unit that ends at word `k` (its id): `Flat 09`, `Apt. 114`, `Suite 843`.
    fn unit_before(&self, k: usize) -> Option<usize> {
        if k < self.from + 1 || self.unit_id(k).is_none() {
            return None;
        }
        let u = k - 1;
        (self.name(u) && matches!(self.sep(u), [b' '] | [b'.', b' ']) && self.is(u, UNITS))
            .then_some(u)
    }

    /// `Name… Type [Dir]` from word `k`: its last word (and the type's).
    fn typed_street(&self, k: usize) -> Option<usize> {
        let mut k = k;
        // An optional direction first (which may also be the name: `12 North St`).
        let dir = self.is(k, DIRECTIONS)
            && self.name(k)
            && matches!(self.sep(k), [b' '] | [b'.', b' '])
            && k + 1 < self.n();
        for with_dir in [true, false] {
            if with_dir && !dir {
                continue;
            }
            let first = if with_dir { k + 1 } else { k };
            let mut typ = None;
            let mut j = first;
            let mut names = 0;
            while j < self.n() && names <= NAME_WORDS {
                let word = self.name(j) || self.ordinal(j);
                if !word {
                    break;
                }
                if names >= 1 && self.is(j, TYPES_AFTER) {
                    typ = Some(j);
                }
                names += 1;
                if !self.joins(j) {
                    break;
                }
                j += 1;
            }
            let Some(mut last) = typ else { continue };
            // A post-direction (`Avenue NW`).
            if self.space(last)
                && self.is(last + 1, DIRECTIONS)
                && self.t(last + 1).len() <= 2
                && self.t(last + 1).iter().all(u8::is_ascii_uppercase)
            {
                last += 1;
            }
            k = last;
            return Some(k);
        }
        None
    }

    /// The end byte of word `k` with a dot right after it (`St.`, `Apt.`).
    fn end_dot(&self, k: usize) -> usize {
        let e = self.end(k);
        if self.v.hay.get(e) == Some(&b'.') {
            e + 1
        } else {
            e
        }
    }

    /// What follows a street ending at word `last`: a unit, then a tail. The address.
    fn finish(&self, start: usize, last: usize, mut parts: Parts) -> Found {
        let mut last = last;
        if let Some(u) = self.unit_after(last) {
            last = u;
            parts.unit = true;
        }
        if let Some(t) = self.tail(last).or_else(|| self.eircode_tail(last)) {
            last = t;
            parts.tail = true;
            if let Some(c) = self.country_after(last) {
                last = c;
            }
        }
        let mut end = if parts.tail || parts.unit {
            self.end(last)
        } else {
            self.end_dot(last)
        };
        // The bracket of `(BI)`.
        if self.v.sep_before(last).ends_with(b"(") && self.v.hay.get(end) == Some(&b')') {
            end += 1;
        }
        Found { start, end, parts }
    }

    /// `[Unit Id] 12 [N] Name… Type`: the US, UK, CA and AU form.
    fn number_first(&self, i: usize) -> Option<Found> {
        let h = self.house(i)?;
        if !self.space(h) {
            return None;
        }
        let last = self.typed_street(h + 1)?;
        // A unit before the number: `Apt. 114 873 Baker Highway`, `Flat 3, 12 High St`.
        let mut start = self.start(i);
        let mut parts = Parts {
            typed: true,
            ..Parts::default()
        };
        if i >= self.from + 2
            && matches!(self.v.sep_before(i), [b' '] | [b',', b' '])
            && let Some(u) = self.unit_before(i - 1)
        {
            start = self.start(u);
            parts.unit = true;
        } else if h > i
            && i > self.from
            && matches!(self.v.sep_before(i), [b' '])
            && self.name(i - 1)
            && self.is(i - 1, UNITS)
        {
            // `Unit 5/12 Smith St` (AU): the unit's number before the house number's.
            start = self.start(i - 1);
            parts.unit = true;
        }
        Some(self.finish(start, last, parts))
    }

    /// `Flat 27a, Hannah Center, …` with no house number: the UK form.
    fn unit_then_street(&self, i: usize) -> Option<Found> {
        let u = self.unit_before(i)?;
        if !self.comma(i) {
            return None;
        }
        let last = self.typed_street(i + 1)?;
        Some(self.finish(
            self.start(u),
            last,
            Parts {
                typed: true,
                unit: true,
                ..Parts::default()
            },
        ))
    }

    /// `46, rue de Benard, 12645 Saint Juliette`: number, comma, a lower-case type first.
    fn french(&self, i: usize) -> Option<Found> {
        let h = self.house(i)?;
        if !(self.comma(h) || self.space(h)) {
            return None;
        }
        let typ = h + 1;
        if typ >= self.n()
            || !self.v.w[typ].is_alpha()
            || !self.space(typ)
            || !self.is(typ, TYPES_BEFORE)
        {
            return None;
        }
        let last = self.names_from(typ + 1)?;
        Some(self.finish(self.start(i), last, Parts::default()))
    }

    /// `[particles] Name…` from word `k`: its last word.
    fn names_from(&self, k: usize) -> Option<usize> {
        let mut j = k;
        let mut last = None;
        let mut words = 0;
        while j < self.n() && words < NAME_WORDS + 2 {
            if self.name(j) {
                last = Some(j);
            } else if !(self.is(j, PARTICLES) && self.v.w[j].has(lex::LOWER)) {
                break;
            }
            words += 1;
            // `d'Italia`, `Smith-Jones`: glued by an apostrophe or a dash.
            if !(self.joins(j) || matches!(self.sep(j), [b'\'']) && j + 1 < self.n()) {
                break;
            }
            if !self.name(j + 1) && !self.is(j + 1, PARTICLES) {
                break;
            }
            j += 1;
        }
        last
    }

    /// The street before house number `i`: `Drubinring 75`, `Krista-Seifert-Weg 3/1`,
    /// `Stoiberstr. 823`, `ul. Głowackiego 45`, `Calle de X Y 8`, `Piazza Tedesco, 257`.
    /// With no house number when a postcode follows: `rue Seguin, 31430 Guichard`.
    fn street_then_number(&self, i: usize) -> Option<Found> {
        if i < self.from + 1 {
            return None;
        }
        let before = self.v.sep_before(i);
        let b = i - 1;
        let compound = matches!(before, [b' '] | [b'.', b' ']) && self.compound_end(b);
        let start = if compound {
            // `Krista-Seifert-Weg`: the names dashed before the type.
            let mut s = b;
            while s > self.from
                && matches!(self.sep(s - 1), [b'-'])
                && self.name(s - 1)
                && b - s < NAME_WORDS
            {
                s -= 1;
            }
            s
        } else if matches!(before, [b' '] | [b',', b' ']) {
            self.type_first_start(b)?
        } else {
            return None;
        };
        // A type word first that says *street* by itself (`Calle`, `Via`, not `Place`)
        // makes the street as strong as the US `12 Oak Street`.
        let typed = !compound && self.name(start) && is_street_type_first(self.t(start));
        // The house number, or a postcode right after a comma (no house number).
        match self.house(i) {
            Some(h) if !(matches!(before, [b',', b' ']) && self.postcode_first(i).is_some()) => {
                let parts = Parts {
                    typed,
                    ..Parts::default()
                };
                Some(self.finish(self.start(start), h, parts))
            }
            _ if matches!(before, [b',', b' ']) => {
                let t = self.postcode_first(i)?;
                let mut end = self.end(t);
                if self.v.sep_before(t).ends_with(b"(") && self.v.hay.get(end) == Some(&b')') {
                    end += 1;
                }
                Some(Found {
                    start: self.start(start),
                    end,
                    parts: Parts {
                        tail: true,
                        ..Parts::default()
                    },
                })
            }
            _ => None,
        }
    }

    /// True when word `k` is a one-word street (`Drubinring`, `Stoiberstr.`, `Meeshof`) or the
    /// type of a dashed one (`…-Weg`, `…-Straße`).
    fn compound_end(&self, k: usize) -> bool {
        if !self.name(k) {
            return false;
        }
        let t = self.t(k);
        // Lower case in a stack buffer (ASCII, the common case), else decoded.
        let mut buf = [0u8; 40];
        let wide;
        let low: &str = if t.is_ascii() && t.len() <= buf.len() {
            for (d, b) in buf.iter_mut().zip(t) {
                *d = b.to_ascii_lowercase();
            }
            std::str::from_utf8(&buf[..t.len()]).unwrap_or("")
        } else {
            let Ok(s) = std::str::from_utf8(t) else {
                return false;
            };
            wide = s.to_lowercase();
            &wide
        };
        let dot = self.v.hay.get(self.end(k)) == Some(&b'.');
        let dashed = k > self.from && matches!(self.sep(k - 1), [b'-']) && self.name(k - 1);
        COMPOUND_ENDINGS.iter().any(|e| {
            let ok_len = if dashed {
                low.len() == e.len()
            } else {
                low.len() >= e.len() + 3
            };
            ok_len && low.ends_with(e) && (*e != "str" || dot)
        })
    }

    /// The first word of `Type [particles] Name…` ending at word `b` (a type word first).
    fn type_first_start(&self, b: usize) -> Option<usize> {
        if !self.name(b) {
            return None;
        }
        let mut k = b;
        let mut words = 0;
        while k > self.from && words <= NAME_WORDS + 1 {
            let p = k - 1;
            let sep = self.sep(p);
            if matches!(sep, [b' '] | [b'.', b' ']) && self.is(p, TYPES_BEFORE) {
                // `C. Estrella Cid`, `ul. Głowackiego`: a type written short has its dot.
                let short = self.t(p).len() <= 2;
                if short && !matches!(sep, [b'.', b' ']) {
                    return None;
                }
                return Some(p);
            }
            if !self.joins(p) || !(self.name(p) || self.is(p, PARTICLES)) {
                return None;
            }
            k = p;
            words += 1;
        }
        None
    }

    /// A postcode and its place from word `k`: `66442 Kehl`, `82-212 Zamość`,
    /// `4634 BQ, Vorchten`, `8922XF, Zevenhoven`, `13887, Magnano (BI)`. Its last word.
    fn postcode_first(&self, k: usize) -> Option<usize> {
        let pc = self.eu_postcode(k)?;
        let sep = self.sep(pc);
        if !(matches!(sep, [b' '] | [b',', b' ']) && pc + 1 < self.n()) {
            return None;
        }
        let last = self.place(pc + 1)?;
        // An Italian province: ` (BI)`.
        if matches!(self.sep(last), [b' ', b'(']) && last + 1 < self.n() {
            let p = last + 1;
            let t = self.t(p);
            if t.len() == 2
                && t.iter().all(u8::is_ascii_uppercase)
                && self.v.hay.get(self.end(p)) == Some(&b')')
            {
                return Some(p);
            }
        }
        Some(last)
    }

    /// A European postcode at word `k`: 4 or 5 digits, `NN-NNN` (PL), `NNNN AA` and
    /// `NNNNAA` (NL). Its last word.
    fn eu_postcode(&self, k: usize) -> Option<usize> {
        if k >= self.n() {
            return None;
        }
        let t = self.t(k);
        let w = self.v.w[k];
        if w.is_number() {
            if t.len() == 2
                && matches!(self.sep(k), [b'-'])
                && k + 1 < self.n()
                && self.v.w[k + 1].is_number()
                && self.t(k + 1).len() == 3
            {
                return Some(k + 1);
            }
            if t.len() == 4
                && self.space(k)
                && self.t(k + 1).len() == 2
                && self.t(k + 1).iter().all(u8::is_ascii_uppercase)
                && matches!(self.sep(k + 1), [b','] | [b',', b' '])
            {
                return Some(k + 1);
            }
            return matches!(t.len(), 4 | 5).then_some(k);
        }
        (t.len() == 6
            && t[..4].iter().all(u8::is_ascii_digit)
            && t[4..].iter().all(u8::is_ascii_uppercase))
        .then_some(k)
    }

    /// A place name from word `k`: capitalised words with particles and dashes between
    /// (`Oberndorf bei Salzburg`, `Drosendorf-Zissersdorf`, `Bagno Di Romagna`). Its last word.
    fn place(&self, k: usize) -> Option<usize> {
        if !self.name(k) {
            return None;
        }
        let mut last = k;
        let mut j = k;
        let mut words = 1;
        while words < NAME_WORDS + 1 && j + 1 < self.n() {
            if !self.joins(j) {
                break;
            }
            let next = j + 1;
            if self.name(next) {
                // `Saint Juliette`, but not the state of `Lake Dana, MB`.
                last = next;
            } else if self.is(next, PARTICLES)
                && self.v.w[next].has(lex::LOWER)
                && self.space(next)
                && self.name(next + 1)
            {
                last = next + 1;
                j = next;
                words += 1;
            } else {
                break;
            }
            j += 1;
            words += 1;
        }
        Some(last)
    }

    /// `, City, ST 12345`, `, City, MB G5N 6C6`, `, City, NSW, 2543`, `, City, W2J 8AP`,
    /// `, City, 50027`, `, 66442 Kehl`… after word `last`: the tail's last word.
    fn tail(&self, last: usize) -> Option<usize> {
        if !self.comma(last) {
            return None;
        }
        let k = last + 1;
        if let Some(t) = self.postcode_first(k) {
            return Some(t);
        }
        // The city, then what closes it. The city is cut before a capitals-only word that
        // closes it (`Lake Dana, MB`, `Port Kristy KY`).
        if !self.name(k) {
            return None;
        }
        for c in k..k + NAME_WORDS {
            if let Some(t) = self.closing(c) {
                return Some(t);
            }
            if !self.joins(c) || !(self.name(c + 1) || self.is(c + 1, PARTICLES)) {
                return None;
            }
        }
        None
    }

    /// What closes a city ending at word `c`: ` ST 12345(-6789)`, ` MB G5N 6C6`,
    /// `, NSW, 2543`, ` VIC 3000`, `, W2J 8AP`, `, 50027`. The last word.
    fn closing(&self, c: usize) -> Option<usize> {
        let n = self.n();
        let sep = self.sep(c);
        if !matches!(sep, [b' '] | [b',', b' ']) || c + 1 >= n {
            return None;
        }
        let s = c + 1;
        let st = self.t(s);
        let upper = st.iter().all(u8::is_ascii_uppercase);
        // A state or province, then its code.
        if upper && (2..=3).contains(&st.len()) && s + 1 < n {
            let code_sep = self.sep(s);
            let z = s + 1;
            if matches!(code_sep, [b' ']) && in_upper(US_STATES, st) && self.zip(z).is_some() {
                return self.zip(z);
            }
            if matches!(code_sep, [b' '])
                && in_upper(CA_PROVINCES, st)
                && let Some(p) = self.ca_postcode(z)
            {
                return Some(p);
            }
            if matches!(code_sep, [b' '] | [b',', b' '])
                && in_upper(AU_STATES, st)
                && self.v.w[z].is_number()
                && self.t(z).len() == 4
            {
                return Some(z);
            }
        }
        // A UK postcode, after a comma or a space (`London SW1A 2AA`): its form says enough.
        if let Some(p) = self.uk_postcode(s) {
            return Some(p);
        }
        if !matches!(sep, [b',', b' ']) {
            return None;
        }
        // `, Murcia, 50027`: a bare postcode after the city.
        (self.v.w[s].is_number() && matches!(st.len(), 4 | 5) && self.boundary_after(s))
            .then_some(s)
    }

    /// The country after a complete address ending at word `last` (`, United Kingdom`,
    /// ` USA`, `, Deutschland`): its last word.
    fn country_after(&self, last: usize) -> Option<usize> {
        if !matches!(self.after(last), [b' '] | [b',', b' ']) {
            return None;
        }
        let k = last + 1;
        // Longest first: `United States of America` before `United States`.
        (k..(k + 4).min(self.n())).rev().find(|&e| {
            (k..e).all(|j| matches!(self.sep(j), [b' ']))
                && self.name(k)
                && self.boundary_after(e)
                && is_country(&self.v.hay[self.start(k)..self.end(e)])
        })
    }

    fn boundary_after(&self, k: usize) -> bool {
        self.v
            .hay
            .get(self.end(k))
            .is_none_or(|b| !b.is_ascii_alphanumeric())
    }

    /// ` D61 P37T Leon Ville`, `, Y404XF4, Amie Ville`: an Irish Eircode after word `last`,
    /// and the place after it. Its last word.
    fn eircode_tail(&self, last: usize) -> Option<usize> {
        if !matches!(self.after(last), [b' '] | [b',', b' ']) || last + 1 >= self.n() {
            return None;
        }
        let k = last + 1;
        let routing = |t: &[u8]| {
            t.len() == 3
                && t[0].is_ascii_uppercase()
                && (t[1..].iter().all(u8::is_ascii_digit) || t == b"D6W")
        };
        let unique = |t: &[u8]| {
            t.len() == 4
                && t.iter()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                && t.iter().any(u8::is_ascii_uppercase)
        };
        let t = self.t(k);
        let code = if t.len() == 7 && routing(&t[..3]) && unique(&t[3..]) {
            k
        } else if routing(t) && self.space(k) && unique(self.t(k + 1)) {
            k + 1
        } else {
            return None;
        };
        if !matches!(self.sep(code), [b' '] | [b',', b' ']) || code + 1 >= self.n() {
            return Some(code);
        }
        Some(self.place(code + 1).unwrap_or(code))
    }

    /// A ZIP at word `k`: five digits, or ZIP+4. Its last word.
    fn zip(&self, k: usize) -> Option<usize> {
        if k >= self.n() || !self.v.w[k].is_number() || self.t(k).len() != 5 {
            return None;
        }
        if matches!(self.sep(k), [b'-'])
            && k + 1 < self.n()
            && self.v.w[k + 1].is_number()
            && self.t(k + 1).len() == 4
        {
            return Some(k + 1);
        }
        Some(k)
    }

    /// A Canadian postal code at word `k` (`G5N 6C6`, `G5N6C6`). Its last word.
    fn ca_postcode(&self, k: usize) -> Option<usize> {
        let lda = |t: &[u8]| {
            t.len() == 3
                && t[0].is_ascii_uppercase()
                && t[1].is_ascii_digit()
                && t[2].is_ascii_uppercase()
        };
        let dld = |t: &[u8]| {
            t.len() == 3
                && t[0].is_ascii_digit()
                && t[1].is_ascii_uppercase()
                && t[2].is_ascii_digit()
        };
        if k >= self.n() {
            return None;
        }
        let t = self.t(k);
        if t.len() == 6 && lda(&t[..3]) && dld(&t[3..]) {
            return Some(k);
        }
        (lda(t) && self.space(k) && dld(self.t(k + 1))).then_some(k + 1)
    }

    /// A UK postcode at word `k` (`W2J 8AP`, `TS3P 9AE`, `M9 5UB`, `E0 6QQ`). Its last word.
    fn uk_postcode(&self, k: usize) -> Option<usize> {
        if k + 1 >= self.n() || !self.space(k) {
            return None;
        }
        let out = self.t(k);
        let inw = self.t(k + 1);
        let letters = out.iter().take_while(|b| b.is_ascii_uppercase()).count();
        let rest = &out[letters..];
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let tail = &rest[digits..];
        let outward = (1..=2).contains(&letters)
            && (1..=2).contains(&digits)
            && (tail.is_empty() || (tail.len() == 1 && tail[0].is_ascii_uppercase()));
        let inward = inw.len() == 3
            && inw[0].is_ascii_digit()
            && inw[1..].iter().all(u8::is_ascii_uppercase);
        (outward && inward).then_some(k + 1)
    }

    /// `PO Box 123`, `P.O. Box 123`, `P. O. Box`, `Post Office Box 123`, any case, from the
    /// number at word `num`.
    fn po_box(&self, num: usize) -> Option<Found> {
        let v = self.v;
        if !v.w[num].is_number() || v.w[num].len() > 6 || num < self.from + 2 {
            return None;
        }
        let is = |k: usize, w: &[u8]| v.text(k).eq_ignore_ascii_case(w);
        let b = num - 1;
        if !matches!(v.sep(b), [b' ']) || !is(b, b"box") {
            return None;
        }
        let sep = v.sep(b - 1);
        if !sep.ends_with(b" ") {
            return None;
        }
        let k = b - 1;
        // `P.O. Box`, `P. O. Box`, `P.O Box`, `P O Box`; `Post Office Box`.
        let dotted_po = is(k, b"o")
            && matches!(sep, [b' '] | [b'.', b' '])
            && k > self.from
            && is(k - 1, b"p")
            && matches!(v.sep(k - 1), [b'.'] | [b'.', b' '] | [b' ']);
        let post_office = is(k, b"office")
            && matches!(sep, [b' '])
            && k > self.from
            && is(k - 1, b"post")
            && matches!(v.sep(k - 1), [b' ']);
        let start = if is(k, b"po") && matches!(sep, [b' '] | [b'.', b' ']) {
            k
        } else if dotted_po || post_office {
            k - 1
        } else {
            return None;
        };
        Some(Found {
            start: self.start(start),
            end: self.end(num),
            parts: Parts {
                po_box: true,
                ..Parts::default()
            },
        })
    }
}

fn in_upper(list: &[&str], t: &[u8]) -> bool {
    list.iter().any(|s| s.as_bytes() == t)
}

#[cfg(test)]
mod tests;
