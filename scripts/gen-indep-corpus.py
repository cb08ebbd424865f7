#!/usr/bin/env python3
"""Writes tests/data/eval/indep/: a labelled development corpus that does not come from
velum's own rules.

    python3 -m venv target/eval-venv
    target/eval-venv/bin/pip install Faker==40.63.0 python-stdnum==2.2 phonenumbers==9.0.43
    target/eval-venv/bin/python scripts/gen-indep-corpus.py tests/data/eval/indep

Every corpus is written in two parts: `dev/` (looked at while fixing) and `test/` (every
fourth line; only scored — a rule that lifts dev and not test is overfitting).

Values come from Faker's locales (names, addresses, e-mail addresses, phone numbers, IBANs,
card numbers) and are kept as personal data only when an independent check says they are
real: python-stdnum for check digits (IBAN, cards, SSN, ITIN, SIN, TFN, NHS, routing
numbers, BIC), the `phonenumbers` port of libphonenumber for phones, the published rules of
CMS (NPI, MBI), the DEA and Services Australia (Medicare, IHI) for the rest; published
specimens where a standard prints one. Record shapes follow public standards: HL7 FHIR
Patient / Practitioner / Coverage, NACHA ACH and ISO 20022 SEPA payment events, HTTP access
logs with query strings and form bodies, support tickets and clinical notes. Hard look-alikes
(ids that pass a checksum by chance, versions that parse as addresses, timestamps, firm,
place and product names, medical eponyms) are written unlabelled.

Labels are inline, ⟦ENTITY|value⟧, as `velum eval` reads them. Seeded: the same versions
give the same files, but for dates of birth (Faker draws them relative to today), so the
files in the repository are kept as they were written and only new parts are added.
"""
import json
import random
import sys
import urllib.parse
from pathlib import Path

import phonenumbers
from faker import Faker
from stdnum import bic, iban, luhn
from stdnum.au import tfn
from stdnum.ca import sin
from stdnum.gb import nhs
from stdnum.us import itin, rtn, ssn

R = random.Random(20261201)
LOCALES = ["en_US", "en_GB", "en_AU", "en_CA", "en_IE", "de_DE", "de_AT", "fr_FR", "es_ES",
           "it_IT", "nl_NL", "pl_PL", "pt_PT", "sv_SE", "da_DK", "fi_FI", "cs_CZ", "en_NZ"]
FAKERS = {}
for i, loc in enumerate(LOCALES):
    f = Faker(loc)
    f.seed_instance(1000 + i)
    FAKERS[loc] = f
EN = FAKERS["en_US"]
REGION = {"en_US": "US", "en_GB": "GB", "en_AU": "AU", "en_CA": "CA", "en_IE": "IE", "de_DE": "DE",
          "de_AT": "AT", "fr_FR": "FR", "es_ES": "ES", "it_IT": "IT", "nl_NL": "NL", "pl_PL": "PL",
          "pt_PT": "PT", "sv_SE": "SE", "da_DK": "DK", "fi_FI": "FI", "cs_CZ": "CZ", "en_NZ": "NZ"}


def L(entity, value):
    return f"⟦{entity}|{value}⟧"


def loc():
    return R.choice(LOCALES)


def ts():
    return (f"2026-{R.randint(1, 12):02d}-{R.randint(1, 28):02d}T{R.randint(0, 23):02d}:"
            f"{R.randint(0, 59):02d}:{R.randint(0, 59):02d}.{R.randint(0, 999):03d}Z")


def ts_space():
    return (f"2026-{R.randint(1, 12):02d}-{R.randint(1, 28):02d} {R.randint(0, 23):02d}:"
            f"{R.randint(0, 59):02d}:{R.randint(0, 59):02d},{R.randint(0, 999):03d}")


def hexd(n):
    return "".join(R.choice("0123456789abcdef") for _ in range(n))


