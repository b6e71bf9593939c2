"""The ``caseworks`` command: serve · migrate · demo · agency · user · token · worker · digest ·
import · export."""

from __future__ import annotations

import asyncio
import logging.config
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import click

from caseworks.auth.principal import Principal, Role
from caseworks.config import Settings, SettingsError
from caseworks.core.errors import ServiceError
from caseworks.db import Database, DatabaseURL, open_database

T = TypeVar("T")


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as error:
        raise click.ClickException(str(error)) from error


def _url(settings: Settings) -> DatabaseURL:
    try:
        return DatabaseURL.parse(settings.database_url)
    except ValueError as error:
        raise click.ClickException(str(error)) from error


def prepare_schema(url: DatabaseURL) -> None:
    """SQLite migrates itself; PostgreSQL must already be at head (an operator runs migrate)."""
    from caseworks.db import migrate as migrations  # Alembic: 0.6 s to import, so only here

    if url.dialect == "sqlite":
        migrations.upgrade(url)
    elif not migrations.is_current(url):
        raise click.ClickException(
            "the PostgreSQL schema is not up to date: run `caseworks migrate` first"
        )


def _with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    async def run() -> T:
        db = await open_database(_url(settings), pool_size=2)
        try:
            return await work(db)
        finally:
            await db.close()

    try:
        return asyncio.run(run())
    except ServiceError as error:
        raise click.ClickException(error.detail) from error


def _lifetime(ctx: click.Context, param: click.Parameter, value: str) -> timedelta | None:
    """``--expires-in``: ``90d``, ``12h``, ``30m`` or ``never``, parsed strictly."""
    from caseworks.auth.tokens import parse_lifetime

    try:
        return parse_lifetime(value)
    except ValueError as error:
        raise click.BadParameter(str(error), ctx, param) from error


# The kinds `caseworks export` writes (csvio.exports.KINDS, named here without importing the
# services: the command line starts before any of them is needed).
_EXPORT_KINDS = (
    "mentors",
    "contacts",
    "assignments",
    "agency-workers",
    "children",
    "applications",
    "user-agency-profiles",
    "worker-assignments",
    "worker-caseloads",
)
DEMO_TOKEN_LIFETIME = timedelta(days=7)  # printed on a terminal at every `make run`


@click.group()
@click.version_option(package_name="caseworks")
def main() -> None:
    """Assign people to cases and keep track of caseloads."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--server",
    type=click.Choice(["uvicorn", "granian"]),
    default="uvicorn",
    show_default=True,
    help="ASGI server software.",
)
@click.option(
    "--dispatch/--no-dispatch",
    default=True,
    show_default=True,
    help="Deliver queued mail from inside the server (else run `caseworks worker`).",
)
def serve(host: str, port: int, workers: int, server: str, dispatch: bool) -> None:
    """Serve the API."""
    if not dispatch:
        os.environ["CASEWORKS_DISPATCH"] = "false"  # read by every server process at start
    settings = _settings()
    prepare_schema(_url(settings))
    if server == "granian":
        _serve_granian(host, port, workers, settings)
    else:
        _serve_uvicorn(host, port, workers, settings)


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How `serve` runs uvicorn, beside the app, address and workers (the benchmark uses it too)."""
    from caseworks.core.logs import log_config

    return {
        "access_log": False,  # our own access log leaves out query strings and bodies
        "log_level": settings.log_level,
        "log_config": log_config(settings.log_level),
        # uvicorn would trust X-Forwarded-* from 127.0.0.1; the request context honours them
        # only from CASEWORKS_TRUSTED_PROXIES (Granian reads none of them).
        "proxy_headers": False,
        "server_header": False,
        # Our protocol bounds each request head (size, fields, time) and the keep-alive wait; it
        # reads those settings itself, in every worker process.
        "http": "caseworks.web.serving:BoundedHttpToolsProtocol",
        # uvicorn counts the connection being answered among the open ones (503 once
        # `len(connections) >= limit`), so this lets exactly `max_connections` be served.
        "limit_concurrency": settings.max_connections + 1,
    }


def _serve_uvicorn(host: str, port: int, workers: int, settings: Settings) -> None:
    import uvicorn

    uvicorn.run(
        "caseworks.web.app:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        **uvicorn_options(settings),
    )


