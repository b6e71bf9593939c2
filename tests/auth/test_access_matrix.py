"""The access matrix: every operation of the API against every kind of caller.

Each row names an operation and the status each caller gets. The records it targets belong to the
test's agency: mentor "own" is the mentor of the targeted assignment and "other" a second mentor of
the same agency; caseworker "assigned" works the targeted child and application, "unassigned" works
neither. Every response is also searched for the personal data of the people served (names,
e-mail addresses, notes, all marked with a canary) wherever the caller may not see it. Agency
workers are staff: every caseworker of the agency may read that directory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from caseworks.auth.principal import Role
from caseworks.auth.tokens import revoke_token
from tests.support.childwelfare import JSONAPI, child_assignment, nested
from tests.support.figures import Figures
from tests.support.tenants import Tenant, new_tenant
from tests.support.world import CANARY, build_world

CALLERS = (
    "no token",
    "revoked token",
    "malformed header",
    "other agency's admin",
    "admin",
    "supervisor",
    "caseworker assigned",
    "caseworker unassigned",
    "mentor own",
    "mentor other",
)
UNAUTHENTICATED = CALLERS[:3]


Body = Callable[[dict[str, str]], Any]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    statuses: tuple[int, ...]  # one per caller from "other agency's admin" on
    body: Body | None = None

    def expected(self, caller: str) -> int:
        if caller in UNAUTHENTICATED:
            return 401
        return self.statuses[CALLERS.index(caller) - len(UNAUTHENTICATED)]

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"


def op(method: str, path: str, *statuses: int, body: Body | None = None) -> Operation:
    assert len(statuses) == len(CALLERS) - len(UNAUTHENTICATED)
    return Operation(method, path, statuses, body)


def _reassign(ids: dict[str, str]) -> dict[str, Any]:
    return child_assignment(ids["child"], ids["unassigned_worker"])


def _transfer(ids: dict[str, str]) -> dict[str, Any]:
    target = {"data": {"type": "agency-workers", "id": ids["unassigned_worker"]}}
    return {
        "data": {
            "type": "caseload-transfers",
            "attributes": {"roles": ["case-carrying", "support"], "reason": "moving on"},
            "relationships": {"target-worker": target},
        }
    }


def _jsonapi(kind: str, **attributes: Any) -> Body:
    return lambda ids: {"data": {"type": kind, "attributes": attributes}}


def _new_person(ids: dict[str, str]) -> dict[str, Any]:
    attributes = {"role": "other_adult_in_home", "first-name": "New", "last-name": "Adult"}
    application = {"data": {"type": "applications", "id": ids["application"]}}
    return {
        "data": {
            "type": "user-agency-profiles",
            "attributes": attributes,
            "relationships": {"application": application},
        }
    }


def _jsonapi_update(kind: str, key: str, **attributes: Any) -> Body:
    return lambda ids: {"data": {"type": kind, "id": ids[key], "attributes": attributes}}


MENTORING_PREFIXES = ("/api/v1/assignments", "/api/v1/mentors", "/api/v1/contacts")
A = "/api/v1/assignments/{assignment}"
MENTOR_VIEW = "/api/v1/assignments/mentor/{mentor}"
# fmt: off
OPERATIONS = (
    # The mentoring programme.             other  admin  super  cw-as  cw-un  m-own  m-oth
    op("GET", "/api/v1/assignments",          200,   200,   200,   403,   403,   200,   200),
    op("POST", "/api/v1/assignments",         422,   201,   201,   403,   403,   403,   403,
       body=lambda ids: {"mentor_id": ids["mentor"], "contact_id": ids["free_contact"]}),
    op("GET", f"{MENTOR_VIEW}/active",        404,   200,   200,   403,   403,   200,   404),
    op("GET", f"{MENTOR_VIEW}/history",       404,   200,   200,   403,   403,   200,   404),
    op("GET", f"{MENTOR_VIEW}/open-count",    404,   200,   200,   403,   403,   200,   404),
    op("GET", A,                              404,   200,   200,   403,   403,   200,   404),
    op("PUT", A,                              404,   200,   200,   403,   403,   200,   404,
       body=lambda ids: {"notes": "called on Tuesday"}),
    op("DELETE", A,                           404,   200,   200,   403,   403,   403,   404),
    op("PATCH", f"{A}/status",                404,   200,   200,   403,   403,   403,   404,
       body=lambda ids: {"status": "closed", "reason": "moved away"}),
    op("GET", f"{A}/events",                  404,   200,   200,   403,   403,   403,   404),
    op("POST", f"{A}/reassign",               404,   201,   201,   403,   403,   403,   403,
       body=lambda ids: {"mentor_id": ids["free_mentor"], "reason": "mentor moved away"}),
    # Another agency's admin names a mentor its agency does not have: 422 before any item.
    op("POST", "/api/v1/assignments/bulk-reassign",
                                              422,   200,   200,   403,   403,   403,   403,
       body=lambda ids: {"assignment_ids": [ids["assignment"]], "mentor_id": ids["free_mentor"],
                         "reason": "mentor moved away"}),
    op("GET", "/api/v1/mentors",              200,   200,   200,   403,   403,   200,   200),
    op("POST", "/api/v1/mentors",             201,   201,   201,   403,   403,   403,   403,
       body=lambda ids: {"name": "New Mentor"}),
    op("GET", "/api/v1/mentors/{mentor}",     404,   200,   200,   403,   403,   200,   404),
    op("PUT", "/api/v1/mentors/{mentor}",     404,   200,   200,   403,   403,   403,   404,
       body=lambda ids: {"name": "Renamed"}),
    op("DELETE", "/api/v1/mentors/{mentor}",  404,   409,   409,   403,   403,   403,   404),
    op("DELETE", "/api/v1/mentors/{free_mentor}",
                                              404,   200,   200,   403,   403,   404,   404),
    op("GET", "/api/v1/contacts",             200,   200,   200,   403,   403,   200,   200),
    op("POST", "/api/v1/contacts",            201,   201,   201,   403,   403,   403,   403,
       body=lambda ids: {"name": "New Contact"}),
    op("GET", "/api/v1/contacts/{contact}",   404,   200,   200,   403,   403,   200,   404),
    op("PUT", "/api/v1/contacts/{contact}",   404,   200,   200,   403,   403,   403,   404,
       body=lambda ids: {"name": "Renamed"}),
    op("DELETE", "/api/v1/contacts/{contact}",
                                              404,   409,   409,   403,   403,   403,   404),
    # Child welfare (JSON:API).             other  admin  super  cw-as  cw-un  m-own  m-oth
    op("POST", "/api/v1/worker_assignments",  422,   201,   201,   403,   403,   403,   403,
       body=_reassign),
    op("GET", "/api/v1/worker_assignments",   200,   200,   200,   200,   200,   403,   403),
    op("GET", "/api/v1/worker_assignments/{worker_assignment}",
                                              404,   200,   200,   200,   404,   403,   403),
    op("DELETE", "/api/v1/worker_assignments/{worker_assignment}",
                                              404,   204,   204,   403,   404,   403,   403),
    op("GET", "/api/v1/children/{child}/relationships/worker_assignments",
                                              404,   200,   200,   200,   404,   403,   403),
    op("POST", "/api/v1/children/{child}/relationships/worker_assignments",
                                              404,   201,   201,   403,   404,   403,   403,
       body=lambda ids: {"data": nested(ids["unassigned_worker"])}),
    op("GET", "/api/v1/applications/{application}/relationships/worker_assignments",
                                              404,   200,   200,   200,   404,   403,   403),
    op("POST", "/api/v1/applications/{application}/relationships/worker_assignments",
                                              404,   201,   201,   403,   404,   403,   403,
       body=lambda ids: {"data": [nested(ids["unassigned_worker"], "support")]}),
    op("GET", "/api/v1/agency_workers",       200,   200,   200,   200,   200,   403,   403),
    op("POST", "/api/v1/agency_workers",      201,   201,   201,   403,   403,   403,   403,
       body=_jsonapi("agency-workers", name="New Worker", email="new@example.org")),
    op("GET", "/api/v1/agency_workers/{worker}",
                                              404,   200,   200,   200,   200,   403,   403),
    op("PATCH", "/api/v1/agency_workers/{worker}",
                                              404,   200,   200,   403,   403,   403,   403,
       body=_jsonapi_update("agency-workers", "worker", name="Renamed")),
    op("POST", "/api/v1/agency_workers/{worker}/transfer",
                                              404,   200,   200,   403,   403,   403,   403,
       body=_transfer),
    op("GET", "/api/v1/worker_caseloads",     200,   200,   200,   200,   200,   403,   403),
    op("GET", "/api/v1/worker_caseloads/{worker}",
                                              404,   200,   200,   200,   200,   403,   403),
    op("GET", "/api/v1/children",             200,   200,   200,   200,   200,   403,   403),
    op("POST", "/api/v1/children",            201,   201,   201,   403,   403,   403,   403,
       body=_jsonapi("children", **{"first-name": "New", "last-name": "Child"})),
    op("GET", "/api/v1/children/{child}",     404,   200,   200,   200,   404,   403,   403),
    op("PATCH", "/api/v1/children/{child}",   404,   200,   200,   403,   404,   403,   403,
       body=_jsonapi_update("children", "child", **{"first-name": "Renamed"})),
    op("GET", "/api/v1/applications",         200,   200,   200,   200,   200,   403,   403),
    op("POST", "/api/v1/applications",        200,   200,   200,   403,   403,   403,   403,
       body=_jsonapi("initial-applications")),
    op("GET", "/api/v1/applications/{application}",
                                              404,   200,   200,   200,   404,   403,   403),
    op("PATCH", "/api/v1/applications/{application}",
                                              404,   200,   200,   403,   404,   403,   403,
       body=_jsonapi_update("initial-applications", "application", status="approved")),
    op("PUT", "/api/v1/applications/{application}",
                                              404,   200,   200,   403,   404,   403,   403,
       body=_jsonapi_update("applications", "application", status="approved")),
    op("GET", "/api/v1/user_agency_profiles", 200,   200,   200,   200,   200,   403,   403),
    op("POST", "/api/v1/user_agency_profiles",
                                              422,   201,   201,   403,   403,   403,   403,
       body=_new_person),
    op("GET", "/api/v1/user_agency_profiles/{profile}",
                                              404,   200,   200,   200,   404,   403,   403),
    op("PUT", "/api/v1/user_agency_profiles/{profile}",
                                              404,   200,   200,   403,   404,   403,   403,
       body=_jsonapi_update("user-agency-profiles", "profile", **{"last-name": "Renamed"})),
)
# fmt: on

# Where a caller may not see the targeted records, none of their personal data may show.
BLIND = {"other agency's admin", "caseworker unassigned", "mentor other"}


async def _headers_for(caller: str, tenant: Tenant, ids: dict[str, str]) -> dict[str, str]:
    token: str | None
    if caller == "no token":
        return {}
    if caller == "malformed header":
        return {"Authorization": f"Basic {tenant.admin_token}"}
    if caller == "revoked token":
        token = await tenant.token(Role.ADMIN)
        async with tenant.db.transaction() as tx:
            await revoke_token(tx, token)
    elif caller == "other agency's admin":
        token = (await new_tenant(tenant.db, tenant.app, "Another Agency")).admin_token
    elif caller == "admin":
        token = tenant.admin_token
    elif caller == "supervisor":
        token = await tenant.token(Role.SUPERVISOR)
    elif caller.startswith("caseworker"):
        bound = ids["worker"] if caller == "caseworker assigned" else ids["unassigned_worker"]
        token = await tenant.token(Role.CASEWORKER, worker_id=bound)
    else:
        bound = ids["mentor"] if caller == "mentor own" else ids["other_mentor"]
        token = await tenant.token(Role.MENTOR, mentor_id=bound)
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda o: o.name)
async def test_access(tenant: Tenant, operation: Operation, caller: str, figures: Figures) -> None:
    figures.record("operations", len(OPERATIONS), "operations")
    figures.record("callers", len(CALLERS), "callers")
    figures.add("cases", 1, "cases")
    ids = await build_world(tenant)
    headers = await _headers_for(caller, tenant, ids)
    path = operation.path.format(**ids)
    body = None if operation.body is None else operation.body(ids)
    if not path.startswith(MENTORING_PREFIXES):
        headers["Content-Type"] = JSONAPI
    async with tenant.client() as client:
        response = await client.request(operation.method, path, json=body, headers=headers)

    assert response.status_code == operation.expected(caller), response.text
    if caller in BLIND or caller in UNAUTHENTICATED:
        assert CANARY not in response.text
        assert "canary" not in response.text
