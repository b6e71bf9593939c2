"""Every page of the console, declared once each."""

from __future__ import annotations

from caseworks.auth.principal import Role
from caseworks.console.home import home
from caseworks.console.pages import Page
from caseworks.console.sign_in import sign_in, sign_in_form, sign_out

EVERY_ROLE = frozenset(Role)


def console_pages() -> list[Page]:
    return [
        Page("GET", "/sign-in", sign_in_form),
        Page("POST", "/sign-in", sign_in),
        Page("POST", "/sign-out", sign_out),
        Page("GET", "/", home, roles=EVERY_ROLE),
    ]
