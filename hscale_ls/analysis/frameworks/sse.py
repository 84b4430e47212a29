"""Server-Sent Events: any file serving `text/event-stream` (Express, Fastify, Next.js routes, Flask,
FastAPI `EventSourceResponse`); each response stays open on one process."""

from .model import Framework, ServerKind

SSE = Framework(
    id="sse",
    name="Server-Sent Events",
    families=frozenset({"ecmascript", "python"}),
    kinds=(
        ServerKind(
            "sse",
            "Server-Sent Events endpoint",
            suggestion="a Redis pub/sub bridge (handlers publish; one subscriber per process writes to its streams)",
        ),
    ),
    factories=(("", "EventSourceResponse"), ("", "ServerSentEvent")),  # from any module
    strings=frozenset({"text/event-stream"}),
    module_specifiers=frozenset({"express", "http", "node:http", "fastify"}),
    route_methods=frozenset({"get", "post", "put", "patch", "delete", "all"}),
    route_receivers=frozenset({"app", "router", "server", "fastify", "api", "routes", "route"}),
    route_exports=frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"}),
    handler_decorators=frozenset({"route", "get", "post", "put", "patch", "delete"}),
)
