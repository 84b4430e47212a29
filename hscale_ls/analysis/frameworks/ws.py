"""ws (Node): `new WebSocketServer(...)`; broadcasting loops over `wss.clients`, shared only through a
pub/sub bridge the project writes."""

from .model import Framework, ServerKind

WS = Framework(
    id="ws",
    name="ws",
    families=frozenset({"ecmascript"}),
    kinds=(
        ServerKind(
            "ws",
            "ws WebSocketServer",
            shared_by="bridge",
            no_shared_fanout="ws server {name} broadcasts over its own clients and the project has no pub/sub bridge",
            suggestion="a Redis pub/sub bridge (handlers publish; one subscriber per process delivers locally)",
        ),
    ),
    constructors=(("ws", "Server"), ("ws", "WebSocketServer")),
    module_specifiers=frozenset({"ws"}),
    registration_methods=frozenset({"on", "once", "addListener", "prependListener"}),
    registry_property="clients",
)
