"""Signing in and out."""

from __future__ import annotations

from pydantic import BaseModel
from starlette.responses import Response

from caseworks.auth.limits import FailureLimiter
from caseworks.auth.users import (
    SESSION_COOKIE,
    agency_choices,
    check_password,
    end_session,
    start_session,
)
from caseworks.console.pages import PageRequest, see_other
from caseworks.console.redirects import safe_next
from caseworks.console.rendering import error_page, render
from caseworks.console.sessions import now_of
from caseworks.console.translations import N_

WRONG = N_("Email or password is wrong.")
TOO_MANY = N_("Too many failed sign-ins. Wait a few minutes and try again.")
PASSWORD_SET = N_("Your password is set. Sign in with it.")
CHOOSE_AGENCY = N_(
    "You have accounts in several agencies. Choose one and enter your password again."
)


class SignInForm(BaseModel):
    email: str
    password: str
    agency: str | None = None  # only when the e-mail and password fit several agencies


async def sign_in_form(page: PageRequest) -> Response:
    target = safe_next(page.request.query_params.get("next"))
    context: dict[str, object] = {"next": target if target != "/" else None}
    if page.request.query_params.get("password") == "set":  # after /set-password/{token}
        context["confirmation"] = page.gettext(PASSWORD_SET)
    return render(page, "sign_in.html", context)


async def sign_in(page: PageRequest) -> Response:
    form: SignInForm | None = page.form
    target = safe_next(page.request.query_params.get("next"))
    keys = _limited_keys(page, form)
    waiting = [wait for limiter, key in keys if (wait := limiter.retry_after(key)) is not None]
    if waiting:
        refused = error_page(page, 429, TOO_MANY)
        refused.headers["retry-after"] = str(max(waiting))
        return refused
    matches = [] if form is None else await check_password(page.state.db, form.email, form.password)
    if form is not None and form.agency is not None:
        # The choice is checked against the password's own matches, never taken on trust.
        matches = [match for match in matches if match["agency_id"] == form.agency]
    elif len(matches) > 1:
        return await _choose_agency(page, target, matches)
    if len(matches) != 1:
        for limiter, key in keys:
            limiter.failed(key)
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


async def _choose_agency(page: PageRequest, target: str, matches: list[dict[str, str]]) -> Response:
    """The sign-in form again with a select of the matching agencies; the password is typed
    again rather than carried in the page."""
    context = {
        "next": target if target != "/" else None,
        "agencies": await agency_choices(page.state.db, matches),
        "choice": page.gettext(CHOOSE_AGENCY),
    }
    return render(page, "sign_in.html", context)


def _limited_keys(page: PageRequest, form: SignInForm | None) -> list[tuple[FailureLimiter, str]]:
    """What failed sign-ins are counted against: the client's address and the account."""
    keys = []
    address_limiter = getattr(page.state, "sign_in_address_limiter", None)
    client = page.request.client
    if address_limiter is not None and client is not None:
        keys.append((address_limiter, client.host))
    account_limiter = getattr(page.state, "sign_in_account_limiter", None)
    if account_limiter is not None and form is not None:
        keys.append((account_limiter, form.email.strip().lower()))
    return keys


async def sign_out(page: PageRequest) -> Response:
    session_id = page.request.cookies.get(SESSION_COOKIE)
    if session_id:
        await end_session(page.state.db, session_id)
    response = see_other("/sign-in")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
