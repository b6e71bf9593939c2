"""Console users and their sessions, kept server-side: the cookie holds a random id, the
database only its SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from caseworks.auth.passwords import hash_password, needs_rehash, verify_password, weakness
from caseworks.auth.principal import Principal, Role
from caseworks.auth.tokens import check_binding
from caseworks.core.errors import Invalid, NotFound
from caseworks.core.ids import new_id
from caseworks.db import Database, Executor, Row

SESSION_COOKIE = "caseworks_session"
TOUCH_GRANULARITY = timedelta(minutes=1)  # last_seen is written at most once a minute


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


async def create_user(
    tx: Executor,
    *,
    agency_id: str,
    email: str,
    role: Role,
    now: datetime,
    name: str | None = None,
    mentor_id: str | None = None,
    worker_id: str | None = None,
    password: str | None = None,
) -> str:
    user_id = new_id("user")
    await tx.execute(
        "INSERT INTO users (agency_id, id, email, name, role, mentor_id, worker_id, active,"
        " password_hash, created_at) VALUES (:agency_id, :id, :email, :name, :role,"
        " :mentor_id, :worker_id, true, :password_hash, :now)",
        {
            "agency_id": agency_id,
            "id": user_id,
            "email": email.strip().lower(),
            "name": name,
            "role": role.value,
            "mentor_id": mentor_id,
            "worker_id": worker_id,
            "password_hash": None if password is None else hash_password(password),
            "now": now,
        },
    )
    return user_id


async def register_user(
    tx: Executor,
    *,
    agency_id: str,
    email: str,
    role: Role,
    now: datetime,
    name: str | None = None,
    mentor_id: str | None = None,
    worker_id: str | None = None,
    password: str | None = None,
) -> str:
    """A new account, checked first: the mentor or worker is the agency's and fits the role,
    the e-mail is new in the agency, the password is strong enough."""
    await check_binding(tx, agency_id, role, mentor_id, worker_id, kind="user")
    if password is not None and (why := weakness(password)) is not None:
        raise Invalid(f"the password {why}")
    taken = await tx.fetch_value(
        "SELECT id FROM users WHERE agency_id = :agency_id AND email = :email",
        {"agency_id": agency_id, "email": email.strip().lower()},
    )
    if taken is not None:
        raise Invalid(f"{email.strip().lower()} already has an account in agency {agency_id}")
    return await create_user(
        tx,
        agency_id=agency_id,
        email=email,
        role=role,
        now=now,
        name=name,
        mentor_id=mentor_id,
        worker_id=worker_id,
        password=password,
    )


async def set_password(tx: Executor, agency_id: str, user_id: str, password: str) -> None:
    """A new password (checked as at creation); every session of the user ends."""
    if (why := weakness(password)) is not None:
        raise Invalid(f"the password {why}")
    key = {"agency_id": agency_id, "id": user_id}
    await tx.execute(
        "UPDATE users SET password_hash = :hash WHERE agency_id = :agency_id AND id = :id",
        {**key, "hash": hash_password(password)},
    )
    await tx.execute(
        "DELETE FROM user_sessions WHERE agency_id = :agency_id AND user_id = :id", key
    )


async def deactivate_user(tx: Executor, agency_id: str, email: str) -> str:
    """The account may no longer sign in, and every session it has ends now."""
    user_id = await tx.fetch_value(
        "SELECT id FROM users WHERE agency_id = :agency_id AND email = :email",
        {"agency_id": agency_id, "email": email.strip().lower()},
    )
    if user_id is None:
        raise NotFound(f"no user {email.strip().lower()} in agency {agency_id}")
    key = {"agency_id": agency_id, "id": user_id}
    await tx.execute(
        "UPDATE users SET active = false WHERE agency_id = :agency_id AND id = :id", key
    )
    await tx.execute(
        "DELETE FROM user_sessions WHERE agency_id = :agency_id AND user_id = :id", key
    )
    return str(user_id)


async def list_users(db: Executor, agency_id: str) -> list[Row]:
    """The agency's accounts, by e-mail; never a password hash."""
    agency = await db.fetch_value("SELECT id FROM agencies WHERE id = :id", {"id": agency_id})
    if agency is None:
        raise NotFound(f"no agency {agency_id}")
    return await db.fetch_all(
        "SELECT id, email, name, role, mentor_id, worker_id, active, password_hash IS NOT NULL"
        " AS has_password, last_sign_in_at FROM users WHERE agency_id = :agency_id"
        " ORDER BY email",
        {"agency_id": agency_id},
    )


