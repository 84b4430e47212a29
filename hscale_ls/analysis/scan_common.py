"""Pieces shared by the JavaScript/TypeScript and Python extractors.

`FileScan` holds one parsed file (or one top-level statement of it) and the bookkeeping both extractors
need: the line index and the enclosing-function lookups (an interval index of the file's functions). Below it: joining declared
containers with the writes found to them, the call graph, the file's facts put together from parts, and
the movers that carry a part's positions to where its statement now starts.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import InitVar, dataclass, field, replace
from operator import attrgetter
from typing import Any, Protocol

from tree_sitter import Node, QueryCursor, Tree

from .facts import (
    BUILTIN_CALLEES,
    ONLINE_WORDS,
    ROOM_WORDS,
    ROSTER_WORDS,
    STATE_TYPE_WORDS,
    BackendUse,
    ContainerRole,
    FileFacts,
    FileRole,
    ForeignWrite,
    Mutation,
    ServerSite,
    StateContainer,
    Suppression,
    classify_container,
    entry_roles,
    head_noun,
    holds_plain_records,
    holds_roster,
    parse_suppression,
    says_nothing,
    usage_role,
    weak_name,
    words,
)
from .frameworks import FRAMEWORKS
from .languages import LanguageId, fact_query, language_named
from .text import LineIndex, Span

# the module of a `ForeignWrite` to state kept on a process-wide object (`app["users"]`,
# `application.connections`, `global.clients`): the file that declares it, wherever it is
APP_MODULE = "@app"
# how handlers reach an application object a project subclasses (tornado's `self.application`)
APPLICATION_ATTRIBUTES = frozenset(f.application_attribute for f in FRAMEWORKS if f.application_attribute)
GLOBAL_PREFIX = "global."  # a container kept on `global` / `globalThis`, named `global.<name>`
# `ServerSite.options` entry of a decorated gateway class: the port it shares with every gateway on it
PORT_OPTION = "port:"


def is_app_key(name: str) -> bool:
    """A container kept on a process-wide object (`app["users"]`, `application.connections`,
    `global.clients`), which handlers in any file of the project reach by that name."""
    return (
        name.startswith(('app["', "app."))
        or name.startswith(GLOBAL_PREFIX)
        or name.partition(".")[0] in APPLICATION_ATTRIBUTES
    )


# Deeper trees are not analysed: tree-sitter's query cursor slows down with depth (minutes on a 600 KB
# chain of calls) and each `Node.parent` step costs a descent from the root. Real code stays below: in
# node_modules and the Python standard library only generated and deliberately deep test files pass 400
# (the deepest, 808). At 500, a 2 MB file of the worst shapes found costs seconds, not minutes.
MAX_NESTING = 500


class TooDeeplyNested(Exception):
    """A syntax tree nested deeper than `MAX_NESTING`; its message is the reason the file is skipped."""


def check_nesting(node: Node, limit: int = MAX_NESTING) -> None:
    """Raise TooDeeplyNested when the tree below `node` nests deeper than `limit` (one pass of a tree
    cursor, stopping as soon as the limit is passed). A subtree of n nodes nests at most n deep, so
    one that could not pass the limit is not entered: in ordinary code most top-level statements are
    passed over whole, and the walk costs a fraction of what visiting every node did."""
    cursor = node.walk()
    depth = 0
    while True:
        if depth + cursor.node.descendant_count > limit and cursor.goto_first_child():  # type: ignore[union-attr]
            depth += 1
            if depth > limit:
                raise TooDeeplyNested(f"nested more than {limit:,} levels deep")
            continue
        while depth > 0 and not cursor.goto_next_sibling():
            cursor.goto_parent()
            depth -= 1
        if depth == 0:
            return


# A container is addressed as ("var", name) for module variables, ("self", class, name) for fields.
ContainerKey = tuple[str, ...]
# (start byte, line, rules, reason) of a suppression comment, before it is placed on the line it covers
SuppressionComment = tuple[int, int, frozenset[str], str]


@dataclass(slots=True)
class FunctionInfo:
    name: str | None
    handler: bool
    owner: str | None  # class the function is a method of


# byte ranges are distinct within one capture name, so this order is total (and computed in C)
_position = attrgetter("byte_range")


@dataclass(slots=True)
class FileScan:
    path: str
    language: LanguageId
    source: bytes
    tree: Tree
    given_index: InitVar[LineIndex | None] = None  # open documents already have one
    root: InitVar[Node | None] = None  # a subtree to scan (one top-level statement) instead of the file
    index: LineIndex = field(init=False)
    captures: dict[str, list[Node]] = field(init=False)
    _sorted: set[str] = field(init=False)
    _functions: dict[int, FunctionInfo] = field(default_factory=dict)
    _function_nodes: list[Node] = field(default_factory=list)
    _function_parents: list[int] = field(default_factory=list)
    _function_starts: list[int] | None = None
    _function_ends: list[int] = field(default_factory=list)
    _contexts: dict[int, tuple[tuple[str, ...], int, bool]] = field(default_factory=dict)
    scope_names: dict[int, str] = field(default_factory=dict)  # function start byte -> innermost named one

    def __post_init__(self, given_index: LineIndex | None, root: Node | None) -> None:
        self.index = given_index if given_index is not None else LineIndex(self.source)
        top = root if root is not None else self.tree.root_node
        check_nesting(top)
        self.captures = QueryCursor(fact_query(self.language)).captures(top)
        self._sorted = set()

    def nodes(self, capture: str) -> list[Node]:
        """One capture's nodes in document order. captures() does not promise an order, so each list
        is sorted (once, when first asked for), and facts are the same on every run."""
        nodes = self.captures.get(capture)
        if nodes is None:
            return []
        if capture not in self._sorted:
            nodes.sort(key=_position)
            self._sorted.add(capture)
        return nodes

    def span(self, node: Node) -> Span:
        return self.index.span(node.start_byte, node.end_byte)

    @staticmethod
    def text(node: Node | None) -> str:
        if node is None:
            return ""
        raw = node.text  # a new bytes object on every access: read it once
        return "" if raw is None else raw.decode("utf-8", errors="replace")

    def enclosing_functions(self, node: Node) -> list[Node]:
        """Functions around a node, innermost first (from an interval index, not parent walks)."""
        return self._chain(self.innermost(node.start_byte, node.end_byte))

    def _chain(self, index: int) -> list[Node]:
        """The function at `index` (from `innermost`) and those around it, innermost first."""
        found = []
        while index >= 0:
            found.append(self._function_nodes[index])
            index = self._function_parents[index]
        return found

    def innermost(self, start: int, end: int) -> int:
        """Index of the innermost function strictly around [start, end), or -1."""
        if self._function_starts is None:
            self._index_functions()
        assert self._function_starts is not None
        index = bisect_right(self._function_starts, start) - 1
        while index >= 0:
            node = self._function_nodes[index]
            if (
                node.start_byte <= start
                and end <= node.end_byte
                and (node.start_byte, node.end_byte) != (start, end)
            ):
                return index
            index = self._function_parents[index]
        return -1

    def _index_functions(self) -> None:
        nodes = sorted(self.nodes("function"), key=lambda n: (n.start_byte, -n.end_byte))
        parents: list[int] = []
        stack: list[int] = []
        for position, node in enumerate(nodes):
            while stack and nodes[stack[-1]].end_byte <= node.start_byte:
                stack.pop()
            parents.append(stack[-1] if stack else -1)
            stack.append(position)
        self._function_nodes = nodes
        self._function_parents = parents
        self._function_starts = [n.start_byte for n in nodes]
        self._function_ends = [n.end_byte for n in nodes]

    def innermost_each(self, nodes: Sequence[Node]) -> list[int]:
        """`innermost` of every node of a list in document order, in one sweep over the functions."""
        if self._function_starts is None:
            self._index_functions()
        assert self._function_starts is not None
        starts, ends, parents = self._function_starts, self._function_ends, self._function_parents
        found: list[int] = []
        last, count = -1, len(starts)
        for node in nodes:
            start, end = node.start_byte, node.end_byte
            while last + 1 < count and starts[last + 1] <= start:
                last += 1
            index = last
            while index >= 0 and (end > ends[index] or (starts[index] == start and ends[index] == end)):
                index = parents[index]
            found.append(index)
        return found

    def context(
        self, node: Node, describe: Callable[[Node], FunctionInfo], kinds: frozenset[str] | None = None
    ) -> tuple[tuple[str, ...], int, bool]:
        """(names of the enclosing named functions, innermost first; start byte of the innermost
        function or -1; whether any enclosing function is a real-time handler). Cached per function."""
        return self.context_at(self.innermost(node.start_byte, node.end_byte), describe, kinds)

    def context_at(
        self, index: int, describe: Callable[[Node], FunctionInfo], kinds: frozenset[str] | None = None
    ) -> tuple[tuple[str, ...], int, bool]:
        """`context` of a node whose innermost function is `index` (from `innermost`)."""
        cached = self._contexts.get(index)
        if cached is not None:
            return cached
        # built from the nearest enclosing function already known, outside in, so that deeply nested
        # callbacks cost one step each instead of a walk up the whole chain each
        pending: list[int] = []
        while index >= 0 and index not in self._contexts:
            pending.append(index)
            index = self._function_parents[index]
        names, scope, handler = self._contexts[index] if index >= 0 else ((), -1, False)
        if not pending:  # outside every function
            self.scope_names[scope] = ""
            cached = self._contexts[index] = (names, scope, handler)
        for at in reversed(pending):
            fn = self._function_nodes[at]
            if kinds is None or fn.type in kinds:
                info = self.function_info(fn, describe)
                if info.name:
                    names = (info.name, *names)
                handler = handler or info.handler
                scope = fn.start_byte
            self.scope_names[scope] = names[0] if names else ""
            cached = (names, scope, handler)
            self._contexts[at] = cached
        assert cached is not None
        return cached

    def function_info(self, node: Node, describe: Callable[[Node], FunctionInfo]) -> FunctionInfo:
        info = self._functions.get(node.id)
        if info is None:
            info = describe(node)
            self._functions[node.id] = info
        return info


@dataclass(frozen=True, slots=True)
class ExtractorKit:
    """What a language's extractor module exports as `KIT` (see `statements.py` for the three stages)."""

    extractor: Callable[[FileScan], Any]  # with contribution() and part(env, contribution, start, line)
    fold: Callable[[Iterable[Any]], Any]  # contributions -> environment (with a signature)
    assemble: Callable[..., FileFacts]
    moved: Callable[[Any, int, int], Any]


