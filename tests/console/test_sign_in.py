"""Signing in through the form, and out again."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from bs4 import BeautifulSoup, Tag

from caseworks.auth.limits import FailureLimiter
from caseworks.auth.principal import Role
from caseworks.auth.users import SESSION_COOKIE, create_user
from caseworks.core.timestamps import utc_now
from caseworks.db import Database
from caseworks.web.app import Caseworks
from tests.support.console import PASSWORD, console_user, csrf_token_of, post_sign_in, signed_in
from tests.support.tenants import Tenant, new_tenant


async def test_each_role_signs_in_to_its_own_start_page(tenant: Tenant) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        page = await client.get("/")
    assert page.status_code == 200
    assert "<h1>Caseload overview</h1>" in page.text
    assert '<button type="submit">Sign out</button>' in page.text


async def test_a_wrong_password_or_email_shows_one_message(tenant: Tenant) -> None:
    email = await console_user(tenant, Role.SUPERVISOR)
    async with tenant.client() as client:
        wrong_password = await post_sign_in(client, email, "x")
        wrong_email = await post_sign_in(client, "nobody@example.org", PASSWORD)
    assert wrong_password.status_code == wrong_email.status_code == 400
    assert "Email or password is wrong." in wrong_password.text
    # The same page but for the e-mail typed, which is shown again.
    assert wrong_password.text.replace(email, "nobody@example.org") == wrong_email.text


async def test_sign_in_goes_back_to_the_page_asked_for_and_never_elsewhere(
    tenant: Tenant,
) -> None:
    email = await console_user(tenant, Role.ADMIN)
    async with tenant.client() as client:
        back = await post_sign_in(client, email, next_path="/mentors")
        away = await post_sign_in(client, email, next_path="//evil.example/")
    assert back.headers["location"] == "/mentors"
    assert away.headers["location"] == "/"


async def test_a_new_session_id_at_sign_in_and_signing_out_ends_it(tenant: Tenant) -> None:
    email = await console_user(tenant, Role.ADMIN)
    async with tenant.client() as client:
        client.cookies.set(SESSION_COOKIE, "chosen-by-an-attacker")
        answer = await post_sign_in(client, email)
        session = answer.cookies[SESSION_COOKIE]
        assert session != "chosen-by-an-attacker"
        cookie = answer.headers["set-cookie"].lower()
        assert "httponly" in cookie
        assert "samesite=lax" in cookie
        start = await client.get("/")
        signed_out = await client.post("/sign-out", data={"csrf_token": csrf_token_of(start.text)})
        assert signed_out.status_code == 303
    async with tenant.client() as replay:
        replay.cookies.set(SESSION_COOKIE, session)
        answer = await replay.get("/")
    assert answer.status_code == 303


async def test_a_session_cookie_never_calls_the_api(tenant: Tenant) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.get("/api/v1/mentors")
    assert answer.status_code == 401


@pytest.fixture
def small_limits(tenant: Tenant) -> Iterator[None]:
    """Sign-in limits of three failures, for this test only (the app is shared)."""
    state = tenant.app.state
    kept = state.sign_in_address_limiter, state.sign_in_account_limiter
    state.sign_in_address_limiter = FailureLimiter(5, window=600)
    state.sign_in_account_limiter = FailureLimiter(3, window=600)
    yield
    state.sign_in_address_limiter, state.sign_in_account_limiter = kept


async def test_failed_sign_ins_are_limited_per_account_and_per_address(
    tenant: Tenant, small_limits: None
) -> None:
    email = await console_user(tenant, Role.ADMIN)
    async with tenant.client() as client:
        for _ in range(3):
            assert (await post_sign_in(client, email, "wrong password")).status_code == 400
        limited = await post_sign_in(client, email)  # even the right password now waits
        assert limited.status_code == 429
        assert "Too many failed sign-ins" in limited.text
        assert int(limited.headers["retry-after"]) > 0
        assert SESSION_COOKIE not in limited.cookies
        for attempt in range(2):  # other accounts, from the same address
            answer = await post_sign_in(client, f"other{attempt}@example.org", "nope nope nope")
            assert answer.status_code == 400
        from_address = await post_sign_in(client, "someone@example.org", "nope nope nope")
    assert from_address.status_code == 429


async def test_one_email_in_several_agencies_chooses_the_agency_it_signs_in_to(
    tenant: Tenant, other_tenant: Tenant, third_tenant: Tenant
) -> None:
    email = f"both-{tenant.agency_id}@example.org"
    for each in (tenant, other_tenant):
        await _user_with_email(each, email, PASSWORD)
    await _user_with_email(third_tenant, email, "a different passphrase")
    async with tenant.client() as client:
        choose = await post_sign_in(client, email)
        assert choose.status_code == 200
        assert SESSION_COOKIE not in choose.cookies
        assert '<label for="agency">Agency</label>' in choose.text
        select = BeautifulSoup(choose.text, "html.parser").find("select", id="agency")
        assert isinstance(select, Tag)
        options = [
            (str(option["value"]), option.text)
            for option in select.find_all("option")
            if isinstance(option, Tag)
        ]
        # Only the agencies whose account has this password.
        assert sorted(value for value, _ in options) == sorted(
            [tenant.agency_id, other_tenant.agency_id]
        )
        assert "Another Agency" in dict(options).values()
        csrf = csrf_token_of(choose.text)

        async def choose_agency(agency_id: str, password: str = PASSWORD) -> httpx.Response:
            data = {"email": email, "password": password, "agency": agency_id, "csrf_token": csrf}
            return await client.post("/sign-in", data=data)

        # Not one of the matches: the third agency's account has another password.
        assert (await choose_agency(third_tenant.agency_id)).status_code == 400
        assert (await choose_agency(other_tenant.agency_id, "wrong password")).status_code == 400
        chosen = await choose_agency(other_tenant.agency_id)
        assert chosen.status_code == 303
        start = await client.get("/")
    assert start.status_code == 200
    assert "Another Agency" in start.text


async def _user_with_email(tenant: Tenant, email: str, password: str) -> None:
    async with tenant.db.transaction() as tx:
        await create_user(
            tx,
            agency_id=tenant.agency_id,
            email=email,
            role=Role.ADMIN,
            now=utc_now(),
            password=password,
        )


@pytest.fixture
async def third_tenant(db: Database, app: Caseworks) -> Tenant:
    return await new_tenant(db, app, "Third Agency")
