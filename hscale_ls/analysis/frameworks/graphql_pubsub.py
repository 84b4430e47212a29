"""GraphQL subscriptions: `new PubSub()` from `graphql-subscriptions` is an event emitter inside one
process, so a mutation handled by one instance never reaches subscribers connected to another.
`RedisPubSub` (`graphql-redis-subscriptions`) carries the same events through Redis."""

from .model import Framework, ServerKind

GRAPHQL_PUBSUB = Framework(
    id="graphql-pubsub",
    name="GraphQL subscriptions",
    families=frozenset({"ecmascript"}),
    kinds=(
        ServerKind(
            "graphql-pubsub",
            "GraphQL PubSub",
            shared_by="bridge",
            no_shared_fanout="graphql-subscriptions PubSub {name} delivers events to subscribers in this "
            "process only and the project has no pub/sub bridge",
            suggestion="`RedisPubSub` from `graphql-redis-subscriptions`",
        ),
    ),
    constructors=(("graphql-subscriptions", "PubSub"),),
    module_specifiers=frozenset({"graphql-subscriptions"}),
    in_process_publish=frozenset({"publish"}),
)
