"""What one source file says about real-time state: the facts the rules are decided on.

Facts are plain frozen data (picklable, so scans can run in worker processes; cached as JSON by
`facts_json`, which must know the type of every field). They record what the code does, not verdicts:
whether a container is a problem depends on the whole project (an adapter configured in another file,
a helper called from a handler elsewhere).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from .text import FactValue, Span, fact_value

StateType = Literal["presence", "subscriptions", "history"]
ContainerRole = Literal["presence", "subscriptions", "history", "connections"]
Storage = Literal["memory", "redis", "database", "memcached", "external"]
FileRole = Literal["server", "client", "neutral"]

STATE_TYPES: tuple[StateType, ...] = ("presence", "subscriptions", "history")
STATE_TYPE_WORDS: dict[str, str] = {
    "presence": "presence",
    "subscriptions": "subscriptions",
    "history": "message history",
}


@fact_value
@dataclass(frozen=True, slots=True)
class WriteDetail(FactValue):
    """What a write does, apart from where it is. It does not change while edits elsewhere move the
    write, so moving a `Mutation` past an edit (on every keystroke, for every write below it) builds
    a five-slot object and shares this one."""

    operation: str  # as a reader would name it: "push", "set", "[key] =", "++", "del", ...
    holds_handle: bool  # the value written is a live connection (socket, ws, response)
    # the keys of an object / dict literal written (`rooms[id] = {url, isPlaying}`): a record's fields
    fields: tuple[str, ...] = ()
    key: str = ""  # the key written or removed, as written (`socket.id`, `sid`, `topic`), when short
    value: str = ""  # the value written when it is a name (`msg`, `ws`, `socket.id`)
    nested: bool = False  # written into an entry (`rooms[r].add(sid)`), not the container itself


@fact_value
@dataclass(frozen=True, slots=True)
class Mutation(FactValue):
    """A write to a long-lived container from inside a function. Where it is and in which function
    are fields (project evaluation reads them for every write); what it writes is `detail`."""

    span: Span
    functions: tuple[str, ...]  # names of the enclosing named functions, innermost first
    scope: int  # start byte of the innermost enclosing function (for write-through checks)
    in_handler: bool  # lexically inside a real-time handler
    detail: WriteDetail

    @property
    def operation(self) -> str:
        return self.detail.operation

    @property
    def holds_handle(self) -> bool:
        return self.detail.holds_handle

    @property
    def fields(self) -> tuple[str, ...]:
        return self.detail.fields

    @property
    def key(self) -> str:
        return self.detail.key

    @property
    def value(self) -> str:
        return self.detail.value

    @property
    def nested(self) -> bool:
        return self.detail.nested


@fact_value
@dataclass(frozen=True, slots=True)
class StateContainer(FactValue):
    """A module-level / class-level / singleton-field collection or counter."""

    name: str
    owner: str | None  # class that declares it, for fields and class attributes
    scope: Literal["module", "class", "instance"]
    kind: str  # "Map", "Set", "array", "object", "dict", "list", "set", "deque", "counter", ...
    span: Span  # the declared name
    role: ContainerRole | None  # None: not real-time state (cache, timer, config, unknown)
    singleton: bool  # for "instance" scope: the owner is known to live once per process
    mutations: tuple[Mutation, ...]
    broadcasts: tuple[Span, ...]  # places that iterate it to send to every connection
    # more state kept in the entries of a registry (`rooms.get(id).messages.push(m)` beside
    # `rooms.get(id).members.add(socket.id)`): each is judged as well as `role`
    also: tuple[StateType, ...] = ()
    # every use in its file touches only the entry of the connection at hand (`users[socket.id]`,
    # `context.session.id in user_sessions`): None when the file does not use it at all
    own_entries: bool | None = None
    evidence: str = ""  # what decided `role`, as a finding's message says it (`scan_common.role_evidence`)


@fact_value
@dataclass(frozen=True, slots=True)
class ForeignWrite(FactValue):
    """Writes to a container another file of the project declares: `onlineUsers.set(...)` where
    `onlineUsers` is imported from `./store`, `store.users[sid] = ...` after `import store`. The project
    resolves `module` from this file and joins the writes to that file's module-level container."""

    module: str  # as written in the import
    name: str  # the name that module exports the container as
    mutations: tuple[Mutation, ...]
    own_entries: bool | None = None  # as `StateContainer.own_entries`, for this file's uses
    broadcasts: tuple[Span, ...] = ()  # places in this file that send to every element of it


