"""The report as JSON data (schema in docs/reports.md): the same figures as every other format."""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from datetime import date
from typing import Any

from quizdl.reports.stats import ClassReport, DayCount, Report, TopicRow

REPORT_SCHEMA = "quizdl.report/1"
CLASS_SCHEMA = "quizdl.class-report/1"


def plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, TopicRow):
        return {**{f.name: plain(getattr(value, f.name)) for f in fields(value)}, "mastery": value.mastery}
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _series(days: list[DayCount]) -> dict[str, Any]:
    """A run of consecutive days as {"start": first day, "counts": [one count per day]}."""
    return {"start": days[0].day.isoformat() if days else None, "counts": [d.count for d in days]}


def report_data(report: Report) -> dict[str, Any]:
    data = plain(report)
    data["forecast"] = _series(report.forecast)
    data["heatmap"] = _series(report.heatmap)
    return {"schema": REPORT_SCHEMA, **data}


def class_report_data(report: ClassReport) -> dict[str, Any]:
    return {"schema": CLASS_SCHEMA, **plain(report)}


def render_json(report: Report | ClassReport) -> str:
    data = report_data(report) if isinstance(report, Report) else class_report_data(report)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