async def check_password(db: Database, email: str, password: str) -> list[dict[str, str]]:
    """The active accounts with this e-mail whose password matches (one per agency)."""
    rows = await db.fetch_all(
        "SELECT agency_id, id, password_hash FROM users"
        " WHERE email = :email AND active AND password_hash IS NOT NULL",
        {"email": email.strip().lower()},
    )
    matches = []
    for row in rows:
        if verify_password(row["password_hash"], password):
            matches.append({"agency_id": row["agency_id"], "id": row["id"]})
            if needs_rehash(row["password_hash"]):
                async with db.transaction() as tx:
                    await tx.execute(
                        "UPDATE users SET password_hash = :hash"
                        " WHERE agency_id = :agency_id AND id = :id",
                        {**matches[-1], "hash": hash_password(password)},
                    )
    return matches


async def start_session(db: Database, agency_id: str, user_id: str, now: datetime) -> str:
    """A new session (always a new id: one from before sign-in is never promoted)."""
    session_id = secrets.token_urlsafe(32)
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO user_sessions (id_hash, agency_id, user_id, csrf_token, created_at,"
            " last_seen_at) VALUES (:id_hash, :agency_id, :user_id, :csrf, :now, :now)",
            {
                "id_hash": _hash(session_id),
                "agency_id": agency_id,
                "user_id": user_id,
                "csrf": secrets.token_urlsafe(32),
                "now": now,
            },
        )
        await tx.execute(
            "UPDATE users SET last_sign_in_at = :now WHERE agency_id = :agency_id AND id = :id",
            {"now": now, "agency_id": agency_id, "id": user_id},
        )
    return session_id


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A live session: who it is, and the CSRF token its forms carry."""

    principal: Principal
    csrf_token: str
    locale: str | None = None  # the user's own language choice, if any
    agency_name: str = ""
    time_zone: str = "UTC"  # the agency's


async def session_principal(
    db: Database, session_id: str, now: datetime, idle: timedelta, longest: timedelta
) -> Principal | None:
    """The signed-in user of a session, or None when it is unknown, idle or too old."""
    session = await live_session(db, session_id, now, idle, longest)
    return None if session is None else session.principal


async def live_session(
    db: Database, session_id: str, now: datetime, idle: timedelta, longest: timedelta
) -> SignedIn | None:
    """The session's user and CSRF token, or None when it is unknown, idle or too old."""
    row = await db.fetch_one(
        "SELECT s.id_hash, s.created_at, s.last_seen_at, s.csrf_token, u.agency_id, u.id,"
        " u.role, u.mentor_id, u.worker_id, u.locale, a.name AS agency_name, a.time_zone"
        " FROM user_sessions s JOIN users u ON u.agency_id = s.agency_id AND u.id = s.user_id"
        " JOIN agencies a ON a.id = u.agency_id"
        " WHERE s.id_hash = :id_hash AND u.active",
        {"id_hash": _hash(session_id)},
    )
    if row is None:
        return None
    if now - row["last_seen_at"] >= idle or now - row["created_at"] >= longest:
        await end_session(db, session_id)
        return None
    if now - row["last_seen_at"] >= TOUCH_GRANULARITY:
        async with db.transaction() as tx:
            await tx.execute(
                "UPDATE user_sessions SET last_seen_at = :now WHERE id_hash = :id_hash",
                {"now": now, "id_hash": row["id_hash"]},
            )
    principal = Principal(
        agency_id=row["agency_id"],
        role=Role(row["role"]),
        token_id=row["id"],  # audit events name the user as the actor
        mentor_id=row["mentor_id"],
        worker_id=row["worker_id"],
    )
    return SignedIn(
        principal, row["csrf_token"], row["locale"], row["agency_name"], row["time_zone"]
    )


