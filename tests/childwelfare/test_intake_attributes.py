"""The attributes of Binti's intake that applications and their people carry: stored, shown
back in kebab-case, validated as Binti types them, and changed by PUT (respite provider too)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.childwelfare import (
    APPLICATIONS,
    BINTI_INTAKE_ATTRIBUTES,
    applicant_of,
    application,
    intake_document,
)
from tests.support.tenants import Tenant

PROFILES = "/api/v1/user_agency_profiles"
HOME = {
    "street_address": "9905 Heidenreich Key",
    "city": "Sacramento",
    "state": "CA",
    "zipcode": "95814",
    "county": "Sacramento",
    "additional_directions_to_home": "Blue door, round the back",
}
APPLICANT = {
    "first_name": "Oliver",
    "last_name": "Lehner",
    "email": "oliver.lehner@example.org",
    "family_id": "RFA-0042",
    "external_identifier": "APPLICANT01",
    **HOME,
}
CO_APPLICANT = {"first_name": "Ada", "last_name": "Lehner", "phone_number": "+15309450048", **HOME}


def _kebab(values: dict[str, Any]) -> dict[str, Any]:
    return {name.replace("_", "-"): value for name, value in values.items()}


def _full_intake() -> dict[str, Any]:
    document = intake_document(applicant=dict(APPLICANT), **BINTI_INTAKE_ATTRIBUTES)
    relationships = document["data"]["relationships"]
    relationships["co-applicant-agency-profile"] = {"data": dict(CO_APPLICANT)}
    del document["data"]["type"]  # Binti's intake names none
    return document


async def _profile(jsonapi: httpx.AsyncClient, profile_id: str) -> dict[str, Any]:
    shown = (await jsonapi.get(f"{PROFILES}/{profile_id}")).json()["data"]
    attributes: dict[str, Any] = shown["attributes"]
    return attributes


async def test_an_intake_with_every_binti_attribute_shows_each_back(
    jsonapi: httpx.AsyncClient,
) -> None:
    response = await jsonapi.post(APPLICATIONS, json=_full_intake())

    assert response.status_code == 200, response.text
    made = response.json()["data"]
    assert made["attributes"].items() >= _kebab(BINTI_INTAKE_ATTRIBUTES).items()
    assert made["attributes"]["community-foster"] is True  # a JSON boolean, not 1
    assert made["attributes"]["respite-provider"] is None
    shown = (await jsonapi.get(f"{APPLICATIONS}/{made['id']}")).json()["data"]
    assert shown["attributes"] == made["attributes"]
    applicant = await _profile(jsonapi, applicant_of(made))
    assert applicant.items() >= _kebab(APPLICANT).items()
    co_applicants = (await jsonapi.get(PROFILES, params={"role": "co_applicant"})).json()["data"]
    assert co_applicants[0]["attributes"].items() >= _kebab(CO_APPLICANT).items()
    assert co_applicants[0]["attributes"]["family-id"] is None


async def test_a_null_status_in_an_intake_is_the_default(jsonapi: httpx.AsyncClient) -> None:
    document = intake_document(applicant=dict(APPLICANT), status=None)
    response = await jsonapi.post(APPLICATIONS, json=document)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["attributes"]["status"] == "applying"


async def test_the_intake_attributes_may_be_left_out_or_null(jsonapi: httpx.AsyncClient) -> None:
    nulls: dict[str, Any] = dict.fromkeys(set(BINTI_INTAKE_ATTRIBUTES) - {"status"})
    response = await jsonapi.post(APPLICATIONS, json=intake_document(**nulls))
    assert response.status_code == 200, response.text
    assert all(response.json()["data"]["attributes"][name] is None for name in _kebab(nulls))


async def _counts(tenant: Tenant) -> tuple[int, int]:
    tables = ("applications", "user_agency_profiles")
    query = "SELECT count(*) FROM {} WHERE agency_id = :agency"
    counted = [
        await tenant.db.fetch_value(query.format(table), {"agency": tenant.agency_id})
        for table in tables
    ]
    return counted[0], counted[1]


@pytest.mark.parametrize(
    ("ages", "pointer"),
    [
        ({"approved_age_lower": 12, "approved_age_higher": 3}, "approved_age_higher"),
        ({"approved-age-lower": 21, "approved-age-higher": 21}, "approved-age-lower"),  # > 20
    ],
)
async def test_approved_ages_go_from_lower_to_higher(
    tenant: Tenant, jsonapi: httpx.AsyncClient, ages: dict[str, Any], pointer: str
) -> None:
    before = await _counts(tenant)
    response = await jsonapi.post(APPLICATIONS, json=intake_document(applicant=APPLICANT, **ages))
    assert response.status_code == 422, response.text
    pointers = [error["source"]["pointer"] for error in response.json()["errors"]]
    assert pointers == [f"/data/attributes/{pointer}"]
    assert await _counts(tenant) == before


async def test_equal_approved_ages_are_one_age(jsonapi: httpx.AsyncClient) -> None:
    document = intake_document(approved_age_lower=7, approved_age_higher=7)
    assert (await jsonapi.post(APPLICATIONS, json=document)).status_code == 200


async def test_details_written_out_satisfy_the_ways_that_need_them(
    jsonapi: httpx.AsyncClient,
) -> None:
    blank = intake_document(
        how_did_you_hear_about_us="other", how_did_you_hear_about_us_details=" "
    )
    refused = await jsonapi.post(APPLICATIONS, json=blank)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["source"] == {
        "pointer": "/data/attributes/how_did_you_hear_about_us_details"
    }
    # A way that needs none may have them, or not.
    for details in (None, "a poster at the library"):
        document = intake_document(
            how_did_you_hear_about_us="advertisement.billboard",
            how_did_you_hear_about_us_details=details,
        )
        assert (await jsonapi.post(APPLICATIONS, json=document)).status_code == 200


def _put(attributes: dict[str, Any]) -> dict[str, Any]:
    return {"data": {"attributes": attributes}}


async def test_put_changes_respite_provider_and_the_other_binti_attributes(
    jsonapi: httpx.AsyncClient,
) -> None:
    stored: dict[str, Any] = {"capacity": 2, "case-type": "probation"}
    application_id = await application(jsonapi, **stored)
    changes = {
        "respite_provider": True,
        "case_type": "dependency",
        "capacity": 3,
        "date_application_signed": "2021-02-01",
        "approved_age_lower": 0,
        "approved_age_higher": 21,
        "community_foster": False,
    }
    response = await jsonapi.put(f"{APPLICATIONS}/{application_id}", json=_put(changes))
    assert response.status_code == 200, response.text
    attributes = response.json()["data"]["attributes"]
    assert attributes.items() >= _kebab(changes).items()
    assert (attributes["respite-provider"], attributes["community-foster"]) == (True, False)
    assert isinstance(attributes["respite-provider"], bool)
    # Only what is sent changes: respite_provider, which Binti requires, may be left out too.
    again = await jsonapi.put(f"{APPLICATIONS}/{application_id}", json=_put({"capacity": 4}))
    assert again.status_code == 200, again.text
    assert again.json()["data"]["attributes"] == attributes | {
        "capacity": 4,
        "updated-at": again.json()["data"]["attributes"]["updated-at"],
    }


@pytest.mark.parametrize(
    ("stored", "change", "pointer"),
    [
        # Checked with the stored value the change leaves as it is.
        ({"approved-age-lower": 10}, {"approved_age_higher": 5}, "approved-age-higher"),
        ({"approved-age-higher": 5}, {"approved_age_lower": 10}, "approved-age-lower"),
        (
            {"how-did-you-hear-about-us": "other", "how-did-you-hear-about-us-details": "A"},
            {"how_did_you_hear_about_us_details": None},
            "how-did-you-hear-about-us-details",
        ),
        (
            {"how-did-you-hear-about-us": "internet_search"},
            {"how_did_you_hear_about_us": "other"},
            "how-did-you-hear-about-us-details",
        ),
        ({}, {"respite_provider": "yes"}, "respite_provider"),
        ({}, {"capacity": None, "respite_provider": 1}, "respite_provider"),
    ],
)
async def test_a_put_breaking_a_rule_is_422_and_changes_nothing(
    jsonapi: httpx.AsyncClient, stored: dict[str, Any], change: dict[str, Any], pointer: str
) -> None:
    application_id = await application(jsonapi, **stored)
    url = f"{APPLICATIONS}/{application_id}"
    before = (await jsonapi.get(url)).json()["data"]

    response = await jsonapi.put(url, json=_put(change))

    assert response.status_code == 422, response.text
    pointers = [error["source"]["pointer"] for error in response.json()["errors"]]
    assert pointers == [f"/data/attributes/{pointer}"]
    assert (await jsonapi.get(url)).json()["data"] == before


async def test_a_family_id_is_an_applicants_only(jsonapi: httpx.AsyncClient) -> None:
    made = (await jsonapi.post(APPLICATIONS, json=_full_intake())).json()["data"]
    applicant_id = applicant_of(made)
    co_applicant = (await jsonapi.get(PROFILES, params={"role": "co_applicant"})).json()["data"][0]
    family = {"family-id": "RFA-0043"}

    changed = await jsonapi.put(f"{PROFILES}/{applicant_id}", json=_put(family))
    assert changed.status_code == 200, changed.text
    assert changed.json()["data"]["attributes"]["family-id"] == "RFA-0043"
    refused = await jsonapi.put(f"{PROFILES}/{co_applicant['id']}", json=_put(family))
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["source"] == {"pointer": "/data/attributes/family-id"}
    assert (await _profile(jsonapi, co_applicant["id"]))["family-id"] is None

    new = {
        "data": {
            "type": "user-agency-profiles",
            "attributes": {"role": "other_adult_in_home", **CO_APPLICANT, **family},
            "relationships": {"application": {"data": {"type": "applications", "id": made["id"]}}},
        }
    }
    made_with_one = await jsonapi.post(PROFILES, json=new)
    assert made_with_one.status_code == 422, made_with_one.text
    assert made_with_one.json()["errors"][0]["source"] == {"pointer": "/data/attributes/family-id"}


async def test_a_profile_carries_the_home_address(jsonapi: httpx.AsyncClient) -> None:
    made = (await jsonapi.post(APPLICATIONS, json=intake_document(applicant=APPLICANT))).json()
    applicant_id = applicant_of(made["data"])
    moved = {"street-address": "1 Elm St", "zipcode": "95815", "state": "ca"}
    response = await jsonapi.put(f"{PROFILES}/{applicant_id}", json=_put(moved))
    assert response.status_code == 200, response.text
    assert response.json()["data"]["attributes"].items() >= moved.items()
    assert response.json()["data"]["attributes"]["city"] == "Sacramento"
    too_long = await jsonapi.put(f"{PROFILES}/{applicant_id}", json=_put({"state": "CAL"}))
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["source"] == {"pointer": "/data/attributes/state"}
