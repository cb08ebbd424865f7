#!/usr/bin/env python3
"""Generates the labeled development corpus tests/data/eval/dev.txt (and dev.csv).

Every value is synthetic: checksum-valid numbers generated here, reserved e-mail domains
(example.com/.org/.net), documentation IP ranges, fictional phone ranges (NANP 555-01xx,
Ofcom's 020 7946 0xxx, ACMA's 0491 570 xxx), published specimens, and names drawn from common
given names and surnames. Labels are inline: ⟦ENTITY|value⟧ marks the exact bytes of a finding;
`velum eval` strips the markup and compares its findings with the labels (a finding counts when
its type matches and it overlaps a label by at least half of their union).

The mix is realistic formats — nginx access logs, application and key=value logs, JSON lines,
clinical-note sentences, CSV — with hard negatives (Luhn-invalid 16-digit numbers, UUIDs, hex
digests, timestamps in ms, order ids, version strings, IBAN-shaped strings with a bad check,
capitalised common words, bare 9- and 10-digit ids).

Usage: scripts/gen-eval-corpus.py [SEED]   (default seed 7; output is deterministic)
"""
import json
import os
import random
import sys

SEED = int(sys.argv[1]) if len(sys.argv) > 1 else 7
R = random.Random(SEED)
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "tests", "data", "eval")


def L(entity, value):
    return f"⟦{entity}|{value}⟧"


def digits(n):
    return "".join(R.choice("0123456789") for _ in range(n))


def luhn_check(payload):
    total = 0
    for i, ch in enumerate(reversed(payload + "0")):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_ok(s):
    return luhn_check(s[:-1]) == s[-1]


def card():
    kind = R.choice(["visa", "visa", "mc", "amex", "disc"])
    if kind == "visa":
        p = "4" + digits(14)
    elif kind == "mc":
        p = str(R.randint(51, 55)) + digits(13)
    elif kind == "disc":
        p = "6011" + digits(11)
    else:
        p = R.choice(["34", "37"]) + digits(12)
    n = p + luhn_check(p)
    style = R.choice(["plain", "space", "dash"])
    if style == "plain":
        return n
    sep = " " if style == "space" else "-"
    if len(n) == 15:
        return sep.join([n[:4], n[4:10], n[10:]])
    return sep.join(n[i:i + 4] for i in range(0, 16, 4))


def bad_card():
    p = "4" + digits(14)
    c = luhn_check(p)
    wrong = str((int(c) + R.randint(1, 9)) % 10)
    return p + wrong


def iban():
    cc, bban = R.choice([
        ("GB", lambda: R.choice(["NWBK", "BARC", "LOYD", "MIDL"]) + digits(14)),
        ("DE", lambda: digits(18)),
        ("FR", lambda: digits(23)),
        ("NL", lambda: R.choice(["ABNA", "INGB", "RABO"]) + digits(10)),
        ("ES", lambda: digits(20)),
    ])
    b = bban()
    rearr = b + cc + "00"
    num = "".join(str(int(ch, 36)) for ch in rearr)
    check = 98 - int(num) % 97
    s = f"{cc}{check:02d}{b}"
    if R.random() < 0.5:
        return " ".join(s[i:i + 4] for i in range(0, len(s), 4))
    return s


def bad_iban():
    s = iban().replace(" ", "")
    k = int(s[2:4])
    return s[:2] + f"{(k % 97) + 1:02d}" + s[4:] if k != 97 else s[:2] + "02" + s[4:]


def ssn():
    while True:
        a = R.randint(1, 899)
        if a != 666:
            break
    return f"{a:03d}-{R.randint(1, 99):02d}-{R.randint(1, 9999):04d}"


