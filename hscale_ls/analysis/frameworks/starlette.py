"""FastAPI and Starlette WebSocket routes: `@app.websocket(path)`, `WebSocketRoute(path, endpoint)`,
`app.add_api_websocket_route(path, endpoint)`,
`WebSocketEndpoint` classes; `broadcaster.Broadcast(url)` is a shared pub/sub bridge."""

from .model import Framework, ServerKind

STARLETTE = Framework(
    id="fastapi",
    name="FastAPI / Starlette",
    families=frozenset({"python"}),
    kinds=(
        ServerKind(
            "fastapi",
            "FastAPI WebSocket route",
            suggestion="a Redis pub/sub bridge or `broadcaster.Broadcast(redis_url)`",
        ),
        ServerKind(
            "starlette",
            "Starlette WebSocket route",
            suggestion="a Redis pub/sub bridge or `broadcaster.Broadcast(redis_url)`",
        ),
    ),
    route_decorator=r"\.websocket(_route)?\(",
    serve_functions=frozenset({"WebSocketRoute", "websocket_route", "add_websocket_route"}),
    serve_modules=("starlette",),
    serve_unqualified=frozenset({"WebSocketRoute"}),
    serve_methods=frozenset({"add_api_websocket_route", "add_websocket_route"}),
    module_specifiers=frozenset({"fastapi", "starlette"}),
    handler_decorators=frozenset({"websocket", "websocket_route"}),
    handler_bases=("WebSocketEndpoint", "HTTPEndpoint"),
    bridge_calls=frozenset({"Broadcast"}),
)