@fact_value
@dataclass(frozen=True, slots=True)
class ServerSite(FactValue):
    """A real-time server construction or declaration."""

    framework: str  # "socket.io", "nestjs", "ws", "sse", "uws", "python-socketio", ...
    span: Span
    variable: str | None
    library_fanout: bool  # rooms/broadcast handled by the library; an adapter/manager/layer externalises it
    shared: bool = False  # fan-out is already configured on this very construction
    storage: Storage | None = None  # backend of that configuration, when known
    options: frozenset[str] = frozenset()  # notable options ("connectionStateRecovery", "async")
    broadcasts: tuple[Span, ...] = ()  # built-in registry loops (`wss.clients.forEach(... send)`)


@fact_value
@dataclass(frozen=True, slots=True)
class BackendUse(FactValue):
    """Code that hands real-time state to a shared backend (or configures fan-out through one)."""

    span: Span
    storage: Storage
    role: Literal["adapter", "bridge", "write"]
    state_type: StateType | None
    detail: str
    scope: int  # start byte of the enclosing function, -1 at module level
    requires: Literal["redis", "database", "memcached", ""] = ""  # ambiguous call: count it only
    function: str = ""  # innermost named function around it (a helper a handler may call)
    # where the file can reach a client library of that kind
    in_handler: bool = False  # lexically inside a real-time handler


@fact_value
@dataclass(frozen=True, slots=True)
class Suppression(FactValue):
    line: int  # zero-based line the comment applies to
    rules: frozenset[str]
    reason: str
    at: int = -1  # start byte of the comment


@fact_value
@dataclass(frozen=True, slots=True)
class FileFacts(FactValue):
    path: str
    language: str
    role: FileRole
    servers: tuple[ServerSite, ...] = ()
    containers: tuple[StateContainer, ...] = ()
    backends: tuple[BackendUse, ...] = ()
    membership_calls: tuple[Span, ...] = ()  # socket.join / enter_room / group_add
    # emits that reach more than the sender: to everyone, to a room, `broadcast` (`io.emit`,
    # `socket.to(room).emit`, `sio.emit(event)` without `to=sid`, `emit(..., broadcast=True)`)
    fanout_calls: tuple[Span, ...] = ()
    foreign_writes: tuple[ForeignWrite, ...] = ()
    # containers handed to a local module's exported function: (module as written, argument index,
    # container name), `require("./rooms")(io, socket, rooms)`; joined to that function's writes to the
    # parameter, which the module records as `ForeignWrite(module="", name="#<index>")`
    passes: tuple[tuple[str, int, str], ...] = ()
    handler_calls: frozenset[str] = frozenset()  # names called from inside real-time handlers
    calls: tuple[tuple[str, frozenset[str]], ...] = ()  # named function -> names it calls
    scope_calls: tuple[
        tuple[int, frozenset[str]], ...
    ] = ()  # function start byte -> names called directly in it
    module_instances: frozenset[str] = frozenset()  # classes instantiated once at module level
    # (owner class, class it keeps instances of): `this.presence = new Presence()` in a constructor,
    # `this.rooms.set(id, new Room())`; a long-lived owner makes what it keeps long-lived
    owned_classes: tuple[tuple[str, str], ...] = ()
    imports: tuple[str, ...] = ()  # module specifiers as written
    client_libraries: frozenset[str] = frozenset()  # "redis" / "database" / "memcached" imported here
    suppressions: tuple[Suppression, ...] = ()
    has_errors: bool = False


@fact_value
@dataclass(frozen=True, slots=True)
class SettingFact(FactValue):
    """One value a settings file gives (`replicas: 1`, `web: gunicorn -w 4 app:app`), where it gives it,
    and what a comment beside it says: a pin to one instance is a statement only when a comment says why."""

    key: tuple[str, ...]  # mapping keys and sequence indices from the top ("services", "web", "scale")
    value: str  # the scalar as text, quotes and escapes resolved; cut at `MAX_SETTING_CHARS`
    span: Span  # the value as written
    comment: str = ""  # on the value's line, else the comment lines right above its key
    document: int = 0  # which document of a multi-document YAML stream


