"""Shared fixtures: the `velum` CLI (to compare with), a keyring and a vault policy."""

import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


def _cli() -> pathlib.Path:
    env = os.environ.get("VELUM_BIN")
    if env:
        return pathlib.Path(env)
    for profile in ("release", "debug"):
        p = REPO / "target" / profile / "velum"
        if p.exists():
            return p
    subprocess.run(["cargo", "build", "--quiet", "--bin", "velum"], cwd=REPO, check=True)
    return REPO / "target" / "debug" / "velum"


@pytest.fixture(scope="session")
def velum_bin() -> pathlib.Path:
    return _cli()


def run_cli(velum_bin, args, data: bytes, **env) -> bytes:
    out = subprocess.run(
        [str(velum_bin), *args],
        input=data,
        capture_output=True,
        env={**os.environ, **env},
        check=True,
    )
    return out.stdout


@pytest.fixture(scope="session")
def keyring(tmp_path_factory, velum_bin) -> pathlib.Path:
    path = tmp_path_factory.mktemp("keys") / "keyring.json"
    subprocess.run([str(velum_bin), "keygen", "--out", str(path)], check=True, capture_output=True)
    return path


@pytest.fixture(scope="session")
def vault_policy() -> pathlib.Path:
    return REPO / "examples" / "vault-policy.toml"


SUPPORT_KEY = "support-demo-key"
FRAUD_KEY = "fraud-demo-key"