# writes that say nothing about what a container holds: removals, rebinding, nested-container set-up
def is_memo_write(scan: FileScan, node: Node, target: str) -> bool:
    """A write in a get-or-create function: it returns `target[key]` / `target.get(key)` when the key
    is already there, and stores the computed value otherwise. That is a cache, whatever its name."""
    functions = scan.enclosing_functions(node)
    if not functions or not target or len(target) > 80:
        return False
    raw = scan.source[functions[0].start_byte : functions[0].end_byte]
    held = target.encode()
    if b"return " + held + b"[" not in raw and b"return " + held + b".get(" not in raw:
        return False  # the common case, decided without decoding the function
    body = raw.decode("utf-8", "replace")
    name = re.escape(target)
    return bool(re.search(rf"(?:\bin\s+{name}\b|{name}\.has\(|{name}\.get\(|\(\s*!?\s*{name}\s*\[)", body))


# a get-or-create store (see `is_memo_write`): adds nothing real-time
MEMO = "memo"
# a whole container assigned from other data (see `reassignment`)
REPLACED = "replace"
NON_ADDING = frozenset(
    {"delete", "del", "remove", "discard", "pop", "clear", "reassign", "init", "shift", "splice", "--", "-="}
    | {REPLACED}
)


def reassignment(target: str, value: str) -> str:
    """How a whole-container assignment is named: "reassign" when the new value is made from the old
    (`users = users.filter(...)`, `history = history[-50:]`), `REPLACED` when it comes from elsewhere
    (`staff = accounts.map(...)` after a query): a snapshot of other data, refreshed wholesale."""
    name = target.rpartition(".")[2]
    return "reassign" if re.search(rf"\b{re.escape(name)}\b", value) else REPLACED