FIRST = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
         "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas",
         "Sarah", "Daniel", "Karen", "Matthew", "Nancy", "Anthony", "Lisa", "Mark", "Betty",
         "Steven", "Sandra", "Andrew", "Ashley", "Joshua", "Emily", "Kevin", "Michelle", "Brian",
         "Amanda", "George", "Melissa", "Edward", "Deborah", "Ronald", "Stephanie", "Timothy",
         "Rebecca", "Jason", "Laura", "Ngozi", "Priya", "Hiroshi", "Olga", "Mateo", "Fatima",
         "José", "Zoë", "Łukasz", "Søren", "François", "Chloé", "Aoife", "Björn"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
        "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Taylor",
        "Moore", "Jackson", "Martin", "Lee", "Thompson", "Harris", "Clark", "Lewis", "Robinson",
        "Walker", "Young", "Allen", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
        "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter",
        "Roberts", "Okafor", "Patel", "Kowalski", "Müller", "O'Neil", "McDonald", "Schmidt",
        "Novak", "Fischer", "Rossi", "Jensen", "Dubois", "Silva", "Yamamoto", "Ivanova"]


def person(full=True):
    if full:
        return f"{R.choice(FIRST)} {R.choice(LAST)}"
    return R.choice(LAST)


def email(name=None):
    f, l = (name or person()).split(" ")[:2]
    local = R.choice([f"{f}.{l}", f"{f[0]}{l}", f"{f}{R.randint(1, 99)}", f"{l}.{f}"])
    local = "".join(c for c in local.lower() if c.isascii() and (c.isalnum() or c == "."))
    return f"{local}@{R.choice(['example.com', 'example.org', 'example.net', 'mail.example.com'])}"


def phone():
    kind = R.choice(["us", "us", "uk", "au"])
    if kind == "us":
        area = R.choice(["212", "415", "312", "617", "206", "303"])
        line = f"01{R.randint(0, 99):02d}"
        return R.choice([f"+1 {area} 555 {line}", f"({area}) 555-{line}", f"{area}-555-{line}",
                         f"+1-{area}-555-{line}"])
    if kind == "uk":
        n = f"{R.randint(0, 999):03d}"
        return R.choice([f"+44 20 7946 0{n}", f"020 7946 0{n}"])
    n = f"{R.randint(0, 999):03d}"
    return R.choice([f"+61 491 570 {n}", f"0491 570 {n}"])


def ip():
    kind = R.choice(["doc", "doc", "doc", "priv", "v6"])
    if kind == "doc":
        net = R.choice(["192.0.2", "198.51.100", "203.0.113"])
        return f"{net}.{R.randint(1, 254)}"
    if kind == "priv":
        return f"10.{R.randint(0, 255)}.{R.randint(0, 255)}.{R.randint(1, 254)}"
    return f"2001:db8::{R.randint(1, 0xffff):x}"


def nhs():
    while True:
        d = [R.randint(0, 9) for _ in range(9)]
        s = sum(x * w for x, w in zip(d, range(10, 1, -1)))
        c = 11 - s % 11
        if c == 11:
            c = 0
        if c != 10:
            n = "".join(map(str, d)) + str(c)
            return f"{n[:3]} {n[3:6]} {n[6:]}"


def npi():
    p = R.choice("12") + digits(8)
    full = "80840" + p
    return p + luhn_check(full)


def aba():
    while True:
        prefix = R.choice(["0" + str(R.randint(1, 9)), "1" + str(R.randint(0, 2)), str(R.randint(21, 32)), str(R.randint(61, 72))])
        body = prefix + digits(6)
        w = [3, 7, 1, 3, 7, 1, 3, 7]
        s = sum(int(c) * x for c, x in zip(body, w))
        c = (10 - s % 10) % 10
        n = body + str(c)
        if n != "000000000":
            return n


def itin():
    g = R.choice(list(range(50, 66)) + list(range(70, 89)) + [90, 91, 92] + list(range(94, 100)))
    return f"9{R.randint(0, 99):02d}-{g:02d}-{R.randint(1, 9999):04d}"


def nino():
    first = [c for c in "ABCEGHJKLMNOPRSTWXYZ"]
    second = [c for c in "ABCEGHJKLMNPRSTWXYZ"]
    while True:
        p = R.choice(first) + R.choice(second)
        if p not in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ", "OO", "CR", "FY", "MW", "NC", "PP", "PY", "PZ"):
            break
    d = digits(6)
    suf = R.choice("ABCD")
    return R.choice([f"{p} {d[:2]} {d[2:4]} {d[4:]} {suf}", f"{p}{d}{suf}"])


