#!/usr/bin/env python3
"""Writes ENTITIES.md: every entity velum detects, what it matches, its check, its context
words (read from patterns/**/*.toml, so they are the ones compiled in) and examples.

`tests/entities_doc.rs` holds the file to the catalogue: every built-in entity has a section,
its context words are the detectors', each "found" example is found as that entity with that
value, and each "left alone" example is not. Run this after changing a detector's words:

    python3 scripts/gen-entities-md.py > ENTITIES.md
"""

import pathlib
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent

# entity: (what it is, the check, [(line, value found)], [(line, why it is left alone)])
ENTITIES = {
    "PERSON": (
        "A person's name: given names and surnames in Latin script (with titles, initials, "
        "particles, `Surname, Given`), in one case after a word that introduces a person, "
        "Chinese, Korean and Japanese names by their surname, any name under a name field.",
        "Dictionaries of 19,000 given names and 97,000 surnames and a 40,000-word stoplist; "
        "titles, cue words (`Dear`, `spoke with`, `patient`) and field names (`first_name`, "
        "`cardholder`) raise it; log structure (a timestamp's `Jun`, a path, a `Key=`) and "
        "places, firms and products rule it out. No model.",
        [("Dear Jane Smith,", "Jane Smith"), ("seen by Dr Maria Garcia today", "Maria Garcia"),
         ('{"first_name": "Zyxwv"}', "Zyxwv")],
        [("Spring Boot started on port 8080", "common words, not a pair of frequent names"),
         ("Jun 17 10:00:00 host sshd[42]: ok", "a timestamp's month")],
    ),
    "EMAIL": (
        "An e-mail address.",
        "Dot-atom local part, letter-digit-hyphen labels, a top-level domain in the IANA list; "
        "SSH remotes (`git@host:repo`) are not addresses.",
        [("mail jane.doe@example.com", "jane.doe@example.com")],
        [("git clone git@github.com:org/repo.git", "an SSH remote")],
    ),
    "PHONE": (
        "A telephone number, international (`+`, `00`) or national.",
        "libphonenumber's numbering plans for every calling code; national forms of the "
        "policy's `phone_regions` (US and GB by default); bare digits need a phone word.",
        [("call +44 20 7946 0958", "+44 20 7946 0958"), ("tel: (212) 555-0143", "(212) 555-0143")],
        [("took 2125550143 bytes", "bare digits with no phone word")],
    ),
    "CREDIT_CARD": (
        "A payment card number (PAN, ISO/IEC 7812).",
        "Issuer prefix and length per brand (Visa, Mastercard, Amex, Discover, JCB, Diners, "
        "UnionPay, Maestro, Mir), Luhn check digit, all-same digits rejected; contiguous or in "
        "the groupings cards are printed in.",
        [("card 4111 1111 1111 1111", "4111 1111 1111 1111"),
         ("paid with 5500-0000-0000-0004", "5500-0000-0000-0004")],
        [("order 4111 1111 1111 1112", "fails the Luhn check"),
         ("imei 490154203237518", "a device number (a negative word)")],
    ),
    "IBAN": (
        "An International Bank Account Number.",
        "Registry length for 89 countries, BBAN structure for 44, mod-97 check digits and the "
        "national check digits of BE, NO, ES, FR/MC, IT/SM; grouped or electronic, any case.",
        [("iban GB82 WEST 1234 5698 7654 32", "GB82 WEST 1234 5698 7654 32")],
        [("ref GB82 WEST 1234 5698 7654 33", "fails mod 97")],
    ),
    "US_BANK_ACCOUNT": (
        "A US bank account number.",
        "6 to 17 digits, reported only next to an account word or key (`account number`, "
        "`acct`, `a/c`); `account_id`, `tenant` speak against it.",
        [("account number 0001234567", "0001234567")],
        [("ref 0001234567", "no account word")],
    ),
    "ABA_ROUTING": (
        "A US bank routing transit number (ABA RTN).",
        "Assigned prefix (00-12, 21-32, 61-72, 80) and the 3-7-1 weighted check digit; needs "
        "a routing word.",
        [("routing 021000021", "021000021")],
        [("id 021000021", "no routing word")],
    ),
    "SWIFT_BIC": (
        "A SWIFT/BIC bank identifier code.",
        "4 letters, an ISO 3166 country, 2 characters, an optional branch of 3; needs a word "
        "saying BIC or SWIFT (words like `DATABASE` have the shape).",
        [("swift DEUTDEFF", "DEUTDEFF")],
        [("table DATABASE dropped", "no BIC word")],
    ),
    "US_SSN": (
        "A US Social Security number.",
        "Area not 000, 666 or 9xx, group not 00, serial not 0000, publicised numbers rejected; "
        "dashed, spaced or dotted; nine bare digits need a word or key.",
        [("ssn 536-90-4399", "536-90-4399"), ('{"ssn": 536904399}', "536904399")],
        [("ssn 666-90-4399", "area 666 is never issued"),
         ("order_id=536-90-4399", "an order key speaks against it")],
    ),
    "US_ITIN": (
        "A US Individual Taxpayer Identification Number.",
        "9xx with the group in 50-65, 70-88, 90-92 or 94-99.",
        [("itin 912-70-1234", "912-70-1234")],
        [("itin 912-69-1234", "group 69 is not an ITIN group")],
    ),
    "UK_NINO": (
        "A UK National Insurance number.",
        "Prefix letter rules, excluded and administrative prefixes, suffix A-D or none.",
        [("nino AB 12 34 56 C", "AB 12 34 56 C")],
        [("nino QQ 12 34 56 C", "an excluded prefix")],
    ),
    "CA_SIN": (
        "A Canadian Social Insurance Number.",
        "Luhn, first digit not 0 or 8, printed 3-3-3; needs a word.",
        [("sin 130 692 544", "130 692 544")],
        [("sin 130 692 545", "fails the Luhn check")],
    ),
    "AU_TFN": (
        "An Australian Tax File Number.",
        "Weights 1,4,3,7,5,8,6,9,10 mod 11 (and the 8-digit form); spaced or dotted; needs a "
        "word.",
        [("tfn 123 456 782", "123 456 782")],
        [("tfn 123 456 781", "fails the weighted check")],
    ),
    "IP_ADDRESS": (
        "An IPv4 or IPv6 address.",
        "The standard library's parsers; versions (`build 4.2.0.17`), OIDs and dotted names "
        "are ruled out by log structure; loopback, unspecified and multicast addresses score "
        "under the threshold.",
        [("from 203.0.113.9", "203.0.113.9"), ("ipv6 2001:db8::1", "2001:db8::1")],
        [("Chrome/62.0.807.0 Safari", "a version"), ("bind 127.0.0.1", "loopback")],
    ),
    "MAC_ADDRESS": (
        "A network interface's MAC address.",
        "Six hex pairs with one separator kind, or `xxxx.xxxx.xxxx`; all-zero, broadcast, "
        "multicast and longer hex runs rejected.",
        [("mac 00:1A:2B:3C:4D:5E", "00:1A:2B:3C:4D:5E")],
        [("mac ff:ff:ff:ff:ff:ff", "broadcast")],
    ),
    "DATE_OF_BIRTH": (
        "A date of birth.",
        "A real date from 1900 to today in ISO, US or European numeric or month-name forms, "
        "only with a birth word or key (`DOB`, `born`, `birthDate`); `created`, `expires` "
        "speak against it.",
        [("DOB 1984-03-12", "1984-03-12")],
        [("created 1984-03-12", "no birth word")],
    ),
    "STREET_ADDRESS": (
        "A postal street address.",
        "US (USPS suffixes, directions, units, `City, ST ZIP`, PO boxes), UK (flats, "
        "postcodes), CA, AU, IE and the street-before-number forms of DE, FR, ES, IT, NL, PL; "
        "scored by completeness.",
        [("ship to 1600 Pennsylvania Ave NW, Washington, DC 20500",
          "1600 Pennsylvania Ave NW, Washington, DC 20500")],
        [("retry 3 times then Street view", "no number, name and street type")],
    ),
    "UK_NHS": (
        "A UK NHS number.",
        "Mod 11 check digit; printed 3-3-4, or bare with a word; the 999 test range scores "
        "lower.",
        [("nhs 943 476 5919", "943 476 5919")],
        [("nhs 943 476 5918", "fails mod 11")],
    ),
    "US_NPI": (
        "A US National Provider Identifier.",
        "Luhn over `80840` and the NPI, first digit 1 or 2; needs a word.",
        [("npi 1234567893", "1234567893")],
        [("npi 1234567890", "fails the check digit")],
    ),
    "US_MBI": (
        "A US Medicare Beneficiary Identifier.",
        "The character class of each of its 11 positions (no S, L, O, I, B, Z), dashes only "
        "where cards print them.",
        [("mbi 1EG4-TE5-MK73", "1EG4-TE5-MK73")],
        [("mbi 1EG4-TE5-MKS3", "S is never used")],
    ),
    "US_DEA": (
        "A US DEA registration number.",
        "Registrant type letter, check digit `(d1+d3+d5) + 2(d2+d4+d6)`.",
        [("dea AB1234563", "AB1234563")],
        [("dea AB1234564", "fails the check digit")],
    ),
    "MRN": (
        "A medical record number.",
        "6 to 10 digits (an optional letter prefix, dashed groups), only with `MRN`, `MR#`, "
        "`chart`, `medical record`, `patient_id` or a FHIR identifier typed MR.",
        [("MRN 00123456", "00123456")],
        [("job 00123456", "no record word")],
    ),
    "AU_MEDICARE": (
        "An Australian Medicare card number.",
        "First digit 2-6, weights 1,3,7,9 mod 10, issue number (and IRN) 1-9.",
        [("medicare 2123 45670 1", "2123 45670 1")],
        [("medicare 2123 45671 1", "fails the weighted check")],
    ),
    "AU_IHI": (
        "An Australian Individual Healthcare Identifier.",
        "Prefix 800360, Luhn over 16 digits.",
        [("ihi 8003 6012 3456 7894", "8003 6012 3456 7894")],
        [("ihi 8003 6012 3456 7895", "fails the Luhn check")],
    ),
}