def only_counts_up(mutations: Iterable[Mutation]) -> bool:
    """Every write counts up and none counts down (`connections++`, `events_seen[kind] += 1`): a
    metric that only grows, not who is connected now."""
    operations = {m.operation for m in mutations}
    return bool(operations) and operations <= {"++", "init", "reassign"} and "++" in operations


class PartFacts(Protocol):
    """What the parts of both languages (`extract_js.JsPart`, `extract_py.PyPart`) have in common."""

    membership: list[Span]
    fanout: list[Span]
    foreign: list[tuple[int, str, str, Mutation]]
    comments: list[SuppressionComment]
    handler_calls: set[str]
    calls: dict[str, set[str]]
    scope_calls: dict[int, set[str]]


def facts_from_parts(
    scan: tuple[str, str, bytes, Tree, LineIndex],
    role: FileRole,
    servers: list[ServerSite],
    containers: tuple[StateContainer, ...],
    backends: tuple[BackendUse, ...],
    handler_names: Iterable[str],
    modules: list[str],
    module_instances: frozenset[str],
    parts: Sequence[PartFacts],
    passes: tuple[tuple[str, int, str], ...] = (),
    owned_classes: Iterable[tuple[str, str]] = (),
    foreign_loops: Mapping[tuple[str, str], list[Span]] | None = None,
) -> FileFacts:
    """A file's facts from what its parts found and what was decided for the whole file; `scan` is
    (path, language, source, tree, index)."""
    path, language, source, tree, index = scan
    handler_calls: set[str] = set(handler_names)
    calls: dict[str, set[str]] = {}
    scope_calls: dict[int, set[str]] = {}
    for part in parts:
        handler_calls |= part.handler_calls
        for name, callees in part.calls.items():
            calls.setdefault(name, set()).update(callees)
        for scope, callees in part.scope_calls.items():
            scope_calls.setdefault(scope, set()).update(callees)
    elsewhere = foreign_writes(parts, source, foreign_loops or {})
    owned = [*owned_classes, *_kept_by_instances(containers)]
    for write in elsewhere:
        # `games[code] = game` after `game = Game(...)`, into another file's module-level registry (or
        # a field of another file's class, `Lobby.rooms`): the instance lives as long as its holder
        for kept in (m.value[4:] for m in write.mutations if m.value.startswith("new ")):
            owner, dot, _ = write.name.partition(".")
            if dot and write.module and not is_app_key(write.name):
                owned.append((owner, kept))
            else:
                module_instances |= {kept}
    return FileFacts(
        path=path,
        language=language,
        role=role,
        servers=tuple(servers),
        containers=containers,
        backends=backends,
        membership_calls=tuple(s for p in parts for s in p.membership),
        fanout_calls=_first_fanouts(parts),
        foreign_writes=elsewhere,
        passes=passes,
        handler_calls=frozenset(handler_calls),
        calls=tuple(sorted((k, frozenset(v)) for k, v in calls.items())),
        scope_calls=_mutating_scopes(scope_calls, containers),
        module_instances=module_instances,
        owned_classes=tuple(dict.fromkeys(owned)),
        imports=tuple(modules),
        client_libraries=client_libraries(modules),
        suppressions=placed_suppressions((c for p in parts for c in p.comments), source, index),
        has_errors=tree.root_node.has_error,
    )


