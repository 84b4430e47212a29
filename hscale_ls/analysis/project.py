"""One project's files combined: cross-file rules, findings and the horizontal-scaling-ready audit.

An adapter configured in `io.js` covers the server built in `server.js`; a helper in `users.js`
counts as a real-time write when a handler anywhere in the project calls it. Facts never cross
project boundaries.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace

from .config import Config
from .extract_py import ALIAS, DJANGO_CACHE
from .facts import (
    STATE_TYPE_WORDS,
    STATE_TYPES,
    BackendUse,
    FileFacts,
    Mutation,
    ServerSite,
    SettingsFacts,
    StateContainer,
    StateType,
    entry_roles,
)
from .frameworks import kind_of
from .languages import language_named
from .rules import CHECK_ID, RULE_FOR_STATE
from .scan_common import (
    APP_MODULE,
    NON_ADDING,
    PORT_OPTION,
    container_role,
    is_app_key,
    role_evidence,
)
from .text import FactValue, Span, fact_value

MEMORY_SENTENCES: dict[str, str] = {
    "presence": "Presence state stored in process memory only. Adding a second server instance would "
    "lose user presence data.",
    "subscriptions": "Room subscriptions handled in process memory only. Adding a second server instance "
    "would split rooms, and broadcasts would miss users connected to the other instance.",
    "history": "Message history stored in process memory only. Adding a second server instance would give "
    "each instance a different partial history, and a restart loses it.",
}
CONSEQUENCES: dict[str, str] = {
    "presence": "a second instance sees only its own users and a restart forgets everyone",
    "subscriptions": "broadcasts reach only clients connected to the same instance",
    "history": "each instance replays a different partial history and a restart loses it",
}
STORAGE_NAMES = {
    "redis": "Redis",
    "database": "a database",
    "memcached": "Memcached",
    "external": "a message broker",
}


@fact_value
@dataclass(frozen=True, slots=True)
class Related(FactValue):
    path: str
    span: Span
    message: str


@fact_value
@dataclass(frozen=True, slots=True)
class Finding(FactValue):
    rule: str
    state_type: StateType
    path: str
    span: Span
    name: str
    message: str
    severity: str
    related: tuple[Related, ...] = ()
    framework: str = ""  # of the server the finding is about (or the project's first server)
    container_kind: str = ""


@fact_value
@dataclass(frozen=True, slots=True)
class Location(FactValue):
    path: str
    span: Span
    name: str
    state_type: StateType
    storage: str


@dataclass(frozen=True, slots=True)
class Audit:
    verdict: str  # "pass" | "fail" | "skip"
    detail: str
    backends: tuple[str, ...]
    external_state_types: tuple[str, ...]
    memory_state_types: tuple[str, ...]
    locations: tuple[Location, ...]
    root: str
    check: str = CHECK_ID

    @property
    def summary(self) -> str:
        if self.verdict == "skip":
            return f"{CHECK_ID}: skip - {self.detail}"
        return f"{CHECK_ID}: {self.verdict} - {len(self.external_state_types)} of 3 state types in a shared backend"


@dataclass(slots=True)
class ProjectResult:
    root: str
    findings: list[Finding] = field(default_factory=list)
    audit: Audit | None = None
    # what the project's settings files say (`file_kinds`): instance counts, adapters, with positions
    settings: tuple[SettingsFacts, ...] = ()


def evaluate(
    root: str,
    files: Iterable[FileFacts],
    config: Callable[[str], Config],
    memo: ProjectMemo | None = None,
    settings: Iterable[SettingsFacts] = (),
) -> ProjectResult:
    """Findings for every file of one project, and the project's verdict. `memo` carries the call graph
    and the resolved imports from the project's last evaluation (the language server keeps one per
    project); without it, both are built from the files for this evaluation alone. `settings`: facts of
    the project's settings files, passed on in the result (no rule reads them yet)."""
    memo = memo if memo is not None else ProjectMemo(keep=False)
    result = _Evaluation(root, list(files), config, memo).run()
    result.settings = tuple(sorted(settings, key=lambda facts: facts.path))
    return result


