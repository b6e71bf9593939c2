"""The sign-in page."""

from __future__ import annotations

from starlette.responses import Response

from caseworks.console.pages import PageRequest
from caseworks.console.redirects import safe_next
from caseworks.console.rendering import render


async def sign_in_form(page: PageRequest) -> Response:
    target = safe_next(page.request.query_params.get("next"))
    return render(page, "sign_in.html", {"next": target if target != "/" else None})
