"""tRPC subscriptions: `t.procedure.subscription(() => observable((emit) => ...))` runs once per
subscribed client; emitters kept in a module-level registry and looped over by a mutation reach the
clients of this process only. Served over `ws` (`applyWSSHandler`) or SSE."""

from .model import Framework, ServerKind

TRPC = Framework(
    id="trpc",
    name="tRPC",
    families=frozenset({"ecmascript"}),
    kinds=(
        ServerKind(
            "trpc",
            "tRPC router",
            suggestion="a Redis pub/sub bridge (mutations publish; one subscriber per process calls the emitters)",
        ),
    ),
    global_calls=("initTRPC.create",),
    module_specifiers=frozenset({"@trpc/server"}),
    client_modules=frozenset({"@trpc/client", "@trpc/react-query", "@trpc/next"}),
    registration_methods=frozenset({"subscription"}),
)
