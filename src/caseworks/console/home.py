"""`/`: each role's own start page."""

from __future__ import annotations

from starlette.responses import Response

from caseworks.auth.policy import is_manager
from caseworks.auth.principal import Role
from caseworks.console.overview_page import overview
from caseworks.console.pages import PageRequest
from caseworks.console.rendering import render

_TEMPLATE_BY_ROLE = {
    Role.ADMIN: "home_overview.html",
    Role.SUPERVISOR: "home_overview.html",
    Role.MENTOR: "home_mentor.html",
    Role.CASEWORKER: "home_caseworker.html",
}


async def home(page: PageRequest) -> Response:
    assert page.principal is not None  # the page needs a session
    if is_manager(page.principal):
        return await overview(page)
    return render(page, _TEMPLATE_BY_ROLE[page.principal.role])