class ProjectMemo:
    """What one evaluation of a project can hand to the next, so that a keystroke in one file of a large
    project costs that file: the call graph indexed by function name and file, and local imports resolved
    to project files. Each evaluation brings it up to date with the facts it is given (a file whose calls
    or imports are the same as last time, or the same objects, is not looked at again), so a result never
    depends on what the memo saw before. With `keep=False` (one evaluation, as in a scan) the call graph
    is merged by name only, which is cheaper to build and cannot be updated."""

    __slots__ = ("_by_name", "_calls", "_keep", "_known", "_lifetimes", "_long_lived", "_targets")

    def __init__(self, keep: bool = True) -> None:
        self._keep = keep
        self._calls: dict[str, tuple[tuple[str, frozenset[str]], ...]] = {}  # path -> calls indexed
        self._by_name: dict[str, dict[str, frozenset[str]]] = {}  # function name -> path -> names it calls
        self._known: frozenset[str] = frozenset()
        self._targets: dict[str, tuple[tuple[str, ...], list[str]]] = {}  # path -> imports, files they name
        # path -> (module_instances, owned_classes) the long-lived classes were last found from
        self._lifetimes: dict[str, tuple[frozenset[str], tuple[tuple[str, str], ...]]] = {}
        self._long_lived: frozenset[str] = frozenset()

    def long_lived(self, files: Sequence[FileFacts]) -> frozenset[str]:
        """`_long_lived(files)`, found again only when some file's instances or owned classes changed."""
        if not self._keep:
            return _long_lived(files)
        lifetimes = self._lifetimes
        same = len(files) == len(lifetimes)
        if same:
            for facts in files:
                seen = lifetimes.get(facts.path)
                if seen is None or not (
                    (seen[0] is facts.module_instances or seen[0] == facts.module_instances)
                    and (seen[1] is facts.owned_classes or seen[1] == facts.owned_classes)
                ):
                    same = False
                    break
        if not same:
            self._lifetimes = {f.path: (f.module_instances, f.owned_classes) for f in files}
            self._long_lived = _long_lived(files)
        return self._long_lived

    def reachable(self, files: list[FileFacts], start: Iterable[str]) -> frozenset[str]:
        """The function names reached from `start` through the calls of these files."""
        if self._keep:
            by_name = self._callees(files)

            def steps(name: str) -> Iterable[AbstractSet[str]]:
                return by_name.get(name, {}).values()
        else:
            merged: dict[str, set[str]] = {}
            for facts in files:
                for name, called in facts.calls:
                    merged.setdefault(name, set()).update(called)

            def steps(name: str) -> Iterable[AbstractSet[str]]:
                return (merged[name],) if name in merged else ()

        frontier = set(start)
        reached: set[str] = set()
        while frontier:
            name = frontier.pop()
            if name in reached:
                continue
            reached.add(name)
            for callees in steps(name):
                frontier |= callees - reached
        return frozenset(reached)

    def _callees(self, files: list[FileFacts]) -> dict[str, dict[str, frozenset[str]]]:
        """Function name -> file -> the names that function calls there, for these files."""
        present = set()
        for facts in files:
            present.add(facts.path)
            old = self._calls.get(facts.path)
            if old is facts.calls or (old is not None and old == facts.calls):
                continue
            if old is not None:
                self._unindex(facts.path, old)
            path, by_name = facts.path, self._by_name
            for name, called in facts.calls:
                per_file = by_name.get(name)
                if per_file is None:
                    by_name[name] = {path: called}
                else:
                    earlier = per_file.get(path)
                    per_file[path] = called if earlier is None else earlier | called
            self._calls[facts.path] = facts.calls
        for gone in [path for path in self._calls if path not in present]:
            self._unindex(gone, self._calls.pop(gone))
        return self._by_name

    def _unindex(self, path: str, calls: tuple[tuple[str, frozenset[str]], ...]) -> None:
        for name, _ in calls:
            per_file = self._by_name.get(name)
            if per_file is not None:
                per_file.pop(path, None)
                if not per_file:
                    del self._by_name[name]

    def project_files(self, known: frozenset[str]) -> None:
        """The files of the project now: where an import may lead changes with them."""
        if known != self._known:
            self._known = known
            self._targets.clear()

    def local_imports(self, facts: FileFacts) -> list[str]:
        """The project files that a file's imports name (among those `project_files` last gave)."""
        known = self._known
        cached = self._targets.get(facts.path)
        if cached is not None and (cached[0] is facts.imports or cached[0] == facts.imports):
            return cached[1]
        language = language_named(facts.language)
        resolve = language.resolve_import if language is not None else None
        targets = [t for t in (resolve(facts.path, m, known) for m in facts.imports) if t] if resolve else []
        self._targets[facts.path] = (facts.imports, targets)
        return targets


