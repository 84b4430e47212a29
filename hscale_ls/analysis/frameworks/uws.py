"""uWebSockets.js: `uWS.App().ws(pattern, { open, message, close })`; `app.publish(topic, ...)` fans out
to the topic's subscribers in this process only."""

from .model import Framework, ServerKind

UWS = Framework(
    id="uws",
    name="uWebSockets.js",
    families=frozenset({"ecmascript"}),
    kinds=(
        ServerKind(
            "uws",
            "uWebSockets.js app",
            shared_by="bridge",
            no_shared_fanout="uWebSockets.js app {name} publishes to topics in this process only and the "
            "project has no pub/sub bridge",
            suggestion="a Redis pub/sub bridge (publish to Redis; one subscriber per process calls `app.publish`)",
        ),
    ),
    factories=(("uWebSockets.js", "App"), ("uWebSockets.js", "SSLApp")),
    module_specifiers=frozenset({"uWebSockets.js"}),
    registration_methods=frozenset({"ws"}),
    handler_objects=frozenset({"ws"}),
    in_process_publish=frozenset({"publish"}),
)
