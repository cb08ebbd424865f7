"""velum.spark in PySpark local mode: a few thousand rows, the same results as the CLI.

PySpark, pandas and pyarrow must be installed (``pip install ./python[spark]``); set
VELUM_SKIP_SPARK=1 to leave this file out where there is no Java.
"""

import csv
import io
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
    assert [tuple(x) for x in out] == [tuple(r.redact_row(df.columns, list(x))) for x in rows]
    assert out[0]["email"] == "****@*******.***"
    only = redact_dataframe(df, columns=["note"]).collect()
    assert only[0]["email"] == "jane@example.com"
    assert only[0]["n"] == 7
    with pytest.raises(ValueError, match="no column"):
        redact_dataframe(df, columns=["nope"])
    with pytest.raises(velum.PolicyError):
        redact_column(df, "note", "[entities.EMAIL]\naction = 'explode'\n")


def test_column_names_are_context_as_in_the_cli(spark, velum_bin):
    """Issue 21: columns named for what they hold, numeric ones too, as `--format csv`."""
    names = ["first_name", "last_name", "ssn", "mrn", "account_number", "routing", "phone",
             "dob", "nhs_number"]
    rows = [
        ("Jane", "Smith", 536904399, 123456, "0001234567", "021000021", "+1 452-507-9362",
         "1980-02-29", "9434765919"),
        ("Olu", "Adebayo", 536904310, 654321, "0009876543", "011000015", "(212) 555-0143",
         "1975-07-04", "943 476 5919"),
        (None, None, None, None, None, None, None, None, None),
    ]
    schema = ("first_name string, last_name string, ssn long, mrn long, account_number string, "
              "routing string, phone string, dob string, nhs_number string")
    df = spark.createDataFrame(rows, schema)
    out = [tuple(x) for x in redact_dataframe(df).collect()]
    text = ",".join(names) + "\n" + "".join(
        ",".join("" if v is None else str(v) for v in r) + "\n" for r in rows[:2]
    )
    cli = run_cli(velum_bin, ["redact", "--format", "csv"], text.encode()).decode()
    cli_rows = [tuple(r) for r in csv.reader(io.StringIO(cli))][1:]
    assert out[:2] == cli_rows
    assert out[2] == (None,) * len(names)
    for row, orig in zip(out[:2], rows):
        for v, o in zip(row, orig):
            assert str(o) not in v, (v, o)


def test_check_environment_finds_the_workers_packages(spark):
    import sys

    from velum.spark import PANDAS_RANGE, check_environment

    found = check_environment(spark)
    # The workers run this interpreter (scripts/python-test.sh sets PYSPARK_PYTHON).
    assert found["python"] == sys.executable
    assert found["velum"] == velum.__version__
    major_minor = tuple(int(x) for x in found["pandas"].split(".")[:2])
    assert PANDAS_RANGE[0] <= major_minor < PANDAS_RANGE[1]


def test_a_worker_python_without_velum_gets_a_clear_error(tmp_path):
    """A session whose workers run another interpreter (as local mode does when
    PYSPARK_PYTHON is unset): the helper names what is missing and what to set."""
    import shutil
    import subprocess
    import sys

    other = shutil.which("python3", path="/usr/bin:/bin")
    if other is None or os.path.realpath(other) == os.path.realpath(sys.executable):
        pytest.skip("no second interpreter to run the workers")
    script = tmp_path / "job.py"
    script.write_text(
        "from pyspark.sql import SparkSession\n"
        "import velum.spark\n"
        "s = SparkSession.builder.master('local[1]').config('spark.ui.enabled', 'false')"
        ".getOrCreate()\n"
        "df = s.createDataFrame([('jane@example.com',)], 'm string')\n"
        "try:\n"
        "    velum.spark.redact_column(df, 'm').collect()\n"
        "except velum.spark.SparkEnvironmentError as e:\n"
        "    print('ERROR', e)\n"
        "s.stop()\n"
    )
    env = dict(os.environ, PYSPARK_PYTHON=other, PYSPARK_DRIVER_PYTHON=sys.executable)
    out = subprocess.run([sys.executable, str(script)], env=env, capture_output=True,
                         text=True, timeout=300)
    assert "ERROR velum.spark:" in out.stdout, out.stdout + out.stderr
    assert "PYSPARK_PYTHON=" + sys.executable in out.stdout
