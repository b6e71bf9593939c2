"""Every page of the console, declared once each."""

from __future__ import annotations

from caseworks.auth.principal import Role
from caseworks.console.assign_contact import AssignForm, assign, assign_form
from caseworks.console.home import home
from caseworks.console.language import LanguageForm, choose_language
from caseworks.console.pages import Page
from caseworks.console.sign_in import SignInForm, sign_in, sign_in_form, sign_out
from caseworks.console.worklists import stale_worklist, waiting_worklist

EVERY_ROLE = frozenset(Role)
MANAGERS = frozenset({Role.ADMIN, Role.SUPERVISOR})


def console_pages() -> list[Page]:
    return [
        Page("GET", "/sign-in", sign_in_form),
        Page("POST", "/sign-in", sign_in, form=SignInForm),
        Page("POST", "/sign-out", sign_out),
        Page("POST", "/language", choose_language, form=LanguageForm),
        Page("GET", "/", home, roles=EVERY_ROLE),
        Page("GET", "/stale", stale_worklist, roles=MANAGERS),
        Page("GET", "/waiting", waiting_worklist, roles=MANAGERS),
        Page("GET", "/contacts/{contact_id}/assign", assign_form, roles=MANAGERS),
        Page("POST", "/contacts/{contact_id}/assign", assign, roles=MANAGERS, form=AssignForm),
    ]
