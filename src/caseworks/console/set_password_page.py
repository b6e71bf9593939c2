"""/set-password/{token}: a new user's first password, or a forgotten one, through a single-use
link. An unknown, used or expired link is 410 Gone and changes nothing; a good one is used up,
every session of the user ends, and the user is sent to sign in with the new password."""

from __future__ import annotations

from pydantic import BaseModel
from starlette.responses import Response

from caseworks.auth.passwords import weakness
from caseworks.auth.users import password_link_user, use_password_link
from caseworks.console.pages import PageRequest, see_other
from caseworks.console.rendering import error_page, render
from caseworks.console.sessions import now_of
from caseworks.console.translations import N_

LINK_GONE = N_(
    "This link is no longer valid: it is unknown, was used already, or has expired."
    " Ask for a new one."
)
MISMATCH = N_("does not match the new password")
CONFIRMED_AT = "/sign-in?password=set"  # the sign-in page confirms the new password


class SetPasswordForm(BaseModel):
    new_password: str
    repeat_password: str


async def set_password_form(page: PageRequest) -> Response:
    token = page.request.path_params["token"]
    if await password_link_user(page.state.db, token, now_of(page.request)) is None:
        return error_page(page, 410, LINK_GONE)
    return render(page, "set_password.html", {"token": token})


async def set_password_save(page: PageRequest) -> Response:
    token = page.request.path_params["token"]
    now = now_of(page.request)
    if await password_link_user(page.state.db, token, now) is None:
        return error_page(page, 410, LINK_GONE)
    form: SetPasswordForm | None = page.form
    errors = dict(page.form_errors)
    if form is not None:
        errors = _password_errors(form)
    if errors or form is None:
        return render(page, "set_password.html", {"token": token, "errors": errors}, status=400)
    if not await use_password_link(page.state.db, token, form.new_password, now):
        return error_page(page, 410, LINK_GONE)
    return see_other(CONFIRMED_AT)


def _password_errors(form: SetPasswordForm) -> dict[str, str]:
    """Each problem beside its field: a weak or common password, or two that differ."""
    if (why := weakness(form.new_password)) is not None:
        return {"new_password": why}
    if form.repeat_password != form.new_password:
        return {"repeat_password": MISMATCH}
    return {}
