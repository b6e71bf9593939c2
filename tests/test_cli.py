"""The real ``caseworks`` command: agencies, tokens, demo, migrate and a served API over HTTP."""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from caseworks.auth.agencies import write_settings
from caseworks.auth.principal import Role
from caseworks.auth.tokens import create_token
from caseworks.core.ids import new_id
from caseworks.core.timestamps import utc_now
from caseworks.db import DatabaseURL, open_database
from caseworks.mentoring.digest import iso_week
from tests.support.databases import new_postgres_database, own_database
from tests.support.processes import cli_env
from tests.support.servers import CASEWORKS, free_port, serving


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CASEWORKS, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.fixture
def server(database_url: DatabaseURL) -> Iterator[tuple[str, dict[str, str]]]:
    env = cli_env(database_url)
    with serving(env) as base:
        yield base, env


def test_agency_and_token_print_their_value_alone_and_serve_answers(
    server: tuple[str, dict[str, str]],
) -> None:
    base, env = server
    agency = run(env, "agency", "create", "Fjordby kommune")
    assert agency.returncode == 0, agency.stderr
    agency_id = agency.stdout.strip()
    assert agency.stdout == f"{agency_id}\n"
    assert agency_id.startswith("agency_")

    token = run(env, "token", "create", "--agency", agency_id, "--role", "admin", "--name", "ci")
    assert token.returncode == 0, token.stderr
    secret = token.stdout.strip()
    assert token.stdout == f"{secret}\n"

    headers = {"Authorization": f"Bearer {secret}"}
    mentor = httpx.post(f"{base}/api/v1/mentors", json={"name": "Kari"}, headers=headers)
    assert mentor.status_code == 201
    listing = httpx.get(f"{base}/api/v1/mentors", headers=headers)
    assert listing.json()["pagination"]["total"] == 1
    assert httpx.get(f"{base}/api/v1/mentors").status_code == 401

    revoked = run(env, "token", "revoke", secret)
    assert revoked.returncode == 0, revoked.stderr
    assert httpx.get(f"{base}/api/v1/mentors", headers=headers).status_code == 401

    docs = httpx.get(f"{base}/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


def test_token_create_refuses_a_mentor_token_without_a_mentor(database_url: DatabaseURL) -> None:
    env = cli_env(database_url)
    agency_id = run(env, "agency", "create", "X").stdout.strip()
    result = run(env, "token", "create", "--agency", agency_id, "--role", "mentor")
    assert result.returncode != 0
    assert result.stdout == ""
    assert "--mentor" in result.stderr
    unknown = run(env, "token", "create", "--agency", "agency_nope", "--role", "admin")
    assert unknown.returncode != 0
    assert "agency_nope" in unknown.stderr


def test_demo_loads_the_contract_examples_once_and_prints_a_working_token(tmp_path: Path) -> None:
    url = DatabaseURL.parse(f"sqlite:///{tmp_path / 'demo.db'}")
    env = cli_env(url)
    first = run(env, "demo")
    assert first.returncode == 0, first.stderr
    assert "loaded" in first.stdout
    token = next(line.split()[-1] for line in first.stdout.splitlines() if "token" in line.lower())
    assert "curl" in first.stdout
    assert token in first.stdout
    second = run(env, "demo")
    assert "already present" in second.stdout

    with serving(env) as base:
        headers = {"Authorization": f"Bearer {token}"}
        body = httpx.get(
            f"{base}/api/v1/assignments/api/v1/assignments/assign_001aa", headers=headers
        ).json()
        assert body["contact_name"] == "Per Olsen"
        assert body["notes"] == "Initial assessment completed. Weekly meetings ongoing."
        history = httpx.get(
            f"{base}/api/v1/assignments/mentor/mentor_a1b2c3/history", headers=headers
        ).json()
        closed = [row for row in history["data"] if row["assignment_id"] == "assign_000zz"]
        assert closed[0]["closed_date"] == "2024-12-15T00:00:00Z"


async def test_serve_refuses_an_out_of_date_postgresql_schema(postgresql_url: DatabaseURL) -> None:
    async with new_postgres_database("caseworks_empty") as url:
        env = cli_env(url)
        refused = run(env, "serve", "--port", str(free_port()))
        assert refused.returncode != 0
        assert "caseworks migrate" in refused.stderr
        migrated = run(env, "migrate")
        assert migrated.returncode == 0, migrated.stderr
        agency = run(env, "agency", "create", "After migrate")
        assert agency.returncode == 0, agency.stderr


def test_serve_with_several_workers_answers_from_several_processes(tmp_path: Path) -> None:
    env = cli_env(DatabaseURL.parse(f"sqlite:///{tmp_path / 'workers.db'}"))
    with serving(env, "--workers", "2") as base:
        instances: set[str] = set()
        deadline = time.monotonic() + 30
        # A fresh connection per request, so the kernel hands them to either process.
        while len(instances) < 2 and time.monotonic() < deadline:
            instances.add(httpx.get(f"{base}/health").json()["instance"])
        assert len(instances) == 2


def test_token_create_refuses_an_inactive_unknown_or_foreign_worker(
    database_url: DatabaseURL,
) -> None:
    env = cli_env(database_url)
    agency_id = run(env, "agency", "create", "Workers").stdout.strip()
    other_agency = run(env, "agency", "create", "Elsewhere").stdout.strip()
    inactive = asyncio.run(_worker(database_url, agency_id, active=False))
    foreign = asyncio.run(_worker(database_url, other_agency, active=True))
    for worker_id, why in (
        (inactive, f"agency worker {inactive} is not active"),
        ("worker_nobody", "no agency worker worker_nobody"),
        (foreign, f"no agency worker {foreign} in agency {agency_id}"),
    ):
        result = run(
            env, "token", "create", "--agency", agency_id, "--role", "caseworker",
            "--worker", worker_id,
        )  # fmt: skip
        assert result.returncode != 0, worker_id
        assert result.stdout == ""
        assert why in result.stderr


async def _worker(url: DatabaseURL, agency_id: str, *, active: bool) -> str:
    """An agency worker, written as an import would (the CLI sees only the database)."""
    db = await open_database(url)
    worker_id = new_id("worker")
    try:
        async with db.transaction() as tx:
            await tx.execute(
                "INSERT INTO agency_workers (agency_id, id, name, email, active, assignable_roles,"
                " created_at, updated_at) VALUES (:agency_id, :id, 'Wendy', 'w@example.org',"
                " :active, '', :now, :now)",
                {"agency_id": agency_id, "id": worker_id, "active": active, "now": utc_now()},
            )
    finally:
        await db.close()
    return worker_id


def test_token_list_shows_each_live_token_and_never_a_secret(
    server: tuple[str, dict[str, str]], database_url: DatabaseURL
) -> None:
    base, env = server
    agency_id = run(env, "agency", "create", "Listed").stdout.strip()
    other_agency = run(env, "agency", "create", "Not listed").stdout.strip()

    def create(*args: str) -> tuple[str, str]:
        made = run(env, "token", "create", "--agency", agency_id, *args)
        assert made.returncode == 0, made.stderr
        return made.stderr.split()[-1], made.stdout.strip()  # "created tok_…", the secret

    integration_id, integration = create("--role", "admin", "--name", "nightly\texport")
    short_id, short = create("--role", "supervisor", "--expires-in", "12h")
    forever_id, forever = create("--role", "admin", "--expires-in", "never")
    _, revoked = create("--role", "admin", "--name", "revoked one")
    assert run(env, "token", "revoke", revoked).returncode == 0
    run(env, "token", "create", "--agency", other_agency, "--role", "admin")
    assert httpx.get(
        f"{base}/api/v1/mentors", headers={"Authorization": f"Bearer {integration}"}
    ).is_success

    listed = run(env, "token", "list", "--agency", agency_id)
    assert listed.returncode == 0, listed.stderr
    header, *lines = listed.stdout.splitlines()
    assert header.split("\t") == [
        "id", "agency", "role", "label", "for", "created", "expires", "last_used",
    ]  # fmt: skip
    rows = {line.split("\t")[0]: line.split("\t") for line in lines}
    assert list(rows) == [integration_id, short_id, forever_id]  # oldest first; revoked left out
    assert all(len(row) == 8 for row in rows.values())
    integration_row = rows[integration_id]
    assert integration_row[1:5] == [agency_id, "admin", "nightly\\x09export", "-"]
    created, expires, last_used = (datetime.fromisoformat(value) for value in integration_row[5:8])
    assert expires - created == timedelta(days=90)
    assert last_used >= created
    short_row = rows[short_id]
    assert short_row[2] == "supervisor"
    assert datetime.fromisoformat(short_row[6]) - datetime.fromisoformat(short_row[5]) == (
        timedelta(hours=12)
    )
    assert short_row[7] == "never"
    assert rows[forever_id][6] == "never"
    for secret in (integration, short, forever, revoked):
        assert secret not in listed.stdout
        assert hashlib.sha256(secret.encode()).hexdigest() not in listed.stdout

    everything = run(env, "token", "list")
    assert other_agency in everything.stdout
    assert agency_id in everything.stdout
    unknown = run(env, "token", "list", "--agency", "agency_nope")
    assert unknown.returncode != 0
    assert "no agency agency_nope" in unknown.stderr


def test_token_list_marks_an_expired_token_and_shows_the_mentor_it_stands_for(
    database_url: DatabaseURL,
) -> None:
    env = cli_env(database_url)
    agency_id = run(env, "agency", "create", "Mentors").stdout.strip()
    mentor_id = asyncio.run(_expired_mentor_token(database_url, agency_id))
    listed = run(env, "token", "list", "--agency", agency_id)
    [row] = [line.split("\t") for line in listed.stdout.splitlines()[1:]]
    assert (row[2], row[4]) == ("mentor", mentor_id)
    assert row[6].endswith(" (expired)")


async def _expired_mentor_token(url: DatabaseURL, agency_id: str) -> str:
    db = await open_database(url)
    mentor_id = new_id("mentor")
    try:
        async with db.transaction() as tx:
            await tx.execute(
                "INSERT INTO mentors (agency_id, id, name, created_at, updated_at)"
                " VALUES (:agency_id, :id, 'Kari', :now, :now)",
                {"agency_id": agency_id, "id": mentor_id, "now": utc_now()},
            )
            await create_token(
                tx,
                agency_id=agency_id,
                role=Role.MENTOR,
                mentor_id=mentor_id,
                lifetime=timedelta(days=1),
                now=utc_now() - timedelta(days=2),
            )
    finally:
        await db.close()
    return mentor_id


def test_token_create_refuses_a_bad_expires_in_naming_the_option(tmp_path: Path) -> None:
    env = cli_env(DatabaseURL.parse(f"sqlite:///{tmp_path / 'lifetime.db'}"))
    for value in ("90", "1y", "0d", "1.5d", "forever", "99999d", ""):
        result = run(
            env, "token", "create", "--agency", "agency_x", "--role", "admin", "--expires-in", value
        )
        assert result.returncode == 2, value
        assert result.stdout == ""
        assert "--expires-in" in result.stderr
        assert "never" in result.stderr  # says what it takes


@pytest.fixture(params=["sqlite", "postgresql"])
async def digest_env(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[DatabaseURL]:
    """A database of its own: `digest send` without --agency looks at every agency."""
    async with own_database(request.param, tmp_path, "caseworks_cli_digest") as url:
        yield url


async def _with_recipients(url: DatabaseURL, agency_id: str, *recipients: str) -> None:
    db = await open_database(url)
    try:
        async with db.transaction() as tx:
            await write_settings(tx, agency_id, {"digest_recipients": list(recipients)})
    finally:
        await db.close()


async def _claimed_weeks(url: DatabaseURL, agency_id: str, *weeks: str) -> list[str]:
    """Record ``weeks`` as sent for the agency; return every week it has."""
    db = await open_database(url)
    try:
        async with db.transaction() as tx:
            for week in weeks:
                await tx.execute(
                    "INSERT INTO digest_weeks (agency_id, week, queued_at) VALUES (:a, :w, :t)",
                    {"a": agency_id, "w": week, "t": utc_now()},
                )
        rows = await db.fetch_all(
            "SELECT week FROM digest_weeks WHERE agency_id = :a ORDER BY week", {"a": agency_id}
        )
        return [row["week"] for row in rows]
    finally:
        await db.close()


def _week_after(week: str) -> str:
    year, number = week.split("-W")
    return iso_week(date.fromisocalendar(int(year), int(number), 1) + timedelta(days=7))


async def test_digest_send_queues_this_weeks_digest_once(digest_env: DatabaseURL) -> None:
    env = cli_env(digest_env)
    fresh, sent, silent = (run(env, "agency", "create", name).stdout.strip() for name in "ABC")
    await _with_recipients(digest_env, fresh, "lead@example.org", "coordinator@example.org")
    await _with_recipients(digest_env, sent, "lead@example.org")
    # This week's digest of `sent` went out already, whichever week this runs in.
    today = utc_now()
    await _claimed_weeks(digest_env, sent, iso_week(today), iso_week(today + timedelta(days=7)))

    one = run(env, "digest", "send", "--agency", fresh)
    assert one.returncode == 0, one.stderr
    [week] = await _claimed_weeks(digest_env, fresh)
    assert one.stdout == f"{fresh}: queued for {week} to 2 recipient(s)\n"
    await _claimed_weeks(digest_env, fresh, _week_after(week))  # should the week end meanwhile

    every = run(env, "digest", "send")
    assert every.returncode == 0, every.stderr
    lines = every.stdout.splitlines()
    assert f"{fresh}: already queued for {week}" in lines
    assert len(lines) == 2  # the agency without recipients is not one of them
    assert any(line.startswith(f"{sent}: already queued for ") for line in lines)

    none = run(env, "digest", "send", "--agency", silent)
    assert (none.returncode, none.stdout) == (
        0,
        f"{silent}: no digest recipients: nothing queued\n",
    )
    unknown = run(env, "digest", "send", "--agency", "agency_nope")
    assert unknown.returncode != 0
    assert "no agency agency_nope" in unknown.stderr


def test_user_create_list_and_deactivate_which_ends_its_sessions(
    database_url: DatabaseURL,
) -> None:
    env = cli_env(database_url)
    agency_id = run(env, "agency", "create", "Users").stdout.strip()
    create = [CASEWORKS, "user", "create", "--agency", agency_id, "--email", "Kari@Example.org"]
    made = subprocess.run(
        [*create, "--role", "supervisor", "--name", "Kari", "--password-stdin"],
        input="tangerine kayak lantern\n", env=env, capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    user_id = made.stdout.strip()
    assert user_id.startswith("user_")
    listing = run(env, "user", "list", "--agency", agency_id)
    assert listing.returncode == 0, listing.stderr
    header, row = listing.stdout.splitlines()
    assert header.split("\t")[:3] == ["id", "email", "name"]
    assert row.split("\t")[:7] == [
        user_id, "kari@example.org", "Kari", "supervisor", "-", "yes", "set",
    ]  # fmt: skip
    assert "$argon2" not in listing.stdout
    asyncio.run(_session_of(database_url, agency_id, user_id))
    gone = run(env, "user", "deactivate", "--agency", agency_id, "--email", "kari@example.org")
    assert gone.returncode == 0, gone.stderr
    assert asyncio.run(_sessions(database_url, agency_id)) == 0
    assert (
        run(env, "user", "list", "--agency", agency_id).stdout.splitlines()[1].split("\t")[5]
        == "no"
    )


def test_user_create_refuses_a_weak_or_common_password_and_a_misfit_mentor(
    database_url: DatabaseURL,
) -> None:
    env = cli_env(database_url)
    agency_id = run(env, "agency", "create", "Weak").stdout.strip()
    create = [CASEWORKS, "user", "create", "--agency", agency_id, "--email", "a@example.org"]
    for role_options, password, why in (
        (["--role", "admin"], "short\n", "at least 12 characters"),
        (["--role", "admin"], "PASSWORD1234\n", "too common"),
        (["--role", "mentor"], "tangerine kayak lantern\n", "--mentor"),
        (["--role", "admin", "--mentor", "mentor_x"], "tangerine kayak lantern\n", "--mentor"),
    ):
        refused = subprocess.run(
            [*create, *role_options, "--password-stdin"], input=password, env=env,
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert refused.returncode != 0, role_options
        assert why in refused.stderr
        assert refused.stdout == ""
    assert len(run(env, "user", "list", "--agency", agency_id).stdout.splitlines()) == 1


def test_user_create_without_a_password_prints_a_single_use_link_for_24_hours(
    database_url: DatabaseURL,
) -> None:
    env = {**cli_env(database_url), "CASEWORKS_PUBLIC_URL": "https://cases.example.org/"}
    agency_id = run(env, "agency", "create", "Links").stdout.strip()
    before = utc_now()
    made = run(
        env, "user", "create", "--agency", agency_id, "--email", "new@example.org",
        "--role", "admin",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    user_id, link_line = made.stdout.splitlines()
    assert user_id.startswith("user_")
    prefix = "set the password within 24 hours: https://cases.example.org/set-password/"
    assert link_line.startswith(prefix)
    token = link_line.removeprefix(prefix)
    purpose, expires_at = asyncio.run(_token_row(database_url, token))
    assert purpose == "set_password"
    assert before + timedelta(hours=24) <= expires_at <= utc_now() + timedelta(hours=24)
    listing = run(env, "user", "list", "--agency", agency_id)
    assert listing.stdout.splitlines()[1].split("\t")[6] == "not set"


async def _token_row(url: DatabaseURL, token: str) -> tuple[str, datetime]:
    db = await open_database(url)
    try:
        row = await db.fetch_one(
            "SELECT purpose, expires_at FROM user_tokens WHERE token_hash = :h",
            {"h": hashlib.sha256(token.encode()).hexdigest()},
        )
    finally:
        await db.close()
    assert row is not None, "no token stored for the printed link"
    return str(row["purpose"]), row["expires_at"]


async def _session_of(url: DatabaseURL, agency_id: str, user_id: str) -> None:
    from caseworks.auth.users import start_session

    db = await open_database(url)
    try:
        await start_session(db, agency_id, user_id, utc_now())
    finally:
        await db.close()


async def _sessions(url: DatabaseURL, agency_id: str) -> int:
    db = await open_database(url)
    try:
        count = await db.fetch_value(
            "SELECT count(*) FROM user_sessions WHERE agency_id = :a", {"a": agency_id}
        )
    finally:
        await db.close()
    return int(count or 0)


def test_demo_prints_a_user_per_role_who_can_sign_in(tmp_path: Path) -> None:
    url = DatabaseURL.parse(f"sqlite:///{tmp_path / 'demo.db'}")
    env = cli_env(url)
    assert run(env, "demo").returncode == 0
    again = run(env, "demo")  # a second run replaces the passwords and still works
    assert again.returncode == 0, again.stderr
    lines = again.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Sign in to the console"))
    assert lines[start].endswith("/sign-in as:")
    users = {line.split()[0]: line.split()[1] for line in lines[start + 1 :]}
    assert set(users) == {
        "coordinator@demo.example", "mentor@demo.example", "supervisor@demo.example",
        "caseworker@demo.example",
    }  # fmt: skip
    headings = {
        "coordinator@demo.example": "Caseload overview",
        "mentor@demo.example": "My caseload",
        "caseworker@demo.example": "My children",
    }
    with serving(env) as base:
        for email, heading in headings.items():
            with httpx.Client(base_url=base) as browser:
                form = browser.get("/sign-in").text
                token = form.split('name="csrf_token" value="')[1].split('"')[0]
                data = {"email": email, "password": users[email], "csrf_token": token}
                assert browser.post("/sign-in", data=data).status_code == 303
                assert f"<h1>{heading}</h1>" in browser.get("/").text
