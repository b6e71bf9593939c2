"""The access policy: the one place that knows what each role may do.

Services ask it; routes and queries never decide access. What a caller may read is a scope value
made here (its agency, and the mentor or worker it is limited to, if any), which the queries turn
into SQL without knowing why the limit is there. Where the caller may not see a record at all the
service answers 404 (indistinguishable from a missing record); where it may see the record but
not change it, 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from caseworks.auth.principal import Principal, Role
from caseworks.core.errors import Forbidden

MANAGERS = frozenset({Role.ADMIN, Role.SUPERVISOR})

# Fields of an assignment a mentor may change on its own assignments.
MENTOR_EDITABLE_ASSIGNMENT_FIELDS = frozenset({"notes", "last_contact_date"})


def is_manager(principal: Principal) -> bool:
    return principal.role in MANAGERS


# --- the agency ---------------------------------------------------------------------------------


def require_agency_admin(principal: Principal) -> None:
    """What concerns the whole agency: its settings (its caseload rules, its digest's
    recipients) and importing its records. Admins only."""
    if principal.role is not Role.ADMIN:
        raise Forbidden("only the agency's admins may do this")


# --- the console's sections ---------------------------------------------------------------------

# Who may open each part of the console (its navigation shows only these); each page still asks
# the services, which apply the rules below whatever the navigation showed.
_CONSOLE_SECTIONS = {
    "overview": frozenset(Role),
    "stale": MANAGERS,
    "waiting": MANAGERS,
    "assignments": MANAGERS,
    "mentors": MANAGERS,
    "contacts": MANAGERS,
    "import": frozenset({Role.ADMIN}),
}


def may_open_console_section(principal: Principal, section: str) -> bool:
    return principal.role in _CONSOLE_SECTIONS.get(section, frozenset())


# --- mentoring ---------------------------------------------------------------------------------

# A mentor sees a contact (its e-mail and phone) only through an assignment in this status: once
# every assignment with the contact is closed, the contact is out of its sight (404). Its closed
# assignments stay in its history, naming the contact (``contact_name``) and nothing more.
MENTOR_SEES_CONTACTS_THROUGH = "open"


@dataclass(frozen=True, slots=True)
class MentoringScope:
    """What a caller reads of the mentoring programme: the agency's mentors, contacts and
    assignments; or, with ``mentor_id``, that mentor, its assignments, and the contacts it has an
    assignment with in the status ``contacts_through``."""

    agency_id: str
    mentor_id: str | None = None
    contacts_through: str = MENTOR_SEES_CONTACTS_THROUGH


def mentoring_scope(principal: Principal) -> MentoringScope:
    """What the caller may read; Forbidden for roles with no mentoring rights (caseworkers)."""
    if is_manager(principal):
        return MentoringScope(principal.agency_id)
    if principal.role is Role.MENTOR and principal.mentor_id is not None:
        return MentoringScope(principal.agency_id, principal.mentor_id)
    raise Forbidden("this token has no access to the mentoring programme")


def require_mentoring_manager(principal: Principal) -> None:
    mentoring_scope(principal)
    if not is_manager(principal):
        raise Forbidden("only admins and supervisors may do this")


def require_capacity_override(principal: Principal) -> None:
    """Taking a mentor over its caseload limit is a manager's decision."""
    if not is_manager(principal):
        raise Forbidden("only admins and supervisors may override a mentor's capacity")


def agency_scope(agency_id: str) -> MentoringScope:
    """What the agency's own scheduled work (its weekly digest to its staff) reads: all of the
    agency's programme, as its admins do."""
    return MentoringScope(agency_id)


def check_assignment_update(principal: Principal, fields: set[str], status: str) -> None:
    """A mentor may change only notes and last contact on its own open assignments; a closed
    one is read-only to it (a manager may still edit it)."""
    if is_manager(principal):
        return
    if status != "open":
        raise Forbidden("a closed assignment is read-only to its mentor")
    forbidden = sorted(fields - MENTOR_EDITABLE_ASSIGNMENT_FIELDS)
    if forbidden:
        raise Forbidden(f"a mentor may not change {', '.join(forbidden)}")


# --- child welfare -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CaseworkScope:
    """What a caller reads of child welfare: the agency's records; or, with ``worker_id``, the
    children and applications that worker is assigned to and the assignments on them. Agency
    workers are read whole either way: they are whom assignments are made with."""

    agency_id: str
    worker_id: str | None = None


def casework_scope(principal: Principal) -> CaseworkScope:
    """What the caller may read; Forbidden for roles with no child welfare rights.

    Admins and supervisors read (and update) every child and application of their agency. A
    caseworker token reads the children and applications its agency worker is assigned to.
    """
    if is_manager(principal):
        return CaseworkScope(principal.agency_id)
    if principal.role is Role.CASEWORKER:
        if principal.worker_id is None:
            raise Forbidden("this caseworker token is not tied to an agency worker")
        return CaseworkScope(principal.agency_id, principal.worker_id)
    raise Forbidden("this token has no access to child welfare records")


def require_casework_update(principal: Principal) -> None:
    """Update access (creating and deleting assignments, editing records): managers only."""
    casework_scope(principal)
    if not is_manager(principal):
        raise Forbidden("only admins and supervisors may change child welfare records")
