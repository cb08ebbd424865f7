"""Per-call options (entities, threshold, allow, operators), where replacements land,
explanations of what was left in clear, and findings by JSON path: the jobs a Presidio user
does with ``analyze``, ``anonymize`` and ``analyze_dict``."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import velum

R = velum.Redactor()
LINE = "Jane Smith <jane@example.com> paid 4111 1111 1111 1111 from 203.0.113.9, ssn 536-90-4399"


def test_entities_limits_detection_and_redaction():
    found = {f.entity for f in R.scan(LINE, entities=["EMAIL", "US_SSN"])}
    assert found == {"EMAIL", "US_SSN"}
    out = R.redact(LINE, entities=["EMAIL"])
    assert "[EMAIL]" in out and "4111 1111 1111 1111" in out and "536-90-4399" in out
    assert R.redact(LINE, entities=[]) == LINE


def test_unknown_entities_and_bad_options_are_errors_that_name_them():
    with pytest.raises(ValueError, match="NOT_A_TYPE"):
        R.scan(LINE, entities=["NOT_A_TYPE"])
    with pytest.raises(ValueError, match="threshold"):
        R.scan(LINE, threshold=1.5)
    with pytest.raises(ValueError, match="no action"):
        R.redact(LINE, operators={"EMAIL": "shred"})
    with pytest.raises(ValueError, match="no field"):
        R.redact(LINE, operators={"EMAIL": {"action": "mask", "keep": 2}})
    with pytest.raises(velum.KeyringError):
        R.redact(LINE, operators={"EMAIL": "token"})


def test_threshold_is_one_for_every_entity():
    low = {f.entity for f in R.scan("at 10.1.2.3", threshold=0.5)}
    high = {f.entity for f in R.scan("at 10.1.2.3", threshold=0.9)}
    assert low == {"IP_ADDRESS"} and high == set()


def test_allow_list_spans_entities_and_ignores_separators_and_case():
    out = R.redact("OPS@example.com jane@example.com 203.0.113.9", allow=["ops@example.com", "203.0.113.9"])
    assert out == "OPS@example.com [EMAIL] 203.0.113.9"


@pytest.mark.parametrize(
    "op,want",
    [
        ("label", "ssn [US_SSN]"),
        ("mask", "ssn ***-**-****"),
        ("drop", "ssn "),
        ("keep", "ssn 536-90-4399"),
        ({"action": "mask", "keep_last": 4, "mask_char": "#"}, "ssn ###-##-4399"),
        ({"action": "label", "label": "<{entity}>"}, "ssn <US_SSN>"),
    ],
)
def test_operators_per_entity(op, want):
    assert R.redact("ssn 536-90-4399", operators={"US_SSN": op}) == want


def test_token_and_hash_operators_use_the_redactors_keyring(keyring):
    r = velum.Redactor(keyring=keyring)
    t = r.redact("mail jane@example.com", operators={"EMAIL": "token"})
    h = r.redact("mail jane@example.com", operators={"EMAIL": "hash"})
    assert t.startswith("mail VLM_EMAIL_") and h.startswith("mail VLMH_EMAIL_")
    # The options are compiled once and kept: the same answer, again.
    assert r.redact("mail jane@example.com", operators={"EMAIL": "token"}) == t
    # And the redactor's own policy is untouched.
    assert r.redact("mail jane@example.com") == "mail [EMAIL]"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["Zoë ", "jane@example.com", " 536-90-4399 ", "日本 ", "4111 1111 1111 1111", " x ", "203.0.113.9"]
        ),
        max_size=8,
    ),
    st.sampled_from(["label", "mask", "drop", "keep"]),
)
def test_each_replacement_lands_where_it_says(parts, action):
    text = "".join(parts)
    ops = {e: action for e in ["EMAIL", "US_SSN", "CREDIT_CARD", "IP_ADDRESS"]}
    d = R.redact_detailed(text, operators=ops)
    assert d.text == R.redact(text, operators=ops)
    for i in d.items:
        value, landed = text[i.start:i.end], d.text[i.out_start:i.out_end]
        if i.action == "keep":
            assert landed == value
        elif i.action == "drop":
            assert landed == ""
        elif i.action == "label":
            assert landed == f"[{i.entity}]"
        else:
            assert len(landed) == len(value) and "*" in landed


def test_explain_gives_findings_and_what_was_left_with_why():
    es = R.explain("ssn 536-90-4399, card 4111 1111 1111 1112, build 1.2.34567")
    reported = [(e.entity, e.reported) for e in es if e.reported]
    assert reported == [("US_SSN", True)]
    why = {(e.entity, e.reason.split(" (")[0]) for e in es if not e.reported}
    assert ("CREDIT_CARD", "failed its check") in why
    assert (None, "read as part of a version, not a candidate") in why
    # Offsets are string indices, in order.
    text = "Zoë: imei 490154203237518"
    cc = [e for e in R.explain(text) if e.entity == "CREDIT_CARD"][0]
    assert text[cc.start:cc.end] == "490154203237518" and cc.score == 0.0
    assert 'lowered by context near "imei"' in cc.reason


def test_scan_json_reports_paths_and_skip_keys_leave_values():
    doc = {
        "user": {"email": "jane@example.com", "id": "jane@example.com", "first name": "Zoë Ann"},
        "items": [{"note": "call +44 20 7946 0958"}],
        "jane@example.com": True,
    }
    got = [(f.path, f.key, f.entity) for f in R.scan_json(doc, skip_keys=["id"])]
    assert ("$.user.email", None, "EMAIL") in got
    assert ("$.items[0].note", None, "PHONE") in got
    assert ("$", "jane@example.com", "EMAIL") in got
    assert not any(p == "$.user.id" for p, _, _ in got)
    phone = [f for f in R.scan_json(doc) if f.entity == "PHONE"][0]
    assert doc["items"][0]["note"][phone.start:phone.end] == "+44 20 7946 0958"
    out = R.redact_json(doc, skip_keys=["$.user.id"])
    assert out["user"]["id"] == "jane@example.com" and out["user"]["email"] == "[EMAIL]"
    assert R.redact_json(doc)["user"]["id"] == "[EMAIL]"