def detectors():
    """Context and negative words per entity, from the embedded pattern files."""
    words = {}
    for f in sorted((ROOT / "patterns").rglob("*.toml")):
        data = tomllib.loads(f.read_text())
        for d in data.get("detector", []):
            pos, neg = words.setdefault(d["entity"], ([], []))
            for w in d.get("context", []):
                if w not in pos:
                    pos.append(w)
            for w in d.get("negative_context", []):
                if w not in neg:
                    neg.append(w)
    return words


def main():
    words = detectors()
    out = [
        "# Entities",
        "",
        "What velum detects: for each entity, what it matches, the check a value must pass,",
        "the context words that raise its score (a word within a few words of the value, or",
        "the field name it is under) and those that lower it, and examples: each line is",
        "scanned by the test suite, which holds this file to the detectors (`tests/entities_doc.rs`;",
        "`scripts/gen-entities-md.py` writes it from `patterns/`). Context words match whole",
        "words in any case. Scores run from 0 to 1; a finding is reported at the policy's",
        "threshold (0.5 by default). Every value below is a published specimen or synthetic.",
        "",
        "`velum explain 'LINE'` shows, for any line, what was found and why, and what was",
        "looked at and left in clear, with the reason.",
        "",
    ]
    for entity, (what, check, found, left) in ENTITIES.items():
        pos, neg = words.get(entity, ([], []))
        out += [f"## {entity}", "", what, "", f"- **Check:** {check}"]
        out.append(
            "- **Context words:** " + (", ".join(f"`{w}`" for w in pos) if pos else "none")
        )
        if neg:
            out.append("- **Words against it:** " + ", ".join(f"`{w}`" for w in neg))
        for line, value in found:
            out.append(f"- **Found:** `{line}` → `{value}`")
        for line, why in left:
            out.append(f"- **Left alone:** `{line}` ({why})")
        out.append("")
    print("\n".join(out).rstrip("\n"))


if __name__ == "__main__":
    main()