def sin():
    first = R.choice("1234567")
    p = first + digits(7)
    n = p + luhn_check(p)
    return R.choice([f"{n[:3]} {n[3:6]} {n[6:]}", f"{n[:3]}-{n[3:6]}-{n[6:]}"])


def tfn():
    w = [1, 4, 3, 7, 5, 8, 6, 9, 10]
    while True:
        d = [R.randint(0, 9) for _ in range(9)]
        if sum(a * b for a, b in zip(d, w)) % 11 == 0 and len(set(d)) > 1:
            n = "".join(map(str, d))
            return f"{n[:3]} {n[3:6]} {n[6:]}"


def mac():
    first = R.choice([0x00, 0x02, 0x3c, 0xa4, 0xf0]) & 0xFE
    octets = [first] + [R.randint(0, 255) for _ in range(5)]
    style = R.choice([":", "-", "cisco"])
    h = "".join(f"{o:02x}" for o in octets)
    if R.random() < 0.5:
        h = h.upper()
    if style == "cisco":
        return f"{h[:4]}.{h[4:8]}.{h[8:]}".lower()
    return style.join(h[i:i + 2] for i in range(0, 12, 2))


MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def dob():
    y, m, d = R.randint(1935, 2005), R.randint(1, 12), R.randint(1, 28)
    return R.choice([f"{y}-{m:02d}-{d:02d}", f"{m:02d}/{d:02d}/{y}", f"{d:02d}.{m:02d}.{y}",
                     f"{MONTHS[m - 1]} {d}, {y}", f"{d} {MONTHS[m - 1][:3]} {y}"])


STREETS = ["Oak", "Maple", "Cedar", "Pine", "Elm", "Washington", "Lake", "Hill", "Park", "Main",
           "Sunset", "Highland", "Jefferson", "Lincoln", "Madison", "Franklin", "Chestnut"]
SUFFIX = ["Street", "St", "Avenue", "Ave", "Road", "Rd", "Boulevard", "Blvd", "Drive", "Lane",
          "Court", "Place", "Way"]
CITIES = [("Springfield", "IL", "62704"), ("Portland", "OR", "97205"), ("Austin", "TX", "78701"),
          ("Denver", "CO", "80202"), ("Boston", "MA", "02108"), ("Madison", "WI", "53703")]


def address(full=None):
    n = R.randint(1, 9999)
    s = f"{n} {R.choice(['', 'N ', 'S ', 'W ', 'E '])}{R.choice(STREETS)} {R.choice(SUFFIX)}"
    if R.random() < 0.3:
        s += f" Apt {R.randint(1, 40)}{R.choice('ABCD')}"
    if full or (full is None and R.random() < 0.5):
        c, st, z = R.choice(CITIES)
        s += f", {c}, {st} {z}"
    return s


MBI_L = "ACDEFGHJKMNPQRTUVWXY"


def mbi():
    a = R.choice("123456789")
    pos = [a, R.choice(MBI_L), R.choice(MBI_L + "0123456789"), R.choice("0123456789"),
           R.choice(MBI_L), R.choice(MBI_L + "0123456789"), R.choice("0123456789"),
           R.choice(MBI_L), R.choice(MBI_L), R.choice("0123456789"), R.choice("0123456789")]
    s = "".join(pos)
    return R.choice([s, f"{s[:4]}-{s[4:7]}-{s[7:]}"])


def dea():
    d = [R.randint(0, 9) for _ in range(6)]
    c = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
    return R.choice("ABFGM") + R.choice("ABCDEFGHJKLMNPRSTW") + "".join(map(str, d)) + str(c)


def mrn():
    return R.choice([digits(8), "A" + digits(7), f"{digits(2)}-{digits(3)}-{digits(3)}"])


def medicare():
    first = str(R.randint(2, 6))
    body = first + digits(7)
    w = [1, 3, 7, 9, 1, 3, 7, 9]
    c = sum(int(a) * b for a, b in zip(body, w)) % 10
    issue = str(R.randint(1, 9))
    return f"{body[:4]} {body[4:]}{c} {issue}"


