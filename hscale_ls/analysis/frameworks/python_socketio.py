"""python-socketio: `socketio.AsyncServer(...)` / `socketio.Server(...)`; rooms are shared by a
`client_manager` (Redis, Kombu, Kafka, ...)."""

from .model import Framework, ServerKind

PYTHON_SOCKETIO = Framework(
    id="python-socketio",
    name="python-socketio",
    families=frozenset({"python"}),
    kinds=(
        ServerKind(
            "python-socketio",
            "python-socketio server",
            shared_by="adapter",
            no_shared_fanout="python-socketio server {name} has no client_manager",
            suggestion="`client_manager=socketio.AsyncRedisManager(url)`",
            fix="python-socketio-manager",
        ),
    ),
    factories=(("socketio", "AsyncServer"), ("socketio", "Server")),
    module_specifiers=frozenset({"socketio"}),
    client_modules=frozenset({"socketio.client", "socketio.Client", "socketio.AsyncClient"}),
    handler_decorators=frozenset({"event", "on", "message"}),
    handler_bases=("Namespace",),
    membership_methods=frozenset({"enter_room"}),
    shared_keywords=("client_manager",),
    manager_markers=("Kombu", "AioPika", "Kafka", "Zmq"),
)
