"""Where data lives and the learner's settings: defaults < config.toml in the data dir < environment < options."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from quizdl.errors import QuizdlError
from quizdl.srs.queue import NEW_ORDERS
from quizdl.vocab import MAX_PROFILE_NAME, SchedulerName

DEFAULT_NEW_PER_DAY = 10
DEFAULT_ROLLOVER_HOUR = 4


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
    new_order: str = "interleaved"
    scheduler: str | None = None  # config key `scheduler` / QUIZDL_SCHEDULER: applied to the profile by `quiz`


# config.toml key -> what its value must be
CONFIG_TYPES: dict[str, str] = {
    "db": "text", "profile": "text", "timezone": "text", "new_per_day": "whole number",
    "rollover_hour": "whole number", "bank": "a path or a list of paths", "new_order": "text",
    "scheduler": "text",
}  # fmt: skip

CONFIG_KEYS = set(CONFIG_TYPES)


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
    for key, value in data.items():
        expected = CONFIG_TYPES[key]
        if expected == "text":
            ok = isinstance(value, str) and bool(value.strip())
        elif expected == "whole number":
            ok = isinstance(value, int) and not isinstance(value, bool)
        else:
            ok = (isinstance(value, str) and bool(value.strip())) or (
                isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)
            )
        if not ok:
            example = {"text": '"..."', "whole number": "10", "a path or a list of paths": '["my-cards.yaml"]'}
            raise QuizdlError(f"{path}: {key} must be {expected}, got {value!r} (e.g. {key} = {example[expected]})")
    return data


def _int_setting(value: object, name: str, lo: int, hi: int) -> int:
    """`name` is what the user wrote the value as: the option, the environment variable or the config key."""
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
    config = home / "config.toml"
    file = _read_config_file(config)
    env = os.environ
    db_url = db or env.get("QUIZDL_DB") or str(file.get("db") or "") or f"sqlite:///{home / 'quizdl.db'}"
    name = profile or env.get("QUIZDL_PROFILE") or str(file.get("profile") or "default")
    if not name.strip() or len(name) > MAX_PROFILE_NAME:
        raise QuizdlError(f"--profile must be a non-empty name of at most {MAX_PROFILE_NAME} characters")
    if new_per_day is not None:
        per_day, per_day_name = new_per_day, "--new"
    elif "QUIZDL_NEW_PER_DAY" in env:
        per_day, per_day_name = env["QUIZDL_NEW_PER_DAY"], "QUIZDL_NEW_PER_DAY"
    else:
        per_day, per_day_name = file.get("new_per_day", DEFAULT_NEW_PER_DAY), f"{config}: new_per_day"
    if "QUIZDL_ROLLOVER_HOUR" in env:
        rollover, rollover_name = env["QUIZDL_ROLLOVER_HOUR"], "QUIZDL_ROLLOVER_HOUR"
    else:
        rollover, rollover_name = file.get("rollover_hour", DEFAULT_ROLLOVER_HOUR), f"{config}: rollover_hour"
    file_banks = file.get("bank", [])
    if isinstance(file_banks, str):
        file_banks = [file_banks]
    banks = [Path(str(p)).expanduser() for p in (*list(file_banks), *(bank or []))]  # type: ignore[arg-type]
    if "QUIZDL_NEW_ORDER" in env:
        new_order, order_name = env["QUIZDL_NEW_ORDER"], "QUIZDL_NEW_ORDER"
    else:
        new_order, order_name = str(file.get("new_order", "interleaved")), f"{config}: new_order"
    if new_order not in NEW_ORDERS:
        raise QuizdlError(f"{order_name} must be one of {', '.join(NEW_ORDERS)}, got {new_order!r}")
    if "QUIZDL_SCHEDULER" in env:
        scheduler, scheduler_name = env["QUIZDL_SCHEDULER"], "QUIZDL_SCHEDULER"
    else:
        scheduler, scheduler_name = (str(file["scheduler"]) if "scheduler" in file else None), f"{config}: scheduler"
    if scheduler is not None and scheduler not in tuple(SchedulerName):
        raise QuizdlError(f"{scheduler_name} must be sm2 or fsrs, got {scheduler!r}")
    return Settings(
        new_order=new_order,
        scheduler=scheduler,
        db_url=db_url,
        profile=name.strip(),
        new_per_day=_int_setting(per_day, per_day_name, 0, 10_000),
        rollover_hour=_int_setting(rollover, rollover_name, 0, 23),
        timezone=env.get("QUIZDL_TZ") or (str(file["timezone"]) if "timezone" in file else None),
        bank_paths=tuple(banks),
    )
