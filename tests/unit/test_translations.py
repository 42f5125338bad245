"""The German and French catalogues are complete, reviewed and safe to format.

What a translator would notice in the running platform: English text in the middle of a
German page (a missing or fuzzy entry), a string added to the code but never merged into the
catalogue (run ``make messages``), or a name, number or area that vanished from a sentence
because a ``%(name)s`` placeholder was lost or misspelt.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from stengage.config import BaseConfig

TRANSLATIONS = Path(__file__).resolve().parents[2] / "stengage" / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
CATALOGUES = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))

# One printf-style conversion: %(name)s, %d, %5.2f, %% ...
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<conversion>[diouxXeEfFgGcrsa%])"
)


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _language(path: Path) -> str:
    return path.parent.parent.name


def _messages(catalog: Catalog) -> list[Message]:
    return [message for message in catalog if message.id]


def _label(message: Message) -> str:
    msgid = message.id[0] if isinstance(message.id, tuple | list) else message.id
    return f"{message.context}|{msgid}" if message.context else msgid


def _key(message: Message) -> tuple[str | None, str]:
    msgid = message.id[0] if isinstance(message.id, tuple | list) else message.id
    return message.context, msgid


def _as_list(value: str | tuple[str, ...] | list[str] | None) -> list[str]:
    if value is None:
        return []
    return list(value) if isinstance(value, tuple | list) else [value]


def _placeholders(text: str) -> Counter[tuple[str | None, str]]:
    return Counter(
        (match["name"], match["conversion"])
        for match in PLACEHOLDER.finditer(text)
        if match["conversion"] != "%"
    )


def _named(text: str) -> bool:
    return any(match["name"] is not None for match in PLACEHOLDER.finditer(text))


def _lone_percent(text: str) -> bool:
    """A "%" that is neither "%%" nor part of a named placeholder such as %(name)s."""
    rest = PLACEHOLDER.sub(lambda match: "" if match["name"] is not None or match[0] == "%%" else match[0], text)
    return "%" in rest


catalogue_params = pytest.mark.parametrize("path", CATALOGUES, ids=_language)


def test_every_language_offered_in_the_switcher_has_a_catalogue():
    languages = {_language(path) for path in CATALOGUES}
    offered = set(BaseConfig.LANGUAGES) - {BaseConfig.BABEL_DEFAULT_LOCALE}
    assert offered <= languages, f"no messages.po for {sorted(offered - languages)}: these pages stay English"


@catalogue_params
def test_no_message_is_left_untranslated(path: Path):
    untranslated = [
        _label(message) for message in _messages(_read(path))
        if not _as_list(message.string) or not all(form.strip() for form in _as_list(message.string))
    ]
    assert not untranslated, (
        f"{len(untranslated)} message(s) would show in English in {_language(path)}:\n  "
        + "\n  ".join(untranslated)
    )


@catalogue_params
def test_no_translation_is_still_marked_fuzzy(path: Path):
    catalog = _read(path)
    fuzzy = [_label(message) for message in _messages(catalog) if message.fuzzy]
    if catalog.fuzzy:
        fuzzy.insert(0, "(the header: pybabel compile skips the whole catalogue)")
    assert not fuzzy, (
        f"{len(fuzzy)} fuzzy entry(ies) in {_language(path)} are ignored at run time "
        "until someone checks them and removes the flag:\n  " + "\n  ".join(fuzzy)
    )


@catalogue_params
def test_every_string_of_the_template_is_in_the_catalogue(path: Path):
    in_catalogue = {_key(message) for message in _messages(_read(path))}
    absent = [_label(message) for message in _messages(_read(TEMPLATE)) if _key(message) not in in_catalogue]
    assert not absent, (
        f"{len(absent)} string(s) of messages.pot are missing from {_language(path)}; "
        "run `make messages` and translate them:\n  " + "\n  ".join(absent)
    )


@catalogue_params
def test_translations_keep_every_placeholder_of_the_english_text(path: Path):
    broken = []
    for message in _messages(_read(path)):
        sources = _as_list(message.id)
        translations = [form for form in _as_list(message.string) if form]
        if not translations:
            continue  # reported by test_no_message_is_left_untranslated
        if len(sources) == 1:
            expected = _placeholders(sources[0])
            for form in translations:
                found = _placeholders(form)
                if found != expected:
                    broken.append(f"{_label(message)!r}: expected {_show(expected)}, found {_show(found)}")
        else:
            # Plural forms: a form may leave out the count ("one comment"), but may not invent
            # placeholders, and together the forms must use everything the English plural uses.
            allowed = set(_placeholders(sources[0])) | set(_placeholders(sources[1]))
            used: set[tuple[str | None, str]] = set()
            for form in translations:
                found = set(_placeholders(form))
                used |= found
                if found - allowed:
                    broken.append(f"{_label(message)!r}: unknown {_show(Counter(found - allowed))} in {form!r}")
            if set(_placeholders(sources[1])) - used:
                missing = Counter(set(_placeholders(sources[1])) - used)
                broken.append(f"{_label(message)!r}: no form uses {_show(missing)}")
    assert not broken, (
        f"{len(broken)} translation(s) in {_language(path)} lose or change a placeholder:\n  " + "\n  ".join(broken)
    )


@catalogue_params
def test_percent_signs_are_written_like_in_the_english_text(path: Path):
    # A string that is %-formatted (it has placeholders, or "%%" in English) needs "%%" for a
    # literal percent sign, or the page breaks; Jinja's _() formats every string it is given.
    # A string that is never formatted shows "%%" doubled. The English text shows which applies.
    wrong = []
    for message in _messages(_read(path)):
        sources = _as_list(message.id)
        english_has_lone_percent = any(_lone_percent(source) for source in sources)
        english_is_formatted = any(_named(source) or "%%" in source for source in sources)
        for form in _as_list(message.string):
            if form and _lone_percent(form) and not english_has_lone_percent:
                wrong.append(f"{_label(message)!r}: write %% (or the word) for a literal percent sign in {form!r}")
            elif form and "%%" in form and not english_is_formatted:
                wrong.append(f"{_label(message)!r}: write a single %, as the English does, in {form!r}")
    assert not wrong, (
        f"{len(wrong)} translation(s) in {_language(path)} would break the page or show a doubled %:\n  "
        + "\n  ".join(wrong)
    )


def _show(placeholders: Counter[tuple[str | None, str]]) -> str:
    if not placeholders:
        return "none"
    return ", ".join(
        f"%({name}){conversion}" if name is not None else f"%{conversion}"
        for (name, conversion), count in sorted(placeholders.items(), key=str)
        for _ in range(count)
    )


def test_placeholder_check_notices_a_lost_or_misspelt_name():
    assert _placeholders("%(name)s ist jetzt in %(area)s.") == _placeholders("%(name)s is now in %(area)s.")
    assert _placeholders("%(name)s ist jetzt da.") != _placeholders("%(name)s is now in %(area)s.")
    assert _placeholders("%(nom)s est là.") != _placeholders("%(name)s is here.")
    assert _placeholders("%(num)s Zeichen") != _placeholders("%(num)d characters")
    assert _placeholders("100 %% erneuerbar") == Counter()
    assert _lone_percent("100 % erneuerbar")
    assert _lone_percent("Plus de 20 %")
    assert not _lone_percent("100 %% erneuerbar, %(num)d Zeichen")
