"""express-ws: `require("express-ws")(app)` (or `expressWs(app)`) adds `app.ws(path, (ws, req) => ...)`
routes to an Express app, over one `ws` server per process (`getWss().clients`). Fan-out to another
instance needs a pub/sub bridge the project writes."""

from .model import Framework, ServerKind

EXPRESS_WS = Framework(
    id="express-ws",
    name="express-ws",
    families=frozenset({"ecmascript"}),
    kinds=(
        ServerKind(
            "express-ws",
            "express-ws server",
            shared_by="bridge",
            no_shared_fanout="express-ws server {name} broadcasts over its own clients and the project has "
            "no pub/sub bridge",
            suggestion="a Redis pub/sub bridge (handlers publish; one subscriber per process delivers locally)",
        ),
    ),
    factories=(("express-ws", "default"), ("express-ws", "*")),
    required_call="express-ws",
    module_specifiers=frozenset({"express-ws"}),
    registration_methods=frozenset({"ws"}),
    registry_property="clients",
)
