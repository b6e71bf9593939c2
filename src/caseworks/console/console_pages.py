"""Every page of the console, declared once each."""

from __future__ import annotations

from caseworks.auth.principal import Role
from caseworks.console import assignment_forms as assignment_form
from caseworks.console.assignment_pages import assignment_record, assignments_list
from caseworks.console.home import home
from caseworks.console.language import LanguageForm, choose_language
from caseworks.console.pages import Page
from caseworks.console.sign_in import SignInForm, sign_in, sign_in_form, sign_out

EVERY_ROLE = frozenset(Role)


def console_pages() -> list[Page]:
    return [
        Page("GET", "/sign-in", sign_in_form),
        Page("POST", "/sign-in", sign_in, form=SignInForm),
        Page("POST", "/sign-out", sign_out),
        Page("POST", "/language", choose_language, form=LanguageForm),
        Page("GET", "/", home, roles=EVERY_ROLE),
        *assignment_pages(),
    ]


def assignment_pages() -> list[Page]:
    """The assignment list, an assignment's record and the forms on it. Every role is let in:
    the services answer what each may see (a caseworker's 403, another mentor's 404)."""
    forms = assignment_form
    record = "/assignments/{assignment_id}"
    return [
        Page("GET", "/assignments", assignments_list, roles=EVERY_ROLE),
        Page("GET", record, assignment_record, roles=EVERY_ROLE),
        Page("GET", f"{record}/log-contact", forms.log_contact_form, roles=EVERY_ROLE),
        Page("POST", f"{record}/log-contact", forms.log_contact_save, roles=EVERY_ROLE),
        Page("GET", f"{record}/reassign", forms.reassign_form, roles=EVERY_ROLE),
        Page("POST", f"{record}/reassign", forms.reassign_save, roles=EVERY_ROLE),
        Page("GET", f"{record}/close", forms.close_form, roles=EVERY_ROLE),
        Page("POST", f"{record}/close", forms.close_save, roles=EVERY_ROLE),
        Page("POST", f"{record}/reopen", forms.reopen_save, roles=EVERY_ROLE),
    ]
