"""velum.spark in PySpark local mode: a few thousand rows, the same results as the CLI.

PySpark, pandas and pyarrow must be installed (``pip install ./python[spark]``); set
VELUM_SKIP_SPARK=1 to leave this file out where there is no Java.
"""

import os

import pytest

if os.environ.get("VELUM_SKIP_SPARK") == "1":
    pytest.skip("VELUM_SKIP_SPARK=1", allow_module_level=True)

from pyspark.sql import SparkSession  # noqa: E402

import velum  # noqa: E402
from conftest import REPO, run_cli  # noqa: E402
from velum.spark import redact_column, redact_dataframe  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    s = (
        SparkSession.builder.master("local[2]")
        .appName("velum-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    yield s
    s.stop()


def _lines():
    base = (REPO / "examples" / "app.log").read_text().splitlines()
    base += (REPO / "tests" / "data" / "pii_sample.log").read_text().splitlines()
    rows = []
    for i in range(3000):
        rows.append(base[i % len(base)] + f" seq={i}")
    return rows


def test_redact_column_equals_the_cli(spark, velum_bin):
    lines = _lines()
    df = spark.createDataFrame([(i, x) for i, x in enumerate(lines)] + [(len(lines), None)],
                               "id long, message string").repartition(4)
    out = redact_column(df, "message").orderBy("id").collect()
    cli = run_cli(velum_bin, ["redact"], ("\n".join(lines) + "\n").encode()).decode().splitlines()
    assert [r["message"] for r in out[:-1]] == cli
    assert out[-1]["message"] is None
    assert [r["id"] for r in out] == list(range(len(lines) + 1))


def test_redact_dataframe_with_a_policy(spark, velum_bin, tmp_path):
    policy = tmp_path / "p.toml"
    policy.write_text('[entities.EMAIL]\naction = "mask"\n')
    rows = [("jane@example.com", "ip 203.0.113.9", 7), ("x", "card 4111 1111 1111 1111", 8)]
    df = spark.createDataFrame(rows, "email string, note string, n int")
    out = redact_dataframe(df, policy=policy).collect()
    r = velum.Redactor(policy)
    assert [tuple(x) for x in out] == [(r.redact(a), r.redact(b), n) for a, b, n in rows]
    only = redact_dataframe(df, columns=["note"]).collect()
    assert only[0]["email"] == "jane@example.com"
    with pytest.raises(ValueError, match="no column"):
        redact_dataframe(df, columns=["nope"])
    with pytest.raises(velum.PolicyError):
        redact_column(df, "note", "[entities.EMAIL]\naction = 'explode'\n")
