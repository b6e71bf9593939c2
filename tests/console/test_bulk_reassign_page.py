"""`/assignments/bulk-reassign`: the dialog, the dry run's preview, the run's result per item."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from bs4 import BeautifulSoup

from caseworks.auth.principal import Role
from tests.support.console import signed_in
from tests.support.mentoring import create_assignment, create_contact, create_mentor
from tests.support.tenants import Tenant

PATH = "/assignments/bulk-reassign"


async def three_with_one_conflict(api: httpx.AsyncClient) -> tuple[list[str], str, str]:
    """Three assignments of one mentor, and a target that already has the third's contact."""
    source = await create_mentor(api, name="Ada Source")
    target = await create_mentor(api, name="Bea Target")
    ids = []
    for name in ("Cato", "Dina", "Emil"):
        contact = await create_contact(api, name=name)
        made = await create_assignment(api, source["mentor_id"], contact["contact_id"])
        ids.append(made["assignment_id"])
    await create_assignment(api, target["mentor_id"], contact["contact_id"])
    return ids, target["mentor_id"], source["mentor_id"]


def results_of(html: str) -> dict[str, str]:
    rows = BeautifulSoup(html, "html.parser").select("tbody tr")
    return {
        row.select("td")[0].get_text(strip=True): row.select("td")[1].get_text() for row in rows
    }


def form(ids: list[str], **fields: Any) -> dict[str, Any]:
    return {"assignment_id": ids, **fields}


async def open_assignments_of(api: httpx.AsyncClient, mentor_id: str) -> int:
    answer = await api.get(f"/api/v1/assignments/mentor/{mentor_id}/open-count")
    assert answer.status_code == 200, answer.text
    return int(answer.json()["open_assignment_count"])


