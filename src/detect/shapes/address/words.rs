//! The words addresses are made of: street types (after the name, `Street`; before it,
//! `Calle`, `ul.`; as a compound's ending, `-straße`), units, particles, directions, states,
//! provinces and countries, and the tests that compare a word with them.

/// Street type words that follow the name (lower case; compared case-insensitively):
/// USPS Publication 28 (C1) primary names and abbreviations, plurals included, and the
/// types of the AU, UK and IE address standards.
#[rustfmt::skip]
pub(super) const TYPES_AFTER: &[&str] = &[
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
pub(super) const TYPES_BEFORE: &[&str] = &[
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
pub(super) const COMPOUND_ENDINGS: &[&str] = &[
    "straße", "strasse", "str", "weg", "gasse", "platz", "allee", "ring", "damm", "ufer",
    "pfad", "steig", "markt", "chaussee", "zeile", "graben", "hof", "laan", "straat", "plein",
    "gracht", "kade", "pad", "singel", "dreef", "dijk", "steeg", "boulevard", "park", "veld",
    "gaarde", "berg", "kai", "promenade", "stieg", "wall", "baan", "plantsoen", "kanaal",
    "hoek", "wal",
];

/// Unit designators (a flat, a suite, a floor), lower case.
#[rustfmt::skip]
pub(super) const UNITS: &[&str] = &[
    "apartment", "app", "appartamento", "apt", "bldg", "dept", "escalera", "fl", "flat",
    "floor", "interno", "level", "lot", "piano", "piso", "puerta", "rm", "room", "ste",
    "studio", "suite", "unit", "whg", "wohnung",
];

/// Unit designators written short with their dot (PL `m.` mieszkanie, `lok.` lokal).
pub(super) const UNITS_DOTTED: &[&str] = &["lok", "m"];

/// Small words inside a street or place name (`Calle de la Paz`, `Raabs an der Thaya`).
#[rustfmt::skip]
pub(super) const PARTICLES: &[&str] = &[
    "am", "an", "bei", "d", "da", "de", "dei", "del", "della", "delle", "der", "des", "di",
    "du", "im", "in", "la", "las", "le", "les", "lo", "los", "ob", "on", "sur", "upon", "y",
];

#[rustfmt::skip]
pub(super) const DIRECTIONS: &[&str] = &[
    "e", "east", "n", "ne", "north", "nw", "s", "se", "south", "sw", "w", "west",
];

/// USPS state codes (with the freely associated states and the military ones), Canadian
/// provinces, Australian states.
#[rustfmt::skip]
pub(super) const US_STATES: &[&str] = &[
    "AA", "AE", "AK", "AL", "AP", "AR", "AS", "AZ", "CA", "CO", "CT", "DC", "DE", "FL", "FM",
    "GA", "GU", "HI", "IA", "ID", "IL", "IN", "KS", "KY", "LA", "MA", "MD", "ME", "MH", "MI",
    "MN", "MO", "MP", "MS", "MT", "NC", "ND", "NE", "NH", "NJ", "NM", "NV", "NY", "OH", "OK",
    "OR", "PA", "PR", "PW", "RI", "SC", "SD", "TN", "TX", "UT", "VA", "VI", "VT", "WA", "WI",
    "WV", "WY",
];
#[rustfmt::skip]
pub(super) const CA_PROVINCES: &[&str] = &[
    "AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT",
];
pub(super) const AU_STATES: &[&str] = &["ACT", "NSW", "NT", "QLD", "SA", "TAS", "VIC", "WA"];

/// Most words in a street or place name.
pub(super) const NAME_WORDS: usize = 4;

/// `t` lower-cased is in `list` (sorted: a test checks).
pub(super) fn in_list(list: &[&str], t: &[u8]) -> bool {
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
pub(super) const COUNTRIES: &[&str] = &[
    "australia", "austria", "belgie", "belgique", "belgium", "belgië", "brasil", "brazil",
    "canada", "danmark", "denmark", "deutschland", "eire", "espana", "españa", "finland",
    "france", "germany", "great britain", "ireland", "italia", "italy", "magyarország",
    "mexico", "méxico", "nederland", "new zealand", "norge", "norway", "poland", "polska",
    "portugal", "schweiz", "scotland", "spain", "suisse", "suomi", "sverige", "sweden",
    "switzerland", "the netherlands", "uk", "united kingdom", "united states",
    "united states of america", "us", "usa", "wales", "österreich",
];

pub(super) fn is_country(t: &[u8]) -> bool {
    in_list(COUNTRIES, t)
}

/// Street types written first that are also everyday English words or abbreviations of one
/// or two letters: never evidence on their own (`Place an order`, `Route 66`, `Al Smith`).
pub(super) const TYPES_BEFORE_WEAK: &[&str] = &[
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

pub(super) fn in_upper(list: &[&str], t: &[u8]) -> bool {
    list.iter().any(|s| s.as_bytes() == t)
}
