"""Where data lives and the learner's settings: defaults < config.toml in the data dir < environment < options."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from quizdl.errors import QuizdlError

DEFAULT_NEW_PER_DAY = 10
DEFAULT_ROLLOVER_HOUR = 4
CONFIG_KEYS = {"db", "profile", "new_per_day", "rollover_hour", "timezone", "bank"}


def data_dir() -> Path:
    """QUIZDL_HOME, or the platform's user data directory (e.g. ~/.local/share/quizdl)."""
    home = os.environ.get("QUIZDL_HOME")
    if home:
        return Path(home).expanduser()
    from platformdirs import user_data_path

    return user_data_path("quizdl", appauthor=False)


@dataclass(frozen=True)
class Settings:
    db_url: str
    profile: str = "default"
    new_per_day: int = DEFAULT_NEW_PER_DAY
    rollover_hour: int = DEFAULT_ROLLOVER_HOUR
    timezone: str | None = None
    bank_paths: tuple[Path, ...] = field(default_factory=tuple)


def _read_config_file(path: Path) -> dict[str, object]:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise QuizdlError(f"{path}: not valid TOML ({err}); fix or delete the file") from None
    unknown = set(data) - CONFIG_KEYS
    if unknown:
        raise QuizdlError(f"{path}: unknown setting {sorted(unknown)[0]!r}; known: {', '.join(sorted(CONFIG_KEYS))}")
    return data


def _int_setting(value: object, name: str, lo: int, hi: int) -> int:
    try:
        number = int(str(value))
    except ValueError:
        number = None  # type: ignore[assignment]
    if number is None or not lo <= number <= hi:
        raise QuizdlError(f"{name} must be a whole number from {lo} to {hi}, got {value!r}")
    return number


def load_settings(
    *, db: str | None = None, profile: str | None = None, new_per_day: int | None = None,
    bank: list[Path] | None = None,
) -> Settings:  # fmt: skip
    home = data_dir()
    file = _read_config_file(home / "config.toml")
    env = os.environ
    db_url = db or env.get("QUIZDL_DB") or str(file.get("db") or "") or f"sqlite:///{home / 'quizdl.db'}"
    name = profile or env.get("QUIZDL_PROFILE") or str(file.get("profile") or "default")
    if not name.strip() or len(name) > 100:
        raise QuizdlError("--profile must be a non-empty name of at most 100 characters")
    per_day = new_per_day if new_per_day is not None else env.get("QUIZDL_NEW_PER_DAY", file.get("new_per_day"))
    rollover = env.get("QUIZDL_ROLLOVER_HOUR", file.get("rollover_hour", DEFAULT_ROLLOVER_HOUR))
    file_banks = file.get("bank", [])
    if isinstance(file_banks, str):
        file_banks = [file_banks]
    banks = [Path(str(p)).expanduser() for p in (*list(file_banks), *(bank or []))]  # type: ignore[arg-type]
    return Settings(
        db_url=db_url,
        profile=name.strip(),
        new_per_day=_int_setting(per_day if per_day is not None else DEFAULT_NEW_PER_DAY, "new_per_day", 0, 10_000),
        rollover_hour=_int_setting(rollover, "rollover_hour", 0, 23),
        timezone=env.get("QUIZDL_TZ") or (str(file["timezone"]) if "timezone" in file else None),
        bank_paths=tuple(banks),
    )
