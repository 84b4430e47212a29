"""@fastify/websocket (formerly fastify-websocket): `fastify.register(websocket)` makes the app accept
WebSocket connections on routes declared with `{ websocket: true }` (`fastify.get(path, { websocket:
true }, (socket, req) => ...)`) or with a `wsHandler`. Its connections and `fastify.websocketServer`
live in one process; another instance is reached only through a pub/sub bridge the project writes."""

from .model import Framework, ServerKind

FASTIFY_WEBSOCKET = Framework(
    id="fastify-websocket",
    name="@fastify/websocket",
    families=frozenset({"ecmascript"}),
    kinds=(
        ServerKind(
            "fastify-websocket",
            "Fastify WebSocket server",
            shared_by="bridge",
            no_shared_fanout="Fastify WebSocket server {name} broadcasts over its own connections and the "
            "project has no pub/sub bridge",
            suggestion="a Redis pub/sub bridge (handlers publish; one subscriber per process delivers locally)",
        ),
    ),
    plugins=frozenset({"@fastify/websocket", "fastify-websocket"}),
    module_specifiers=frozenset({"@fastify/websocket", "fastify-websocket"}),
    route_methods=frozenset({"get"}),
    route_receivers=frozenset({"fastify", "app", "server", "instance"}),
    handler_keys=frozenset({"wsHandler"}),
    registry_property="clients",
)