@fact_value
@dataclass(frozen=True, slots=True)
class SettingsFacts(FactValue):
    """What one non-source file (deployment or framework settings) says; `file_kinds` reads it."""

    path: str
    kind: str  # a `file_kinds.FILE_KINDS` id
    settings: tuple[SettingFact, ...] = ()
    has_errors: bool = False  # the file does not parse whole (what does parse is still read)


MAX_SETTING_CHARS = 500

# --- naming heuristics shared by the language extractors -------------------------------------

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")

IGNORE_WORDS = frozenset(
    """
    cache cached caches memo memoized lru rate rates ratelimit ratelimits limit limits limiter
    limiters throttle throttles timer timers timeout timeouts interval intervals debounce bucket
    buckets metric metrics stat stats attempts retries retry lock locks pending config configs
    settings options handlers handler routes route schema schemas template templates jwks keys
    token tokens counter counters lookup lookups registry games game board boards tasks task
    timestamp timestamps log logs logger debug audit errors trace traces abort aborts
    """.split()
)
PRESENCE_WORDS = frozenset(
    """
    online presence typing connected active users user sessions session peers participants
    members member people visitors viewers nicknames nickname usernames username names players
    status statuses seen last online num
    """.split()
)
HISTORY_WORDS = frozenset(
    """
    message messages msgs msg history histories chatlog chatlogs backlog transcript transcripts
    replay events event chats posts
    """.split()
)
SUBSCRIPTION_WORDS = frozenset(
    """
    room rooms channel channels subscription subscriptions subscribers subscriber topic topics
    group groups membership memberships namespaces
    """.split()
)
# words of `IGNORE_WORDS` that say what something belongs to when they are not the head noun
SCOPE_WORDS = frozenset({"game", "games", "board", "boards"})
# words that say presence whatever else a name says (`offlinePlayers`, `typingUsers`)
ONLINE_WORDS = frozenset({"online", "offline", "presence", "typing"})
# what a class is when its instances are rooms (`GameRoom`, `Lobby`), by the class name's head noun;
# a registry named after them (`lobbies`) holds rooms
ROOM_WORDS = frozenset("room rooms channel channels lobby lobbies group groups".split())
# who a room holds, when a container is named for rooms and people at once
ROSTER_WORDS = frozenset(
    """
    users user players player participants participant people usernames nicknames spectators
    spectator
    """.split()
)
# what a module-level counter must name to be an online count (`numUsers`, `clientsCount`)
COUNTED_WORDS = frozenset(
    """
    users user online clients connections connected sockets peers players visitors viewers
    participants members
    """.split()
)
REGISTRY_WORDS = frozenset(
    """
    clients client connections connection sockets socket conns conn streams controllers writers
    listeners responses res websockets ws
    """.split()
)
HANDLE_NAMES = frozenset(
    """
    ws socket websocket conn connection client res response controller writer stream sock peer
    sse wsclient self
    """.split()
)
SEND_METHODS = frozenset(
    """
    send write emit send_text send_json send_bytes enqueue sendText send_str publish write_message
    """.split()
)


# Callees that are library or language built-ins, never the helper a handler writes state through:
# left out of the call graph, which keeps facts (and the cache) small.
BUILTIN_CALLEES = frozenset(
    """
    map filter forEach reduce reduceRight toFixed localeCompare toString toUpperCase toLowerCase slice
    join split trim trimStart trimEnd replace replaceAll indexOf lastIndexOf includes startsWith endsWith
    stringify parse log error warn info debug then catch finally resolve reject sort reverse concat find
    findIndex some every fill floor ceil round max min abs random now isArray from assign freeze keys
    values entries setTimeout setInterval clearTimeout clearInterval require String Number Boolean Date
    Error Promise Array Object Symbol Map Set parseInt parseFloat isNaN encodeURIComponent
    decodeURIComponent charAt charCodeAt padStart padEnd repeat match test exec toISOString getTime
    items format strip lstrip rstrip lower upper startswith endswith sorted len print isinstance range
    enumerate zip list dict tuple str int float sum any all super getattr hasattr setattr dumps loads
    sleep gather create_task iter next type id repr bool bytes encode decode
    """.split()
)


