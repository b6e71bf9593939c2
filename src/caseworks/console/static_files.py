"""The console's static files at `/static/{name}`, read once at start-up."""

from __future__ import annotations

import hashlib
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

STATIC = Path(__file__).parent / "static"
_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


def static_routes() -> list[tuple[str, str, ASGIApp]]:
    files = {path.name: path.read_bytes() for path in STATIC.iterdir() if path.suffix in _TYPES}
    tags = {name: '"' + hashlib.sha256(body).hexdigest()[:16] + '"' for name, body in files.items()}

    async def serve(scope: Scope, receive: Receive, send: Send) -> None:
        name = Request(scope, receive).path_params["name"]
        body = files.get(name)
        if body is None:
            response = Response(status_code=404)
        elif Request(scope, receive).headers.get("if-none-match") == tags[name]:
            response = Response(status_code=304, headers={"etag": tags[name]})
        else:
            media = _TYPES[Path(name).suffix]
            response = Response(body, media_type=media, headers={"etag": tags[name]})
        await response(scope, receive, send)

    return [("GET", "/static/{name}", serve)]
