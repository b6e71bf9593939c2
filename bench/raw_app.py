"""The limit, measured beside us: a raw ASGI app with no framework.

For each measured endpoint it runs the same SQL as caseworks and returns the same JSON, through
the same drivers (asyncpg or sqlite3) and orjson, on the same server software. The SQL is the
same by construction: every statement comes from caseworks' query modules (their statement
builders, with an agency-wide scope). It skips what a framework does for us: routing tables,
validation, dependency injection, error mapping, authentication, and caseworks' web layer
altogether. Every figure in the report is a ratio to this app, measured in the same run.

    CASEWORKS_DATABASE_URL=... BENCH_AGENCY=agency_bench uvicorn bench.raw_app:app
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import asyncpg
import orjson

from caseworks.auth.agencies import read_settings
from caseworks.auth.policy import CaseworkScope, MentoringScope
from caseworks.childwelfare import childwelfare_queries as casework
from caseworks.core.counting import Totals
from caseworks.core.ids import new_id
from caseworks.core.pagination import PageRequest
from caseworks.core.timestamps import utc_now
from caseworks.db.audit import INSERT_EVENT
from caseworks.db.base import to_positional
from caseworks.db.url import DatabaseURL
from caseworks.mentoring import caseload_queries as caseloads
from caseworks.mentoring import mentoring_queries as mentoring
from caseworks.mentoring.mentoring_queries import AssignmentFilters
from caseworks.mentoring.reassignment_mail import reassignment_email
from caseworks.notify.outbox import Email, enqueue

OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_OMIT_MICROSECONDS | orjson.OPT_NAIVE_UTC
AGENCY = os.environ.get("BENCH_AGENCY", "agency_bench")
# Everything of the agency: what an admin reads.
MENTORING = MentoringScope(AGENCY)
CASEWORK = CaseworkScope(AGENCY)

Send = Callable[[dict[str, Any]], Awaitable[None]]


class Driver:
    """Straight onto asyncpg or sqlite3; SQL keeps its :name parameters, mapped once per text."""

    def __init__(self, url: DatabaseURL) -> None:
        self.url = url
        self.dialect = url.dialect
        self.pool: Any = None
        self.connection: Any = None
        self.totals = Totals()  # the same totals strategy as caseworks, one per database

    async def start(self) -> None:
        if self.dialect == "postgresql":
            self.pool = await asyncpg.create_pool(
                self.url.target,
                min_size=1,
                max_size=10,
                reset=_keep,
                server_settings={"jit": "off"},
            )
        else:
            # The caseworks.db.sqlite module registers the same datetime adapters on import.
            import caseworks.db.sqlite  # noqa: F401

            self.connection = sqlite3.connect(
                self.url.sqlite_path,
                detect_types=sqlite3.PARSE_DECLTYPES,
                isolation_level=None,
                check_same_thread=False,
            )
            self.connection.row_factory = sqlite3.Row
            self.connection.execute("PRAGMA busy_timeout = 5000")

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()
        if self.connection is not None:
            self.connection.close()

    def transaction(self) -> Any:
        return _Transaction(self)

    async def fetch_one(self, sql: str, params: dict[str, Any], connection: Any = None) -> Any:
        if self.dialect == "sqlite":
            row = self.connection.execute(sql, params).fetchone()
            return None if row is None else dict(row)
        text, names = to_positional(sql)
        if connection is None:
            async with self.pool.acquire() as connection:
                row = await connection.fetchrow(text, *[params[n] for n in names])
        else:
            row = await connection.fetchrow(text, *[params[n] for n in names])
        return None if row is None else dict(row)

    async def fetch_all(
        self, sql: str, params: dict[str, Any], connection: Any = None
    ) -> list[dict[str, Any]]:
        if self.dialect == "sqlite":
            return [dict(row) for row in self.connection.execute(sql, params).fetchall()]
        text, names = to_positional(sql)
        if connection is None:
            async with self.pool.acquire() as connection:
                rows = await connection.fetch(text, *[params[n] for n in names])
        else:
            rows = await connection.fetch(text, *[params[n] for n in names])
        return [dict(row) for row in rows]

    async def fetch_value(self, sql: str, params: dict[str, Any], connection: Any = None) -> Any:
        row = await self.fetch_one(sql, params, connection)
        return None if row is None else next(iter(row.values()))

    async def execute(self, sql: str, params: dict[str, Any], connection: Any = None) -> None:
        if self.dialect == "sqlite":
            self.connection.execute(sql, params)
            return
        text, names = to_positional(sql)
        await connection.execute(text, *[params[n] for n in names])


async def _keep(connection: Any) -> None:
    """Like caseworks: no reset query on release."""


class _Transaction:
    def __init__(self, driver: Driver) -> None:
        self.driver = driver

    async def __aenter__(self) -> _Bound:
        if self.driver.dialect == "sqlite":
            self.driver.connection.execute("BEGIN IMMEDIATE")
            return _Bound(self.driver, None)
        self.connection = await self.driver.pool.acquire()
        self.transaction = self.connection.transaction()
        await self.transaction.start()
        return _Bound(self.driver, self.connection)

    async def __aexit__(self, kind: Any, error: Any, tb: Any) -> None:
        if self.driver.dialect == "sqlite":
            self.driver.connection.execute("ROLLBACK" if error else "COMMIT")
            return
        try:
            await (self.transaction.rollback() if error else self.transaction.commit())
        finally:
            await self.driver.pool.release(self.connection)


class _Connection:
    """One connection for a request's reads, as caseworks takes one (no transaction)."""

    def __init__(self, driver: Driver) -> None:
        self.driver = driver
        self.connection: Any = None

    async def __aenter__(self) -> _Bound:
        if self.driver.dialect == "postgresql":
            self.connection = await self.driver.pool.acquire()
        return _Bound(self.driver, self.connection)

    async def __aexit__(self, kind: Any, error: Any, tb: Any) -> None:
        if self.connection is not None:
            await self.driver.pool.release(self.connection)


