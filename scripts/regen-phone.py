#!/usr/bin/env python3
"""Regenerates patterns/phone/regions.tsv from libphonenumber's PhoneNumberMetadata.xml.

    python3 scripts/regen-phone.py PATH/TO/PhoneNumberMetadata.xml > patterns/phone/regions.tsv

The XML ships with the `phonenumber` crate (assets/PhoneNumberMetadata.xml, libphonenumber
9.0.x, Apache-2.0). One line per territory: id, country calling code, national (trunk)
prefix, whether it is the main country of its code, the leading digits that pick it among
the territories sharing its code, the national significant number lengths, then one
`type=pattern` field per number type (fixed line, mobile, toll free...). build.rs compiles
each territory's patterns ahead of time into one anchored DFA, so no regular expression is
built while velum runs. Standard library only.
"""
import sys
import xml.etree.ElementTree as ET

TYPES = ["fixedLine", "mobile", "tollFree", "premiumRate", "sharedCost", "personalNumber",
         "voip", "pager", "uan", "voicemail"]


def lengths(el):
    out = set()
    pl = el.find("possibleLengths")
    if pl is None:
        return out
    for part in (pl.get("national") or "").split(","):
        part = part.strip()
        if not part:
            continue
        if part.startswith("["):
            a, b = part[1:-1].split("-")
            out.update(range(int(a), int(b) + 1))
        else:
            out.add(int(part))
    return out


def main():
    tree = ET.parse(sys.argv[1])
    print("# id\tcc\ttrunk\tmain\tleading\tlengths\ttype=pattern...  (scripts/regen-phone.py;"
          " libphonenumber metadata, Apache-2.0)")
    for t in tree.getroot().iter("territory"):
        tid = t.get("id")
        cc = t.get("countryCode")
        trunk = t.get("nationalPrefix") or "-"
        main = "main" if t.get("mainCountryForCode") == "true" else "-"
        leading = (t.get("leadingDigits") or "-").replace("\t", "")
        types, lens = [], set()
        for name in TYPES:
            el = t.find(name)
            if el is None:
                continue
            pat = el.find("nationalNumberPattern")
            if pat is None or not pat.text:
                continue
            p = "".join(pat.text.split())
            if p == "NA":
                continue
            types.append(f"{name}={p}")
            lens |= lengths(el)
        if not types:
            continue
        ls = ",".join(str(x) for x in sorted(lens)) or "-"
        print("\t".join([tid, cc, trunk, main, "".join(leading.split()), ls] + types))


if __name__ == "__main__":
    main()
