"""Form bodies: read by the framework, validated into the page's model, errors by field."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import UploadFile

from caseworks.auth.principal import Role
from caseworks.auth.users import SESSION_COOKIE
from caseworks.console.forms import FormBody, FormRefused, validate_form
from caseworks.console.rendering import environment
from tests.support.console import PASSWORD, console_user, csrf_token_of
from tests.support.tenants import Tenant


class MentorForm(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    name: str = Field(min_length=1)
    capacity: int | None = None
    areas: list[str] = []
    photo: UploadFile | None = None


def test_a_valid_form_becomes_the_model() -> None:
    form = validate_form(
        MentorForm, FormBody({"name": ["Ada"], "capacity": ["4"], "areas": ["north", "east"]})
    )
    assert form.errors == {}
    assert form.value == MentorForm(name="Ada", capacity=4, areas=["north", "east"])


def test_a_blank_input_counts_as_not_given() -> None:
    form = validate_form(MentorForm, FormBody({"name": [" "], "capacity": [""]}))
    assert form.value is None
    assert form.errors == {"name": "is required"}
    assert form.values == {"name": " ", "capacity": ""}


def test_errors_are_by_field_in_the_api_wording() -> None:
    form = validate_form(MentorForm, FormBody({"name": ["Ada"], "capacity": ["many"]}))
    assert form.value is None
    assert set(form.errors) == {"capacity"}
    assert "integer" in form.errors["capacity"]


def test_an_unknown_field_or_a_repeated_one_is_refused_by_name() -> None:
    with pytest.raises(FormRefused, match=r"^nickname: is not a field"):
        validate_form(MentorForm, FormBody({"name": ["Ada"], "nickname": ["A"]}))
    with pytest.raises(FormRefused, match=r"^name: is given more than once"):
        validate_form(MentorForm, FormBody({"name": ["Ada", "Bea"]}))


async def test_an_unknown_field_is_a_400_page_naming_it(tenant: Tenant) -> None:
    email = await console_user(tenant, Role.ADMIN)
    async with tenant.client() as client:
        token = csrf_token_of((await client.get("/sign-in")).text)
        form = {"email": email, "password": PASSWORD, "csrf_token": token, "remember": "1"}
        answer = await client.post("/sign-in", data=form)
    assert answer.status_code == 400
    assert "remember: is not a field" in answer.text
    assert SESSION_COOKIE not in answer.cookies


async def test_a_multipart_form_is_read_as_well(tenant: Tenant) -> None:
    email = await console_user(tenant, Role.ADMIN)
    async with tenant.client() as client:
        token = csrf_token_of((await client.get("/sign-in")).text)
        fields: Any = {"email": email, "password": PASSWORD, "csrf_token": token}
        answer = await client.post(
            "/sign-in", data=fields, files={"unused": ("a.csv", b"x", "text/csv")}
        )
        assert answer.status_code == 400  # the file is a field sign-in does not have
        assert "unused: is not a field" in answer.text
        answer = await client.post("/sign-in", files={k: (None, v) for k, v in fields.items()})
    assert answer.status_code == 303
    assert SESSION_COOKIE in answer.cookies


async def test_a_body_that_is_no_form_is_refused(tenant: Tenant) -> None:
    async with tenant.client() as client:
        token = csrf_token_of((await client.get("/sign-in")).text)
        answer = await client.post("/sign-in", json={"email": "a"}, headers={"X-CSRF-Token": token})
    assert answer.status_code == 400


def test_the_field_macro_marks_an_invalid_input_and_the_summary_is_an_alert() -> None:
    template = environment.from_string(
        '{{ error_summary({"capacity": "Capacity"}) }}{{ field("capacity", "Capacity") }}'
        '{{ field("name", "Name") }}'
    )
    html = template.render(
        errors={"capacity": "must be a whole number"}, values={"capacity": "many", "name": "Ada"}
    )
    assert 'role="alert"' in html
    assert '<a href="#capacity">Capacity must be a whole number</a>' in html
    assert 'id="capacity-error">Capacity must be a whole number</p>' in html
    assert 'aria-invalid="true" aria-describedby="capacity-error"' in html
    assert 'value="many"' in html
    assert '<input id="name" name="name" type="text" value="Ada">' in html
