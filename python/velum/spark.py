"""Redact columns of a Spark DataFrame with velum, in the executors' Python workers.

Rows are rewritten by a pandas UDF (Arrow batches of rows), which calls
:meth:`velum.Redactor.redact_rows` (or ``redact_many`` for one column of text) on each
batch; one :class:`~velum.Redactor` is made per worker process and policy, and reused.
``None`` stays ``None``.

The executors must import ``velum``, ``pandas`` (2.2 or later and before 3: pyspark does not
support pandas 3) and ``pyarrow``: install the wheel with its ``spark`` extra on them
(``pip install 'velum-redact[spark]'`` in the image or bootstrap script), or ship a virtual
environment that holds it (``spark-submit --archives env.tar.gz#env`` with
``PYSPARK_PYTHON=./env/bin/python``). A wheel with a native module cannot be imported from
``spark.addPyFile``'s zip. In local mode the workers run ``PYSPARK_PYTHON`` (``python3`` when
unset), not the driver's interpreter: in a virtual environment, set
``PYSPARK_PYTHON=$VIRTUAL_ENV/bin/python`` (or ``sys.executable``) before the session starts.

:func:`check_environment` runs a one-row job that imports all three in a worker and says
what is missing and what to set; :func:`redact_column` and :func:`redact_dataframe` run it
once per Spark context before their first job.

>>> from velum.spark import redact_column, redact_dataframe        # doctest: +SKIP
>>> redact_column(df, "message").show()                           # doctest: +SKIP
>>> redact_dataframe(df, policy="policy.toml")                     # doctest: +SKIP

:func:`redact_dataframe` reads each row with the DataFrame's column names as context, as
``velum redact --format csv`` reads a file with that header; :func:`redact_column` redacts one
column of free text on its own.
"""

import os
from typing import TYPE_CHECKING, Dict, Iterable, Optional, Tuple, Union

from ._velum import Redactor

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import Column, DataFrame

__all__ = [
    "SparkEnvironmentError",
    "check_environment",
    "redact_column",
    "redact_dataframe",
    "redact_udf",
]

#: The pandas versions the helper is tested with (the ``spark`` extra pins the same range).
PANDAS_RANGE = ((2, 2), (3, 0))

PolicyArg = Union[None, str, "os.PathLike[str]"]

_CACHE: Dict[Tuple[Optional[str], Optional[str]], Redactor] = {}


class SparkEnvironmentError(RuntimeError):
    """The Spark workers' Python cannot run velum; the message says what to install or set."""


_CHECKED: Dict[int, Dict[str, str]] = {}


def _pandas_ok(version: str) -> bool:
    try:
        parts = tuple(int(x) for x in version.split(".")[:2])
    except ValueError:
        return False
    lo, hi = PANDAS_RANGE
    return lo <= parts < hi


