"""NestJS WebSocket gateways: `@WebSocketGateway()` classes, `@SubscribeMessage` handlers, and a shared
Socket.IO adapter installed with `app.useWebSocketAdapter(...)`."""

from .model import Framework, ServerKind

NESTJS = Framework(
    id="nestjs",
    name="NestJS WebSocket gateways",
    families=frozenset({"ecmascript"}),
    kinds=(
        ServerKind(
            "nestjs",
            "NestJS WebSocket gateway",
            shared_by="adapter",
            no_shared_fanout="NestJS gateway {name} runs without a shared Socket.IO adapter (useWebSocketAdapter)",
            suggestion="a Redis Socket.IO adapter installed with `app.useWebSocketAdapter(...)`",
            fix="nest-adapter",
        ),
    ),
    class_decorators=frozenset({"WebSocketGateway"}),
    module_specifiers=frozenset({"@nestjs/websockets"}),
    handler_decorators=frozenset({"SubscribeMessage"}),
    lifecycle_methods=frozenset({"handleConnection", "handleDisconnect", "afterInit"}),
    singleton_decorators=frozenset({"WebSocketGateway", "Injectable", "Controller"}),
)