def moved_span(span: Span, delta: int, lines: int) -> Span:
    """A span `delta` bytes and `lines` lines further, its columns unchanged."""
    start, end = span.start, span.end
    return span.replace(
        start=start.replace(line=start.line + lines),
        end=end.replace(line=end.line + lines),
        start_byte=span.start_byte + delta,
        end_byte=span.end_byte + delta,
    )


def moved_backend(use: BackendUse, delta: int, lines: int) -> BackendUse:
    scope = use.scope + delta if use.scope >= 0 else use.scope
    return use.replace(span=moved_span(use.span, delta, lines), scope=scope)


def moved_site(site: ServerSite, delta: int, lines: int) -> ServerSite:
    return site.replace(
        span=moved_span(site.span, delta, lines),
        broadcasts=tuple(moved_span(b, delta, lines) for b in site.broadcasts),
    )


def moved_sites(sites: list[tuple[int, ServerSite]], delta: int, lines: int) -> list[tuple[int, ServerSite]]:
    return [(step, moved_site(s, delta, lines)) for step, s in sites]


def moved_mutation(mutation: Mutation, delta: int, lines: int) -> Mutation:
    return mutation.replace(span=moved_span(mutation.span, delta, lines), scope=mutation.scope + delta)


def moved_mutations(
    mutations: list[tuple[int, ContainerKey, Mutation]], delta: int, lines: int
) -> list[tuple[int, ContainerKey, Mutation]]:
    return [(step, key, moved_mutation(m, delta, lines)) for step, key, m in mutations]


def moved_scopes(scope_calls: dict[int, set[str]], delta: int) -> dict[int, set[str]]:
    return {(scope + delta if scope >= 0 else scope): callees for scope, callees in scope_calls.items()}


def moved_comments(comments: list[SuppressionComment], delta: int, lines: int) -> list[SuppressionComment]:
    return [(at + delta, line + lines, rules, reason) for at, line, rules, reason in comments]


def suppression_comments(
    comments: Iterable[Node], source: bytes, index: LineIndex, language: str
) -> list[SuppressionComment]:
    """The suppression comments among `comments`, in the language's syntax (`languages.py`). Whether
    one is alone on its line (and so covers the next) needs the whole file: `placed_suppressions`."""
    entry = language_named(language)
    if entry is None:
        return []
    found = []
    for comment in comments:
        text = source[comment.start_byte : comment.end_byte]
        if b"hscale" not in text:
            continue
        parsed = parse_suppression(text.decode("utf-8", errors="replace"), entry.suppression)
        if parsed is not None:
            line = index.line_of(comment.start_byte)  # tree-sitter's rows end at LF only
            found.append((comment.start_byte, line, parsed[0], parsed[1]))
    return found


