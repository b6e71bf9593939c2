"""Importing records from CSV files: each kind, all or nothing, and idempotent on the ids."""

from __future__ import annotations

from typing import Any

import pytest

from caseworks.auth.principal import Principal, Role
from caseworks.core.errors import Forbidden, NotFound
from caseworks.csvio.csv_import import MAX_ERRORS, ImportRefused, Report, import_csv
from caseworks.db import Database
from tests.support.tenants import Tenant

CONTACTS = (
    "contact_id,name,email,phone\n"
    "contact_per1,Per Olsen,per@example.org,+47 555 01\n"
    'contact_liv2,"Svendsen, Liv",,\n'
    "contact_ola3,Ola Nordmann,ola@example.org,\n"
)


def admin(tenant: Tenant) -> Principal:
    return Principal(tenant.agency_id, Role.ADMIN, "tok_importer")


async def imported(
    tenant: Tenant, kind: str, text: str | bytes, *, dry_run: bool = False
) -> Report:
    data = text.encode() if isinstance(text, str) else text
    return await import_csv(tenant.db, admin(tenant), kind, data, dry_run=dry_run)


async def refused(tenant: Tenant, kind: str, text: str | bytes) -> dict[str, Any]:
    with pytest.raises(ImportRefused) as refusal:
        await imported(tenant, kind, text)
    assert refusal.value.status == 422
    return refusal.value.report.as_dict()


async def count(db: Database, table: str, tenant: Tenant) -> int:
    return int(
        await db.fetch_value(
            f"SELECT count(*) FROM {table} WHERE agency_id = :agency_id",
            {"agency_id": tenant.agency_id},
        )
    )


async def row(db: Database, table: str, tenant: Tenant, record_id: str) -> dict[str, Any]:
    found = await db.fetch_one(
        f"SELECT * FROM {table} WHERE agency_id = :agency_id AND id = :id",
        {"agency_id": tenant.agency_id, "id": record_id},
    )
    assert found is not None
    return found


# --- mentors and contacts -----------------------------------------------------------------------


async def test_contacts_are_created_with_their_audit_events(db: Database, tenant: Tenant) -> None:
    report = await imported(tenant, "contacts", CONTACTS)

    assert report.as_dict() == {
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
        "more_errors": 0,
    }
    liv = await row(db, "contacts", tenant, "contact_liv2")
    assert (liv["name"], liv["email"], liv["phone"]) == ("Svendsen, Liv", None, None)
    events = await db.fetch_all(
        "SELECT action, subject_type, actor_token_id FROM audit_events"
        " WHERE agency_id = :agency_id ORDER BY subject_id",
        {"agency_id": tenant.agency_id},
    )
    assert (
        events
        == [{"action": "created", "subject_type": "contact", "actor_token_id": "tok_importer"}] * 3
    )


async def test_the_same_file_twice_changes_nothing_the_second_time(
    db: Database, tenant: Tenant
) -> None:
    await imported(tenant, "contacts", CONTACTS)
    before = (await count(db, "contacts", tenant), await count(db, "audit_events", tenant))

    again = await imported(tenant, "contacts", CONTACTS)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    after = (await count(db, "contacts", tenant), await count(db, "audit_events", tenant))
    assert after == before == (3, 3)


async def test_a_changed_row_is_updated_and_only_the_fields_it_changes(
    db: Database, tenant: Tenant
) -> None:
    await imported(tenant, "contacts", CONTACTS)
    changed = CONTACTS.replace("Per Olsen,per@example.org", "Per Olsen,per@EXAMPLE.org").replace(
        "ola@example.org", "ola.n@example.org"
    )

    report = await imported(tenant, "contacts", changed)

    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)  # e-mail normalised
    assert (await row(db, "contacts", tenant, "contact_ola3"))["email"] == "ola.n@example.org"
    event = await db.fetch_one(
        "SELECT details FROM audit_events WHERE agency_id = :agency_id AND action = 'updated'",
        {"agency_id": tenant.agency_id},
    )
    assert event == {"details": '{"fields":["email"]}'}


