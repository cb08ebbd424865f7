//! Embeds every `patterns/**/*.toml` file in the binary (sorted by path), so adding a detector
//! is a data file plus a validator function, and the binary needs no files beside it; and
//! compiles the telephone numbering plans (`patterns/phone/regions.tsv`) into one anchored
//! DFA per territory, serialised, so no regular expression is built while velum runs.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read patterns/")
        .map(|e| e.expect("patterns/ entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "toml") {
            out.push(p);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("patterns");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &mut files);
    let mut src = String::from("/// Embedded pattern files: (path under patterns/, contents).\n");
    src.push_str("pub(crate) const BUILTIN_PATTERN_FILES: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        writeln!(
            src,
            "    ({rel:?}, include_str!({:?})),",
            f.display().to_string()
        )
        .unwrap();
    }
    src.push_str("];\n");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::write(out_dir.join("builtin_patterns.rs"), src).unwrap();
    phone_plans(&root.join("phone/regions.tsv"), &out_dir);
    person_dict(&root.join("person"), &out_dir);
}

/// The hash of a dictionary key; `src/detect/validate/person.rs` computes the same.
fn dict_hash(key: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in key {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^ (h >> 29)
}

/// Compiles the name dictionaries into one open-addressing hash table: `person_dict.bin`
/// holds the slots (u64 little endian: key offset in bits 0–23, key length 24–31, flags
/// 32–39, hash tag 40–63; 0 is an empty slot) and `person_keys.bin` the key bytes, so a
/// lookup is one hash and a probe or two, and nothing is built at run time.
fn person_dict(dir: &Path, out_dir: &Path) {
    // Flags, as person.rs reads them.
    let files: [(&str, u8); 4] = [
        ("given.txt", 1),
        ("surnames.txt", 2),
        ("stopwords.txt", 4),
        ("common.txt", 8),
    ];
    let mut map: std::collections::BTreeMap<Vec<u8>, u8> = std::collections::BTreeMap::new();
    for (file, flag) in files {
        let path = dir.join(file);
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path).expect("read a name dictionary");
        for l in text
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            *map.entry(l.as_bytes().to_vec()).or_default() |= flag;
        }
    }
    // Words that are never a name, titles, particles and suffixes (person.rs documents them).
    let extra: [(&[&str], u8); 4] = [
        (
            &[
                "ALLEY",
                "APT",
                "AVE",
                "AVENUE",
                "BLVD",
                "BOULEVARD",
                "BUILDING",
                "CIRCLE",
                "CT",
                "DRIVE",
                "FLOOR",
                "FRIDAY",
                "HIGHWAY",
                "LN",
                "LOOP",
                "MONDAY",
                "PARKWAY",
                "PLAZA",
                "RD",
                "ROAD",
                "ROOM",
                "SATURDAY",
                "SQUARE",
                "ST",
                "STREET",
                "SUITE",
                "SUNDAY",
                "TERRACE",
                "THURSDAY",
                "TRAIL",
                "TUESDAY",
                "UNIT",
                "WEDNESDAY",
            ],
            16,
        ),
        (
            &[
                "MR",
                "MRS",
                "MS",
                "MISS",
                "MX",
                "DR",
                "PROF",
                "PROFESSOR",
                "REV",
                "FR",
                "SIR",
                "DAME",
                "LORD",
                "LADY",
                "HON",
                "JUDGE",
                "CAPT",
                "COL",
                "SGT",
                "LT",
                "NURSE",
            ],
            32,
        ),
        (
            &[
                "VAN", "VON", "DER", "DEN", "DE", "LA", "DEL", "DELLA", "DI", "DA", "DAS", "DOS",
                "DU", "LE", "TER", "TEN", "ZU", "AF", "BIN", "BINTI", "IBN", "Y",
            ],
            64,
        ),
        (
            &[
                "JR", "SR", "II", "III", "IV", "MD", "PHD", "RN", "DDS", "ESQ",
            ],
            128,
        ),
    ];
    for (words, flag) in extra {
        for w in words {
            *map.entry(w.as_bytes().to_vec()).or_default() |= flag;
        }
    }
    let slots = (map.len() * 2).next_power_of_two();
    let mask = slots - 1;
    let mut table = vec![0u64; slots];
    let mut keys: Vec<u8> = Vec::new();
    for (k, flags) in &map {
        assert!(!k.is_empty() && k.len() < 256 && keys.len() < 1 << 24);
        let h = dict_hash(k);
        let slot = (keys.len() as u64)
            | ((k.len() as u64) << 24)
            | (u64::from(*flags) << 32)
            | ((h >> 40) << 40);
        keys.extend_from_slice(k);
        let mut i = (h as usize) & mask;
        while table[i] != 0 {
            i = (i + 1) & mask;
        }
        table[i] = slot;
    }
    let bytes: Vec<u8> = table.iter().flat_map(|s| s.to_le_bytes()).collect();
    std::fs::write(out_dir.join("person_dict.bin"), bytes).unwrap();
    std::fs::write(out_dir.join("person_keys.bin"), keys).unwrap();
}

