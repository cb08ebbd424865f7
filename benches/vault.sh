#!/usr/bin/env bash
# Requests per second and latency percentiles of the vault service's detokenize, from
# concurrent keep-alive clients on loopback (plain HTTP; the audit log is fsynced per group
# commit as in production). Usage: benches/vault.sh [CLIENTS] [REQUESTS] [TOKENS]
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-16}
requests=${2:-20000}
tokens=${3:-1}
cargo bench --bench vault_load -- --clients "$clients" --requests "$requests" --tokens "$tokens"