async def test_a_column_left_out_is_left_as_stored(db: Database, tenant: Tenant) -> None:
    await imported(tenant, "contacts", CONTACTS)

    report = await imported(tenant, "contacts", "contact_id,name\ncontact_per1,Per Olsen\n")

    assert report.unchanged == 1
    assert (await row(db, "contacts", tenant, "contact_per1"))["phone"] == "+47 555 01"


async def test_mentors_carry_their_caseload_limit(db: Database, tenant: Tenant) -> None:
    report = await imported(
        tenant,
        "mentors",
        "mentor_id,name,email,phone,max_open_assignments\n"
        "mentor_kari1,Kari,kari@example.org,,3\nmentor_nils2,Nils,,,\n",
    )

    assert report.created == 2
    assert (await row(db, "mentors", tenant, "mentor_kari1"))["max_open_assignments"] == 3
    assert (await row(db, "mentors", tenant, "mentor_nils2"))["max_open_assignments"] is None
    huge = "9" * 5000  # more digits than int() reads: refused as any non-number is
    bad = await refused(
        tenant,
        "mentors",
        f"mentor_id,name,max_open_assignments\nmentor_x123,X,-1\nmentor_y123,Y,{huge}\n",
    )
    assert bad["errors"] == [
        {
            "line": 2,
            "column": "max_open_assignments",
            "detail": "Input should be greater than or equal to 0",
        },
        {"line": 3, "column": "max_open_assignments", "detail": "Input should be a valid integer"},
    ]


# --- what the file must be ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (
            b"",
            {
                "line": 1,
                "column": None,
                "detail": "the file is empty: the first line must name the columns",
            },
        ),
        (
            "contact_id,name\ncontact_bjo1,Bj\u00f8rn\n".encode("latin-1"),
            {
                "line": 2,
                "column": None,
                "detail": "the file is not UTF-8 text (byte 0xF8 on line 2); save it as UTF-8",
            },
        ),
        (
            b"contact_id,name\n",
            {"line": 1, "column": None, "detail": "the file has a header but no rows"},
        ),
        (
            b"contact_id,email\ncontact_aaa1,a@example.org\n",
            {"line": 1, "column": "name", "detail": "is a required column"},
        ),
        (b"name\nPer\n", {"line": 1, "column": "contact_id", "detail": "is a required column"}),
        (
            b"contact_id,name,age\ncontact_aaa1,Per,40\n",
            {
                "line": 1,
                "column": "age",
                "detail": "is not a column of contacts: the columns are contact_id, name, email,"
                " phone",
            },
        ),
        (
            b"contact_id,name,name\ncontact_aaa1,Per,Per\n",
            {"line": 1, "column": "name", "detail": "is named twice in the header"},
        ),
        (
            b"contact_id,name\ncontact_aaa1,Per\ncontact_aaa1,Liv\n",
            {"line": 3, "column": "contact_id", "detail": "contact_aaa1 is also on line 2"},
        ),
        (
            b"contact_id,name\n,Per\n",
            {
                "line": 2,
                "column": "contact_id",
                "detail": "is required: the id makes an import safe to repeat",
            },
        ),
        (
            b"contact_id,name\nmentor_aaa1,Per\n",
            {
                "line": 2,
                "column": "contact_id",
                "detail": "must be 'contact_' followed by 3\u201340 letters or digits",
            },
        ),
        (
            b"contact_id,name\ncontact_aaa1,Per,extra\n",
            {"line": 2, "column": None, "detail": "has 3 fields; the header names 2"},
        ),
        (
            b'contact_id,name\ncontact_aaa1,"Per\n',
            {
                "line": 2,
                "column": None,
                "detail": "the file is not valid CSV from line 2: unexpected end of data",
            },
        ),
    ],
    ids=[
        "empty",
        "latin-1",
        "header only",
        "required column missing",
        "id column missing",
        "unknown column",
        "column twice",
        "id twice",
        "no id",
        "id of another kind",
        "too many fields",
        "quote left open",
    ],
)
async def test_a_bad_file_is_refused_naming_the_line_and_column(
    db: Database, tenant: Tenant, data: bytes, error: dict[str, Any]
) -> None:
    report = await refused(tenant, "contacts", data)

    assert report["errors"] == [error]
    assert await count(db, "contacts", tenant) == 0


