"""``Idempotency-Key``: a create retried with the same key makes one record, whatever happens."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest

from caseworks.auth.principal import Role
from caseworks.core.timestamps import utc_now
from caseworks.db import Database, Executor
from caseworks.db.idempotency import Claim, IdempotentRequest, create_once
from tests.support.childwelfare import JSONAPI
from tests.support.figures import Figures
from tests.support.mentoring import create_contact, create_mentor
from tests.support.tenants import Tenant

# (path, body, the field or pointer of the new id) for every create that takes a key.
MENTOR = ("/api/v1/mentors", {"name": "Kari Nordmann"}, "mentor_id")
CONTACT = ("/api/v1/contacts", {"name": "Per Olsen"}, "contact_id")
CHILD = (
    "/api/v1/children",
    {"data": {"type": "children", "attributes": {"last-name": "Nordmann"}}},
    "data.id",
)


def new_id(response: httpx.Response, field: str) -> str:
    body = response.json()
    found: str = body["data"]["id"] if field == "data.id" else body[field]
    return found


def headers(key: str, path: str) -> dict[str, str]:
    content_type = JSONAPI if "children" in path else "application/json"
    return {"Idempotency-Key": key, "Content-Type": content_type}


async def rows(db: Database, table: str, agency_id: str) -> int:
    count: int = await db.fetch_value(
        f"SELECT count(*) FROM {table} WHERE agency_id = :agency_id",
        {"agency_id": agency_id},
    )
    return count


@pytest.mark.parametrize(("path", "body", "field"), [MENTOR, CONTACT, CHILD])
async def test_a_retried_create_answers_with_the_first_record(
    api: httpx.AsyncClient,
    tenant: Tenant,
    db: Database,
    path: str,
    body: dict[str, Any],
    field: str,
) -> None:
    first = await api.post(path, json=body, headers=headers("retry-1", path))
    again = await api.post(path, json=body, headers=headers('"retry-1"', path))
    assert (first.status_code, again.status_code) == (201, 201)
    assert new_id(again, field) == new_id(first, field)
    assert again.json() == first.json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    table = path.rsplit("/", 1)[-1]
    assert await rows(db, table, tenant.agency_id) == 1
    events = await db.fetch_value(
        "SELECT count(*) FROM audit_events WHERE agency_id = :a AND action = 'created'",
        {"a": tenant.agency_id},
    )
    assert events == 1


async def test_a_retried_assignment_is_not_a_409(api: httpx.AsyncClient) -> None:
    mentor, contact = await create_mentor(api), await create_contact(api)
    body = {"mentor_id": mentor["mentor_id"], "contact_id": contact["contact_id"]}
    key = {"Idempotency-Key": "assign-7f3a"}
    first = await api.post("/api/v1/assignments", json=body, headers=key)
    again = await api.post("/api/v1/assignments", json=body, headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["assignment_id"] == first.json()["assignment_id"]
    # Without the key the same request is a second open assignment of the pair: 409.
    assert (await api.post("/api/v1/assignments", json=body)).status_code == 409


@pytest.mark.parametrize(("path", "body", "field"), [MENTOR, CHILD])
async def test_simultaneous_attempts_with_one_key_make_one_record(
    api: httpx.AsyncClient,
    tenant: Tenant,
    db: Database,
    path: str,
    body: dict[str, Any],
    field: str,
    figures: Figures,
) -> None:
    answers = await asyncio.gather(
        *(api.post(path, json=body, headers=headers("burst", path)) for _ in range(20))
    )
    figures.add(
        "simultaneous attempts with one key, over the creates tried", len(answers), "requests"
    )
    figures.add(
        "replays among them", sum("Idempotent-Replayed" in a.headers for a in answers), "requests"
    )
    assert [answer.status_code for answer in answers] == [201] * 20
    assert len({new_id(answer, field) for answer in answers}) == 1
    assert sum("Idempotent-Replayed" in answer.headers for answer in answers) == 19
    assert await rows(db, path.rsplit("/", 1)[-1], tenant.agency_id) == 1


async def test_a_key_used_again_for_another_request_is_422_naming_the_header(
    api: httpx.AsyncClient, tenant: Tenant, db: Database
) -> None:
    key = {"Idempotency-Key": "used-once"}
    assert (await api.post("/api/v1/mentors", json={"name": "A"}, headers=key)).status_code == 201
    other_body = await api.post("/api/v1/mentors", json={"name": "B"}, headers=key)
    other_path = await api.post("/api/v1/contacts", json={"name": "A"}, headers=key)
    for refused in (other_body, other_path):
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["header"] == "Idempotency-Key"
    jsonapi_refused = await api.post(
        "/api/v1/children", json=CHILD[1], headers=headers("used-once", "/api/v1/children")
    )
    assert jsonapi_refused.status_code == 422
    assert jsonapi_refused.json()["errors"][0]["source"] == {"header": "Idempotency-Key"}
    assert await rows(db, "mentors", tenant.agency_id) == 1
    assert await rows(db, "children", tenant.agency_id) == 0


@pytest.mark.parametrize("key", ["", "with space", "ünïcode", "x" * 256, '"', 'a"b', "a\\b"])
async def test_a_malformed_key_is_400_and_nothing_is_written(
    api: httpx.AsyncClient, tenant: Tenant, db: Database, key: str
) -> None:
    response = await api.post(
        "/api/v1/mentors",
        json={"name": "Kari"},
        headers=[(b"Idempotency-Key", key.encode())],
    )
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["header"] == "Idempotency-Key"
    assert await rows(db, "mentors", tenant.agency_id) == 0


async def test_keys_belong_to_one_agency(
    api: httpx.AsyncClient, other_tenant: Tenant, db: Database
) -> None:
    key = {"Idempotency-Key": "shared-key"}
    mine = await api.post("/api/v1/mentors", json={"name": "Kari"}, headers=key)
    async with other_tenant.client(other_tenant.admin_token) as stranger:
        theirs = await stranger.post("/api/v1/mentors", json={"name": "Kari"}, headers=key)
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in theirs.headers
    assert theirs.json()["mentor_id"] != mine.json()["mentor_id"]


async def test_a_key_is_honoured_for_24_hours(
    api: httpx.AsyncClient, tenant: Tenant, db: Database
) -> None:
    key = {"Idempotency-Key": "yesterday"}
    first = await api.post("/api/v1/mentors", json={"name": "Kari"}, headers=key)
    async with db.transaction() as tx:
        await tx.execute(
            "UPDATE idempotency_keys SET created_at = :then WHERE agency_id = :a",
            {"then": utc_now() - timedelta(hours=24, seconds=1), "a": tenant.agency_id},
        )
    later = await api.post("/api/v1/mentors", json={"name": "Kari"}, headers=key)
    assert later.status_code == 201
    assert "Idempotent-Replayed" not in later.headers
    assert later.json()["mentor_id"] != first.json()["mentor_id"]
    again = await api.post("/api/v1/mentors", json={"name": "Kari"}, headers=key)
    assert again.json()["mentor_id"] == later.json()["mentor_id"]


async def _create_body(api: httpx.AsyncClient, path: str) -> dict[str, Any]:
    """A valid create for each path that takes a key (assignments need a mentor and contact)."""
    if path == "/api/v1/assignments":
        mentor, contact = await create_mentor(api), await create_contact(api)
        return {"mentor_id": mentor["mentor_id"], "contact_id": contact["contact_id"]}
    bodies: dict[str, dict[str, Any]] = {
        "/api/v1/mentors": MENTOR[1],
        "/api/v1/contacts": CONTACT[1],
        "/api/v1/children": CHILD[1],
        "/api/v1/agency_workers": {
            "data": {
                "type": "agency-workers",
                "attributes": {"name": "Wendy", "email": "wendy@example.org"},
            }
        },
        "/api/v1/applications": {"data": {"type": "initial-applications", "attributes": {}}},
    }
    return bodies[path]


def _without_request_id(response: httpx.Response) -> Any:
    body = response.json()
    body.pop("request_id", None)  # the mentoring API
    body.pop("meta", None)  # the Binti-compatible API: {"request-id": …}
    for error in body.get("errors", []):
        error.get("meta", {}).pop("request-id", None)
        error.pop("id", None)  # the Binti-compatible API's error objects: the request id
    return body


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("/api/v1/assignments", Role.MENTOR),
        ("/api/v1/assignments", Role.CASEWORKER),
        ("/api/v1/mentors", Role.MENTOR),
        ("/api/v1/contacts", Role.MENTOR),
        ("/api/v1/agency_workers", Role.CASEWORKER),
        ("/api/v1/children", Role.CASEWORKER),
        ("/api/v1/children", Role.MENTOR),
        ("/api/v1/applications", Role.CASEWORKER),
    ],
)
async def test_replaying_a_key_needs_the_right_to_make_the_create(
    api: httpx.AsyncClient, tenant: Tenant, db: Database, path: str, role: Role
) -> None:
    body = await _create_body(api, path)
    made = await api.post(path, json=body, headers=headers("admins-key", path))
    # Binti answers an application's intake with 200; every other create is 201.
    assert made.status_code == (200 if path == "/api/v1/applications" else 201), made.text
    bound: dict[str, str] = {}
    if role is Role.MENTOR:
        bound["mentor_id"] = (await create_mentor(api, name="Mallory"))["mentor_id"]
    else:  # a caseworker tied to a worker, who may read the agency's worker directory
        worker = await api.post(
            "/api/v1/agency_workers",
            json=await _create_body(api, "/api/v1/agency_workers"),
            headers={"Content-Type": JSONAPI},
        )
        bound["worker_id"] = worker.json()["data"]["id"]
    token = await tenant.token(role, **bound)
    async with tenant.client(token) as caller:
        replayed = await caller.post(path, json=body, headers=headers("admins-key", path))
        fresh = await caller.post(path, json=body, headers=headers("never-used", path))
    # The same 403 whether the key exists or not: a replay tells a caller nothing it may not make.
    assert (replayed.status_code, fresh.status_code) == (403, 403), replayed.text
    assert "Idempotent-Replayed" not in replayed.headers
    assert "Location" not in replayed.headers
    assert _without_request_id(replayed) == _without_request_id(fresh)
    assert made.headers["Location"].rsplit("/", 1)[-1] not in replayed.text
    keys = await db.fetch_value(
        "SELECT count(*) FROM idempotency_keys WHERE agency_id = :a", {"a": tenant.agency_id}
    )
    assert keys == 1


async def test_the_create_runs_in_the_transaction_that_claimed_its_key(
    db: Database, tenant: Tenant
) -> None:
    request = IdempotentRequest("claimed-first", "f" * 64)
    claim = Claim(tenant.agency_id, request, "contact", "contact_claimed")
    seen: list[str] = []

    async def create(tx: Executor) -> str:
        # Inside the create, its own transaction already holds the claim.
        found = await tx.fetch_value(
            "SELECT subject_id FROM idempotency_keys WHERE agency_id = :agency_id AND key = :key",
            {"agency_id": tenant.agency_id, "key": request.key},
        )
        seen.append(found)
        raise RuntimeError("the create fails")

    async def fetch(made: str) -> str:
        return made

    with pytest.raises(RuntimeError):
        await create_once(db, claim, create, fetch)
    assert seen == ["contact_claimed"]
    # The failed create took its claim with it: the key is free for the next attempt.
    assert await rows(db, "idempotency_keys", tenant.agency_id) == 0

    async def succeed(tx: Executor) -> str:
        return "made"

    assert await create_once(db, claim, succeed, fetch) == ("made", False)
    assert await create_once(db, claim, succeed, fetch) == ("contact_claimed", True)