def ihi():
    p = "800360" + digits(9)
    n = p + luhn_check(p)
    return " ".join(n[i:i + 4] for i in range(0, 16, 4))


def bic():
    return R.choice(["DEUTDEFF", "NWBKGB2L", "BNPAFRPP", "COBADEFFXXX", "CHASUS33", "BARCGB22",
                     "INGBNL2A", "UBSWCHZH80A"])


def ts():
    return f"2026-11-{R.randint(1, 28):02d}T{R.randint(0, 23):02d}:{R.randint(0, 59):02d}:{R.randint(0, 59):02d}.{R.randint(0, 999):03d}Z"


def uuid():
    h = "".join(R.choice("0123456789abcdef") for _ in range(32))
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def hexd(n=40):
    return "".join(R.choice("0123456789abcdef") for _ in range(n))


# ---- line templates --------------------------------------------------------------------------

def nginx():
    path = R.choice(["/api/orders", "/api/users/me", "/health", "/static/app.js", "/checkout",
                     f"/api/orders/{R.randint(100000, 999999)}"])
    q = ""
    if R.random() < 0.25:
        q = f"?email={L('EMAIL', email())}"
    return (f'{L("IP_ADDRESS", ip())} - - [25/Nov/2026:{R.randint(0, 23):02d}:{R.randint(0, 59):02d}:'
            f'{R.randint(0, 59):02d} +0000] "{R.choice(["GET", "POST", "PUT"])} {path}{q} HTTP/1.1" '
            f'{R.choice([200, 201, 204, 301, 404, 500])} {R.randint(120, 90000)} "-" '
            f'"Mozilla/5.0 (X11; Linux x86_64) Chrome/{R.randint(100, 130)}.0.{R.randint(1000, 6000)}.{R.randint(10, 200)}" '
            f'rt={R.randint(1, 900) / 1000:.3f} req_id={uuid()}')


def app_payment():
    name = person()
    return (f"{ts()} INFO  [payment-svc] charge ok card={L('CREDIT_CARD', card())} "
            f"amount={R.randint(1, 900)}.{R.randint(0, 99):02d} currency=USD order_id={digits(9)} "
            f"customer={L('PERSON', name)} trace_id={hexd(32)}")


def app_signup():
    name = person()
    return (f"{ts()} INFO  [auth] signup email={L('EMAIL', email(name))} phone={L('PHONE', phone())} "
            f"ip={L('IP_ADDRESS', ip())} took={R.randint(3, 900)}ms")


def app_bank():
    return (f"{ts()} INFO  [payouts] payout to iban {L('IBAN', iban())} bic {L('SWIFT_BIC', bic())} "
            f"batch={digits(10)} ts={R.randint(1700000000000, 1800000000000)}")


def app_ach():
    return (f"{ts()} INFO  [ach] debit routing number {L('ABA_ROUTING', aba())} "
            f"account number {L('US_BANK_ACCOUNT', digits(R.randint(8, 12)))} amount=49.99")


def kv_ssn():
    return (f"{ts()} WARN  [kyc] verification failed ssn={L('US_SSN', ssn())} "
            f"attempt={R.randint(1, 5)} session={uuid()}")


def kv_tax():
    return R.choice([
        f"{ts()} INFO  [tax] W-7 received itin {L('US_ITIN', itin())} for {L('PERSON', person())}",
        f"{ts()} INFO  [hr-uk] payroll NI number {L('UK_NINO', nino())} employee={digits(6)}",
        f"{ts()} INFO  [hr-ca] SIN {L('CA_SIN', sin())} verified by service canada",
        f"{ts()} INFO  [hr-au] TFN {L('AU_TFN', tfn())} lodged with ATO",
    ])


def net_mac():
    return (f"{ts()} DEBUG [wifi] assoc client_mac={L('MAC_ADDRESS', mac())} bssid={L('MAC_ADDRESS', mac())} "
            f"rssi=-{R.randint(30, 90)} channel={R.choice([1, 6, 11, 36, 149])}")


