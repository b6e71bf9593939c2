"""`/`: each role's own start page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.responses import Response

from caseworks.auth.policy import is_manager
from caseworks.auth.principal import Role
from caseworks.console.caseworker_children import caseworker_children
from caseworks.console.mentor_caseload import mentor_caseload
from caseworks.console.overview_page import overview
from caseworks.console.pages import PageRequest
from caseworks.console.rendering import render

_TEMPLATE_BY_ROLE = {
    Role.ADMIN: "home_overview.html",
    Role.SUPERVISOR: "home_overview.html",
}
# Roles whose start page has a handler of its own.
_HANDLER_BY_ROLE: dict[Role, Callable[[PageRequest], Awaitable[Response]]] = {
    Role.MENTOR: mentor_caseload,
    Role.CASEWORKER: caseworker_children,
}


async def home(page: PageRequest) -> Response:
    assert page.principal is not None  # the page needs a session
    if is_manager(page.principal):
        return await overview(page)
    handler = _HANDLER_BY_ROLE.get(page.principal.role)
    if handler is not None:
        return await handler(page)
    return render(page, _TEMPLATE_BY_ROLE[page.principal.role])
