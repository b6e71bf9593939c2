"""Console pages, each declared once as a `Page` and compiled into the same route table as the
API, so 404/405/HEAD, the security headers, the access log and the body limit apply to pages too.
Pages are not API operations: they never appear in the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from html import escape
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from caseworks.auth.principal import Principal, Role
from caseworks.auth.users import SignedIn
from caseworks.console import csrf
from caseworks.console.forms import FormRefused, read_form_body, validate_form
from caseworks.console.translations import LANGUAGE_COOKIE, N_, page_locale, translate

# Pages load scripts, styles and images only from the service itself and post forms only to it.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


@dataclass(frozen=True, slots=True)
class PageRequest:
    """What a page handler is given: the request, the signed-in caller (None on a public page)
    and the open database (the application's state). On a page declared with a ``form`` model:
    ``form`` the validated value (None when ``form_errors`` is not empty), ``form_errors``
    ``{field: message}``, ``form_values`` what was typed (to show the form again)."""

    request: Request
    principal: Principal | None
    state: Any
    csrf_token: str = ""  # what this page's forms carry (`csrf_field()` in templates)
    form: Any = None
    form_errors: Mapping[str, str] = field(default_factory=dict)
    form_values: Mapping[str, str] = field(default_factory=dict)
    locale: str = "en"  # "en" or "nb": the user's choice, the visitor's cookie, Accept-Language
    time_zone: str = "UTC"  # the agency's, for dates and times
    agency_name: str = ""

    def gettext(self, message: str) -> str:
        """``message`` (an English msgid, marked with `N_` where defined) in the page's language."""
        return translate(self.locale, message)

    @property
    def is_fragment(self) -> bool:
        """htmx asks for a part of the page (`HX-Request: true`)."""
        return self.request.headers.get("hx-request") == "true"


PageHandler = Callable[[PageRequest], Awaitable[Response]]
# The live session of a request; None when nobody is signed in (a bearer token never counts).
SessionReader = Callable[[Request], Awaitable[SignedIn | None]]
# The answer for a refused request (403 CSRF, 400 form): (page, status, message) → a page.
ErrorPage = Callable[["PageRequest", int, str], Response]


async def nobody_signed_in(request: Request) -> SignedIn | None:
    return None


def plain_error(page: PageRequest, status: int, message: str) -> Response:
    return HTMLResponse(f"<p>{escape(message)}</p>", status)


@dataclass(frozen=True, slots=True)
class Page:
    """One page: ``roles`` empty means it is public (no session needed); ``form`` the Pydantic
    model its form body is validated into (state-changing methods only)."""

    method: str
    path: str
    handler: PageHandler
    roles: frozenset[Role] = field(default_factory=frozenset)
    form: type[BaseModel] | None = None

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


# Why a state-changing request is refused without reaching its handler.
CSRF_REFUSED = N_(
    "This form has expired or did not come from this site. Go back, reload the page and try again."
)


def compile_pages(
    pages: Sequence[Page],
    state: Any,
    read_session: SessionReader = nobody_signed_in,
    error_page: ErrorPage = plain_error,
) -> list[tuple[str, str, ASGIApp]]:
    """(method, path, ASGI callable) per page, for `RouteTable`."""
    return [
        (page.method, page.path, _compiled(page, state, read_session, error_page)) for page in pages
    ]


def _compiled(
    page: Page, state: Any, read_session: SessionReader, error_page: ErrorPage
) -> ASGIApp:
    async def serve(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        session = await read_session(request)
        principal = session.principal if session else None
        presession = request.cookies.get(csrf.PRESESSION_COOKIE)
        fresh_presession = None
        if session is not None:
            token = session.csrf_token
        else:
            if not csrf.well_formed_presession(presession):
                presession = fresh_presession = csrf.new_presession()
            token = csrf.anonymous_token(presession or "")
        if not page.public and (principal is None or principal.role not in page.roles):
            response = (
                sign_in_redirect(request.url.path)
                if principal is None
                else Response(status_code=404)
            )
        else:
            response = await _answer(page, _asked(request, session, state, token), error_page)
        if fresh_presession is not None:
            secure = (state.settings.public_url or "").startswith("https://")
            response.set_cookie(
                csrf.PRESESSION_COOKIE,
                fresh_presession,
                max_age=csrf.PRESESSION_SECONDS,
                httponly=True,
                samesite="strict",
                path="/",
                secure=secure,
            )
        response.headers["content-security-policy"] = PAGE_POLICY  # no-store: the request context
        await response(scope, receive, send)

    return serve


def _asked(request: Request, session: SignedIn | None, state: Any, token: str) -> PageRequest:
    """The handler's view of the request: who, the CSRF token, the language, the agency."""
    locale = page_locale(
        session.locale if session else None,
        request.cookies.get(LANGUAGE_COOKIE),
        request.headers.get("accept-language"),
    )
    return PageRequest(
        request,
        session.principal if session else None,
        state,
        token,
        locale=locale,
        time_zone=session.time_zone if session else "UTC",
        agency_name=session.agency_name if session else "",
    )


async def _answer(page: Page, asked: PageRequest, error_page: ErrorPage) -> Response:
    """The handler's answer; a state-changing request only with the right CSRF token, and with
    its form read (and validated when the page declares a model)."""
    if page.method in csrf.SAFE_METHODS:
        return await page.handler(asked)
    try:
        body = await read_form_body(asked.request)
    except FormRefused as refused:
        return error_page(asked, 400, str(refused))
    sent = asked.request.headers.get(csrf.HEADER) or body.pop_text(csrf.FIELD)
    body.fields.pop(csrf.FIELD, None)
    if not csrf.token_matches(asked.csrf_token, sent):
        return error_page(asked, 403, CSRF_REFUSED)
    if page.form is None:
        return await page.handler(asked)
    try:
        validated = validate_form(page.form, body)
    except FormRefused as refused:
        return error_page(asked, 400, str(refused))
    return await page.handler(
        replace(
            asked,
            form=validated.value,
            form_errors=validated.errors,
            form_values=validated.values,
        )
    )
