"""Templates: one Jinja2 environment with autoescape; a page renders whole, or only one block
of its template when htmx asks for a fragment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse

from caseworks.console.pages import PageRequest

TEMPLATES = Path(__file__).parent / "templates"
environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n"],
)
environment.install_null_translations(newstyle=True)  # type: ignore[attr-defined]


def render(
    page: PageRequest,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    fragment: str = "content",
    status: int = 200,
) -> HTMLResponse:
    """The whole page, or only its block ``fragment`` when the request has `HX-Request: true`."""
    values = {"principal": page.principal, "path": page.request.url.path, **(context or {})}
    compiled = environment.get_template(template)
    if page.is_fragment:
        block = compiled.blocks[fragment]
        html = "".join(block(compiled.new_context(values)))
    else:
        html = compiled.render(values)
    return HTMLResponse(html, status_code=status)
