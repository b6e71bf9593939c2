"""The columns of each kind: the API's field names, the record's id first."""

from __future__ import annotations

from caseworks.csvio.csv_columns import KINDS, columns


def test_each_kind_starts_with_its_id() -> None:
    ids = {"mentors": "mentor_id", "contacts": "contact_id", "assignments": "assignment_id"}
    for kind in KINDS:
        assert columns(kind)[0] == ids.get(kind, "id")


def test_people_and_assignments_use_the_rest_field_names() -> None:
    assert columns("mentors") == ("mentor_id", "name", "email", "phone", "max_open_assignments")
    assert columns("contacts") == ("contact_id", "name", "email", "phone")
    assert columns("assignments") == (
        "assignment_id",
        "mentor_id",
        "contact_id",
        "status",
        "notes",
        "assigned_date",
        "last_contact_date",
        "closed_date",
    )


def test_binti_records_use_their_attribute_names() -> None:
    assert columns("children")[:4] == ("id", "first_name", "middle_name", "last_name")
    assert "assignable_roles" in columns("agency-workers")
    assert all(len(set(columns(kind))) == len(columns(kind)) for kind in KINDS)