class _Evaluation:
    def __init__(
        self, root: str, files: list[FileFacts], config: Callable[[str], Config], memo: ProjectMemo
    ) -> None:
        self.root = root
        self.files = [f for f in files if f.role != "client"]
        self.by_path = {f.path: f for f in self.files}
        self.config = config
        self.memo = memo
        self._joins: list[Related] | None = None
        self.project_config = config(os.path.join(root, "__project__"))
        self.servers = [(f, s) for f in self.files for s in f.servers]
        self.reach = self._libraries_in_reach()
        self.reachable = self._reachable_functions()
        self.backends = [(f, b) for f in self.files for b in f.backends if self._accepted(f, b)]
        self.cache_in_memory = self._place_django_cache()
        self.adapter_configured = any(s.shared for _, s in self.servers) or any(
            b.role == "adapter" for _, b in self.backends
        )
        # a server only loses something on a second instance when it reaches other clients than the
        # sender: rooms joined, or emits to everyone, to a room or with `broadcast`. A file that
        # creates a server with library fan-out speaks for that server; other files (handler
        # modules, services, Channels consumers) speak for every server of the project.
        self.shared_fanout = any(
            (f.membership_calls or f.fanout_calls) and not any(s.library_fanout for s in f.servers)
            for f in self.files
        )
        bridge = {b.detail for _, b in self.backends if b.role == "bridge"}
        self.bridge = "broadcaster" in bridge or {"publish", "subscribe"} <= bridge
        self.own_entries: dict[tuple[str, str], list[bool | None]] = {}
        # loops in other files that send to every element of a container (`for c in
        # self.application.connections: c.write_message(m)`), by (declaring file, name)
        self.foreign_loops: dict[tuple[str, str], list[tuple[FileFacts, Span]]] = {}
        self.foreign = self._foreign_writes()
        self._writes_of: dict[str, list[tuple[FileFacts, BackendUse]]] = {}  # by state, for _write_through
        self.writers: dict[tuple[str, str], list[tuple[FileFacts, Mutation]]] = {}
        self.singletons = self.memo.long_lived(self.files)

    # --- project-wide facts ----------------------------------------------------------------------

    def _libraries_in_reach(self) -> dict[str, frozenset[str]]:
        """Client libraries each file can reach: its own imports plus those of local modules it imports."""
        self.memo.project_files(frozenset(self.by_path))
        reach: dict[str, frozenset[str]] = {}
        for facts in self.files:
            libraries = set(facts.client_libraries)
            for target in self.memo.local_imports(facts):
                libraries |= self.by_path[target].client_libraries
            reach[facts.path] = frozenset(libraries)
        return reach

    def _foreign_writes(self) -> dict[tuple[str, str], list[tuple[FileFacts, Mutation]]]:
        """Writes to other files' module-level containers, by (declaring file, name)."""
        found: dict[tuple[str, str], list[tuple[FileFacts, Mutation]]] = {}
        known = frozenset(self.by_path)
        # `app["users"]` -> (file that declares it, the container it is: itself, or the one it names)
        app_keys: dict[str, list[tuple[str, str]]] = {}
        on_app = any(w.module == APP_MODULE for facts in self.files for w in facts.foreign_writes)
        for facts in self.files if on_app else ():
            for c in facts.containers:
                if is_app_key(c.name):
                    aliased = c.kind.removeprefix(ALIAS) if c.kind.startswith(ALIAS) else c.name
                    app_keys.setdefault(c.name, []).append((facts.path, aliased))
        for facts in self.files:
            if not facts.foreign_writes and not facts.passes:
                continue
            language = language_named(facts.language)
            if language is None:
                continue
            for write in facts.foreign_writes:
                if write.module == APP_MODULE:
                    for declaring, container in app_keys.get(write.name, ()):
                        if declaring != facts.path:
                            found.setdefault((declaring, container), []).extend(
                                (facts, m) for m in write.mutations
                            )
                            self.foreign_loops.setdefault((declaring, container), []).extend(
                                (facts, span) for span in write.broadcasts
                            )
                    continue
                if not write.module:
                    continue  # a write to a parameter: joined where the container is passed
                target = language.resolve_import(facts.path, write.module, known)
                if target is not None and target != facts.path:
                    found.setdefault((target, write.name), []).extend((facts, m) for m in write.mutations)
                    self.own_entries.setdefault((target, write.name), []).append(write.own_entries)
            for module, index, name in facts.passes:
                # `require("./rooms")(io, socket, rooms)`: what that function writes to its parameter
                target = language.resolve_import(facts.path, module, known)
                callee = self.by_path.get(target) if target is not None and target != facts.path else None
                if callee is None:
                    continue
                for write in callee.foreign_writes:
                    if not write.module and write.name == f"#{index}":
                        found.setdefault((facts.path, name), []).extend((callee, m) for m in write.mutations)
        return found

    def _place_django_cache(self) -> list[tuple[FileFacts, BackendUse]]:
        """Writes through Django's cache API land where the project's `CACHES` says; with no such
        setting (or only local-memory, dummy or file caches) each process has its own. Returns those
        writes, which are state in memory, and keeps the others as writes to their backend."""
        written = [(f, b) for f, b in self.backends if b.detail.startswith(DJANGO_CACHE)]
        if not written:
            return []
        self.backends = [(f, b) for f, b in self.backends if not b.detail.startswith(DJANGO_CACHE)]
        written = [(f, b) for f, b in written if b.state_type is not None]  # keys naming real-time state
        configured = [b.storage for f in self.files for b in f.backends if b.detail.startswith("CACHES")]
        # settings per deployment (`settings/core.py` with a local-memory default, `settings/heroku.py`
        # with Redis): the deployed one is the shared one
        storage = next((s for s in configured if s != "memory"), None)
        if storage is None:
            return written
        self.backends += [(f, replace(b, storage=storage)) for f, b in written]
        return []

    def _cache_finding(
        self, facts: FileFacts, use: BackendUse, findings: list[Finding], memory: list[Location]
    ) -> None:
        state: StateType = use.state_type or "presence"
        memory.append(Location(facts.path, use.span, "cache", state, "memory"))
        findings.append(
            Finding(
                rule=RULE_FOR_STATE[state].id,
                state_type=state,
                path=facts.path,
                span=use.span,
                name="cache",
                message=f"Django's cache keeps {STATE_TYPE_WORDS[state]} in process memory (no shared "
                f"backend in CACHES, so each process has its own LocMemCache): {CONSEQUENCES[state]}.",
                severity="warning",
                container_kind="cache",
            )
        )

    def _accepted(self, facts: FileFacts, use: BackendUse) -> bool:
        if use.requires and use.requires not in self.reach.get(facts.path, frozenset()):
            return False
        # a row written at sign-up, by a seed script or an admin page is not real-time state: a
        # write counts when a real-time handler makes it, directly or through the functions it calls
        return (
            use.role != "write" or use.in_handler or (bool(use.function) and use.function in self.reachable)
        )

    def _reachable_functions(self) -> frozenset[str]:
        """Functions, by name, that a real-time handler anywhere in the project calls, directly or not."""
        start: set[str] = set()
        for facts in self.files:
            start |= facts.handler_calls
        return self.memo.reachable(self.files, start)

    # --- findings --------------------------------------------------------------------------------

    def run(self) -> ProjectResult:
        result = ProjectResult(self.root)
        if not self.servers:
            result.audit = self._audit([], [], "skip", "No real-time server code found.")
            return result
        memory_locations: list[Location] = []
        covered: list[Location] = []
        findings: list[Finding] = []
        gateway_ports: set[tuple[str, str]] = set()
        # files whose containers other files write or loop over: only theirs are joined
        joined = {path for path, _ in self.foreign} | {path for path, _ in self.foreign_loops}
        for facts in self.files:
            written_elsewhere = facts.path in joined
            for container in facts.containers:
                if written_elsewhere:
                    container = self._with_foreign_writes(facts, container)
                if container.mutations:  # kept unwritten for the files that import it: nothing to judge
                    self._container(facts, container, findings, memory_locations, covered)
                    for role in container.also:
                        entries = replace(container, role=role, also=())
                        self._container(facts, entries, findings, memory_locations, covered, entries=True)
            named: set[str] = set()
            for server in facts.servers:
                # `if (tls) app = ...https().io(); else app = ...http().io();` is one server
                if server.variable and server.variable in named:
                    continue
                if server.variable:
                    named.add(server.variable)
                # NestJS gateways on one port (the application's, unless given) are one Socket.IO
                # server: the first one found speaks for it
                port = (
                    next((o for o in server.options if o.startswith(PORT_OPTION)), None)
                    if server.options
                    else None
                )
                if port is not None and (server.framework, port) in gateway_ports:
                    continue
                if port is not None:
                    gateway_ports.add((server.framework, port))
                self._server(facts, server, findings, memory_locations)
        for facts, use in self.cache_in_memory[:1]:  # one finding: the first write shows where
            self._cache_finding(facts, use, findings, memory_locations)
        if self.project_config.deployment == "single-instance":
            source = self.project_config.source or "the configuration"
            if os.path.isabs(source):
                source = os.path.relpath(source, self.root).replace(os.sep, "/")
            result.audit = self._audit(
                memory_locations, covered, "skip", f"Deployment declared single-instance in {source}."
            )
            return result
        result.findings = [f for f in (self._configured(f) for f in findings) if f is not None]
        result.audit = self._audit(memory_locations, covered, None, "")
        return result

    def _container(
        self,
        facts: FileFacts,
        container: StateContainer,
        findings: list[Finding],
        memory: list[Location],
        covered: list[Location],
        entries: bool = False,
    ) -> None:
        role = container.role
        if role is None:
            return
        if container.scope == "instance" and not (container.singleton or container.owner in self.singletons):
            return
        mutations = [
            m for m in container.mutations if m.in_handler or any(n in self.reachable for n in m.functions)
        ]
        for m in mutations:
            if m.operation != "init":
                break
        else:
            return  # only ever emptied or loaded with code (`Namespaces[m] = require(m)`): holds no state
        state: StateType = "subscriptions" if role == "connections" else role
        # most containers are written from their own file only: the common case builds nothing more
        written_by = self.writers.get((facts.path, _joined(container))) if self.writers else None
        writers = {id(m): f for f, m in written_by} if written_by else {}
        if writers:
            scopes = {m.scope for m in mutations if id(m) not in writers}
        else:
            scopes = {m.scope for m in mutations}
        mirror = self._write_through(facts, state, scopes)
        for writer in {f.path: f for f in writers.values()}.values():
            mine = {m.scope for m in mutations if writers.get(id(m)) is writer}
            mirror = mirror or self._write_through(writer, state, mine)
        if mirror is not None:
            covered.append(Location(facts.path, container.span, container.name, state, mirror.storage))
            return
        if role in {"connections", "subscriptions"} and (self.adapter_configured or self.bridge):
            return
        loops = self.foreign_loops.get((facts.path, _joined(container))) if self.foreign_loops else None
        if role == "connections" and not container.broadcasts and not loops:
            return
        if role == "presence" and self.bridge and _holds_handles(mutations):
            return  # live sockets indexed per user behind a pub/sub bridge: a local delivery cache
        memory.append(Location(facts.path, container.span, container.name, state, "memory"))
        rule = RULE_FOR_STATE[state]
        label = "connection registry" if role == "connections" else STATE_TYPE_WORDS[state]
        why = role_evidence(container, role, entries=True) if entries else container.evidence
        message = (
            f"`{container.name}` keeps {label} in process memory ({why}): {CONSEQUENCES[state]}."
            if role != "connections"
            else f"`{container.name}` is a {label} used for broadcast with no pub/sub bridge: {CONSEQUENCES[state]}."
        )
        related = [
            Related(
                writers[id(m)].path if id(m) in writers else facts.path,
                m.span,
                f"`{container.name}` written here ({m.operation})",
            )
            for m in mutations[:8]
        ]
        sent = f"broadcast over `{container.name}`"
        related += [Related(facts.path, span, sent) for span in container.broadcasts[:4]]
        if loops and len(container.broadcasts) < 4:
            related += [Related(f.path, span, sent) for f, span in loops[: 4 - len(container.broadcasts)]]
        first_server = self.servers[0]
        if first_server[0].path != facts.path:
            created = f"{_display(first_server[1].framework, 'server')} created here"
            related.append(Related(path=first_server[0].path, span=first_server[1].span, message=created))
        finding = Finding(
            rule=rule.id,
            state_type=state,
            path=facts.path,
            span=container.span,
            name=container.name,
            message=message,
            severity="warning",
            related=tuple(related),
            framework=first_server[1].framework,
            container_kind=container.kind,
        )
        findings.append(finding)

    def _with_foreign_writes(self, facts: FileFacts, container: StateContainer) -> StateContainer:
        """A store module's container with the writes other files make to it; what it holds is
        decided again from every write."""
        key = (facts.path, _joined(container))
        extra = self.foreign.get(key)
        loops = self.foreign_loops.get(key)
        if not extra and not loops:
            return container
        extra = extra or []
        self.writers[key] = extra
        mutations = container.mutations + tuple(m for _, m in extra)
        # each connection's own entries only if every file that uses it says so
        owns = [container.own_entries, *self.own_entries.get(key, ())]
        own = False if False in owns else (True if True in owns else None)
        sent_to = bool(container.broadcasts or loops)
        role = container_role(
            container.name, container.kind, mutations, sent_to, own, container.owner, container.scope
        )
        moved = replace(container, mutations=mutations, role=role, also=entry_roles(role, mutations))
        return replace(moved, evidence=role_evidence(moved, role)) if role is not None else moved

    def _write_through(self, facts: FileFacts, state: str, scopes: set[int]) -> BackendUse | None:
        """A backend write of the same state in the function that mutates the container, or in a
        helper that function calls (`messages.push(m); saveMessage(m)`)."""
        writes = self._writes_of.get(state)
        if writes is None:
            writes = [(o, u) for o, u in self.backends if u.role == "write" and u.state_type == state]
            self._writes_of[state] = writes
        if not writes:  # most projects that keep state in memory: no need for the calls
            return None
        called: set[str] = set()
        for scope, callees in facts.scope_calls:
            if scope in scopes:
                called |= callees
        # `rooms.setdefault(r, set()).add(u)` calls container methods, not a project helper that
        # happens to be named `set` or `add`
        called -= CONTAINER_METHODS
        for owner, use in writes:
            if (owner is facts and use.scope in scopes) or (use.function and use.function in called):
                return use
        return None

    def _server(
        self, facts: FileFacts, server: ServerSite, findings: list[Finding], memory: list[Location]
    ) -> None:
        kind = kind_of(server.framework)
        name = kind.display if kind is not None else "real-time server"
        label = f"{server.variable} ({name})" if server.variable else name
        shared_by = kind.shared_by if kind is not None else ""
        in_memory = (
            server.library_fanout
            and not server.shared
            and not self.adapter_configured
            and not self.bridge  # a hand-written Redis pub/sub bridge delivers across instances too
            and (self.shared_fanout or bool(facts.membership_calls or facts.fanout_calls))
        ) or (shared_by == "bridge" and server.broadcasts and not self.bridge)
        if not in_memory:
            return
        memory.append(Location(facts.path, server.span, label, "subscriptions", "memory"))
        related = [
            Related(facts.path, s, "broadcast over this process's clients") for s in server.broadcasts[:4]
        ]
        related += self._room_joins()
        template = (kind.no_shared_fanout if kind is not None else "") or "{name} fans out in process"
        subject = f"`{server.variable}`" if server.variable else ""
        message = f"{template.format(name=subject).replace('  ', ' ')}: {CONSEQUENCES['subscriptions']}."
        finding = Finding(
            rule="subscriptions-in-memory",
            state_type="subscriptions",
            path=facts.path,
            span=server.span,
            name=server.variable or name,
            message=message,
            severity="warning",
            related=tuple(related[:12]),
            framework=server.framework,
        )
        findings.append(finding)

    def _room_joins(self) -> list[Related]:
        """Where clients join rooms or are reached by emits to others (up to 4 joins and 2 emits per
        file, 12 in all: the evidence a server finding shows), found once per evaluation rather than
        once per server."""
        if self._joins is None:
            joins: list[Related] = []
            for other in self.files:
                joins += [
                    Related(path=other.path, span=s, message="joins a room kept in this process")
                    for s in other.membership_calls[:4]
                ]
                joins += [
                    Related(path=other.path, span=s, message="emits to other clients than the sender")
                    for s in other.fanout_calls[:2]
                ]
                if len(joins) >= 12:
                    break
            self._joins = joins[:12]
        return self._joins

    def _configured(self, finding: Finding) -> Finding | None:
        """Apply the file's configuration and inline suppressions to a finding."""
        config = self.config(finding.path)
        if finding.rule in config.ignore:
            return None
        facts = self.by_path[finding.path]
        note = ""
        for suppression in facts.suppressions:
            if suppression.line == finding.span.start.line and finding.rule in suppression.rules:
                if suppression.reason:
                    return None
                note = " (a suppression comment needs a reason and was not applied)"
        severity = config.severity_of(finding.rule)
        if not note and severity == finding.severity:
            return finding  # most findings: nothing to change, and no copy per keystroke
        return replace(finding, message=finding.message + note, severity=severity)

    # --- audit -----------------------------------------------------------------------------------

    def _audit(
        self, memory: list[Location], covered: list[Location], verdict: str | None, detail: str
    ) -> Audit:
        locations = list(memory) + list(covered)
        for facts, use in self.backends:
            if use.state_type is None:
                continue
            name = {"adapter": use.detail, "bridge": f"pub/sub {use.detail}"}.get(use.role, use.detail)
            locations.append(Location(facts.path, use.span, name, use.state_type, use.storage))
        for facts, server in self.servers:
            if server.shared and server.storage:
                label = f"{server.variable or ''} ({_display(server.framework, 'server')})".strip()
                locations.append(Location(facts.path, server.span, label, "subscriptions", server.storage))
        external_locations = [loc for loc in locations if loc.storage != "memory"]
        backends = sorted({loc.storage for loc in external_locations})
        external = [t for t in STATE_TYPES if any(loc.state_type == t for loc in external_locations)]
        in_memory = [t for t in STATE_TYPES if any(loc.state_type == t for loc in memory)]
        if verdict is None and not in_memory:
            # nothing is kept in this process: a second instance loses nothing. With a shared backend
            # carrying what the project has (a Redis adapter alone is enough) it is ready; with none,
            # there is no real-time state to share and the check does not apply.
            if backends:
                verdict = "pass"
                detail = _detail(verdict, backends, external, in_memory)
                detail += " Nothing real-time is kept in process memory."
            else:
                verdict = "skip"
                detail = "No real-time state kept in process memory: nothing to share between instances."
        if verdict is None:
            # a state type counts as shared only when no container of this process also holds it:
            # presence in a database beside an in-memory `players` map is still lost on a second instance
            shared = [t for t in external if t not in in_memory]
            verdict = "pass" if backends and len(shared) >= 2 else "fail"
            detail = _detail(verdict, backends, external, in_memory)
        locations.sort(key=lambda loc: (loc.path, loc.span.start_byte))
        return Audit(
            verdict, detail, tuple(backends), tuple(external), tuple(in_memory), tuple(locations), self.root
        )


