"""The rule for names, checked against every code point the running Python knows."""

from __future__ import annotations

import sys
import unicodedata

from caseworks.text import REFUSED_IN_NAMES, one_line

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
