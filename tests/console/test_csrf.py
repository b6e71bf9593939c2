"""Every state-changing page request needs the CSRF token; without it, 403 and nothing changes."""

from __future__ import annotations

from caseworks.auth.principal import Role
from caseworks.auth.users import SESSION_COOKIE
from caseworks.console.csrf import PRESESSION_COOKIE
from tests.support.console import PASSWORD, console_user, csrf_token_of, signed_in
from tests.support.tenants import Tenant


async def test_sign_in_without_the_token_is_refused_and_starts_no_session(
    tenant: Tenant,
) -> None:
    email = await console_user(tenant, Role.ADMIN)
    async with tenant.client() as client:
        await client.get("/sign-in")
        missing = await client.post("/sign-in", data={"email": email, "password": PASSWORD})
        wrong = await client.post(
            "/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": "forged"}
        )
    for answer in (missing, wrong):
        assert answer.status_code == 403
        assert SESSION_COOKIE not in answer.cookies
        assert 'role="alert"' in answer.text


async def test_a_token_from_another_visitor_does_not_sign_in(tenant: Tenant) -> None:
    email = await console_user(tenant, Role.ADMIN)
    async with tenant.client() as attacker:
        token = csrf_token_of((await attacker.get("/sign-in")).text)
    async with tenant.client() as victim:
        await victim.get("/sign-in")
        answer = await victim.post(
            "/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token}
        )
    assert answer.status_code == 403


async def test_the_anonymous_cookie_is_short_lived_and_not_for_scripts(tenant: Tenant) -> None:
    async with tenant.client() as client:
        answer = await client.get("/sign-in")
    cookie = answer.headers["set-cookie"].lower()
    assert cookie.startswith(PRESESSION_COOKIE)
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert "max-age=7200" in cookie


async def test_sign_out_without_the_token_keeps_the_session(tenant: Tenant) -> None:
    async with signed_in(tenant, Role.MENTOR) as client:
        token = client.headers.pop("X-CSRF-Token")
        refused = await client.post("/sign-out")
        still_in = await client.get("/")
        by_header = await client.post("/sign-out", headers={"X-CSRF-Token": token})
        after = await client.get("/")
    assert refused.status_code == 403
    assert still_in.status_code == 200
    assert by_header.status_code == 303
    assert after.status_code == 303


async def test_every_page_carries_the_token_for_htmx_and_forms(tenant: Tenant) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        page = await client.get("/")
    token = csrf_token_of(page.text)
    assert f"""hx-headers='{{"X-CSRF-Token": "{token}"}}'""" in page.text
