"""User agency profiles: the people of an application, read through its scope, changed by PUT,
filtered; and the applicant as a relationship of the application's worker assignments."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest

from caseworks.auth.principal import Role
from tests.support.childwelfare import (
    APPLICATIONS,
    applicant_of,
    child,
    child_assignment,
    intake,
    jsonapi_client,
    worker,
)
from tests.support.tenants import Tenant

PROFILES = "/api/v1/user_agency_profiles"
ANNA = {"first_name": "Anna", "last_name": "Berg", "email": "anna.berg@example.org"}
KARI = {"first_name": "Kari", "last_name": "Hansen", "phone_number": "+4791234567"}


async def _ids(client: httpx.AsyncClient, **params: str) -> list[str]:
    response = await client.get(PROFILES, params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["data"]]


async def test_a_caseworker_reads_the_people_of_its_applications_only(
    tenant: Tenant, jsonapi: httpx.AsyncClient
) -> None:
    me = await worker(jsonapi, email="me@example.org")
    colleague = await worker(jsonapi, email="colleague@example.org")
    mine = await intake(jsonapi, ANNA, [(me, "support")])
    theirs = await intake(jsonapi, KARI, [(colleague, "support")])
    async with jsonapi_client(
        tenant, await tenant.token(Role.CASEWORKER, worker_id=me)
    ) as caseworker:
        shown = await caseworker.get(f"{PROFILES}/{applicant_of(mine)}")
        assert shown.status_code == 200
        assert shown.json()["data"]["attributes"]["email"] == "anna.berg@example.org"
        other = await caseworker.get(f"{PROFILES}/{applicant_of(theirs)}")
        assert other.status_code == 404  # another family's: as if it did not exist
        assert "Hansen" not in other.text
        listed = await caseworker.get(PROFILES)
        assert [item["id"] for item in listed.json()["data"]] == [applicant_of(mine)]
        assert "Hansen" not in listed.text
        put = await caseworker.put(
            f"{PROFILES}/{applicant_of(mine)}",
            json={"data": {"type": "user-agency-profiles", "attributes": {"suffix": "Jr"}}},
        )
        assert put.status_code == 403
        hidden = await caseworker.put(
            f"{PROFILES}/{applicant_of(theirs)}",
            json={"data": {"type": "user-agency-profiles", "attributes": {"suffix": "Jr"}}},
        )
        assert hidden.status_code == 404


async def test_put_changes_only_the_keys_sent_and_the_name_follows_its_parts(
    jsonapi: httpx.AsyncClient,
) -> None:
    profile_id = applicant_of(await intake(jsonapi, {**ANNA, "external_identifier": "P-1"}))
    path = f"{PROFILES}/{profile_id}"
    document = {
        "data": {
            "type": "user-agency-profiles",
            "id": profile_id,
            "attributes": {"last-name": "Dahl", "date-of-birth": "1980-05-01", "email": None},
        }
    }
    response = await jsonapi.put(path, json=document)
    assert response.status_code == 200, response.text
    attributes = response.json()["data"]["attributes"]
    assert attributes["last-name"] == "Dahl"
    assert attributes["name"] == "Anna Dahl"
    assert attributes["date-of-birth"] == "1980-05-01"
    assert attributes["email"] is None  # null clears
    assert attributes["first-name"] == "Anna"  # left out: unchanged
    assert attributes["external-identifier"] == "P-1"
    assert (await jsonapi.get(path)).json()["data"]["attributes"] == attributes


async def test_roles_is_binti_s_list_of_the_profile_s_one_role(jsonapi: httpx.AsyncClient) -> None:
    profile_id = applicant_of(await intake(jsonapi, ANNA))
    shown = (await jsonapi.get(f"{PROFILES}/{profile_id}")).json()["data"]["attributes"]
    assert (shown["role"], shown["roles"]) == ("applicant", ["applicant"])
    listed = (await jsonapi.get(PROFILES)).json()["data"]
    assert [item["attributes"]["roles"] for item in listed] == [["applicant"]]


@pytest.mark.parametrize(
    ("attributes", "pointer"),
    [
        ({"role": "co_applicant"}, "/data/attributes/role"),  # fixed when the profile is made
        ({"name": "Someone Else"}, "/data/attributes/name"),  # follows the parts
        ({"roles": ["co_applicant"]}, "/data/attributes/roles"),  # follows the role
        ({"email": "a@example.org,b@example.org"}, "/data/attributes/email"),
        ({"gender": "female"}, "/data/attributes/gender"),  # not carried
    ],
)
async def test_what_a_put_may_not_change_is_422(
    jsonapi: httpx.AsyncClient, attributes: dict[str, str], pointer: str
) -> None:
    profile_id = applicant_of(await intake(jsonapi, ANNA))
    response = await jsonapi.put(
        f"{PROFILES}/{profile_id}",
        json={"data": {"type": "user-agency-profiles", "attributes": attributes}},
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["source"] == {"pointer": pointer}


async def test_the_filters_keep_the_matching_people(
    tenant: Tenant, jsonapi: httpx.AsyncClient
) -> None:
    recruiting = await intake(jsonapi, {**ANNA, "external_identifier": "P-1"}, status="recruiting")
    document = {
        "data": {
            "type": "initial-applications",
            "attributes": {},
            "relationships": {
                "applicant-agency-profile": {"data": KARI},
                "co-applicant-agency-profile": {
                    "data": {"name": "Per Hansen", "email": "p@example.org"}
                },
            },
        }
    }
    applying = (await jsonapi.post(APPLICATIONS, json=document)).json()["data"]
    anna, kari = applicant_of(recruiting), applicant_of(applying)
    per = next(p for p in await _ids(jsonapi) if p not in (anna, kari))
    assert await _ids(jsonapi, role="applicant") == [anna, kari]
    assert await _ids(jsonapi, **{"filter[role]": "co_applicant"}) == [per]
    assert await _ids(jsonapi, application_status="recruiting") == [anna]
    assert await _ids(jsonapi, **{"filter[application_status]": "applying"}) == [kari, per]
    assert await _ids(jsonapi, external_identifier="P-1") == [anna]
    async with tenant.db.transaction() as tx:
        await tx.execute(
            "UPDATE user_agency_profiles SET updated_at = :at"
            " WHERE agency_id = :agency AND id = :id",
            {
                "at": datetime.fromisoformat("2026-03-01T00:00:00+00:00"),
                "agency": tenant.agency_id,
                "id": anna,
            },
        )
    assert await _ids(jsonapi, updated_end_date="2026-03-01T00:00:01Z") == [anna]
    assert await _ids(jsonapi, updated_end_date="2026-03-01") == []  # before, not at
    assert anna not in await _ids(jsonapi, updated_start_date="2026-03-01T00:00:01Z")
    assert (await jsonapi.get(PROFILES, params={"role": "adult"})).status_code == 400


async def test_an_assignment_names_its_applications_applicant(
    jsonapi: httpx.AsyncClient,
) -> None:
    supporter = await worker(jsonapi)
    made = await intake(jsonapi, ANNA, [(supporter, "support")])
    child_id = await child(jsonapi)
    await jsonapi.post("/api/v1/worker_assignments", json=child_assignment(child_id, supporter))
    listed = await jsonapi.get(
        "/api/v1/worker_assignments", params={"include": "applicant-profile", "sort": "created_at"}
    )
    assert listed.status_code == 200, listed.text
    on_application, on_child = listed.json()["data"]
    assert on_application["relationships"]["applicant-profile"] == {
        "data": {"type": "user-agency-profiles", "id": applicant_of(made)}
    }
    assert on_child["relationships"]["applicant-profile"] == {"data": None}
    included = listed.json()["included"]
    assert [(item["type"], item["id"]) for item in included] == [
        ("user-agency-profiles", applicant_of(made))
    ]
    assert included[0]["attributes"]["name"] == "Anna Berg"


def _new_person(application_id: str, **attributes: str) -> dict[str, object]:
    return {
        "data": {
            "type": "user-agency-profiles",
            "attributes": {"role": "other_adult_in_home", "first-name": "Ola", **attributes},
            "relationships": {
                "application": {"data": {"type": "applications", "id": application_id}}
            },
        }
    }


async def test_a_person_keeps_the_id_its_client_gives_it_and_a_clash_is_409(
    jsonapi: httpx.AsyncClient,
) -> None:
    made = await intake(jsonapi, ANNA)
    document = _new_person(made["id"], **{"last-name": "Berg"})
    document["data"]["id"] = "9001"  # type: ignore[index]
    created = await jsonapi.post(PROFILES, json=document)
    assert created.status_code == 201, created.text
    assert created.json()["data"]["id"] == "9001"
    assert (await jsonapi.get(f"{PROFILES}/9001")).status_code == 200
    clash = await jsonapi.post(PROFILES, json=document)
    assert clash.status_code == 409, clash.text
    assert clash.json()["errors"][0]["source"] == {"pointer": "/data/id"}
    listed = await jsonapi.get(PROFILES, params={"role": "other_adult_in_home"})
    assert [person["id"] for person in listed.json()["data"]] == ["9001"]


async def test_a_person_is_added_to_an_application(jsonapi: httpx.AsyncClient) -> None:
    made = await intake(jsonapi, ANNA)
    response = await jsonapi.post(PROFILES, json=_new_person(made["id"], **{"last-name": "Berg"}))
    assert response.status_code == 201, response.text
    person = response.json()["data"]
    assert response.headers["location"] == f"{PROFILES}/{person['id']}"
    assert person["attributes"]["role"] == "other_adult_in_home"
    assert person["attributes"]["name"] == "Ola Berg"
    assert person["relationships"]["application"]["data"] == {
        "type": "initial-applications",
        "id": made["id"],
    }
    assert person["relationships"]["applications-as-other-adult"]["data"] == [
        {"type": "initial-applications", "id": made["id"]}
    ]
    assert await _ids(jsonapi, role="other_adult_in_home") == [person["id"]]


async def test_an_application_without_an_applicant_gets_one_by_post(
    jsonapi: httpx.AsyncClient,
) -> None:
    made = await intake(jsonapi)
    document = _new_person(made["id"], role="applicant", **{"last-name": "Berg"})
    first = await jsonapi.post(PROFILES, json=document)
    assert first.status_code == 201, first.text
    shown = (await jsonapi.get(f"{APPLICATIONS}/{made['id']}")).json()["data"]
    assert applicant_of(shown) == first.json()["data"]["id"]
    second = await jsonapi.post(PROFILES, json=document)
    assert second.status_code == 422
    assert second.json()["errors"][0]["source"] == {"pointer": "/data/attributes/role"}


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        (
            {"attributes": {"role": "other_adult_in_home", "first-name": "Ola"}},
            "/data/attributes/last-name",
        ),
        (
            {"attributes": {"role": "neighbour", "first-name": "O", "last-name": "B"}},
            "/data/attributes/role",
        ),
        ({"relationships": {}}, "/data/relationships/application"),
        (
            {"relationships": {"application": {"data": None}}},
            "/data/relationships/application/data",
        ),
        (
            {
                "relationships": {
                    "application": {"data": {"type": "applications", "id": "application_x"}}
                }
            },
            "/data/relationships/application",
        ),
    ],
)
async def test_a_person_who_cannot_be_added_is_422_and_nothing_is_written(
    jsonapi: httpx.AsyncClient, change: dict[str, object], pointer: str
) -> None:
    made = await intake(jsonapi)
    document = _new_person(made["id"], **{"last-name": "Berg"})
    data = document["data"]
    assert isinstance(data, dict)
    data.update(change)
    response = await jsonapi.post(PROFILES, json=document)
    assert response.status_code == 422, response.text
    assert pointer in [error["source"]["pointer"] for error in response.json()["errors"]]
    assert await _ids(jsonapi) == []
