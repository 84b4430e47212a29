"""The framework registry: every real-time framework the engine knows, one module each, as data.

The extractors, the project view, the fixes layer and the docs read these records; a framework is added
by writing its module, listing it in `FRAMEWORKS`, and adding a flagged and a clean fixture folder
(`tests/analysis/test_frameworks.py` fails otherwise).
"""

from __future__ import annotations

from collections.abc import Iterable

from .aiohttp import AIOHTTP
from .bun import BUN
from .channels import CHANNELS
from .express_io import EXPRESS_IO
from .express_ws import EXPRESS_WS
from .fastify_websocket import FASTIFY_WEBSOCKET
from .flask_socketio import FLASK_SOCKETIO
from .graphql_pubsub import GRAPHQL_PUBSUB
from .model import Family, Framework, ServerKind, SharedBy, Storage
from .nestjs import NESTJS
from .python_socketio import PYTHON_SOCKETIO
from .socket_io import SOCKET_IO
from .sse import SSE
from .starlette import STARLETTE
from .tornado import TORNADO
from .trpc import TRPC
from .uws import UWS
from .websockets import WEBSOCKETS
from .ws import WS

__all__ = [
    "FRAMEWORKS",
    "Family",
    "Framework",
    "ServerKind",
    "SharedBy",
    "Storage",
    "for_family",
    "framework_of",
    "kind_of",
    "union",
]

# in the order the extractors try them (the first that matches a construction wins)
FRAMEWORKS: tuple[Framework, ...] = (
    SOCKET_IO,
    EXPRESS_IO,
    NESTJS,
    WS,
    EXPRESS_WS,
    FASTIFY_WEBSOCKET,
    UWS,
    BUN,
    GRAPHQL_PUBSUB,
    TRPC,
    SSE,
    PYTHON_SOCKETIO,
    FLASK_SOCKETIO,
    CHANNELS,
    STARLETTE,
    TORNADO,
    AIOHTTP,
    WEBSOCKETS,
)

_KINDS: dict[str, tuple[Framework, ServerKind]] = {k.id: (f, k) for f in FRAMEWORKS for k in f.kinds}


def kind_of(framework: str) -> ServerKind | None:
    """What a `ServerSite.framework` value means (None for a value no framework produces)."""
    found = _KINDS.get(framework)
    return found[1] if found is not None else None


def framework_of(framework: str) -> Framework | None:
    """The framework a `ServerSite.framework` value belongs to."""
    found = _KINDS.get(framework)
    return found[0] if found is not None else None


def for_family(family: str) -> tuple[Framework, ...]:
    return tuple(f for f in FRAMEWORKS if family in f.families)


def union(frameworks: Iterable[Framework], field: str) -> frozenset[str]:
    """One set-valued field of several records, joined: what an extractor matches against."""
    found: set[str] = set()
    for framework in frameworks:
        value = getattr(framework, field)
        found.update(
            [value] if isinstance(value, str) and value else value if not isinstance(value, str) else []
        )
    return frozenset(found)


_LANGUAGE_NAMES = {"ecmascript": "JavaScript, TypeScript", "python": "Python"}


def markdown_table() -> str:
    """The README's framework table, from the records (a test keeps the README equal to it)."""
    rows = ["| Framework | Languages | Reported as | Shared fan-out |", "| --- | --- | --- | --- |"]
    for framework in FRAMEWORKS:
        languages = ", ".join(_LANGUAGE_NAMES[f] for f in sorted(framework.families))
        reported = ", ".join(k.display for k in framework.kinds)
        shared = "; ".join(dict.fromkeys(k.suggestion for k in framework.kinds if k.suggestion)) or "-"
        rows.append(f"| {framework.name} | {languages} | {reported} | {shared} |")
    return "\n".join(rows) + "\n"
