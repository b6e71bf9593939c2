"""/set-password/{token}: a link sets a password once, before it expires."""

from __future__ import annotations

from datetime import timedelta

from caseworks.auth.principal import Role
from caseworks.auth.users import (
    SET_PASSWORD_LIFETIME,
    create_user,
    issue_password_link,
    start_session,
)
from caseworks.core.timestamps import utc_now
from tests.support.console import PASSWORD, csrf_token_of, post_sign_in
from tests.support.tenants import Tenant

NEW = "a brand new passphrase"


async def new_link(
    tenant: Tenant,
    email: str,
    lifetime: timedelta = SET_PASSWORD_LIFETIME,
    password: str | None = None,
) -> tuple[str, str]:
    """A user of the tenant's agency and a set-password token for it."""
    async with tenant.db.transaction() as tx:
        user_id = await create_user(
            tx,
            agency_id=tenant.agency_id,
            email=email,
            role=Role.ADMIN,
            now=utc_now(),
            password=password,
        )
        token = await issue_password_link(
            tx, tenant.agency_id, user_id, "set_password", utc_now(), lifetime
        )
    return user_id, token


async def test_a_link_sets_the_password_once_and_ends_other_sessions(tenant: Tenant) -> None:
    user_id, token = await new_link(tenant, "first@example.org", password=PASSWORD)
    await start_session(tenant.db, tenant.agency_id, user_id, utc_now())
    async with tenant.client() as client:
        page = await client.get(f"/set-password/{token}")
        assert page.status_code == 200
        assert '<label for="new_password">New password</label>' in page.text
        assert '<label for="repeat_password">Repeat password</label>' in page.text
        assert '<button type="submit">Set password</button>' in page.text
        form = {"new_password": NEW, "repeat_password": NEW, "csrf_token": csrf_token_of(page.text)}
        done = await client.post(f"/set-password/{token}", data=form)
        assert done.status_code == 303
        assert done.headers["location"] == "/sign-in?password=set"
        confirmed = await client.get(done.headers["location"])
        assert "Your password is set. Sign in with it." in confirmed.text
        again = await client.post(f"/set-password/{token}", data=form)
        assert again.status_code == 410
        assert "This link is no longer valid" in again.text
        assert (await client.get(f"/set-password/{token}")).status_code == 410
        assert (await post_sign_in(client, "first@example.org", PASSWORD)).status_code == 400
        assert (await post_sign_in(client, "first@example.org", NEW)).status_code == 303
    sessions = await tenant.db.fetch_value(
        "SELECT count(*) FROM user_sessions WHERE agency_id = :a AND user_id = :u",
        {"a": tenant.agency_id, "u": user_id},
    )
    assert sessions == 1  # only the one just started; the one from before ended


async def test_weak_common_or_differing_passwords_are_shown_beside_the_field(
    tenant: Tenant,
) -> None:
    _, token = await new_link(tenant, "weak@example.org")
    async with tenant.client() as client:
        csrf = csrf_token_of((await client.get(f"/set-password/{token}")).text)

        async def attempt(new: str, repeat: str) -> str:
            answer = await client.post(
                f"/set-password/{token}",
                data={"new_password": new, "repeat_password": repeat, "csrf_token": csrf},
            )
            assert answer.status_code == 400
            return answer.text

        short = await attempt("short", "short")
        assert 'id="new_password-error">New password must be at least 12 characters' in short
        common = await attempt("password1234", "password1234")
        assert 'id="new_password-error">New password is too common' in common
        differ = await attempt(NEW, NEW + "x")
        assert 'id="repeat_password-error">Repeat password does not match' in differ
        # Nothing was used up: the link still works.
        assert (await client.get(f"/set-password/{token}")).status_code == 200
    stored = await tenant.db.fetch_value(
        "SELECT password_hash FROM users WHERE email = 'weak@example.org'"
    )
    assert stored is None


async def test_an_unknown_or_expired_link_is_gone_and_changes_nothing(tenant: Tenant) -> None:
    _, token = await new_link(tenant, "late@example.org", timedelta(seconds=-1))
    async with tenant.client() as client:
        assert (await client.get(f"/set-password/{token}")).status_code == 410
        assert (await client.get("/set-password/not-a-token")).status_code == 410
        csrf = csrf_token_of((await client.get("/sign-in")).text)
        form = {"new_password": NEW, "repeat_password": NEW, "csrf_token": csrf}
        assert (await client.post(f"/set-password/{token}", data=form)).status_code == 410
    stored = await tenant.db.fetch_value(
        "SELECT password_hash FROM users WHERE email = 'late@example.org'"
    )
    assert stored is None
