"""The columns of each kind of record in a CSV file, in their order: one vocabulary for import
and export.

A column is named as the API names the field: the mentoring API's REST field names (the record's
id under ``mentor_id``, ``contact_id``, ``assignment_id``), and for the Binti-compatible records
their attributes in snake_case with ``id`` for the record's id. Each list is made from the
models, so a field added to a model is a column here too.

Cells: an empty cell is null; booleans are ``true``/``false``; dates and times ISO 8601; a list
(``assignable_roles``, ``supervisors``) or an object (``role_for_permissions``) is its JSON text.
"""

from __future__ import annotations

from caseworks.childwelfare.childwelfare_models import RECORD_MODELS
from caseworks.childwelfare.terms import CREATABLE_ROLES
from caseworks.mentoring.mentoring_models import (
    Assignment,
    AssignmentFields,
    AuditEvent,
    ContactCreate,
    MentorCaseload,
    MentorCreate,
    PersonCreate,
    field_names,
)

KINDS = ("mentors", "contacts", "assignments", "agency-workers", "children")

# The record's id comes first, then the fields a create takes, in the model's order.
_PERSON = field_names(PersonCreate)
# An assignment: its people, its state, its notes and its dates, each a field of its answer.
_ASSIGNMENT = (
    "assignment_id",
    "mentor_id",
    "contact_id",
    "status",
    "notes",
    "assigned_date",
    "last_contact_date",
    "closed_date",
)
assert set(_ASSIGNMENT) <= set(Assignment.model_fields)
assert set(field_names(AssignmentFields)) <= set(_ASSIGNMENT)

_COLUMNS: dict[str, tuple[str, ...]] = {
    "mentors": tuple(dict.fromkeys(("mentor_id", *_PERSON, *field_names(MentorCreate)))),
    "contacts": tuple(dict.fromkeys(("contact_id", *_PERSON, *field_names(ContactCreate)))),
    "assignments": _ASSIGNMENT,
    "agency-workers": ("id", *RECORD_MODELS["agency_workers"].model_fields),
    "children": ("id", *RECORD_MODELS["children"].model_fields),
}


def columns(kind: str) -> tuple[str, ...]:
    """The columns of ``kind`` (one of ``KINDS``), the record's id first."""
    return _COLUMNS[kind]


# --- kinds that are exported but not imported ----------------------------------------------------
# Named the same way: the mentoring API's field names; for the Binti-compatible records their
# attributes in snake_case, ``id`` first, and each relationship as the id it holds
# (``worker_id``, ``application_id``, ``applicant_profile_id``).
_EXPORTED_ONLY: dict[str, tuple[str, ...]] = {
    "applications": (
        "id",
        "type",
        *RECORD_MODELS["applications"].model_fields,
        "caseworker_assigned_date",
        "applicant_profile_id",
        "created_at",
        "updated_at",
    ),
    "user-agency-profiles": (
        "id",
        "application_id",
        "role",
        "name",
        *RECORD_MODELS["user_agency_profiles"].model_fields,
        "created_at",
        "updated_at",
    ),
    "worker-assignments": (
        "id",
        "role",
        "worker_id",
        "child_id",
        "application_id",
        "created_at",
        "updated_at",
    ),
    "audit-events": tuple(AuditEvent.model_fields),
    # A worker's caseload: the worker's id, its assignments by role, its limit.
    "worker-caseloads": ("id", *(role.value for role in CREATABLE_ROLES), "max_case_carrying"),
    # A mentor's caseload: the fields of its row in the caseload list.
    "mentor-caseloads": tuple(MentorCaseload.model_fields),
}
EXPORT_KINDS = (*KINDS, *_EXPORTED_ONLY)


def export_columns(kind: str) -> tuple[str, ...]:
    """The columns an export of ``kind`` (one of ``EXPORT_KINDS``) writes, in their order: those
    an import takes for the kinds it takes."""
    return _COLUMNS[kind] if kind in _COLUMNS else _EXPORTED_ONLY[kind]
