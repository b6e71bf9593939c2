"""Every page of the console, declared once each."""

from __future__ import annotations

from caseworks.auth.principal import Role
from caseworks.console.home import home
from caseworks.console.language import LanguageForm, choose_language
from caseworks.console.mentor_log_contact import (
    LogContactForm,
    log_contact_form,
    log_contact_save,
)
from caseworks.console.pages import Page
from caseworks.console.sign_in import SignInForm, sign_in, sign_in_form, sign_out

EVERY_ROLE = frozenset(Role)
LOG_CONTACT = "/assignments/{assignment_id}/log-contact"


def console_pages() -> list[Page]:
    return [
        Page("GET", "/sign-in", sign_in_form),
        Page("POST", "/sign-in", sign_in, form=SignInForm),
        Page("POST", "/sign-out", sign_out),
        Page("POST", "/language", choose_language, form=LanguageForm),
        Page("GET", "/", home, roles=EVERY_ROLE),
        Page("GET", LOG_CONTACT, log_contact_form, roles=EVERY_ROLE),
        Page("POST", LOG_CONTACT, log_contact_save, roles=EVERY_ROLE, form=LogContactForm),
    ]
