"""JSON answers of the mentoring API and the plain routes, rendered by orjson (`core/jsonio`)."""

from __future__ import annotations

from typing import Any

from starlette.background import BackgroundTask
from starlette.responses import JSONResponse as StarletteJSONResponse

from caseworks.core.jsonio import dumps


class JSONResponse(StarletteJSONResponse):
    media_type = "application/json"

    def __init__(
        self,
        content: Any,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        super().__init__(content, status_code, headers, media_type, background)

    def render(self, content: Any) -> bytes:
        return dumps(content)
