"""Every page of the console, declared once each."""

from __future__ import annotations

from caseworks.auth import policy
from caseworks.auth.principal import Role
from caseworks.console.bulk_reassign_page import (
    BulkReassignForm,
    bulk_reassign_explained,
    bulk_reassign_page,
)
from caseworks.console.home import home
from caseworks.console.import_page import ImportForm, import_form, import_page
from caseworks.console.language import LanguageForm, choose_language
from caseworks.console.pages import Page
from caseworks.console.sign_in import SignInForm, sign_in, sign_in_form, sign_out

EVERY_ROLE = frozenset(Role)
MANAGERS = policy.MANAGERS  # who may bulk reassign
ADMINS = frozenset({Role.ADMIN})  # who may import (auth/policy.py)


def console_pages() -> list[Page]:
    return [
        Page("GET", "/sign-in", sign_in_form),
        Page("POST", "/sign-in", sign_in, form=SignInForm),
        Page("POST", "/sign-out", sign_out),
        Page("POST", "/language", choose_language, form=LanguageForm),
        Page("GET", "/", home, roles=EVERY_ROLE),
        Page("GET", "/assignments/bulk-reassign", bulk_reassign_explained, roles=MANAGERS),
        Page(
            "POST",
            "/assignments/bulk-reassign",
            bulk_reassign_page,
            roles=MANAGERS,
            form=BulkReassignForm,
        ),
        Page("GET", "/import", import_form, roles=ADMINS),
        Page("POST", "/import", import_page, roles=ADMINS, form=ImportForm),
    ]