def clinical():
    name = person()
    t = R.choice([
        f"Pt. {L('PERSON', name)} (DOB {L('DATE_OF_BIRTH', dob())}, MRN {L('MRN', mrn())}) seen today for follow-up.",
        f"Patient {L('PERSON', name)}, date of birth {L('DATE_OF_BIRTH', dob())}, NHS number {L('UK_NHS', nhs())}.",
        f"Referred by Dr {L('PERSON', person(False))} (NPI {L('US_NPI', npi())}, DEA {L('US_DEA', dea())}).",
        f"Medicare MBI {L('US_MBI', mbi())} on file for {L('PERSON', name)}.",
        f"Medicare card {L('AU_MEDICARE', medicare())} and IHI {L('AU_IHI', ihi())} recorded for {L('PERSON', name)}.",
        f"Spoke with {L('PERSON', name)} at {L('PHONE', phone())} about lab results; lives at {L('STREET_ADDRESS', address())}.",
        f"Mrs. {L('PERSON', name)} reports no allergies; emergency contact {L('PERSON', person())}.",
    ])
    return t


def json_ssn():
    """An SSN as a JSON number: no leading zero."""
    while True:
        a = R.randint(100, 899)
        if a != 666:
            return f"{a}{R.randint(1, 99):02d}{R.randint(1, 9999):04d}"


def json_line():
    name = person()
    rec = {
        "ts": ts(),
        "level": R.choice(["info", "warn"]),
        "service": {"name": R.choice(["billing-api", "checkout", "Notifications"]), "version": f"{R.randint(1, 9)}.{R.randint(0, 20)}.{R.randint(0, 50)}"},
        "event": R.choice(["order.created", "user.updated", "payment.captured"]),
    }
    body = json.dumps(rec, ensure_ascii=False)[:-1]
    kind = R.choice(["user", "card", "patient", "bank"])
    if kind == "user":
        body += (f', "user": {{"id": {R.randint(1000, 99999)}, "name": "{L("PERSON", name)}", '
                 f'"email": "{L("EMAIL", email(name))}", "ip": "{L("IP_ADDRESS", ip())}"}}')
    elif kind == "card":
        body += (f', "payment": {{"cardholder": "{L("PERSON", name.upper())}", "card_number": "{L("CREDIT_CARD", card())}", '
                 f'"amount_cents": {R.randint(100, 99999)}, "order_id": {R.randint(10**8, 10**9 - 1)}}}')
    elif kind == "patient":
        body += (f', "patient": {{"first_name": "{L("PERSON", name.split()[0])}", "last_name": "{L("PERSON", name.split()[1])}", '
                 f'"birthDate": "{L("DATE_OF_BIRTH", f"{R.randint(1940, 2004)}-{R.randint(1, 12):02d}-{R.randint(1, 28):02d}")}", '
                 f'"mrn": "{L("MRN", mrn())}", "address": "{L("STREET_ADDRESS", address(True))}"}}')
    else:
        body += (f', "beneficiary": {{"account_number": "{L("US_BANK_ACCOUNT", digits(10))}", '
                 f'"routing_number": "{L("ABA_ROUTING", aba())}", "ssn": {L("US_SSN", json_ssn())}}}')
    return body + "}"