def uuid():
    h = hexd(32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def digits(n, first="0123456789"):
    return R.choice(first) + "".join(R.choice("0123456789") for _ in range(n - 1))


# ---- names -----------------------------------------------------------------------------

def person(locale=None, parts=2):
    f = FAKERS[locale or loc()]
    for _ in range(20):
        first, last = f.first_name(), f.last_name()
        # Faker's compound and particle names are names too; keep ASCII-safe spacing.
        if parts == 1:
            return last
        if " " not in first and len(first) > 1 and len(last) > 1:
            return f"{first} {last}"
    return f"{f.first_name()} {f.last_name()}"


def first_name(locale=None):
    return FAKERS[locale or loc()].first_name()


def last_name(locale=None):
    return FAKERS[locale or loc()].last_name()


# ---- contact ---------------------------------------------------------------------------

def email(name=None):
    f = FAKERS[R.choice(["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "nl_NL", "it_IT"])]
    r = R.random()
    if name and r < 0.35:
        a, b = (name.split() + ["x"])[:2]
        local = R.choice([f"{a}.{b}", f"{a[0]}{b}", f"{a}_{b}", f"{a}{R.randint(1, 99)}"])
        local = local.lower().encode("ascii", "ignore").decode()
        if not any(ch.isalnum() for ch in local):
            # A name in another script: an address its owner would pick.
            local = f"user{R.randint(10, 9999)}"
        return f"{local}@{f.free_email_domain()}"
    if r < 0.7:
        return f.email()
    return R.choice([f.company_email(), f.ascii_safe_email(), f.free_email()])


def phone(locale=None):
    """A phone number as Faker writes it in the locale, kept only when libphonenumber
    (the `phonenumbers` port) says it is a valid number of that region."""
    locale = locale or R.choice(["en_US", "en_GB", "en_AU", "en_CA", "de_DE", "fr_FR", "es_ES",
                                 "it_IT", "nl_NL", "en_IE", "pl_PL"])
    f = FAKERS[locale]
    for _ in range(50):
        p = f.phone_number()
        try:
            n = phonenumbers.parse(p, REGION[locale])
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(n):
            return p, locale
    return "+1 212-555-0123", "en_US"


def phone_intl():
    while True:
        p, locale = phone()
        n = phonenumbers.parse(p, REGION[locale])
        fmt = R.choice([phonenumbers.PhoneNumberFormat.E164, phonenumbers.PhoneNumberFormat.INTERNATIONAL])
        return phonenumbers.format_number(n, fmt)


def ipv4():
    return R.choice([EN.ipv4_public(), EN.ipv4_public(), EN.ipv4_private()])


def ipv6():
    return R.choice([EN.ipv6(), "2001:db8:" + ":".join(hexd(R.randint(1, 4)) for _ in range(2)) + "::" + hexd(3),
                     f"::ffff:{EN.ipv4_public()}", "fe80::" + hexd(4) + ":" + hexd(4)])


# ---- financial -------------------------------------------------------------------------

CARD_TYPES = ["visa16", "visa13", "mastercard", "amex", "discover", "jcb16", "diners", "maestro"]


def card_digits():
    while True:
        c = EN.credit_card_number(R.choice(CARD_TYPES))
        if luhn.is_valid(c) and len(set(c)) > 1:
            return c


def group(d, sizes, sep):
    out, i = [], 0
    for s in sizes:
        out.append(d[i:i + s])
        i += s
    if i < len(d):
        out.append(d[i:])
    return sep.join(x for x in out if x)


def card():
    d = card_digits()
    n = len(d)
    r = R.random()
    if r < 0.3:
        return d
    sep = R.choice([" ", "-"])
    if n == 15:
        return group(d, R.choice([[4, 6, 5], [4, 4, 4, 3]]), sep)
    if n == 14:
        return group(d, R.choice([[4, 6, 4], [4, 4, 4, 2]]), sep)
    if n == 13:
        return group(d, [4, 3, 3, 3], sep)
    # 12 (Maestro) 4-4-4, 16 4-4-4-4, 19 4-4-4-4-3.
    return group(d, [4, 4, 4, 4, 3], sep)


def iban_value():
    for _ in range(100):
        v = FAKERS[R.choice(["de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "en_GB", "pl_PL", "de_AT",
                             "pt_PT", "fi_FI", "da_DK", "en_IE", "cs_CZ", "sv_SE"])].iban()
        if iban.is_valid(v):
            return v
    return "DE89370400440532013000"


def iban_form(v):
    r = R.random()
    if r < 0.35:
        return v
    if r < 0.75:
        return " ".join(v[i:i + 4] for i in range(0, len(v), 4))
    if r < 0.85:
        return "-".join(v[i:i + 4] for i in range(0, len(v), 4))
    if r < 0.93:
        # Country and check digits set apart, then the BBAN in one run.
        return f"{v[:4]} {v[4:]}"
    # Groups of other sizes, as some banks print them.
    rest = v[4:]
    parts, i = [], 0
    while i < len(rest):
        k = R.choice([3, 5, 6])
        parts.append(rest[i:i + k])
        i += k
    return v[:4] + " " + " ".join(parts)


def bic_value():
    while True:
        b = R.choice([EN.swift8(), EN.swift11()])
        if bic.is_valid(b):
            return b


def aba():
    while True:
        d = R.choice(["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "21",
                      "22", "26", "31", "32", "61", "63", "67", "72"]) + digits(6)
        for c in "0123456789":
            if rtn.is_valid(d + c):
                return d + c


def bank_account():
    return digits(R.choice([8, 9, 10, 11, 12, 14]))


# ---- national ids ----------------------------------------------------------------------

def ssn_digits():
    while True:
        v = digits(3, "12345678") + digits(2) + digits(4)
        if ssn.is_valid(v) and v not in ("078051120", "219099999", "457555462", "123456789"):
            return v


def ssn_form(d=None):
    d = d or ssn_digits()
    return R.choice([f"{d[:3]}-{d[3:5]}-{d[5:]}", f"{d[:3]}-{d[3:5]}-{d[5:]}", f"{d[:3]} {d[3:5]} {d[5:]}",
                     f"{d[:3]}.{d[3:5]}.{d[5:]}", d])


def itin_value():
    while True:
        v = "9" + digits(2) + str(R.randint(70, 88)) + digits(4)
        if itin.is_valid(v):
            return f"{v[:3]}-{v[3:5]}-{v[5:]}"


def nino():
    bad1, bad2 = "DFIQUV", "DFIOQUV"
    while True:
        a, b = R.choice("ABCEGHJKLMNPRSTWXYZ"), R.choice("ABCEGHJKLMNPRSTWXYZ")
        if a in bad1 or b in bad2 or a + b in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ", "OO", "CR", "FY", "MW", "NC", "PP", "PY", "PZ"):
            continue
        d = digits(6)
        s = R.choice("ABCD")
        return R.choice([f"{a}{b} {d[:2]} {d[2:4]} {d[4:]} {s}", f"{a}{b}{d}{s}", f"{a}{b} {d} {s}"])


def sin_value():
    while True:
        f = FAKERS["en_CA"].ssn()
        if sin.is_valid(f):
            d = f.replace(" ", "")
            return R.choice([f, f"{d[:3]}-{d[3:6]}-{d[6:]}", d])


def tfn_value(eight=False):
    while True:
        d = digits(8 if eight else 9, "123456789")
        if tfn.is_valid(d):
            if eight:
                return R.choice([d, f"{d[:3]} {d[3:6]} {d[6:]}", f"{d[:2]}.{d[2:5]}.{d[5:]}"])
            return R.choice([f"{d[:3]} {d[3:6]} {d[6:]}", d, f"{d[:3]}.{d[3:6]}.{d[6:]}", f"{d[:3]}-{d[3:6]}-{d[6:]}"])


def nhs_value():
    while True:
        d = digits(9, "3456789")
        for c in "0123456789":
            if nhs.is_valid(d + c):
                v = d + c
                return R.choice([f"{v[:3]} {v[3:6]} {v[6:]}", v, f"{v[:3]}-{v[3:6]}-{v[6:]}"])


def npi():
    # CMS: Luhn over 80840 + the nine digits; first digit 1 or 2.
    p = R.choice("12") + digits(8)
    c = luhn.calc_check_digit("80840" + p)
    return p + c


def dea():
    letter = R.choice("ABFGMPRX")
    second = R.choice("ABCDEFGHJKLMNPRSTWZ")
    d = [R.randint(0, 9) for _ in range(6)]
    check = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
    return letter + second + "".join(map(str, d)) + str(check)


def mbi():
    letters = "ACDEFGHJKMNPQRTUVWXY"
    alnum = letters + "0123456789"
    s = [R.choice("123456789"), R.choice(letters), R.choice(alnum), R.choice("0123456789"),
         R.choice(letters), R.choice(alnum), R.choice("0123456789"), R.choice(letters),
         R.choice(letters), R.choice("0123456789"), R.choice("0123456789")]
    v = "".join(s)
    return R.choice([v, f"{v[:4]}-{v[4:7]}-{v[7:]}"])


def medicare():
    while True:
        d = [R.randint(2, 6)] + [R.randint(0, 9) for _ in range(7)]
        w = [1, 3, 7, 9, 1, 3, 7, 9]
        check = sum(a * b for a, b in zip(d, w)) % 10
        issue = R.randint(1, 9)
        s = "".join(map(str, d)) + str(check) + str(issue)
        irn = str(R.randint(1, 9))
        return R.choice([f"{s[:4]} {s[4:9]} {s[9]}", s, f"{s[:4]} {s[4:9]} {s[9]} {irn}", s + irn])


def ihi():
    p = "800360" + digits(9)
    v = p + luhn.calc_check_digit(p)
    return R.choice([f"{v[:4]} {v[4:8]} {v[8:12]} {v[12:]}", v])


def mrn():
    return R.choice([digits(7), digits(8), "00" + digits(6), f"{digits(2)}-{digits(3)}-{digits(3)}",
                     R.choice("AEKMPS") + digits(7), f"{digits(3)}-{digits(3)}-{digits(4)}"])


def dob_value():
    d = EN.date_of_birth(minimum_age=1, maximum_age=95)
    return R.choice([d.strftime("%Y-%m-%d"), d.strftime("%m/%d/%Y"), d.strftime("%d.%m.%Y"),
                     d.strftime("%B %-d, %Y"), d.strftime("%-d %b %Y"), d.strftime("%d/%m/%Y")])


# ---- addresses -------------------------------------------------------------------------

def address(locale=None):
    """A postal address from Faker in one line (its lines joined by `, `)."""
    locale = locale or R.choice(["en_US", "en_US", "en_GB", "en_AU", "en_CA", "de_DE", "fr_FR",
                                 "es_ES", "it_IT", "nl_NL", "pl_PL"])
    f = FAKERS[locale]
    for _ in range(50):
        a = f.address()
        if any(x in a for x in ("PSC ", "Unit ", "USNS", "USS ", "Box ", "FPO", "APO", "DPO")) and locale == "en_US":
            continue
        lines = [x.strip() for x in a.split("\n") if x.strip()]
        one = ", ".join(lines)
        if any(ch.isdigit() for ch in one):
            return one, locale
    return "1600 Pennsylvania Avenue NW, Washington, DC 20500", "en_US"


def street(locale=None):
    locale = locale or R.choice(["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL"])
    f = FAKERS[locale]
    for _ in range(50):
        s = f.street_address().replace("\n", ", ")
        if any(ch.isdigit() for ch in s):
            return s
    return "221B Baker Street"


# ---- the corpus ------------------------------------------------------------------------

def app_logs(n):
    out = []
    for _ in range(n):
        name = person()
        k = R.randrange(16)
        if k == 0:
            out.append(f"{ts_space()} INFO  [http-nio-8080-exec-{R.randint(1, 40)}] c.a.b.PaymentService - charge ok "
                       f"customer_email={L('EMAIL', email(name))} card={L('CREDIT_CARD', card())} amount={R.randint(1, 900)}.{R.randint(0, 99):02d} "
                       f"trace_id={hexd(32)}")
        elif k == 1:
            p, _ = phone()
            out.append(f"{ts()} level=info msg=\"sms sent\" to={L('PHONE', p)} user_id={R.randint(10000, 9999999)} "
                       f"latency_ms={R.randint(1, 900)}")
        elif k == 2:
            out.append(f"{ts()} WARN  sepa.transfer rejected debtor_iban={L('IBAN', iban_form(iban_value()))} "
                       f"bic={L('SWIFT_BIC', bic_value())} reason=AC04 e2e_id=E2E-{digits(10)}")
        elif k == 3:
            out.append(f"{ts_space()} DEBUG kyc.Verifier - ssn check passed for {L('PERSON', name)} "
                       f"ssn={L('US_SSN', ssn_form())} request_id={uuid()}")
        elif k == 4:
            out.append(f"{ts()} [audit] login ok user={L('EMAIL', email(name))} from {L('IP_ADDRESS', ipv4())} "
                       f"session={hexd(16)} took {R.randint(2, 900)} ms")
        elif k == 5:
            out.append(f"{ts()} INFO ach.batch credit routing_number={L('ABA_ROUTING', aba())} "
                       f"account_number={L('US_BANK_ACCOUNT', bank_account())} amount_cents={R.randint(100, 999999)} "
                       f"batch={digits(7)}")
        elif k == 6:
            out.append(f"{ts()} ERROR upstream {L('IP_ADDRESS', ipv6())} reset by peer after {R.randint(100, 99999)} bytes "
                       f"(worker pid {R.randint(100, 65000)})")
        elif k == 7:
            out.append(f"{ts()} notice: contact form from {L('PERSON', name)} <{L('EMAIL', email(name))}> "
                       f"phone {L('PHONE', phone()[0])} subject=\"{EN.bs()}\"")
        elif k == 8:
            out.append(f"{ts_space()} INFO  tax.Intake - W-7 received, ITIN {L('US_ITIN', itin_value())} assigned to "
                       f"{L('PERSON', name)} case #{digits(6)}")
        elif k == 9:
            out.append(f"{ts()} uk.payroll employee {L('PERSON', person('en_GB'))} NI number {L('UK_NINO', nino())} "
                       f"tax code {R.randint(1000, 1300)}L period {R.randint(1, 12)}")
        elif k == 10:
            out.append(f"{ts()} ca.payroll new hire SIN {L('CA_SIN', sin_value())} province ON dept {R.randint(10, 99)}")
        elif k == 11:
            out.append(f"{ts()} au.payroll TFN declaration tfn={L('AU_TFN', tfn_value(R.random() < 0.3))} "
                       f"abn_present=false payg=true")
        elif k == 12:
            out.append(f"{ts()} wifi assoc sta={L('MAC_ADDRESS', EN.mac_address())} bssid {L('MAC_ADDRESS', EN.mac_address().upper())} "
                       f"rssi=-{R.randint(30, 90)} channel {R.choice([1, 6, 11, 36, 149])}")
        elif k == 13:
            a, _ = address()
            out.append(f"{ts()} shipping label printed ship_to=\"{L('STREET_ADDRESS', a)}\" carrier=UPS "
                       f"tracking=1Z{digits(16)} weight_g={R.randint(10, 9000)}")
        elif k == 14:
            out.append(f"{ts()} checkout.payment card {L('CREDIT_CARD', card())} exp {R.randint(1, 12):02d}/{R.randint(27, 31)} "
                       f"3ds=frictionless order_id=ORD-{digits(8)}")
        else:
            out.append(f"{ts()} crm.sync updated contact {L('PERSON', name)}, {L('EMAIL', email(name))}, "
                       f"tel. {L('PHONE', phone()[0])}, version {R.randint(2, 40)}")
    return out


def access_logs(n):
    """HTTP access logs, with query strings and form bodies URL-encoded."""
    out = []
    for _ in range(n):
        ip = ipv4()
        name = person()
        em = email(name)
        p = phone_intl()
        k = R.randrange(6)
        ua = EN.user_agent()
        when = f"[{R.randint(1, 28):02d}/{R.choice(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'])}/2026:{R.randint(0, 23):02d}:{R.randint(0, 59):02d}:{R.randint(0, 59):02d} +0000]"
        if k == 0:
            q = f"email={L('EMAIL', urllib.parse.quote(em))}&plan=pro"
        elif k == 1:
            q = (f"name={L('PERSON', urllib.parse.quote_plus(name))}&email={L('EMAIL', urllib.parse.quote(em, safe=''))}"
                 f"&ref=newsletter")
        elif k == 2:
            q = f"phone={L('PHONE', urllib.parse.quote(p, safe=''))}&otp_len=6"
        elif k == 3:
            q = f"iban={L('IBAN', urllib.parse.quote(iban_form(iban_value())))}&amount={R.randint(5, 500)}"
        elif k == 4:
            q = f"q={urllib.parse.quote_plus(EN.word())}&page={R.randint(1, 20)}&sort=desc"
        else:
            q = f"ssn={L('US_SSN', ssn_form(ssn_digits()))}&dob_year={R.randint(1940, 2005)}"
        path = R.choice(["/api/v1/signup", "/account/verify", "/search", "/checkout/confirm", "/api/v2/kyc"])
        out.append(f"{L('IP_ADDRESS', ip)} - - {when} \"GET {path}?{q} HTTP/1.1\" {R.choice([200, 200, 302, 404])} "
                   f"{R.randint(200, 90000)} \"-\" \"{ua}\" {R.random():.3f}")
    return out


def json_records(n):
    out = []
    for _ in range(n):
        name = person()
        k = R.randrange(8)
        if k == 0:
            rec = {"ts": ts(), "level": "info", "event": "profile.updated",
                   "user": {"id": R.randint(1, 10**6), "name": L("PERSON", name), "email": L("EMAIL", email(name)),
                            "phone": L("PHONE", phone()[0])}, "ip": L("IP_ADDRESS", ipv4())}
        elif k == 1:
            rec = {"ts": ts(), "event": "payment.captured", "amount": R.randint(100, 99999),
                   "card": {"number": L("CREDIT_CARD", card()), "holder": L("PERSON", name.upper()),
                            "exp": f"{R.randint(1, 12):02d}/{R.randint(27, 31)}"},
                   "order_id": R.randint(10**6, 10**9)}
        elif k == 2:
            rec = {"ts": ts(), "kyc": {"firstName": L("PERSON", name.split()[0]), "lastName": L("PERSON", name.split()[-1]),
                                       "socialSecurityNo": L("US_SSN", ssn_digits()), "dob": L("DATE_OF_BIRTH", dob_value())}}
        elif k == 3:
            rec = {"ts": ts(), "payout": {"beneficiaryName": L("PERSON", name), "beneficiary_iban": L("IBAN", iban_value()),
                                          "bic_code": L("SWIFT_BIC", bic_value()), "reference": f"INV-{digits(6)}"}}
        elif k == 4:
            a, _ = address()
            rec = {"ts": ts(), "order": {"id": f"SO-{digits(7)}", "shipTo": {"name": L("PERSON", name), "addressLine": L("STREET_ADDRESS", a)},
                                         "contactPhone": L("PHONE", phone()[0])}}
        elif k == 5:
            rec = {"ts": ts(), "tax": {"taxpayer-id": L("US_SSN", ssn_form()), "filingStatus": "single", "year": 2025}}
        elif k == 6:
            rec = {"ts": ts(), "hr": {"employee": L("PERSON", name), "sin_number": L("CA_SIN", sin_value()),
                                      "acct": L("US_BANK_ACCOUNT", bank_account()), "routing": L("ABA_ROUTING", aba())}}
        else:
            rec = {"ts": ts(), "level": "debug", "msg": f"lookup by {L('EMAIL', email(name))} took {R.randint(1, 99)}ms",
                   "trace_id": hexd(32), "span_id": hexd(16), "duration_ms": R.randint(1, 5000)}
        out.append(json.dumps(rec, ensure_ascii=False))
    return out


def fhir(n):
    """HL7 FHIR R4 resources on one line each: identifiers typed by a sibling system URI or a
    type code, names split into given (an array) and family."""
    out = []
    for _ in range(n):
        locale = R.choice(["en_US", "en_US", "en_GB", "en_AU"])
        given, family = first_name(locale), last_name(locale)
        k = R.randrange(3)
        a, _ = address(locale)
        if k == 0:
            ids = [{"use": "usual", "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}], "text": "MRN"},
                    "system": "urn:oid:1.2.36.146.595.217.0.1", "value": L("MRN", digits(R.choice([6, 7, 8])))}]
            if locale == "en_US":
                ids.append({"system": "http://hl7.org/fhir/sid/us-ssn", "value": L("US_SSN", ssn_digits())})
                ids.append({"system": "http://hl7.org/fhir/sid/us-mbi", "value": L("US_MBI", mbi().replace("-", ""))})
            elif locale == "en_GB":
                v = nhs_value().replace(" ", "").replace("-", "")
                ids.append({"system": "https://fhir.nhs.uk/Id/nhs-number", "value": L("UK_NHS", v)})
            else:
                ids.append({"system": "http://ns.electronichealth.net.au/id/hi/ihi/1.0", "value": L("AU_IHI", ihi().replace(" ", ""))})
            res = {"resourceType": "Patient", "id": uuid(), "identifier": ids,
                   "name": [{"use": "official", "family": L("PERSON", family), "given": [L("PERSON", given)]}],
                   "telecom": [{"system": "phone", "value": L("PHONE", phone(locale)[0]), "use": "home"},
                               {"system": "email", "value": L("EMAIL", email(f"{given} {family}"))}],
                   "gender": R.choice(["male", "female"]), "birthDate": L("DATE_OF_BIRTH", EN.date_of_birth().isoformat()),
                   "address": [{"use": "home", "text": L("STREET_ADDRESS", a)}]}
        elif k == 1:
            res = {"resourceType": "Practitioner", "id": f"pract-{digits(5)}",
                   "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": L("US_NPI", npi())},
                                  {"type": {"text": "DEA"}, "value": L("US_DEA", dea())}],
                   "name": [{"family": L("PERSON", family), "given": [L("PERSON", given)], "prefix": ["Dr."]}],
                   "telecom": [{"system": "phone", "value": L("PHONE", phone(locale)[0]), "use": "work"}]}
        else:
            res = {"resourceType": "Coverage", "id": f"cov-{digits(6)}", "status": "active",
                   "subscriberId": L("US_MBI", mbi()), "beneficiary": {"reference": f"Patient/{uuid()}", "display": L("PERSON", f"{given} {family}")},
                   "payor": [{"display": R.choice(["Medicare", "Aetna", "Blue Cross Blue Shield", "UnitedHealthcare"])}],
                   "period": {"start": "2026-01-01", "end": "2026-12-31"}}
        out.append(json.dumps(res, ensure_ascii=False))
    return out


def payments(n):
    out = []
    for _ in range(n):
        name = person()
        k = R.randrange(3)
        if k == 0:
            # NACHA PPD entry as a JSON event.
            rec = {"ts": ts(), "ach": {"sec": "PPD", "receivingDfi": L("ABA_ROUTING", aba()), "dfiAccountNumber": L("US_BANK_ACCOUNT", bank_account()),
                                      "individualName": L("PERSON", name.upper()), "amount": R.randint(100, 999999), "traceNumber": digits(15)}}
            out.append(json.dumps(rec, ensure_ascii=False))
        elif k == 1:
            # ISO 20022 pain.001 credit transfer.
            rec = {"ts": ts(), "pain001": {"MsgId": f"MSG{digits(10)}", "Dbtr": {"Nm": L("PERSON", name)},
                                          "DbtrAcct": {"IBAN": L("IBAN", iban_value())}, "DbtrAgt": {"BICFI": L("SWIFT_BIC", bic_value())},
                                          "InstdAmt": f"{R.randint(1, 9999)}.{R.randint(0, 99):02d}", "Ccy": "EUR"}}
            out.append(json.dumps(rec, ensure_ascii=False))
        else:
            out.append(f"{ts()} INFO wire.out beneficiary=\"{L('PERSON', name)}\" acct no: {L('US_BANK_ACCOUNT', bank_account())} "
                       f"aba {L('ABA_ROUTING', aba())} amount={R.randint(10, 99999)}.00 USD ref={digits(9)}")
    return out


def tickets(n):
    out = []
    for _ in range(n):
        locale = R.choice(["en_US", "en_GB", "en_AU", "en_CA", "en_IE"])
        name = person(locale)
        first = name.split()[0]
        last = name.split()[-1]
        p, _ = phone(locale)
        a, _ = address(locale)
        k = R.randrange(10)
        tid = f"#{digits(5)}"
        if k == 0:
            out.append(f"Ticket {tid}: {L('PERSON', name)} called about a double charge; call back on {L('PHONE', p)} after 5pm.")
        elif k == 1:
            out.append(f"Ticket {tid}: customer asked us to update the billing address to {L('STREET_ADDRESS', a)}.")
        elif k == 2:
            out.append(f"Ticket {tid}: Dear {L('PERSON', first)}, thanks for writing in. We have refunded order {digits(7)}.")
        elif k == 3:
            out.append(f"Ticket {tid}: agent called {L('PERSON', last)} back at {L('PHONE', p)}; no answer, left voicemail.")
        elif k == 4:
            out.append(f"Ticket {tid}: caller said her daughter {L('PERSON', first_name(locale))} made the purchase with card ending {digits(4)}.")
        elif k == 5:
            out.append(f"Ticket {tid}: please send the replacement to {L('PERSON', name)}, {L('STREET_ADDRESS', a)}. Email {L('EMAIL', email(name))}.")
        elif k == 6:
            out.append(f"Ticket {tid}: spoke with {L('PERSON', name)} ({L('EMAIL', email(name))}); account number {L('US_BANK_ACCOUNT', bank_account())} is closed.")
        elif k == 7:
            out.append(f"Ticket {tid}: Mr {L('PERSON', last)} reports the app crashes on version {R.randint(3, 9)}.{R.randint(0, 20)}.{R.randint(0, 99)}.")
        elif k == 8:
            out.append(f"Ticket {tid}: escalated by {L('PERSON', name)}: the courier lost parcel {digits(12)}, contact {L('PHONE', p)}.")
        else:
            out.append(f"Ticket {tid}: new address on file: {L('STREET_ADDRESS', street(locale))}. Phone {L('PHONE', p)}.")
    return out


EPONYMS = ["Parkinson disease", "Alzheimer disease", "Crohn's disease", "Hodgkin lymphoma",
           "Cushing syndrome", "Graves disease", "Hashimoto thyroiditis", "Addison disease",
           "Bell palsy", "Down syndrome", "Tourette syndrome", "Barrett esophagus",
           "Kaposi sarcoma", "Wilson disease", "Marfan syndrome", "a Foley catheter",
           "Raynaud phenomenon", "Guillain-Barre syndrome", "a Babinski sign", "Apgar score"]


def clinical(n):
    out = []
    for _ in range(n):
        locale = R.choice(["en_US", "en_US", "en_GB", "en_AU"])
        name = person(locale)
        doc = last_name(locale)
        k = R.randrange(9)
        ep = R.choice(EPONYMS)
        if k == 0:
            out.append(f"Pt {L('PERSON', name)}, DOB {L('DATE_OF_BIRTH', dob_value())}, MRN {L('MRN', mrn())}, presents with {ep}.")
        elif k == 1:
            out.append(f"MR# {L('MRN', mrn())} - {L('PERSON', name)} seen by Dr. {L('PERSON', doc)}; history of {ep}.")
        elif k == 2:
            out.append(f"Chart {L('MRN', mrn())}: patient {L('PERSON', name)} (born {L('DATE_OF_BIRTH', dob_value())}) referred to Dr {L('PERSON', person(locale))}.")
        elif k == 3:
            out.append(f"Medicare MBI {L('US_MBI', mbi())} verified for {L('PERSON', name)}; prescriber NPI {L('US_NPI', npi())}, DEA {L('US_DEA', dea())}.")
        elif k == 4:
            out.append(f"NHS number {L('UK_NHS', nhs_value())} for {L('PERSON', person('en_GB'))}; GP Dr {L('PERSON', last_name('en_GB'))}. Next of kin tel {L('PHONE', phone('en_GB')[0])}.")
        elif k == 5:
            out.append(f"Medicare card {L('AU_MEDICARE', medicare())}, IHI {L('AU_IHI', ihi())}, patient {L('PERSON', person('en_AU'))}.")
        elif k == 6:
            out.append(f"Discharge summary: {L('PERSON', name)} admitted for {ep}; follow up with Dr. {L('PERSON', doc)} in two weeks.")
        elif k == 7:
            out.append(f"medical record number {L('MRN', mrn())}; pt lives at {L('STREET_ADDRESS', address('en_US')[0])}; daughter {L('PERSON', first_name(locale))} is the contact.")
        else:
            out.append(f"Nurse note: {L('PERSON', name)} tolerated the procedure; no signs of {ep}. Vitals stable at {R.randint(0, 23):02d}:{R.randint(0, 59):02d}.")
    return out


FIRMS = ["Morgan Stanley", "Wells Fargo", "Goldman Sachs", "Johnson & Johnson", "Charles Schwab",
         "Ernst & Young", "Procter & Gamble", "Marks & Spencer", "Harley Davidson", "Dow Jones",
         "Rolls Royce", "Mercedes Benz", "Ralph Lauren", "Calvin Klein", "Louis Vuitton",
         "Hugo Boss", "John Deere", "Jack Daniels", "Tommy Hilfiger", "Sherwin Williams",
         "Dolce & Gabbana", "Ben & Jerry", "Estee Lauder", "Allen & Overy", "Baker McKenzie"]
PLACES = ["San Jose", "Santa Clara", "Los Angeles", "San Francisco", "Fort Worth", "Saint Louis",
          "Mount Vernon", "Santa Monica", "Palo Alto", "Grand Rapids", "Cedar Rapids", "Des Moines",
          "Baton Rouge", "Virginia Beach", "Colorado Springs", "Sao Paulo", "Buenos Aires",
          "New Jersey", "Jackson Heights", "Charlotte", "Austin", "Victoria", "Florence", "Eugene"]
PRODUCTS = ["Intel Mac OS X", "Windows NT", "Apple Watch", "Google Chrome", "Microsoft Edge",
            "Samsung Galaxy", "Amazon Echo", "Tesla Model", "Adobe Reader", "Oracle Linux",
            "Spring Boot", "Apache Kafka", "Red Hat", "Jenkins Pipeline", "Grafana Loki"]


def hard_negatives(n):
    """Look-alikes, written unlabelled: none of them is personal data."""
    out = []
    for _ in range(n):
        k = R.randrange(16)
        if k == 0:
            # An id that passes Luhn by chance, glued to its prefix.
            while True:
                d = digits(19)
                if luhn.is_valid(d):
                    break
            peer = f"10.{R.randint(0, 255)}.{R.randint(0, 255)}.{R.randint(1, 254)}"
            out.append(f"{ts_space()} INFO dfs.DataNode: Received block blk_-{d} of size {R.randint(10**5, 10**8)} from /{L('IP_ADDRESS', peer)}")
        elif k == 1:
            out.append(f"{ts()} agent build {R.randint(1, 9)}.{R.randint(0, 9)}.{R.randint(0, 99)}.{R.randint(0, 250)} started, driver version {R.randint(1, 30)}.{R.randint(0, 9)}.{R.randint(0, 9)}.{R.randint(0, 200)}")
        elif k == 2:
            d = R.choice(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
            m = R.choice(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"])
            out.append(f"[{d} {m} {R.randint(1, 28):02d} {R.randint(0, 23):02d}:{R.randint(0, 59):02d}:{R.randint(0, 59):02d} 2026] [notice] Apache configured -- resuming normal operations")
        elif k == 3:
            m = R.choice(["Jun", "Jul", "Aug", "Dec", "May", "April", "June"])
            out.append(f"{m} {R.randint(1, 28)} {R.randint(0, 23):02d}:{R.randint(0, 59):02d}:{R.randint(0, 59):02d} combo sshd[{R.randint(100, 40000)}]: session opened for user root")
        elif k == 4:
            out.append(f"{ts()} analyst note: {R.choice(FIRMS)} and {R.choice(FIRMS)} raised guidance; shares of {R.choice(FIRMS)} fell {R.randint(1, 9)}%")
        elif k == 5:
            out.append(f"{ts()} office move: the {R.choice(PLACES)} team joins {R.choice(PLACES)} on floor {R.randint(2, 40)}")
        elif k == 6:
            out.append(f"Mozilla/5.0 (Macintosh; {R.choice(PRODUCTS)} 10_{R.randint(10, 15)}_{R.randint(1, 7)}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{R.randint(90, 130)}.0.{R.randint(1000, 6000)}.{R.randint(10, 200)} Safari/537.36")
        elif k == 7:
            out.append(f"History of {R.choice(EPONYMS)}; rule out {R.choice(EPONYMS)}. Started Levodopa {R.randint(50, 200)} mg.")
        elif k == 8:
            out.append(f"{ts()} id={uuid()} sha256={hexd(64)} etag=\"{hexd(32)}\" parent={hexd(16)}")
        elif k == 9:
            out.append(f"{ts()} INFO order {digits(9)} shipped, invoice INV-{digits(8)}, tracking 1Z{digits(16)}, ticket {digits(10)}")
        elif k == 10:
            out.append(f"{ts()} worker pid={R.randint(100, 99999)} rss_bytes={digits(10)} heap={digits(9)} gc_pause_ms={R.randint(1, 900)} count={digits(7)}")
        elif k == 11:
            out.append(f"{ts()} Started {R.choice(['Session', 'Daily', 'Network', 'Target', 'Login'])} {R.choice(['Manager', 'Service', 'Cleanup', 'Time'])} of user {R.choice(['root', 'deploy', 'postgres'])}.")
        elif k == 12:
            out.append(f"{ts()} ISBN 978-{R.randint(0, 9)}-{digits(3)}-{digits(5)}-{R.randint(0, 9)} in stock; SKU {digits(12)}; batch {digits(6)}-{digits(4)}")
        elif k == 13:
            out.append(f"{ts()} cluster {R.choice(['Spring', 'Summer', 'Autumn', 'Winter'])} Sale banner served by {R.choice(PRODUCTS)} node-{R.randint(1, 99)}")
        elif k == 14:
            out.append(f"{ts()} metrics: requests={digits(7)} errors={R.randint(0, 999)} p99={R.randint(1, 999)}ms bytes_out={digits(10)} uptime_s={digits(7)}")
        else:
            out.append(f"{ts()} Error Path:/home/{EN.user_name()}/.cache Error:KeeperErrorCode = NoNode for /brokers/ids/{R.randint(0, 9)}")
    return out


def other_forms(n):
    """Forms that other projects' test suites use: dotted SSNs, 8-digit and dotted TFNs, cards
    grouped 4-4-4-3 / 4-4-4-2, IBANs with irregular spacing, IPv4-mapped IPv6, MRNs with
    dashes and behind `MR#` or `chart`, names in capitals or lower case under name fields."""
    out = []
    for _ in range(n):
        k = R.randrange(12)
        name = person()
        if k == 0:
            d = ssn_digits()
            out.append(f"my social security number is {L('US_SSN', f'{d[:3]}.{d[3:5]}.{d[5:]}')}")
        elif k == 1:
            out.append(f"TFN: {L('AU_TFN', tfn_value(eight=True))}")
        elif k == 2:
            d = card_digits()
            if len(d) == 15:
                v = group(d, [4, 4, 4, 3], R.choice([" ", "-"]))
            elif len(d) == 14:
                v = group(d, [4, 4, 4, 2], R.choice([" ", "-"]))
            else:
                v = group(d, [4, 4, 4, 4], " ")
            out.append(f"Please charge my card {L('CREDIT_CARD', v)} for the renewal.")
        elif k == 3:
            v = iban_value()
            out.append(f"IBAN: {L('IBAN', iban_form(v))}")
        elif k == 4:
            out.append(f"client connected from {L('IP_ADDRESS', '::ffff:' + EN.ipv4_public())} port {R.randint(1024, 65535)}")
        elif k == 5:
            out.append(f"MR# {L('MRN', f'{digits(2)}-{digits(3)}-{digits(3)}')} admitted; chart {L('MRN', digits(8))} merged")
        elif k == 6:
            rec = {"patient_name": L("PERSON", name.upper()), "visit": f"V{digits(6)}", "status": "discharged"}
            out.append(json.dumps(rec, ensure_ascii=False))
        elif k == 7:
            rec = {"full_name": L("PERSON", name.lower()), "plan": "basic"}
            out.append(json.dumps(rec, ensure_ascii=False))
        elif k == 8:
            # A NINO whose suffix is not A-D: not a NINO, and not its first part either.
            out.append(f"ref AB{digits(6)}E on file; national insurance number {L('UK_NINO', nino())}")
        elif k == 9:
            out.append(f"Phone: {L('PHONE', R.choice(['415.555.0199', '(020) 7946 0018', '212 5550143', '1800 555-0199', '+1 (415) 555-0132 ext. 14', '020 7946 0958']))}")
        elif k == 10:
            out.append(f"{L('PERSON', name)} lives at {L('STREET_ADDRESS', address()[0])}")
        else:
            out.append(f"Card number: {L('CREDIT_CARD', card())} / holder {L('PERSON', name)}")
    return out


def intl(n):
    """Addresses and phone numbers of other countries, with the context a person writes."""
    out = []
    for _ in range(n):
        locale = R.choice(["de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pl_PL", "en_GB", "en_AU", "en_CA", "de_AT"])
        a, _ = address(locale)
        p, _ = phone(locale) if locale in ("de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pl_PL", "en_GB", "en_AU", "en_CA") else phone()
        name = person(locale)
        k = R.randrange(4)
        if k == 0:
            out.append(f"Lieferadresse / delivery address: {L('STREET_ADDRESS', a)}")
        elif k == 1:
            out.append(f"{ts()} customer {L('PERSON', name)} changed phone to {L('PHONE', p)}")
        elif k == 2:
            out.append(f"shipping_address=\"{L('STREET_ADDRESS', a)}\" country={REGION[locale]}")
        else:
            out.append(f"Kontakt: {L('PERSON', name)}, Tel. {L('PHONE', p)}, {L('EMAIL', email(name))}")
    return out


def csv_rows(n):
    rows = ["id,full name,email,phone,date of birth,card number,ssn,street address"]
    for i in range(n):
        name = person("en_US")
        a, _ = address("en_US")
        rows.append(",".join([
            str(i + 1), f'"{L("PERSON", name)}"', L("EMAIL", email(name)), f'"{L("PHONE", phone("en_US")[0])}"',
            L("DATE_OF_BIRTH", EN.date_of_birth().isoformat()), L("CREDIT_CARD", card_digits()),
            L("US_SSN", ssn_form()), f'"{L("STREET_ADDRESS", a)}"']))
    return rows


# ---- sources added for issue 23 (their own seed: the files above stay as they were) ----

R2 = random.Random(20261207)
NEW_LOCALES = ["tr_TR", "vi_VN", "pt_BR", "es_MX", "id_ID", "en_IN", "en_PH", "ro_RO", "hu_HU", "el_GR"]
NEW_FAKERS = {}
for i, loc_ in enumerate(NEW_LOCALES):
    f_ = Faker(loc_)
    f_.seed_instance(5000 + i)
    NEW_FAKERS[loc_] = f_


def latin_person(locale):
    """A name of the locale in Latin script (Faker's Greek names are romanized by it)."""
    f = NEW_FAKERS[locale]
    for _ in range(30):
        first, last = f.first_name(), f.last_name()
        if " " not in first and all(ch.isalpha() or ch in "'-" for ch in first + last):
            if all(ord(ch) < 0x250 for ch in first + last):
                return f"{first} {last}"
    return f"{f.first_name()} {f.last_name()}"


def hl7(n):
    """HL7 v2.5 ADT messages as hospital integration engines log them: one segment a line, or
    a whole message on one line with its segments separated by CR (the standard terminator)."""
    out = []
    for _ in range(n):
        locale = R2.choice(["en_US", "en_US", "en_GB", "en_AU"])
        f = FAKERS[locale]
        family, given, middle = f.last_name(), f.first_name(), f.first_name()
        dob = f.date_of_birth().strftime("%Y%m%d")
        a, _ = address("en_US")
        street_, rest = (a.split(", ", 1) + [""])[:2]
        city = rest.split(",")[0] if rest else "Springfield"
        p, _ = phone("en_US")
        mrn = digits(R2.choice([6, 7, 8]))
        ssn = ssn_form(ssn_digits())
        kin_f, kin_g = f.last_name(), f.first_name()
        doc_f, doc_g = f.last_name(), f.first_name()
        npi_ = npi()
        pid = (f"PID|1||{L('MRN', mrn)}^^^{R2.choice(['HOSP', 'MRH', 'GH'])}^MR||{L('PERSON', family.upper())}^{L('PERSON', given.upper())}"
               f"^{L('PERSON', middle.upper())}||{L('DATE_OF_BIRTH', dob)}|{R2.choice('MFU')}|||{L('STREET_ADDRESS', street_)}^^{city}^ST^{digits(5)}"
               f"||{L('PHONE', p)}|||||{digits(9)}|{L('US_SSN', ssn)}")
        nk1 = f"NK1|1|{L('PERSON', kin_f.upper())}^{L('PERSON', kin_g.upper())}|{R2.choice(['SPO', 'CHD', 'PAR'])}"
        pv1 = f"PV1|1|{R2.choice('IOE')}|{R2.choice(['W2', 'ICU', 'ER'])}^{R2.randint(1, 40)}^{R2.randint(1, 2)}|||||{L('US_NPI', npi_)}^{L('PERSON', doc_f.upper())}^{L('PERSON', doc_g.upper())}^^^DR"
        msh = f"MSH|^~\\&|ADT1|{R2.choice(['GOOD HEALTH HOSPITAL', 'MERCY', 'ST LUKE'])}|LAB|LAB|{dob[:4]}{digits(8)}||ADT^A0{R2.randint(1, 8)}|MSG{digits(8)}|P|2.5"
        k = R2.randrange(3)
        if k == 0:
            out.extend([msh, pid, nk1, pv1])
        elif k == 1:
            out.append(f"{ts()} INFO mllp.recv message=" + "\r".join([msh, pid, nk1, pv1]))
        else:
            out.append(f"{ts()} DEBUG hl7.parse segment {pid}")
    return out


def chat(n):
    """Free text in other registers — chat, e-mail, support desk — and names from other
    cultures (Turkish, Vietnamese, Brazilian, Mexican, Indonesian, Indian, Filipino, Romanian,
    Hungarian; Greek in Greek script), with their contacts."""
    out = []
    for _ in range(n):
        locale = R2.choice(NEW_LOCALES)
        name = latin_person(locale)
        mail = email(name)
        p = phone_intl()
        k = R2.randrange(8)
        if k == 0:
            out.append(f"[{ts()}] <{L('PERSON', name)}> hey, can you call me back on {L('PHONE', p)}?")
        elif k == 1:
            out.append(f"From: {L('PERSON', name)} <{L('EMAIL', mail)}>")
        elif k == 2:
            out.append(f"Hi {L('PERSON', name)}, thanks for reaching out. We have updated the address on your account.")
        elif k == 3:
            out.append(f"agent note: spoke with {L('PERSON', name)} re refund, confirmed email {L('EMAIL', mail)}")
        elif k == 4:
            out.append(json.dumps({"channel": "chat", "author": L("PERSON", name), "text": "my card was charged twice"}, ensure_ascii=False))
        elif k == 5:
            out.append(f"Regards,\t{L('PERSON', name)} | Mobile: {L('PHONE', p)}")
        elif k == 6:
            out.append(f"ticket #{digits(6)} opened by {L('PERSON', name)} ({L('EMAIL', mail)}): cannot log in since Monday")
        else:
            out.append(f"Dear {L('PERSON', name)}, your appointment is confirmed for {R2.randint(1, 28)} March.")
    return out


def fhir_server(n):
    """FHIR as servers return it: search Bundles with fullUrl and meta, Patients with several
    given names, prefixes and suffixes, identifiers typed only by `type.coding` with an
    `urn:oid:` system, DSTU2 resources whose `family` is an array, and resources logged
    inside a line of text."""
    out = []
    for _ in range(n):
        locale = R2.choice(["en_US", "en_GB", "en_AU"])
        f = FAKERS[locale]
        given, middle, family = f.first_name(), f.first_name(), f.last_name()
        mrn = R2.choice([digits(8), str(uuid()), f"{R2.choice('ABCDEFGH')}{digits(7)}"])
        p, _ = phone(locale)
        a, _ = address(locale)
        k = R2.randrange(4)
        patient = {"resourceType": "Patient", "id": uuid(), "meta": {"versionId": str(R2.randint(1, 9)), "lastUpdated": ts()},
                   "identifier": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]},
                                   "system": f"urn:oid:2.16.840.1.113883.3.{digits(4)}", "value": L("MRN", mrn)}],
                   "name": [{"use": "official", "family": L("PERSON", family), "given": [L("PERSON", given), L("PERSON", middle)],
                             "prefix": [R2.choice(["Mr.", "Mrs.", "Ms."])]}],
                   "telecom": [{"system": "phone", "value": L("PHONE", p), "use": "mobile"}],
                   "birthDate": L("DATE_OF_BIRTH", f.date_of_birth().isoformat()),
                   "address": [{"line": [L("STREET_ADDRESS", street_line(a))], "city": a.split(", ")[-1] if ", " in a else "", "country": "US"}]}
        if k == 0:
            bundle = {"resourceType": "Bundle", "type": "searchset", "total": 1,
                      "entry": [{"fullUrl": f"https://fhir.example.org/Patient/{patient['id']}", "resource": patient, "search": {"mode": "match"}}]}
            out.append(json.dumps(bundle, ensure_ascii=False))
        elif k == 1:
            dstu2 = {"resourceType": "Patient", "id": str(R2.randint(1000, 99999)),
                     "name": [{"family": [L("PERSON", family)], "given": [L("PERSON", given)]}],
                     "identifier": [{"type": {"coding": [{"code": "MR"}]}, "value": L("MRN", mrn)}]}
            out.append(json.dumps(dstu2, ensure_ascii=False))
        elif k == 2:
            out.append(f"{ts()} INFO fhir.write resource={json.dumps(patient, ensure_ascii=False)}")
        else:
            out.append(json.dumps(patient, ensure_ascii=False))
    return out


