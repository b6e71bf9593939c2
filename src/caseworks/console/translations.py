"""The console's languages: English (the msgids) and Norwegian Bokmål, from one .po catalog per
area in `locales/nb/LC_MESSAGES/`, all read and merged at start-up (no compiled .mo files).

The language of a request: the signed-in user's own choice, else the `caseworks_language`
cookie (a signed-out visitor's choice), else the best of `Accept-Language`, else English.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LOCALES = Path(__file__).parent / "locales"
LANGUAGES = ("en", "nb")
LANGUAGE_NAMES = {"en": "English", "nb": "Norsk bokmål"}  # each in its own language
LANGUAGE_COOKIE = "caseworks_language"
# Tags that mean Bokmål to us: Norwegian without a written standard named is Bokmål in practice.
_ALIASES = {"nb": "nb", "no": "nb", "en": "en"}


def N_(message: str) -> str:
    """Marks a string in Python for the catalogs; it is translated where it is shown."""
    return message


@cache
def catalog(locale: str) -> dict[str, str]:
    """msgid → translation, merged from every area's .po file of ``locale`` (English: empty)."""
    merged: dict[str, str] = {}
    for po_file in sorted((LOCALES / locale / "LC_MESSAGES").glob("*.po")):
        with po_file.open("rb") as stream:
            for message in read_po(stream, locale=locale):
                if message.id and isinstance(message.id, str) and message.string:
                    merged[message.id] = str(message.string)
    return merged


def translate(locale: str, message: str) -> str:
    return catalog(locale).get(message, message) if locale != "en" else message


def negotiate(accept_language: str | None) -> str:
    """The best of `en`/`nb` for an `Accept-Language` header (English when none fits)."""
    choices: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, parameters = part.strip().partition(";")
        quality = 1.0
        if parameters.strip().startswith("q="):
            try:
                quality = float(parameters.strip()[2:])
            except ValueError:
                continue
        language = _ALIASES.get(tag.strip().lower().replace("_", "-").split("-")[0])
        if language and quality > 0:
            choices.append((-quality, position, language))
    return min(choices)[2] if choices else "en"


def page_locale(user_choice: str | None, cookie: str | None, accept_language: str | None) -> str:
    for choice in (user_choice, cookie):
        if choice in LANGUAGES:
            return choice
    return negotiate(accept_language)


def _babel_locale(locale: str) -> str:
    return "nb_NO" if locale == "nb" else "en_GB"


def local_date(value: date | datetime | None, locale: str, time_zone: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(time_zone)).date()
    return format_date(value, "medium", locale=_babel_locale(locale))


def local_datetime(value: datetime | None, locale: str, time_zone: str) -> str:
    if value is None:
        return ""
    return format_datetime(
        value, "medium", tzinfo=ZoneInfo(time_zone), locale=_babel_locale(locale)
    )


def local_number(value: float | int | None, locale: str) -> str:
    return "" if value is None else format_decimal(value, locale=_babel_locale(locale))
