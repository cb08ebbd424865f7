"""The package gives what the `velum` command gives: the same engine, byte for byte."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import velum
from conftest import run_cli

R = velum.Redactor()

FRAGMENTS = [
    "4111 1111 1111 1111",
    "4111111111111111",
    "jane.doe@example.com",
    "536-90-4399",
    "ssn 536904399",
    "GB82WEST12345698765432",
    "203.0.113.9",
    "2001:db8::1",
    "+1 (212) 555-0143",
    "NHS 943 476 5919",
    "Dr. Jane Smith",
    '{"email":"jane@example.com","n":536904399}',
    "user=jane@example.com",
    "Mon Dec  1 10:00:00 2026",
    "v1.2.3",
    "Zoë",
    "\r\n",
    "\n",
    ",",
    " ",
]

texts = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8), st.binary(max_size=4).map(
        lambda b: b.decode("latin-1"))),
    max_size=16,
).map("".join)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(texts)
def test_redact_bytes_equals_the_cli(velum_bin, text):
    data = text.encode("utf-8", "surrogatepass")
    assert R.redact_bytes(data) == run_cli(velum_bin, ["redact"], data)


def test_redact_many_equals_the_cli_on_a_log(velum_bin):
    log = (pathlib_repo() / "examples" / "app.log").read_text()
    lines = log.splitlines()
    out = run_cli(velum_bin, ["redact"], log.encode()).decode().splitlines()
    assert R.redact_many(lines) == out


def test_tokenize_equals_the_cli(velum_bin, keyring):
    text = "card 4111 1111 1111 1111 mail jane@example.com ip 203.0.113.9\n"
    cli = run_cli(velum_bin, ["tokenize", "--keyring", str(keyring)], text.encode())
    assert velum.Redactor(keyring=keyring).tokenize(text).encode() == cli


def pathlib_repo():
    from conftest import REPO

    return REPO