class _Bound:
    def __init__(self, driver: Driver, connection: Any) -> None:
        self.driver = driver
        self.connection = connection
        self.totals = driver.totals
        self.dialect = driver.dialect

    async def fetch_one(self, sql: str, params: dict[str, Any]) -> Any:
        return await self.driver.fetch_one(sql, params, self.connection)

    async def fetch_value(self, sql: str, params: dict[str, Any]) -> Any:
        return await self.driver.fetch_value(sql, params, self.connection)

    async def fetch_all(self, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        return await self.driver.fetch_all(sql, params, self.connection)

    async def execute(self, sql: str, params: dict[str, Any]) -> None:
        await self.driver.execute(sql, params, self.connection)


db: Driver


async def respond(
    send: Send, body: Any, status: int = 200, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), *(headers or [])],
        }
    )
    await send({"type": "http.response.body", "body": orjson.dumps(body, option=OPTIONS)})


def page_of(query: dict[str, list[str]]) -> tuple[int, int]:
    page = int(query.get("page", ["1"])[0])
    limit = int(query.get("limit", ["20"])[0])
    return page, limit


async def get_one(send: Send, assignment_id: str) -> None:
    row = await db.fetch_one(*mentoring.assignment_statement(MENTORING, assignment_id))
    await respond(send, row) if row else await respond(send, {"detail": "not found"}, 404)


async def list_page(send: Send, query: dict[str, list[str]]) -> None:
    page, limit = page_of(query)
    filters = AssignmentFilters(mentor_id=query["mentor_id"][0] if "mentor_id" in query else None)
    (sql, params), (from_where, count_params) = mentoring.assignment_page_statement(
        MENTORING, filters, "created_at", PageRequest(page, limit)
    )
    rows = await db.fetch_all(sql, params)
    # The same totals strategy as caseworks (exact while small, remembered once large).
    total = await db.totals.count(db, from_where, count_params)
    await respond(
        send, {"data": rows, "pagination": {"page": page, "limit": limit, "total": total}}
    )


async def mentor_view(send: Send, mentor_id: str, view: str, query: dict[str, list[str]]) -> None:
    open_only = view != "history"
    found = await db.fetch_one(
        *mentoring.mentor_total_statement(MENTORING, mentor_id, open_only=open_only)
    )
    if found is None:
        await respond(send, {"detail": "not found"}, 404)
        return
    if view == "open-count":
        await respond(send, {"mentor_id": mentor_id, "open_assignment_count": found["total"]})
        return
    page, limit = page_of(query)
    rows = []
    if (page - 1) * limit < found["total"]:
        rows = await db.fetch_all(
            *mentoring.mentor_page_statement(
                MENTORING, mentor_id, open_only=open_only, page=PageRequest(page, limit)
            )
        )
    pagination = {"page": page, "limit": limit, "total": found["total"]}
    await respond(send, {"data": rows, "pagination": pagination})


