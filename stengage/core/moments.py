"""Moments as a reader sees them: in their time zone, in their language's formats, with the zone named.

``format_moment(when, locale, zone)`` gives "Dec 3, 2026, 2:05 PM CET" (en), "03.12.2026, 14:05 CET"
(de), "3 déc. 2026, 14:05 CET" (fr): the locale's medium date and short time joined by the locale's
pattern (Babel, CLDR), then the zone's abbreviation. The ``|moment`` filter wraps it in
``<time datetime="2026-12-03T13:05:00Z">`` (UTC, whole seconds, as the HTML standard wants).

Pages show hundreds of these (long threads): each distinct day and each minute of the day is formatted
once per (locale, zone) and remembered for the request.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from flask import g, has_app_context
from flask_babel import get_locale, get_timezone
from markupsafe import Markup

Style = Literal["datetime", "date", "time"]


def as_utc(when: datetime) -> datetime:
    """Stored moments are UTC; one without a zone (an old SQLite row) is read as UTC too."""
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def machine_time(when: datetime) -> str:
    """``2026-12-03T13:05:00Z``: the value of a ``datetime`` attribute (no microseconds)."""
    return as_utc(when).strftime("%Y-%m-%dT%H:%M:%SZ")


def zone_label(local: datetime) -> str:
    """The zone's abbreviation at that moment (CET, CEST, EET, JST, UTC); a zone with none is named
    by its offset (UTC+03)."""
    name = local.tzname() or "UTC"
    return f"UTC{name}" if name[:1] in "+-" else name


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=16)
def _locale(code: str) -> Locale:
    return Locale.parse(code)


class _Formatter:
    """Formats moments for one locale and zone, each day and each minute once."""

    def __init__(self, locale: str, zone: str) -> None:
        self.locale = _locale(locale)
        self.zone = _zone(zone)
        self.joiner = str(self.locale.datetime_formats["medium"])
        self.days: dict[date, str] = {}
        self.minutes: dict[tuple[int, int], str] = {}

    def day(self, day: date) -> str:
        text = self.days.get(day)
        if text is None:
            text = self.days[day] = format_date(day, "medium", locale=self.locale)
        return text

    def minute(self, hour: int, minute: int) -> str:
        text = self.minutes.get((hour, minute))
        if text is None:
            text = self.minutes[(hour, minute)] = format_time(time(hour, minute), "short", locale=self.locale)
        return text

    def format(self, when: datetime, style: Style = "datetime") -> str:
        local = as_utc(when).astimezone(self.zone)
        if style == "date":
            return self.day(local.date())
        clock = f"{self.minute(local.hour, local.minute)} {zone_label(local)}"
        if style == "time":
            return clock
        return self.joiner.replace("{1}", self.day(local.date())).replace("{0}", clock)


def format_moment(when: datetime, locale: str, zone: str, style: Style = "datetime") -> str:
    """``when`` for a reader of ``locale`` in ``zone`` (no request needed: CLI, jobs, tests)."""
    return _Formatter(locale, zone).format(when, style)


def _current_formatter() -> _Formatter:
    """The formatter of the language and zone in force now (the page's, or a mail's reader's)."""
    locale, zone = str(get_locale() or "en"), str(get_timezone() or "UTC")
    if not has_app_context():
        return _Formatter(locale, zone)
    formatters = g.setdefault("_moment_formatters", {})
    formatter = formatters.get((locale, zone))
    if formatter is None:
        formatter = formatters[(locale, zone)] = _Formatter(locale, zone)
    return formatter


def moment_text(when: datetime | None, style: Style = "datetime") -> str:
    """``when`` as text in the language and zone in force (plain-text mails, files)."""
    if when is None:
        return ""
    return _current_formatter().format(when, style)


def moment(when: datetime | None, style: Style = "datetime", **attributes: Any) -> Markup:
    """``<time datetime="…Z">3 Dec 2026, 14:05 CET</time>``; ``class_="muted"`` adds a class."""
    if when is None:
        return Markup("")
    css = attributes.get("class_")
    klass = Markup(' class="%s"') % css if css else Markup("")
    return Markup('<time datetime="%s"%s>%s</time>') % (machine_time(when), klass, moment_text(when, style))
