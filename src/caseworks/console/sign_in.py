"""Signing in and out."""

from __future__ import annotations

from pydantic import BaseModel
from starlette.responses import Response

from caseworks.auth.users import SESSION_COOKIE, check_password, end_session, start_session
from caseworks.console.pages import PageRequest, see_other
from caseworks.console.redirects import safe_next
from caseworks.console.rendering import render
from caseworks.console.sessions import now_of
from caseworks.console.translations import N_

WRONG = N_("Email or password is wrong.")


class SignInForm(BaseModel):
    email: str
    password: str


async def sign_in_form(page: PageRequest) -> Response:
    target = safe_next(page.request.query_params.get("next"))
    return render(page, "sign_in.html", {"next": target if target != "/" else None})


async def sign_in(page: PageRequest) -> Response:
    form: SignInForm | None = page.form
    target = safe_next(page.request.query_params.get("next"))
    matches = [] if form is None else await check_password(page.state.db, form.email, form.password)
    if len(matches) != 1:
        context = {"next": target if target != "/" else None, "message": page.gettext(WRONG)}
        return render(page, "sign_in.html", context, status=400)
    account = matches[0]
    now = now_of(page.request)
    session_id = await start_session(page.state.db, account["agency_id"], account["id"], now)
    response = see_other(target)
    secure = (page.state.settings.public_url or "").startswith("https://")
    response.set_cookie(
        SESSION_COOKIE, session_id, httponly=True, samesite="lax", path="/", secure=secure
    )
    return response


async def sign_out(page: PageRequest) -> Response:
    session_id = page.request.cookies.get(SESSION_COOKIE)
    if session_id:
        await end_session(page.state.db, session_id)
    response = see_other("/sign-in")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