def words(name: str) -> list[str]:
    """The words of a name: `onlineUsers`, `online_users`, and lowercase compounds of two known words
    (`onlineusers`, `sessioninfos`, `userids`: both parts are kept)."""
    found = []
    for word in _WORD.findall(name.replace("_", " ")):
        word = word.lower()
        found.append(word)
        if len(word) > 6 and word not in _VOCABULARY:
            found += _compound(word)
    return found


@lru_cache(maxsize=4096)
def _compound(word: str) -> tuple[str, ...]:
    for cut in range(3, len(word) - 2):
        head, tail = word[:cut], word[cut:]
        if head in _VOCABULARY and (tail in _VOCABULARY or tail in _TAILS):
            return (head, tail)
    return ()


_VOCABULARY = frozenset(
    IGNORE_WORDS | PRESENCE_WORDS | HISTORY_WORDS | SUBSCRIPTION_WORDS | COUNTED_WORDS | REGISTRY_WORDS
)
# head nouns of real-time state, which a scope word before them does not make game state
_STATE_NOUNS = (
    PRESENCE_WORDS | HISTORY_WORDS | SUBSCRIPTION_WORDS | ROSTER_WORDS | REGISTRY_WORDS
) - IGNORE_WORDS
# second halves that only say "a collection of" (`sessioninfos`, `userids`, `roomlist`)
_TAILS = frozenset("ids id info infos list lists map maps data set sets by dict".split())


# fields of a written record that hold people, connections or messages: a room record with one of
# these is membership (or history); one without (`{url, isPlaying, currentTime}`) is the room's own state
MEMBER_FIELD_WORDS = (
    ROSTER_WORDS
    | REGISTRY_WORDS
    | HISTORY_WORDS
    | frozenset("members member subscribers subscriber ids sids viewers watchers online".split())
)


# fields that only name a room (`{name, createdBy}`): a registry of which rooms exist is still the rooms
IDENTITY_FIELD_WORDS = frozenset(
    """
    id name title label description desc topic slug type kind created creator owner host admin by at
    private public password code key
    """.split()
)


def holds_plain_records(adds: list[Mutation]) -> bool:
    """Every value written is an object or dict literal holding the room's own state: no field holds
    members, and some field says more than which room it is (`{videoUrl, isPlaying, currentTime}`)."""
    if not adds or not all(m.fields for m in adds):
        return False
    tokens = [set(words(f)) for m in adds for f in m.fields]
    return not any(t & MEMBER_FIELD_WORDS for t in tokens) and any(
        not t <= IDENTITY_FIELD_WORDS for t in tokens
    )


def classify_container(
    name: str,
    kind: str,
    handle_values: bool,
    broadcasts: bool = False,
    records: bool = False,
    roster: bool = False,
) -> ContainerRole | None:
    """The state a long-lived container holds, from its name and what is written into it. `records`:
    every value written is a record without members (`holds_plain_records`); `roster`: a record
    written names the people in it (`rooms.set(id, {players: [socket.id]})`)."""
    tokens = words(name)
    if not tokens or kind in {"cache", "timer"}:
        return None
    token_set = set(tokens)
    if token_set >= {"chat", "log"} or token_set >= {"chat", "logs"}:
        return "history"  # `chatLog`: the one log that is a history
    ignored = token_set & IGNORE_WORDS
    if ignored and not (
        ignored <= SCOPE_WORDS and (head_noun(tokens) in _STATE_NOUNS or token_set & ONLINE_WORDS)
    ):
        return None  # `gameBoards`, `userCache`; but `boardUsers` are the users of each board, and
        # `onlineGameMap` says who is online in a game
    if token_set & ONLINE_WORDS and (kind != "counter" or token_set & COUNTED_WORDS):
        return "presence"  # not `_last_offline_check = 0`, a time kept about presence
    if token_set & HISTORY_WORDS:
        # history holds messages; `chats[chat_id] = {websocket}` holds each chat's live connections
        return "subscriptions" if handle_values else "history"
    if token_set & SUBSCRIPTION_WORDS or head_noun(tokens) in ROOM_WORDS:
        # `roomUsers`, `room_users`, `channelMembers`: who is in which room. A roster shown to users
        # is presence; the same map looped over to send is the room's fan-out. The name's head noun
        # says which side is kept: `user_rooms` holds the rooms each user is in (membership)
        named_roster = bool(token_set & ROSTER_WORDS) and head_noun(tokens) not in SUBSCRIPTION_WORDS
        if roster or (named_roster and not broadcasts):
            return "presence"  # records that list their people: who is in each room
        if records:  # `rooms[id] = {url, isPlaying}`: what each room shows, not who is in it
            return None
        return "subscriptions"
    if handle_values:
        # `userSockets.set(userId, socket)` says who is online; `clients.add(ws)` only keeps handles
        return (
            "presence"
            if token_set & {"user", "users", "username", "usernames", "player", "players"}
            else "connections"
        )
    if kind == "counter":
        # `numUsers++` counts who is online; other counters (`VALUE = 0`) are not real-time state
        return "presence" if token_set & COUNTED_WORDS else None
    # the weakest evidence, a name about people or connections, counts only as the name's head noun:
    # `connectedUsers`, `userMap` and `clientIds` hold users and clients, `clientScripts` holds scripts
    head = head_noun(tokens)
    if head in REGISTRY_WORDS and broadcasts:
        return "connections"  # `clients.forEach((c) => c.res.write(...))`: who to send to
    if head in PRESENCE_WORDS or head in REGISTRY_WORDS:
        return "presence"
    return None


