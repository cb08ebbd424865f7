#!/usr/bin/env python3
"""Regenerates patterns/person/{given,surnames,stopwords}.txt from public sources.

Sources (see patterns/PROVENANCE.md):
  - PyPI `names` 0.3.0: dist.male.first, dist.female.first, dist.all.last — US Census 1990,
    public domain (the package README says so; the package code is MIT).
  - PyPI `Faker` 40.63.0 (MIT): given names and surnames of Latin-script locales (non-ASCII
    names: José, Müller, Łukasz), and the en_US lorem word list (common English words, used
    as part of the stoplist).
  - Debian `wamerican-small` 2020.12.07-2: SCOWL's small American English list (permissive
    SCOWL licence); its lower-case entries are common words, part of the stoplist.
Names are stored as velum looks them up: ASCII-folded, upper case, with spaces, apostrophes
and hyphens removed (O'Neil -> ONEIL); hyphenated entries are split into their parts.

Usage: scripts/regen-names.py   (downloads both packages with pip into a temporary folder)
"""
import glob
import importlib
import os
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
import zipfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "patterns", "person")
NAMES_VERSION = "0.3.0"
FAKER_VERSION = "40.63.0"
SCOWL_VERSION = "2020.12.07-2"
LOCALES = [
    "cs_CZ", "da_DK", "de_AT", "de_CH", "de_DE", "en", "en_GB", "en_IE", "en_US", "es", "es_ES",
    "es_MX", "fi_FI", "fr_CA", "fr_FR", "ga_IE", "hr_HR", "hu_HU", "it_IT", "nl_BE", "nl_NL",
    "no_NO", "pl_PL", "pt_BR", "pt_PT", "ro_RO", "sk_SK", "sl_SI", "sv_SE", "tr_TR",
    # Latin-script names from Africa and Asia.
    "en_IN", "en_KE", "en_NG", "en_PK", "ha_NG", "id_ID", "ig_NG", "sw", "tw_GH", "vi_VN",
    "fil_PH", "et_EE", "lt_LT", "lv_LV", "is_IS", "az_AZ",
]
SPECIAL = {"ß": "SS", "Æ": "AE", "æ": "AE", "Ø": "O", "ø": "O", "Œ": "OE", "œ": "OE",
           "Ł": "L", "ł": "L", "Đ": "D", "đ": "D", "ı": "I", "Þ": "TH", "þ": "TH"}

# Words that are never part of a name in the data velum sees: street suffixes, units, log and
# tech vocabulary, months and weekdays (month names that are also given names — May, June,
# April, August — stay names but count only next to another name token).
LOG_WORDS = """
street st avenue ave road rd boulevard blvd drive dr lane ln court ct place pl terrace ter way
circle cir parkway pkwy highway hwy square sq trail trl loop alley plaza plz pike suite apt unit
floor room building north south east west
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday today tomorrow yesterday
get post put patch delete head options trace connect info warn warning error debug fatal
critical notice true false null none nil undefined ok yes no
server client service services host hostname master slave primary replica node cluster pod
container image kafka redis postgres mysql mongo elastic nginx apache jenkins docker linux
windows apple google amazon microsoft oracle java python rust swift go ruby perl
request response session token cookie header body payload user users admin root system
started starting stopped stopping completed complete processing processed failed failure
success successful retry retrying timeout connection connected disconnected closed open
received sent send sending queue queued worker job task batch build deploy release version
cache hit miss update updated create created insert select order orders payment payments
invoice account customer customers patient patients report test tests testing config default
main new old total count time date day week month year hour minute second
dear hi hello thanks thank please regards sincerely note notes call called contact
mr mrs ms miss mx prof professor rev fr sir dame lord lady hon judge capt col sgt lt nurse
jr sr ii iii iv md phd rn dds esq
may june april rose hope faith joy grace summer dawn ruby pearl august will bill grant art
chase hunter mason carter miles king long rich mark jack frank ray null test trace post head
patch root swift rust kafka jenkins apple bank card cash check credit debit fee rate price
sale sales store shop market office center centre street city state county country home
house school church hospital clinic care health medical doctor court park field hill wood
green white black brown gray grey gold silver young little small large big high low rich
poor best good great free full fast slow early late first last next final power energy
water fire stone rock lake river bay port bridge gate wall tower castle tree forest spring
fall winter autumn snow rain storm sun moon star sky
""".split()


