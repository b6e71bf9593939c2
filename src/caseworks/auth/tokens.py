"""Bearer tokens: random, 256 bits, stored only as a SHA-256 hash, revocable.

A token has far more entropy than any password, so a fast hash is enough: there is nothing to
brute-force. The lookup is by hash; the final comparison is constant-time all the same.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime, timedelta

from caseworks.auth.cache import REVOCATION_CHANNEL, evict_everywhere
from caseworks.auth.principal import Principal, Role
from caseworks.core.errors import Invalid, NotFound
from caseworks.core.ids import new_id
from caseworks.core.timestamps import utc_now
from caseworks.db import Database, Executor, Row

TOKEN_PREFIX = "cw_"  # noqa: S105 - a prefix that makes leaked tokens recognisable, not a secret

# How long a token lives unless told otherwise: long enough that an integration is renewed once
# a quarter, not by hand every week; short enough that a token copied into a forgotten script or
# a departed colleague's notes stops working on its own.
DEFAULT_LIFETIME = timedelta(days=90)
MAX_LIFETIME = timedelta(days=3650)
# Last use is written when the token is read from the database (not on a cache hit) and only
# when the stored time is older than this: at most one write per token per hour and process.
LAST_USE_GRANULARITY = timedelta(hours=1)

_DURATION = re.compile(r"([1-9][0-9]{0,6})([dhm])")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def generate_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def parse_lifetime(text: str) -> timedelta | None:
    """``90d``, ``12h``, ``30m`` or ``never`` (None); anything else is refused, never guessed."""
    if text == "never":
        return None
    match = _DURATION.fullmatch(text)
    if match is None:
        raise ValueError(
            f"{text!r} is not a duration: a whole number followed by d (days), h (hours) or"
            " m (minutes), such as 90d, 12h or 30m; or never"
        )
    lifetime = timedelta(**{_UNITS[match[2]]: int(match[1])})
    if lifetime > MAX_LIFETIME:
        raise ValueError(f"{text!r} is longer than {MAX_LIFETIME.days}d; use never instead")
    return lifetime


# A token ends with the person it stands for. Deleting a mentor and deactivating a worker revoke
# their tokens; the lookup also refuses a token whose mentor is gone or whose worker is inactive,
# however that came about (an import, a restore, SQL by hand). Two primary-key probes, and only
# when the token is not in the cache.
_LOOKUP = """
SELECT t.id, t.agency_id, t.token_hash, t.role, t.mentor_id, t.worker_id, t.expires_at,
       t.last_used_at
FROM api_tokens t
WHERE t.token_hash = :token_hash AND t.revoked_at IS NULL
  AND (t.mentor_id IS NULL OR EXISTS (
        SELECT 1 FROM mentors m WHERE m.agency_id = t.agency_id AND m.id = t.mentor_id))
  AND (t.worker_id IS NULL OR EXISTS (
        SELECT 1 FROM agency_workers w
        WHERE w.agency_id = t.agency_id AND w.id = t.worker_id AND w.active))