def _serve_granian(host: str, port: int, workers: int, settings: Settings) -> None:
    from granian import Granian
    from granian.constants import Interfaces
    from granian.http import HTTP1Settings

    from caseworks.core.logs import log_config

    Granian(
        "caseworks.web.app:app_factory",
        factory=True,
        address=host,
        port=port,
        workers=workers,
        interface=Interfaces.ASGI,
        log_dictconfig=log_config(settings.log_level),
        log_access=False,
        # hyper bounds the head by its read buffer (at least 8 KiB) and its fields at 100, answering
        # 431, and closes a head unfinished after the timeout. Granian has no idle keep-alive
        # timeout of its own and bounds concurrent requests, not connections (see docs/design.md).
        http1_settings=HTTP1Settings(
            header_read_timeout=round(settings.header_timeout_seconds * 1000),
            max_buffer_size=max(8192, settings.max_header_bytes),
        ),
        backpressure=settings.max_connections,
    ).serve()


@main.command()
def worker() -> None:
    """Deliver queued mail until stopped (SIGINT or SIGTERM)."""
    import signal

    from caseworks.core.logs import log_config
    from caseworks.notify.dispatcher import build_dispatcher

    settings = _settings()
    prepare_schema(_url(settings))
    logging.config.dictConfig(log_config(settings.log_level))

    async def work(db: Database) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        dispatcher = build_dispatcher(settings, db)
        click.echo(f"delivering mail as {dispatcher.owner}", err=True)
        await dispatcher.run(stop, settings.dispatch_poll_seconds)

    _with_database(settings, work)


@main.command()
@click.argument("revision", default="head")
def migrate(revision: str) -> None:
    """Upgrade the database schema (to the latest revision by default)."""
    from caseworks.db import migrate as migrations

    url = _url(_settings())
    migrations.upgrade(url, revision)
    click.echo(f"schema at {migrations.current_revision(url)}", err=True)


@main.command()
def demo() -> None:
    """Load the demo agency if absent; print a new admin token and the console's demo users,
    each with a new password."""
    from caseworks.auth.tokens import create_token
    from caseworks.core.timestamps import utc_now
    from caseworks.demo import DEMO_AGENCY_ID, demo_users, load_demo

    settings = _settings()
    prepare_schema(_url(settings))

    async def work(db: Database) -> tuple[bool, str, list[tuple[str, Role, str]]]:
        async with db.transaction() as tx:
            loaded = await load_demo(tx)
            _, token = await create_token(
                tx,
                agency_id=DEMO_AGENCY_ID,
                role=Role.ADMIN,
                name="demo admin",
                lifetime=DEMO_TOKEN_LIFETIME,
            )
            users = await demo_users(tx, utc_now())
        return loaded, token, users

    loaded, token, users = _with_database(settings, work)
    state = "loaded" if loaded else "already present"
    click.echo(f"Demo agency {DEMO_AGENCY_ID}: {state}.")
    click.echo(f"Admin token: {token}")
    click.echo("Try:")
    click.echo(
        f'  curl -s -H "Authorization: Bearer {token}" '
        "http://127.0.0.1:8000/api/v1/assignments/assign_001aa"
    )
    base = (settings.public_url or "http://127.0.0.1:8000").rstrip("/")
    click.echo(f"Sign in to the console at {base}/sign-in as:")
    for email, role, password in users:
        click.echo(f"  {email:<26} {password}  ({role.value})")


@main.group()
def agency() -> None:
    """Manage agencies (tenants)."""


@agency.command("create")
@click.argument("name")
def agency_create(name: str) -> None:
    """Create an agency; print its id alone on stdout."""
    from caseworks.auth.agencies import create_agency

    async def work(db: Database) -> str:
        async with db.transaction() as tx:
            return await create_agency(tx, name)

    click.echo(_with_database(_settings(), work))


@main.group()
def digest() -> None:
    """The weekly caseload digest to each agency's digest recipients."""


@digest.command("send")
@click.option("--agency", "agency_id", help="Only this agency (else every one with recipients).")
def digest_send(agency_id: str | None) -> None:
    """Queue this week's digest now, whatever the day and hour; a week's digest already queued
    (by the schedule or by hand) is not queued again. The worker delivers it."""
    from caseworks.core.timestamps import utc_now
    from caseworks.mentoring.digest import Outcome, Result, send_digests_now

    async def work(db: Database) -> list[Outcome]:
        return await send_digests_now(db, utc_now(), agency_id)

    outcomes = _with_database(_settings(), work)
    if not outcomes:
        click.echo("no agency has digest recipients: nothing queued")
    for outcome in outcomes:
        if outcome.result is Result.QUEUED:
            said = f"queued for {outcome.week} to {outcome.recipients} recipient(s)"
        elif outcome.result is Result.ALREADY_QUEUED:
            said = f"already queued for {outcome.week}"
        else:
            said = "no digest recipients: nothing queued"
        click.echo(f"{outcome.agency_id}: {said}")


@main.group()
def user() -> None:
    """Manage the people who sign in to the console."""