async def test_a_bad_row_in_the_middle_writes_nothing(db: Database, tenant: Tenant) -> None:
    await imported(tenant, "contacts", "contact_id,name\ncontact_old1,Old\n")
    before = (await count(db, "contacts", tenant), await count(db, "audit_events", tenant))
    rows = [f"contact_new{n:03d},Person {n},p{n}@example.org" for n in range(200)]
    rows[100] = "contact_new100,Person 100,carl@example.org,root"  # one field too many
    rows[101] = "contact_new101,Person 101,not an address"

    report = await refused(tenant, "contacts", "contact_id,name,email\n" + "\n".join(rows))

    assert report["rows"] == 200
    assert [(error["line"], error["column"]) for error in report["errors"]] == [
        (102, None),
        (103, "email"),
    ]
    after = (await count(db, "contacts", tenant), await count(db, "audit_events", tenant))
    assert after == before


async def test_cells_get_the_messages_the_api_gives(tenant: Tenant, api: Any) -> None:
    answer = await api.post("/api/v1/contacts", json={"name": "Per", "email": "not an address"})
    report = await refused(
        tenant, "contacts", "contact_id,name,email\ncontact_aaa1,Per,not an address\n"
    )

    assert report["errors"][0]["detail"] == answer.json()["errors"][0]["detail"]


async def test_at_most_a_hundred_errors_are_named_and_the_rest_counted(tenant: Tenant) -> None:
    rows = "".join(f"contact_bad{n:03d},\n" for n in range(150))  # each without a name

    report = await refused(tenant, "contacts", "contact_id,name\n" + rows)

    assert len(report["errors"]) == MAX_ERRORS
    assert report["more_errors"] == 50
    assert report["errors"][-1]["line"] == 101


async def test_a_byte_order_mark_and_semicolons_are_read(db: Database, tenant: Tenant) -> None:
    data = "\ufeffcontact_id;name;email\ncontact_aaa1;Åse Ødegård;ase@example.org\n".encode()

    report = await imported(tenant, "contacts", data)

    assert report.created == 1
    assert (await row(db, "contacts", tenant, "contact_aaa1"))["name"] == "Åse Ødegård"


async def test_quoted_fields_hold_separators_quotes_and_line_breaks(
    db: Database, tenant: Tenant
) -> None:
    data = (
        'contact_id,name,phone\r\ncontact_aaa1,"Olsen, Per ""Pelle""",+47 1\r\n'
        'contact_bbb2,"Liv\nSvendsen",\r\ncontact_ccc3,"",\r\n'
    )

    report = await refused(tenant, "contacts", data)

    # A name is one line, as the API has it; the record after it starts on line 5.
    assert [(error["line"], error["column"]) for error in report["errors"]] == [
        (3, "name"),
        (5, "name"),
    ]
    fixed = data.replace("Liv\nSvendsen", "Liv Svendsen").replace(
        'contact_ccc3,""', "contact_ccc3,C"
    )
    assert (await imported(tenant, "contacts", fixed)).created == 3
    assert (await row(db, "contacts", tenant, "contact_aaa1"))["name"] == 'Olsen, Per "Pelle"'


async def test_notes_keep_their_line_breaks(db: Database, tenant: Tenant) -> None:
    await _people(tenant)
    data = (
        "assignment_id,mentor_id,contact_id,notes\n"
        'assign_aaa1,mentor_kari1,contact_per1,"Met at school;\nwill call, weekly"\n'
    )

    assert (await imported(tenant, "assignments", data)).created == 1
    notes = (await row(db, "assignments", tenant, "assign_aaa1"))["notes"]
    assert notes == "Met at school;\nwill call, weekly"