async def test_the_dialog_asks_for_a_target_without_a_blank_choice(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    ids, target, _ = await three_with_one_conflict(api)
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.post(PATH, data=form(ids))
    assert answer.status_code == 200
    page = BeautifulSoup(answer.text, "html.parser")
    select = page.select_one("select#mentor_id")
    assert select is not None
    assert select.has_attr("required")
    assert page.select_one("label[for=mentor_id]").get_text() == "Target mentor"  # type: ignore[union-attr]
    values = [option["value"] for option in select.select("option")]
    assert "" not in values
    assert target in values
    assert page.select_one("label[for=reason]").get_text() == "Reason"  # type: ignore[union-attr]
    assert page.select_one("#send_notification").has_attr("checked")  # type: ignore[union-attr]
    carried = [field["value"] for field in page.select("input[type=hidden][name=assignment_id]")]
    assert carried == ids
    assert page.find("button", string="Preview") is not None


async def test_a_blank_target_or_reason_is_refused_with_a_message(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    ids, target, source = await three_with_one_conflict(api)
    async with signed_in(tenant, Role.SUPERVISOR) as client:
        blank = await client.post(
            PATH, data=form(ids, mentor_id="", reason="moving", step="preview")
        )
        no_reason = await client.post(
            PATH, data=form(ids, mentor_id=target, reason=" ", step="reassign")
        )
    assert blank.status_code == 400
    assert "a blank choice never unassigns" in blank.text
    assert no_reason.status_code == 400
    assert "Give the reason" in no_reason.text
    assert await open_assignments_of(api, source) == 3  # nothing moved, nothing unassigned


async def test_the_preview_is_the_dry_run_and_shows_the_conflict_as_such(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    ids, target, source = await three_with_one_conflict(api)
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.post(
            PATH, data=form(ids, mentor_id=target, reason="leave", step="preview")
        )
    assert answer.status_code == 200, answer.text
    results = results_of(answer.text)
    assert results == {ids[0]: "Reassigned", ids[1]: "Reassigned", ids[2]: "Conflict"}
    page = BeautifulSoup(answer.text, "html.parser")
    assert page.find("button", string="Reassign") is not None
    assert page.find("button", string="Back") is not None
    carried = {field["name"] for field in page.select("form input[type=hidden]")}
    assert {"assignment_id", "mentor_id", "reason", "csrf_token"} <= carried
    dry = await api.post(
        "/api/v1/assignments/bulk-reassign",
        json={"assignment_ids": ids, "mentor_id": target, "reason": "leave", "dry_run": True},
    )
    assert [item["result"] for item in dry.json()["results"]] == [
        "reassigned",
        "reassigned",
        "conflict",
    ]
    assert await open_assignments_of(api, source) == 3  # a preview writes nothing


async def test_reassign_moves_them_and_links_the_new_assignments(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    ids, target, source = await three_with_one_conflict(api)
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.post(
            PATH, data=form(ids, mentor_id=target, reason="leave", step="reassign")
        )
    assert answer.status_code == 200, answer.text
    assert results_of(answer.text)[ids[2]] == "Conflict"
    page = BeautifulSoup(answer.text, "html.parser")
    counts = [item.get_text(" ", strip=True) for item in page.select(".counts li")]
    assert counts == ["Reassigned: 2", "Conflict: 1", "Over capacity: 0", "Not found: 0"]
    links = [link["href"] for link in page.select("tbody td:nth-of-type(4) a")]
    assert len(links) == 2
    for link in links:
        opened = await api.get(f"/api/v1{link}")
        assert opened.json()["mentor_id"] == target
    assert await open_assignments_of(api, source) == 1
    assert await open_assignments_of(api, target) == 3


async def test_back_shows_the_dialog_with_the_choices_kept(
    tenant: Tenant, api: httpx.AsyncClient
) -> None:
    ids, target, _ = await three_with_one_conflict(api)
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.post(
            PATH, data=form(ids, mentor_id=target, reason="leave", step="choose")
        )
    page = BeautifulSoup(answer.text, "html.parser")
    assert page.select_one("select#mentor_id option[selected]")["value"] == target  # type: ignore[index]
    assert page.select_one("textarea#reason").get_text() == "leave"  # type: ignore[union-attr]
    assert not page.select_one("#send_notification").has_attr("checked")  # type: ignore[union-attr]


async def test_another_agencys_assignment_is_not_found(
    tenant: Tenant, other_tenant: Tenant, api: httpx.AsyncClient
) -> None:
    ids, _target, _ = await three_with_one_conflict(api)
    async with signed_in(other_tenant, Role.ADMIN) as client:
        async with other_tenant.client(other_tenant.admin_token) as other_api:
            own = await create_mentor(other_api, name="Own Mentor")
        answer = await client.post(
            PATH, data=form(ids[:1], mentor_id=own["mentor_id"], reason="x", step="reassign")
        )
    assert results_of(answer.text) == {ids[0]: "Not found"}


@pytest.mark.parametrize("role", [Role.MENTOR, Role.CASEWORKER])
async def test_other_roles_do_not_get_the_page(
    tenant: Tenant, api: httpx.AsyncClient, role: Role
) -> None:
    ids, target, source = await three_with_one_conflict(api)
    mentor_id = source if role is Role.MENTOR else None
    async with signed_in(tenant, role, mentor_id=mentor_id) as client:
        answer = await client.post(
            PATH, data=form(ids, mentor_id=target, reason="x", step="reassign")
        )
    assert answer.status_code == 404
    assert await open_assignments_of(api, source) == 3


async def test_without_the_csrf_token_nothing_moves(tenant: Tenant, api: httpx.AsyncClient) -> None:
    ids, target, source = await three_with_one_conflict(api)
    async with signed_in(tenant, Role.ADMIN) as client:
        del client.headers["X-CSRF-Token"]
        answer = await client.post(
            PATH, data=form(ids, mentor_id=target, reason="x", step="reassign")
        )
    assert answer.status_code == 403
    assert await open_assignments_of(api, source) == 3


async def test_nothing_selected_or_a_get_explains_to_select_rows_first(tenant: Tenant) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        shown = await client.get(PATH)
        empty = await client.post(PATH, data={})
    assert shown.status_code == 200
    assert "Select the assignments" in shown.text
    assert empty.status_code == 400
    assert "Select the assignments" in empty.text


async def test_more_than_the_limit_or_an_unknown_field_is_refused(tenant: Tenant) -> None:
    many = [f"assign_{index:05d}" for index in range(501)]
    async with signed_in(tenant, Role.ADMIN) as client:
        too_many = await client.post(PATH, data=form(many))
        unknown = await client.post(PATH, data=form(many[:1], unassign="yes"))
    assert too_many.status_code == 400
    assert "at most 500" in too_many.text
    assert unknown.status_code == 400
    assert "unassign" in unknown.text


async def test_htmx_gets_the_dialogs_fragment(tenant: Tenant, api: httpx.AsyncClient) -> None:
    ids, _, _ = await three_with_one_conflict(api)
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.post(PATH, data=form(ids), headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith('<section class="bulk-reassign"')
    assert "<html" not in answer.text
