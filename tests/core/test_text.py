"""The rules for names and whole numbers, checked against every code point the running Python
knows; the range of dates and times."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from pydantic import TypeAdapter, ValidationError

from caseworks.core.text import (
    REFUSED_IN_NAMES,
    Email,
    IsoDate,
    IsoDateTime,
    TrueOrFalse,
    WholeNumber,
    one_line,
)

REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def test_names_refuse_exactly_the_control_format_and_separator_characters() -> None:
    # The pattern is built from three planes only; this holds it to the whole code space.
    disagree = [
        f"U+{point:04X}"
        for point in range(sys.maxunicode + 1)
        if (unicodedata.category(chr(point)) in REFUSED_CATEGORIES)
        != bool(REFUSED_IN_NAMES.fullmatch(chr(point)))
    ]
    assert disagree == []


def test_one_line_makes_every_break_and_invisible_run_one_space() -> None:
    assert one_line("Emma\r\n\tBcc: x\u202e\u200b y \u2028") == "Emma Bcc: x y"
    assert one_line("Ærlig Øystein Åsen") == "Ærlig Øystein Åsen"
    assert one_line("\n\u200b") == ""


def test_a_whole_number_is_the_ascii_digits_and_nothing_else() -> None:
    # Every code point int() would read as part of a number, checked against the type.
    number = TypeAdapter(WholeNumber)
    taken = []
    for point in range(sys.maxunicode + 1):
        try:
            number.validate_python(chr(point))
        except ValidationError:
            continue
        taken.append(chr(point))
    assert taken == list("0123456789")
    for refused in ("+1", "-1", " 1", "1 ", "1_0", "1.0", "", "9" * 19, "１０", "٣"):
        with pytest.raises(ValidationError):
            number.validate_python(refused)
    assert number.validate_python("007") == 7
    assert number.validate_python("9" * 18) == 10**18 - 1


def test_a_time_lies_in_the_range_as_written_and_in_utc() -> None:
    moment = TypeAdapter(IsoDateTime)
    for taken in ("2999-12-31T23:59:59+14:00", "1900-01-01T00:00:00-14:00", "2999-12-31"):
        moment.validate_python(taken)
    for refused in (
        "2999-12-31T23:59:59-14:00",  # 3000-01-01T13:59:59Z
        "1900-01-01T00:00:00+14:00",  # 1899-12-31T10:00:00Z
        "9999-12-31T23:00:00-05:00",  # past datetime's own range in UTC
        "0001-01-01T00:00:00+01:00",
    ):
        with pytest.raises(ValidationError):
            moment.validate_python(refused)


def test_a_date_is_the_day_alone_within_the_range() -> None:
    day = TypeAdapter(IsoDate)
    for taken in ("1900-01-01", "2999-12-31", "2015-04-01"):
        assert day.validate_python(taken).isoformat() == taken
    for refused in (
        "2015-04-01T00:00:00",  # a time, even midnight, is not a day
        "2015-04-01T00:00:00+14:00",  # its offset would be dropped unseen
        "2015-4-1",
        "２０１５-04-01",
        "1899-12-31",
        "3000-01-01",
        "0",
    ):
        with pytest.raises(ValidationError):
            day.validate_python(refused)


@pytest.mark.parametrize(
    "address", ["lewis@reichert.test", "Kari@Example.TEST", "a@b.reinger.test", "a@example.org"]
)
def test_an_address_on_a_test_domain_is_taken(address: str) -> None:
    domain = address.split("@")[1]
    assert TypeAdapter(Email).validate_python(address) == address.replace(domain, domain.lower())


@pytest.mark.parametrize(
    "address",
    [
        "lewis@test",  # a bare top-level name is no agency's domain
        "lewis@reichert.local",
        "lewis@localhost",
        "lewis@reichert.invalid",
        "lewis@reichert.onion",
        "lewis@reichert.test,root",
        "lewis@@reichert.test",
        "lewis@reichert..test",
    ],
)
def test_other_special_use_domains_and_bad_syntax_are_refused(address: str) -> None:
    with pytest.raises(ValidationError, match="must be one e-mail address"):
        TypeAdapter(Email).validate_python(address)


def test_an_address_is_checked_whole_each_time_its_domain_was_seen_before() -> None:
    """A domain is checked once per process; every address on it still is, and so is a bad
    domain every time it comes."""
    email = TypeAdapter(Email)
    assert email.validate_python("ann@Mentors.Example.org") == "ann@mentors.example.org"
    assert email.validate_python("bo@MENTORS.example.org") == "bo@mentors.example.org"
    for address in ("two@@mentors.example.org", "a b@mentors.example.org", "x@-bad.example.org"):
        for _ in range(2):
            with pytest.raises(ValidationError):
                email.validate_python(address)


def test_a_flag_is_the_word_true_or_false_and_nothing_else() -> None:
    flag = TypeAdapter(TrueOrFalse)
    assert flag.validate_python("true") is True
    assert flag.validate_python("false") is False
    assert flag.validate_python(True) is True
    for sent in ("1", "0", "yes", "no", "on", "t", "True", "FALSE", " true", "", 1, None):
        with pytest.raises(ValidationError, match="must be true or false"):
            flag.validate_python(sent)