async def test_a_dry_run_counts_and_writes_nothing(db: Database, tenant: Tenant) -> None:
    report = await imported(tenant, "contacts", CONTACTS, dry_run=True)

    assert (report.rows, report.created) == (3, 3)
    assert await count(db, "contacts", tenant) == 0
    assert await count(db, "audit_events", tenant) == 0


async def test_only_admins_import_and_only_known_kinds(tenant: Tenant) -> None:
    supervisor = Principal(tenant.agency_id, Role.SUPERVISOR, "tok_supervisor")
    with pytest.raises(Forbidden):
        await import_csv(tenant.db, supervisor, "contacts", CONTACTS.encode())
    with pytest.raises(NotFound):
        await imported(tenant, "applications", CONTACTS)


# --- assignments ---------------------------------------------------------------------------------

PEOPLE = (
    "mentor_id,name\nmentor_kari1,Kari\nmentor_nils2,Nils\n",
    "contact_id,name\ncontact_per1,Per\ncontact_liv2,Liv\ncontact_ola3,Ola\n",
)
ASSIGNMENTS = (
    "assignment_id,mentor_id,contact_id,status,notes,assigned_date,last_contact_date,closed_date\n"
    "assign_aaa1,mentor_kari1,contact_per1,open,First call,2025-11-01T00:00:00Z,,\n"
    "assign_bbb2,mentor_kari1,contact_liv2,closed,,2025-01-01T00:00:00Z,,2025-06-01T12:00:00Z\n"
    "assign_ccc3,mentor_nils2,contact_liv2,open,,,2025-11-20T10:00:00+01:00,\n"
)


async def _people(tenant: Tenant) -> None:
    await imported(tenant, "mentors", PEOPLE[0])
    await imported(tenant, "contacts", PEOPLE[1])


