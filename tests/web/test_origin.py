"""Absolute URLs come from configuration, not from the client: allowed hosts, the public URL and
forwarded headers from trusted proxies only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from caseworks.config import Settings, SettingsError
from caseworks.db import Database, DatabaseURL
from caseworks.web.app import create_app
from tests.support.childwelfare import JSONAPI
from tests.support.databases import make_settings
from tests.support.tenants import Tenant

PUBLIC = "https://caseworks.fjordby.no/case"
FOREIGN = {"Host": "evil.example"}


@asynccontextmanager
async def serving(
    database_url: DatabaseURL,
    db: Database,
    token: str,
    peer: tuple[str, int] = ("192.0.2.10", 40000),
    **settings: Any,
) -> AsyncIterator[httpx.AsyncClient]:
    """An app with these settings, called from ``peer``, as the holder of ``token``."""
    app = create_app(make_settings(database_url, **settings), database=db)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=peer)
        auth = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", headers=auth
        ) as client:
            yield client


async def an_assignment(api: httpx.AsyncClient) -> str:
    mentor = (await api.post("/api/v1/mentors", json={"name": "Mentor"})).json()
    contact = (await api.post("/api/v1/contacts", json={"name": "Contact"})).json()
    made = await api.post(
        "/api/v1/assignments",
        json={"mentor_id": mentor["mentor_id"], "contact_id": contact["contact_id"]},
    )
    assert made.status_code == 201, made.text
    return str(made.json()["assignment_id"])


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/api/v1/mentors", "application/problem+json"),
        ("/api/v1/assignments/assign_x", "application/problem+json"),  # a hot read, declared
        ("/api/v1/children", JSONAPI),
        ("/api/v1/worker_assignments", JSONAPI),  # the fast lane
        ("/api/v1/mentors/", "application/problem+json"),  # the trailing-slash redirect
    ],
)
async def test_a_foreign_host_is_400_before_anything_else(
    tenant: Tenant, path: str, media_type: str
) -> None:
    for token in (tenant.admin_token, None):
        async with tenant.client(token) as client:
            response = await client.get(path, headers=FOREIGN)
        assert response.status_code == 400, response.text
        assert response.headers["content-type"] == media_type
        assert "evil.example" not in response.text
        assert "Host" in response.text  # the header is named


async def test_allowed_hosts_match_without_port_any_case_and_by_wildcard(
    database_url: DatabaseURL, db: Database, tenant: Tenant
) -> None:
    hosts = ("testserver", "*.fjordby.no")
    async with serving(database_url, db, tenant.admin_token, allowed_hosts=hosts) as client:
        for host in ("TestServer:8000", "api.fjordby.no", "a.b.FJORDBY.no:443"):
            ok = await client.get("/api/v1/mentors", headers={"Host": host})
            assert ok.status_code == 200, host
        for host in ("fjordby.no.evil.example", "xfjordby.no", "testserver:99999", "a b", ""):
            refused = await client.get("/api/v1/mentors", headers={"Host": host})
            assert refused.status_code == 400, host


async def test_the_trailing_slash_redirect_names_the_allowed_host_or_the_public_url(
    database_url: DatabaseURL, db: Database, tenant: Tenant
) -> None:
    async with tenant.client() as client:  # no token: the redirect needs none
        redirect = await client.get("/api/v1/mentors/?page=2")
    assert redirect.status_code == 307
    assert redirect.headers["location"] == "http://testserver/api/v1/mentors?page=2"

    async with serving(database_url, db, "", public_url=PUBLIC) as client:
        redirect = await client.get("/api/v1/mentors/", headers={"Host": "localhost:1"})
    assert redirect.status_code == 307
    assert redirect.headers["location"] == f"{PUBLIC}/api/v1/mentors"


async def test_with_a_public_url_every_link_and_location_uses_it_whatever_host_says(
    database_url: DatabaseURL, db: Database, tenant: Tenant
) -> None:
    async with serving(database_url, db, tenant.admin_token, public_url=PUBLIC) as client:
        for host in ("testserver", "caseworks.fjordby.no", "localhost:8000"):
            client.headers["Host"] = host
            mentor = await client.post("/api/v1/mentors", json={"name": "M"})
            assert mentor.headers["location"].startswith(f"{PUBLIC}/api/v1/mentors/mentor_")
            assignment_id = await an_assignment(client)
            child = await client.post(
                "/api/v1/children",
                json={"data": {"type": "children", "attributes": {"last-name": "Berg"}}},
                headers={"Content-Type": JSONAPI},
            )
            assert child.headers["location"].startswith(f"{PUBLIC}/api/v1/children/child_")
            child_id = child.json()["data"]["id"]
            assert child.json()["data"]["links"]["self"] == f"{PUBLIC}/api/v1/children/{child_id}"
            for path in ("/api/v1/children", "/api/v1/worker_assignments"):  # framework, fast
                links = (await client.get(path, params={"page[size]": 1})).json()["links"]
                assert links["self"] == f"{PUBLIC}{path}?page%5Bsize%5D=1"
                assert links["first"].startswith(f"{PUBLIC}{path}?")
            assert assignment_id


async def test_forwarded_headers_count_only_from_a_trusted_proxy(
    database_url: DatabaseURL, db: Database, tenant: Tenant
) -> None:
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "caseworks.fjordby.no"}
    hosts = ("testserver", "caseworks.fjordby.no")
    proxies = ("10.0.0.0/8", "::1")
    for peer, origin in (
        (("10.1.2.3", 5000), "https://caseworks.fjordby.no"),
        (("192.0.2.7", 5000), "http://testserver"),  # not a proxy: the headers are ignored
    ):
        async with serving(
            database_url,
            db,
            tenant.admin_token,
            peer=peer,
            allowed_hosts=hosts,
            trusted_proxies=proxies,
        ) as client:
            page = await client.get("/api/v1/children", headers=forwarded)
            assert page.json()["links"]["self"] == f"{origin}/api/v1/children", peer
            foreign = {**forwarded, "X-Forwarded-Host": "evil.example"}
            refused = await client.get("/api/v1/children", headers=foreign)
            assert refused.status_code == (400 if peer[0] == "10.1.2.3" else 200), peer


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CASEWORKS_PUBLIC_URL", "caseworks.fjordby.no"),
        ("CASEWORKS_PUBLIC_URL", "ftp://caseworks.fjordby.no"),
        ("CASEWORKS_PUBLIC_URL", "https://caseworks.fjordby.no/?x=1"),
        ("CASEWORKS_PUBLIC_URL", "https://user@caseworks.fjordby.no"),
        ("CASEWORKS_PUBLIC_URL", "https://caseworks.fjordby.no:99999"),
        ("CASEWORKS_ALLOWED_HOSTS", "localhost:8000"),
        ("CASEWORKS_ALLOWED_HOSTS", "https://localhost"),
        ("CASEWORKS_TRUSTED_PROXIES", "10.0.0.0/33"),
        ("CASEWORKS_TRUSTED_PROXIES", "proxy.internal"),
    ],
)
def test_bad_origin_settings_stop_the_start(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_origin_settings_and_their_defaults() -> None:
    assert Settings.from_env({}).allowed_hosts == ("127.0.0.1", "localhost")
    assert Settings.from_env({}).trusted_proxies == ()
    settings = Settings.from_env(
        {
            "CASEWORKS_PUBLIC_URL": "HTTPS://Caseworks.Fjordby.no:8443/case/",
            "CASEWORKS_ALLOWED_HOSTS": "*, *.fjordby.no",
            "CASEWORKS_TRUSTED_PROXIES": "10.0.0.1, fd00::/8",
        }
    )
    assert settings.public_url == "https://caseworks.fjordby.no:8443/case"
    assert settings.allowed_hosts == ("*", "*.fjordby.no")
    assert settings.trusted_proxies == ("10.0.0.1", "fd00::/8")