def placed_suppressions(
    comments: Iterable[SuppressionComment], source: bytes, index: LineIndex
) -> tuple[Suppression, ...]:
    found = []
    for at, line, rules, reason in comments:
        # a comment alone on its line applies to the next line; a trailing one to its own line
        own_line = source[index.line_start(line) : at].strip() == b""
        found.append(Suppression(line=line + 1 if own_line else line, rules=rules, reason=reason, at=at))
    return tuple(found)


def suppressions_in(
    comments: Iterable[Node], source: bytes, index: LineIndex, language: str
) -> tuple[Suppression, ...]:
    """The suppressions `comments` make, placed (for comments read again after an edit)."""
    return placed_suppressions(suppression_comments(comments, source, index, language), source, index)


# (key, name, owner, scope, kind, singleton, span of the declared name)
DeclaredContainer = tuple[ContainerKey, str, "str | None", str, str, bool, Span]


# a key that is the connection at hand: `socket.id`, `sid`, `request.sid`, `context.session.id`
_OWN_KEY = re.compile(
    rb"\s*(?:(?:[\w.]*\.)?(?:socket|client|ws|conn|connection|sock|request|req|self|this|session|s|c)"
    rb"\.(?:id|sid|session_id|sessionId|channel_name)|sid|socketId|socket_id|session_id|sessionId|"
    rb"client_id|clientId|connection_id|connectionId|channel_name)\s*$"
)
_KEYED = re.compile(
    rb"\s*(?:\?\.)?\[([^\]\n]*)\](\s*=(?!=))?|\s*\??\.(?:(get|has)|set|delete|pop|setdefault)\s*\(([^,)\n]*)"
)
_IMPORT_LINE = re.compile(rb"\s*(?:from\s+\S+\s+import\b|import\b|export\s*\{)")
_IN_TEST = re.compile(rb"([\w.\[\]]+)\s+(?:not\s+)?in\s+$")
_REMOVED = re.compile(rb"\b(?:del|delete)\s+$")
_ASSIGNED = re.compile(rb"\s*(?::|=(?!=))")


def own_entries(source: bytes, name: str, writes: Sequence[Mutation], member: bool) -> bool | None:
    """`own_entries_only`, read from the source only when every write is under the current
    connection's key: a write under any other key (a room, a user) or to the container itself
    (`push`) already shows it holds more than the connection's own entry."""
    if not writes:
        return None
    if any(m.operation != "init" and not _OWN_KEY.match(m.key.encode()) for m in writes):
        return False
    return own_entries_only(source, name, member)


def own_entries_only(source: bytes, name: str, member: bool = False) -> bool | None:
    """Whether every use of `name` in `source` touches only the current connection's entry
    (`users[socket.id] = ...`, `chat_contexts[context.session.id]`, `sid in users`): state each
    connection keeps for itself, which lives where that connection is. None: `name` is not read."""
    last = name.rpartition(".")[2].encode()
    free = not (member or "." in name)
    read = False
    # the name as a literal first (a fast search), then what stands before it, checked by hand: a
    # lookbehind at the front of the pattern would be tried at every byte of the file
    for match in re.finditer(re.escape(last) + rb"(?![\w$])", source):
        start = match.start()
        before = source[start - 1 : start]
        if before.isalnum() or before in (b"_", b"$"):
            continue  # part of a longer name
        if free and before == b"." and source[max(0, start - 3) : start] != b"...":
            continue  # `other.users`: another object's member
        line = source[source.rfind(b"\n", 0, start) + 1 : start]
        if _IMPORT_LINE.match(line) or b"require(" in line:
            continue  # `from .store import users`, `const { users } = require("./store")`
        end = match.end()
        entry = _KEYED.match(source, end)
        if entry is not None:
            if not _OWN_KEY.match(entry.group(1) or entry.group(4) or b""):
                return False
            read = (
                read
                or bool(entry.group(3))
                or (
                    entry.group(1) is not None
                    and not entry.group(2)
                    and not _REMOVED.search(source[max(0, start - 8) : start])
                )
            )
            continue
        test = _IN_TEST.search(source, max(0, start - 80), start)
        if test is not None and test.end() == start:
            # `sid in users` (not `msg in history[sid]`, which tests one entry)
            if not _OWN_KEY.match(test.group(1)):
                return False
            read = True
            continue
        if _ASSIGNED.match(source, end, end + 4):
            continue  # the declaration, or the whole container set at start-up
        return False
    return True if read else None  # written only: nothing says who reads it


