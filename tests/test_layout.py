"""The layout shows the architecture, and these tests keep it so: a short top level, one name per
module, HTTP only in web/, and no request passing FastAPI."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import caseworks

SOURCE = Path(caseworks.__file__).parent
MODULES = sorted(SOURCE.rglob("*.py"))


def imported(path: Path) -> set[str]:
    """The modules a file imports, by their full names."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def inside(path: Path) -> str:
    return str(path.relative_to(SOURCE))


def test_the_top_level_holds_at_most_eight_loose_modules() -> None:
    loose = [path.name for path in SOURCE.glob("*.py") if path.name != "__init__.py"]
    assert len(loose) <= 8, loose


def test_no_two_modules_share_a_name() -> None:
    names = Counter(
        path.stem for path in MODULES if path.stem != "__init__" and "versions" not in path.parts
    )
    assert [name for name, count in names.items() if count > 1] == []


def test_only_web_knows_http() -> None:
    # The console's pages are the other HTTP layer: they call the same services as web/ does.
    knowing = [
        inside(path)
        for path in MODULES
        if not inside(path).startswith(("web/", "console/"))
        and any(name.split(".")[0] in {"starlette", "fastapi", "httpx"} for name in imported(path))
    ]
    assert knowing == []


def test_nothing_below_web_imports_it() -> None:
    reaching = [
        inside(path)
        for path in MODULES
        if not inside(path).startswith("web/")
        # The command line starts the server; the settings check the public URL and the
        # proxies with the web layer's own parsers.
        and inside(path) not in {"cli.py", "config.py"}
        and any(name.startswith("caseworks.web") for name in imported(path))
    ]
    assert reaching == []


def test_only_the_documentation_pages_use_fastapi() -> None:
    """No request passes FastAPI: its page templates for /docs and /redoc are all we take."""
    using = [
        inside(path)
        for path in MODULES
        if any(name.split(".")[0] == "fastapi" for name in imported(path))
    ]
    assert using == ["web/docs.py"]
