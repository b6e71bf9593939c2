"""Worker assignments: every behaviour of the Binti-compatible worker-assignment contract."""

from __future__ import annotations

import email
import time
from email import policy
from pathlib import Path
from typing import Any

import httpx
import pytest

from caseworks.db import Database
from caseworks.notify.dispatcher import Dispatcher
from caseworks.notify.transport import FileTransport
from tests.support.childwelfare import (
    application,
    application_assignment,
    child,
    child_assignment,
    nested,
    worker,
)
from tests.support.figures import Figures
from tests.support.tenants import Tenant


async def outbox(db: Database, tenant: Tenant) -> list[dict[str, Any]]:
    return await db.fetch_all(
        "SELECT recipient, subject, body FROM outbox WHERE agency_id = :agency_id",
        {"agency_id": tenant.agency_id},
    )


async def assignment_rows(db: Database, tenant: Tenant) -> int:
    count = await db.fetch_value(
        "SELECT count(*) FROM worker_assignments WHERE agency_id = :agency_id",
        {"agency_id": tenant.agency_id},
    )
    return int(count)


async def test_create_on_a_child_then_the_same_again_is_a_no_op(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    child_id, worker_id = await child(jsonapi), await worker(jsonapi)
    created = await jsonapi.post(
        "/api/v1/worker_assignments", json=child_assignment(child_id, worker_id)
    )
    assert created.status_code == 201
    document = created.json()
    # The body is the child's case-carrying assignments, paginated; not the single new row.
    [resource] = document["data"]
    assert resource["type"] == "worker-assignments"
    assert resource["attributes"]["role"] == "case_carrying"
    assert resource["relationships"]["child"] == {"data": {"type": "children", "id": child_id}}
    assert resource["relationships"]["worker"] == {
        "data": {"type": "agency-workers", "id": worker_id}
    }
    assert document["meta"]["total-records"] == 1
    assert document["links"]["self"].endswith(
        f"/api/v1/children/{child_id}/relationships/worker_assignments"
    )

    again = await jsonapi.post(
        "/api/v1/worker_assignments", json=child_assignment(child_id, worker_id)
    )
    assert again.status_code == 200
    assert again.json()["data"] == document["data"]
    assert await assignment_rows(db, tenant) == 1
    [mail] = await outbox(db, tenant)
    assert mail["recipient"] == "wendy@example.org"
    assert "Ola Nordmann" in mail["subject"]
    assert "case-carrying" in mail["subject"]
    assert "admin" in mail["body"]


async def test_names_stored_with_line_breaks_still_make_a_one_line_subject(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant, tmp_path: Path
) -> None:
    # Rows written before names refused control characters, or by hand, may hold them.
    child_id, application_id = await child(jsonapi), await application(jsonapi)
    worker_id = await worker(jsonapi)
    hostile = "Emma\r\nBcc: x@example.org\u202e"
    async with db.transaction() as tx:
        for table, column, record_id in (
            ("children", "first_name", child_id),
            ("applications", "applicant_name", application_id),
            ("agency_workers", "name", worker_id),
        ):
            await tx.execute(
                f"UPDATE {table} SET {column} = :name WHERE agency_id = :agency_id AND id = :id",
                {
                    "name": hostile,
                    "agency_id": tenant.agency_id,
                    "id": record_id,
                },
            )
    for body in (
        child_assignment(child_id, worker_id),
        application_assignment(application_id, worker_id),
    ):
        assert (await jsonapi.post("/api/v1/worker_assignments", json=body)).status_code == 201

    rows = await db.fetch_all(
        "SELECT * FROM outbox WHERE agency_id = :agency_id ORDER BY id",
        {"agency_id": tenant.agency_id},
    )
    assert [row["subject"] for row in rows] == [
        "New assignment: case-carrying worker for child Emma Bcc: x@example.org Nordmann",
        "New assignment: support worker for initial application Emma Bcc: x@example.org",
    ]
    builder = Dispatcher(db, FileTransport(tmp_path), "caseworks@example.org")
    for row in rows:
        assert row["body"].startswith("Hello Emma Bcc: x@example.org,\n\nYou have been")
        built = email.message_from_bytes(builder.message(row).as_bytes(), policy=policy.default)
        assert built["Subject"] == row["subject"]
        assert built["Bcc"] is None


async def test_nested_child_route(jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant) -> None:
    child_id, worker_id = await child(jsonapi), await worker(jsonapi)
    url = f"/api/v1/children/{child_id}/relationships/worker_assignments"
    created = await jsonapi.post(url, json={"data": nested(worker_id)})
    assert created.status_code == 201
    assert (
        await jsonapi.post(url, json={"data": nested(worker_id, "case_carrying")})
    ).status_code == 200
    listed = (await jsonapi.get(url)).json()
    assert [item["id"] for item in listed["data"]] == [created.json()["data"][0]["id"]]


@pytest.mark.parametrize("kind", ["applications", "initial-applications", "renewal-applications"])
async def test_create_on_an_application(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant, kind: str
) -> None:
    application_id = await application(jsonapi, "renewal-applications")
    worker_id = await worker(jsonapi)
    body = application_assignment(application_id, worker_id, "approvals", kind)
    response = await jsonapi.post("/api/v1/worker_assignments", json=body)
    # Any application type names the application; responses give its real type.
    assert response.status_code == 201
    [resource] = response.json()["data"]
    assert resource["attributes"]["role"] == "approvals"
    assert resource["relationships"]["application"]["data"] == {
        "type": "renewal-applications",
        "id": application_id,
    }


async def test_nested_application_route_takes_an_array_validated_as_a_whole(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    application_id = await application(jsonapi)
    first, second = await worker(jsonapi), await worker(jsonapi, email="second@example.org")
    url = f"/api/v1/applications/{application_id}/relationships/worker_assignments"
    bad = {"data": [nested(first, "support"), nested(second, "boss")]}
    refused = await jsonapi.post(url, json=bad)
    assert refused.status_code == 422
    assert [e["source"]["pointer"] for e in refused.json()["errors"]] == ["/data/1/attributes/role"]
    assert await assignment_rows(db, tenant) == 0

    good = {"data": [nested(first, "approvals"), nested(second, "support")]}
    created = await jsonapi.post(url, json=good)
    assert created.status_code == 201
    assert sorted(item["attributes"]["role"] for item in created.json()["data"]) == [
        "approvals",
        "support",
    ]
    assert len(await outbox(db, tenant)) == 2
    assert (await jsonapi.post(url, json=good)).status_code == 200
    not_array = await jsonapi.post(url, json={"data": nested(first, "support")})
    assert not_array.status_code == 422
    assert not_array.json()["errors"][0]["source"] == {"pointer": "/data"}


def _with(body: dict[str, Any], path: list[str], value: Any) -> dict[str, Any]:
    target = body
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        target.pop(path[-1])
    else:
        target[path[-1]] = value
    return body


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "pointers"),
    [
        (["data", "attributes", "role"], "approvals", ["/data/attributes/role"]),
        (["data", "attributes", "role"], _DELETE, ["/data/attributes/role"]),
        (["data", "attributes", "notes"], "x", ["/data/attributes/notes"]),
        (["data", "relationships", "worker"], _DELETE, ["/data/relationships/worker"]),
        (["data", "relationships", "worker", "data"], None, ["/data/relationships/worker/data"]),
        (["data", "relationships", "child", "data"], None, ["/data/relationships/child/data"]),
        (
            ["data", "relationships", "child", "data", "type"],
            "kids",
            ["/data/relationships/child/data/type"],
        ),
        (
            ["data", "relationships", "worker", "data", "id"],
            42,
            ["/data/relationships/worker/data/id"],
        ),
        (["data", "relationships", "child"], _DELETE, ["/data/relationships"]),
        (
            ["data", "relationships", "application"],
            {"data": {"type": "applications", "id": "application_x"}},
            ["/data/relationships"],
        ),
        (["data", "meta"], {"send-notification": "no"}, ["/data/meta/send-notification"]),
        (["data"], None, ["/data"]),
    ],
)
async def test_invalid_payloads_are_422_with_a_pointer(
    jsonapi: httpx.AsyncClient,
    db: Database,
    tenant: Tenant,
    path: list[str],
    value: Any,
    pointers: list[str],
) -> None:
    child_id, worker_id = await child(jsonapi), await worker(jsonapi)
    body = _with(child_assignment(child_id, worker_id), path, value)
    response = await jsonapi.post("/api/v1/worker_assignments", json=body)
    assert response.status_code == 422, response.text
    assert [error["source"]["pointer"] for error in response.json()["errors"]] == pointers
    assert await assignment_rows(db, tenant) == 0