# words that hide a replay buffer (Tornado's chat keeps its history in `cache`): messages appended
# to a list so named are history; logs and metrics stay what their names say
REPLAY_WORDS = frozenset("cache cached caches pending buffer".split())


# the class of a record that describes a process, thread or sandbox this process runs
PROCESS_WORDS = frozenset(
    "process processes subprocess popen thread threads worker workers runtime runtimes sandbox sandboxes "
    "executor executors server servers".split()
)


def container_role(
    name: str,
    kind: str,
    mutations: Sequence[Mutation],
    broadcasts: bool,
    own_entries: bool | None = None,
    owner: str | None = None,
    scope: str = "module",
) -> ContainerRole | None:
    """What a container holds, and for a field of a room class (`GameRoom._players`, given `owner` and
    `scope`) who is in that room: the room's fan-out."""
    role = _written_role(name, kind, mutations, broadcasts, own_entries)
    if (
        (role == "presence" or (role is None and own_entries is not True))
        and scope == "instance"
        and kind != "counter"
        and room_roster(owner, name)
    ):
        return "subscriptions"
    return role


def _written_role(
    name: str,
    kind: str,
    mutations: Sequence[Mutation],
    broadcasts: bool,
    own_entries: bool | None = None,
) -> ContainerRole | None:
    """What a container holds, from its name and every write to it (its own file's and others').
    A container whose name says nothing is judged by its writes, and only when something reads it
    beyond the current connection's entry (`own_entries` False): entries only ever read back under the
    connection's own key are each connection's own state."""
    adds = [m for m in mutations if m.operation not in NON_ADDING]
    if own_entries and not broadcasts:
        return None  # each connection's own entry: it lives on the instance that connection is on
    if (adds and all(m.operation == MEMO for m in adds)) or only_counts_up(mutations):
        return None  # a get-or-create memo, or a metric that only grows
    if any(m.operation == REPLACED for m in mutations) and all(
        m.operation in {REPLACED, "init"} for m in mutations
    ):
        return None  # only ever replaced by data from elsewhere (a query's rows): a snapshot of it
    if adds and all(m.value.startswith("new ") and set(words(m.value[4:])) & PROCESS_WORDS for m in adds):
        return None  # `servers[sid] = ServerProcessInfo(...)`: processes this one runs, not who is online
    handle_values = bool(adds) and all(m.holds_handle for m in adds)
    role = classify_container(
        name, kind, handle_values, broadcasts, holds_plain_records(adds), holds_roster(adds)
    )
    if (
        role == "presence"
        and weak_name(name)
        and usage_role(mutations) == "subscriptions"
        and not any(m.nested and set(words(m.key)) & ROSTER_WORDS for m in mutations)
    ):
        return "subscriptions"  # `connections[room_id].add(user_id)`: who is in which room
    # judged by its writes only when something reads it beyond the current connection's entry
    # (listed, counted, sent, or an entry picked by room): write-only or own-entry state says nothing
    if role == "connections" and any(set(words(m.key)) & ROSTER_WORDS for m in mutations):
        return "presence"  # `sockets[userId]`: each user's connections, looped over to reach that user
    if role is None and kind not in {"cache", "timer", "counter"} and own_entries is False:
        found = usage_role(mutations)
        if says_nothing(name):
            return found
        if found == "history" and kind in {"array", "list", "deque"} and set(words(name)) & REPLAY_WORDS:
            return found  # messages appended and read back: a replay buffer, even one named `cache`
    return role


def room_roster(owner: str | None, name: str) -> bool:
    """A field of a room-like class that names people (`Lobby.users`, `GameRoom._spectators`): the
    members of that room."""
    owned_by = words(owner or "")
    said = set(words(name))
    return (
        bool(owned_by)
        and head_noun(owned_by) in ROOM_WORDS
        and bool(said & ROSTER_WORDS)
        and not said & ONLINE_WORDS
    )


