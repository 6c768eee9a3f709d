"""How quizdl writes a number for a person: one rule for demo takeaways, tables and chart axes."""

from __future__ import annotations

import math
import numbers


def format_number(value: object, digits: int = 4, *, sci_digits: int | None = None) -> str:
    """`digits` significant digits; scientific notation (`sci_digits` significant, default digits - 1)
    when very large or small; integers as they are; NaN and inf spelled out; bools as yes/no."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if not isinstance(value, numbers.Real):
        return str(value)
    x = float(value)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"
    mag = abs(x)
    if mag >= 1e5 or mag < 1e-3:
        return f"{x:.{(sci_digits if sci_digits is not None else digits - 1) - 1}e}"
    if mag >= 10 ** (digits - 1):
        return f"{x:.0f}"
    return f"{x:.{digits}g}"
