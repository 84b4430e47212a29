"""Django Channels: `WebsocketConsumer` classes, and `CHANNEL_LAYERS` whose in-memory layer keeps
groups inside each process (`channels_redis` shares them)."""

from .model import Framework, ServerKind

CHANNELS = Framework(
    id="channels",
    name="Django Channels",
    families=frozenset({"python"}),
    kinds=(
        ServerKind("channels", "Django Channels consumer"),
        ServerKind(
            "channels-layer",
            "Django Channels layer",
            shared_by="adapter",
            no_shared_fanout="CHANNEL_LAYERS uses InMemoryChannelLayer, which keeps groups inside each process",
            suggestion="`channels_redis.core.RedisChannelLayer`",
            fix="channels-redis-layer",
        ),
    ),
    consumer_bases=("WebsocketConsumer", "JsonWebsocketConsumer"),
    module_specifiers=frozenset({"channels"}),
    handler_bases=("Consumer",),
    membership_methods=frozenset({"group_add"}),
    layer_setting="CHANNEL_LAYERS",
    layer_kind="channels-layer",
    memory_layer="channels.layers.InMemoryChannelLayer",
    shared_layer_prefix="channels_redis.",
)