def role_evidence(container: StateContainer, role: ContainerRole, entries: bool = False) -> str:
    """What decided that `container` holds `role`, as a reader would check it; `entries`: the role is
    one of `also`, what the registry's entries hold."""
    mutations = container.mutations
    adds = [m for m in mutations if m.operation not in NON_ADDING]
    if entries:
        return "messages are appended into its entries"
    if role == "connections":
        return "it holds live connections"
    if (
        role == "subscriptions"
        and container.scope == "instance"
        and room_roster(container.owner, container.name)
    ):
        return f"it lists who is in each {container.owner}"
    found = usage_role(mutations)
    tokens = set(words(container.name))
    if found == role and (says_nothing(container.name) or weak_name(container.name)):
        return {
            "history": "messages are appended to it",
            "subscriptions": "connections are added into its entries",
            "presence": "its entries are keyed by the connection and removed when it leaves",
        }[role]
    if role == "presence" and holds_roster(adds) and not tokens & ROSTER_WORDS:
        return "its records list who is in each room"
    if role == "presence" and container.kind == "counter":
        return "it counts connections as they come and go"
    if role == "presence" and adds and all(m.holds_handle for m in adds):
        return "it holds each user's live connections"
    if role == "subscriptions" and adds and all(m.holds_handle for m in adds):
        nested = any(m.nested or m.key for m in adds)
        return "live connections are added into its entries" if nested else "it holds live connections"
    if role == "history" and found == "history":
        return "messages are appended to it"
    return f"its name says {STATE_TYPE_WORDS.get(role, role)}"


def _kept(containers: Iterable[StateContainer]) -> Iterator[tuple[StateContainer, str]]:
    """(container, class) for each instance a container keeps (`rooms.set(id, new Room(id))`)."""
    return ((c, m.value[4:]) for c in containers for m in c.mutations if m.value.startswith("new "))


def held_classes(containers: Iterable[StateContainer]) -> frozenset[str]:
    """Classes whose instances a module-level container keeps: each lives as long as the process, so
    what it holds is long-lived state like a singleton's."""
    return frozenset(kept for c, kept in _kept(containers) if c.scope == "module")


def _kept_by_instances(containers: Iterable[StateContainer]) -> list[tuple[str, str]]:
    """(owner, class) for instance containers that keep instances (`this.rooms.set(id, new Room())`)."""
    return [(c.owner, kept) for c, kept in _kept(containers) if c.scope == "instance" and c.owner]


def join_containers(
    declarations: Iterable[DeclaredContainer],
    by_key: dict[ContainerKey, list[Mutation]],
    broadcasts: dict[ContainerKey, list[Span]],
    source: bytes = b"",
) -> tuple[StateContainer, ...]:
    """Containers in declaration order, each with the writes (already made in functions) to it."""
    containers = []
    for key, name, owner, scope, kind, singleton, span in declarations:
        found = by_key.get(key)
        if not found and kind == "counter":
            continue  # a module-level container, static or instance field may be written by other files
        found = found or []
        own = own_entries(source, name, found, member=scope != "module")
        role = container_role(name, kind, found, bool(broadcasts.get(key)), own, owner, scope)
        containers.append(
            StateContainer(
                name=name,
                owner=owner,
                scope=scope,  # type: ignore[arg-type]
                kind=kind,
                span=span,
                role=role,
                singleton=singleton,
                mutations=tuple(found),
                broadcasts=tuple(broadcasts.get(key, ())),
                also=entry_roles(role, found),
                own_entries=own,
            )
        )
        if role is not None:
            containers[-1] = replace(containers[-1], evidence=role_evidence(containers[-1], role))
    return tuple(containers)


# what the project needs of a file's emits to other clients: whether there are any, and a few to show
MAX_FANOUT_SPANS = 4


def _first_fanouts(parts: Sequence[PartFacts]) -> tuple[Span, ...]:
    found: list[Span] = []
    for part in parts:
        if part.fanout:
            found += part.fanout[: MAX_FANOUT_SPANS - len(found)]
            if len(found) >= MAX_FANOUT_SPANS:
                break
    return tuple(found)


def foreign_writes(
    parts: Sequence[PartFacts], source: bytes = b"", loops: Mapping[tuple[str, str], list[Span]] | None = None
) -> tuple[ForeignWrite, ...]:
    """The parts' writes to other files' containers, one record per (module, name), in file order,
    with the loops that send to every element of one (`loops`, by (module, name))."""
    grouped: dict[tuple[str, str], list[Mutation]] = {}
    for _, module, name, mutation in sorted((w for p in parts for w in p.foreign), key=_by_step):
        grouped.setdefault((module, name), []).append(mutation)
    for where in loops or ():
        grouped.setdefault(where, [])
    return tuple(
        ForeignWrite(
            module,
            name,
            tuple(found),
            own_entries(source, name, found, member=True) if module else None,
            tuple(loops.get((module, name), ())) if loops else (),
        )
        for (module, name), found in grouped.items()
    )


