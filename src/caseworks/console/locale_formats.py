"""Numbers and months as the reader's locale writes them."""

from __future__ import annotations

from datetime import date

from caseworks.console.pages import PageRequest

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def page_locale(page: PageRequest) -> str:
    """The locale the page is rendered in."""
    return str(getattr(page, "locale", "en"))


def count_text(number: int, locale: str) -> str:
    """A whole number with the locale's grouping: ``1,234``."""
    return f"{number:,}"


def month_label(month: date, locale: str) -> str:
    """A month and its year, short: ``Jun 2026``."""
    return f"{_MONTHS[month.month - 1]} {month.year}"