R3 = random.Random(20261208)


def one_case(n):
    """Names in one case, where case is no evidence: speech-to-text transcripts of calls
    (lower case, little punctuation), letters and records from systems that write upper case
    only, chat typed in lower case; and the same registers without names, where names are
    words (`will`, `mark`, `grant`, `rose`) or where a cue is followed by no name."""
    out = []
    for _ in range(n):
        locale = R3.choice(["en_US", "en_US", "en_GB", "en_AU"] + NEW_LOCALES[:4])
        f = FAKERS.get(locale) or NEW_FAKERS[locale]
        first, last = f.first_name(), f.last_name()
        if not all(ch.isalpha() for ch in first + last):
            continue
        low, up = f"{first} {last}".lower(), f"{first} {last}".upper()
        k = R3.randrange(14)
        if k == 0:
            out.append(f"agent: thank you for calling this is {R3.choice(['sam', 'jo', 'alex'])} how can i help "
                       f"caller: hi my name is {L('PERSON', low)} and i have a question about my bill")
        elif k == 1:
            out.append(f"transcript {digits(6)}: yes i spoke with {L('PERSON', low)} yesterday about the refund")
        elif k == 2:
            out.append(f"DEAR {L('PERSON', up)}, YOUR STATEMENT FOR ACCOUNT ENDING {digits(4)} IS READY")
        elif k == 3:
            out.append(f"{ts()} ADT A01 ADMIT PATIENT {L('PERSON', up)} TO WARD {R3.randint(1, 40)} BED {R3.randint(1, 30)}")
        elif k == 4:
            out.append(f"REFERRED BY DR {L('PERSON', up)} FOR FOLLOW UP IN {R3.randint(2, 12)} WEEKS")
        elif k == 5:
            out.append(f"hey {L('PERSON', low)} can you send me the invoice again")
        elif k == 6:
            out.append(f"MR {L('PERSON', up)} CALLED RE PAYMENT PLAN, CALL BACK AFTER {R3.randint(1, 5)}PM")
        elif k == 7:
            out.append(f"seen by {L('PERSON', low)} in clinic today, plan to review bloods")
        elif k == 8:
            out.append(f"thanks {L('PERSON', low)} for your patience, your ticket is now closed")
        # Without names.
        elif k == 9:
            out.append(f"caller: hi i will call back later when i have the card, mark it as pending please")
        elif k == 10:
            out.append(f"DEAR CUSTOMER, YOUR PAYMENT OF {R3.randint(10, 900)}.00 WAS RECEIVED. THANK YOU")
        elif k == 11:
            out.append(f"{ts()} WARN BATCH JOB GRANT ACCESS ROLE ADMIN FAILED, WILL RETRY IN {R3.randint(1, 60)}S")
        elif k == 12:
            out.append(f"spoke with billing team about the rose gold case, will grant a discount")
        else:
            out.append(f"hi all, the meeting with legal moved to {R3.randint(1, 5)}pm, thanks everyone")
    return out


