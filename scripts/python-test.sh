#!/usr/bin/env bash
# Builds the Python wheel (python/, maturin, pyo3 stable ABI) in a fresh virtual environment,
# installs it there and runs the Python tests (python/tests: API, CLI equivalence, logging,
# docstring examples, PySpark local mode). Fails when no test ran. Used by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
echo "-- cargo fmt --check, cargo clippy -D warnings (python/)"
cargo fmt --check --manifest-path python/Cargo.toml
# In the main target directory: the dependencies the main crate's clippy checked are reused.
CARGO_TARGET_DIR="$repo/target" cargo clippy --quiet --manifest-path python/Cargo.toml -- -D warnings
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# System site-packages: the pyspark that scripts/spark-test.sh installed (or finds) is seen.
python3 -m venv --system-site-packages "$work/venv"
py="$work/venv/bin/python"
"$py" -m pip install --quiet --upgrade pip
"$py" -m pip install --quiet pytest hypothesis cryptography 'pandas>=2.2,<3' 'pyarrow>=11'
"$py" -c 'import pyspark' 2>/dev/null || "$py" -m pip install --quiet 'pyspark>=3.5'
"$py" -m pip wheel --quiet --no-deps ./python -w "$work/dist"
wheel=$(ls "$work"/dist/velum_redact-*.whl)
case "$wheel" in
  *-cp39-abi3-*) ;;
  *) echo "the wheel is not for the stable ABI (cp39-abi3): $wheel"; exit 1 ;;
esac
"$py" -m pip install --quiet "$wheel"
cargo build --quiet --bin velum
log="$work/pytest.log"
# From outside the repository, so `import velum` is the installed wheel, not python/velum;
# Spark's Python workers run the same interpreter.
cd "$work"
set +e
VELUM_BIN="$repo/target/debug/velum" PYSPARK_PYTHON="$py" PYSPARK_DRIVER_PYTHON="$py" \
  "$py" -m pytest -q -p no:cacheprovider "$repo/python/tests" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
  echo "Python tests failed (exit $status)"
  exit "$status"
fi
passed=$(grep -Eo '[0-9]+ passed' "$log" | awk '{s+=$1} END {print s+0}')
if [ "$passed" -eq 0 ]; then
  echo "no Python tests ran: failing"
  exit 1
fi
echo "== $passed Python tests passed ($(basename "$wheel"))"
