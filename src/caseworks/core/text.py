"""Input text types shared by request models: bounded, trimmed where it matters, never NUL;
names also never hold control or invisible formatting characters."""

from __future__ import annotations

import importlib
import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated, Any

from email_validator import EmailNotValidError, syntax, validate_email
from pydantic import AfterValidator, BeforeValidator, Discriminator, Field, StringConstraints, Tag

_NUMBER = re.compile(r"\s*[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\s*")


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refuse it at the edge rather than fail in the database.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


# What a name never holds. Controls (C0, DEL, C1) break e-mail headers and log lines; line and
# paragraph separators (Zl, Zp) break lines; format characters (Cf: bidirectional overrides,
# isolates and marks, zero-width spaces and joiners, the BOM, the soft hyphen) are invisible and
# make one name read or sort as another; lone surrogates (Cs) are not text. Letters, marks,
# punctuation, symbols and ordinary spaces of every script stay.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# Only planes 0, 1 and 14 hold such characters (2–3 are ideographs, 15–16 private use, the rest
# unassigned; a test checks this against every code point), so the scan at import stays short.
_PLANES = (0, 1, 14)


def _refused_class() -> re.Pattern[str]:
    points = [
        point
        for plane in _PLANES
        for point in range(plane << 16, (plane + 1) << 16)
        if unicodedata.category(chr(point)) in _REFUSED_CATEGORIES
    ]
    ranges: list[tuple[int, int]] = []
    for point in points:
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1] = (ranges[-1][0], point)
        else:
            ranges.append((point, point))
    return re.compile("[" + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in ranges) + "]")


REFUSED_IN_NAMES = _refused_class()


def _no_control_characters(value: object) -> object:
    # Checked before surrounding whitespace is trimmed: a name sent with a trailing line break
    # is refused, not quietly mended.
    if isinstance(value, str) and (found := REFUSED_IN_NAMES.search(value)):
        raise ValueError(
            "must not contain control or invisible formatting characters"
            f" (U+{ord(found.group()):04X} at position {found.start() + 1})"
        )
    return value


def one_line(text: str) -> str:
    """``text`` with every run of refused characters and whitespace made one space: safe in an
    e-mail header or a single line, whatever an older row holds."""
    return " ".join(REFUSED_IN_NAMES.sub(" ", text).split())


FREE_TEXT_LIMIT = 10_000  # characters of a free text field (an assignment's notes)
FreeText = Annotated[str, StringConstraints(max_length=FREE_TEXT_LIMIT), AfterValidator(_no_nul)]
ShortText = Annotated[str, StringConstraints(max_length=2_000), AfterValidator(_no_nul)]
# An identifier another system gives a record, matched exactly (so kept as sent). Bounded well
# below what one entry of a PostgreSQL btree index holds (about 2,700 bytes: 255 characters are
# at most 1,020 bytes of UTF-8), since such identifiers are indexed for lookups.
Identifier = Annotated[str, StringConstraints(max_length=255), AfterValidator(_no_nul)]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    BeforeValidator(_no_control_characters),
]


# The domain's check is about two thirds of an address's (IDNA, the Unicode category of every
# character) and depends on the domain alone, while a file of 100,000 contacts holds a few
# domains: each is checked once per process. email-validator calls it through its own module's
# name, which is where the cached one goes; it returns only strings (nothing a caller could
# change in the cache), and a refusal raises, which is never cached, so every address is checked
# exactly as before. (email-validator is pinned; the names are checked at import.)
_email_validation: Any = importlib.import_module("email_validator.validate_email")
if _email_validation.validate_email_domain_name is not syntax.validate_email_domain_name:
    raise RuntimeError("email-validator no longer checks domains where the cache expects it")
_email_validation.validate_email_domain_name = lru_cache(maxsize=1024)(
    syntax.validate_email_domain_name
)


def _one_address(value: str) -> str:
    # Exactly one address, by the syntax of RFC 5321/5322 as email-validator reads it: a list
    # such as "carl@example.org,root" would send a notification to every address in it. Syntax
    # only (no DNS at request time). The normalised form is stored: the domain in lower case and
    # Unicode in NFC, so one mailbox is written one way.
    # Addresses on .test (RFC 2606) are taken: Binti's own examples and agencies' training
    # tenants use them. test_environment allows a bare "@test" as well, which is no domain of
    # any agency's, so a dot is still required; the other special-use names (.local,
    # .localhost, .invalid, .onion, .arpa) stay refused, as mail to them never arrives.
    try:
        address = validate_email(value, check_deliverability=False, test_environment=True)
    except EmailNotValidError as error:
        raise ValueError(f"must be one e-mail address: {error}") from None
    if "." not in address.ascii_domain:
        raise ValueError("must be one e-mail address: the part after the @-sign needs a period")
    return address.normalized


Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254),
    AfterValidator(_no_nul),
    AfterValidator(_one_address),
    Field(json_schema_extra={"format": "email"}),
]
Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9 ()\-.]{2,39}$")
]
RecordId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,63}$")]


