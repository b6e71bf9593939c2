"""Mentors and contacts: the records assignments point at."""

from __future__ import annotations

import httpx
import pytest

from tests.support.mentoring import Programme, create_contact, create_mentor

KINDS = [("mentors", "mentor_id", "mentor"), ("contacts", "contact_id", "contact")]


@pytest.mark.parametrize(("collection", "id_field", "prefix"), KINDS)
async def test_crud(api: httpx.AsyncClient, collection: str, id_field: str, prefix: str) -> None:
    created = await api.post(
        f"/api/v1/{collection}",
        json={"name": "  Kari Nordmann ", "email": "kari@example.org", "phone": "+47 400 00 000"},
    )
    assert created.status_code == 201
    body = created.json()
    person_id = body[id_field]
    assert person_id.startswith(f"{prefix}_")
    assert body["name"] == "Kari Nordmann"
    assert {"email", "phone", "created_at", "updated_at"} <= set(body)
    assert created.headers["location"] == f"/api/v1/{collection}/{person_id}"

    url = f"/api/v1/{collection}/{person_id}"
    assert (await api.get(url)).json() == body
    updated = await api.put(url, json={"phone": None, "name": "Kari N."})
    assert updated.status_code == 200
    assert updated.json()["phone"] is None
    assert updated.json()["name"] == "Kari N."
    assert updated.json()["email"] == "kari@example.org"

    listing = (await api.get(f"/api/v1/{collection}")).json()
    assert listing["pagination"] == {"page": 1, "limit": 20, "total": 1}
    assert listing["data"][0][id_field] == person_id

    deleted = await api.delete(url)
    assert deleted.json() == {"deleted": True, id_field: person_id}
    assert (await api.get(url)).status_code == 404


@pytest.mark.parametrize(("collection", "id_field", "prefix"), KINDS)
async def test_imported_ids_are_kept_and_duplicates_are_409(
    api: httpx.AsyncClient, collection: str, id_field: str, prefix: str
) -> None:
    own_id = f"{prefix}_a1b2c3"
    first = await api.post(f"/api/v1/{collection}", json={id_field: own_id, "name": "Imported"})
    assert first.status_code == 201
    assert first.json()[id_field] == own_id
    second = await api.post(f"/api/v1/{collection}", json={id_field: own_id, "name": "Again"})
    assert second.status_code == 409


@pytest.mark.parametrize(("collection", "id_field", "prefix"), KINDS)
@pytest.mark.parametrize(
    "bad_id", ["wrong_a1b2c3", "{prefix}_ab", "{prefix}_" + "a" * 41, "{prefix}-abc"]
)
async def test_imported_ids_must_have_the_right_shape(
    api: httpx.AsyncClient, collection: str, id_field: str, prefix: str, bad_id: str
) -> None:
    response = await api.post(
        f"/api/v1/{collection}", json={id_field: bad_id.format(prefix=prefix), "name": "X"}
    )
    assert response.status_code == 422
    assert [error["pointer"] for error in response.json()["errors"]] == [f"/{id_field}"]


@pytest.mark.parametrize(("collection", "id_field", "prefix"), KINDS)
@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({}, "/name"),
        ({"name": "   "}, "/name"),
        ({"name": "X", "email": "not-an-address"}, "/email"),
        ({"name": "X", "phone": "call me"}, "/phone"),
        ({"name": "X", "age": 40}, "/age"),
    ],
)
async def test_create_validates(
    api: httpx.AsyncClient,
    collection: str,
    id_field: str,
    prefix: str,
    body: dict[str, object],
    pointer: str,
) -> None:
    response = await api.post(f"/api/v1/{collection}", json=body)
    assert response.status_code == 422
    assert [error["pointer"] for error in response.json()["errors"]] == [pointer]
    assert (await api.get(f"/api/v1/{collection}")).json()["pagination"]["total"] == 0


