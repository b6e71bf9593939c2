"""`POST /language`: the footer's language choice, kept on the user (signed in) or in a cookie
(signed out), then back to the page it was made on."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel
from starlette.responses import Response

from caseworks.auth.users import set_locale
from caseworks.console.pages import PageRequest, see_other
from caseworks.console.redirects import safe_next
from caseworks.console.rendering import error_page
from caseworks.console.translations import LANGUAGE_COOKIE, N_

A_YEAR = 365 * 24 * 60 * 60
UNKNOWN_LANGUAGE = N_("Choose one of the languages offered.")


class LanguageForm(BaseModel):
    language: Literal["en", "nb"]
    next: str = "/"


async def choose_language(page: PageRequest) -> Response:
    form: LanguageForm | None = page.form
    if form is None:
        return error_page(page, 400, UNKNOWN_LANGUAGE)
    response = see_other(safe_next(form.next))
    if page.principal is not None:
        await set_locale(page.state.db, page.principal, form.language)
    else:
        secure = (page.state.settings.public_url or "").startswith("https://")
        response.set_cookie(
            LANGUAGE_COOKIE,
            form.language,
            max_age=A_YEAR,
            httponly=True,
            samesite="lax",
            path="/",
            secure=secure,
        )
    return response
