"""Moments as readers see them: their zone, their language's formats, the zone named."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from flask_babel import force_locale

from stengage.core.i18n import force_timezone
from stengage.core.moments import format_moment, machine_time, moment, moment_text

WINTER = datetime(2026, 12, 3, 13, 5, 42, 123456, tzinfo=UTC)
SUMMER = datetime(2026, 6, 1, 10, 5, tzinfo=UTC)


@pytest.mark.parametrize(("locale", "expected"), [
    ("en", "Dec 3, 2026, 2:05\u202fPM CET"),  # CLDR: a narrow no-break space
    ("de", "03.12.2026, 14:05 CET"),
    ("fr", "3 déc. 2026, 14:05 CET"),
    ("es", "3 dic 2026, 14:05 CET"),
    ("it", "3 dic 2026, 14:05 CET"),
    ("bg", "3.12.2026\u202f\u0433., 14:05 CET"),  # the Bulgarian "year" abbreviation
])
def test_a_moment_reads_in_the_locales_format_with_its_zone(locale, expected):
    assert format_moment(WINTER, locale, "Europe/Vienna") == expected


def test_the_zone_decides_the_hour_and_the_label_summer_time_included():
    assert format_moment(SUMMER, "de", "Europe/Vienna") == "01.06.2026, 12:05 CEST"
    assert format_moment(WINTER, "de", "Asia/Tokyo") == "03.12.2026, 22:05 JST"
    assert format_moment(WINTER, "en", "Europe/Sofia").endswith("3:05\u202fPM EET")
    assert format_moment(WINTER, "de", "UTC") == "03.12.2026, 13:05 UTC"


def test_a_zone_without_an_abbreviation_is_named_by_its_offset():
    assert format_moment(WINTER, "de", "Europe/Istanbul") == "03.12.2026, 16:05 UTC+03"


def test_dates_and_times_alone():
    assert format_moment(WINTER, "de", "Asia/Tokyo", "date") == "03.12.2026"
    assert format_moment(datetime(2026, 12, 3, 20, 0, tzinfo=UTC), "de", "Asia/Tokyo", "date") == "04.12.2026"
    assert format_moment(WINTER, "fr", "Europe/Paris", "time") == "14:05 CET"


def test_the_machine_readable_time_is_utc_in_whole_seconds():
    assert machine_time(WINTER) == "2026-12-03T13:05:42Z"
    assert machine_time(WINTER.astimezone(timezone(timedelta(hours=5)))) == "2026-12-03T13:05:42Z"
    assert machine_time(datetime(2026, 12, 3, 13, 5)) == "2026-12-03T13:05:00Z"  # a naive value is UTC


def test_the_moment_filter_renders_a_time_element_in_the_language_and_zone_in_force(app):
    with app.test_request_context("/"), force_locale("de"), force_timezone("Europe/Vienna"):
        html = str(moment(WINTER, class_="muted"))
        assert html == '<time datetime="2026-12-03T13:05:42Z" class="muted">03.12.2026, 14:05 CET</time>'
        with force_locale("en"), force_timezone("America/New_York"):
            assert moment_text(WINTER) == "Dec 3, 2026, 8:05\u202fAM EST"
        assert moment_text(WINTER) == "03.12.2026, 14:05 CET"  # and back
    assert str(moment(None)) == "" and moment_text(None) == ""