async def test_people_with_open_assignments_cannot_be_deleted(
    api: httpx.AsyncClient, programme: Programme
) -> None:
    mentor_url = f"/api/v1/mentors/{programme.mentor_id}"
    contact_url = f"/api/v1/contacts/{programme.contacts[0]['contact_id']}"
    assert (await api.delete(mentor_url)).status_code == 409
    assert (await api.delete(contact_url)).status_code == 409
    assert (await api.get(mentor_url)).status_code == 200


async def test_deleting_a_person_erases_their_closed_assignments(
    api: httpx.AsyncClient, programme: Programme
) -> None:
    await api.patch(
        f"/api/v1/assignments/{programme.assignment_id}/status",
        json={"status": "closed", "reason": "Family moved to Bergen"},
    )
    assert (await api.delete(f"/api/v1/mentors/{programme.mentor_id}")).status_code == 200
    assert (await api.get(f"/api/v1/assignments/{programme.assignment_id}")).status_code == 404
    assert (await api.get("/api/v1/assignments")).json()["pagination"]["total"] == 0


async def test_people_list_sorts_by_name(api: httpx.AsyncClient) -> None:
    for name in ("Bjørn", "Anne", "Cecilie"):
        await create_contact(api, name=name)
    body = (await api.get("/api/v1/contacts", params={"sort": "-name"})).json()
    assert [item["name"] for item in body["data"]] == ["Cecilie", "Bjørn", "Anne"]
    bad = await api.get("/api/v1/contacts", params={"sort": "email"})
    assert bad.status_code == 422


async def test_put_on_people_validates(api: httpx.AsyncClient) -> None:
    mentor = await create_mentor(api)
    url = f"/api/v1/mentors/{mentor['mentor_id']}"
    for body, pointer in (
        ({"name": None}, "/name"),
        ({}, ""),
        ({"mentor_id": "mentor_new"}, "/mentor_id"),
    ):
        response = await api.put(url, json=body)
        assert response.status_code == 422
        assert [error["pointer"] for error in response.json()["errors"]] == [pointer]


@pytest.mark.parametrize(("collection", "id_field", "prefix"), KINDS)
@pytest.mark.parametrize(
    "email",
    [
        "carl@example.org,root",
        "carl@example.org; anna@example.org",
        "Carl <carl@example.org>",
        "carl@example.org root@example.org",
        "carl@@example.org",
    ],
)
async def test_an_email_field_holds_exactly_one_address(
    api: httpx.AsyncClient, collection: str, id_field: str, prefix: str, email: str
) -> None:
    refused = await api.post(f"/api/v1/{collection}", json={"name": "Carl", "email": email})
    assert refused.status_code == 422
    assert [error["pointer"] for error in refused.json()["errors"]] == ["/email"]
    person = (await api.post(f"/api/v1/{collection}", json={"name": "Carl"})).json()
    url = f"/api/v1/{collection}/{person[id_field]}"
    changed = await api.put(url, json={"email": email})
    assert changed.status_code == 422
    assert [error["pointer"] for error in changed.json()["errors"]] == ["/email"]
    assert (await api.get(url)).json()["email"] is None


async def test_an_address_is_stored_normalised(api: httpx.AsyncClient) -> None:
    mentor = await create_mentor(api, email="Kari@Example.ORG")
    assert mentor["email"] == "Kari@example.org"
    shown = (await api.get(f"/api/v1/mentors/{mentor['mentor_id']}")).json()
    assert shown["email"] == "Kari@example.org"


@pytest.mark.parametrize(("collection", "id_field", "prefix"), KINDS)
async def test_an_address_on_a_test_domain_is_taken_and_other_special_use_ones_refused(
    api: httpx.AsyncClient, collection: str, id_field: str, prefix: str
) -> None:
    made = await api.post(
        f"/api/v1/{collection}", json={"name": "Carl", "email": "carl@olsen.test"}
    )
    assert made.status_code == 201, made.text
    assert made.json()["email"] == "carl@olsen.test"
    url = f"/api/v1/{collection}/{made.json()[id_field]}"
    refused = await api.put(url, json={"email": "carl@olsen.localhost"})
    assert refused.status_code == 422
    assert [error["pointer"] for error in refused.json()["errors"]] == ["/email"]
    assert (await api.get(url)).json()["email"] == "carl@olsen.test"