def check_environment(spark=None) -> Dict[str, str]:
    """Checks, in a Spark worker, that its Python imports velum, pandas (in
    :data:`PANDAS_RANGE`) and pyarrow; returns what it found (``python``: the worker's
    interpreter, and each package's version). Raises :class:`SparkEnvironmentError` naming
    what is missing and the ``PYSPARK_PYTHON`` to set. ``spark`` defaults to the active
    session. Cached per Spark context.

    >>> velum.spark.check_environment(spark)          # doctest: +SKIP
    {'python': '/venv/bin/python', 'velum': '0.1.0', 'pandas': '2.3.3', 'pyarrow': '21.0.0'}
    """
    import sys

    if spark is None:
        from pyspark.sql import SparkSession

        spark = SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()
    sc = spark.sparkContext
    key = id(sc)
    if key in _CHECKED:
        return _CHECKED[key]

    def probe(_):
        # Runs in the worker; imports only there, so a missing package is a value, not an
        # unpickling failure.
        import importlib
        import sys as wsys

        found = {"python": wsys.executable}
        for name in ("velum", "pandas", "pyarrow"):
            try:
                m = importlib.import_module(name)
                found[name] = str(getattr(m, "__version__", "?"))
            except Exception as e:  # noqa: BLE001 - reported, not raised, in the worker
                found[name] = f"missing ({type(e).__name__})"
        return found

    worker = (
        sc.getConf().get("spark.pyspark.python")
        or os.environ.get("PYSPARK_PYTHON")
        or "python3"
    )
    advice = (
        f"the workers run {worker!r}; install 'velum-redact[spark]' there, or point "
        f"PYSPARK_PYTHON (or spark.pyspark.python) at an interpreter that has it, such as "
        f"this one: PYSPARK_PYTHON={sys.executable}"
    )
    try:
        found = sc.parallelize([0], 1).map(probe).collect()[0]
    except Exception as e:  # noqa: BLE001 - Py4J wraps the worker's failure
        raise SparkEnvironmentError(
            f"velum.spark: a Spark worker could not run Python ({type(e).__name__}); {advice}"
        ) from None
    missing = [n for n in ("velum", "pandas", "pyarrow") if found[n].startswith("missing")]
    if missing:
        raise SparkEnvironmentError(
            f"velum.spark: the workers' Python ({found['python']}) lacks "
            f"{', '.join(missing)}; {advice}"
        )
    if not _pandas_ok(found["pandas"]):
        (a, b), (c, d) = PANDAS_RANGE
        raise SparkEnvironmentError(
            f"velum.spark: the workers have pandas {found['pandas']}; the helper is tested "
            f"with pandas >= {a}.{b}, < {c}.{d} (pyspark does not support pandas 3): "
            f"pip install 'pandas>={a}.{b},<{c}.{d}' there"
        )
    _CHECKED[key] = found
    return found


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
    check: bool = True,
) -> "DataFrame":
    """``df`` with ``column`` redacted (into ``output``, when given, else in place); with
    ``check``, :func:`check_environment` first (once per Spark context)."""
    if check:
        check_environment(df.sparkSession)
    udf = redact_udf(policy, keyring)
    return df.withColumn(output or column, udf(df[column]))


def redact_dataframe(
    df: "DataFrame",
    columns: Optional[Iterable[str]] = None,
    policy: PolicyArg = None,
    *,
    keyring: Optional[str] = None,
    check: bool = True,
) -> "DataFrame":
    """``df`` with each of ``columns`` (default: every column) redacted in place; with
    ``check``, :func:`check_environment` first (once per Spark context).

    Each row is redacted as ``velum redact --format csv`` redacts it under a header of the
    DataFrame's column names (:meth:`velum.Redactor.redact_rows`): every column name is
    context for the values under it, the row's text is the floor, numeric columns are read
    too (``536904399.0`` is the number it stands for), and nulls stay null. A column written
    to becomes a string column (Spark fixes a schema before it sees the data); name
    ``columns`` to keep the others as they are — every column is still read as context.
    """
    import pandas as pd
    from pyspark.sql import functions as F
    from pyspark.sql.functions import pandas_udf
    from pyspark.sql.types import StringType, StructField, StructType

    names = list(df.columns)
    cols = names if columns is None else list(columns)
    missing = set(cols) - set(names)
    if missing:
        raise ValueError(f"redact_dataframe: no column {sorted(missing)!r} in the DataFrame")
    if check:
        check_environment(df.sparkSession)
    policy_text = _policy_key(policy)
    _redactor(policy_text, keyring)
    picked = [names.index(c) for c in cols]
    out_type = StructType([StructField(f"c{k}", StringType(), True) for k in range(len(cols))])

    @pandas_udf(out_type)  # type: ignore[call-overload]
    def velum_redact_rows(rows: pd.DataFrame) -> pd.DataFrame:
        r = _redactor(policy_text, keyring)
        cells = [[_text(v) for v in row] for row in rows.itertuples(index=False, name=None)]
        out = r.redact_rows(names, cells) if cells else []
        return pd.DataFrame(
            {f"c{k}": [row[i] for row in out] for k, i in enumerate(picked)},
            index=rows.index,
            dtype=object,
        )

    packed = velum_redact_rows(F.struct(*[F.col(f"`{n}`") for n in names]))
    tmp = "__velum_redacted"
    with_rows = df.withColumn(tmp, packed)
    by_name = {c: k for k, c in enumerate(cols)}
    return with_rows.select(
        *[
            F.col(f"{tmp}.c{by_name[n]}").alias(n) if n in by_name else F.col(f"`{n}`")
            for n in names
        ]
    )


def _text(v: object) -> Optional[str]:
    """A cell's text for velum: ``None`` for a missing value (None, NaN, pandas' NA)."""
    import pandas as pd

    if v is None or (not isinstance(v, (list, tuple, dict)) and bool(pd.isna(v))):
        return None
    return str(v)
