"""One language and one time zone per person, for every page, mail and file.

The language, in this order (``locale_for``):

1. the person's own choice (My account or the language switch, stored on the user);
2. the language they registered in;
3. the visitor's choice (the language switch's cookie), for the person making the request;
4. the browser's Accept-Language, for the person making the request;
5. the area's default language: a logged-in person's own area (where they are a member), else
   the area of the page; else the platform's default.

Steps 3 and 4 describe the one who asks for the page: a mail or file for someone else never takes
the language of whoever happened to trigger it.

The time zone (``timezone_for``): the person's choice, else their own area's, else the area of the
page (or of the mail's subject), else the platform's default.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import available_timezones

from flask import current_app, g, has_request_context, request
from flask_babel import force_locale, get_locale, refresh
from flask_login import current_user
from werkzeug.wrappers import Response

if TYPE_CHECKING:
    from stengage.accounts.models import User
    from stengage.areas.models import Area

LANGUAGE_NAMES = {
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "it": "Italiano",
    "bg": "Български",
}
# The language switch's choice for visitors (and kept across logging in and out).
LANGUAGE_COOKIE = "stengage_lang"
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600


def supported_languages() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def _default_locale() -> str:
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def _is_requester(user: User | None) -> bool:
    """Whether ``user`` is the one asking for the current page (None: an anonymous visitor)."""
    if not has_request_context():
        return False
    if user is None:
        return not (current_user and current_user.is_authenticated)
    return bool(current_user and current_user.is_authenticated and current_user.id == user.id)


def own_area(user: User | None) -> Area | None:
    """A person's own area: where they are a verified member, else any area they belong to."""
    if user is None:
        return None
    memberships = list(user.memberships)
    chosen = next((m for m in memberships if m.is_verified), None) or next(iter(memberships), None)
    return chosen.area if chosen is not None else None


def visitor_choice() -> str | None:
    """The language the switch stored in this browser's cookie, if it is one we speak."""
    if not has_request_context():
        return None
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in supported_languages() else None


def browser_choice() -> str | None:
    if not has_request_context():
        return None
    return request.accept_languages.best_match(supported_languages())


def _page_area_locale() -> str | None:
    return g.get("area_locale") if has_request_context() else None


def automatic_locale(user: User | None, area: Area | None = None) -> str:
    """The language the rule gives ``user`` when they have chosen none (steps 2 to 5)."""
    languages = supported_languages()
    if user is not None and user.registered_locale in languages:
        return user.registered_locale
    if _is_requester(user):
        chosen = visitor_choice() or browser_choice()
        if chosen:
            return chosen
    home = own_area(user)
    for candidate in (home.default_locale if home is not None else None,
                      area.default_locale if area is not None else None, _page_area_locale()):
        if candidate in languages:
            return str(candidate)
    return _default_locale()


def locale_for(user: User | None, area: Area | None = None) -> str:
    """The one language of ``user`` (None: the anonymous visitor of this request).

    ``area`` is the area a mail or file is about, used only when nothing else decides."""
    if user is not None and user.locale in supported_languages():
        return str(user.locale)
    return automatic_locale(user, area)


def valid_timezone(name: str | None) -> bool:
    return bool(name) and name in _timezone_names()


@lru_cache(maxsize=1)
def _timezone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def timezone_choices() -> list[str]:
    """The zones a person may choose, sorted (the "Region/City" names; no legacy aliases)."""
    return sorted(name for name in _timezone_names()
                  if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/")))


def timezone_for(user: User | None, area: Area | None = None) -> str:
    """The time zone in which ``user`` reads times: theirs, their area's, the page's, the default."""
    if user is not None and valid_timezone(user.timezone):
        return str(user.timezone)
    return automatic_timezone(user, area)


def automatic_timezone(user: User | None, area: Area | None = None) -> str:
    """The zone ``user`` gets when they have chosen none."""
    for candidate in (own_area(user), area):
        if candidate is not None and valid_timezone(candidate.timezone):
            return str(candidate.timezone)
    page_zone = g.get("area_timezone") if has_request_context() else None
    if valid_timezone(page_zone):
        return str(page_zone)
    return str(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _reader() -> User | None:
    if current_user and current_user.is_authenticated:
        return current_user._get_current_object()  # type: ignore[no-any-return]
    return None


def select_locale() -> str:
    """Flask-Babel's locale for this request: the rule, for whoever asks."""
    if not has_request_context():  # the CLI and jobs choose with force_locale()/for_reader()
        return _default_locale()
    return locale_for(_reader())


def select_timezone() -> str:
    if not has_request_context():
        return str(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return timezone_for(_reader())


def use_area_defaults(area: Any) -> None:
    """This request shows one area's content: where nothing closer to the reader decides, it speaks
    the area's language and shows its time zone. Area URLs say so before the view runs; a proposal's
    pages once it is loaded."""
    if g.get("area_locale") == area.default_locale and g.get("area_timezone") == area.timezone:
        return
    g.area_locale, g.area_timezone = area.default_locale, area.timezone
    refresh()  # Flask-Babel may have chosen both already


@contextmanager
def force_timezone(zone: str) -> Iterator[None]:
    """Like Flask-Babel's ``force_locale``, for the time zone (mails and files for someone else)."""
    from flask_babel import _get_current_context
    from pytz import timezone as pytz_timezone

    ctx = _get_current_context()
    if ctx is None:
        yield
        return
    before = getattr(ctx, "babel_tzinfo", None)
    ctx.babel_tzinfo = pytz_timezone(zone)
    try:
        yield
    finally:
        if before is None:
            if hasattr(ctx, "babel_tzinfo"):
                del ctx.babel_tzinfo
        else:
            ctx.babel_tzinfo = before


@contextmanager
def for_reader(user: User | None, area: Area | None = None) -> Iterator[tuple[str, str]]:
    """Render inside this block in ``user``'s language and time zone (mails, files)."""
    locale, zone = locale_for(user, area), timezone_for(user, area)
    with force_locale(locale), force_timezone(zone):
        yield locale, zone


def remember_language(response: Response, locale: str | None) -> None:
    """Keep the switch's choice in this browser (or forget it: None)."""
    if not locale:
        response.delete_cookie(LANGUAGE_COOKIE)
        return
    response.set_cookie(LANGUAGE_COOKIE, locale, max_age=LANGUAGE_COOKIE_SECONDS, httponly=True, samesite="Lax",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))


def language_name(code: str | None) -> str:
    return LANGUAGE_NAMES.get(code or "", code or "")


def current_language_name() -> str:
    locale = get_locale()
    return language_name(locale.language if locale is not None else _default_locale())
