"""Reading what a request carries, once and typed.

Numbers (ids, page numbers, sizes, versions) are ASCII digits within bounds; anything else that
was sent is refused with a clear 400, never read as something else (``٣`` is no 3, ``²`` no 2) and
never passed on to the database. Text in the path or the query string may hold no control
characters (NUL included); form text is checked by the forms themselves (``core.forms``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask import Flask, request
from flask_babel import gettext
from werkzeug.exceptions import BadRequest

ASCII_DIGITS = re.compile(r"[0-9]{1,9}")
ASCII_DECIMAL = re.compile(r"-?[0-9]{1,9}(\.[0-9]{1,17})?")
# C0 controls (NUL included), DEL, the C1 controls, and the invisible formatting characters that
# turn the direction of the text around them (bidirectional embeddings, overrides and isolates:
# a title with U+202E reverses what follows it on every page) and the byte-order mark.
_FORMATTING = "\u202a-\u202e\u2066-\u2069\ufeff"
CONTROL = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_FORMATTING}]")
# In form text a line break or a tab is ordinary; every other control character is refused.
CONTROL_IN_TEXT = re.compile(f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f{_FORMATTING}]")
LARGEST_ID = 2**31 - 1
LARGEST_PAGE = 1_000_000
LARGEST_PAGE_SIZE = 100


class BadInput(BadRequest):
    """A 400 whose description tells the visitor what was wrong with what they sent."""


def parse_number(raw: str | None, *, low: int = 1, high: int = LARGEST_ID) -> int | None:
    """``raw`` as a whole number in [low, high] written in ASCII digits, else None."""
    if raw is None or not ASCII_DIGITS.fullmatch(raw):
        return None
    value = int(raw)
    return value if low <= value <= high else None


def parse_decimal(raw: str | None, *, low: float, high: float) -> float | None:
    """``raw`` as a decimal number in [low, high] written in ASCII (``-12.5``: no exponent, no
    ``nan`` or ``inf``, no other digits), else None."""
    if raw is None or not ASCII_DECIMAL.fullmatch(raw):
        return None
    value = float(raw)
    return value if low <= value <= high else None


def arg_number(name: str, default: int | None = None, *, low: int = 1, high: int = LARGEST_PAGE) -> int | None:
    """The query argument ``name`` as a number; ``default`` when it is absent; a 400 when it is no
    number in [low, high]."""
    raw = request.args.get(name)
    if raw is None:
        return default
    value = parse_number(raw, low=low, high=high)
    if value is None:
        raise _no_number(name, low, high)
    return value


def _no_number(name: str, low: int, high: int) -> BadInput:
    return BadInput(gettext("“%(name)s” must be a whole number from %(low)d to %(high)d.",
                            name=name, low=low, high=high))


def page_number(name: str = "page") -> int:
    """The page asked for in the query string (1 when none is asked for)."""
    return arg_number(name, 1) or 1


def form_numbers(values: Iterable[str], *, low: int = 1, high: int = LARGEST_ID) -> list[int]:
    """Several ids sent with a form; a 400 if any is no id."""
    numbers = [parse_number(v, low=low, high=high) for v in values]
    if any(n is None for n in numbers):
        raise BadInput(gettext("The form sent something that is not a valid choice."))
    return [n for n in numbers if n is not None]


def has_control_characters(text: str, *, in_form_text: bool = False) -> bool:
    return bool((CONTROL_IN_TEXT if in_form_text else CONTROL).search(text))


# Query arguments that mean a page number or a page size on every page of the site. Flask-SQLAlchemy's
# ``paginate()`` reads them by itself when a view passes none (and passes a huge one on to the
# database), so they are checked for every request, whatever the view does with them.
PAGE_ARGUMENTS = {"page": LARGEST_PAGE, "per_page": LARGEST_PAGE_SIZE}


def init_input_guard(app: Flask) -> None:
    # A URL value preprocessor, registered before any other: those may read the database.
    @app.url_value_preprocessor
    def _check_address(_endpoint: str | None, _values: dict[str, object] | None) -> None:
        # The path and the query string are read by many views: refuse what none of them can mean
        # (control characters anywhere; a page number or size that is none)
        # before any of them (or the database) sees it.
        if has_control_characters(request.path):
            raise _control_in_address()
        for name, value in request.args.items(multi=True):
            if has_control_characters(name) or has_control_characters(value):
                raise _control_in_address()
            high = PAGE_ARGUMENTS.get(name)
            if high is not None and parse_number(value, high=high) is None:
                raise _no_number(name, 1, high)


def _control_in_address() -> BadInput:
    return BadInput(gettext("The address contains characters that cannot be used (control characters)."))