async def caseload_mentors(send: Send, query: dict[str, list[str]]) -> None:
    """The first page of mentors' caseloads, by name: the agency's stale moment, the page and
    its total, on one connection as caseworks reads them."""
    page, limit = page_of(query)
    async with _Connection(db) as on:
        settings = await read_settings(on, AGENCY)
        (sql, params), (from_where, count_params) = caseloads.mentor_caseloads_statement(
            MENTORING, settings.stale_before(utc_now()), "name", PageRequest(page, limit)
        )
        rows = await on.fetch_all(sql, params)
        total = await db.totals.count(on, from_where, count_params)
    await respond(
        send, {"data": rows, "pagination": {"page": page, "limit": limit, "total": total}}
    )


async def caseload_summary(send: Send) -> None:
    now = utc_now()
    async with _Connection(db) as on:
        settings = await read_settings(on, AGENCY)
        row = await on.fetch_one(
            *caseloads.caseload_summary_statement(
                db.dialect, AGENCY, now, settings.stale_before(now), now - timedelta(days=365)
            )
        )
    median, matches = row["median_seconds_to_match"], int(row["matches"])
    counts = (
        "open_assignments",
        "waiting_contacts",
        "stale_assignments",
        "mentors_at_capacity",
        "mentors_over_capacity",
        "mentors_without_assignment",
    )
    body: dict[str, Any] = {name: int(row[name]) for name in counts}
    body["median_days_to_match"] = None if median is None else float(median) / 86_400
    body["average_match_length_days"] = (
        int(row["match_seconds"]) / matches / 86_400 if matches else None
    )
    await respond(send, body)


def event(tx: _Bound, action: str, subject: str, **fields: Any) -> Awaitable[None]:
    return tx.execute(
        INSERT_EVENT,
        {
            "agency_id": AGENCY,
            "id": new_id("evt"),
            "occurred_at": utc_now(),
            "actor_token_id": "tok_bench",
            "actor_role": "admin",
            "action": action,
            "subject_type": "assignment",
            "subject_id": subject,
            "from_status": fields.get("from_status"),
            "to_status": fields.get("to_status"),
            "reason": fields.get("reason"),
            "details": fields.get("details"),
        },
    )


async def create(send: Send, body: dict[str, Any]) -> None:
    now = utc_now()
    assignment_id = new_id("assign")
    async with db.transaction() as tx:
        contact = await tx.fetch_value(
            *mentoring.exists_statement("contacts", AGENCY, body["contact_id"])
        )
        # The mentor's caseload limit, as caseworks claims it: lock the row, then count.
        mentor = await tx.fetch_one(
            *mentoring.lock_mentor_statement(db.dialect, AGENCY, body["mentor_id"])
        )
        if mentor is None or contact is None:
            await respond(send, {"detail": "invalid"}, 422)
            return
        open_count = await tx.fetch_value(
            *mentoring.open_count_statement(AGENCY, body["mentor_id"])
        )
        if mentor["capacity"] is not None and open_count + 1 > mentor["capacity"]:
            await respond(send, {"detail": "over capacity"}, 409)
            return
        await tx.execute(
            mentoring.INSERT_ASSIGNMENT,
            {
                "agency_id": AGENCY,
                "id": assignment_id,
                "mentor_id": body["mentor_id"],
                "contact_id": body["contact_id"],
                "notes": body.get("notes"),
                "assigned_date": now,
                "created_at": now,
            },
        )
        details = orjson.dumps({"mentor_id": body["mentor_id"], "contact_id": body["contact_id"]})
        await event(tx, "created", assignment_id, to_status="open", details=details.decode())
        row = await tx.fetch_one(*mentoring.assignment_statement(MENTORING, assignment_id))
    location = f"/api/v1/assignments/{assignment_id}".encode()
    await respond(send, row, 201, [(b"location", location)])


