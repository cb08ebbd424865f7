"""velum: find personal data in text and records, replace it with labels, masks or tokens.

The engine is velum's Rust library, linked in-process: the same detectors, policies,
tokens, vault and audit log as the ``velum`` command, at the same speed. Scanning releases
the GIL, so threads of the caller run in parallel, and one :class:`Redactor` may be shared
by all of them.

>>> import velum
>>> r = velum.Redactor()
>>> r.redact("refund to 4111 1111 1111 1111, mail jane.doe@example.com")
'refund to **** **** **** 1111, mail [EMAIL]'
>>> text = "Zoë's card: 4111 1111 1111 1111"
>>> [(f.entity, text[f.start:f.end]) for f in r.scan(text)]
[('CREDIT_CARD', '4111 1111 1111 1111')]
>>> r.redact_json({"ssn": 536904399, "order_id": 536904399})
{'ssn': '*****4399', 'order_id': 536904399}

A policy is ``None`` (the embedded default), a path, or TOML text:

>>> velum.Redactor('[entities.EMAIL]\\naction = "mask"\\n').redact("jane@example.com")
'****@*******.***'
>>> velum.Redactor("no/such/policy.toml")
Traceback (most recent call last):
...
velum.PolicyError: no/such/policy.toml: No such file or directory (os error 2)

Options per call, as Presidio's analyzer and anonymizer take them (``entities``,
``threshold``, ``allow``, ``operators``), with where each replacement landed:

>>> r.redact("jane@example.com from 203.0.113.9", entities=["EMAIL"])
'[EMAIL] from 203.0.113.9'
>>> d = r.redact_detailed("ssn 536-90-4399", operators={"US_SSN": "drop"})
>>> (d.text, [(i.entity, i.start, i.end, i.out_start, i.out_end) for i in d.items])
('ssn ', [('US_SSN', 4, 15, 4, 4)])
>>> [(e.entity, e.reported, e.reason) for e in r.explain("imei 490154203237518") if e.entity == "CREDIT_CARD"]
[('CREDIT_CARD', False, 'score 0.00 below the threshold 0.50, lowered by context near "imei"')]
>>> [(f.path, f.entity) for f in r.scan_json({"user": {"email": "jane@example.com"}})]
[('$.user.email', 'EMAIL')]

Rows keep their column names as context, as ``velum redact --format csv`` reads them:

>>> r.redact_row(["id", "ssn"], [7, 536904399])
['7', '*****4399']

Integrations: :mod:`velum.logging` (a filter that redacts log records before any handler
sees them), :mod:`velum.pandas` (redact a DataFrame, column names as context) and
:mod:`velum.spark` (the same for Spark DataFrames, with a pandas UDF).
"""

from ._velum import (
    Explanation,
    Finding,
    JsonFinding,
    KeyringError,
    PolicyError,
    Redacted,
    Redactor,
    Replacement,
    Vault,
    VaultError,
    VelumError,
    __version__,
)

__all__ = [
    "Explanation",
    "Finding",
    "JsonFinding",
    "KeyringError",
    "PolicyError",
    "Redacted",
    "Redactor",
    "Replacement",
    "Vault",
    "VaultError",
    "VelumError",
    "__version__",
]
