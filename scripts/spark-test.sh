#!/usr/bin/env bash
# Runs velum on Apache Spark (PySpark local mode) and checks the result equals a local run.
# Installs pyspark from PyPI if missing; needs Java 17 (on the machine). Used by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python3 -c 'import pyspark' 2>/dev/null; then
  python3 -m pip install --quiet 'pyspark>=3.5'
fi
cargo build --quiet --bin velum
velum="$(pwd)/target/debug/velum"
export PYSPARK_PYTHON=python3
timeout 900 python3 tests/spark/redact_on_spark.py "$velum" "$(pwd)"
