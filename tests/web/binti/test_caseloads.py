"""A Binti-shaped client (JSON in and out, `tz=utc` on every request) using the caseload
operations beyond Binti's document: a transfer, the gap filters and the worker caseloads."""

from __future__ import annotations

import httpx

from tests.support.childwelfare import child, child_assignment, worker


async def test_a_binti_client_transfers_finds_gaps_and_reads_caseloads(
    binti: httpx.AsyncClient, jsonapi: httpx.AsyncClient
) -> None:
    anna = await worker(jsonapi, name="Anna", email="anna@example.org")
    carl = await worker(jsonapi, name="Carl", email="carl@example.org", max_case_carrying=1)
    held, bare = await child(jsonapi), await child(jsonapi)
    made = await binti.post("/api/v1/worker_assignments", json=child_assignment(held, anna))
    assert made.status_code == 201

    # snake_case attributes and meta, as Binti's clients write them.
    moved = await binti.post(
        f"/api/v1/agency_workers/{anna}/transfer",
        json={
            "data": {
                "type": "caseload-transfers",
                "attributes": {"roles": ["case_carrying"], "reason": "leaving", "dry_run": False},
                "relationships": {
                    "target-worker": {"data": {"type": "agency-workers", "id": carl}}
                },
                "meta": {"send_notification": False},
            }
        },
    )
    assert moved.status_code == 200, moved.text
    assert moved.headers["content-type"] == "application/json"
    assert [r["result"] for r in moved.json()["meta"]["results"]] == ["moved"]

    gaps = await binti.get("/api/v1/children", params={"has_case_carrying_worker": "false"})
    assert [resource["id"] for resource in gaps.json()["data"]] == [bare]
    caseload = (await binti.get(f"/api/v1/worker_caseloads/{carl}")).json()["data"]
    assert caseload["attributes"]["case-carrying"] == 1
    assert caseload["attributes"]["max-case-carrying"] == 1
    # Carl is now at his limit: a further case is refused at the worker.
    refused = await binti.post("/api/v1/worker_assignments", json=child_assignment(bare, carl))
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["source"] == {"pointer": "/data/relationships/worker"}