def _iso_text(value: object) -> object:
    # Pydantic would read a number as seconds since 1970: a caller who sends 0 or -1 did not mean
    # 1970, so dates and times are accepted only as ISO 8601 text.
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or _NUMBER.fullmatch(value):
        raise ValueError("must be ISO 8601 text, such as 2025-11-01T00:00:00Z")
    return value


# Dates of a case lie in this range; the bounds also keep UTC conversion far from year 1 and 9999.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999


def _plausible(value: date) -> date:
    # As written and, for a time with an offset, as the UTC instant that is stored and compared:
    # 2999-12-31T23:59:59-14:00 is already the year 3000.
    # The written year is checked first, so the conversion never nears year 1 or 9999.
    offset = value.utcoffset() if isinstance(value, datetime) else None
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR or (
        offset and not EARLIEST_YEAR <= (value - offset).year <= LATEST_YEAR
    ):
        raise ValueError(f"must lie between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_day(value: object) -> object:
    # Pydantic would read 2015-04-01T00:00:00+14:00 as the day 2015-04-01 and drop the offset
    # unseen: a date is the day alone, as its schema (format: date) says.
    if isinstance(value, str) and not _DAY.fullmatch(value):
        raise ValueError("must be a day written YYYY-MM-DD, such as 2015-04-01")
    return value


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_text), AfterValidator(_plausible)]
IsoDate = Annotated[
    date, BeforeValidator(_iso_day), BeforeValidator(_iso_text), AfterValidator(_plausible)
]


def _day_or_moment(value: object) -> str:
    written_as_day = isinstance(value, str) and len(value) == 10
    return "day" if written_as_day or type(value) is date else "time"


# A time, then a space and HH:MM at the very end: an offset whose "+" a client left unencoded in
# the query string, where "+" is read as a space (…T20:30:21+00:00 arrives as …T20:30:21 00:00).
_OFFSET_SENT_AS_SPACE = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)"
    r" ([0-9]{2}:[0-9]{2})"
)


def _plus_read_as_space(value: object) -> object:
    # Only that one shape is mended: a space anywhere else is still refused, and a "-" offset
    # arrives intact, since "-" is not decoded.
    if isinstance(value, str) and (found := _OFFSET_SENT_AS_SPACE.fullmatch(value)):
        return f"{found[1]}+{found[2]}"
    return value


# A filter bound of a query string, written as a day (2026-03-25, the whole day) or as a moment;
# chosen by shape, since Pydantic would read 2026-03-25T00:00:00Z as a date too. Query values
# only: the offset a URL decoded to a space is read as the "+" it was.
DayOrMoment = Annotated[
    Annotated[
        Annotated[IsoDate, Tag("day")] | Annotated[IsoDateTime, Tag("time")],
        Discriminator(_day_or_moment),
    ],
    BeforeValidator(_plus_read_as_space),
]

_DIGITS = re.compile(r"[0-9]+")
_MAX_DIGITS = 18  # any bound of ours is far below; int() of 10 kB of digits is not free


def _ascii_digits(value: object) -> object:
    # int() and Pydantic's lax int read any Unicode decimal digit (１０, ٣, ߁), a sign, spaces
    # around the number and 1_0: a whole number in a query is the digits 0-9 and nothing else.
    if isinstance(value, str):
        if not _DIGITS.fullmatch(value):
            raise ValueError("must be a whole number written with the digits 0-9 only")
        if len(value) > _MAX_DIGITS:
            raise ValueError(f"must have at most {_MAX_DIGITS} digits")
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be a whole number")
    return value


WholeNumber = Annotated[int, BeforeValidator(_ascii_digits)]


def _true_or_false(value: object) -> object:
    # Pydantic's lax bool takes 1, yes, on, t, y and their opposites: a flag in a query is the
    # word true or false, nothing else, so a typo is refused rather than read one way.
    if value == "true" or value is True:
        return True
    if value == "false" or value is False:
        return False
    raise ValueError("must be true or false")


TrueOrFalse = Annotated[bool, BeforeValidator(_true_or_false)]
