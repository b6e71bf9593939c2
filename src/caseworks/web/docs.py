"""The interactive documentation, served whole from this server: no file comes from a CDN.

Swagger UI and ReDoc normally load from a public CDN, so on a machine without internet they are
blank. The same files (Swagger UI 5, ReDoc 2 and an icon) ship in the `fastapi-offline` package,
pinned in uv.lock; we serve them from there, with the page templates of FastAPI (which that
package depends on; nothing else of FastAPI is used). The pages and files hold no data and need
no token, like `/openapi.json`.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from starlette.responses import FileResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

DOCS_URL = "/docs"
REDOC_URL = "/redoc"
ASSETS_URL = "/docs/assets"
_STATIC = Path(fastapi_offline.__file__).parent / "static"
# Explicit types: the process's mimetypes table varies by platform, and with `nosniff` a
# browser refuses a script or a style sheet served under any other type.
_ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}


def _serving(response: Response) -> ASGIApp:
    async def serve(scope: Scope, receive: Receive, send: Send) -> None:
        await response(scope, receive, send)

    return serve


def _asset(name: str, media_type: str) -> ASGIApp:
    path = _STATIC / name
    if not path.is_file():
        raise RuntimeError(f"the documentation asset {path} is missing; reinstall fastapi-offline")

    async def asset(scope: Scope, receive: Receive, send: Send) -> None:
        await FileResponse(path, media_type=media_type)(scope, receive, send)

    return asset


def documentation_routes(openapi_url: str, title: str) -> list[tuple[str, str, ASGIApp]]:
    """`/docs` (Swagger UI) and `/redoc`, with their files under `/docs/assets/`, as
    (method, path, ASGI callable) for the route table."""
    favicon = f"{ASSETS_URL}/favicon.png"
    swagger_ui = get_swagger_ui_html(
        openapi_url=openapi_url,
        title=f"{title} - Swagger UI",
        swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=favicon,
        oauth2_redirect_url=None,  # bearer tokens only: no OAuth2 flow to come back from
        # Swagger UI would otherwise send the document to an online validator.
        swagger_ui_parameters={"validatorUrl": None},
    )
    redoc = get_redoc_html(
        openapi_url=openapi_url,
        title=f"{title} - ReDoc",
        redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
        redoc_favicon_url=favicon,
        with_google_fonts=False,
    )
    return [
        ("GET", DOCS_URL, _serving(swagger_ui)),
        ("GET", REDOC_URL, _serving(redoc)),
        *(
            ("GET", f"{ASSETS_URL}/{name}", _asset(name, media_type))
            for name, media_type in _ASSETS.items()
        ),
    ]
