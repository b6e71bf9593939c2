"""/password-reset: the same answer for any e-mail; each active account with a known one gets a
single-use link through the outbox."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from caseworks.auth.limits import FailureLimiter
from caseworks.auth.principal import Role
from caseworks.auth.users import deactivate_user
from caseworks.db import open_database
from caseworks.notify.dispatcher import Dispatcher
from caseworks.notify.transport import SMTPSettings, SMTPTransport
from caseworks.web.app import create_app
from tests.support.console import console_user, csrf_token_of, post_sign_in
from tests.support.databases import make_settings, own_database
from tests.support.mail import CLOCK_START, Clock, Inbox, SMTPServer
from tests.support.tenants import Tenant, new_tenant

NEW = "another fresh passphrase"
SENT = "If an account exists for that address, we have sent a link"


@pytest.fixture
def own_address_limit(tenant: Tenant) -> Iterator[FailureLimiter]:
    """A sign-in address limiter of five for this test only (the app is shared)."""
    state = tenant.app.state
    kept = state.sign_in_address_limiter
    state.sign_in_address_limiter = FailureLimiter(5, window=600)
    yield state.sign_in_address_limiter
    state.sign_in_address_limiter = kept


async def ask_for_reset(client: httpx.AsyncClient, email: str) -> httpx.Response:
    form_page = await client.get("/password-reset")
    data = {"email": email, "csrf_token": csrf_token_of(form_page.text)}
    return await client.post("/password-reset", data=data)


async def outbox_mail(tenant: Tenant, email: str) -> list[dict[str, str]]:
    rows = await tenant.db.fetch_all(
        "SELECT subject, body FROM outbox WHERE agency_id = :a AND recipient = :r",
        {"a": tenant.agency_id, "r": email},
    )
    return [{"subject": row["subject"], "body": row["body"]} for row in rows]


async def test_a_reset_mail_holds_a_link_that_works_once(
    tenant: Tenant, own_address_limit: FailureLimiter
) -> None:
    email = await console_user(tenant, Role.ADMIN)
    async with tenant.client() as client:
        sign_in_page = await client.get("/sign-in")
        assert '<a href="/password-reset">Forgot your password?</a>' in sign_in_page.text
        form_page = await client.get("/password-reset")
        assert '<label for="email">Email</label>' in form_page.text
        assert '<button type="submit">Send reset link</button>' in form_page.text
        known = await ask_for_reset(client, email)
        assert known.status_code == 200
        assert SENT in known.text
        (mail,) = await outbox_mail(tenant, email)
        assert mail["subject"] == "Reset your caseworks password"
        match = re.search(r"http://\S+/set-password/([A-Za-z0-9_-]+)", mail["body"])
        assert match is not None, mail["body"]
        link = f"/set-password/{match[1]}"
        form = {
            "new_password": NEW,
            "repeat_password": NEW,
            "csrf_token": csrf_token_of((await client.get(link)).text),
        }
        assert (await client.post(link, data=form)).status_code == 303
        assert (await client.post(link, data=form)).status_code == 410
        assert (await post_sign_in(client, email, NEW)).status_code == 303


async def test_an_unknown_or_inactive_address_gets_the_same_answer_and_no_mail(
    tenant: Tenant, own_address_limit: FailureLimiter
) -> None:
    email = await console_user(tenant, Role.SUPERVISOR)
    async with tenant.db.transaction() as tx:
        await deactivate_user(tx, tenant.agency_id, email)
    async with tenant.client() as client:
        inactive = await ask_for_reset(client, email)
        unknown = await ask_for_reset(client, "nobody-at-all@example.org")
    assert inactive.status_code == unknown.status_code == 200
    assert SENT in unknown.text
    assert inactive.text == unknown.text
    assert await outbox_mail(tenant, email) == []
    tokens = await tenant.db.fetch_value(
        "SELECT count(*) FROM user_tokens WHERE agency_id = :a", {"a": tenant.agency_id}
    )
    assert tokens == 0


async def test_reset_requests_are_limited_per_address_like_sign_in(
    tenant: Tenant, own_address_limit: FailureLimiter
) -> None:
    async with tenant.client() as client:
        for _ in range(5):
            assert (await ask_for_reset(client, "someone@example.org")).status_code == 200
        limited = await ask_for_reset(client, "someone@example.org")
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) > 0
        # The same limiter as sign-in's: that address cannot sign in either for now.
        assert (await post_sign_in(client, "someone@example.org", "whatever")).status_code == 429


async def test_an_empty_address_is_refused_naming_the_field(
    tenant: Tenant, own_address_limit: FailureLimiter
) -> None:
    async with tenant.client() as client:
        answer = await ask_for_reset(client, "  ")
    assert answer.status_code == 400
    assert 'id="email-error">Email is required' in answer.text


@pytest.fixture
async def smtp() -> AsyncIterator[SMTPServer]:
    server = SMTPServer(Inbox())
    await server.start()
    yield server
    await server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
async def mail_tenant(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Tenant]:
    """A tenant of an application on a database of its own (so the dispatcher delivers only
    this test's mail), its clock the mail tests' fixed one."""
    async with own_database(request.param, tmp_path, "caseworks_reset") as url:
        db = await open_database(url)
        try:
            app = create_app(make_settings(url), database=db)
            async with app.router.lifespan_context(app):
                app.state.clock = CLOCK_START.timestamp
                yield await new_tenant(db, app)
        finally:
            await db.close()


async def test_the_reset_mail_arrives_over_smtp_with_a_link_that_works_once(
    mail_tenant: Tenant, smtp: SMTPServer
) -> None:
    email = await console_user(mail_tenant, Role.MENTOR)
    async with mail_tenant.client() as client:
        assert (await ask_for_reset(client, email)).status_code == 200
        transport = SMTPTransport(SMTPSettings.parse(smtp.url))
        sender = Dispatcher(mail_tenant.db, transport, "caseworks@example.org", clock=Clock())
        report = await sender.run_once()
        assert (report.claimed, report.sent) == (1, 1)
        [message] = smtp.inbox.messages
        assert message["To"] == email
        assert message["Subject"] == "Reset your caseworks password"
        match = re.search(r"http://testserver/set-password/([A-Za-z0-9_-]+)", message.get_content())
        assert match is not None
        link = f"/set-password/{match[1]}"
        form = {
            "new_password": NEW,
            "repeat_password": NEW,
            "csrf_token": csrf_token_of((await client.get(link)).text),
        }
        assert (await client.post(link, data=form)).status_code == 303
        assert (await client.post(link, data=form)).status_code == 410
        assert (await post_sign_in(client, email, NEW)).status_code == 303