"""


async def principal_for(db: Database, token_hash: str, clock: float) -> Principal | None:
    """The caller a token names (expired or not: the caller checks), recording its use.

    ``clock`` is the time now in POSIX seconds.
    """
    row = await db.fetch_one(_LOOKUP, {"token_hash": token_hash})
    if row is None or not hmac.compare_digest(row["token_hash"], token_hash):
        return None
    principal = Principal(
        agency_id=row["agency_id"],
        role=Role(row["role"]),
        token_id=row["id"],
        mentor_id=row["mentor_id"],
        worker_id=row["worker_id"],
        expires_at=None if row["expires_at"] is None else row["expires_at"].timestamp(),
    )
    if not principal.expired(clock):
        await _record_use(db, row, datetime.fromtimestamp(int(clock), UTC))
    return principal


async def _record_use(db: Database, row: Row, now: datetime) -> None:
    """Write the last use, coarsely: a token found in the cache costs no write at all."""
    stale = now - LAST_USE_GRANULARITY
    if row["last_used_at"] is not None and row["last_used_at"] > stale:
        return
    async with db.transaction() as tx:
        await tx.execute(
            "UPDATE api_tokens SET last_used_at = :now"
            " WHERE id = :id AND (last_used_at IS NULL OR last_used_at <= :stale)",
            {"id": row["id"], "now": now, "stale": stale},
        )


async def create_token(
    db: Executor,
    *,
    agency_id: str,
    role: Role,
    mentor_id: str | None = None,
    worker_id: str | None = None,
    name: str | None = None,
    lifetime: timedelta | None = DEFAULT_LIFETIME,
    now: datetime | None = None,
) -> tuple[str, str]:
    """Store a new token's hash; return (token id, the token itself, shown only now).

    ``lifetime`` None makes a token that never expires; ``now`` is when it is made.
    """
    await check_binding(db, agency_id, role, mentor_id, worker_id)
    token = generate_token()
    token_id = new_id("tok")
    now = now or utc_now()
    await db.execute(
        """
        INSERT INTO api_tokens (id, agency_id, token_hash, role, mentor_id, worker_id, name,
                                created_at, expires_at)
        VALUES (:id, :agency_id, :token_hash, :role, :mentor_id, :worker_id, :name, :created_at,
                :expires_at)
        """,
        {
            "id": token_id,
            "agency_id": agency_id,
            "token_hash": hash_token(token),
            "role": role.value,
            "mentor_id": mentor_id,
            "worker_id": worker_id,
            "name": name,
            "created_at": now,
            "expires_at": None if lifetime is None else now + lifetime,
        },
    )
    return token_id, token


async def list_tokens(db: Executor, agency_id: str | None = None) -> list[Row]:
    """Every token that has not been revoked (of one agency, or of all), oldest first; never
    the secret or its hash. A revoked token can never work again, so it is left out."""
    if agency_id is None:
        return await db.fetch_all(f"{_LISTING} ORDER BY created_at, id")
    agency = await db.fetch_value("SELECT id FROM agencies WHERE id = :id", {"id": agency_id})
    if agency is None:
        raise NotFound(f"no agency {agency_id}")
    return await db.fetch_all(
        f"{_LISTING} AND agency_id = :agency_id ORDER BY created_at, id", {"agency_id": agency_id}
    )


_LISTING = (
    "SELECT id, agency_id, role, name, mentor_id, worker_id, created_at, expires_at, last_used_at"
    " FROM api_tokens WHERE revoked_at IS NULL"
)


async def check_binding(
    db: Executor,
    agency_id: str,
    role: Role,
    mentor_id: str | None,
    worker_id: str | None,
    kind: str = "token",
) -> None:
    """The agency exists, and the mentor or worker a ``kind`` (token, user) stands for fits its
    role and is the agency's own."""
    agency = await db.fetch_value("SELECT id FROM agencies WHERE id = :id", {"id": agency_id})
    if agency is None:
        raise NotFound(f"no agency {agency_id}")
    if role is Role.MENTOR and mentor_id is None:
        raise Invalid(f"a mentor {kind} needs --mentor MENTOR_ID")
    if role is not Role.MENTOR and mentor_id is not None:
        raise Invalid(f"--mentor applies only to mentor {kind}s")
    if role is not Role.CASEWORKER and worker_id is not None:
        raise Invalid(f"--worker applies only to caseworker {kind}s")
    if mentor_id is not None:
        found = await db.fetch_value(
            "SELECT id FROM mentors WHERE agency_id = :agency_id AND id = :id",
            {"agency_id": agency_id, "id": mentor_id},
        )
        if found is None:
            raise NotFound(f"no mentor {mentor_id} in agency {agency_id}")
    if worker_id is not None:
        active = await db.fetch_value(
            "SELECT active FROM agency_workers WHERE agency_id = :agency_id AND id = :id",
            {"agency_id": agency_id, "id": worker_id},
        )
        if active is None:
            raise NotFound(f"no agency worker {worker_id} in agency {agency_id}")
        if not active:  # someone who has left the work; such a token could never authenticate
            raise Invalid(f"agency worker {worker_id} is not active; reactivate it first")


async def revoke_token(db: Executor, token_or_id: str) -> str:
    """Revoke by token id (``tok_…``) or by the token itself; return the token id."""
    row = await db.fetch_one(
        "SELECT id, token_hash FROM api_tokens WHERE id = :value OR token_hash = :token_hash",
        {"value": token_or_id, "token_hash": hash_token(token_or_id)},
    )
    if row is None:
        raise NotFound("no such token")
    await _revoke(db, row["id"], row["token_hash"])
    return str(row["id"])


async def revoke_mentor_tokens(db: Executor, agency_id: str, mentor_id: str) -> int:
    """Revoke every live token of a mentor who is being deleted; return how many.

    A client may bring its own ids, so a later import can reuse the mentor's id: an old token
    must not reach the new record's assignments.
    """
    return await _revoke_tied(db, agency_id, mentor_id=mentor_id)


async def revoke_worker_tokens(db: Executor, agency_id: str, worker_id: str) -> int:
    """Revoke every live token of an agency worker who is being deactivated; return how many.

    An inactive worker has left the work; reactivating does not bring old tokens back.
    """
    return await _revoke_tied(db, agency_id, worker_id=worker_id)


async def _revoke_tied(
    db: Executor, agency_id: str, *, mentor_id: str | None = None, worker_id: str | None = None
) -> int:
    """Revoke the live tokens tied to the mentor or the worker given (NULL matches nothing)."""
    rows = await db.fetch_all(
        "SELECT id, token_hash FROM api_tokens WHERE agency_id = :agency_id"
        " AND (mentor_id = :mentor_id OR worker_id = :worker_id) AND revoked_at IS NULL",
        {"agency_id": agency_id, "mentor_id": mentor_id, "worker_id": worker_id},
    )
    for row in rows:
        await _revoke(db, row["id"], row["token_hash"])
    return len(rows)


async def _revoke(db: Executor, token_id: str, token_hash: str) -> None:
    await db.execute(
        "UPDATE api_tokens SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL",
        {"id": token_id, "now": utc_now()},
    )
    evict_everywhere(token_hash)
    if db.dialect == "postgresql":
        # Delivered at commit to every server process, which evicts the token from its cache.
        await db.execute(
            "SELECT pg_notify(:channel, :token_hash)",
            {"channel": REVOCATION_CHANNEL, "token_hash": token_hash},
        )
