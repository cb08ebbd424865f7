"""The Python API: redact, scan (string indices), JSON, many, errors, tokens and the vault."""

import concurrent.futures
import csv
import io
import json
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import velum
from conftest import FRAUD_KEY, REPO, SUPPORT_KEY, run_cli

R = velum.Redactor()

# Values velum must find, from published specimens and checksum-valid numbers.
VALUES = [
    "4111 1111 1111 1111",
    "jane.doe@example.com",
    "536-90-4399",
    "GB82 WEST 1234 5698 7654 32",
    "203.0.113.9",
    "+44 20 7946 0958",
    "943 476 5919",
]


def test_redact_and_bytes():
    line = "refund to 4111 1111 1111 1111, mail jane.doe@example.com"
    assert R.redact(line) == "refund to **** **** **** 1111, mail [EMAIL]"
    assert R.redact_bytes(line.encode()) == R.redact(line).encode()
    # Bytes that are not UTF-8 pass through.
    assert R.redact_bytes(b"\xff\x00 ip 203.0.113.9") == b"\xff\x00 ip [IP_ADDRESS]"
    assert R.redact("nothing here") == "nothing here"


def test_scan_gives_string_indices():
    text = "Zoë → naïve: card 4111 1111 1111 1111, ssn 536-90-4399 ✓"
    found = R.scan(text)
    assert [(f.entity, text[f.start : f.end]) for f in found] == [
        ("CREDIT_CARD", "4111 1111 1111 1111"),
        ("US_SSN", "536-90-4399"),
    ]
    raw = text.encode()
    assert [raw[f.start : f.end].decode() for f in R.scan_bytes(raw)] == [
        "4111 1111 1111 1111",
        "536-90-4399",
    ]
    f = found[0]
    assert f.detector == "credit_card" and 0 < f.score <= 1
    assert repr(f).startswith("Finding(entity='CREDIT_CARD', start=")
    assert f == R.scan(text)[0]


words = st.sampled_from(VALUES + ["Zoë", "naïve", "日本語", "ü", "mail", "ok", "€", "🙂", "\t"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(words, st.text(max_size=6)), max_size=12))
def test_scan_indices_slice_the_values_in_non_ascii_text(parts):
    text = " ".join(parts)
    raw = text.encode()
    by_bytes = R.scan_bytes(raw)
    by_chars = R.scan(text)
    assert len(by_chars) == len(by_bytes)
    for c, b in zip(by_chars, by_bytes):
        assert text[c.start : c.end].encode() == raw[b.start : b.end]
        assert c.entity == b.entity


def test_redact_json_keeps_order_and_types():
    obj = {
        "ssn": 536904399,
        "order_id": 536904399,
        "user": {"email": "jane@example.com", "name": "x", "tags": ("a", "jane@example.com")},
        "items": [{"card": "4111 1111 1111 1111"}, None, True, 1.5],
        "jane@example.com": "key holds personal data",
        "float_ssn": {"ssn": 536904399.0},
    }
    out = R.redact_json(obj)
    # A key that holds personal data is rewritten in its place.
    assert list(out) == [k if "@" not in k else "[EMAIL]" for k in obj]
    assert out["ssn"] == "*****4399"
    assert out["order_id"] == 536904399
    assert out["user"]["email"] == "[EMAIL]"
    assert out["user"]["tags"] == ("a", "[EMAIL]")
    assert out["items"] == [{"card": "**** **** **** 1111"}, None, True, 1.5]
    assert out["[EMAIL]"] == "key holds personal data"
    assert out["float_ssn"]["ssn"] == "*****4399"
    assert obj["user"]["email"] == "jane@example.com", "the input is not changed"
    # The same as the CLI on the JSON line.
    assert json.loads(R.redact(json.dumps(obj))) == json.loads(json.dumps(out))


def test_redact_json_refuses_what_is_not_json():
    with pytest.raises(TypeError, match=r"\$\.a\[1\] is a set"):
        R.redact_json({"a": [1, {2}]})
    with pytest.raises(TypeError, match="not a string"):
        R.redact_json({1: "x"})
    deep = []
    for _ in range(1000):
        deep = [deep]
    with pytest.raises(ValueError, match="nested deeper"):
        R.redact_json(deep)


def test_redact_many_is_redact_on_each():
    lines = [f"{i} mail u{i}@example.com card 4111 1111 1111 1111" for i in range(5000)]
    lines += ["", "ok", "Zoë jane@example.com"]
    assert R.redact_many(lines) == [R.redact(x) for x in lines]


def test_threads_share_one_redactor():
    lines = [f"user {i} ssn 536-90-4399 ip 203.0.113.{i % 250}" for i in range(2000)]
    one = [R.redact(x) for x in lines]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        four = list(pool.map(R.redact, lines, chunksize=16))
    assert four == one


def test_scanning_releases_the_gil():
    # While one thread scans a large text, another runs Python code.
    big = "mail jane@example.com card 4111 1111 1111 1111\n" * 200_000
    ticks = []
    done = threading.Event()

    def tick():
        while not done.is_set():
            ticks.append(1)

    t = threading.Thread(target=tick)
    t.start()
    try:
        R.redact(big)
    finally:
        done.set()
        t.join()
    assert len(ticks) > 1000


