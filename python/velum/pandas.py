"""Redact a pandas DataFrame with its column names as context.

Each row is redacted as ``velum redact --format csv`` redacts it under a header of the
DataFrame's column names (:meth:`velum.Redactor.redact_rows`, on all cores): a column named
``ssn`` makes nine digits under it an SSN, ``first_name`` makes a name under it a PERSON, and
the row's text is the floor, so nothing a plain scan finds is missed. Numeric columns are
read too (``536904399.0`` is the SSN it stands for). Missing values stay missing.

>>> import pandas as pd, velum.pandas
>>> df = pd.DataFrame({"first_name": ["Jane", None], "ssn": [536904399, 123]})
>>> velum.pandas.redact_dataframe(df)
  first_name        ssn
0   [PERSON]  *****4399
1       None        123

A column written to holds strings where a value changed and keeps the others as they were
(so its dtype may become ``object``); ``columns`` limits which are written, while every
column is still read as context.
"""

from typing import TYPE_CHECKING, Iterable, List, Optional

from ._velum import Redactor

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["redact_dataframe"]


def _missing(v: object) -> bool:
    """None, NaN, NaT and pandas' NA."""
    import pandas as pd

    if v is None:
        return True
    if isinstance(v, (list, tuple, dict)):
        return False
    return bool(pd.isna(v))


def _text(v: object) -> Optional[str]:
    if _missing(v):
        return None
    return str(v)


def redact_dataframe(
    df: "pd.DataFrame",
    columns: Optional[Iterable[str]] = None,
    redactor: Optional[Redactor] = None,
) -> "pd.DataFrame":
    """A copy of ``df`` with each of ``columns`` (default: all) redacted, every column name
    as context (see the module docs). ``redactor`` defaults to the embedded policy."""
    r = redactor if redactor is not None else Redactor()
    names: List[str] = [str(c) for c in df.columns]
    cols = list(df.columns) if columns is None else list(columns)
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"redact_dataframe: no column {missing!r} in the DataFrame")
    rows = [[_text(v) for v in row] for row in df.itertuples(index=False, name=None)]
    out_rows = r.redact_rows(names, rows)
    out = df.copy()
    for c in cols:
        i = list(df.columns).index(c)
        original = df[c].tolist()
        texts = [row[i] for row in rows]
        redacted = (row[i] for row in out_rows)
        new = [o if t is None or t == n else n for o, t, n in zip(original, texts, redacted)]
        if any(n is not o for n, o in zip(new, original)):
            out[c] = _series(new, df.index, c)
    return out


def _series(values: list, index: object, name: object) -> "pd.Series":
    import pandas as pd

    return pd.Series(values, index=index, name=name, dtype=object)
