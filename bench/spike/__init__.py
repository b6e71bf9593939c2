"""The framework spike: caseworks' own routes served by each candidate framework, measured
against the raw ASGI app (python -m bench.spike.run)."""