def head_noun(tokens: list[str]) -> str:
    """The word a name is about: its last word, past words that only say "a collection of", before
    `by` (`usersBySid` is about users)."""
    if "by" in tokens[1:]:
        tokens = tokens[: len(tokens) - 1 - tokens[::-1].index("by")]
    for token in reversed(tokens):
        if token not in _TAILS:
            return token
    return tokens[-1]


def classify_key_text(text: str, default: StateType | None) -> StateType | None:
    """State type of a backend write from the key, model or table it names."""
    token_set = set(words(text))
    if token_set & {"online", "presence", "typing", "heartbeat", "seen", "connected"} or (
        token_set >= {"user", "connections"}  # `user:{id}:connections`: how many a user has open
    ):
        return "presence"
    if token_set & HISTORY_WORDS:
        return "history"
    if token_set & (SUBSCRIPTION_WORDS | {"members"}):
        # `board-room:<id>-cards`: a room's own content is no membership; `room:<id>` alone may be
        if token_set & ROOM_RECORD_WORDS and not token_set & MEMBERSHIP_EVIDENCE:
            return None
        return "subscriptions"
    # a `users` table or a `User` model is who has an account, not who is online: only words about
    # being connected make a row presence
    if token_set & {"connected", "connection", "connections", "sessions", "session", "status", "last"}:
        return "presence"
    return default


# what a room's record holds besides its members: a write of these is the room's content, not who is in it
ROOM_RECORD_WORDS = frozenset(
    """
    card cards column columns board boards canvas stroke strokes shape shapes drawing settings config
    meta metadata info title description name topic content document doc notes note file files score
    scores vote votes question questions answer answers task tasks todo todos item items text texts
    """.split()
)
# fields a write sets on an account to say it is connected
ONLINE_FLAGS = frozenset({"online", "presence", "connected", "isonline", "lastseen", "last_seen"})
# words that say a write is about who is in a room: its members, sockets or subscriptions
MEMBERSHIP_EVIDENCE = frozenset(
    """
    member members membership memberships participant participants subscriber subscribers subscription
    subscriptions user users userid userids socket sockets socketid client clients sid sids peer peers
    joined online presence
    """.split()
)


def classify_record_write(receiver: str, first: str, arguments: str) -> StateType | None:
    """State type of a database write (`Room.create(...)`, `db.rooms.update_one(...)`): as a key,
    except that a record named only for rooms (`Room.create({name})`, `room.save()`) is a room that
    exists, not membership, unless the write names who is in it (`$push: {users: ...}`)."""
    state = classify_key_text(f"{receiver} {first}", None)
    if state == "subscriptions" and not set(words(f"{receiver} {arguments}")) & MEMBERSHIP_EVIDENCE:
        return None
    if state is None and set(words(arguments)) & ONLINE_FLAGS:
        return "presence"  # `users.update_one(q, {"$set": {"online": True}})`: a user row marked online
    return state


