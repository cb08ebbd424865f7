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

Rows keep their column names as context, as ``velum redact --format csv`` reads them:

>>> r.redact_row(["id", "ssn"], [7, 536904399])
['7', '*****4399']

Integrations: :mod:`velum.logging` (a filter that redacts log records before any handler
sees them), :mod:`velum.pandas` (redact a DataFrame, column names as context) and
:mod:`velum.spark` (the same for Spark DataFrames, with a pandas UDF).
"""

from ._velum import (
    Finding,
    KeyringError,
    PolicyError,
    Redactor,
    Vault,
    VaultError,
    VelumError,
    __version__,
)

__all__ = [
    "Finding",
    "KeyringError",
    "PolicyError",
    "Redactor",
    "Vault",
    "VaultError",
    "VelumError",
    "__version__",
]
