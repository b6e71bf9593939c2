"""The limit, measured beside us: a raw ASGI app with no framework.

For each measured endpoint it runs the same SQL as caseworks and returns the same JSON, through
the same drivers (asyncpg or sqlite3) and orjson, on the same server software. It skips what a
framework does for us: routing tables, validation, dependency injection, error mapping,
authentication. Every figure in the report is a ratio to this app, measured in the same run.

    CASEWORKS_DATABASE_URL=... BENCH_AGENCY=agency_bench uvicorn bench.raw_app:app
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

import asyncpg
import orjson

from caseworks.core.counting import Totals
from caseworks.core.ids import new_id
from caseworks.core.timestamps import utc_now
from caseworks.db.base import to_positional
from caseworks.db.url import DatabaseURL

OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_OMIT_MICROSECONDS | orjson.OPT_NAIVE_UTC
AGENCY = os.environ.get("BENCH_AGENCY", "agency_bench")

SUMMARY = """
    a.id AS assignment_id, a.mentor_id, a.contact_id, c.name AS contact_name, a.status,
    a.assigned_date, a.last_contact_date, a.closed_date, a.created_at, a.updated_at
"""
FROM = """
FROM assignments a
JOIN contacts c ON c.agency_id = a.agency_id AND c.id = a.contact_id
"""
ONE = f"SELECT {SUMMARY}, a.notes {FROM} WHERE a.agency_id = :agency_id AND a.id = :id"
LIST = f"SELECT {SUMMARY} {FROM} WHERE {{where}} ORDER BY {{order}} LIMIT :limit OFFSET :offset"
MENTOR_TOTAL = (
    "SELECT (SELECT count(*) FROM assignments a WHERE {where}) AS total"
    " FROM mentors WHERE agency_id = :agency_id AND id = :mentor_id"
)
MENTOR = "a.agency_id = :agency_id AND a.mentor_id = :mentor_id"
INSERT_ASSIGNMENT = """
INSERT INTO assignments (agency_id, id, mentor_id, contact_id, status, notes,
                         assigned_date, last_contact_date, closed_date, created_at, updated_at)
VALUES (:agency_id, :id, :mentor_id, :contact_id, 'open', :notes,
        :assigned_date, NULL, NULL, :created_at, :created_at)
"""
INSERT_EVENT = """
INSERT INTO audit_events (agency_id, id, occurred_at, actor_token_id, actor_role, action,
                          subject_type, subject_id, from_status, to_status, reason, details)
VALUES (:agency_id, :id, :occurred_at, :actor_token_id, :actor_role, :action,
        :subject_type, :subject_id, :from_status, :to_status, :reason, :details)
