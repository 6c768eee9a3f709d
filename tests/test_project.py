"""Promises about the project itself: the README's commands, CI, and what the wheel ships."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.+?)\n```", text, flags=re.S)[:2]


def test_readme_opens_with_the_install_and_test_commands() -> None:
    install, test = readme_commands()
    assert install == "pip install . && quizdl quiz"
    assert "pytest" in test and ".[test]" in test


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1] in ci.splitlines()
    assert ci.startswith("#!/usr/bin/env bash") and "set -euo pipefail" in ci


def test_every_package_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "quizdl").rglob("__init__.py")} | {
        "quizdl.bank_data"
    }
    assert listed == found


def test_the_wheel_ships_the_bank_and_the_migrations(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("quizdl-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    questions = {p.name for p in (ROOT / "questions").glob("*.yaml")}
    assert {f"quizdl/bank_data/{q}" for q in questions} <= names
    assert "quizdl/bank_data/sources/manifest.yaml" in names
    assert {"quizdl/store/migrations/env.py", "quizdl/store/migrations/versions/0001_initial.py"} <= names