def test_policy_errors_name_the_place_and_no_value(tmp_path):
    with pytest.raises(velum.PolicyError, match=r"<policy>:2: invalid type: string"):
        velum.Redactor('[entities.EMAIL]\nallow = "vip@example.com"\n')
    try:
        velum.Redactor('[entities.EMAIL]\nallow = "vip@example.com"\n')
    except velum.PolicyError as e:
        assert "vip@" not in str(e)
    p = tmp_path / "p.toml"
    p.write_text("[entities.EMAIL]\naction = 'explode'\n")
    with pytest.raises(velum.PolicyError, match=r"p.toml:2: action"):
        velum.Redactor(p)
    assert issubclass(velum.PolicyError, velum.VelumError)
    # A path as a str.
    p.write_text("[entities.EMAIL]\naction = 'keep'\n")
    assert velum.Redactor(str(p)).redact("jane@example.com") == "jane@example.com"
    with pytest.raises(TypeError):
        velum.Redactor(42)


def test_keyring_errors(tmp_path):
    with pytest.raises(velum.KeyringError, match="needs a keyring"):
        velum.Redactor("[defaults]\naction = 'token'\n")
    with pytest.raises(velum.KeyringError, match="tokenize needs a keyring"):
        velum.Redactor().tokenize("jane@example.com")
    with pytest.raises(velum.KeyringError, match="keyring"):
        velum.Redactor(keyring=tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    bad.chmod(0o600)
    with pytest.raises(velum.KeyringError):
        velum.Redactor(keyring=bad)


def test_tokenize_then_detokenize_gives_canonical_values(keyring, vault_policy, tmp_path):
    r = velum.Redactor(keyring=keyring)
    text = "card 4111-1111-1111-1111 mail JANE@example.com ssn 536-90-4399"
    tok = r.tokenize(text)
    assert "VLM_CREDIT_CARD_K1_" in tok and "jane" not in tok.lower()
    assert r.tokenize(text) == tok, "deterministic"
    audit = tmp_path / "audit.jsonl"
    v = velum.Vault(keyring, vault_policy, audit)
    out = v.detokenize(tok, api_key=FRAUD_KEY)
    assert out.startswith("card 4111111111111111 mail VLM_EMAIL_K1_")
    assert out.endswith(" ssn ***-**-4399")
    out = v.detokenize(tok, api_key=SUPPORT_KEY, purpose="ticket 7")
    assert " mail jane@example.com " in out and "************1111" in out
    records = [json.loads(x) for x in audit.read_text().splitlines()]
    assert {r["principal"] for r in records} == {"fraud-analyst", "support-bot"}
    assert all("jane" not in json.dumps(r) for r in records)


def test_vault_refusals_are_errors_and_audited(keyring, vault_policy, tmp_path):
    audit = tmp_path / "audit.jsonl"
    v = velum.Vault(keyring, vault_policy, audit)
    tok = velum.Redactor(keyring=keyring).tokenize("mail jane@example.com")
    with pytest.raises(velum.VaultError, match="not recognised"):
        v.detokenize(tok, api_key="guess")
    assert '"outcome":"unauthenticated"' in audit.read_text()
    assert "guess" not in audit.read_text()
    with pytest.raises(velum.VaultError, match="purpose"):
        v.detokenize(tok, api_key=SUPPORT_KEY, purpose="x" * 500)
    # No purpose where every type the role reveals needs one (issue 24): an error that
    # names the purpose, before anything is read.
    with pytest.raises(velum.VaultError, match="purpose"):
        v.detokenize(tok, api_key=SUPPORT_KEY)
    # With counts, what was released and what was left, and why.
    out, counts = v.detokenize(tok, api_key=FRAUD_KEY, counts=True)
    assert out == tok
    # (fraud-analyst also holds the support role, which shows e-mail with a purpose.)
    assert counts == {"revealed": 0, "partial": 0, "denied": 1, "no_purpose": 1,
                      "invalid": 0, "unavailable": 0}
    assert '"outcome":"denied' in audit.read_text()
    with pytest.raises(velum.VaultError):
        velum.Vault(keyring, REPO / "README.md", audit)


ALL_KEY = "all-types-test-key"


@pytest.fixture(scope="module")
def all_types_vault(keyring, tmp_path_factory):
    import hashlib

    d = tmp_path_factory.mktemp("vault")
    types = ["CREDIT_CARD", "EMAIL", "US_SSN", "IBAN", "IP_ADDRESS", "PHONE", "UK_NHS", "PERSON"]
    reveal = ", ".join(f'{t} = "full"' for t in types)
    policy = d / "all.toml"
    policy.write_text(
        f"[roles.all]\nreveal = {{ {reveal} }}\n[[principals]]\nname = \"auditor\"\n"
        f"key_sha256 = \"{hashlib.sha256(ALL_KEY.encode()).hexdigest()}\"\nroles = [\"all\"]\n"
    )
    return velum.Vault(keyring, policy, d / "audit.jsonl"), policy, d / "audit-cli.jsonl"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(VALUES), st.sampled_from(["ok", "Zoë", "id=7"])),
                min_size=1, max_size=6))
