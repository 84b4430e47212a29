"""aiohttp: a request handler that makes a `web.WebSocketResponse()` serves one WebSocket connection;
what it keeps outside the function (`sockets = set()`, `request.app["websockets"]`) is shared by the
connections of one process only."""

from .model import Framework, ServerKind

AIOHTTP = Framework(
    id="aiohttp",
    name="aiohttp",
    families=frozenset({"python"}),
    kinds=(
        ServerKind(
            "aiohttp",
            "aiohttp WebSocket handler",
            suggestion="a Redis pub/sub bridge (`redis.asyncio` publish / subscribe)",
        ),
    ),
    serve_functions=frozenset({"WebSocketResponse"}),
    serve_modules=("aiohttp",),
    connection_objects=frozenset({"WebSocketResponse"}),
    module_specifiers=frozenset({"aiohttp"}),
)