async def change_status(send: Send, assignment_id: str, body: dict[str, Any]) -> None:
    lock = mentoring.for_update(db)
    async with db.transaction() as tx:
        current = await tx.fetch_one(*mentoring.lock_statement(MENTORING, assignment_id, lock))
        if current is None:
            await respond(send, {"detail": "not found"}, 404)
            return
        if current["status"] != body["status"]:
            now = utc_now()
            await tx.execute(
                *mentoring.status_statement(AGENCY, assignment_id, body["status"], now)
            )
            await event(
                tx,
                "status_changed",
                assignment_id,
                from_status=current["status"],
                to_status=body["status"],
                reason=body.get("reason"),
            )
        row = await tx.fetch_one(*mentoring.assignment_statement(MENTORING, assignment_id))
    await respond(send, row)


async def reassign(send: Send, assignment_id: str, body: dict[str, Any]) -> None:
    """Close the assignment and open its successor with the body's mentor: the same checks,
    two writes and two audit events as caseworks, in one transaction."""
    lock = mentoring.for_update(db)
    successor_id = new_id("assign")
    target = body["mentor_id"]
    async with db.transaction() as tx:
        # The target mentor first, then the assignment; caseworks takes the mentor's lock a
        # second time where it claims the capacity.
        mentor = await tx.fetch_one(*mentoring.lock_mentor_statement(db.dialect, AGENCY, target))
        current = await tx.fetch_one(*mentoring.lock_statement(MENTORING, assignment_id, lock))
        if current is None:
            await respond(send, {"detail": "not found"}, 404)
            return
        if current["status"] != "open" or current["mentor_id"] == target:
            await respond(send, {"detail": "conflict"}, 409)
            return
        if mentor is None:
            await respond(send, {"detail": "invalid"}, 422)
            return
        mentor = await tx.fetch_one(*mentoring.lock_mentor_statement(db.dialect, AGENCY, target))
        open_count = await tx.fetch_value(*mentoring.open_count_statement(AGENCY, target))
        if mentor["capacity"] is not None and open_count + 1 > mentor["capacity"]:
            await respond(send, {"detail": "over capacity"}, 409)
            return
        now = utc_now()
        await tx.execute(
            *mentoring.close_for_successor_statement(
                AGENCY, assignment_id, successor_id, body["reason"], now
            )
        )
        await tx.execute(
            *mentoring.successor_statement(AGENCY, assignment_id, successor_id, target, now, now)
        )
        closing = orjson.dumps({"next_assignment_id": successor_id, "mentor_id": target})
        await event(
            tx,
            "reassigned",
            assignment_id,
            from_status="open",
            to_status="closed",
            reason=body["reason"],
            details=closing.decode(),
        )
        opening = orjson.dumps(
            {
                "mentor_id": target,
                "contact_id": current["contact_id"],
                "previous_assignment_id": assignment_id,
            }
        )
        await event(
            tx,
            "created",
            successor_id,
            to_status="open",
            reason=body["reason"],
            details=opening.decode(),
        )
        closed = await tx.fetch_one(*mentoring.assignment_statement(MENTORING, assignment_id))
        opened = await tx.fetch_one(*mentoring.assignment_statement(MENTORING, successor_id))
        if body.get("send_notification", True):
            await tell_new_mentor(tx, target, opened, body["reason"], now)
    location = f"/api/v1/assignments/{successor_id}".encode()
    await respond(send, {"closed": closed, "opened": opened}, 201, [(b"location", location)])


async def tell_new_mentor(
    tx: _Bound, mentor_id: str, opened: dict[str, Any], reason: str, now: datetime
) -> None:
    """The new mentor's message, the same outbox row caseworks queues (benchmark mentors all
    have an e-mail address, so both sides write it)."""
    mentor = await tx.fetch_one(*mentoring.mentor_addressee_statement(AGENCY, mentor_id))
    if mentor is None or not mentor["email"]:
        return
    await enqueue(tx, AGENCY, reassignment_email(mentor, opened, reason), now)


# --- worker assignments (JSON:API) ---------------------------------------------------------------

JSONAPI = [(b"content-type", b"application/vnd.api+json")]