# a key or value that is the connection itself: `socket.id`, `sid`, `request.sid`, `self.channel_name`
CONNECTION_ID = re.compile(
    r"^(?:(?:socket|client|ws|conn|connection|peer|sock|request|req|self|this|websocket|s|c)\.)?"
    r"(?:sid|socketId|socket_id|clientId|client_id|connectionId|connection_id|channel_name)$"
    r"|^(?:socket|client|ws|conn|connection|peer|sock|websocket|s|c)\.(?:id|sid)$"
)
# an id added into an entry (`rooms[room].add(user_id)`): a member of that room
MEMBER_ID = re.compile(r"(?:^|[._])(?:[a-z]+_)?(?:id|sid)$|[a-z](?:Id|ID)$")
# what a message written to a history looks like: `messages.push(msg)`, `log.append({"text": t})`
MESSAGE_VALUE_WORDS = frozenset("msg message chat post comment text line payload".split())
MESSAGE_FIELD_WORDS = frozenset("text body content message msg".split())
APPENDING = frozenset("push unshift append appendleft insert".split())
REMOVING = frozenset("delete del pop remove discard".split())


def appends_message(m: Mutation) -> bool:
    """`messages.push(msg)`, `log.append({"text": t})`: a message-shaped value appended."""
    return m.operation in APPENDING and bool(
        set(words(m.value)) & MESSAGE_VALUE_WORDS
        or any(set(words(f)) & MESSAGE_FIELD_WORDS for f in m.fields)
    )


def usage_role(mutations: Sequence[Mutation]) -> StateType | None:
    """What a container holds when its name says nothing (`store`, `data`, `mesages`, `usuarios`),
    from its writes: message-shaped values appended -> history; connections added into entries
    (`store[topic].add(socket.id)`) -> subscriptions; entries keyed by the connection and removed by
    it (`state[socket.id] = ...; delete state[socket.id]`) -> presence."""
    if any(appends_message(m) for m in mutations):
        return "history"
    if any(
        m.nested
        and m.operation in {"add", "push", "append", "set"}
        and (m.holds_handle or CONNECTION_ID.match(m.value) or MEMBER_ID.search(m.value))
        for m in mutations
    ):
        return "subscriptions"
    added = any(
        not m.nested and m.operation in {"[key] =", "set"} and CONNECTION_ID.match(m.key) for m in mutations
    )
    removed = any(m.operation in REMOVING and CONNECTION_ID.match(m.key) for m in mutations)
    return "presence" if added and removed else None


def entry_roles(role: ContainerRole | None, mutations: Sequence[Mutation]) -> tuple[StateType, ...]:
    """State a registry's entries hold besides `role`: messages appended into an entry (history). A
    socket added into an entry is what the container already is (`userSockets.get(user).add(ws)`)."""
    if role is None:
        return ()
    main = "subscriptions" if role == "connections" else role
    found: list[StateType] = []
    # an entry keyed by the connection is that connection's own (`sockets.get(ws.id).messages`)
    nested = [m for m in mutations if m.nested and not CONNECTION_ID.match(m.key)]
    if main != "history" and any(appends_message(m) for m in nested):
        found.append("history")
    return tuple(found)


def holds_roster(adds: Sequence[Mutation]) -> bool:
    """A record written names who is in it (`{players: [...]}`, `{users: new Set()}`)."""
    return any(set(words(f)) & ROSTER_WORDS for m in adds for f in m.fields)


def weak_name(name: str) -> bool:
    """A name that says only "connections" (`connections`, `clients`, `sockets`): what is written
    decides better whether it holds who is online or who is in which room."""
    tokens = set(words(name))
    return not tokens & (PRESENCE_WORDS | HISTORY_WORDS | SUBSCRIPTION_WORDS | IGNORE_WORDS)


def says_nothing(name: str) -> bool:
    """A name none of whose words tells what it holds, or says it is not real-time state."""
    return not set(words(name)) & _VOCABULARY


def parse_suppression(comment: str, syntax: re.Pattern[str]) -> tuple[frozenset[str], str] | None:
    """(rules, reason) of a suppression comment written in a language's syntax (`languages.py`)."""
    match = syntax.search(comment)
    if not match:
        return None
    rules = frozenset(r.strip() for r in re.split(r"[,\s]+", match.group(1)) if r.strip())
    return rules, (match.group(2) or "").strip()