def _display(framework: str, default: str) -> str:
    kind = kind_of(framework)
    return kind.display if kind is not None else default


def _detail(verdict: str, backends: Sequence[str], external: Sequence[str], in_memory: Sequence[str]) -> str:
    stored = _join([STATE_TYPE_WORDS[t] for t in external])
    where = _join([STORAGE_NAMES[b] for b in backends])
    if verdict == "pass":
        text = f"{stored.capitalize()} persisted in {where}."
        leftover = [t for t in in_memory if t not in external]
        if leftover:
            text += " " + " ".join(MEMORY_SENTENCES[t] for t in leftover)
        return text
    memory_only = [t for t in in_memory if t not in external]
    sentences = [MEMORY_SENTENCES[t] for t in memory_only]
    both = [STATE_TYPE_WORDS[t] for t in in_memory if t in external]
    if both:
        sentences.append(
            f"{_join(both).capitalize()} {'is' if len(both) == 1 else 'are'} in {where} but also kept in "
            "process memory, which a second instance does not see."
        )
    if not sentences:
        have = f" ({stored} in {where})" if external else ""
        sentences.append(
            f"Only {len(external)} of 3 state types{have} persisted in a shared backend; at least 2 are needed."
        )
    return " ".join(sentences)


def _join(items: Sequence[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def combine(audits: Mapping[str, Audit]) -> str:
    """Overall verdict of several projects: any fail fails, else any pass passes, else skip."""
    verdicts = {a.verdict for a in audits.values()}
    if "fail" in verdicts:
        return "fail"
    if "pass" in verdicts:
        return "pass"
    return "skip"


CONTAINER_METHODS = frozenset(
    """
    set add get has delete discard remove pop push append appendleft popleft setdefault update clear
    extend insert unshift shift splice copy
    """.split()
)


def _holds_handles(mutations: list[Mutation]) -> bool:
    """Everything added is a live connection handle (a socket, a response), directly or in a set."""
    adds = [m for m in mutations if m.operation not in NON_ADDING]
    return bool(adds) and all(m.holds_handle for m in adds)


def _joined(container: StateContainer) -> str:
    """The name other files' writes to a container are recorded under: an instance field as
    `Class.field` (`this.store.rooms.set(...)` elsewhere), anything else by its own name."""
    return (
        f"{container.owner}.{container.name}"
        if container.scope == "instance" and container.owner
        else container.name
    )


def _long_lived(files: Sequence[FileFacts]) -> frozenset[str]:
    """Classes whose instances live as long as the process: made once at module level (or by a cached
    provider, or kept in a module-level container), and what such instances keep in their fields
    (`this.presence = new PresenceManager()` in a singleton's constructor), to any depth."""
    found = set().union(*(f.module_instances for f in files)) if files else set()
    owned: dict[str, set[str]] = {}
    for facts in files:
        for owner, kept in facts.owned_classes:
            owned.setdefault(owner, set()).add(kept)
    pending = [c for c in found if c in owned]
    while pending:
        for kept in owned.get(pending.pop(), ()):
            if kept not in found:
                found.add(kept)
                pending.append(kept)
    return frozenset(found)
