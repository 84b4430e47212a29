"""Tornado: `tornado.websocket.WebSocketHandler` subclasses. Tornado makes one handler object per
connection, so what the class itself holds (`waiters = set()`, `cache = []`) is shared by every
connection of the process and by none of another. So is what the project's `tornado.web.Application`
subclass sets on itself (`self.connections = []`), which handlers reach as `self.application.connections`."""

from .model import Framework, ServerKind

TORNADO = Framework(
    id="tornado",
    name="Tornado",
    families=frozenset({"python"}),
    kinds=(
        ServerKind(
            "tornado",
            "Tornado WebSocket handler",
            suggestion="a Redis pub/sub bridge (`redis.asyncio` publish / subscribe)",
        ),
    ),
    consumer_bases=("WebSocketHandler",),
    module_specifiers=frozenset({"tornado"}),
    handler_bases=("WebSocketHandler",),
    application_bases=("Application",),
    application_attribute="application",
)
