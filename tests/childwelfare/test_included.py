"""Compound documents: which related records `included` holds, by `include` or Binti's
`included`, for worker assignments, applications and user agency profiles; and that they obey
the caller's read scope."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from caseworks.auth.principal import Principal, Role
from caseworks.childwelfare import records, worker_assignments
from caseworks.childwelfare.childwelfare_models import (
    APPLICATION_INCLUDES,
    INCLUDES,
    PROFILE_INCLUDES,
)
from caseworks.core.pagination import PageRequest
from caseworks.db import Database
from tests.support.childwelfare import (
    applicant_of,
    application,
    application_assignment,
    child,
    child_assignment,
    intake,
    intake_document,
    jsonapi_client,
    worker,
)
from tests.support.databases import CountingExecutor
from tests.support.tenants import Tenant

EVERYTHING = {"agency-workers", "children", "initial-applications"}


async def _two_assignments(jsonapi: httpx.AsyncClient) -> tuple[str, str, str]:
    """A child and an application, one worker assigned to both: (worker, child, application)."""
    worker_id, child_id = await worker(jsonapi), await child(jsonapi)
    application_id = await application(jsonapi)
    await jsonapi.post("/api/v1/worker_assignments", json=child_assignment(child_id, worker_id))
    await jsonapi.post(
        "/api/v1/worker_assignments", json=application_assignment(application_id, worker_id)
    )
    return worker_id, child_id, application_id


def included_types(document: dict[str, object]) -> set[str]:
    included = document.get("included")
    assert isinstance(included, list)
    return {item["type"] for item in included}


async def test_without_include_or_included_every_association_is_included(
    jsonapi: httpx.AsyncClient,
) -> None:
    worker_id, child_id, application_id = await _two_assignments(jsonapi)
    document = (await jsonapi.get("/api/v1/worker_assignments")).json()
    # Each related record once, though the worker is on both assignments.
    assert sorted((item["type"], item["id"]) for item in document["included"]) == sorted(
        [
            ("agency-workers", worker_id),
            ("children", child_id),
            ("initial-applications", application_id),
        ]
    )
    one = document["data"][0]["id"]
    shown = (await jsonapi.get(f"/api/v1/worker_assignments/{one}")).json()
    assert included_types(shown) == {"agency-workers", "children"}
    nested = f"/api/v1/children/{child_id}/relationships/worker_assignments"
    assert included_types((await jsonapi.get(nested)).json()) == {"agency-workers", "children"}


async def test_a_create_answers_with_every_association_included_too(
    jsonapi: httpx.AsyncClient,
) -> None:
    worker_id, child_id = await worker(jsonapi), await child(jsonapi)
    created = await jsonapi.post(
        "/api/v1/worker_assignments", json=child_assignment(child_id, worker_id)
    )
    assert created.status_code == 201
    assert included_types(created.json()) == {"agency-workers", "children"}


@pytest.mark.parametrize("name", ["include", "included"])
async def test_a_star_includes_all_an_empty_value_none_and_a_list_those(
    jsonapi: httpx.AsyncClient, name: str
) -> None:
    await _two_assignments(jsonapi)
    url = "/api/v1/worker_assignments"
    assert included_types((await jsonapi.get(url, params={name: "*"})).json()) == EVERYTHING
    # An empty value asks for nothing: the document has no `included` member at all.
    assert "included" not in (await jsonapi.get(url, params={name: ""})).json()
    listed = (await jsonapi.get(url, params={name: "worker"})).json()
    assert included_types(listed) == {"agency-workers"}
    both = (await jsonapi.get(url, params={name: "child, application"})).json()
    assert included_types(both) == {"children", "initial-applications"}


async def test_include_and_included_at_once_is_400_naming_included(
    jsonapi: httpx.AsyncClient,
) -> None:
    response = await jsonapi.get(
        "/api/v1/worker_assignments", params={"include": "worker", "included": "worker"}
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["source"] == {"parameter": "included"}
    assert "given twice" in error["detail"]


async def test_an_unknown_name_is_400_naming_the_parameter_as_sent(
    jsonapi: httpx.AsyncClient,
) -> None:
    response = await jsonapi.get("/api/v1/worker_assignments", params={"included": "worker,nope"})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["source"] == {"parameter": "included"}


@pytest.mark.parametrize("name", ["include", "included"])
async def test_children_and_agency_workers_take_include_with_nothing_to_add(
    jsonapi: httpx.AsyncClient, name: str
) -> None:
    child_id, worker_id = await child(jsonapi), await worker(jsonapi)
    urls = (
        "/api/v1/children",
        f"/api/v1/children/{child_id}",
        "/api/v1/agency_workers",
        f"/api/v1/agency_workers/{worker_id}",
    )
    assert "included" not in (await jsonapi.get(urls[0])).json()  # nor by default
    for url in urls:
        for value in ("*", ""):
            response = await jsonapi.get(url, params={name: value})
            assert response.status_code == 200, response.text
            assert "included" not in response.json()
        refused = await jsonapi.get(url, params={name: "worker"})
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["source"] == {"parameter": name}


async def test_by_default_a_caseworker_is_given_only_records_it_may_read(
    tenant: Tenant, jsonapi: httpx.AsyncClient
) -> None:
    mine, theirs = await child(jsonapi), await child(jsonapi, **{"last-name": "Hansen"})
    me = await worker(jsonapi, email="me@example.org")
    colleague = await worker(jsonapi, email="colleague@example.org")
    await jsonapi.post("/api/v1/worker_assignments", json=child_assignment(mine, me))
    await jsonapi.post("/api/v1/worker_assignments", json=child_assignment(mine, colleague))
    await jsonapi.post("/api/v1/worker_assignments", json=child_assignment(theirs, colleague))
    token = await tenant.token(Role.CASEWORKER, worker_id=me)
    async with jsonapi_client(tenant, token) as caseworker:
        document = (await caseworker.get("/api/v1/worker_assignments")).json()
        included = {(item["type"], item["id"]) for item in document["included"]}
        assert included == {
            ("agency-workers", me),
            ("agency-workers", colleague),
            ("children", mine),
        }
        for item in document["included"]:
            # Each is readable directly, at the URL its own links.self gives.
            assert (await caseworker.get(item["links"]["self"])).status_code == 200


async def test_related_records_of_many_rows_are_read_in_one_batch_within_scope(
    tenant: Tenant, db: Database, jsonapi: httpx.AsyncClient
) -> None:
    me = await worker(jsonapi, email="me@example.org")
    children = [await child(jsonapi, **{"last-name": f"Child {n}"}) for n in range(4)]
    for child_id in children[:2]:
        await jsonapi.post("/api/v1/worker_assignments", json=child_assignment(child_id, me))
    for child_id in children[2:]:
        other = await worker(jsonapi, email=f"{child_id}@example.org")
        await jsonapi.post("/api/v1/worker_assignments", json=child_assignment(child_id, other))
    admin = Principal(tenant.agency_id, Role.ADMIN, "tok_admin")
    caseworker = Principal(tenant.agency_id, Role.CASEWORKER, "tok_caseworker", worker_id=me)
    page = await worker_assignments.list_assignments(
        db, admin, {}, (("created_at", "asc"),), PageRequest(1, 20)
    )
    assert len(page.items) == 4

    related = await worker_assignments.included(db, caseworker, page.items, {"child"})
    # The children the caseworker's worker is assigned to, each once, by id; no others.
    assert [row["id"] for rows in related.values() for row in rows] == sorted(children[:2])
    every = await worker_assignments.included(db, admin, page.items, {"child"})
    assert [row["id"] for rows in every.values() for row in rows] == sorted(children)


# --- applications and user agency profiles ----------------------------------------------------

APPLICATIONS = "/api/v1/applications"
PROFILES = "/api/v1/user_agency_profiles"
ANNA = {"first_name": "Anna", "last_name": "Berg", "email": "anna.berg@example.org"}
KARI = {"first_name": "Kari", "last_name": "Hansen", "phone_number": "+4791234567"}
CO_APPLICANT = {"first_name": "Per", "last_name": "Berg", "email": "per.berg@example.org"}


def included_ids(document: dict[str, Any]) -> list[tuple[str, str]]:
    included = document.get("included")
    assert isinstance(included, list), document
    return sorted((item["type"], item["id"]) for item in included)


async def _family(jsonapi: httpx.AsyncClient, **attributes: Any) -> tuple[str, str, str]:
    """An application made by intake with an applicant and a co-applicant:
    (application, applicant, co-applicant)."""
    document = intake_document(applicant=ANNA, **attributes)
    document["data"]["relationships"]["co-applicant-agency-profile"] = {"data": CO_APPLICANT}
    made = await jsonapi.post(APPLICATIONS, json=document)
    assert made.status_code == 200, made.text
    application_id = made.json()["data"]["id"]
    people = (await jsonapi.get(PROFILES, params={"sort": "created_at", "included": ""})).json()
    by_role = {item["attributes"]["role"]: item["id"] for item in people["data"]}
    assert by_role["applicant"] == applicant_of(made.json()["data"])
    return application_id, by_role["applicant"], by_role["co_applicant"]


async def test_applications_include_their_applicant_and_co_applicant_profiles_by_default(
    jsonapi: httpx.AsyncClient,
) -> None:
    application_id, applicant, co_applicant = await _family(jsonapi)
    without = await application(jsonapi)  # no applicant: nothing to include for it
    listed = (await jsonapi.get(APPLICATIONS)).json()
    assert [item["id"] for item in listed["data"]] == [application_id, without]
    relationships = listed["data"][0]["relationships"]
    assert relationships["co-applicant-agency-profile"] == {
        "data": {"type": "user-agency-profiles", "id": co_applicant}
    }
    assert listed["data"][1]["relationships"]["co-applicant-agency-profile"] == {"data": None}
    people = sorted([("user-agency-profiles", applicant), ("user-agency-profiles", co_applicant)])
    assert included_ids(listed) == people
    profile = next(item for item in listed["included"] if item["id"] == applicant)
    assert profile["attributes"]["name"] == "Anna Berg"
    assert profile["links"]["self"] == f"http://testserver{PROFILES}/{applicant}"
    shown = (await jsonapi.get(f"{APPLICATIONS}/{application_id}")).json()
    assert shown["included"] == listed["included"]
    for name, expected in (
        ("applicant-agency-profile", applicant),
        ("co-applicant-agency-profile", co_applicant),
    ):
        asked = await jsonapi.get(f"{APPLICATIONS}/{application_id}", params={"included": name})
        assert included_ids(asked.json()) == [("user-agency-profiles", expected)]
    # Asked for, with nothing there: an empty `included`, as for assignments.
    assert (await jsonapi.get(f"{APPLICATIONS}/{without}")).json()["included"] == []


async def test_profiles_include_their_application_by_default(
    jsonapi: httpx.AsyncClient,
) -> None:
    application_id, applicant, co_applicant = await _family(jsonapi, status="recruiting")
    listed = (await jsonapi.get(PROFILES)).json()
    assert {item["id"] for item in listed["data"]} == {applicant, co_applicant}
    # One application for both of its people: included once.
    assert included_ids(listed) == [("initial-applications", application_id)]
    assert listed["included"][0]["attributes"]["status"] == "recruiting"
    shown = (await jsonapi.get(f"{PROFILES}/{co_applicant}")).json()
    assert included_ids(shown) == [("initial-applications", application_id)]


@pytest.mark.parametrize("name", ["include", "included"])
async def test_application_and_profile_reads_take_a_star_an_empty_value_and_names(
    jsonapi: httpx.AsyncClient, name: str
) -> None:
    application_id, applicant, co_applicant = await _family(jsonapi)
    both = sorted([("user-agency-profiles", applicant), ("user-agency-profiles", co_applicant)])
    profile = [("user-agency-profiles", applicant)]
    mine = [("initial-applications", application_id)]
    for url in (APPLICATIONS, f"{APPLICATIONS}/{application_id}"):
        assert included_ids((await jsonapi.get(url, params={name: "*"})).json()) == both
        asked = await jsonapi.get(url, params={name: "applicant-agency-profile"})
        assert included_ids(asked.json()) == profile
        assert "included" not in (await jsonapi.get(url, params={name: ""})).json()
    for url in (PROFILES, f"{PROFILES}/{applicant}"):
        assert included_ids((await jsonapi.get(url, params={name: "*"})).json()) == mine
        assert included_ids((await jsonapi.get(url, params={name: "application"})).json()) == mine
        assert "included" not in (await jsonapi.get(url, params={name: ""})).json()
    # Binti's names: each names the application of a profile of that role only.
    as_applicant = {name: "applications-as-applicant"}
    assert included_ids((await jsonapi.get(PROFILES, params=as_applicant)).json()) == mine
    shown = await jsonapi.get(f"{PROFILES}/{co_applicant}", params=as_applicant)
    assert shown.json()["included"] == []
    as_co = {name: "applications-as-co-applicant,applications-as-other-adult"}
    shown = await jsonapi.get(f"{PROFILES}/{co_applicant}", params=as_co)
    assert included_ids(shown.json()) == mine


@pytest.mark.parametrize(
    ("url", "unknown"),
    [
        (APPLICATIONS, "worker-assignments"),  # Binti's, a record we do not hold
        (APPLICATIONS, "application"),
        (PROFILES, "applicant-agency-profile"),
        (PROFILES, "agency-workers"),
    ],
)
async def test_a_name_the_record_cannot_include_is_400_naming_the_parameter(
    jsonapi: httpx.AsyncClient, url: str, unknown: str
) -> None:
    for name in ("include", "included"):
        for path in (url, f"{url}/anything"):
            response = await jsonapi.get(path, params={name: f"*,{unknown}"})
            assert response.status_code == 400, response.text
            [error] = response.json()["errors"]
            assert error["source"] == {"parameter": name}
    both = await jsonapi.get(url, params={"include": "", "included": ""})
    assert both.status_code == 400
    assert both.json()["errors"][0]["source"] == {"parameter": "included"}


async def test_a_caseworker_is_given_only_the_people_and_applications_it_may_read(
    tenant: Tenant, jsonapi: httpx.AsyncClient
) -> None:
    me = await worker(jsonapi, email="me@example.org")
    colleague = await worker(jsonapi, email="colleague@example.org")
    mine = await intake(jsonapi, ANNA, [(me, "support")])
    theirs_document = intake_document(applicant=KARI, workers=[(colleague, "support")])
    theirs_document["data"]["relationships"]["co-applicant-agency-profile"] = {"data": CO_APPLICANT}
    theirs = (await jsonapi.post(APPLICATIONS, json=theirs_document)).json()["data"]
    token = await tenant.token(Role.CASEWORKER, worker_id=me)
    async with jsonapi_client(tenant, token) as caseworker:
        applications = await caseworker.get(APPLICATIONS)
        assert included_ids(applications.json()) == [("user-agency-profiles", applicant_of(mine))]
        # Another's co-applicant, asked for by name, is not given either.
        asked = await caseworker.get(
            APPLICATIONS, params={"included": "co-applicant-agency-profile"}
        )
        assert asked.json()["included"] == []
        people = await caseworker.get(PROFILES, params={"included": "*"})
        assert included_ids(people.json()) == [("initial-applications", mine["id"])]
        shown = await caseworker.get(f"{APPLICATIONS}/{mine['id']}")
        assert included_ids(shown.json()) == [("user-agency-profiles", applicant_of(mine))]
        for document in (applications.json(), people.json(), shown.json()):
            for item in document["included"]:
                # Each is readable directly, at the URL its own links.self gives.
                assert (await caseworker.get(item["links"]["self"])).status_code == 200
        hidden = await caseworker.get(f"{APPLICATIONS}/{theirs['id']}")
        assert hidden.status_code == 404
        assert "Hansen" not in hidden.text
        for response in (applications, people, shown):
            assert "Hansen" not in response.text
            assert theirs["id"] not in response.text


async def test_another_agencys_records_of_the_same_ids_never_appear(
    jsonapi: httpx.AsyncClient, other_tenant: Tenant
) -> None:
    """Both agencies keep an application "5" (ids a migration kept): each agency's documents
    include only its own application and its own people."""
    ours = intake_document(applicant=ANNA, external_identifier="OURS")
    ours["data"]["id"] = "5"
    assert (await jsonapi.post(APPLICATIONS, json=ours)).status_code == 200
    theirs = intake_document(applicant=KARI, external_identifier="THEIRS")
    theirs["data"]["id"] = "5"
    async with jsonapi_client(other_tenant, other_tenant.admin_token) as other:
        assert (await other.post(APPLICATIONS, json=theirs)).status_code == 200
    for url in (APPLICATIONS, "/api/v1/applications/5", PROFILES):
        response = await jsonapi.get(url)
        assert response.status_code == 200
        assert "Hansen" not in response.text
        assert "THEIRS" not in response.text
    [application_5] = (await jsonapi.get(PROFILES)).json()["included"]
    assert application_5["attributes"]["external-identifier"] == "OURS"


async def test_a_page_of_profiles_reads_its_applications_in_one_query(
    tenant: Tenant, db: Database, jsonapi: httpx.AsyncClient
) -> None:
    families = [await _family(jsonapi) for _ in range(3)]
    admin = Principal(tenant.agency_id, Role.ADMIN, "tok_admin")
    page, _ = await records.records_with_included(
        db, admin, records.PROFILES, (("created_at", "asc"),), PageRequest(1, 20)
    )
    assert len(page.items) == 6
    async with db.connection() as connection:
        counted = CountingExecutor(connection)
        related = await records.related_records(
            counted, admin, page.items, records.RELATED[records.PROFILES], set(PROFILE_INCLUDES)
        )
    # Every name asked for, six people, three applications: one statement.
    assert len(counted.statements) == 1
    assert [row["id"] for row in related[records.APPLICATIONS]] == sorted(
        application_id for application_id, _, _ in families
    )


async def test_a_page_of_applications_reads_its_applicants_and_co_applicants_in_one_query(
    tenant: Tenant, db: Database, jsonapi: httpx.AsyncClient
) -> None:
    families = [await _family(jsonapi) for _ in range(3)]
    admin = Principal(tenant.agency_id, Role.ADMIN, "tok_admin")
    page, _ = await records.records_with_included(
        db, admin, records.APPLICATIONS, (("created_at", "asc"),), PageRequest(1, 20)
    )
    async with db.connection() as connection:
        counted = CountingExecutor(connection)
        related = await records.related_records(
            counted,
            admin,
            page.items,
            records.RELATED[records.APPLICATIONS],
            set(APPLICATION_INCLUDES),
        )
    # Both names are of one kind: three applicants and three co-applicants, one statement.
    assert len(counted.statements) == 1
    assert [row["id"] for row in related[records.PROFILES]] == sorted(
        person for _, applicant, co_applicant in families for person in (applicant, co_applicant)
    )


# --- the included workers' supervisors ----------------------------------------------------------


async def test_included_workers_carry_their_supervisors_read_in_one_more_query(
    tenant: Tenant, db: Database, jsonapi: httpx.AsyncClient
) -> None:
    anna = await worker(jsonapi, name="Anna Boss", email="anna@example.org")
    bjorn = await worker(jsonapi, name="Bjorn Boss", email="bjorn@example.org")
    carl = await worker(jsonapi, email="carl@example.org", supervisors=[anna, bjorn])
    dina = await worker(jsonapi, email="dina@example.org", supervisors=[bjorn])
    eve = await worker(jsonapi, email="eve@example.org")
    for assigned in (carl, dina, eve):
        child_id = await child(jsonapi, **{"last-name": f"Child of {assigned}"})
        await jsonapi.post("/api/v1/worker_assignments", json=child_assignment(child_id, assigned))

    listed = (await jsonapi.get("/api/v1/worker_assignments", params={"included": "worker"})).json()
    workers = {item["id"]: item for item in listed["included"]}
    assert set(workers) == {carl, dina, eve}
    assert workers[carl]["attributes"]["supervisors"] == sorted(
        [{"id": anna, "name": "Anna Boss"}, {"id": bjorn, "name": "Bjorn Boss"}],
        key=lambda supervisor: supervisor["id"],
    )
    assert workers[dina]["attributes"]["supervisors"] == [{"id": bjorn, "name": "Bjorn Boss"}]
    assert workers[eve]["attributes"]["supervisors"] == []
    # The same resource object as the worker's own read gives.
    own = (await jsonapi.get(f"/api/v1/agency_workers/{carl}")).json()["data"]
    assert workers[carl] == own

    admin = Principal(tenant.agency_id, Role.ADMIN, "tok_admin")
    page = await worker_assignments.list_assignments(
        db, admin, {}, (("created_at", "asc"),), PageRequest(1, 20)
    )
    async with db.connection() as connection:
        counted = CountingExecutor(connection)
        await worker_assignments.included(counted, admin, page.items, {"worker"})
        assert len(counted.statements) == 2  # the three workers, then all their supervisors
        counted.statements.clear()
        await worker_assignments.included(counted, admin, page.items, set(INCLUDES))
        # Workers, their supervisors, children; no application or profile to read.
        assert len(counted.statements) == 3