def resource(row: dict[str, Any], root: str) -> dict[str, Any]:
    relationships: dict[str, Any] = {
        "worker": {"data": {"type": "agency-workers", "id": row["worker_id"]}}
    }
    if row["child_id"] is not None:
        relationships["child"] = {"data": {"type": "children", "id": row["child_id"]}}
    else:
        kind = f"{row['application_kind']}-applications"
        relationships["application"] = {"data": {"type": kind, "id": row["application_id"]}}
    # The application's applicant, as caseworks names it on every assignment (null on a child's).
    applicant = row["applicant_profile_id"]
    relationships["applicant-profile"] = {
        "data": None if applicant is None else {"type": "user-agency-profiles", "id": applicant}
    }
    return {
        "type": "worker-assignments",
        "id": row["id"],
        "attributes": {
            "role": row["role"],
            "created-at": row["created_at"],
            "updated-at": row["updated_at"],
        },
        "relationships": relationships,
        "links": {"self": f"{root}worker_assignments/{row['id']}"},
    }


# What caseworks includes by default: each related record once, read in one query per kind.
_RELATED = (
    ("worker_id", "agency_workers", "agency-workers"),
    ("child_id", "children", "children"),
    ("application_id", "applications", None),
    ("applicant_profile_id", "user_agency_profiles", "user-agency-profiles"),
)


def _profile(profile_id: str | None) -> dict[str, str] | None:
    return None if profile_id is None else {"type": "user-agency-profiles", "id": profile_id}


def record(table: str, kind: str | None, row: dict[str, Any], root: str) -> dict[str, Any]:
    attributes = {name.replace("_", "-"): value for name, value in row.items() if name != "id"}
    resource: dict[str, Any] = {"type": kind, "id": row["id"], "attributes": attributes}
    if kind is None:  # an application: its kind is its type, its applicant a relationship
        application_kind = attributes.pop("kind")
        resource["type"] = f"{application_kind}-applications"
        attributes["type"] = f"{application_kind.capitalize()}Application"
        resource["relationships"] = {
            f"{name}-agency-profile": {"data": _profile(attributes.pop(f"{name}-profile-id"))}
            for name in ("applicant", "co-applicant")
        }
    elif table == "agency_workers":  # computed as caseworks answers them
        attributes["sign-in-count"] = 0
    elif table == "user_agency_profiles":
        attributes["roles"] = [row["role"]]
    resource["links"] = {"self": f"{root}{table}/{row['id']}"}
    return resource