async def test_every_problem_is_reported_at_once(jsonapi: httpx.AsyncClient) -> None:
    body = {
        "data": {
            "type": "worker-assignments",
            "attributes": {"role": "boss", "colour": "blue"},
            "relationships": {
                "child": {"data": None},
                "worker": {"data": {"type": "workers", "id": 5}},
            },
        }
    }
    response = await jsonapi.post("/api/v1/worker_assignments", json=body)
    assert response.status_code == 422
    assert len(response.json()["errors"]) == 5


async def test_a_wrong_resource_type_is_409_and_a_top_level_type_is_accepted(
    jsonapi: httpx.AsyncClient,
) -> None:
    child_id, worker_id = await child(jsonapi), await worker(jsonapi)
    body = child_assignment(child_id, worker_id)
    body["data"]["type"] = "assignments"
    assert (await jsonapi.post("/api/v1/worker_assignments", json=body)).status_code == 409
    older = child_assignment(child_id, worker_id)
    del older["data"]["type"]
    older["type"] = "worker-assignments"
    assert (await jsonapi.post("/api/v1/worker_assignments", json=older)).status_code == 201


async def test_send_notification_false_queues_nothing(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    child_id, worker_id = await child(jsonapi), await worker(jsonapi)
    body = child_assignment(child_id, worker_id)
    body["data"]["meta"] = {"send-notification": False}
    assert (await jsonapi.post("/api/v1/worker_assignments", json=body)).status_code == 201
    assert await outbox(db, tenant) == []


async def test_business_rules(jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant) -> None:
    child_id = await child(jsonapi)
    inactive = await worker(jsonapi, active=False)
    support_only = await worker(jsonapi, **{"assignable-roles": ["support"]})
    for worker_id in (inactive, support_only, "worker_nobody"):
        response = await jsonapi.post(
            "/api/v1/worker_assignments", json=child_assignment(child_id, worker_id)
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["source"] == {"pointer": "/data/relationships/worker"}
    missing_child = await jsonapi.post(
        "/api/v1/worker_assignments", json=child_assignment("child_nobody", support_only)
    )
    assert missing_child.status_code == 422
    assert missing_child.json()["errors"][0]["source"] == {"pointer": "/data/relationships/child"}
    assert await assignment_rows(db, tenant) == 0


async def test_row_limits(jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant) -> None:
    child_id = await child(jsonapi)
    workers = [await worker(jsonapi, email=f"w{n}@example.org") for n in range(4)]
    for worker_id in workers[:3]:
        response = await jsonapi.post(
            "/api/v1/worker_assignments", json=child_assignment(child_id, worker_id)
        )
        assert response.status_code == 201
    fourth = await jsonapi.post(
        "/api/v1/worker_assignments", json=child_assignment(child_id, workers[3])
    )
    assert fourth.status_code == 422
    assert fourth.json()["errors"][0]["source"] == {"pointer": "/data/relationships/child"}

    application_id = await application(jsonapi)
    url = f"/api/v1/applications/{application_id}/relationships/worker_assignments"
    one = await jsonapi.post(url, json={"data": [nested(workers[0], "approvals")]})
    assert one.status_code == 201
    two = await jsonapi.post(url, json={"data": [nested(workers[1], "approvals")]})
    assert two.status_code == 422
    supports = {"data": [nested(worker_id, "support") for worker_id in workers]}
    assert (await jsonapi.post(url, json=supports)).status_code == 422
    assert await assignment_rows(db, tenant) == 4


async def test_list_filters_and_show(jsonapi: httpx.AsyncClient) -> None:
    child_id, application_id = await child(jsonapi), await application(jsonapi)
    worker_id = await worker(jsonapi)
    on_child = (
        await jsonapi.post("/api/v1/worker_assignments", json=child_assignment(child_id, worker_id))
    ).json()
    on_application = (
        await jsonapi.post(
            "/api/v1/worker_assignments",
            json=application_assignment(application_id, worker_id, "support"),
        )
    ).json()

    async def ids(**params: str) -> list[str]:
        response = await jsonapi.get("/api/v1/worker_assignments", params=params)
        assert response.status_code == 200, response.text
        return [item["attributes"]["role"] for item in response.json()["data"]]

    assert sorted(await ids()) == ["case_carrying", "support"]
    assert await ids(child_id=child_id) == ["case_carrying"]
    assert await ids(application_id=application_id) == ["support"]
    assert await ids(**{"filter[application_id]": application_id}) == ["support"]
    created = on_child["data"][0]["attributes"]["created-at"]
    assert sorted(await ids(created_start_date="2000-01-01", created_end_date="2999-12-31")) == [
        "case_carrying",
        "support",
    ]
    assert await ids(created_end_date="2000-01-01") == []
    # After a moment and before it: nothing can be both.
    assert await ids(created_start_date=created, created_end_date=created) == []
    assert on_application["data"][0]["attributes"]["role"] == "support"
    bad = await jsonapi.get("/api/v1/worker_assignments", params={"created_start_date": "soon"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["source"] == {"parameter": "created_start_date"}
    assert (
        await jsonapi.get("/api/v1/worker_assignments", params={"role": "boss"})
    ).status_code == 400

    assignment_id = on_child["data"][0]["id"]
    shown = await jsonapi.get(
        f"/api/v1/worker_assignments/{assignment_id}", params={"include": "worker,child"}
    )
    document = shown.json()
    assert document["data"]["id"] == assignment_id
    assert sorted(item["type"] for item in document["included"]) == ["agency-workers", "children"]
    bad_include = await jsonapi.get(
        f"/api/v1/worker_assignments/{assignment_id}", params={"include": "x"}
    )
    assert bad_include.status_code == 400


async def test_child_relationship_list_filters(jsonapi: httpx.AsyncClient) -> None:
    child_id = await child(jsonapi)
    for n in range(3):
        worker_id = await worker(jsonapi, email=f"w{n}@example.org")
        await jsonapi.post("/api/v1/worker_assignments", json=child_assignment(child_id, worker_id))
    url = f"/api/v1/children/{child_id}/relationships/worker_assignments"
    page = (await jsonapi.get(url, params={"page[size]": "2", "sort": "-created_at"})).json()
    assert page["meta"]["total-records"] == 3
    assert len(page["data"]) == 2
    assert len((await jsonapi.get(url, params={"role": "case_carrying"})).json()["data"]) == 3
    # A child's assignments are case-carrying: another role is no filter of this list.
    assert (await jsonapi.get(url, params={"role": "support"})).status_code == 400
    assert (await jsonapi.get(url, params={"created_end_date": "2000-01-01"})).json()["data"] == []
    assert (
        await jsonapi.get("/api/v1/children/child_nobody/relationships/worker_assignments")
    ).status_code == 404


async def test_delete(jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant) -> None:
    child_id, worker_id = await child(jsonapi), await worker(jsonapi)
    created = await jsonapi.post(
        "/api/v1/worker_assignments", json=child_assignment(child_id, worker_id)
    )
    assignment_id = created.json()["data"][0]["id"]
    response = await jsonapi.delete(f"/api/v1/worker_assignments/{assignment_id}")
    assert response.status_code == 204
    assert response.content == b""
    assert (await jsonapi.get(f"/api/v1/worker_assignments/{assignment_id}")).status_code == 404
    assert (await jsonapi.delete(f"/api/v1/worker_assignments/{assignment_id}")).status_code == 404
    events = await db.fetch_all(
        "SELECT action FROM audit_events"
        " WHERE agency_id = :agency_id AND subject_id = :id ORDER BY id",
        {"agency_id": tenant.agency_id, "id": assignment_id},
    )
    assert [event["action"] for event in events] == ["created", "deleted"]


async def test_a_nested_create_takes_at_most_20_assignments(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant, figures: Figures
) -> None:
    application_id = await application(jsonapi)
    url = f"/api/v1/applications/{application_id}/relationships/worker_assignments"
    item = nested("worker_nobody", "support")
    too_many = await jsonapi.post(url, json={"data": [item] * 21})
    assert too_many.status_code == 422
    assert [e["source"] for e in too_many.json()["errors"]] == [{"pointer": "/data"}]
    # As many as a body holds (700 kB) are refused as one problem, not read one by one.
    began = time.perf_counter()
    crowd = await jsonapi.post(url, json={"data": [item] * 5_000})
    elapsed = time.perf_counter() - began
    assert crowd.status_code == 422
    assert [e["source"] for e in crowd.json()["errors"]] == [{"pointer": "/data"}]
    figures.record("items in a nested create refused at /data", 5_000, "items")
    figures.record("time to refuse them, in process", elapsed * 1000, "ms")
    # Twenty are read one by one: here each names a worker that does not exist.
    twenty = await jsonapi.post(url, json={"data": [item] * 20})
    assert twenty.status_code == 422
    pointers = [e["source"]["pointer"] for e in twenty.json()["errors"]]
    assert pointers == [f"/data/{index}/relationships/worker" for index in range(20)]
    assert await assignment_rows(db, tenant) == 0


async def test_send_notification_under_both_spellings_is_400(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    child_id, worker_id = await child(jsonapi), await worker(jsonapi)
    body = child_assignment(child_id, worker_id)
    body["data"]["meta"] = {"send-notification": False, "send_notification": True}
    response = await jsonapi.post("/api/v1/worker_assignments", json=body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["source"] == {"pointer": "/data/meta/send_notification"}
    assert await assignment_rows(db, tenant) == 0


async def test_a_filter_under_both_spellings_is_400(jsonapi: httpx.AsyncClient) -> None:
    child_id, application_id = await child(jsonapi), await application(jsonapi)
    for path, name, value in (
        ("/api/v1/worker_assignments", "created_start_date", "2020-01-01"),
        (f"/api/v1/children/{child_id}/relationships/worker_assignments", "role", "case_carrying"),
        (f"/api/v1/applications/{application_id}/relationships/worker_assignments", "role", "cbo"),
    ):
        response = await jsonapi.get(path, params={name: value, f"filter[{name}]": value})
        assert response.status_code == 400, path
        assert response.json()["errors"][0]["source"] == {"parameter": f"filter[{name}]"}
        one = await jsonapi.get(path, params={f"filter[{name}]": value})
        assert one.status_code == 200


async def test_every_wrong_query_parameter_is_named_as_the_client_spelled_it(
    jsonapi: httpx.AsyncClient,
) -> None:
    application_id = await application(jsonapi)
    response = await jsonapi.get(
        f"/api/v1/applications/{application_id}/relationships/worker_assignments",
        params={
            "page[number]": "²",
            "page[size]": "１０",
            "filter[role]": "boss",
            "filter[created_end_date]": "9999-12-31",
            "include": "worker,nope",
        },
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [error["source"] for error in errors] == [
        {"parameter": name}
        for name in (
            "include",
            "page[number]",
            "page[size]",
            "filter[created_end_date]",
            "filter[role]",
        )
    ]
    assert all(error["status"] == "400" for error in errors)


async def test_the_end_of_the_last_day_of_the_range_is_a_filter_like_any_other(
    jsonapi: httpx.AsyncClient,
) -> None:
    child_id, worker_id = await child(jsonapi), await worker(jsonapi)
    await jsonapi.post("/api/v1/worker_assignments", json=child_assignment(child_id, worker_id))
    for end in ("2999-12-31", "2999-12-31T23:59:59Z", "2999-12-31T23:59:59.999+14:00"):
        response = await jsonapi.get(
            f"/api/v1/children/{child_id}/relationships/worker_assignments",
            params={"created_start_date": "1900-01-01", "filter[created_end_date]": end},
        )
        assert response.status_code == 200, response.text
        assert len(response.json()["data"]) == 1
