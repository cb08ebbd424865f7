"""Redact columns of a Spark DataFrame with velum, in the executors' Python workers.

Each column is rewritten by a pandas UDF (Arrow batches of rows), which calls
:meth:`velum.Redactor.redact_many` on each batch; one :class:`~velum.Redactor` is made per
worker process and policy, and reused. ``None`` stays ``None``.

The executors must import ``velum``: install the wheel on them (``pip install velum-*.whl``
in the image or bootstrap script), or ship a virtual environment that holds it
(``spark-submit --archives env.tar.gz#env`` with ``PYSPARK_PYTHON=./env/bin/python``). A
wheel with a native module cannot be imported from ``spark.addPyFile``'s zip.

>>> from velum.spark import redact_column, redact_dataframe        # doctest: +SKIP
>>> redact_column(df, "message").show()                           # doctest: +SKIP
>>> redact_dataframe(df, columns=["message", "email"], policy="policy.toml")  # doctest: +SKIP
"""

import os
from typing import TYPE_CHECKING, Dict, Iterable, Optional, Tuple, Union

from ._velum import Redactor

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import Column, DataFrame

__all__ = ["redact_column", "redact_dataframe", "redact_udf"]

PolicyArg = Union[None, str, "os.PathLike[str]"]

_CACHE: Dict[Tuple[Optional[str], Optional[str]], Redactor] = {}


def _policy_key(policy: PolicyArg) -> Optional[str]:
    # A path is read on the driver: the workers need not see the file.
    if policy is None:
        return None
    if isinstance(policy, str) and any(c in policy for c in "=[\n"):
        return policy
    with open(os.fspath(policy), encoding="utf-8") as f:
        return f.read()


def _redactor(policy_text: Optional[str], keyring: Optional[str]) -> Redactor:
    key = (policy_text, keyring)
    r = _CACHE.get(key)
    if r is None:
        r = Redactor(policy_text, keyring)
        _CACHE[key] = r
    return r


def redact_udf(policy: PolicyArg = None, keyring: Optional[str] = None):
    """A pandas UDF (string → string) that redacts with ``policy``; ``keyring`` is a path
    the executors can read (for ``token`` and ``hash`` actions)."""
    import pandas as pd
    from pyspark.sql.functions import pandas_udf

    policy_text = _policy_key(policy)
    # Fail on the driver, with velum's message, before a job starts.
    _redactor(policy_text, keyring)

    @pandas_udf("string")  # type: ignore[call-overload]
    def velum_redact(s: pd.Series) -> pd.Series:
        r = _redactor(policy_text, keyring)
        present = s.notna()
        out = s.astype(object).copy()
        if present.any():
            out[present] = r.redact_many([str(v) for v in s[present]])
        return out

    return velum_redact


def redact_column(
    df: "DataFrame",
    column: str,
    policy: PolicyArg = None,
    *,
    keyring: Optional[str] = None,
    output: Optional[str] = None,
) -> "DataFrame":
    """``df`` with ``column`` redacted (into ``output``, when given, else in place)."""
    udf = redact_udf(policy, keyring)
    return df.withColumn(output or column, udf(df[column]))


def redact_dataframe(
    df: "DataFrame",
    columns: Optional[Iterable[str]] = None,
    policy: PolicyArg = None,
    *,
    keyring: Optional[str] = None,
) -> "DataFrame":
    """``df`` with each of ``columns`` redacted in place; by default every string column."""
    from pyspark.sql.types import StringType

    if columns is None:
        columns = [f.name for f in df.schema.fields if isinstance(f.dataType, StringType)]
    udf = redact_udf(policy, keyring)
    cols = set(columns)
    missing = cols - set(df.columns)
    if missing:
        raise ValueError(f"redact_dataframe: no column {sorted(missing)!r} in the DataFrame")
    return df.select(
        *[udf(df[c]).alias(c) if c in cols else df[c] for c in df.columns]
    )
