"""A client written from Binti's published document: applications and user agency profiles.

Each request is shaped as Binti documents it (`POST /api/v1/applications` with the applicant
and worker assignments inline, snake_case attributes, `PUT` with only the keys to change, the
list's filters under their bare names), and each answer is read as Binti describes it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.support.childwelfare import BINTI_INTAKE_ATTRIBUTES, worker

APPLICATIONS = "/api/v1/applications"
PROFILES = "/api/v1/user_agency_profiles"


def _intake(approver: str) -> dict[str, Any]:
    """The body of Binti's "Intake an application" (which names no type), with the attributes
    we carry."""
    return {
        "data": {
            "attributes": {
                "date_of_inquiry": "2021-01-06",
                "external_identifier": "EXTERNAL01",
                "license_external_identifier": "7274251218",
                "status": "recruiting",
            },
            "relationships": {
                "applicant-agency-profile": {
                    "data": {
                        "first_name": "Oliver",
                        "last_name": "Lehner",
                        "email": "oliver.lehner@example.org",
                        "phone_number": "+15309450048",
                        "external_identifier": "APPLICANT01",
                    }
                },
                "worker-assignments": {
                    "data": [
                        {
                            "attributes": {"role": "approvals"},
                            "relationships": {
                                "worker": {"data": {"id": approver, "type": "agency-workers"}}
                            },
                        }
                    ]
                },
            },
            "meta": {"suppress-welcome-email": True},
        }
    }


def _example_intake(approver: str) -> dict[str, Any]:
    """The body of Binti's "Intake an application" with every member its schema takes, valued
    as in Binti's example answer (case type, ages, capacity, slug…); the applicant's e-mail is
    on example.org."""
    home = {
        "street_address": "9905 Heidenreich Key",
        "city": "Sacramento",
        "state": "CA",
        "zipcode": "95814",
        "county": "Sacramento",
        "additional_directions_to_home": "Second house past the barn",
    }
    return {
        "data": {
            "attributes": {
                **BINTI_INTAKE_ATTRIBUTES,
                "how_did_you_hear_about_us": "other",
                "how_did_you_hear_about_us_details": "A stall at the county fair",
            },
            "relationships": {
                "applicant-agency-profile": {
                    "data": {
                        "first_name": "Oliver",
                        "middle_name": "J",
                        "last_name": "Lehner",
                        "suffix": "Jr",
                        "email": "oliver.lehner@example.org",
                        "phone_number": "+15309450048",
                        "family_id": "RFA-7274251218",
                        "external_identifier": "APPLICANT01",
                        **home,
                    }
                },
                "co-applicant-agency-profile": {
                    "data": {
                        "first_name": "Ada",
                        "middle_name": None,
                        "last_name": "Lehner",
                        "suffix": None,
                        "email": None,
                        "phone_number": "+15309450049",
                        "family_id": None,
                        "external_identifier": "APPLICANT02",
                        **home,
                    }
                },
                "worker-assignments": {
                    "data": [
                        {
                            "attributes": {"role": "approvals"},
                            "relationships": {
                                "worker": {"data": {"id": approver, "type": "agency-workers"}}
                            },
                            "meta": {},
                        }
                    ]
                },
            },
            "meta": {"suppress-welcome-email": True},
        }
    }


def _kebab(values: dict[str, Any]) -> dict[str, Any]:
    return {name.replace("_", "-"): value for name, value in values.items()}


async def test_binti_example_intake_is_taken_whole_and_shown_back(
    binti: httpx.AsyncClient,
) -> None:
    approver = await worker(binti, email="approver@example.org")
    body = _example_intake(approver)

    created = await binti.post(APPLICATIONS, json=body)

    assert created.status_code == 200, created.text
    application = created.json()["data"]
    assert application["attributes"].items() >= _kebab(body["data"]["attributes"]).items()
    relationships = body["data"]["relationships"]
    people = (await binti.get(PROFILES, params={"included": ""})).json()["data"]
    profiles = {person["attributes"]["role"]: person["attributes"] for person in people}
    for role, name in (("applicant", "applicant"), ("co_applicant", "co-applicant")):
        sent = relationships[f"{name}-agency-profile"]["data"]
        assert profiles[role].items() >= _kebab(sent).items()
    assert profiles["applicant"]["name"] == "Oliver J Lehner Jr"

    # Binti's "Update an application" body: respite_provider (required there) and the rest.
    changes = {
        "case_type": "probation",
        "date_of_inquiry": "2021-01-05",
        "date_application_signed": "2021-01-08",
        "external_identifier": "EXTERNAL01",
        "capacity": 3,
        "approved_age_lower": 0,
        "approved_age_higher": 21,
        "community_foster": False,
        "license_external_identifier": "7274251218",
        "respite_provider": True,
    }
    updated = await binti.put(
        f"{APPLICATIONS}/{application['id']}", json={"data": {"attributes": changes}}
    )
    assert updated.status_code == 200, updated.text
    attributes = updated.json()["data"]["attributes"]
    assert attributes.items() >= _kebab(changes).items()
    assert attributes["template-slug"] == "application-template-41"


async def test_a_co_applicant_with_a_family_id_is_refused_as_binti_says(
    binti: httpx.AsyncClient,
) -> None:
    body = _example_intake(await worker(binti, email="approver@example.org"))
    body["data"]["relationships"]["co-applicant-agency-profile"]["data"]["family_id"] = "RFA-2"
    response = await binti.post(APPLICATIONS, json=body)
    assert response.status_code == 422, response.text
    assert [error["source"]["pointer"] for error in response.json()["errors"]] == [
        "/data/relationships/co-applicant-agency-profile/data/family_id"
    ]
    assert (await binti.get(APPLICATIONS)).json()["data"] == []


async def test_intake_list_show_and_update_an_application(jsonapi: httpx.AsyncClient) -> None:
    approver = await worker(jsonapi, email="approver@example.org")
    created = await jsonapi.post(APPLICATIONS, json=_intake(approver))
    assert created.status_code == 200, created.text
    application = created.json()["data"]
    assert application["type"] == "initial-applications"
    attributes = application["attributes"]
    assert attributes["status"] == "recruiting"
    assert attributes["date-of-inquiry"] == "2021-01-06"
    assert attributes["external-identifier"] == "EXTERNAL01"
    assert attributes["license-external-identifier"] == "7274251218"
    assert attributes["caseworker-assigned-date"] is not None
    applicant = application["relationships"]["applicant-agency-profile"]["data"]
    assert applicant["type"] == "user-agency-profiles"

    listed = await jsonapi.get(
        APPLICATIONS,
        params={
            "status": "recruiting",
            "external_identifier": "EXTERNAL01",
            "license_external_identifier": "7274251218",
            "updated_start_date": "2021-01-01T00:00:00Z",
            "sort": "-date_of_inquiry",
            "page[size]": "20",
            "page[number]": "1",
        },
    )
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert [item["id"] for item in page["data"]] == [application["id"]]
    assert set(page["links"]) == {"self", "first", "prev", "next", "last"}
    assert page["meta"]["total-records"] == 1
    assert page["meta"]["page-size"] == 20
    assert page["meta"]["page-number"] == 1
    assert page["meta"]["total-pages"] == 1
    for status in ("approved", "ready_for_review"):
        other = await jsonapi.get(APPLICATIONS, params={"status": status})
        assert other.json()["data"] == []

    shown = await jsonapi.get(f"{APPLICATIONS}/{application['id']}")
    assert shown.json()["data"] == application

    # "When performing a PUT request, do not include keys … you do not intend to change."
    updated = await jsonapi.put(
        f"{APPLICATIONS}/{application['id']}",
        json={"data": {"attributes": {"external_identifier": "EXTERNAL02"}}},
    )
    assert updated.status_code == 200, updated.text
    changed = updated.json()["data"]["attributes"]
    assert changed["external-identifier"] == "EXTERNAL02"
    assert changed["license-external-identifier"] == "7274251218"
    assert changed["status"] == "recruiting"


async def test_list_show_and_update_the_applicants_profile(jsonapi: httpx.AsyncClient) -> None:
    approver = await worker(jsonapi, email="approver@example.org")
    application = (await jsonapi.post(APPLICATIONS, json=_intake(approver))).json()["data"]
    profile_id = application["relationships"]["applicant-agency-profile"]["data"]["id"]

    listed = await jsonapi.get(
        PROFILES,
        params={
            "role": "applicant",
            "application_status": "recruiting",
            "external_identifier": "APPLICANT01",
            "updated_start_date": "2021-01-01T00:00:00Z",
            "sort": "-updated_at",
        },
    )
    assert listed.status_code == 200, listed.text
    assert [item["id"] for item in listed.json()["data"]] == [profile_id]
    assert (await jsonapi.get(PROFILES, params={"role": "co_applicant"})).json()["data"] == []

    shown = (await jsonapi.get(f"{PROFILES}/{profile_id}")).json()["data"]
    assert shown["type"] == "user-agency-profiles"
    assert shown["attributes"]["name"] == "Oliver Lehner"
    assert shown["attributes"]["first-name"] == "Oliver"
    assert shown["attributes"]["email"] == "oliver.lehner@example.org"
    assert shown["attributes"]["phone-number"] == "+15309450048"
    assert shown["relationships"]["applications-as-applicant"]["data"] == [
        {"id": application["id"], "type": "initial-applications"}
    ]

    # Binti's "Update an user agency profile" body: kebab-case attributes, only those changed.
    updated = await jsonapi.put(
        f"{PROFILES}/{profile_id}",
        json={"data": {"attributes": {"middle-name": "J", "date-of-birth": "1985-02-03"}}},
    )
    assert updated.status_code == 200, updated.text
    attributes = updated.json()["data"]["attributes"]
    assert attributes["name"] == "Oliver J Lehner"
    assert attributes["date-of-birth"] == "1985-02-03"
    assert attributes["email"] == "oliver.lehner@example.org"


async def test_a_refused_intake_answers_with_binti_error_objects(
    jsonapi: httpx.AsyncClient,
) -> None:
    body = _intake("worker_nobody")
    del body["data"]["relationships"]["applicant-agency-profile"]["data"]["email"]
    del body["data"]["relationships"]["applicant-agency-profile"]["data"]["phone_number"]
    response = await jsonapi.post(APPLICATIONS, json=body)
    assert response.status_code == 422
    for error in response.json()["errors"]:
        assert {"status", "title", "detail", "source"} <= set(error)
        assert error["source"]["pointer"].startswith("/data/")
    assert (await jsonapi.get(APPLICATIONS)).json()["data"] == []


async def test_reads_bundle_the_applicant_and_the_application_unless_told_not_to(
    binti: httpx.AsyncClient,
) -> None:
    """Binti: without `included` every available association is bundled; `?included=` with no
    argument excludes them all; a list names those wanted."""
    approver = await worker(binti, email="approver@example.org")
    created = await binti.post(APPLICATIONS, json=_intake(approver))
    assert created.status_code == 200, created.text
    application = created.json()["data"]
    profile_id = application["relationships"]["applicant-agency-profile"]["data"]["id"]

    listed = await binti.get(APPLICATIONS)
    assert listed.headers["content-type"].startswith("application/json")
    [applicant] = listed.json()["included"]
    assert (applicant["type"], applicant["id"]) == ("user-agency-profiles", profile_id)
    assert applicant["attributes"]["email"] == "oliver.lehner@example.org"
    assert applicant["attributes"]["external-identifier"] == "APPLICANT01"

    path = f"{APPLICATIONS}/{application['id']}"
    named = await binti.get(path, params={"included": "applicant-agency-profile"})
    assert named.json()["included"] == [applicant]
    assert "included" not in (await binti.get(path, params={"included": ""})).json()
    assert "included" not in (await binti.get(APPLICATIONS, params={"included": ""})).json()

    people = await binti.get(PROFILES, params={"included": "applications-as-applicant"})
    [bundled] = people.json()["included"]
    assert (bundled["type"], bundled["id"]) == ("initial-applications", application["id"])
    assert bundled["attributes"]["external-identifier"] == "EXTERNAL01"
    assert (await binti.get(f"{PROFILES}/{profile_id}")).json()["included"] == [bundled]

    # An association of Binti's we do not hold is refused, not ignored.
    refused = await binti.get(APPLICATIONS, params={"included": "license"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["source"] == {"parameter": "included"}


async def test_people_and_workers_may_have_addresses_on_test_domains_as_binti_s_examples(
    binti: httpx.AsyncClient,
) -> None:
    approver = await worker(binti, email="5857907209dadbcaf1celewis@reichert.test")
    body = _intake(approver)
    applicant = body["data"]["relationships"]["applicant-agency-profile"]["data"]
    applicant["email"] = "40e3e52adcac9308e689kareem@reinger.test"
    created = await binti.post(APPLICATIONS, json=body)
    assert created.status_code == 200, created.text
    profile_id = created.json()["data"]["relationships"]["applicant-agency-profile"]["data"]["id"]
    shown = (await binti.get(f"{PROFILES}/{profile_id}")).json()["data"]["attributes"]
    assert shown["email"] == "40e3e52adcac9308e689kareem@reinger.test"

    # Other special-use names stay refused: no mail would ever arrive there.
    refused = await binti.put(
        f"{PROFILES}/{profile_id}", json={"data": {"attributes": {"email": "kareem@reinger.local"}}}
    )
    assert refused.status_code == 422
    assert [error["source"] for error in refused.json()["errors"]] == [
        {"pointer": "/data/attributes/email"}
    ]


async def test_an_updated_window_with_an_offset_written_unencoded_in_the_url(
    binti: httpx.AsyncClient,
) -> None:
    """Binti's example, ``updated_start_date=2024-08-23T20:30:21+00:00``, sent as written: the
    ``+`` arrives as a space and is read as the offset it was."""
    approver = await worker(binti, email="approver@example.org")
    created = await binti.post(APPLICATIONS, json=_intake(approver))
    application_id = created.json()["data"]["id"]
    hour_ago = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
    for path in (APPLICATIONS, f"{APPLICATIONS}/{application_id}/relationships/worker_assignments"):
        since = await _as_written(binti, path, f"updated_start_date={hour_ago}+00:00")
        assert since.status_code == 200, since.text
        assert len(since.json()["data"]) == 1
        before = await _as_written(binti, path, f"updated_end_date={hour_ago}+00:00")
        assert before.status_code == 200, before.text
        assert before.json()["data"] == []


async def _as_written(client: httpx.AsyncClient, path: str, query: str) -> httpx.Response:
    """A GET with the query string exactly as written (httpx would otherwise replace it with the
    client's own parameters), ``tz=utc`` first as Binti's clients send it."""
    request = client.build_request("GET", path)
    request.url = request.url.copy_with(query=f"tz=utc&{query}".encode())
    return await client.send(request)


async def test_applications_carry_binti_s_type_and_profiles_its_roles(
    binti: httpx.AsyncClient,
) -> None:
    approver = await worker(binti, email="approver@example.org")
    created = await binti.post(APPLICATIONS, json=_intake(approver))
    application = created.json()["data"]
    assert (application["type"], application["attributes"]["type"]) == (
        "initial-applications",
        "InitialApplication",
    )
    [listed] = (await binti.get(APPLICATIONS, params={"included": ""})).json()["data"]
    assert listed["attributes"]["type"] == "InitialApplication"
    profile_id = application["relationships"]["applicant-agency-profile"]["data"]["id"]
    person = (await binti.get(f"{PROFILES}/{profile_id}")).json()["data"]["attributes"]
    assert person["roles"] == ["applicant"]


async def test_the_co_applicant_made_at_the_intake_is_a_relationship_and_includable(
    binti: httpx.AsyncClient,
) -> None:
    approver = await worker(binti, email="approver@example.org")
    body = _intake(approver)
    body["data"]["relationships"]["co-applicant-agency-profile"] = {
        "data": {"first_name": "Ada", "last_name": "Lehner", "phone_number": "+15309450049"}
    }
    created = await binti.post(APPLICATIONS, json=body)
    assert created.status_code == 200, created.text
    application = created.json()["data"]
    linkage = application["relationships"]["co-applicant-agency-profile"]["data"]
    assert linkage["type"] == "user-agency-profiles"
    co_applicant = linkage["id"]
    applicant = application["relationships"]["applicant-agency-profile"]["data"]["id"]

    path = f"{APPLICATIONS}/{application['id']}"
    named = (await binti.get(path, params={"included": "co-applicant-agency-profile"})).json()
    [person] = named["included"]
    assert (person["id"], person["attributes"]["roles"]) == (co_applicant, ["co_applicant"])
    assert person["attributes"]["name"] == "Ada Lehner"
    everything = (await binti.get(APPLICATIONS)).json()["included"]
    assert sorted(item["id"] for item in everything) == sorted([applicant, co_applicant])

    # Named by the intake, never set by an update.
    refused = await binti.put(
        path,
        json={
            "data": {
                "relationships": {
                    "co-applicant-agency-profile": {
                        "data": {"type": "user-agency-profiles", "id": applicant}
                    }
                }
            }
        },
    )
    assert refused.status_code == 422
    assert [error["source"] for error in refused.json()["errors"]] == [
        {"pointer": "/data/relationships/co-applicant-agency-profile"}
    ]
