# Shared by the benchmark scripts (sourced, from the repository's top).
# bench_python: prints a python with Faker 40.63.0, which ../shared/bench's generator needs,
# made once in target/bench-venv.
bench_python() {
  local venv=target/bench-venv
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import faker' 2>/dev/null; then
    python3 -m venv "$venv" >&2 && "$venv/bin/pip" install -q Faker==40.63.0 >&2
  fi
  echo "$venv/bin/python"
}
