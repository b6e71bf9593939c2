"""The forms on an assignment: log a contact, reassign, close, reopen; each through the API's own
service, refusing what the role may not do whatever the form says."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from caseworks.auth.principal import Role
from tests.support.console import signed_in
from tests.support.page_caseload import Caseload, make_caseload
from tests.support.tenants import Tenant


@pytest.fixture
async def caseload(api: httpx.AsyncClient) -> Caseload:
    return await make_caseload(api)


async def assignment(api: httpx.AsyncClient, assignment_id: str) -> dict[str, object]:
    answer = await api.get(f"/api/v1/assignments/{assignment_id}")
    assert answer.status_code == 200
    return dict(answer.json())


def today() -> str:
    return datetime.now(UTC).date().isoformat()  # the test agency's time zone is UTC


# --- log a contact -------------------------------------------------------------------------------


async def test_the_log_contact_form_has_its_fields_with_today_by_default(
    tenant: Tenant, caseload: Caseload
) -> None:
    async with signed_in(tenant, Role.MENTOR, mentor_id=caseload.mentor_id) as client:
        answer = await client.get(f"/assignments/{caseload.first}/log-contact")
    assert answer.status_code == 200
    assert '<label for="contact_date">Contact date</label>' in answer.text
    assert f'type="date" required value="{today()}"' in answer.text
    assert '<label for="note">Note</label>' in answer.text
    assert '<button type="submit">Save</button>' in answer.text


async def test_a_mentor_logs_a_contact_and_the_api_shows_it(
    tenant: Tenant, caseload: Caseload, api: httpx.AsyncClient
) -> None:
    async with signed_in(tenant, Role.MENTOR, mentor_id=caseload.mentor_id) as client:
        answer = await client.post(
            f"/assignments/{caseload.first}/log-contact",
            data={"contact_date": "2026-03-30", "note": "  Met at the library.  "},
        )
        shown = await client.get(answer.headers["location"])
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/assignments/{caseload.first}?done=logged"
    assert "The contact was logged." in shown.text
    seen = await assignment(api, caseload.first)
    assert seen["last_contact_date"] == "2026-03-30T00:00:00Z"
    assert seen["notes"] == "First line.\n<b>Second</b> line.\n\nMet at the library."


async def test_after_logging_a_mentor_goes_back_only_to_a_same_site_next(
    tenant: Tenant, caseload: Caseload
) -> None:
    path = f"/assignments/{caseload.first}/log-contact"
    async with signed_in(tenant, Role.MENTOR, mentor_id=caseload.mentor_id) as client:
        form = await client.get(path, params={"next": "/"})
        home = await client.post(path, data={"contact_date": today(), "note": "", "next": "/"})
        away = await client.post(
            path, data={"contact_date": today(), "note": "", "next": "//evil.example/"}
        )
    assert 'name="next" value="/"' in form.text
    assert home.headers["location"] == "/"
    assert away.headers["location"] == "/"


async def test_a_wrong_date_is_shown_beside_its_field_and_nothing_changes(
    tenant: Tenant, caseload: Caseload, api: httpx.AsyncClient
) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.post(
            f"/assignments/{caseload.first}/log-contact",
            data={"contact_date": "30.03.2026", "note": "kept in the form"},
        )
    assert answer.status_code == 400
    assert 'role="alert"' in answer.text
    assert 'aria-invalid="true" aria-describedby="contact_date-error"' in answer.text
    assert "Enter a date as YYYY-MM-DD." in answer.text
    assert "kept in the form</textarea>" in answer.text
    assert (await assignment(api, caseload.first))["last_contact_date"] is None


async def test_an_unknown_field_is_refused(tenant: Tenant, caseload: Caseload) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.post(
            f"/assignments/{caseload.first}/log-contact",
            data={"contact_date": today(), "note": "", "status": "closed"},
        )
    assert answer.status_code == 400
    assert "status" in answer.text


async def test_another_mentors_assignment_is_not_found_to_log(
    tenant: Tenant, caseload: Caseload, api: httpx.AsyncClient
) -> None:
    path = f"/assignments/{caseload.assignments[2]}/log-contact"
    async with signed_in(tenant, Role.MENTOR, mentor_id=caseload.mentor_id) as client:
        shown = await client.get(path)
        sent = await client.post(path, data={"contact_date": today(), "note": "x"})
    assert shown.status_code == 404
    assert sent.status_code == 404
    assert (await assignment(api, caseload.assignments[2]))["last_contact_date"] is None


# --- reassign ------------------------------------------------------------------------------------


async def test_the_reassign_form_offers_the_other_mentors_lightest_first(
    tenant: Tenant, caseload: Caseload, api: httpx.AsyncClient
) -> None:
    await api.post("/api/v1/mentors", json={"name": "Eva Lund", "max_open_assignments": 4})
    async with signed_in(tenant, Role.SUPERVISOR) as client:
        answer = await client.get(f"/assignments/{caseload.first}/reassign")
    assert answer.status_code == 200
    assert '<label for="mentor_id">Mentor</label>' in answer.text
    assert f'value="{caseload.mentor_id}"' not in answer.text
    eva = answer.text.index("Eva Lund (0 of 4 open)")
    ola = answer.text.index("Ola Hansen (1 open, no limit)")
    assert eva < ola
    assert 'id="send_notification" name="send_notification" type="checkbox" checked' in (
        answer.text
    )
    assert '<label for="override_capacity">Override capacity</label>' in answer.text


async def test_a_manager_reassigns_and_lands_on_the_new_assignment(
    tenant: Tenant, caseload: Caseload, api: httpx.AsyncClient
) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.post(
            f"/assignments/{caseload.first}/reassign",
            data={
                "mentor_id": caseload.other_mentor_id,
                "reason": "Closer to home",
                "send_notification": "on",
            },
        )
        shown = await client.get(answer.headers["location"])
    assert answer.status_code == 303
    closed = await assignment(api, caseload.first)
    assert closed["status"] == "closed"
    assert closed["closed_reason"] == "Closer to home"
    opened = closed["next_assignment_id"]
    assert answer.headers["location"] == f"/assignments/{opened}?done=reassigned"
    assert f'href="/assignments/{caseload.first}"' in shown.text
    assert "this is the new one" in shown.text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reason": "x"}, "Choose a mentor."),
        ({"mentor_id": "OTHER"}, "Enter a reason."),
        ({"mentor_id": "mentor_nobody", "reason": "x"}, "There is no such mentor."),
    ],
)
async def test_a_reassignment_missing_something_is_shown_on_the_form(
    tenant: Tenant, caseload: Caseload, fields: dict[str, str], message: str
) -> None:
    data = {
        name: caseload.other_mentor_id if value == "OTHER" else value
        for name, value in fields.items()
    }
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.post(f"/assignments/{caseload.first}/reassign", data=data)
    assert answer.status_code in (400, 409)
    assert message in answer.text
    assert 'role="alert"' in answer.text


async def test_over_capacity_needs_the_override_with_a_reason(
    tenant: Tenant, caseload: Caseload, api: httpx.AsyncClient
) -> None:
    # The first mentor holds two of two: moving the third assignment to it goes over.
    third = caseload.assignments[2]
    data = {"mentor_id": caseload.mentor_id, "reason": "Needs a Norwegian speaker"}
    async with signed_in(tenant, Role.ADMIN) as client:
        refused = await client.post(f"/assignments/{third}/reassign", data=data)
        allowed = await client.post(
            f"/assignments/{third}/reassign", data={**data, "override_capacity": "on"}
        )
    assert refused.status_code == 409
    assert "This mentor is at or over capacity" in refused.text
    assert allowed.status_code == 303
    assert (await assignment(api, third))["status"] == "closed"


async def test_a_closed_assignment_is_not_reassigned(
    tenant: Tenant, caseload: Caseload, api: httpx.AsyncClient
) -> None:
    await api.patch(f"/api/v1/assignments/{caseload.first}/status", json={"status": "closed"})
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.post(
            f"/assignments/{caseload.first}/reassign",
            data={"mentor_id": caseload.other_mentor_id, "reason": "x"},
        )
    assert answer.status_code == 409
    assert "The assignment is closed." in answer.text


async def test_a_mentor_may_not_reassign_or_close_whatever_it_posts(
    tenant: Tenant, caseload: Caseload, api: httpx.AsyncClient
) -> None:
    async with signed_in(tenant, Role.MENTOR, mentor_id=caseload.mentor_id) as client:
        form = await client.get(f"/assignments/{caseload.first}/reassign")
        moved = await client.post(
            f"/assignments/{caseload.first}/reassign",
            data={"mentor_id": caseload.other_mentor_id, "reason": "x"},
        )
        closed = await client.post(
            f"/assignments/{caseload.first}/close",
            data={"reason": "x", "closed_date": today()},
        )
    assert (form.status_code, moved.status_code, closed.status_code) == (403, 403, 403)
    assert (await assignment(api, caseload.first))["status"] == "open"


# --- close and reopen ----------------------------------------------------------------------------


async def test_the_close_form_has_a_reason_and_todays_date(
    tenant: Tenant, caseload: Caseload
) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.get(f"/assignments/{caseload.first}/close")
    assert '<label for="reason">Reason</label>' in answer.text
    assert '<label for="closed_date">Closed date</label>' in answer.text
    assert f'value="{today()}"' in answer.text
    assert '<button type="submit">Close assignment</button>' in answer.text


async def test_closing_records_the_reason_and_the_date_given(
    tenant: Tenant, caseload: Caseload, api: httpx.AsyncClient
) -> None:
    async with signed_in(tenant, Role.SUPERVISOR) as client:
        answer = await client.post(
            f"/assignments/{caseload.first}/close",
            data={"reason": "Goals met", "closed_date": "2026-03-15"},
        )
        record = await client.get(f"/assignments/{caseload.first}")
    assert answer.status_code == 303
    closed = await assignment(api, caseload.first)
    assert closed["status"] == "closed"
    assert closed["closed_reason"] == "Goals met"
    assert closed["closed_date"] == "2026-03-15T00:00:00Z"
    assert "closed it" in record.text
    assert "Reason: Goals met" in record.text
    assert "Reopen" in record.text


async def test_closing_without_a_reason_is_shown_and_changes_nothing(
    tenant: Tenant, caseload: Caseload, api: httpx.AsyncClient
) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.post(
            f"/assignments/{caseload.first}/close", data={"reason": " ", "closed_date": today()}
        )
    assert answer.status_code == 400
    assert "Enter a reason." in answer.text
    assert (await assignment(api, caseload.first))["status"] == "open"


async def test_a_closed_assignment_is_reopened(
    tenant: Tenant, caseload: Caseload, api: httpx.AsyncClient
) -> None:
    await api.patch(f"/api/v1/assignments/{caseload.first}/status", json={"status": "closed"})
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.post(f"/assignments/{caseload.first}/reopen")
    assert answer.headers["location"] == f"/assignments/{caseload.first}?done=reopened"
    assert (await assignment(api, caseload.first))["status"] == "open"


async def test_a_form_without_the_csrf_token_is_refused_and_changes_nothing(
    tenant: Tenant, caseload: Caseload, api: httpx.AsyncClient
) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        form = await client.get(f"/assignments/{caseload.first}/close")
        del client.headers["X-CSRF-Token"]
        answer = await client.post(
            f"/assignments/{caseload.first}/close",
            data={"reason": "Goals met", "closed_date": today()},
        )
    assert 'name="csrf_token" value="' in form.text
    assert answer.status_code == 403
    assert (await assignment(api, caseload.first))["status"] == "open"


async def test_the_forms_speak_norwegian_to_a_norwegian_reader(
    tenant: Tenant, caseload: Caseload
) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        client.headers["Accept-Language"] = "nb"
        record = await client.get(f"/assignments/{caseload.first}")
        form = await client.post(
            f"/assignments/{caseload.first}/close", data={"reason": "", "closed_date": ""}
        )
    assert "Registrer kontakt" in record.text
    assert "Historikk" in record.text
    assert "Skriv en begrunnelse." in form.text
    assert '<button type="submit">Avslutt oppdraget</button>' in form.text


async def test_htmx_gets_the_form_with_its_errors_as_a_fragment(
    tenant: Tenant, caseload: Caseload
) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.post(
            f"/assignments/{caseload.first}/log-contact",
            data={"contact_date": "", "note": ""},
            headers={"HX-Request": "true"},
        )
    assert answer.status_code == 400
    assert "<html" not in answer.text
    assert "Enter a date as YYYY-MM-DD." in answer.text


async def test_a_multipart_form_is_read_as_an_urlencoded_one(
    tenant: Tenant, caseload: Caseload, api: httpx.AsyncClient
) -> None:
    async with signed_in(tenant, Role.ADMIN) as client:
        answer = await client.post(
            f"/assignments/{caseload.first}/log-contact",
            files={"contact_date": (None, "2026-03-30"), "note": (None, "By post.")},
        )
    assert answer.status_code == 303
    assert str((await assignment(api, caseload.first))["notes"]).endswith("By post.")