def _by_step(write: tuple[int, str, str, Mutation]) -> tuple[int, int]:
    return write[0], write[3].span.start_byte


def _mutating_scopes(
    scope_calls: dict[int, set[str]], containers: tuple[StateContainer, ...]
) -> tuple[tuple[int, frozenset[str]], ...]:
    """Calls made in functions that write a container: all the write-through check needs."""
    scopes = {m.scope for c in containers for m in c.mutations}
    return tuple(sorted((k, frozenset(v)) for k, v in scope_calls.items() if k in scopes))


def backend(
    scan: FileScan,
    node: Node,
    storage: str,
    role: str,
    state_type: str | None,
    detail: str,
    scope: int,
    requires: str = "",
) -> BackendUse:
    return BackendUse(
        span=scan.span(node),
        storage=storage,  # type: ignore[arg-type]
        role=role,  # type: ignore[arg-type]
        state_type=state_type,  # type: ignore[arg-type]
        detail=detail,
        scope=scope,
        requires=requires,  # type: ignore[arg-type]
    )


REDIS_HISTORY_COMMANDS = frozenset({"xadd", "lpush", "rpush", "ltrim"})
REDIS_STATE_COMMANDS = frozenset(
    {
        "sadd",
        "srem",
        "hset",
        "hsetnx",
        "hdel",
        "hincrby",
        "zadd",
        "zrem",
        "zincrby",
        "expire",
        "pexpire",
        "hexpire",
        "setex",
        "psetex",
        "hmset",
    }
)
DATABASE_WRITE_METHODS = frozenset(
    {
        "create",
        "insert",
        "insertone",
        "insertmany",
        "save",
        "upsert",
        "findoneandupdate",
        "updateone",
        "update_or_create",
        "get_or_create",
        "bulk_create",
        "insert_one",
        "insert_many",
        "add",
        "merge",
    }
)
PUBSUB_SUBSCRIBE = frozenset({"subscribe", "psubscribe", "ssubscribe"})

REDIS_MODULES = frozenset(
    {"redis", "ioredis", "@redis/client", "redis.asyncio", "aioredis", "valkey", "iovalkey", "coredis"}
)
DATABASE_MODULES = frozenset(
    {
        "mongoose",
        "mongodb",
        "pg",
        "postgres",
        "mysql",
        "mysql2",
        "sqlite3",
        "sqlite",
        "better-sqlite3",
        "sequelize",
        "typeorm",
        "knex",
        "@prisma/client",
        "drizzle-orm",
        "kysely",
        "sqlalchemy",
        "django.db",
        "motor",
        "tortoise",
        "beanie",
        "peewee",
        "psycopg",
        "psycopg2",
        "asyncpg",
        "databases",
        "pymongo",
        "aiosqlite",
        "sqlmodel",
        "asgiref.sync",
        "channels.db",
        "flask_pymongo",
        "flask_sqlalchemy",
        "mongoengine",
        "odmantic",
    }
)
MEMCACHED_MODULES = frozenset({"memjs", "memcached", "pymemcache", "pylibmc", "aiomcache", "emcache"})


_REDIS_PACKAGE = re.compile(r"(?:^|[/@_-])(?:io)?redis(?:$|[/_-])")


def client_libraries(modules: Iterable[str]) -> frozenset[str]:
    kinds = set()
    for module in modules:
        root = module.split(".")[0] if not module.startswith("@") else module
        for kind, known in (
            ("redis", REDIS_MODULES),
            ("database", DATABASE_MODULES),
            ("memcached", MEMCACHED_MODULES),
        ):
            if module in known or root in known or any(module.startswith(k + "/") for k in known):
                kinds.add(kind)
        if module.startswith(("drizzle-orm", "@prisma", "django.db", "sqlalchemy")):
            kinds.add("database")
        if not module.startswith(".") and _REDIS_PACKAGE.search(module):
            kinds.add("redis")  # a wrapper named for it: `@overleaf/redis-wrapper`, `async-redis`
    return frozenset(kinds)


def record_call(
    graph: tuple[dict[int, set[str]], set[str], dict[str, set[str]]],
    callee: str,
    context: tuple[tuple[str, ...], int, bool],
) -> None:
    """Add one call to (calls per scope, names called from handlers, calls per named function)."""
    scope_calls, handler_calls, calls = graph
    names, scope, in_handler = context
    scope_calls.setdefault(scope, set()).add(callee)
    if callee in BUILTIN_CALLEES:
        return
    if in_handler:
        handler_calls.add(callee)
    if names:
        calls.setdefault(names[0], set()).add(callee)
