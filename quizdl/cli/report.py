"""`quizdl report`, `quizdl export`, `quizdl import`: progress reports and backups (being built)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    return None