/// Compiles the number patterns of each calling code (every number type of every territory
/// sharing it, anchored at both ends) into one minimised dense DFA, and writes
/// `phone_dfas.bin` (the DFAs, each at an offset aligned to 8) and `phone_plans.rs` (the
/// territories, and the codes pointing into the blob).
fn phone_plans(tsv: &Path, out_dir: &Path) {
    use regex_automata::dfa::{StartKind, dense};
    use regex_automata::{MatchKind, nfa::thompson, util::syntax};
    println!("cargo:rerun-if-changed={}", tsv.display());
    let text = std::fs::read_to_string(tsv).expect("read patterns/phone/regions.tsv");
    let opt = |s: &str| {
        if s == "-" {
            "None".to_owned()
        } else {
            format!("Some({s:?})")
        }
    };
    let mut plans = String::from(
        "/// Territories: ISO code, calling code, trunk prefix.\n\
         pub(super) static PLANS: &[PlanRow] = &[\n",
    );
    // Per calling code: national number lengths, (territory:type) per pattern, patterns.
    let mut codes: std::collections::BTreeMap<u16, (u32, Vec<String>, Vec<String>)> =
        std::collections::BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        assert!(f.len() >= 7, "regions.tsv:{}: too few fields", n + 1);
        let (id, cc, trunk, lengths) = (f[0], f[1], f[2], f[5]);
        let cc: u16 = cc.parse().expect("calling code");
        writeln!(
            plans,
            "    PlanRow {{ id: {id:?}, cc: {cc}, trunk: {} }},",
            opt(trunk)
        )
        .unwrap();
        let e = codes.entry(cc).or_default();
        for l in lengths.split(',').filter(|l| *l != "-") {
            e.0 |= 1 << l.parse::<u32>().expect("length");
        }
        for t in &f[6..] {
            let (name, pat) = t.split_once('=').expect("type=pattern");
            e.1.push(format!("{id}:{name}"));
            e.2.push(format!("^(?:{pat})$"));
        }
    }
    plans.push_str("];\n");
    let mut blob: Vec<u8> = Vec::new();
    plans.push_str(
        "/// Calling codes: code, national number lengths as a bit set, territory:type per\n\
         /// pattern, DFA offset and length.\n\
         pub(super) static CODES: &[CodeRow] = &[\n",
    );
    for (cc, (bits, types, pats)) in &codes {
        let dfa = dense::Builder::new()
            .syntax(syntax::Config::new().unicode(false).utf8(false))
            .thompson(thompson::Config::new().shrink(true))
            .configure(
                dense::Config::new()
                    .minimize(true)
                    .start_kind(StartKind::Anchored)
                    .match_kind(MatchKind::LeftmostFirst),
            )
            .build_many(pats)
            .unwrap_or_else(|e| panic!("regions.tsv: calling code {cc}: {e}"));
        let (bytes, pad) = dfa.to_bytes_little_endian();
        let bytes = &bytes[pad..];
        while !blob.len().is_multiple_of(8) {
            blob.push(0);
        }
        let off = blob.len();
        blob.extend_from_slice(bytes);
        writeln!(
            plans,
            "    CodeRow {{ cc: {cc}, lengths: {bits:#x}, types: &{types:?}, off: {off}, len: {} }},",
            bytes.len()
        )
        .unwrap();
    }
    plans.push_str("];\n");
    std::fs::write(out_dir.join("phone_dfas.bin"), &blob).unwrap();
    std::fs::write(out_dir.join("phone_plans.rs"), plans).unwrap();
}