@user.command("create")
@click.option("--agency", "agency_id", required=True)
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option("--mentor", "mentor_id", help="For mentors: the mentor record the user is.")
@click.option("--worker", "worker_id", help="For caseworkers: the agency worker the user is.")
@click.option("--name", help="The person's name.")
@click.option(
    "--password-stdin",
    "password_stdin",
    is_flag=True,
    help="Read the password from one line of standard input (its newline stripped);"
    " without it, print a single-use link to set the password, valid 24 hours.",
)
def user_create(
    agency_id: str,
    email: str,
    role: str,
    mentor_id: str | None,
    worker_id: str | None,
    name: str | None,
    password_stdin: bool,
) -> None:
    """Create a user; print its id (and, without --password-stdin, the set-password link)."""
    from caseworks.auth.users import SET_PASSWORD_LIFETIME, issue_password_link, register_user
    from caseworks.core.timestamps import utc_now

    password = None
    if password_stdin:
        password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    settings = _settings()

    async def work(db: Database) -> str:
        now = utc_now()
        async with db.transaction() as tx:
            user_id = await register_user(
                tx,
                agency_id=agency_id,
                email=email,
                role=Role(role),
                now=now,
                name=name,
                mentor_id=mentor_id,
                worker_id=worker_id,
                password=password,
            )
            if password is not None:
                return user_id
            token = await issue_password_link(
                tx, agency_id, user_id, "set_password", now, SET_PASSWORD_LIFETIME
            )
        base = (settings.public_url or "http://127.0.0.1:8000").rstrip("/")
        return f"{user_id}\nset the password within 24 hours: {base}/set-password/{token}"

    click.echo(_with_database(settings, work))


@user.command("deactivate")
@click.option("--agency", "agency_id", required=True)
@click.option("--email", required=True)
def user_deactivate(agency_id: str, email: str) -> None:
    """Stop a user signing in; every session it has ends now."""
    from caseworks.auth.users import deactivate_user

    async def work(db: Database) -> str:
        async with db.transaction() as tx:
            return await deactivate_user(tx, agency_id, email)

    click.echo(f"deactivated {_with_database(_settings(), work)}", err=True)


USER_COLUMNS = ("id", "email", "name", "role", "for", "active", "password", "last_sign_in")


@user.command("list")
@click.option("--agency", "agency_id", required=True)
def user_list(agency_id: str) -> None:
    """List the agency's users, one a line, tab-separated."""
    from caseworks.auth.users import list_users
    from caseworks.core.timestamps import wire

    async def work(db: Database) -> list[dict[str, Any]]:
        return await list_users(db, agency_id)

    click.echo("\t".join(USER_COLUMNS))
    for row in _with_database(_settings(), work):
        click.echo(
            "\t".join(
                (
                    row["id"],
                    row["email"],
                    _one_line(row["name"]) or "-",
                    row["role"],
                    row["mentor_id"] or row["worker_id"] or "-",
                    "yes" if row["active"] else "no",
                    "set" if row["has_password"] else "not set",
                    wire(row["last_sign_in_at"]) or "never",
                )
            )
        )


@main.group()
def token() -> None:
    """Manage API tokens."""


@token.command("create")
@click.option("--agency", "agency_id", required=True)
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option("--mentor", "mentor_id", help="For mentor tokens: the mentor it acts as.")
@click.option("--worker", "worker_id", help="For caseworker tokens: the agency worker.")
@click.option("--name", help="A label to recognise the token by.")
@click.option(
    "--expires-in",
    "lifetime",
    metavar="DURATION",
    default="90d",
    callback=_lifetime,
    show_default=True,
    help="How long the token works: 90d, 12h, 30m, or never.",
)
def token_create(
    agency_id: str,
    role: str,
    mentor_id: str | None,
    worker_id: str | None,
    name: str | None,
    lifetime: timedelta | None,
) -> None:
    """Create a token; print it alone on stdout (it is shown only once)."""
    from caseworks.auth.tokens import create_token

    async def work(db: Database) -> tuple[str, str]:
        async with db.transaction() as tx:
            return await create_token(
                tx,
                agency_id=agency_id,
                role=Role(role),
                mentor_id=mentor_id,
                worker_id=worker_id,
                name=name,
                lifetime=lifetime,
            )

    token_id, secret = _with_database(_settings(), work)
    click.echo(f"created {token_id}", err=True)
    click.echo(secret)


TOKEN_COLUMNS = ("id", "agency", "role", "label", "for", "created", "expires", "last_used")


