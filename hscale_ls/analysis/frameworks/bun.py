"""Bun: `Bun.serve({ fetch, websocket: { open, message, close } })`; `ws.subscribe(topic)` and
`server.publish(topic, data)` / `ws.publish(...)` fan out to this process's subscribers only, so a
second instance needs a pub/sub bridge (publish to Redis; one subscriber per process calls
`server.publish`)."""

from .model import Framework, ServerKind

BUN = Framework(
    id="bun",
    name="Bun",
    families=frozenset({"ecmascript"}),
    kinds=(
        ServerKind(
            "bun",
            "Bun server",
            shared_by="bridge",
            no_shared_fanout="Bun server {name} publishes to topics in this process only and the project has no "
            "pub/sub bridge",
            suggestion="a Redis pub/sub bridge (publish to Redis; one subscriber per process calls `server.publish`)",
        ),
    ),
    global_calls=("Bun.serve",),
    global_option="websocket",
    handler_options=frozenset({"fetch", "websocket"}),
    membership_methods=frozenset({"subscribe", "unsubscribe"}),
    membership_receivers=frozenset({"ws"}),
    in_process_publish=frozenset({"publish"}),
    in_process_receivers=frozenset({"server"}),  # `fetch(req, server)` is handed the server
)
