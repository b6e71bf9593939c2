"""The media type of a JSON:API answer: ``application/vnd.api+json``, or ``application/json`` for
a client whose ``Accept`` names that and not the JSON:API type (as Binti's clients do, since
Binti answers ``application/json``). The bytes are the same either way.

Decided once per response, as it is sent (`JSONAPIResponse`), for successes and errors alike, so
no endpoint chooses: a bytes search in the raw ``Accept`` header, no parsing (q-values are not
weighed; a client that names both types gets JSON:API's, as JSON:API asks).
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from caseworks.web.jsonapi import MEDIA_TYPE, PLAIN_MEDIA_TYPE

_JSONAPI = MEDIA_TYPE.encode()
_JSON = PLAIN_MEDIA_TYPE.encode()
_CONTENT_TYPE = b"content-type"


def wants_plain_json(scope: Scope) -> bool:
    """Whether the request's ``Accept`` names ``application/json`` but not JSON:API's type."""
    for name, value in scope["headers"]:
        if name == b"accept":
            lowered = value.lower()
            return _JSON in lowered and _JSONAPI not in lowered
    return False


class JSONAPIResponse(Response):
    """A JSON:API document (or error document), typed by what the request accepts."""

    media_type = MEDIA_TYPE

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if wants_plain_json(scope):
            self.raw_headers = [
                (name, _JSON if name == _CONTENT_TYPE else value)
                for name, value in self.raw_headers
            ]
        await super().__call__(scope, receive, send)