async def set_locale(db: Database, principal: Principal, locale: str) -> None:
    """The signed-in user's own language, kept for every later session."""
    async with db.transaction() as tx:
        await tx.execute(
            "UPDATE users SET locale = :locale WHERE agency_id = :agency_id AND id = :id",
            {"locale": locale, "agency_id": principal.agency_id, "id": principal.token_id},
        )


async def end_session(db: Database, session_id: str) -> None:
    async with db.transaction() as tx:
        await tx.execute(
            "DELETE FROM user_sessions WHERE id_hash = :id_hash", {"id_hash": _hash(session_id)}
        )


SET_PASSWORD_LIFETIME = timedelta(hours=24)  # the link `user create` prints
RESET_LIFETIME = timedelta(hours=1)  # the link a password-reset e-mail holds
TOKEN_PURPOSES = ("set_password", "reset")


async def issue_password_link(
    tx: Executor, agency_id: str, user_id: str, purpose: str, now: datetime, lifetime: timedelta
) -> str:
    """A new single-use token for ``/set-password/{token}``; only its hash is stored."""
    if purpose not in TOKEN_PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    token = secrets.token_urlsafe(32)
    await tx.execute(
        "INSERT INTO user_tokens (token_hash, agency_id, user_id, purpose, expires_at,"
        " created_at) VALUES (:token_hash, :agency_id, :user_id, :purpose, :expires_at, :now)",
        {
            "token_hash": _hash(token),
            "agency_id": agency_id,
            "user_id": user_id,
            "purpose": purpose,
            "expires_at": now + lifetime,
            "now": now,
        },
    )
    return token


async def password_link_user(db: Executor, token: str, now: datetime) -> Row | None:
    """The active user a link is for (agency_id, id), or None when the token is unknown,
    used or expired."""
    return await db.fetch_one(
        "SELECT u.agency_id, u.id FROM user_tokens t"
        " JOIN users u ON u.agency_id = t.agency_id AND u.id = t.user_id"
        " WHERE t.token_hash = :token_hash AND t.used_at IS NULL AND t.expires_at > :now"
        " AND u.active",
        {"token_hash": _hash(token), "now": now},
    )


async def use_password_link(db: Database, token: str, password: str, now: datetime) -> bool:
    """Set the password through a link: the token is used up and every session of the user
    ends, in one transaction. False (and nothing changed) when the link is no longer good."""
    async with db.transaction() as tx:
        account = await password_link_user(tx, token, now)
        if account is None:
            return False
        # The guard on used_at makes a second, concurrent use of the same link change nothing.
        used = await tx.execute(
            "UPDATE user_tokens SET used_at = :now"
            " WHERE token_hash = :token_hash AND used_at IS NULL",
            {"now": now, "token_hash": _hash(token)},
        )
        if not used:
            return False
        await set_password(tx, account["agency_id"], account["id"], password)
    return True


async def active_accounts(db: Executor, email: str) -> list[Row]:
    """Every active account with this e-mail, one per agency (agency_id, id, email)."""
    return await db.fetch_all(
        "SELECT agency_id, id, email FROM users WHERE email = :email AND active ORDER BY agency_id",
        {"email": email.strip().lower()},
    )


async def agency_choices(db: Executor, matches: list[dict[str, str]]) -> list[tuple[str, str]]:
    """(agency id, agency name) of each matching account, by name: what a person whose e-mail
    and password fit accounts in several agencies chooses among."""
    ids = sorted({match["agency_id"] for match in matches})
    rows = [
        await db.fetch_one("SELECT id, name FROM agencies WHERE id = :id", {"id": agency_id})
        for agency_id in ids
    ]
    return sorted(
        ((row["id"], row["name"]) for row in rows if row is not None), key=lambda pair: pair[1]
    )