"""

Send = Callable[[dict[str, Any]], Awaitable[None]]


class Driver:
    """Straight onto asyncpg or sqlite3; SQL keeps its :name parameters, mapped once per text."""

    def __init__(self, url: DatabaseURL) -> None:
        self.url = url
        self.dialect = url.dialect
        self.pool: Any = None
        self.connection: Any = None

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


class _Bound:
    def __init__(self, driver: Driver, connection: Any) -> None:
        self.driver = driver
        self.connection = connection

    async def fetch_one(self, sql: str, params: dict[str, Any]) -> Any:
        return await self.driver.fetch_one(sql, params, self.connection)

    async def fetch_value(self, sql: str, params: dict[str, Any]) -> Any:
        return await self.driver.fetch_value(sql, params, self.connection)

    async def fetch_all(self, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        return await self.driver.fetch_all(sql, params, self.connection)

    async def execute(self, sql: str, params: dict[str, Any]) -> None:
        await self.driver.execute(sql, params, self.connection)


db: Driver
totals = Totals()


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
    row = await db.fetch_one(ONE, {"agency_id": AGENCY, "id": assignment_id})
    await respond(send, row) if row else await respond(send, {"detail": "not found"}, 404)


async def list_page(send: Send, query: dict[str, list[str]]) -> None:
    page, limit = page_of(query)
    params: dict[str, Any] = {"agency_id": AGENCY, "limit": limit, "offset": (page - 1) * limit}
    where = "a.agency_id = :agency_id"
    if "mentor_id" in query:
        where += " AND a.mentor_id = :mentor_id"
        params["mentor_id"] = query["mentor_id"][0]
    rows = await db.fetch_all(LIST.format(where=where, order="a.created_at, a.id"), params)
    count_params = {key: value for key, value in params.items() if key not in ("limit", "offset")}
    # The same totals strategy as caseworks (exact while small, remembered once large).
    total = await totals.count(db, f"FROM assignments a WHERE {where}", count_params)
    await respond(
        send, {"data": rows, "pagination": {"page": page, "limit": limit, "total": total}}
    )


async def mentor_view(send: Send, mentor_id: str, view: str, query: dict[str, list[str]]) -> None:
    open_only = view != "history"
    where = MENTOR + (" AND a.status = 'open'" if open_only else "")
    params: dict[str, Any] = {"agency_id": AGENCY, "mentor_id": mentor_id}
    found = await db.fetch_one(MENTOR_TOTAL.format(where=where), params)
    if found is None:
        await respond(send, {"detail": "not found"}, 404)
        return
    if view == "open-count":
        await respond(send, {"mentor_id": mentor_id, "open_assignment_count": found["total"]})
        return
    page, limit = page_of(query)
    rows = []
    if (page - 1) * limit < found["total"]:
        order = "a.assigned_date, a.id" if open_only else "a.assigned_date DESC, a.id DESC"
        params |= {"limit": limit, "offset": (page - 1) * limit}
        rows = await db.fetch_all(LIST.format(where=where, order=order), params)
    pagination = {"page": page, "limit": limit, "total": found["total"]}
    await respond(send, {"data": rows, "pagination": pagination})


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
        mentor = await tx.fetch_value(
            "SELECT 1 FROM mentors WHERE agency_id = :agency_id AND id = :id",
            {"agency_id": AGENCY, "id": body["mentor_id"]},
        )
        contact = await tx.fetch_value(
            "SELECT 1 FROM contacts WHERE agency_id = :agency_id AND id = :id",
            {"agency_id": AGENCY, "id": body["contact_id"]},
        )
        if mentor is None or contact is None:
            await respond(send, {"detail": "invalid"}, 422)
            return
        await tx.execute(
            INSERT_ASSIGNMENT,
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
        row = await tx.fetch_one(ONE, {"agency_id": AGENCY, "id": assignment_id})
    location = f"/api/v1/assignments/{assignment_id}".encode()
    await respond(send, row, 201, [(b"location", location)])


async def change_status(send: Send, assignment_id: str, body: dict[str, Any]) -> None:
    lock = " FOR UPDATE" if db.dialect == "postgresql" else ""
    async with db.transaction() as tx:
        current = await tx.fetch_one(
            "SELECT id, mentor_id, contact_id, status FROM assignments"
            f" WHERE agency_id = :agency_id AND id = :id{lock}",
            {"agency_id": AGENCY, "id": assignment_id},
        )
        if current is None:
            await respond(send, {"detail": "not found"}, 404)
            return
        if current["status"] != body["status"]:
            now = utc_now()
            await tx.execute(
                "UPDATE assignments SET status = :status, closed_date = :closed_date,"
                " updated_at = :now WHERE agency_id = :agency_id AND id = :id",
                {
                    "status": body["status"],
                    "closed_date": now if body["status"] == "closed" else None,
                    "now": now,
                    "agency_id": AGENCY,
                    "id": assignment_id,
                },
            )
            await event(
                tx,
                "status_changed",
                assignment_id,
                from_status=current["status"],
                to_status=body["status"],
                reason=body.get("reason"),
            )
        row = await tx.fetch_one(ONE, {"agency_id": AGENCY, "id": assignment_id})
    await respond(send, row)


# --- worker assignments (JSON:API) ---------------------------------------------------------------

WA = """
SELECT wa.id, wa.worker_id, wa.role, wa.child_id, wa.application_id, ap.kind AS application_kind,
       wa.created_by, wa.created_at, wa.updated_at
