"""velum.pandas.redact_dataframe: column names as context, the same rows as the CLI."""

import csv
import io

import pytest

pd = pytest.importorskip("pandas")

import velum.pandas  # noqa: E402
from conftest import run_cli  # noqa: E402


def test_a_dataframe_is_redacted_as_the_cli_redacts_its_csv(velum_bin):
    df = pd.DataFrame(
        {
            "first_name": ["Jane", "Olu", None],
            "ssn": [536904399.0, 536904310.0, float("nan")],
            "account_number": ["0001234567", "0009876543", None],
            "nhs_number": ["9434765919", "943 476 5919", None],
            "age": [41, 52, 60],
        }
    )
    out = velum.pandas.redact_dataframe(df)
    text = df.to_csv(index=False)
    cli = run_cli(velum_bin, ["redact", "--format", "csv"], text.encode()).decode()
    cli_rows = list(csv.reader(io.StringIO(cli)))[1:]
    for i in range(2):
        assert [str(v) for v in out.iloc[i]] == cli_rows[i]
    assert out["age"].tolist() == [41, 52, 60] and out["age"].dtype == df["age"].dtype
    assert out.iloc[2]["first_name"] is None
    assert df.iloc[0]["first_name"] == "Jane", "the input is not changed"
    only = velum.pandas.redact_dataframe(df, columns=["ssn"])
    assert only["first_name"].tolist()[:2] == ["Jane", "Olu"]
    assert only["ssn"].tolist()[:2] == ["*****4399", "*****4310"]
    with pytest.raises(ValueError, match="no column"):
        velum.pandas.redact_dataframe(df, columns=["nope"])
