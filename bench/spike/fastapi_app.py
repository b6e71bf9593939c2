"""Candidates (c) and (d): the caseworks application as it is, with its fast lane switched off
(every request through FastAPI's routing and dependencies) or on (the reference).

    uvicorn --factory bench.spike.fastapi_app:without_fast_lane
    uvicorn --factory bench.spike.fastapi_app:with_fast_lane
"""

from __future__ import annotations

from fastapi import FastAPI

from caseworks.web.app import Caseworks, create_app


def without_fast_lane() -> FastAPI:
    app = create_app()
    assert isinstance(app, Caseworks)
    assert app.request_context is not None
    app.request_context.fast_lane = None
    return app


def with_fast_lane() -> FastAPI:
    return create_app()
