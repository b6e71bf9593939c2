"""Console pages, each declared once as a `Page` and compiled into the same route table as the
API, so 404/405/HEAD, the security headers, the access log and the body limit apply to pages too.
Pages are not API operations: they never appear in the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from caseworks.auth.principal import Principal, Role

# Pages load scripts, styles and images only from the service itself and post forms only to it.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


@dataclass(frozen=True, slots=True)
class PageRequest:
    """What a page handler is given: the request, the signed-in caller (None on a public page)
    and the open database (the application's state)."""

    request: Request
    principal: Principal | None
    state: Any

    @property
    def is_fragment(self) -> bool:
        """htmx asks for a part of the page (`HX-Request: true`)."""
        return self.request.headers.get("hx-request") == "true"


PageHandler = Callable[[PageRequest], Awaitable[Response]]
# Who is signed in on a request; None when nobody is (a bearer token alone never counts).
SessionReader = Callable[[Request], Awaitable[Principal | None]]


async def nobody_signed_in(request: Request) -> Principal | None:
    return None


@dataclass(frozen=True, slots=True)
class Page:
    """One page: ``roles`` empty means it is public (no session needed)."""

    method: str
    path: str
    handler: PageHandler
    roles: frozenset[Role] = field(default_factory=frozenset)

    @property
    def public(self) -> bool:
        return not self.roles


def see_other(location: str) -> Response:
    """A 303 with a short body naming where to go (for clients that do not follow it)."""
    return HTMLResponse(
        f'<a href="{escape(location)}">{escape(location)}</a>', 303, {"location": location}
    )


def sign_in_redirect(path: str) -> Response:
    return see_other(f"/sign-in?next={quote(path, safe='/')}")


def compile_pages(
    pages: Sequence[Page], state: Any, read_session: SessionReader = nobody_signed_in
) -> list[tuple[str, str, ASGIApp]]:
    """(method, path, ASGI callable) per page, for `RouteTable`."""
    return [(page.method, page.path, _compiled(page, state, read_session)) for page in pages]


def _compiled(page: Page, state: Any, read_session: SessionReader) -> ASGIApp:
    async def serve(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        principal = await read_session(request)
        if not page.public and (principal is None or principal.role not in page.roles):
            response = (
                sign_in_redirect(request.url.path)
                if principal is None
                else Response(status_code=404)
            )
        else:
            response = await page.handler(PageRequest(request, principal, state))
        response.headers["content-security-policy"] = PAGE_POLICY  # no-store: the request context
        await response(scope, receive, send)

    return serve
