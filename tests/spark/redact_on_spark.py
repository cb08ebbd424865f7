"""velum on Apache Spark with no custom code: `rdd.pipe("velum redact ...")` over a dataset,
checked line for line against `velum redact` run locally; and `velum tokenize` with the
keyring shipped to the workers through `SparkContext.addFile`, checked against local tokens
(tokens are deterministic, so every worker makes the same token for the same value).

Run by scripts/spark-test.sh (PySpark local mode, Java 17). Arguments: VELUM_BINARY REPO_ROOT
"""
import os
import shlex
import subprocess
import sys
import tempfile

from pyspark import SparkFiles
from pyspark.sql import SparkSession

velum, root = sys.argv[1], sys.argv[2]
data = [os.path.join(root, "tests/data/pii_sample.log"), os.path.join(root, "examples/app.log")]
policy = os.path.join(root, "policies/default.toml")


def local(args, path):
    with open(path, "rb") as f:
        out = subprocess.run([velum, *args], stdin=f, capture_output=True, check=True)
    return out.stdout.decode("utf-8").splitlines()


spark = (
    SparkSession.builder.master("local[2]")
    .appName("velum-spark-test")
    .config("spark.ui.enabled", "false")
    .getOrCreate()
)
sc = spark.sparkContext
sc.setLogLevel("ERROR")

failures = 0
for path in data:
    # Several partitions, so several velum processes each see part of the file.
    rdd = sc.textFile(path, minPartitions=4)
    got = rdd.pipe(f"{shlex.quote(velum)} redact --policy {shlex.quote(policy)}").collect()
    want = local(["redact", "--policy", policy], path)
    if got != want:
        failures += 1
        print(f"MISMATCH redact {path}: {len(got)} vs {len(want)} lines", file=sys.stderr)
    else:
        print(f"ok redact {os.path.basename(path)}: {len(got)} lines, {rdd.getNumPartitions()} partitions")

# Tokens: one keyring for the whole job, shipped with it.
with tempfile.TemporaryDirectory() as tmp:
    keys = os.path.join(tmp, "keys.json")
    subprocess.run([velum, "keygen", "--out", keys], check=True, capture_output=True)
    sc.addFile(keys)
    # On each worker: copy the shipped keyring to a private file (mode 0600, as velum requires)
    # and tokenise with it.
    cmd = (
        "sh -c 'umask 077; k=$(mktemp); trap \"rm -f $k\" EXIT; "
        "cat \"$VELUM_SHIPPED_KEYRING\" > \"$k\"; "
        f"{shlex.quote(velum)} tokenize --keyring \"$k\"'"
    )
    path = data[0]
    rdd = sc.textFile(path, minPartitions=4)
    got = rdd.pipe(cmd, env={"VELUM_SHIPPED_KEYRING": SparkFiles.get("keys.json")}).collect()
    want = local(["tokenize", "--keyring", keys], path)
    tokens = sum(line.count("VLM_") for line in got)
    if got != want or tokens == 0:
        failures += 1
        print(f"MISMATCH tokenize: {len(got)} vs {len(want)} lines, {tokens} tokens", file=sys.stderr)
    else:
        print(f"ok tokenize {os.path.basename(path)}: {tokens} tokens identical to local")

spark.stop()
sys.exit(1 if failures else 0)
