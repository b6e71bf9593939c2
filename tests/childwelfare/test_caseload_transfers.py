"""Moving a worker's caseload: every assignment in the roles asked for, through the rules of a
single create, each with its result; a dry run writes nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from caseworks.auth.principal import Role
from caseworks.core.ids import new_id
from caseworks.core.timestamps import utc_now
from caseworks.db import Database
from tests.support.childwelfare import (
    application,
    application_assignment,
    child,
    child_assignment,
    jsonapi_client,
    worker,
)
from tests.support.figures import Figures
from tests.support.tenants import Tenant

TARGET = "/data/relationships/target-worker"


def transfer_document(
    target_id: str,
    roles: list[str],
    reason: str | None = "Anna leaves the agency",
    **more: Any,
) -> dict[str, Any]:
    attributes: dict[str, Any] = {"roles": roles}
    if reason is not None:
        attributes["reason"] = reason
    if "dry_run" in more:
        attributes["dry-run"] = more.pop("dry_run")
    data: dict[str, Any] = {
        "type": "caseload-transfers",
        "attributes": attributes,
        "relationships": {"target-worker": {"data": {"type": "agency-workers", "id": target_id}}},
    }
    if "notify" in more:
        data["meta"] = {"send-notification": more.pop("notify")}
    return {"data": data}


async def transfer(
    client: httpx.AsyncClient, source_id: str, document: dict[str, Any]
) -> httpx.Response:
    return await client.post(f"/api/v1/agency_workers/{source_id}/transfer", json=document)


async def holdings(db: Database, tenant: Tenant) -> list[tuple[str, str, str]]:
    """Every assignment of the agency as (worker, role, child or application), sorted."""
    rows = await db.fetch_all(
        "SELECT worker_id, role, COALESCE(child_id, application_id) AS subject"
        " FROM worker_assignments WHERE agency_id = :agency_id",
        {"agency_id": tenant.agency_id},
    )
    return sorted((row["worker_id"], row["role"], row["subject"]) for row in rows)


async def count(db: Database, tenant: Tenant, table: str) -> int:
    found = await db.fetch_value(
        f"SELECT count(*) FROM {table} WHERE agency_id = :agency_id",
        {"agency_id": tenant.agency_id},
    )
    return int(found)


async def assign_child(client: httpx.AsyncClient, child_id: str, worker_id: str) -> str:
    response = await client.post(
        "/api/v1/worker_assignments", json=child_assignment(child_id, worker_id)
    )
    assert response.status_code == 201, response.text
    for resource in response.json()["data"]:
        if resource["relationships"]["worker"]["data"]["id"] == worker_id:
            assignment_id: str = resource["id"]
            return assignment_id
    raise AssertionError("the new assignment is not in the answer")


async def assign_application(
    client: httpx.AsyncClient, application_id: str, worker_id: str, role: str
) -> str:
    response = await client.post(
        "/api/v1/worker_assignments", json=application_assignment(application_id, worker_id, role)
    )
    assert response.status_code == 201, response.text
    for resource in response.json()["data"]:
        held = resource["relationships"]["worker"]["data"]["id"], resource["attributes"]["role"]
        if held == (worker_id, role):
            assignment_id: str = resource["id"]
            return assignment_id
    raise AssertionError("the new assignment is not in the answer")


async def test_a_transfer_moves_each_assignment_and_says_so_in_order(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    anna = await worker(jsonapi, name="Anna", email="anna@example.org")
    bjorn = await worker(jsonapi, name="Bjorn", email="bjorn@example.org")
    first, second = await child(jsonapi), await child(jsonapi)
    application_id = await application(jsonapi)
    made = [
        await assign_child(jsonapi, first, anna),
        await assign_child(jsonapi, second, anna),
        await assign_application(jsonapi, application_id, anna, "support"),
        await assign_application(jsonapi, application_id, anna, "approvals"),
    ]
    mails_before = await count(db, tenant, "outbox")

    response = await transfer(jsonapi, anna, transfer_document(bjorn, ["case-carrying", "support"]))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.api+json")
    meta = response.json()["meta"]
    assert (meta["source-worker"], meta["target-worker"]) == (anna, bjorn)
    assert (meta["dry-run"], meta["send-notification"], meta["moved"]) == (False, True, 3)
    results = meta["results"]
    # One per assignment in the roles asked for, oldest first; the approvals one is not asked.
    assert [result["worker-assignment-id"] for result in results] == made[:3]
    assert [result["result"] for result in results] == ["moved"] * 3
    assert [result["child-id"] for result in results] == [first, second, None]
    assert results[2]["application-id"] == application_id
    new_ids = [result["new-worker-assignment-id"] for result in results]
    assert all(new_ids)
    assert len(set(new_ids)) == 3
    assert await holdings(db, tenant) == sorted(
        [
            (bjorn, "case_carrying", first),
            (bjorn, "case_carrying", second),
            (bjorn, "support", application_id),
            (anna, "approvals", application_id),
        ]
    )
    for old in made[:3]:
        assert (await jsonapi.get(f"/api/v1/worker_assignments/{old}")).status_code == 404
    for new in new_ids:
        shown = await jsonapi.get(f"/api/v1/worker_assignments/{new}")
        assert shown.json()["data"]["relationships"]["worker"]["data"]["id"] == bjorn
    # The target is told of each moved assignment once, as a single create tells it.
    mails = await db.fetch_all(
        "SELECT recipient, subject FROM outbox WHERE agency_id = :agency_id ORDER BY id",
        {"agency_id": tenant.agency_id},
    )
    assert len(mails) == mails_before + 3
    assert [mail["recipient"] for mail in mails[mails_before:]] == ["bjorn@example.org"] * 3


async def test_each_move_leaves_the_audit_events_of_a_delete_and_a_create_with_the_reason(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    anna, bjorn = await worker(jsonapi), await worker(jsonapi)
    old = await assign_child(jsonapi, await child(jsonapi), anna)
    response = await transfer(jsonapi, anna, transfer_document(bjorn, ["case_carrying"]))
    [result] = response.json()["meta"]["results"]
    new = result["new-worker-assignment-id"]
    events = await db.fetch_all(
        "SELECT subject_id, action, reason, details FROM audit_events"
        " WHERE agency_id = :agency_id AND subject_type = 'worker_assignment'"
        " AND reason IS NOT NULL ORDER BY occurred_at, id",
        {"agency_id": tenant.agency_id},
    )
    assert [(event["subject_id"], event["action"]) for event in events] == [
        (old, "deleted"),
        (new, "created"),
    ]
    assert {event["reason"] for event in events} == {"Anna leaves the agency"}
    assert f'"moved_to":"{new}"' in events[0]["details"]
    assert f'"moved_from":"{old}"' in events[1]["details"]


async def test_an_ineligible_item_stays_and_is_shown_as_such(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    anna = await worker(jsonapi)
    bjorn = await worker(jsonapi, **{"assignable-roles": ["case_carrying"]})
    child_id, application_id = await child(jsonapi), await application(jsonapi)
    carrying = await assign_child(jsonapi, child_id, anna)
    support = await assign_application(jsonapi, application_id, anna, "support")

    response = await transfer(jsonapi, anna, transfer_document(bjorn, ["case-carrying", "support"]))
    assert response.status_code == 200
    results = response.json()["meta"]["results"]
    assert [(r["worker-assignment-id"], r["result"]) for r in results] == [
        (carrying, "moved"),
        (support, "ineligible"),
    ]
    assert results[1]["new-worker-assignment-id"] is None
    assert "may not hold the support role" in results[1]["detail"]
    assert await holdings(db, tenant) == sorted(
        [(bjorn, "case_carrying", child_id), (anna, "support", application_id)]
    )


async def test_an_inactive_target_takes_nothing(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    anna, bjorn = await worker(jsonapi), await worker(jsonapi, active=False)
    await assign_child(jsonapi, await child(jsonapi), anna)
    response = await transfer(jsonapi, anna, transfer_document(bjorn, ["case-carrying"]))
    [result] = response.json()["meta"]["results"]
    assert result["result"] == "ineligible"
    assert "is not active" in result["detail"]
    assert response.json()["meta"]["moved"] == 0


async def test_the_targets_capacity_counts_the_items_moved_before(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    anna = await worker(jsonapi)
    bjorn = await worker(jsonapi, **{"max-case-carrying": 2})
    await assign_child(jsonapi, await child(jsonapi), bjorn)
    for _ in range(3):
        await assign_child(jsonapi, await child(jsonapi), anna)

    response = await transfer(jsonapi, anna, transfer_document(bjorn, ["case-carrying"]))
    results = response.json()["meta"]["results"]
    assert [result["result"] for result in results] == ["moved", "over-capacity", "over-capacity"]
    assert "max-case-carrying is 2" in results[1]["detail"]
    held = [holder for holder, role, _ in await holdings(db, tenant)]
    assert (held.count(anna), held.count(bjorn)) == (2, 2)


async def test_a_target_already_assigned_keeps_the_source_assignment(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    anna, bjorn = await worker(jsonapi), await worker(jsonapi)
    child_id = await child(jsonapi)
    await assign_child(jsonapi, child_id, bjorn)
    kept = await assign_child(jsonapi, child_id, anna)
    response = await transfer(jsonapi, anna, transfer_document(bjorn, ["case-carrying"]))
    [result] = response.json()["meta"]["results"]
    assert (result["worker-assignment-id"], result["result"]) == (kept, "already-assigned")
    assert await count(db, tenant, "worker_assignments") == 2


async def test_a_subject_over_its_row_limit_refuses_the_move(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    # A child holding more case-carrying workers than the limit (the limit lowered since):
    # replacing one of them would keep it over, so the move is refused, not made.
    child_id = await child(jsonapi)
    workers = [await worker(jsonapi, email=f"w{n}@example.org") for n in range(5)]
    for worker_id in workers[:3]:
        await assign_child(jsonapi, child_id, worker_id)
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO worker_assignments (agency_id, id, worker_id, role, child_id,"
            " created_at, updated_at) VALUES (:agency_id, :id, :worker_id, 'case_carrying',"
            " :child_id, :now, :now)",
            {
                "agency_id": tenant.agency_id,
                "id": new_id("wa"),
                "worker_id": workers[3],
                "child_id": child_id,
                "now": utc_now(),
            },
        )
    response = await transfer(jsonapi, workers[0], transfer_document(workers[4], ["case-carrying"]))
    [result] = response.json()["meta"]["results"]
    assert result["result"] == "row-limit"
    assert "most case-carrying workers allowed (3)" in result["detail"]


async def test_a_dry_run_gives_the_same_results_and_writes_nothing(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    anna = await worker(jsonapi)
    bjorn = await worker(jsonapi, **{"max-case-carrying": 1})
    for _ in range(2):
        await assign_child(jsonapi, await child(jsonapi), anna)
    before = (
        await holdings(db, tenant),
        await count(db, tenant, "audit_events"),
        await count(db, tenant, "outbox"),
    )

    dry = await transfer(jsonapi, anna, transfer_document(bjorn, ["case-carrying"], dry_run=True))
    assert dry.status_code == 200
    assert dry.json()["meta"]["dry-run"] is True
    after = (
        await holdings(db, tenant),
        await count(db, tenant, "audit_events"),
        await count(db, tenant, "outbox"),
    )
    assert after == before

    real = await transfer(jsonapi, anna, transfer_document(bjorn, ["case-carrying"]))

    def outcomes(response: httpx.Response) -> list[tuple[str, str]]:
        return [
            (result["worker-assignment-id"], result["result"])
            for result in response.json()["meta"]["results"]
        ]

    assert outcomes(dry) == outcomes(real)
    assert [r["new-worker-assignment-id"] for r in dry.json()["meta"]["results"]] == [None, None]
    assert "would move" in dry.json()["meta"]["results"][0]["detail"]


async def test_send_notification_false_sends_no_mail(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    anna, bjorn = await worker(jsonapi), await worker(jsonapi)
    for _ in range(2):
        await assign_child(jsonapi, await child(jsonapi), anna)
    mails = await count(db, tenant, "outbox")
    response = await transfer(
        jsonapi, anna, transfer_document(bjorn, ["case-carrying"], notify=False)
    )
    assert response.json()["meta"]["moved"] == 2
    assert await count(db, tenant, "outbox") == mails


async def test_a_worker_without_assignments_moves_nothing(jsonapi: httpx.AsyncClient) -> None:
    anna, bjorn = await worker(jsonapi), await worker(jsonapi)
    response = await transfer(jsonapi, anna, transfer_document(bjorn, ["approvals"]))
    assert response.status_code == 200
    assert response.json()["meta"]["results"] == []


async def test_every_problem_of_the_body_is_422_at_its_pointer_at_once(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    anna = await worker(jsonapi)
    await assign_child(jsonapi, await child(jsonapi), anna)
    document = {
        "data": {
            "type": "caseload-transfers",
            "id": "t1",
            "attributes": {"roles": ["cbo"], "reason": "  ", "dry-run": "yes", "colour": 1},
            "relationships": {
                "target-worker": {"data": {"type": "children", "id": "x"}},
                "worker": {"data": None},
            },
            "meta": {"send-notification": "no", "urgent": True},
        }
    }
    response = await transfer(jsonapi, anna, document)
    assert response.status_code == 422
    pointers = {error["source"]["pointer"] for error in response.json()["errors"]}
    assert pointers == {
        "/data/id",
        "/data/attributes/roles/0",
        "/data/attributes/reason",
        "/data/attributes/dry-run",
        "/data/attributes/colour",
        "/data/relationships/target-worker/data/type",
        "/data/relationships/worker",
        "/data/meta/send-notification",
        "/data/meta/urgent",
    }
    assert await count(db, tenant, "worker_assignments") == 1


async def test_roles_reason_and_target_are_required(jsonapi: httpx.AsyncClient) -> None:
    anna = await worker(jsonapi)
    response = await transfer(jsonapi, anna, {"data": {"type": "caseload-transfers"}})
    assert response.status_code == 422
    pointers = {error["source"]["pointer"] for error in response.json()["errors"]}
    assert pointers == {
        "/data/attributes",
        "/data/attributes/roles",
        "/data/attributes/reason",
        TARGET,
    }
    empty = await transfer(jsonapi, anna, transfer_document(anna, []))
    assert [e["source"]["pointer"] for e in empty.json()["errors"]] == ["/data/attributes/roles"]


async def test_another_type_is_409(jsonapi: httpx.AsyncClient) -> None:
    anna, bjorn = await worker(jsonapi), await worker(jsonapi)
    document = transfer_document(bjorn, ["support"])
    document["data"]["type"] = "agency-workers"
    assert (await transfer(jsonapi, anna, document)).status_code == 409


async def test_a_target_of_another_agency_unknown_or_the_source_itself_is_422_at_it(
    jsonapi: httpx.AsyncClient, other_tenant: Tenant
) -> None:
    anna = await worker(jsonapi)
    async with jsonapi_client(other_tenant, other_tenant.admin_token) as stranger:
        theirs = await worker(stranger)
    for target in (theirs, "worker_nobody", anna):
        response = await transfer(jsonapi, anna, transfer_document(target, ["support"]))
        assert response.status_code == 422, target
        [error] = response.json()["errors"]
        assert error["source"] == {"pointer": TARGET}


async def test_a_source_of_another_agency_or_unknown_is_404(
    jsonapi: httpx.AsyncClient, other_tenant: Tenant
) -> None:
    bjorn = await worker(jsonapi)
    async with jsonapi_client(other_tenant, other_tenant.admin_token) as stranger:
        theirs = await worker(stranger)
    for source in (theirs, "worker_nobody"):
        response = await transfer(jsonapi, source, transfer_document(bjorn, ["support"]))
        assert response.status_code == 404
        assert response.json()["errors"][0]["status"] == "404"


async def test_supervisors_transfer_and_caseworkers_may_not(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    anna, bjorn = await worker(jsonapi), await worker(jsonapi)
    await assign_child(jsonapi, await child(jsonapi), anna)
    caseworker = await tenant.token(Role.CASEWORKER, worker_id=anna)
    async with jsonapi_client(tenant, caseworker) as client:
        refused = await transfer(client, anna, transfer_document(bjorn, ["case-carrying"]))
    assert refused.status_code == 403
    assert await count(db, tenant, "worker_assignments") == 1
    supervisor = await tenant.token(Role.SUPERVISOR)
    async with jsonapi_client(tenant, supervisor) as client:
        done = await transfer(client, anna, transfer_document(bjorn, ["case-carrying"]))
    assert done.json()["meta"]["moved"] == 1


async def test_a_transfer_and_creates_at_once_keep_the_target_within_its_limit(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant, figures: Figures
) -> None:
    anna = await worker(jsonapi)
    bjorn = await worker(jsonapi, **{"max-case-carrying": 3})
    for _ in range(3):
        await assign_child(jsonapi, await child(jsonapi), anna)
    others = [await child(jsonapi) for _ in range(3)]
    moving = transfer(jsonapi, anna, transfer_document(bjorn, ["case-carrying"]))
    creating = [
        jsonapi.post("/api/v1/worker_assignments", json=child_assignment(child_id, bjorn))
        for child_id in others
    ]
    moved, *created = await asyncio.gather(moving, *creating)
    made = sum(response.status_code == 201 for response in created)
    assert moved.json()["meta"]["moved"] + made == 3
    held = [holder for holder, _, _ in await holdings(db, tenant)]
    assert held.count(bjorn) == 3
    figures.record("a transfer and creates at once for a limit of 3", 1 + len(creating), "requests")


async def test_transfers_both_ways_at_once_do_not_wait_on_each_other_for_ever(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    # Each holds both workers' rows in one order before any child's: one waits, neither for ever.
    anna, bjorn = await worker(jsonapi), await worker(jsonapi)
    shared = [await child(jsonapi) for _ in range(3)]
    for child_id in shared:
        await assign_child(jsonapi, child_id, anna)
        await assign_child(jsonapi, child_id, bjorn)
    for _ in range(2):
        await assign_child(jsonapi, await child(jsonapi), anna)
        await assign_child(jsonapi, await child(jsonapi), bjorn)
    there, back = await asyncio.gather(
        transfer(jsonapi, anna, transfer_document(bjorn, ["case-carrying"])),
        transfer(jsonapi, bjorn, transfer_document(anna, ["case-carrying"])),
    )
    assert (there.status_code, back.status_code) == (200, 200)
    assert await count(db, tenant, "worker_assignments") == 10


async def test_an_inactive_source_still_hands_its_caseload_over(
    jsonapi: httpx.AsyncClient, db: Database, tenant: Tenant
) -> None:
    # A worker who has left is deactivated (its tokens revoked); its cases still have to move.
    anna, bjorn = await worker(jsonapi), await worker(jsonapi)
    child_id = await child(jsonapi)
    await assign_child(jsonapi, child_id, anna)
    deactivated = await jsonapi.patch(
        f"/api/v1/agency_workers/{anna}",
        json={"data": {"type": "agency-workers", "attributes": {"active": False}}},
    )
    assert deactivated.status_code == 200
    response = await transfer(jsonapi, anna, transfer_document(bjorn, ["case-carrying"]))
    assert response.json()["meta"]["moved"] == 1
    assert await holdings(db, tenant) == [(bjorn, "case_carrying", child_id)]
