"""The rule catalog: each rule as data with a structured doc.

The same text feeds `hscale-ls rules`, SARIF rule help, editor hovers and the README's rule table.
"""

from __future__ import annotations

from dataclasses import dataclass

from .facts import StateType

CHECK_ID = "horizontal-scaling-ready"
DOCS_BASE = "https://github.com/hscale-ls/hscale-ls/blob/main/README.md"


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    state_type: StateType
    title: str
    what: str
    why: str
    example: str
    instead: str
    fix_safety: str

    @property
    def docs_url(self) -> str:
        return f"{DOCS_BASE}#{self.id}"

    def markdown(self) -> str:
        return (
            f"### `{self.id}`: {self.title}\n\n"
            f"**What it finds.** {self.what}\n\n"
            f"**Why it breaks at scale.** {self.why}\n\n"
            f"**Example.**\n\n```\n{self.example}\n```\n\n"
            f"**Use instead.** {self.instead}\n\n"
            f"**Fix safety.** {self.fix_safety}\n"
        )

    def plain(self) -> str:
        example = "\n".join("    " + line for line in self.example.splitlines())
        return (
            f"{self.id}  ({self.state_type})\n  {self.title}\n\n"
            f"  What it finds: {self.what}\n\n  Why it breaks at scale: {self.why}\n\n"
            f"  Example:\n{example}\n\n  Use instead: {self.instead}\n\n  Fix safety: {self.fix_safety}\n"
        )


PRESENCE = Rule(
    id="presence-in-memory",
    state_type="presence",
    title="Who is online is kept only in this process",
    what=(
        "A long-lived container (module variable, class attribute, field of a singleton such as a NestJS "
        "gateway or a module-level `ConnectionManager()`) that records who is online, typing, or which "
        "socket belongs to which user, and is written from real-time handlers."
    ),
    why=(
        "Each server instance sees only the users connected to it, so with two instances every user "
        "appears offline to half of the others, and a restart or rolling deploy forgets everyone."
    ),
    example=(
        "const onlineUsers = new Map();\n"
        'io.on("connection", (socket) => {\n'
        "  onlineUsers.set(socket.handshake.auth.userId, socket.id);\n"
        "});"
    ),
    instead=(
        "Keep presence in Redis with an expiry: a sorted set scored by heartbeat time (`ZADD presence "
        "<now> <userId>`, list with `ZRANGEBYSCORE`, prune stale entries) or per-user keys with `EX`. "
        "With Socket.IO, per-user rooms (`socket.join(`user:${id}`)`) replace user-to-socket maps."
    ),
    fix_safety=(
        "Rewriting the mutation sites changes existing statements, so that fix is unsafe and only "
        "offered, never applied by `check --fix`."
    ),
)

SUBSCRIPTIONS = Rule(
    id="subscriptions-in-memory",
    state_type="subscriptions",
    title="Room membership and fan-out stay inside this process",
    what=(
        "A real-time server whose rooms and broadcasts are handled in process (a Socket.IO server or "
        "NestJS gateway without an adapter, python-socketio without `client_manager=`, Flask-SocketIO "
        "without `message_queue=`, Django Channels on `InMemoryChannelLayer`) when nothing in the project "
        "configures one and the server reaches other clients than the sender (it joins rooms, emits to all "
        "or to a room, broadcasts); and long-lived room-to-member maps or connection registries used for "
        "broadcast "
        "(`ws` client sets, FastAPI `active_connections`, SSE response lists) when the project has no "
        "pub/sub bridge."
    ),
    why=(
        "A broadcast reaches only the clients connected to the instance that sent it: with two "
        "instances, users in the same room stop seeing each other's messages, silently."
    ),
    example=(
        'const { Server } = require("socket.io");\nconst io = new Server(httpServer);\nio.to(room).emit("message", msg);'
    ),
    instead=(
        "Install a shared adapter or message queue: `io.adapter(createAdapter(pub, sub))` from "
        "`@socket.io/redis-adapter`, `socketio.AsyncRedisManager(url)` as `client_manager`, "
        "`SocketIO(app, message_queue=url)`, `channels_redis.core.RedisChannelLayer`, or a Redis pub/sub "
        "bridge that delivers to the local connections of every instance."
    ),
    fix_safety=(
        "Adding an adapter, manager, channel layer or bridge is additive set-up that leaves existing "
        "statements as they were: safe."
    ),
)

HISTORY = Rule(
    id="history-in-memory",
    state_type="history",
    title="Message history is kept only in this process",
    what=(
        "A long-lived list, array, deque or map of messages appended from real-time handlers and "
        "replayed to clients that join or reconnect."
    ),
    why=(
        "Each instance replays a different partial history, and every restart or deploy loses it: "
        "users who reconnect to another instance see a conversation with holes."
    ),
    example=('const messages = [];\nsocket.on("message", (msg) => {\n  messages.push(msg);\n});'),
    instead=(
        "Append to a Redis Stream on send (`XADD chat:<room> MAXLEN ~ 1000 * ...`) and read the last "
        "messages on join (`XREVRANGE ... COUNT 50`), or insert into the project's database."
    ),
    fix_safety=(
        "Writing the history on send and reading it on join rewrites existing statements: unsafe, "
        "offered but not applied by `check --fix`."
    ),
)

RULES: dict[str, Rule] = {rule.id: rule for rule in (PRESENCE, SUBSCRIPTIONS, HISTORY)}
RULE_FOR_STATE: dict[str, Rule] = {rule.state_type: rule for rule in RULES.values()}

CHECK_DOC = (
    "horizontal-scaling-ready (ISO 25010 reliability / availability): passes when real-time state is "
    "stored in at least one shared backend (Redis, Memcached, a database) and at least 2 of the state "
    "types presence / message history / subscriptions are persisted there; fails when real-time state "
    "exists only in process memory; skipped when the deployment is declared single-instance or there is "
    "no real-time server."
)
