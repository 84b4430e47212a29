"""Flask-SocketIO: `SocketIO(app, message_queue=url)` or `socketio.init_app(app, message_queue=url)`."""

from .model import Framework, ServerKind

FLASK_SOCKETIO = Framework(
    id="flask-socketio",
    name="Flask-SocketIO",
    families=frozenset({"python"}),
    kinds=(
        ServerKind(
            "flask-socketio",
            "Flask-SocketIO server",
            shared_by="adapter",
            no_shared_fanout="Flask-SocketIO server {name} has no message_queue",
            suggestion="`SocketIO(app, message_queue=redis_url)`",
            fix="flask-message-queue",
        ),
    ),
    factories=(("flask_socketio", "SocketIO"),),
    module_specifiers=frozenset({"flask_socketio"}),
    handler_decorators=frozenset({"on", "event"}),
    membership_methods=frozenset({"join_room"}),
    shared_keywords=("message_queue", "client_manager"),
    setup_calls=frozenset({"init_app"}),
)