async def test_assignments_are_imported_open_and_closed(db: Database, tenant: Tenant) -> None:
    await _people(tenant)

    report = await imported(tenant, "assignments", ASSIGNMENTS)

    assert report.created == 3
    closed = await row(db, "assignments", tenant, "assign_bbb2")
    assert (closed["status"], closed["closed_date"].isoformat()) == (
        "closed",
        "2025-06-01T12:00:00+00:00",
    )
    third = await row(db, "assignments", tenant, "assign_ccc3")
    assert third["last_contact_date"].isoformat() == "2025-11-20T09:00:00+00:00"
    assert third["assigned_date"] is not None  # now, as a create makes it
    events = await db.fetch_all(
        "SELECT subject_id, to_status, details FROM audit_events WHERE agency_id = :agency_id"
        " AND subject_type = 'assignment' ORDER BY subject_id",
        {"agency_id": tenant.agency_id},
    )
    assert [(event["subject_id"], event["to_status"]) for event in events] == [
        ("assign_aaa1", "open"),
        ("assign_bbb2", "closed"),
        ("assign_ccc3", "open"),
    ]
    again = await imported(tenant, "assignments", ASSIGNMENTS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


async def test_an_assignment_closed_by_a_later_file_changes_status_like_a_patch(
    db: Database, tenant: Tenant
) -> None:
    await _people(tenant)
    await imported(tenant, "assignments", ASSIGNMENTS)
    closing = ASSIGNMENTS.replace("contact_per1,open,First call", "contact_per1,closed,Done")

    report = await imported(tenant, "assignments", closing)

    assert (report.updated, report.unchanged) == (1, 2)
    closed = await row(db, "assignments", tenant, "assign_aaa1")
    assert (closed["status"], closed["notes"]) == ("closed", "Done")
    assert closed["closed_date"] is not None
    actions = await db.fetch_all(
        "SELECT action, from_status, to_status FROM audit_events WHERE agency_id = :agency_id"
        " AND subject_id = 'assign_aaa1' ORDER BY action",
        {"agency_id": tenant.agency_id},
    )
    assert actions == [
        {"action": "created", "from_status": None, "to_status": "open"},
        {"action": "status_changed", "from_status": "open", "to_status": "closed"},
        {"action": "updated", "from_status": None, "to_status": None},
    ]


async def test_assignments_name_only_this_agencys_people(
    db: Database, tenant: Tenant, other_tenant: Tenant
) -> None:
    await _people(tenant)
    await imported(other_tenant, "mentors", "mentor_id,name\nmentor_elsewhere1,Elsewhere\n")
    data = (
        "assignment_id,mentor_id,contact_id\n"
        "assign_aaa1,mentor_elsewhere1,contact_per1\n"
        "assign_bbb2,mentor_kari1,contact_nobody9\n"
    )

    report = await refused(tenant, "assignments", data)

    assert report["errors"] == [
        {"line": 2, "column": "mentor_id", "detail": "no mentor mentor_elsewhere1 in this agency"},
        {"line": 3, "column": "contact_id", "detail": "no contact contact_nobody9 in this agency"},
    ]
    assert await count(db, "assignments", tenant) == 0


async def test_one_open_assignment_per_mentor_and_contact(tenant: Tenant) -> None:
    await _people(tenant)
    await imported(tenant, "assignments", ASSIGNMENTS)
    data = (
        "assignment_id,mentor_id,contact_id\n"
        "assign_ddd4,mentor_kari1,contact_per1\n"  # open already as assign_aaa1
        "assign_eee5,mentor_kari1,contact_ola3\n"
        "assign_fff6,mentor_kari1,contact_ola3\n"  # twice in the file
    )

    report = await refused(tenant, "assignments", data)

    assert [(error["line"], error["column"]) for error in report["errors"]] == [
        (2, "contact_id"),
        (4, "contact_id"),
    ]
    assert "already has an open assignment" in report["errors"][0]["detail"]


async def test_capacity_is_enforced_on_import(db: Database, tenant: Tenant) -> None:
    await _people(tenant)
    await db.execute(
        "UPDATE agencies SET default_mentor_capacity = 2 WHERE id = :id", {"id": tenant.agency_id}
    )
    await imported(
        tenant,
        "assignments",
        "assignment_id,mentor_id,contact_id\nassign_aaa1,mentor_kari1,contact_per1\n",
    )
    data = (
        "assignment_id,mentor_id,contact_id\n"
        "assign_bbb2,mentor_kari1,contact_liv2\n"
        "assign_ccc3,mentor_nils2,contact_liv2\n"
        "assign_ddd4,mentor_kari1,contact_ola3\n"
    )

    report = await refused(tenant, "assignments", data)

    assert report["errors"] == [
        {
            "line": 4,
            "column": "mentor_id",
            "detail": "mentor mentor_kari1 is over capacity: it would hold 3 open assignments"
            " (open: 1, limit: 2)",
        }
    ]
    assert await count(db, "assignments", tenant) == 1
    # Its own limit above the default: the same file goes in.
    await db.execute(
        "UPDATE mentors SET max_open_assignments = 3 WHERE agency_id = :a AND id = 'mentor_kari1'",
        {"a": tenant.agency_id},
    )
    assert (await imported(tenant, "assignments", data)).created == 3


async def test_an_assignment_keeps_whom_it_is_between(tenant: Tenant) -> None:
    await _people(tenant)
    await imported(tenant, "assignments", ASSIGNMENTS)

    report = await refused(
        tenant, "assignments", ASSIGNMENTS.replace("mentor_nils2", "mentor_kari1")
    )

    assert [(error["line"], error["column"]) for error in report["errors"]] == [(4, "mentor_id")]


async def test_a_closed_assignment_needs_its_closed_date(tenant: Tenant) -> None:
    await _people(tenant)
    data = (
        "assignment_id,mentor_id,contact_id,status\nassign_aaa1,mentor_kari1,contact_per1,closed\n"
    )

    report = await refused(tenant, "assignments", data)

    assert report["errors"] == [
        {"line": 2, "column": "closed_date", "detail": "is required when status is closed"}
    ]


# --- agency workers and children ----------------------------------------------------------------

WORKERS = (
    "id,name,email,active,assignable_roles,agency_role,role_for_permissions,supervisors\n"
    'w1,Ada Worker,ada@example.org,true,"[""case_carrying"",""support""]",,,"[""w2""]"\n'
    'w2,Bo Boss,bo@example.org,,[],Supervisor,"{""id"": 7, ""name"": ""Lead""}",\n'
)


async def test_agency_workers_with_roles_and_supervisors_from_the_same_file(
    db: Database, tenant: Tenant, api: Any
) -> None:
    report = await imported(tenant, "agency-workers", WORKERS)

    assert report.created == 2
    ada = await row(db, "agency_workers", tenant, "w1")
    assert ada["assignable_roles"] == "case_carrying,support"
    answer = await api.get("/api/v1/agency_workers/w1")
    assert answer.json()["data"]["attributes"]["supervisors"] == [{"id": "w2", "name": "Bo Boss"}]
    again = await imported(tenant, "agency-workers", WORKERS)
    assert again.unchanged == 2


async def test_a_worker_made_inactive_loses_its_tokens(db: Database, tenant: Tenant) -> None:
    await imported(tenant, "agency-workers", WORKERS)
    await tenant.token(Role.CASEWORKER, worker_id="w1")

    report = await imported(
        tenant, "agency-workers", "id,name,email,active\nw1,Ada Worker,ada@example.org,false\n"
    )

    assert report.updated == 1
    live = await db.fetch_value(
        "SELECT count(*) FROM api_tokens WHERE agency_id = :a AND worker_id = 'w1'"
        " AND revoked_at IS NULL",
        {"a": tenant.agency_id},
    )
    assert live == 0


async def test_worker_cells_are_checked_by_the_workers_model(tenant: Tenant) -> None:
    data = (
        "id,name,email,assignable_roles,supervisors\n"
        'w1,Ada,ada@example.org,"[""cooking""]",\n'
        'w2,Bo,bo@example.org,,"[""w9""]"\n'
    )

    first = await refused(tenant, "agency-workers", data)
    assert first["errors"][0]["line"] == 2
    assert first["errors"][0]["column"] == "assignable_roles"

    second = await refused(tenant, "agency-workers", data.replace('""cooking""', '""support""'))
    assert second["errors"] == [
        {"line": 3, "column": "supervisors", "detail": "no agency worker w9 in this agency"}
    ]


async def test_children_are_imported_with_their_dates(db: Database, tenant: Tenant) -> None:
    data = (
        "id,first_name,last_name,date_of_birth,gender,client_id\n"
        "48213,Emma,Hansen,2015-03-04,Female,C-1\n"
        "c2,,Berg,,,\n"
    )

    report = await imported(tenant, "children", data)

    assert report.created == 2
    emma = await row(db, "children", tenant, "48213")
    assert (emma["date_of_birth"].isoformat(), emma["gender"]) == ("2015-03-04", "Female")
    assert (await imported(tenant, "children", data)).unchanged == 2
    bad = await refused(tenant, "children", data.replace("2015-03-04", "2015-13-04"))
    assert [(error["line"], error["column"]) for error in bad["errors"]] == [(2, "date_of_birth")]


async def test_progress_is_told_as_rows_are_read_and_written(tenant: Tenant) -> None:
    seen: list[tuple[int, int]] = []
    rows = "".join(f"contact_p{n:05d},Person {n}\n" for n in range(2500))

    await import_csv(
        tenant.db,
        admin(tenant),
        "contacts",
        f"contact_id,name\n{rows}".encode(),
        progress=lambda done, total: seen.append((done, total)),
    )

    assert seen[-1] == (5000, 5000)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


async def test_ids_are_the_agencys_own(db: Database, tenant: Tenant, other_tenant: Tenant) -> None:
    await imported(other_tenant, "contacts", CONTACTS)

    report = await imported(tenant, "contacts", CONTACTS.replace("Per Olsen", "Per Hansen"))

    assert report.created == 3  # the same ids, another agency's records: new here
    assert (await row(db, "contacts", other_tenant, "contact_per1"))["name"] == "Per Olsen"
    assert (await row(db, "contacts", tenant, "contact_per1"))["name"] == "Per Hansen"
