"""The assignment list and an assignment's record: the API's list and access rules, the
timeline of its events, the actions each role is offered."""

from __future__ import annotations

import csv
import io
import re

import httpx
import pytest

from caseworks.auth.principal import Role
from tests.support.console import signed_in
from tests.support.page_caseload import Caseload, make_caseload
from tests.support.tenants import Tenant


@pytest.fixture
async def caseload(api: httpx.AsyncClient) -> Caseload:
    return await make_caseload(api)


def ids_listed(html: str) -> list[str]:
    return re.findall(r'name="assignment_id" value="(assign_[^"]+)"', html) or re.findall(
        r'href="/assignments/(assign_[A-Za-z0-9]+)"', html
    )


async def test_a_manager_sees_every_assignment_with_filters_sorts_and_export(
    tenant: Tenant, caseload: Caseload
) -> None:
    async with signed_in(tenant, Role.SUPERVISOR) as client:
        answer = await client.get("/assignments")
    assert answer.status_code == 200
    assert sorted(ids_listed(answer.text)) == sorted(caseload.assignments)
    assert '<button type="submit">Filter</button>' in answer.text
    assert 'aria-sort="ascending"><a href="/assignments?sort=-created_at">Created' in answer.text
    assert '<a href="/assignments?format=csv">Export CSV</a>' in answer.text
    assert "Reassign selected" in answer.text
    assert 'action="/assignments/bulk-reassign"' in answer.text
    assert "Select Per &lt;Olsen&gt;" in answer.text


async def test_the_list_equals_the_apis_for_the_same_filters(
    tenant: Tenant, caseload: Caseload, api: httpx.AsyncClient
) -> None:
    query = {"mentor_id": caseload.mentor_id, "sort": "-created_at", "limit": "1", "page": "2"}
    expected = (await api.get("/api/v1/assignments", params=query)).json()
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.get("/assignments", params=query)
    assert ids_listed(answer.text) == [row["assignment_id"] for row in expected["data"]]
    assert 'rel="prev"' in answer.text
    assert 'rel="next"' not in answer.text
    assert "2 assignments" in answer.text


async def test_blank_filters_mean_no_filter_and_unknown_ones_are_refused(
    tenant: Tenant, caseload: Caseload
) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        blank = await client.get("/assignments", params={"status": "", "mentor_id": ""})
        unknown = await client.get("/assignments", params={"colour": "blue"})
        wrong = await client.get("/assignments", params={"status": "pending"})
    assert sorted(ids_listed(blank.text)) == sorted(caseload.assignments)
    assert unknown.status_code == 400
    assert "colour" in unknown.text
    assert wrong.status_code == 400
    assert "status" in wrong.text


async def test_the_export_is_the_apis_export(
    tenant: Tenant, caseload: Caseload, api: httpx.AsyncClient
) -> None:
    query = {"mentor_id": caseload.mentor_id, "format": "csv"}
    expected = await api.get("/api/v1/assignments", params=query)
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.get("/assignments", params=query)
        paged = await client.get("/assignments", params={**query, "page": "2"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.text == expected.text
    assert len(list(csv.DictReader(io.StringIO(answer.text)))) == 2
    assert paged.status_code == 400


async def test_a_mentor_sees_its_own_and_no_bulk_reassign(
    tenant: Tenant, caseload: Caseload
) -> None:
    async with signed_in(tenant, Role.MENTOR, mentor_id=caseload.other_mentor_id) as client:
        answer = await client.get("/assignments")
    assert answer.status_code == 200
    assert ids_listed(answer.text) == [caseload.assignments[2]]
    assert "Reassign selected" not in answer.text
    assert 'type="checkbox"' not in answer.text


async def test_a_caseworker_has_no_mentoring_access(tenant: Tenant, caseload: Caseload) -> None:
    async with signed_in(tenant, Role.CASEWORKER) as client:
        listed = await client.get("/assignments")
        record = await client.get(f"/assignments/{caseload.first}")
    assert listed.status_code == 403
    assert record.status_code == 403


async def test_the_record_shows_details_escaped_notes_and_the_actions_of_a_manager(
    tenant: Tenant, caseload: Caseload
) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.get(f"/assignments/{caseload.first}")
    assert answer.status_code == 200
    text = answer.text
    assert "Per &lt;Olsen&gt;" in text
    assert f'href="/mentors/{caseload.mentor_id}"' in text
    assert 'href="/contacts/contact_' in text
    assert "First line.<br>\n&lt;b&gt;Second&lt;/b&gt; line." in text
    for action in ("log-contact", "reassign", "close"):
        assert f'href="/assignments/{caseload.first}/{action}"' in text
    assert "<h2>History</h2>" in text
    assert "created the assignment" in text


async def test_a_mentor_sees_its_record_without_the_timeline_and_only_log_contact(
    tenant: Tenant, caseload: Caseload
) -> None:
    async with signed_in(tenant, Role.MENTOR, mentor_id=caseload.mentor_id) as client:
        own = await client.get(f"/assignments/{caseload.first}")
        others = await client.get(f"/assignments/{caseload.assignments[2]}")
    assert own.status_code == 200
    assert f'href="/assignments/{caseload.first}/log-contact"' in own.text
    assert "/reassign" not in own.text
    assert "/close" not in own.text
    assert "History" not in own.text
    assert others.status_code == 404


async def test_another_agencys_assignment_is_not_found(
    other_tenant: Tenant, caseload: Caseload
) -> None:
    async with signed_in(other_tenant, Role.ADMIN) as client:
        answer = await client.get(f"/assignments/{caseload.first}")
        missing = await client.get("/assignments/assign_nothing")
    assert answer.status_code == 404
    assert missing.status_code == 404


async def test_the_timeline_names_who_did_what_and_why(
    tenant: Tenant, caseload: Caseload, api: httpx.AsyncClient
) -> None:
    moved = await api.post(
        f"/api/v1/assignments/{caseload.first}/reassign",
        json={"mentor_id": caseload.other_mentor_id, "reason": "Mentor moved away"},
    )
    assert moved.status_code == 201
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.get(f"/assignments/{caseload.first}")
    assert "reassigned it to mentor" in answer.text
    assert "Reason: Mentor moved away" in answer.text
    assert "a token (admin)" in answer.text
    assert re.search(r'<time datetime="\d{4}-[^"]+">[^<]*\d{4}[^<]*</time>', answer.text)
    opened = moved.json()["opened"]["assignment_id"]
    assert f'href="/assignments/{opened}"' in answer.text


async def test_htmx_gets_only_the_records_content(tenant: Tenant, caseload: Caseload) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.get(f"/assignments/{caseload.first}", headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert "<html" not in answer.text
    assert "<dl" in answer.text


async def test_signed_out_the_pages_send_to_sign_in(tenant: Tenant, caseload: Caseload) -> None:
    async with tenant.client() as client:
        answer = await client.get(f"/assignments/{caseload.first}")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/sign-in?next=/assignments/{caseload.first}"


async def test_the_record_and_its_forms_refuse_parameters_they_do_not_take(
    tenant: Tenant, caseload: Caseload
) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        record = await client.get(f"/assignments/{caseload.first}", params={"tab": "x"})
        form = await client.get(f"/assignments/{caseload.first}/close", params={"next": "/"})
    assert (record.status_code, form.status_code) == (400, 400)
    assert "tab" in record.text
    assert "next" in form.text
