"""The interactive documentation, served whole from this server: no file comes from a CDN.

FastAPI's own pages load Swagger UI and ReDoc from a public CDN, so on a machine without internet
they are blank. The same files (Swagger UI 5, ReDoc 2 and FastAPI's icon) ship in the
`fastapi-offline` package, pinned in uv.lock; we serve them from there with FastAPI's own page
templates. The pages and files hold no data and need no token, like `/openapi.json`.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response

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


def _asset_route(app: FastAPI, name: str, media_type: str) -> None:
    path = _STATIC / name
    if not path.is_file():
        raise RuntimeError(f"the documentation asset {path} is missing; reinstall fastapi-offline")

    async def asset(request: Request) -> Response:
        return FileResponse(path, media_type=media_type)

    app.add_route(f"{ASSETS_URL}/{name}", asset, methods=["GET"], include_in_schema=False)


def install_docs(app: FastAPI) -> None:
    """`/docs` (Swagger UI) and `/redoc`, with their files under `/docs/assets/`.

    Create the app with ``docs_url=None, redoc_url=None`` so FastAPI's CDN pages are not added.
    """
    assert app.openapi_url is not None
    openapi_url = app.openapi_url
    for name, media_type in _ASSETS.items():
        _asset_route(app, name, media_type)
    favicon = f"{ASSETS_URL}/favicon.png"

    async def swagger_ui(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=favicon,
            oauth2_redirect_url=None,  # bearer tokens only: no OAuth2 flow to come back from
            # Swagger UI would otherwise send the document to an online validator.
            swagger_ui_parameters={"validatorUrl": None},
        )

    async def redoc(request: Request) -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=favicon,
            with_google_fonts=False,
        )

    app.add_route(DOCS_URL, swagger_ui, methods=["GET"], include_in_schema=False)
    app.add_route(REDOC_URL, redoc, methods=["GET"], include_in_schema=False)