def test_detokenize_after_tokenize_gives_canonical_values(all_types_vault, keyring, velum_bin,
                                                          parts):
    from conftest import run_cli

    vault, policy, cli_audit = all_types_vault
    r = velum.Redactor(keyring=keyring)
    text = " ; ".join(parts)
    tok = r.tokenize(text)
    back = vault.detokenize(tok, api_key=ALL_KEY)
    # Canonical values: tokenising them again gives the same tokens, and no token is left.
    assert r.tokenize(back) == tok
    assert "VLM_" not in back
    cli = run_cli(
        velum_bin,
        ["detokenize", "--keyring", str(keyring), "--vault-policy", str(policy),
         "--audit-log", str(cli_audit)],
        tok.encode(),
        VELUM_API_KEY=ALL_KEY,
    )
    assert back.encode() == cli


def test_redact_row_is_the_cli_row(velum_bin):
    names = ["first_name", "last_name", "ssn", "mrn", "account_number", "routing", "phone",
             "dob", "nhs_number", "note"]
    values = ["Jane", "Smith", 536904399, "00123456", "0001234567", "021000021",
              "+1 452-507-9362", "1980-02-29", "943 476 5919", None]
    out = R.redact_row(names, values)
    assert out[-1] is None
    line = ",".join('"' + ("" if v is None else str(v)).replace('"', '""') + '"' for v in values)
    cli = run_cli(velum_bin, ["redact", "--format", "csv"],
                  (",".join(names) + "\n" + line + "\n").encode()).decode()
    row = next(csv.reader(io.StringIO(cli.splitlines()[1])))
    assert out[:-1] == row[:-1]
    for i, v in enumerate(values[:-1]):
        assert str(v) not in out[i], names[i]


def test_version_is_the_installed_distributions():
    import importlib.metadata

    # The distribution is velum-redact (`velum` on PyPI is another project); the import
    # name stays velum.
    assert velum.__version__ == importlib.metadata.version("velum-redact")


def test_a_sealed_keyring_opens_with_the_passphrase_file_of_the_environment(
    tmp_path, velum_bin, monkeypatch
):
    import os
    import subprocess

    keys, pw = tmp_path / "keys.json", tmp_path / "pass"
    pw.write_text("correct horse battery\n")
    os.chmod(pw, 0o600)
    env = dict(os.environ, VELUM_KEYRING_NEW_PASSPHRASE_FILE=str(pw))
    subprocess.run([str(velum_bin), "keygen", "--out", str(keys), "--seal"], env=env,
                   check=True, capture_output=True)
    monkeypatch.delenv("VELUM_KEYRING_PASSPHRASE_FILE", raising=False)
    with pytest.raises(velum.KeyringError, match="passphrase"):
        velum.Redactor(keyring=keys)
    monkeypatch.setenv("VELUM_KEYRING_PASSPHRASE_FILE", str(pw))
    out = velum.Redactor(keyring=keys).tokenize("mail jane@example.com")
    assert out.startswith("mail VLM_EMAIL_K1_")


def test_vault_takes_oidc_bearer_tokens(keyring, vault_policy, tmp_path):
    """An access token from the configured issuer, its roles claim naming the vault
    policy's roles, opens what those roles may; a token that fails a check is refused."""
    import base64
    import json as _json
    import time

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    def b64(b):
        return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

    key = Ed25519PrivateKey.generate()
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    jwks = tmp_path / "jwks.json"
    jwks.write_text(_json.dumps({"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "k1", "x": b64(raw)}]}))

    def token(**over):
        claims = {"iss": "https://idp.test", "aud": "velum", "sub": "ana",
                  "exp": int(time.time()) + 300, "roles": ["fraud"]}
        claims.update(over)
        h = b64(_json.dumps({"alg": "EdDSA", "kid": "k1"}).encode())
        p = b64(_json.dumps(claims).encode())
        return f"{h}.{p}.{b64(key.sign(f'{h}.{p}'.encode()))}"

    tok = velum.Redactor(keyring=keyring).tokenize("card 4111 1111 1111 1111")
    audit = tmp_path / "audit.jsonl"
    v = velum.Vault(keyring, vault_policy, audit, jwt_issuer="https://idp.test",
                    jwt_audience="velum", jwks=jwks)
    assert v.detokenize(tok, bearer_token=token()) == "card 4111111111111111"
    with pytest.raises(velum.VaultError, match="expired"):
        v.detokenize(tok, bearer_token=token(exp=int(time.time()) - 600))
    with pytest.raises(velum.VaultError, match="audience"):
        v.detokenize(tok, bearer_token=token(aud="other"))
    with pytest.raises(velum.VaultError, match="no role"):
        v.detokenize(tok, bearer_token=token(roles=["admin"]))
    with pytest.raises(ValueError):
        v.detokenize(tok, api_key=FRAUD_KEY, bearer_token=token())
    assert v.detokenize(tok, api_key=FRAUD_KEY) == "card 4111111111111111"
    assert '"principal":"jwt:ana"' in audit.read_text()
