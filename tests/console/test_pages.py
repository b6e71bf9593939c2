"""Pages are served from the route table: sign-in, the session gate, headers, fragments."""

from __future__ import annotations

from caseworks.console.redirects import safe_next
from tests.support.tenants import Tenant


async def test_the_sign_in_page_has_email_password_and_a_sign_in_button(tenant: Tenant) -> None:
    async with tenant.client() as client:
        answer = await client.get("/sign-in")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert '<label for="email">Email</label>' in answer.text
    assert '<label for="password">Password</label>' in answer.text
    assert '<button type="submit">Sign in</button>' in answer.text


async def test_a_page_answer_is_never_cached_and_carries_the_page_policy(tenant: Tenant) -> None:
    async with tenant.client() as client:
        answer = await client.get("/sign-in")
    assert answer.headers["cache-control"] == "no-store"
    policy = answer.headers["content-security-policy"]
    for directive in ("script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"):
        assert directive in policy


async def test_a_page_that_needs_a_session_redirects_to_sign_in_and_back(tenant: Tenant) -> None:
    async with tenant.client() as client:
        answer = await client.get("/")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=/"


async def test_a_bearer_token_never_opens_a_page(tenant: Tenant) -> None:
    async with tenant.client(tenant.admin_token) as client:
        answer = await client.get("/")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/sign-in")


async def test_htmx_gets_only_the_fragment(tenant: Tenant) -> None:
    async with tenant.client() as client:
        answer = await client.get("/sign-in", headers={"HX-Request": "true"})
    assert "<h1>Sign in</h1>" in answer.text
    assert "<html" not in answer.text


async def test_the_sign_in_form_keeps_only_a_same_site_next(tenant: Tenant) -> None:
    async with tenant.client() as client:
        kept = await client.get("/sign-in", params={"next": "/mentors"})
        refused = await client.get("/sign-in", params={"next": "//evil.example/"})
    assert 'action="/sign-in?next=/mentors"' in kept.text
    assert 'action="/sign-in"' in refused.text


def test_only_same_site_relative_paths_are_followed_after_sign_in() -> None:
    assert safe_next("/mentors?page=2") == "/mentors?page=2"
    for hostile in ("https://evil.example/", "//evil.example", "/\\evil.example", None, ""):
        assert safe_next(hostile) == "/"


async def test_the_stylesheet_is_served_with_an_etag(tenant: Tenant) -> None:
    async with tenant.client() as client:
        answer = await client.get("/static/console.css")
        again = await client.get(
            "/static/console.css", headers={"If-None-Match": answer.headers["etag"]}
        )
        missing = await client.get("/static/nothing.css")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/css")
    assert again.status_code == 304
    assert missing.status_code == 404