def street_line(a):
    """The street line of a one-line address: its first part, with the next when the first is
    only a flat or a studio (`Flat 7, John Sound`)."""
    parts = a.split(", ")
    if len(parts) > 1 and parts[0].split(" ")[0] in ("Flat", "Studio", "Apartment", "Unit", "Suite"):
        return ", ".join(parts[:2])
    return parts[0]


def split(lines, test_every=4):
    """Deterministic dev/test parts: every fourth line is test, the rest dev."""
    dev = [x for i, x in enumerate(lines) if i % test_every != test_every - 1]
    test = [x for i, x in enumerate(lines) if i % test_every == test_every - 1]
    return dev, test


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/data/eval/indep")
    parts = {
        "logs.txt": app_logs(360) + access_logs(160) + payments(90),
        "records.txt": json_records(240) + fhir(120),
        "notes.txt": tickets(180) + clinical(180),
        "forms.txt": other_forms(180) + intl(180),
        "hard.txt": hard_negatives(320),
    }
    for name, lines in parts.items():
        R.shuffle(lines)
    people = csv_rows(120)
    # Sources not used before (issue 23).
    parts["hl7.txt"] = hl7(150)
    parts["chat.txt"] = chat(300)
    parts["fhir-server.txt"] = fhir_server(160)
    for name in ("hl7.txt", "chat.txt", "fhir-server.txt"):
        R2.shuffle(parts[name])
    parts["one-case.txt"] = one_case(240)
    R3.shuffle(parts["one-case.txt"])
    # Every corpus in a dev part (looked at while fixing) and a test part (only scored).
    for part in ("dev", "test"):
        (out / part).mkdir(parents=True, exist_ok=True)
    for name, lines in parts.items():
        dev, test = split(lines)
        (out / "dev" / name).write_text("\n".join(dev) + "\n", encoding="utf-8")
        (out / "test" / name).write_text("\n".join(test) + "\n", encoding="utf-8")
    dev, test = split(people[1:])
    (out / "dev" / "people.csv").write_text("\n".join([people[0]] + dev) + "\n", encoding="utf-8")
    (out / "test" / "people.csv").write_text("\n".join([people[0]] + test) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
