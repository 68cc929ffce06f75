"""environment.yml (conda) and pyproject.toml (pip) declare the same dependencies."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# pip's "dask[distributed]" is conda's "dask" + "distributed".
_EXTRAS = {"dask[distributed]": ["dask", "distributed"]}


def _split(spec: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-\[\]]+)\s*(.*)$", spec)
    assert m, spec
    return m.group(1).lower(), m.group(2).replace(" ", "")


def _pyproject() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    deps = data["project"]["dependencies"] + data["project"]["optional-dependencies"]["dev"]
    out: dict[str, str] = {}
    for spec in deps:
        name, version = _split(spec)
        for n in _EXTRAS.get(name, [name]):
            out[n] = version
    return out


def _environment() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for item in env["dependencies"]:
        specs = item["pip"] if isinstance(item, dict) else [item]
        for spec in specs:
            if spec.startswith("-e") or spec.split("=")[0] in ("python", "pip"):
                continue
            name, version = _split(spec)
            out[name] = version
    return out


def test_environment_yml_matches_pyproject():
    assert _environment() == _pyproject()


def test_python_version_agrees():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert "python=3.11" in env["dependencies"]
    assert data["project"]["requires-python"].startswith(">=3.11")
