"""websockets (Python): `websockets.serve(handler, host, port)`; the handler runs per connection."""

from .model import Framework, ServerKind

WEBSOCKETS = Framework(
    id="websockets",
    name="websockets",
    families=frozenset({"python"}),
    kinds=(
        ServerKind(
            "websockets",
            "websockets server",
            suggestion="a Redis pub/sub bridge (handlers publish; one subscriber per process delivers locally)",
        ),
    ),
    serve_functions=frozenset({"serve", "unix_serve"}),
    serve_modules=("websockets",),
    serve_unqualified=frozenset({"serve"}),
    module_specifiers=frozenset({"websockets"}),
    client_modules=frozenset({"websocket", "websockets.client", "websockets.sync.client"}),
)
