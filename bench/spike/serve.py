"""Serve one candidate with the server settings `caseworks serve` uses (uvicorn, our bounded
httptools protocol, no uvicorn access log, no proxy headers).

    python -m bench.spike.serve bench.spike.starlette_app:create --port 8001
"""

from __future__ import annotations

import argparse

import uvicorn

from caseworks.cli import uvicorn_options
from caseworks.config import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("factory")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    settings = Settings.from_env()
    uvicorn.run(
        args.factory, factory=True, host="127.0.0.1", port=args.port, **uvicorn_options(settings)
    )


if __name__ == "__main__":
    main()
