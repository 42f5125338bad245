"""Cells that are safe to open in a spreadsheet: no formulas, no control characters, one line."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A spreadsheet runs a cell starting with one of these as a formula (=HYPERLINK(...), @SUM, ...).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: object) -> str | int | float:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float) or value is None:
        return "" if value is None else value
    text = _CONTROL.sub("", str(value)).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text
