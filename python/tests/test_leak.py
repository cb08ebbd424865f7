"""The leak harness in Python (issue 21): canaries with valid check digits, in text, nested
dicts (numbers as floats too), rows, log records with ``extra`` fields and DataFrames. No
canary velum finds written plainly may be left in clear on any of these paths."""

import io
import json
import logging
import random
import re

import pytest

import velum
import velum.logging

R = velum.Redactor()
RNG = random.Random(21)


def luhn(payload: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return str((10 - total % 10) % 10)


def card():
    p = "4" + "".join(RNG.choice("0123456789") for _ in range(14))
    v = p + luhn(p)
    return RNG.choice([v, " ".join(v[i : i + 4] for i in range(0, 16, 4))]), "card_number", "card"


def ssn():
    v = f"{RNG.randint(1, 665):03}-{RNG.randint(1, 99):02}-{RNG.randint(1, 9999):04}"
    return v, "ssn", "ssn"


def email():
    v = f"{RNG.choice(['jane', 'olu', 'mei', 'raj'])}.{RNG.choice(['doe', 'ade', 'wu'])}{RNG.randint(10, 9999)}@example.com"
    return v, "email", "mail"


def iban():
    bank, digits = RNG.choice(["WEST", "NWBK", "BARC"]), "".join(RNG.choice("0123456789") for _ in range(14))
    num = "".join(str(int(c, 36)) for c in bank + digits + "GB00")
    return f"GB{98 - int(num) % 97:02}{bank}{digits}", "iban", "iban"


def phone():
    return f"+44 20 7946 0{RNG.randint(0, 999):03}", "phone", "phone"


def nhs():
    while True:
        d = [RNG.randint(4, 7)] + [RNG.randint(0, 9) for _ in range(8)]
        check = (11 - sum(x * (10 - i) for i, x in enumerate(d)) % 11) % 11
        if check < 10:
            s = "".join(map(str, d + [check]))
            return f"{s[:3]} {s[3:6]} {s[6:]}", "nhs_number", "NHS number"


def npi():
    p = "1" + "".join(RNG.choice("0123456789") for _ in range(8))
    return p + luhn("80840" + p), "npi", "npi"


def person():
    first = RNG.choice(["James", "Mary", "Robert", "Linda", "Olivia", "Noah"])
    last = RNG.choice(["Smith", "Garcia", "Brown", "Taylor", "Clark"])
    return f"{first} {last}", "patient_name", "patient"


GENERATORS = [card, ssn, email, iban, phone, nhs, npi, person]


def norm(s: str) -> str:
    return re.sub(r"[^0-9a-z]", "", s.lower())


def leaked(output: str, canaries):
    """The canaries an output still holds: as written, or 8 letters and digits of one in a
    run of the output that labels and masks do not break."""
    runs = [norm(t) for t in re.split(r"[^0-9A-Za-z .\-()+/@]", output)]
    out = []
    for v in canaries:
        n = norm(v)
        parts = [n] if len(n) <= 8 else [n[i : i + 8] for i in range(len(n) - 7)]
        if v in output or any(p in r for p in parts for r in runs):
            out.append(v)
    return out


def canaries(n):
    """`n` canaries velum finds written plainly beside their word (value, key, word)."""
    out = []
    while len(out) < n:
        v, key, word = RNG.choice(GENERATORS)()
        if not leaked(R.redact(f"{word} {v}"), [v]):
            out.append((v, key, word))
    return out


def test_text_lines_and_json_records():
    for _ in range(500):
        cs = canaries(3)
        line = " ".join(f"{word} {v}" for v, _, word in cs) + " elapsed_ms=3"
        assert not leaked(R.redact(line), [v for v, _, _ in cs]), line
        record = {"ts": "2026-12-07", "data": {}}
        for v, key, _ in cs:
            digits = v.replace(" ", "")
            value = float(digits) if digits.isdigit() and RNG.random() < 0.5 else v
            record["data"][key] = value
            record.setdefault("items", []).append({key: v})
        out = R.redact_json(record)
        assert not leaked(json.dumps(out), [v for v, _, _ in cs]), record
        assert not leaked(R.redact(json.dumps(record)), [v for v, _, _ in cs]), record


def test_rows():
    cs = canaries(1200)
    by_key = {}
    for v, key, _ in cs:
        by_key.setdefault(key, []).append(v)
    keys = sorted(by_key)
    n = min(len(by_key[k]) for k in keys)
    names = ["id", "note"] + keys
    rows = [
        [str(i), RNG.choice(['5" screen', '"typed by user', "ok, fine", None])]
        + [by_key[k][i] for k in keys]
        for i in range(n)
    ]
    out = R.redact_rows(names, rows)
    assert not leaked(json.dumps(out), [v for k in keys for v in by_key[k][:n]])
    assert [r[1] for r in out] == [r[1] for r in rows], "notes and nulls are kept"


def test_log_records_however_they_are_formatted():
    stream = io.StringIO()
    h = logging.StreamHandler(stream)

    class Everything(logging.Formatter):
        def format(self, record):
            return json.dumps(vars(record), default=str)

    h.setFormatter(Everything())
    h.addFilter(velum.logging.RedactingFilter())
    log = logging.getLogger("t.leak")
    log.handlers[:] = [h]
    log.propagate = False
    values = []
    for _ in range(200):
        cs = canaries(3)
        values.extend(v for v, _, _ in cs)
        extra = {key: (float(v) if v.isdigit() else v) for v, key, _ in cs}
        log.info("user %s", cs[0][0], extra=extra)
    assert not leaked(stream.getvalue(), values)


def test_dataframes():
    pd = pytest.importorskip("pandas")
    import velum.pandas

    cs = canaries(400)
    by_key = {}
    for v, key, _ in cs:
        by_key.setdefault(key, []).append(v)
    n = min(len(x) for x in by_key.values())
    df = pd.DataFrame({k: v[:n] for k, v in by_key.items()})
    out = velum.pandas.redact_dataframe(df)
    assert not leaked(out.to_csv(index=False), [v for vs in by_key.values() for v in vs[:n]])
