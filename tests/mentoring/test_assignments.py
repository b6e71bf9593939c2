"""The nine assignment endpoints of the mentoring API, their shapes and their rules."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.support.mentoring import (
    CONTRACT_ACTIVE_ITEM,
    CONTRACT_HISTORY_ITEM,
    CONTRACT_LIST_ITEM,
    CONTRACT_SINGLE,
    Programme,
    create_assignment,
    create_contact,
    create_mentor,
)

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


async def test_create_returns_201_with_location_and_the_contract_fields(
    api: httpx.AsyncClient, programme: Programme
) -> None:
    contact_id = programme.contacts[1]["contact_id"]
    response = await api.post(
        "/api/v1/assignments",
        json={
            "mentor_id": programme.mentor_id,
            "contact_id": contact_id,
            "notes": "Referred by case worker. First meeting scheduled.",
            "assigned_date": "2026-03-26T00:00:00Z",
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert {
        "assignment_id",
        "mentor_id",
        "contact_id",
        "status",
        "assigned_date",
        "created_at",
    } <= set(body)
    assert body["assignment_id"].startswith("assign_")
    assert body["mentor_id"] == programme.mentor_id
    assert body["contact_id"] == contact_id
    assert body["status"] == "open"
    assert body["assigned_date"] == "2026-03-26T00:00:00Z"
    assert TIMESTAMP.match(body["created_at"])
    assert response.headers["location"] == f"/api/v1/assignments/{body['assignment_id']}"
    assert response.headers["content-type"] == "application/json"


async def test_assigned_date_defaults_to_now(api: httpx.AsyncClient, programme: Programme) -> None:
    body = await create_assignment(api, programme.mentor_id, programme.contacts[1]["contact_id"])
    assert body["assigned_date"] == body["created_at"]


async def test_timestamps_with_offsets_are_stored_in_utc(
    api: httpx.AsyncClient, programme: Programme
) -> None:
    body = await create_assignment(
        api,
        programme.mentor_id,
        programme.contacts[1]["contact_id"],
        assigned_date="2026-03-26T02:30:00+02:00",
    )
    assert body["assigned_date"] == "2026-03-26T00:30:00Z"


async def test_get_single_has_notes_and_updated_at(
    api: httpx.AsyncClient, programme: Programme
) -> None:
    response = await api.get(f"/api/v1/assignments/{programme.assignment_id}")
    assert response.status_code == 200
    body = response.json()
    assert CONTRACT_SINGLE <= set(body)
    assert body["contact_name"] == "Per Olsen"
    assert body["notes"] == "Initial assessment completed."
    assert body["assigned_date"] == "2025-11-01T00:00:00Z"
    assert body["last_contact_date"] is None


async def test_list_items_have_the_contract_fields_and_no_notes(
    api: httpx.AsyncClient, programme: Programme
) -> None:
    response = await api.get("/api/v1/assignments")
    assert response.status_code == 200
    body = response.json()
    assert body["pagination"] == {"page": 1, "limit": 20, "total": 1}
    [item] = body["data"]
    assert CONTRACT_LIST_ITEM <= set(item)
    assert "notes" not in item
    assert item["contact_name"] == "Per Olsen"


async def test_list_pages_through_every_assignment_once(api: httpx.AsyncClient) -> None:
    mentor = await create_mentor(api)
    created = set()
    for number in range(5):
        contact = await create_contact(api, name=f"Contact {number}")
        created.add(
            (await create_assignment(api, mentor["mentor_id"], contact["contact_id"]))[
                "assignment_id"
            ]
        )
    seen: list[str] = []
    for page in (1, 2, 3):
        body = (await api.get("/api/v1/assignments", params={"page": page, "limit": 2})).json()
        assert body["pagination"] == {"page": page, "limit": 2, "total": 5}
        seen += [item["assignment_id"] for item in body["data"]]
    assert sorted(seen) == sorted(created)
    assert len(seen) == 5
    beyond = (await api.get("/api/v1/assignments", params={"page": 4, "limit": 2})).json()
    assert beyond["data"] == []


async def test_list_filters(api: httpx.AsyncClient, programme: Programme) -> None:
    other_mentor = await create_mentor(api, name="Ola Nordmann")
    second_contact = programme.contacts[1]["contact_id"]
    recent = await create_assignment(
        api,
        other_mentor["mentor_id"],
        second_contact,
        assigned_date="2026-02-01T00:00:00Z",
    )
    await api.put(
        f"/api/v1/assignments/{recent['assignment_id']}",
        json={"last_contact_date": "2026-03-20T00:00:00Z"},
    )
    closed = await create_assignment(
        api, other_mentor["mentor_id"], programme.contacts[0]["contact_id"]
    )
    await api.patch(
        f"/api/v1/assignments/{closed['assignment_id']}/status", json={"status": "closed"}
    )

    async def ids(**params: str) -> set[str]:
        response = await api.get("/api/v1/assignments", params=params)
        assert response.status_code == 200, response.text
        return {item["assignment_id"] for item in response.json()["data"]}

    assert await ids(mentor_id=programme.mentor_id) == {programme.assignment_id}
    assert await ids(contact_id=second_contact) == {recent["assignment_id"]}
    assert await ids(status="closed") == {closed["assignment_id"]}
    assert await ids(status="open") == {programme.assignment_id, recent["assignment_id"]}
    assert await ids(assigned_from="2026-01-01T00:00:00Z", assigned_to="2026-02-01T00:00:00Z") == {
        recent["assignment_id"]
    }
    # Stale caseloads: last contact before the date, or never contacted at all.
    assert await ids(last_contact_before="2026-03-01T00:00:00Z", status="open") == {
        programme.assignment_id
    }
    assert await ids(last_contact_before="2026-04-01T00:00:00Z", status="open") == {
        programme.assignment_id,
        recent["assignment_id"],
    }


async def test_list_sorts_ascending_and_descending(api: httpx.AsyncClient) -> None:
    mentor = await create_mentor(api)
    dates = ["2026-01-03T00:00:00Z", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"]
    for number, date in enumerate(dates):
        contact = await create_contact(api, name=f"Contact {number}")
        await create_assignment(api, mentor["mentor_id"], contact["contact_id"], assigned_date=date)

    async def order(sort: str) -> list[str]:
        body = (await api.get("/api/v1/assignments", params={"sort": sort})).json()
        return [item["assigned_date"] for item in body["data"]]

    assert await order("assigned_date") == sorted(dates)
    assert await order("-assigned_date") == sorted(dates, reverse=True)
    default = (await api.get("/api/v1/assignments")).json()["data"]
    assert [item["assigned_date"] for item in default] == dates  # creation order


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "abc"}, "page"),
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "99999999999999999999999"}, "limit"),
        ({"status": "pending"}, "status"),
        ({"sort": "notes"}, "sort"),
        ({"sort": "contact_name; DROP TABLE assignments"}, "sort"),
        ({"assigned_from": "yesterday"}, "assigned_from"),
        ({"last_contact_before": "2026-13-45"}, "last_contact_before"),
        ({"mentor_id": "x" * 10_000}, "mentor_id"),
        ({"contact_id": "contact_\x00abc"}, "contact_id"),
    ],
)
async def test_bad_list_parameters_are_422_naming_the_parameter(
    api: httpx.AsyncClient, params: dict[str, str], parameter: str
) -> None:
    response = await api.get("/api/v1/assignments", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 422
    assert [error["parameter"] for error in body["errors"]] == [parameter]


async def test_put_updates_notes_and_dates(api: httpx.AsyncClient, programme: Programme) -> None:
    response = await api.put(
        f"/api/v1/assignments/{programme.assignment_id}",
        json={
            "notes": "Escalated — contact requires specialist referral",
            "last_contact_date": "2026-03-25T00:00:00Z",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["assignment_id"] == programme.assignment_id
    assert body["notes"] == "Escalated — contact requires specialist referral"
    assert body["last_contact_date"] == "2026-03-25T00:00:00Z"
    assert TIMESTAMP.match(body["updated_at"])
    assert body["assigned_date"] == "2025-11-01T00:00:00Z"  # untouched

    cleared = await api.put(f"/api/v1/assignments/{programme.assignment_id}", json={"notes": None})
    assert cleared.json()["notes"] is None
    assert cleared.json()["last_contact_date"] == "2026-03-25T00:00:00Z"


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"status": "closed"}, "/status"),
        ({"mentor_id": "mentor_other"}, "/mentor_id"),
        ({"assigned_date": None}, "/assigned_date"),
        ({"last_contact_date": "not a date"}, "/last_contact_date"),
        ({"notes": 42}, "/notes"),
        ({}, ""),
    ],
)
async def test_put_rejects_other_fields_and_bad_values(
    api: httpx.AsyncClient, programme: Programme, body: dict[str, object], pointer: str
) -> None:
    before = (await api.get(f"/api/v1/assignments/{programme.assignment_id}")).json()
    response = await api.put(f"/api/v1/assignments/{programme.assignment_id}", json=body)
    assert response.status_code == 422
    assert [error["pointer"] for error in response.json()["errors"]] == [pointer]
    after = (await api.get(f"/api/v1/assignments/{programme.assignment_id}")).json()
    assert after == before


async def test_close_and_reopen(api: httpx.AsyncClient, programme: Programme) -> None:
    url = f"/api/v1/assignments/{programme.assignment_id}/status"
    closed = await api.patch(
        url,
        json={
            "status": "closed",
            "reason": "Contact successfully integrated into community support network",
        },
    )
    assert closed.status_code == 200
    body = closed.json()
    assert body["assignment_id"] == programme.assignment_id
    assert body["status"] == "closed"
    assert TIMESTAMP.match(body["closed_date"])
    assert body["updated_at"] == body["closed_date"]

    reopened = (await api.patch(url, json={"status": "open"})).json()
    assert reopened["status"] == "open"
    assert reopened["closed_date"] is None


async def test_patch_to_the_same_status_changes_nothing(
    api: httpx.AsyncClient, programme: Programme
) -> None:
    url = f"/api/v1/assignments/{programme.assignment_id}"
    response = await api.patch(f"{url}/status", json={"status": "open"})
    assert response.status_code == 200
    events = (await api.get(f"{url}/events")).json()["data"]
    assert [event["action"] for event in events] == ["created"]


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"status": "archived"}, "/status"),
        ({}, "/status"),
        ({"status": "closed", "reason": 7}, "/reason"),
        ({"status": "closed", "closed_date": "2026-01-01T00:00:00Z"}, "/closed_date"),
    ],
)
async def test_patch_status_validates(
    api: httpx.AsyncClient, programme: Programme, body: dict[str, object], pointer: str
) -> None:
    response = await api.patch(f"/api/v1/assignments/{programme.assignment_id}/status", json=body)
    assert response.status_code == 422
    assert [error["pointer"] for error in response.json()["errors"]] == [pointer]


async def test_a_second_open_assignment_of_the_pair_is_409_but_a_closed_one_does_not_block(
    api: httpx.AsyncClient, programme: Programme
) -> None:
    pair = {"mentor_id": programme.mentor_id, "contact_id": programme.contacts[0]["contact_id"]}
    duplicate = await api.post("/api/v1/assignments", json=pair)
    assert duplicate.status_code == 409
    assert duplicate.headers["content-type"] == "application/problem+json"

    await api.patch(
        f"/api/v1/assignments/{programme.assignment_id}/status", json={"status": "closed"}
    )
    again = await api.post("/api/v1/assignments", json=pair)
    assert again.status_code == 201
    # Reopening the old one would make two open assignments of the pair.
    reopen = await api.patch(
        f"/api/v1/assignments/{programme.assignment_id}/status", json={"status": "open"}
    )
    assert reopen.status_code == 409


async def test_create_names_every_missing_record(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/api/v1/assignments", json={"mentor_id": "mentor_nobody", "contact_id": "contact_nobody"}
    )
    assert response.status_code == 422
    assert [error["pointer"] for error in response.json()["errors"]] == [
        "/mentor_id",
        "/contact_id",
    ]
    assert (await api.get("/api/v1/assignments")).json()["pagination"]["total"] == 0


@pytest.mark.parametrize(
    ("body", "pointers"),
    [
        ({}, ["/mentor_id", "/contact_id"]),
        ({"mentor_id": 1, "contact_id": "contact_abc"}, ["/mentor_id"]),
        ({"mentor_id": "m", "contact_id": "c", "status": "open"}, ["/status"]),
        ({"mentor_id": "m", "contact_id": "c", "assigned_date": "soon"}, ["/assigned_date"]),
        ({"mentor_id": "m", "contact_id": "c", "notes": "x" * 10_001}, ["/notes"]),
        ({"mentor_id": "m", "contact_id": "c", "notes": "a\x00b"}, ["/notes"]),
    ],
)
async def test_create_validates_the_body(
    api: httpx.AsyncClient, body: dict[str, object], pointers: list[str]
) -> None:
    response = await api.post("/api/v1/assignments", json=body)
    assert response.status_code == 422
    assert [error["pointer"] for error in response.json()["errors"]] == pointers


async def test_delete_erases_and_returns_the_contract_shape(
    api: httpx.AsyncClient, programme: Programme
) -> None:
    url = f"/api/v1/assignments/{programme.assignment_id}"
    response = await api.delete(url)
    assert response.status_code == 200
    assert response.json() == {"deleted": True, "assignment_id": programme.assignment_id}
    assert (await api.get(url)).status_code == 404
    assert (await api.delete(url)).status_code == 404


async def test_unknown_ids_are_404(api: httpx.AsyncClient) -> None:
    for path in (
        "/api/v1/assignments/assign_nothere",
        "/api/v1/assignments/" + "a" * 10_000,
        "/api/v1/assignments/mentor/mentor_nothere/active",
        "/api/v1/assignments/mentor/mentor_nothere/history",
        "/api/v1/assignments/mentor/mentor_nothere/open-count",
    ):
        response = await api.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"
    assert (
        await api.put("/api/v1/assignments/assign_nothere", json={"notes": "x"})
    ).status_code == 404
    assert (
        await api.patch("/api/v1/assignments/assign_nothere/status", json={"status": "closed"})
    ).status_code == 404


async def test_mentor_views(api: httpx.AsyncClient, programme: Programme) -> None:
    second = await create_assignment(
        api,
        programme.mentor_id,
        programme.contacts[1]["contact_id"],
        assigned_date="2026-01-15T00:00:00Z",
    )
    await api.patch(
        f"/api/v1/assignments/{programme.assignment_id}/status", json={"status": "closed"}
    )
    base = f"/api/v1/assignments/mentor/{programme.mentor_id}"

    active = (await api.get(f"{base}/active")).json()
    assert active["pagination"] == {"page": 1, "limit": 20, "total": 1}
    [item] = active["data"]
    assert CONTRACT_ACTIVE_ITEM <= set(item)
    assert item["assignment_id"] == second["assignment_id"]
    assert item["contact_name"] == "Liv Svendsen"

    history = (await api.get(f"{base}/history")).json()
    assert history["pagination"]["total"] == 2
    assert all(CONTRACT_HISTORY_ITEM <= set(row) for row in history["data"])
    # Newest first.
    assert [row["assignment_id"] for row in history["data"]] == [
        second["assignment_id"],
        programme.assignment_id,
    ]
    assert history["data"][1]["status"] == "closed"
    assert TIMESTAMP.match(history["data"][1]["closed_date"])

    count = (await api.get(f"{base}/open-count")).json()
    assert count == {"mentor_id": programme.mentor_id, "open_assignment_count": 1}


async def test_every_write_leaves_an_audit_event(
    api: httpx.AsyncClient, programme: Programme
) -> None:
    url = f"/api/v1/assignments/{programme.assignment_id}"
    await api.put(url, json={"notes": "Weekly"})
    await api.patch(f"{url}/status", json={"status": "closed", "reason": "Moved away"})
    events = (await api.get(f"{url}/events")).json()["data"]
    assert [event["action"] for event in events] == ["created", "updated", "status_changed"]
    change = events[-1]
    assert change["from_status"] == "open"
    assert change["to_status"] == "closed"
    assert change["reason"] == "Moved away"
    assert change["actor_role"] == "admin"
    assert change["actor_token_id"].startswith("tok_")
    assert events[1]["details"] == {"fields": ["notes"]}


async def test_unicode_survives_a_round_trip(api: httpx.AsyncClient, programme: Programme) -> None:
    text = 'Møte på Tromsø — 日本語 ✓ 🙂 "quoted" \\ back'
    url = f"/api/v1/assignments/{programme.assignment_id}"
    await api.put(url, json={"notes": text})
    assert (await api.get(url)).json()["notes"] == text
    contact = await create_contact(api, name="Åse Ødegård")
    assert (await api.get(f"/api/v1/contacts/{contact['contact_id']}")).json()[
        "name"
    ] == "Åse Ødegård"


async def test_the_doubled_prefix_paths_of_the_contract_work_too(
    api: httpx.AsyncClient, programme: Programme
) -> None:
    doubled = "/api/v1/assignments/api/v1/assignments"
    assert (await api.get(doubled)).json()["pagination"]["total"] == 1
    single = await api.get(f"{doubled}/{programme.assignment_id}")
    assert single.json()["assignment_id"] == programme.assignment_id
    count = await api.get(f"{doubled}/mentor/{programme.mentor_id}/open-count")
    assert count.json() == {"mentor_id": programme.mentor_id, "open_assignment_count": 1}
    for view in ("active", "history"):
        assert (await api.get(f"{doubled}/mentor/{programme.mentor_id}/{view}")).status_code == 200
    put = await api.put(f"{doubled}/{programme.assignment_id}", json={"notes": "via alias"})
    assert put.json()["notes"] == "via alias"
    patch = await api.patch(
        f"{doubled}/{programme.assignment_id}/status", json={"status": "closed"}
    )
    assert patch.json()["status"] == "closed"
    created = await api.post(
        doubled,
        json={"mentor_id": programme.mentor_id, "contact_id": programme.contacts[1]["contact_id"]},
    )
    assert created.status_code == 201
    deleted = await api.delete(f"{doubled}/{created.json()['assignment_id']}")
    assert deleted.json() == {"deleted": True, "assignment_id": created.json()["assignment_id"]}


async def test_the_doubled_prefix_is_left_out_of_the_openapi_document(
    api: httpx.AsyncClient,
) -> None:
    paths = (await api.get("/openapi.json")).json()["paths"]
    assert "/api/v1/assignments/{assignment_id}" in paths
    assert not any(path.startswith("/api/v1/assignments/api/") for path in paths)
