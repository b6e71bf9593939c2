"""Every page of the console, declared once each."""

from __future__ import annotations

from caseworks.auth import policy
from caseworks.auth.principal import Role
from caseworks.console import assignment_forms as assignment_form
from caseworks.console import contact_pages, mentor_pages
from caseworks.console.assign_contact import AssignForm, assign, assign_form
from caseworks.console.assignment_pages import assignment_record, assignments_list
from caseworks.console.bulk_reassign_page import (
    BulkReassignForm,
    bulk_reassign_explained,
    bulk_reassign_page,
)
from caseworks.console.home import home
from caseworks.console.import_page import ImportForm, import_form, import_page
from caseworks.console.language import LanguageForm, choose_language
from caseworks.console.pages import Page
from caseworks.console.password_reset_page import (
    PasswordResetForm,
    password_reset_form,
    password_reset_send,
)
from caseworks.console.set_password_page import (
    SetPasswordForm,
    set_password_form,
    set_password_save,
)
from caseworks.console.sign_in import SignInForm, sign_in, sign_in_form, sign_out
from caseworks.console.worklists import stale_worklist, waiting_worklist
from caseworks.mentoring.mentoring_models import ContactCreate, PersonCreate

EVERY_ROLE = frozenset(Role)
MANAGERS = policy.MANAGERS  # who may bulk reassign
ADMINS = frozenset({Role.ADMIN})  # who may import (auth/policy.py)
# Mentors and contacts: whom the mentoring API shows them to (a mentor: itself, its contacts).
MENTORING_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.MENTOR})


def console_pages() -> list[Page]:
    return [
        Page("GET", "/sign-in", sign_in_form),
        Page("POST", "/sign-in", sign_in, form=SignInForm),
        Page("POST", "/sign-out", sign_out),
        Page("GET", "/password-reset", password_reset_form),
        Page("POST", "/password-reset", password_reset_send, form=PasswordResetForm),
        Page("GET", "/set-password/{token}", set_password_form),
        Page("POST", "/set-password/{token}", set_password_save, form=SetPasswordForm),
        Page("POST", "/language", choose_language, form=LanguageForm),
        Page("GET", "/", home, roles=EVERY_ROLE),
        Page("GET", "/stale", stale_worklist, roles=MANAGERS),
        Page("GET", "/waiting", waiting_worklist, roles=MANAGERS),
        Page("GET", "/contacts/{contact_id}/assign", assign_form, roles=MANAGERS),
        Page("POST", "/contacts/{contact_id}/assign", assign, roles=MANAGERS, form=AssignForm),
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
        *people_pages(),
        *assignment_pages(),
    ]


def people_pages() -> list[Page]:
    """The mentors' and contacts' lists, records and forms."""
    mentors, contacts = mentor_pages, contact_pages
    roles = MENTORING_ROLES
    return [
        Page("GET", "/mentors", mentors.mentors_list, roles=roles),
        Page("GET", "/mentors/new", mentors.mentor_new_form, roles=roles),
        Page(
            "POST",
            "/mentors/new",
            mentors.mentor_create,
            roles=roles,
            form=mentors.MentorCreateForm,
        ),
        Page("GET", "/mentors/{mentor_id}", mentors.mentor_record, roles=roles),
        Page("GET", "/mentors/{mentor_id}/edit", mentors.mentor_edit_form, roles=roles),
        Page(
            "POST",
            "/mentors/{mentor_id}/edit",
            mentors.mentor_update,
            roles=roles,
            form=mentors.MentorEditForm,
        ),
        Page("GET", "/contacts", contacts.contacts_list, roles=roles),
        Page("GET", "/contacts/new", contacts.contact_new_form, roles=roles),
        Page("POST", "/contacts/new", contacts.contact_create, roles=roles, form=ContactCreate),
        Page("GET", "/contacts/{contact_id}", contacts.contact_record, roles=roles),
        Page("GET", "/contacts/{contact_id}/edit", contacts.contact_edit_form, roles=roles),
        Page(
            "POST",
            "/contacts/{contact_id}/edit",
            contacts.contact_update,
            roles=roles,
            form=PersonCreate,
        ),
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
