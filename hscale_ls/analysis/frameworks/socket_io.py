"""Socket.IO (Node): `new Server(http)`, `require("socket.io")(http)`; rooms fan out through an adapter."""

from .model import Framework, ServerKind

SOCKET_IO = Framework(
    id="socket.io",
    name="Socket.IO",
    families=frozenset({"ecmascript"}),
    kinds=(
        ServerKind(
            "socket.io",
            "Socket.IO server",
            shared_by="adapter",
            no_shared_fanout="Socket.IO server {name} has no adapter anywhere in the project",
            suggestion="`@socket.io/redis-adapter` (`io.adapter(createAdapter(pub, sub))`)",
            fix="socket-io-adapter",
        ),
    ),
    constructors=(("socket.io", "Server"), ("socket.io", "default"), ("socket.io", "*")),
    # `require("socket.io")(http)`, and Socket.IO 0.9-2's `require("socket.io").listen(http)`
    factories=(("socket.io", "default"), ("socket.io", "*"), ("socket.io", "listen")),
    required_call="socket.io",
    module_specifiers=frozenset({"socket.io"}),
    client_modules=frozenset({"socket.io-client"}),
    registration_methods=frozenset({"on", "once", "use"}),
    membership_methods=frozenset({"join", "leave"}),
    membership_receivers=frozenset({"socket", "client"}),
    shared_option="adapter",
    adapter_methods=frozenset({"adapter"}),
    adapters=(
        ("@socket.io/redis-adapter", "redis"),
        ("socket.io-redis", "redis"),
        ("@socket.io/redis-streams-adapter", "redis"),
        ("@socket.io/postgres-adapter", "database"),
        ("@socket.io/mongo-adapter", "database"),
        ("@socket.io/gcp-pubsub-adapter", "external"),
        ("@socket.io/aws-sqs-adapter", "external"),
        ("@socket.io/azure-service-bus-adapter", "external"),
        ("socket.io-amqp", "external"),
        ("@mickl/socket.io-nats-adapter", "external"),
        ("@socket.io/cluster-adapter", None),
        ("@socket.io/pm2", None),
    ),
)