@token.command("list")
@click.option("--agency", "agency_id", help="Only this agency's tokens.")
def token_list(agency_id: str | None) -> None:
    """List the tokens that are not revoked, one a line, tab-separated; never a secret."""
    from caseworks.auth.tokens import list_tokens
    from caseworks.core.timestamps import utc_now, wire

    async def work(db: Database) -> list[dict[str, Any]]:
        return await list_tokens(db, agency_id)

    rows = _with_database(_settings(), work)
    now = utc_now()
    click.echo("\t".join(TOKEN_COLUMNS))
    for row in rows:
        expires = row["expires_at"]
        click.echo(
            "\t".join(
                (
                    row["id"],
                    row["agency_id"],
                    row["role"],
                    _one_line(row["name"]) or "-",
                    row["mentor_id"] or row["worker_id"] or "-",
                    wire(row["created_at"]) or "-",
                    "never" if expires is None else f"{wire(expires)}{_expired(expires, now)}",
                    wire(row["last_used_at"]) or "never",
                )
            )
        )


def _one_line(label: str | None) -> str | None:
    """A label as one field of one line: control characters (tabs, newlines) shown as \\xNN."""
    if label is None:
        return None
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in label)


def _expired(expires: datetime, now: datetime) -> str:
    return " (expired)" if expires <= now else ""


@token.command("revoke")
@click.argument("token_or_id")
def token_revoke(token_or_id: str) -> None:
    """Revoke a token, by its id (tok_…) or by the token itself."""
    from caseworks.auth.tokens import revoke_token

    async def work(db: Database) -> str:
        async with db.transaction() as tx:
            return await revoke_token(tx, token_or_id)

    click.echo(f"revoked {_with_database(_settings(), work)}", err=True)


# The actor of what a command does, in its audit events: no token, an admin of the agency.
COMMAND_LINE_ACTOR = "command-line"
IMPORT_KINDS = ("mentors", "contacts", "assignments", "agency-workers", "children")
# Files with fewer rows than this are imported without a progress bar.
PROGRESS_FROM_ROWS = 5000


async def _agency(db: Database, agency_id: str | None) -> str:
    """The agency named, or the only one there is."""
    from caseworks.auth.agencies import agency_exists, sole_agency

    if agency_id is None:
        agency_id = await sole_agency(db)
        if agency_id is None:
            raise click.UsageError("name the agency with --agency (there is not exactly one)")
    elif not await agency_exists(db, agency_id):
        raise click.BadParameter(f"no agency {agency_id}", param_hint="--agency")
    return agency_id


class ProgressBar:
    """A progress bar on stderr, made once a file turns out to be long."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.shown = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if total < 2 * PROGRESS_FROM_ROWS:
                return
            self.bar = click.progressbar(length=total, label="importing", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.shown)
        self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@main.command("import")
@click.argument("kind", type=click.Choice(IMPORT_KINDS))
@click.argument("file", type=click.File("rb"))
@click.option("--agency", "agency_id", help="The agency to import into (default: the only one).")
@click.option("--dry-run", is_flag=True, help="Check the file and count; write nothing.")
def import_records(kind: str, file: Any, agency_id: str | None, dry_run: bool) -> None:
    """Import records from a CSV file, all or nothing; print the report as JSON.

    The exit status is 1 when any row is wrong (nothing is written then).
    """
    import orjson

    from caseworks.csvio.csv_import import ImportRefused, Report, import_csv

    settings = _settings()
    prepare_schema(_url(settings))
    data = file.read()
    progress = ProgressBar() if sys.stderr.isatty() else None

    async def work(db: Database) -> tuple[Report, bool]:
        actor = Principal(await _agency(db, agency_id), Role.ADMIN, COMMAND_LINE_ACTOR)
        try:
            return await import_csv(db, actor, kind, data, dry_run=dry_run, progress=progress), True
        except ImportRefused as refused:
            return refused.report, False
        finally:
            if progress is not None:
                progress.close()

    report, imported = _with_database(settings, work)
    click.echo(orjson.dumps(report.as_dict(), option=orjson.OPT_INDENT_2).decode())
    if not imported:
        sys.exit(1)


@main.command("export")
@click.argument("kind", type=click.Choice(list(_EXPORT_KINDS)))
@click.option("--agency", "agency_id", help="The agency (needed when the database holds several).")
def export(kind: str, agency_id: str | None) -> None:
    """Write every record of KIND in the agency to stdout as CSV: the file `format=csv` gives
    (the same columns, order and cells). The row count goes to stderr."""
    from caseworks.csvio.exports import write_export

    async def work(db: Database) -> int:
        return await write_export(db, await _agency(db, agency_id), kind, sys.stdout.buffer)

    written = _with_database(_settings(), work)
    sys.stdout.buffer.flush()
    click.echo(f"exported {written} {kind}", err=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