def fold(s):
    out = []
    for ch in unicodedata.normalize("NFC", s):
        if ch in SPECIAL:
            out.append(SPECIAL[ch])
            continue
        for c in unicodedata.normalize("NFKD", ch):
            if unicodedata.combining(c):
                continue
            out.append(c)
    t = "".join(out).upper()
    return "".join(c for c in t if c not in " '’-.")


def valid_key(k):
    return 2 <= len(k) <= 30 and k.isascii() and k.isalpha()


def entries(values):
    for v in values:
        v = v.strip()
        # Faker has multi-word junk in some locales ("auch Schlauchin"): single names only,
        # hyphenated ones split into their parts.
        if " " in v:
            continue
        for part in v.split("-"):
            k = fold(part)
            if valid_key(k):
                yield k


def census(path):
    with open(path, encoding="ascii") as f:
        for line in f:
            w = line.split()
            if w and valid_key(fold(w[0])):
                yield fold(w[0])


def main():
    tmp = tempfile.mkdtemp()
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", "names",
         f"names=={NAMES_VERSION}", f"faker=={FAKER_VERSION}", "-d", tmp],
        check=True,
    )
    tar = next(f for f in os.listdir(tmp) if f.startswith("names-"))
    with tarfile.open(os.path.join(tmp, tar)) as t:
        t.extractall(tmp, filter="data")
    ndir = os.path.join(tmp, f"names-{NAMES_VERSION}", "names")
    whl = next(f for f in os.listdir(tmp) if f.lower().startswith("faker-"))
    with zipfile.ZipFile(os.path.join(tmp, whl)) as z:
        z.extractall(os.path.join(tmp, "faker"))
    sys.path.insert(0, os.path.join(tmp, "faker"))

    given = set(census(os.path.join(ndir, "dist.male.first")))
    given |= set(census(os.path.join(ndir, "dist.female.first")))
    surnames = set(census(os.path.join(ndir, "dist.all.last")))
    # The most common names (Census given names; the 1,000 most frequent surnames, 43% of
    # people) vouch for a pair of common words (`Will Smith`, not `Summer Sale`). Ranks 1,001
    # to 2,000 add 9% of people and verbs and nouns that title-cased phrases are made of
    # (`Will Call`, `Numbers`, `Deal`, `Post`, `Street`).
    common = set(given) | set(list(census(os.path.join(ndir, "dist.all.last")))[:1000])
    for loc in LOCALES:
        try:
            p = importlib.import_module(f"faker.providers.person.{loc}").Provider
        except ModuleNotFoundError:
            continue
        for attr in ("first_names", "first_names_male", "first_names_female"):
            given |= set(entries(getattr(p, attr, ()) or ()))
        for attr in ("last_names", "last_names_male", "last_names_female"):
            surnames |= set(entries(getattr(p, attr, ()) or ()))
    words = list(importlib.import_module("faker.providers.lorem.en_US").Provider.word_list)
    # SCOWL's small list: its lower-case entries are common words (capitalised ones are proper
    # nouns and stay out).
    subprocess.run(["apt-get", "download", f"wamerican-small={SCOWL_VERSION}"], cwd=tmp,
                   check=True, capture_output=True)
    deb = glob.glob(os.path.join(tmp, "wamerican-small_*.deb"))[0]
    subprocess.run(["dpkg-deb", "-x", deb, os.path.join(tmp, "scowl")], check=True)
    with open(os.path.join(tmp, "scowl/usr/share/dict/american-english-small"), encoding="utf-8") as f:
        words += [w.strip() for w in f if w.strip().isascii() and w.strip().isalpha() and w.strip().islower()]
    stop = {fold(w) for w in words if valid_key(fold(w))} | {fold(w) for w in LOG_WORDS if valid_key(fold(w))}

    header = (
        "# Generated by scripts/regen-names.py from names {n} (US Census 1990, public domain) and\n"
        "# Faker {f} (MIT); stopwords also from SCOWL (wamerican-small {w}); see\n"
        "# patterns/PROVENANCE.md. ASCII-folded, upper case, one per line.\n"
    ).format(n=NAMES_VERSION, f=FAKER_VERSION, w=SCOWL_VERSION)
    for name, data in (("given.txt", given), ("surnames.txt", surnames), ("stopwords.txt", stop),
                       ("common.txt", common)):
        with open(os.path.join(OUT, name), "w", encoding="ascii") as f:
            f.write(header)
            for k in sorted(data):
                f.write(k + "\n")
        print(f"{name}: {len(data)}")


if __name__ == "__main__":
    main()
