"""Templates: one Jinja2 environment with autoescape; a page renders whole, or only one block
of its template when htmx asks for a fragment."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup, escape
from starlette.responses import HTMLResponse

from caseworks.auth.policy import may_open_console_section
from caseworks.auth.principal import Principal
from caseworks.console.pages import PageRequest
from caseworks.console.translations import (
    LANGUAGE_NAMES,
    N_,
    catalog,
    local_date,
    local_datetime,
    local_number,
    translate,
)

TEMPLATES = Path(__file__).parent / "templates"
environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n"],
)
environment.install_null_translations(newstyle=True)  # type: ignore[attr-defined]


# Translations per request: `_`, `gettext` and `ngettext` read the page's `locale` from the
# context (the i18n extension's newstyle calls: variables as keywords, the result escaped).
@pass_context
def _gettext(context: Context, message: str, **variables: Any) -> str:
    translated = translate(context.get("locale", "en"), message)
    if context.eval_ctx.autoescape:
        translated = Markup(translated)  # noqa: S704 — our own catalogs; variables are escaped by %
    return translated % variables if variables else translated


@pass_context
def _ngettext(context: Context, singular: str, plural: str, count: int, **variables: Any) -> str:
    chosen = singular if count == 1 else plural
    return _gettext(context, chosen, **{"num": count, **variables})


@pass_context
def _date(context: Context, value: Any) -> str:
    return local_date(value, context.get("locale", "en"), context.get("time_zone", "UTC"))


@pass_context
def _datetime(context: Context, value: Any) -> str:
    return local_datetime(value, context.get("locale", "en"), context.get("time_zone", "UTC"))


@pass_context
def _number(context: Context, value: Any) -> str:
    return local_number(value, context.get("locale", "en"))


environment.globals.update(_=_gettext, gettext=_gettext, ngettext=_ngettext)
environment.filters.update(date=_date, datetime=_datetime, number=_number)


@pass_context
def csrf_field(context: Context) -> Markup:
    """The hidden input every POST form carries (the framework checks it before the handler)."""
    token = escape(context.get("csrf_token", ""))
    return Markup(f'<input type="hidden" name="csrf_token" value="{token}">')  # noqa: S704


def _forms(context: Context) -> Any:
    """forms.html's macros, seeing the page's translations."""
    return environment.get_template("forms.html").make_module(context.get_all())


@pass_context
def field(context: Context, name: str, label: str, **options: Any) -> Markup:
    """Label, input, and beside it the field's message from the page's ``errors``
    (`aria-invalid`, `aria-describedby`); the value typed is shown again from ``values``.
    Options: type ("text", "email", "password", "date", "number", "file", "textarea",
    "select" with options=[(value, label)]), value, required, autocomplete, hint."""
    errors, values = context.get("errors") or {}, context.get("values") or {}
    return Markup(_forms(context).field(name, label, errors, values, **options))  # noqa: S704


@pass_context
def error_summary(context: Context, labels: dict[str, str] | None = None) -> Markup:
    """The page's errors in one list (`role="alert"`, focused on load), each a link to its
    field; ``labels`` names the fields as their labels do."""
    errors = context.get("errors") or {}
    return Markup(_forms(context).error_summary(errors, labels or {}))  # noqa: S704


environment.globals.update(csrf_field=csrf_field, field=field, error_summary=error_summary)


def render(
    page: PageRequest,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    fragment: str = "content",
    status: int = 200,
) -> HTMLResponse:
    """The whole page, or only its block ``fragment`` when the request has `HX-Request: true`."""
    values = {
        "principal": page.principal,
        "path": page.request.url.path,
        "here": _here(page),
        "csrf_token": page.csrf_token,
        "locale": page.locale,
        "lang": page.locale,
        "languages": LANGUAGE_NAMES,
        "time_zone": page.time_zone,
        "agency_name": page.agency_name,
        "nav": navigation(page.principal),
        "errors": page.form_errors,
        "values": page.form_values,
        **(context or {}),
    }
    compiled = environment.get_template(template)
    if page.is_fragment:
        block = compiled.blocks[fragment]
        html = "".join(block(compiled.new_context(values)))
    else:
        html = compiled.render(values)
    return HTMLResponse(html, status_code=status)


def error_page(page: PageRequest, status: int, message: str) -> HTMLResponse:
    """A refused request's page (403 CSRF, 400 form, 429 too many attempts): the message (an
    msgid, translated here), in the layout, with the status."""
    context = {"status": status, "message": page.gettext(message)}
    return render(page, "error.html", context, status=status)


@dataclass(frozen=True, slots=True)
class NavLink:
    section: str
    path: str
    label: str  # an msgid


NAVIGATION = (
    NavLink("overview", "/", N_("Overview")),
    NavLink("stale", "/stale", N_("Stale")),
    NavLink("waiting", "/waiting", N_("Waiting")),
    NavLink("assignments", "/assignments", N_("Assignments")),
    NavLink("mentors", "/mentors", N_("Mentors")),
    NavLink("contacts", "/contacts", N_("Contacts")),
    NavLink("import", "/import", N_("Import")),
)


def navigation(principal: Principal | None) -> list[NavLink]:
    """The header's links: only the sections the caller's role may open (`auth/policy.py`)."""
    if principal is None:
        return []
    return [link for link in NAVIGATION if may_open_console_section(principal, link.section)]


def _here(page: PageRequest) -> str:
    """Where the language form comes back to: this page, when it can be asked for again."""
    if page.request.method not in ("GET", "HEAD"):
        return "/"
    query = page.request.url.query
    return page.request.url.path + (f"?{query}" if query else "")


catalog("nb")  # read every area's catalog at start-up: a broken .po file stops the service here
