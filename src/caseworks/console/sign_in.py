"""Signing in and out."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.responses import Response

from caseworks.auth.users import SESSION_COOKIE, check_password, end_session, start_session
from caseworks.console.pages import PageRequest, see_other
from caseworks.console.redirects import safe_next
from caseworks.console.rendering import render
from caseworks.console.sessions import now_of

WRONG = "Email or password is wrong."


async def sign_in_form(page: PageRequest) -> Response:
    target = safe_next(page.request.query_params.get("next"))
    return render(page, "sign_in.html", {"next": target if target != "/" else None})


async def sign_in(page: PageRequest) -> Response:
    form = dict(parse_qsl((await page.request.body()).decode(), keep_blank_values=True))
    target = safe_next(page.request.query_params.get("next"))
    matches = await check_password(page.state.db, form.get("email", ""), form.get("password", ""))
    if len(matches) != 1:
        context = {"next": target if target != "/" else None, "message": WRONG}
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