async def included(on: _Bound, rows: list[dict[str, Any]], root: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for column, table, kind in _RELATED:
        ids = list(dict.fromkeys(row[column] for row in rows if row[column] is not None))
        if ids:
            statement = casework.records_statement(table, CASEWORK, ids, db.dialect)
            rows_of_kind = await on.fetch_all(*statement)
            if table == "agency_workers":
                await workers_as_read(on, rows_of_kind)
            found += [record(table, kind, row, root) for row in rows_of_kind]
    return found


async def workers_as_read(on: _Bound, rows: list[dict[str, Any]]) -> None:
    """A worker's roles as a list, its permissions role as an object, its supervisors."""
    for row in rows:
        row["assignable_roles"] = [role for role in row["assignable_roles"].split(",") if role]
        if row["role_for_permissions"] is not None:
            row["role_for_permissions"] = orjson.loads(row["role_for_permissions"])
    statement = casework.supervisors_statement(AGENCY, [row["id"] for row in rows], db.dialect)
    casework.with_supervisors(rows, await on.fetch_all(*statement))


def page_links(base: str, asked: str, number: int, total: int, extra: str = "") -> dict[str, Any]:
    """A collection's links, as caseworks writes them: absolute, the other parameters kept;
    ``self`` is the URL as asked."""
    pages = max(-(-total // 20), 1)

    def link(to: int) -> str:
        return f"{base}?{extra}page%5Bnumber%5D={to}&page%5Bsize%5D=20"

    return {
        "self": f"{base}?{asked}" if asked else base,
        "first": link(1),
        "prev": link(number - 1) if number > 1 else None,
        "next": link(number + 1) if number < pages else None,
        "last": link(pages),
    }


def page_meta(number: int, total: int) -> dict[str, Any]:
    return {
        "total-records": total,
        "page-size": 20,
        "page-number": number,
        "total-pages": -(-total // 20),
        "sort": {},
    }


async def wa_list(
    send: Send, query: dict[str, list[str]], asked: str, base: str, root: str
) -> None:
    """The index of worker assignments: a page, with every association included."""
    number = int(query.get("page[number]", ["1"])[0])
    (sql, params), (from_where, count_params) = casework.assignment_page_statement(
        CASEWORK,
        {"created_from": None, "created_before": None, "child_id": None, "application_id": None},
        (("created_at", "asc"),),
        PageRequest(number, 20),
    )
    async with _Connection(db) as on:  # as caseworks: one connection for the request
        rows = await on.fetch_all(sql, params)
        total = await db.totals.count(on, from_where, count_params)
        related = await included(on, rows, root)
    document = {
        "data": [resource(row, root) for row in rows],
        "included": related,
        "links": page_links(base, asked, number, total),
        "meta": page_meta(number, total),
    }
    await respond_jsonapi(send, document)


async def children_by_client_id(
    send: Send, query: dict[str, list[str]], asked: str, base: str, root: str
) -> None:
    """The children with one client id: caseworks' list query, its one filter set."""
    client_id = query["client_id"][0]
    filters = {"full_name_contains": "", "client_id": client_id}
    async with _Connection(db) as on:
        rows, total = await casework.list_records(
            on, "children", CASEWORK, (("created_at", "asc"),), PageRequest(1, 20), filters
        )
    document = {
        "data": [record("children", "children", row, root) for row in rows],
        "links": page_links(base, asked, 1, total, f"client_id={client_id}&"),
        "meta": page_meta(1, total),
    }
    await respond_jsonapi(send, document)


async def respond_jsonapi(send: Send, body: Any, status: int = 200) -> None:
    await send({"type": "http.response.start", "status": status, "headers": JSONAPI})
    await send({"type": "http.response.body", "body": orjson.dumps(body, option=OPTIONS)})


async def wa_show(send: Send, assignment_id: str, root: str) -> None:
    async with _Connection(db) as on:
        row = await on.fetch_one(*casework.assignment_statement(CASEWORK, assignment_id))
        related = [] if row is None else await included(on, [row], root)
    if row is None:
        await respond(send, {}, 404)
        return
    document = {"data": resource(row, root), "included": related}
    await respond_jsonapi(send, document)


async def child_collection(
    on: _Bound, child_id: str, base: str, role: str | None, root: str
) -> dict[str, Any]:
    # The filters in the order caseworks gives them: a list's, or a create answer's.
    filters: dict[str, Any] = (
        {"created_from": None, "created_before": None} if role is None else {"role": role}
    )
    filters["child_id"] = child_id
    (sql, params), (from_where, count_params) = casework.assignment_page_statement(
        CASEWORK, filters, (("created_at", "asc"),), PageRequest(1, 20)
    )
    rows = await on.fetch_all(sql, params)
    total = await db.totals.count(on, from_where, count_params)
    pages = -(-total // 20)
    link = f"{base}?page%5Bnumber%5D=1&page%5Bsize%5D=20"
    last = f"{base}?page%5Bnumber%5D={max(pages, 1)}&page%5Bsize%5D=20"
    return {
        "data": [resource(row, root) for row in rows],
        "included": await included(on, rows, root),
        "links": {"self": base, "first": link, "prev": None, "next": None, "last": last},
        "meta": {
            "total-records": total,
            "page-size": 20,
            "page-number": 1,
            "total-pages": pages,
            "sort": {},
        },
    }


async def child_list(send: Send, child_id: str, base: str, root: str) -> None:
    async with _Connection(db) as on:
        child = await on.fetch_one(*casework.record_statement("children", CASEWORK, child_id))
        document = None if child is None else await child_collection(on, child_id, base, None, root)
    if document is None:
        await respond(send, {}, 404)
        return
    await respond_jsonapi(send, document)


async def child_assign(
    send: Send, child_id: str, base: str, body: dict[str, Any], root: str
) -> None:
    worker_id = body["data"]["relationships"]["worker"]["data"]["id"]
    lock = casework.for_update(db)
    async with db.transaction() as tx:
        child = await tx.fetch_one(*casework.record_statement("children", CASEWORK, child_id, lock))
        worker = await tx.fetch_one(
            *casework.record_statement("agency_workers", CASEWORK, worker_id)
        )
        if child is None or worker is None or "case_carrying" not in worker["assignable_roles"]:
            await respond(send, {}, 422)
            return
        held = await tx.fetch_all(*casework.holders_statement(AGENCY, "child_id", child_id))
        created = not any(
            h["worker_id"] == worker_id and h["role"] == "case_carrying" for h in held
        )
        if created:
            if sum(h["role"] == "case_carrying" for h in held) >= 3:
                await respond(send, {}, 422)
                return
            now = utc_now()
            assignment_id = new_id("wa")
            await tx.execute(
                casework.INSERT_ASSIGNMENT,
                {
                    "agency_id": AGENCY,
                    "id": assignment_id,
                    "worker_id": worker_id,
                    "role": "case_carrying",
                    "child_id": child_id,
                    "application_id": None,
                    "created_by": "tok_bench",
                    "now": now,
                },
            )
            details = orjson.dumps(
                {"worker_id": worker_id, "role": "case_carrying", "child_id": child_id}
            )
            await event(tx, "created", assignment_id, details=details.decode())
            mail = Email(
                worker["email"],
                f"New assignment for {child['last_name']}",
                f"Hello {worker['name']}",
            )
            await enqueue(tx, AGENCY, mail, now)
    async with _Connection(db) as on:
        document = await child_collection(on, child_id, base, "case_carrying", root)
    await respond_jsonapi(send, document, 201 if created else 200)


JSONAPI_ROUTES = re.compile(
    r"^/api/v1/(?:worker_assignments/(?P<wa>[^/]+)"
    r"|children/(?P<child>[^/]+)/relationships/worker_assignments"
    r"|(?P<collection>worker_assignments|children))$"
)


ROUTES = re.compile(
    r"^/api/v1/assignments(?:/mentor/(?P<mentor>[^/]+)/(?P<view>active|history|open-count)"
    r"|/(?P<id>[^/]+)(?:(?P<status>/status)|(?P<reassign>/reassign))?)?$"
)


async def read_body(receive: Callable[[], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    body: dict[str, Any] = orjson.loads(b"".join(chunks))
    return body


async def app(scope: dict[str, Any], receive: Any, send: Send) -> None:
    global db
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                db = Driver(DatabaseURL.parse(os.environ["CASEWORKS_DATABASE_URL"]))
                await db.start()
                await send({"type": "lifespan.startup.complete"})
            else:
                await db.close()
                await send({"type": "lifespan.shutdown.complete"})
                return
    jsonapi = JSONAPI_ROUTES.match(scope["path"])
    if jsonapi is not None:
        origin = f"http://{dict(scope['headers']).get(b'host', b'').decode()}"
        base, root = f"{origin}{scope['path']}", f"{origin}/api/v1/"
        if jsonapi["collection"]:
            asked = scope["query_string"].decode()
            query = parse_qs(asked)
            if jsonapi["collection"] == "children":
                await children_by_client_id(send, query, asked, base, root)
            else:
                await wa_list(send, query, asked, base, root)
        elif jsonapi["wa"]:
            await wa_show(send, jsonapi["wa"], root)
        elif scope["method"] == "POST":
            await child_assign(send, jsonapi["child"], base, await read_body(receive), root)
        else:
            await child_list(send, jsonapi["child"], base, root)
        return
    if scope["path"] == "/api/v1/caseloads/summary":
        await caseload_summary(send)
        return
    if scope["path"] == "/api/v1/caseloads/mentors":
        await caseload_mentors(send, parse_qs(scope["query_string"].decode()))
        return
    match = ROUTES.match(scope["path"])
    if match is None:
        await respond(send, {"detail": "not found"}, 404)
        return
    query = parse_qs(scope["query_string"].decode())
    method = scope["method"]
    if match["mentor"]:
        await mentor_view(send, match["mentor"], match["view"], query)
    elif match["id"] and match["status"] and method == "PATCH":
        await change_status(send, match["id"], await read_body(receive))
    elif match["id"] and match["reassign"] and method == "POST":
        await reassign(send, match["id"], await read_body(receive))
    elif match["id"]:
        await get_one(send, match["id"])
    elif method == "POST":
        await create(send, await read_body(receive))
    else:
        await list_page(send, query)