FROM worker_assignments wa
LEFT JOIN applications ap ON ap.agency_id = wa.agency_id AND ap.id = wa.application_id
"""
CHILD = (
    "SELECT r.id, r.first_name, r.middle_name, r.last_name, r.date_of_birth, r.client_id,"
    " r.external_identifier, r.created_at, r.updated_at FROM children r"
    " WHERE r.agency_id = :agency_id AND r.id = :id"
)
WORKER = (
    "SELECT r.id, r.name, r.email, r.active, r.assignable_roles, r.external_identifier,"
    " r.created_at, r.updated_at FROM agency_workers r"
    " WHERE r.agency_id = :agency_id AND r.id = :id"
)
JSONAPI = [(b"content-type", b"application/vnd.api+json")]


def resource(row: dict[str, Any]) -> dict[str, Any]:
    relationships: dict[str, Any] = {
        "worker": {"data": {"type": "agency-workers", "id": row["worker_id"]}}
    }
    if row["child_id"] is not None:
        relationships["child"] = {"data": {"type": "children", "id": row["child_id"]}}
    else:
        kind = f"{row['application_kind']}-applications"
        relationships["application"] = {"data": {"type": kind, "id": row["application_id"]}}
    return {
        "type": "worker-assignments",
        "id": row["id"],
        "attributes": {
            "role": row["role"],
            "created-at": row["created_at"],
            "updated-at": row["updated_at"],
        },
        "relationships": relationships,
    }


async def respond_jsonapi(send: Send, body: Any, status: int = 200) -> None:
    await send({"type": "http.response.start", "status": status, "headers": JSONAPI})
    await send({"type": "http.response.body", "body": orjson.dumps(body, option=OPTIONS)})


async def wa_show(send: Send, assignment_id: str) -> None:
    row = await db.fetch_one(
        WA + " WHERE wa.agency_id = :agency_id AND wa.id = :id",
        {"agency_id": AGENCY, "id": assignment_id},
    )
    await respond_jsonapi(send, {"data": resource(row)}) if row else await respond(send, {}, 404)


async def child_collection(child_id: str, base: str, role: str | None) -> dict[str, Any]:
    where = "wa.agency_id = :agency_id AND wa.child_id = :child_id"
    params: dict[str, Any] = {"agency_id": AGENCY, "child_id": child_id}
    if role is not None:
        where += " AND wa.role = :role"
        params["role"] = role
    rows = await db.fetch_all(
        WA + f" WHERE {where} ORDER BY wa.created_at, wa.id LIMIT :limit OFFSET :offset",
        {**params, "limit": 20, "offset": 0},
    )
    total = await totals.count(db, f"FROM worker_assignments wa WHERE {where}", params)
    pages = -(-total // 20)
    link = f"{base}?page%5Bnumber%5D=1&page%5Bsize%5D=20"
    last = f"{base}?page%5Bnumber%5D={max(pages, 1)}&page%5Bsize%5D=20"
    return {
        "data": [resource(row) for row in rows],
        "links": {"self": base, "first": link, "prev": None, "next": None, "last": last},
        "meta": {
            "total-records": total,
            "page-size": 20,
            "page-number": 1,
            "total-pages": pages,
            "sort": "created_at",
        },
    }


async def child_list(send: Send, child_id: str, base: str) -> None:
    if await db.fetch_one(CHILD, {"agency_id": AGENCY, "id": child_id}) is None:
        await respond(send, {}, 404)
        return
    await respond_jsonapi(send, await child_collection(child_id, base, None))


async def child_assign(send: Send, child_id: str, base: str, body: dict[str, Any]) -> None:
    worker_id = body["data"]["relationships"]["worker"]["data"]["id"]
    lock = " FOR UPDATE" if db.dialect == "postgresql" else ""
    async with db.transaction() as tx:
        child = await tx.fetch_one(CHILD + lock, {"agency_id": AGENCY, "id": child_id})
        worker = await tx.fetch_one(WORKER, {"agency_id": AGENCY, "id": worker_id})
        if child is None or worker is None or "case_carrying" not in worker["assignable_roles"]:
            await respond(send, {}, 422)
            return
        held = await tx.fetch_all(
            "SELECT id, worker_id, role FROM worker_assignments"
            " WHERE agency_id = :agency_id AND child_id = :subject_id",
            {"agency_id": AGENCY, "subject_id": child_id},
        )
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
                "INSERT INTO worker_assignments (agency_id, id, worker_id, role, child_id,"
                " application_id, created_by, created_at, updated_at) VALUES (:agency_id, :id,"
                " :worker_id, 'case_carrying', :child_id, NULL, :created_by, :now, :now)",
                {
                    "agency_id": AGENCY,
                    "id": assignment_id,
                    "worker_id": worker_id,
                    "child_id": child_id,
                    "created_by": "tok_bench",
                    "now": now,
                },
            )
            details = orjson.dumps(
                {"worker_id": worker_id, "role": "case_carrying", "child_id": child_id}
            )
            await event(tx, "created", assignment_id, details=details.decode())
            outbox_id = new_id("mail")
            await tx.execute(
                "INSERT INTO outbox (agency_id, id, message_id, recipient, subject, body,"
                " created_at, next_attempt_at, attempts) VALUES (:agency_id, :id, :message_id,"
                " :recipient, :subject, :body, :now, :now, 0)",
                {
                    "agency_id": AGENCY,
                    "id": outbox_id,
                    "message_id": f"<{outbox_id}@caseworks>",
                    "recipient": worker["email"],
                    "subject": f"New assignment for {child['last_name']}",
                    "body": f"Hello {worker['name']}",
                    "now": now,
                },
            )
    await respond_jsonapi(
        send, await child_collection(child_id, base, "case_carrying"), 201 if created else 200
    )


JSONAPI_ROUTES = re.compile(
    r"^/api/v1/(?:worker_assignments/(?P<wa>[^/]+)"
    r"|children/(?P<child>[^/]+)/relationships/worker_assignments)$"
)


ROUTES = re.compile(
    r"^/api/v1/assignments(?:/mentor/(?P<mentor>[^/]+)/(?P<view>active|history|open-count)"
    r"|/(?P<id>[^/]+)(?P<status>/status)?)?$"
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
        base = f"http://{dict(scope['headers']).get(b'host', b'').decode()}{scope['path']}"
        if jsonapi["wa"]:
            await wa_show(send, jsonapi["wa"])
        elif scope["method"] == "POST":
            await child_assign(send, jsonapi["child"], base, await read_body(receive))
        else:
            await child_list(send, jsonapi["child"], base)
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
    elif match["id"]:
        await get_one(send, match["id"])
    elif method == "POST":
        await create(send, await read_body(receive))
    else:
        await list_page(send, query)