def negatives():
    return R.choice([
        f"{ts()} INFO  [orders] order 4{digits(15)} shipped tracking={digits(12)}",
        f"{ts()} DEBUG [cache] key={uuid()} size={R.randint(100, 99999)} bytes ttl=3600",
        f"{ts()} INFO  [deploy] build {digits(10)} version {R.randint(1, 9)}.{R.randint(0, 30)}.{R.randint(0, 99)} commit {hexd(40)}",
        f"{ts()} WARN  [retry] request_id={hexd(16)} attempt 3 of 5 after {R.randint(100, 9000)} ms",
        f"{ts()} INFO  [metrics] epoch={R.randint(1700000000000, 1800000000000)} count={R.randint(1, 999999)} p99={R.randint(1, 999)}ms",
        f"{ts()} INFO  [billing] invoice {digits(10)} total {R.randint(1, 999)}.{R.randint(0, 99):02d} for account_id={digits(9)}",
        f"{ts()} ERROR [payment] card rejected: number {bad_card()} failed validation",
        f"{ts()} WARN  [iban] rejected {bad_iban()} (checksum)",
        f"{ts()} INFO  [sched] May backups completed; Will retry Grant tasks on Monday",
        f"{ts()} INFO  [api] GET /v2/items?page={R.randint(1, 50)}&limit=100 returned 200 in {R.randint(1, 500)}ms",
        f"{ts()} INFO  [kafka] partition {R.randint(0, 31)} offset {digits(9)} lag {R.randint(0, 9999)}",
        f"{ts()} DEBUG [db] query took {R.randint(1, 999)} ms rows={R.randint(0, 5000)} pid={R.randint(1000, 65000)}",
        f"{ts()} INFO  [auth] Session Started for Client Service Account (Main Server)",
        f"{ts()} INFO  [build] sha256:{hexd(64)} pushed to registry",
        f"{ts()} INFO  [release] Summer Sale Campaign Launch scheduled; Hope Street Festival sponsor",
        f"{ts()} INFO  [ids] ticket {digits(9)} sku {digits(8)} port 8443 build {digits(9)}",
        f"{ts()} INFO  [time] created 2021-03-04 updated 2024-05-06 expires 2027-01-01",
        f"{ts()} INFO  [geo] tile 10:20:30:40:50:60 zoom 12",
        f"{ts()} INFO  [crm] New York office opened by Project Manager team; United States region",
        f"{ts()} INFO  [stack] Apache Kafka and Spring Boot upgraded; Visual Studio Code extension",
        f"{ts()} INFO  [ml] Machine Learning Platform uses Amazon Web Services in North Virginia",
        f"{ts()} WARN  [support] ticket 212-555-{R.randint(1000, 9999)}-{R.randint(10, 99)} reopened",
        f"{ts()} INFO  [ship] zip {R.randint(10000, 99999)}-{R.randint(1000, 9999)} weight {R.randint(1, 99)} lb",
        f"{ts()} INFO  [ver] client v{R.randint(1, 9)}.{R.randint(0, 20)}.{R.randint(0, 99)} on Android {R.randint(9, 15)}",
        f"{ts()} INFO  [report] Quarterly Report for Sales Team in March; Black Friday and Cyber Monday",
        f"{ts()} DEBUG [hash] md5 {hexd(32)} crc {digits(10)} seq {digits(16)}",
    ])


def make_main():
    gens = [(nginx, 14), (app_payment, 8), (app_signup, 8), (app_bank, 5), (app_ach, 4),
            (kv_ssn, 5), (kv_tax, 6), (net_mac, 4), (clinical, 12), (json_line, 12),
            (negatives, 22)]
    pool = [g for g, w in gens for _ in range(w)]
    lines = [R.choice(pool)() for _ in range(1100)]
    return lines


def make_csv():
    rows = ["id,full_name,email,phone,dob,ssn,notes"]
    for i in range(120):
        name = person()
        note = R.choice(["", "VIP", f"called {R.randint(1, 9)} times", "prefers email"])
        rows.append(
            f'{i + 1},"{L("PERSON", name)}",{L("EMAIL", email(name))},"{L("PHONE", phone())}",'
            f'{L("DATE_OF_BIRTH", f"{R.randint(1940, 2004)}-{R.randint(1, 12):02d}-{R.randint(1, 28):02d}")},'
            f'{L("US_SSN", ssn())},{note}'
        )
    return rows


def main():
    os.makedirs(OUT, exist_ok=True)
    main_lines = make_main()
    with open(os.path.join(OUT, "dev.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(main_lines) + "\n")
    csv_lines = make_csv()
    with open(os.path.join(OUT, "dev.csv"), "w", encoding="utf-8") as f:
        f.write("\n".join(csv_lines) + "\n")
    print(f"dev.txt: {len(main_lines)} lines; dev.csv: {len(csv_lines)} lines (seed {SEED})")


if __name__ == "__main__":
    main()
