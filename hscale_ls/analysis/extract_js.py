"""Facts from one JavaScript or TypeScript file (CommonJS, ESM, NestJS, Next.js).

Works from the candidates the fact query captures; each step below reads one kind of capture. In
three stages, so that an edited document can keep the facts of the statements an edit did not touch
(`statements.py`): a contribution (what a run of statements tells the rest of the file), a part (its
facts, read with the environment folded from every contribution), and `assemble` (the file's facts from
its parts, plus what only the whole file decides). Pure: bytes and a tree in, `FileFacts` out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from operator import itemgetter
from typing import Any

from tree_sitter import Node, Tree

from .facts import (
    HANDLE_NAMES,
    SEND_METHODS,
    BackendUse,
    FileFacts,
    FileRole,
    Mutation,
    ServerSite,
    WriteDetail,
    classify_key_text,
    classify_record_write,
)
from .frameworks import Framework, for_family, framework_of, union
from .imports import may_be_local
from .languages import LANGUAGES
from .scan_common import (
    APP_MODULE,
    DATABASE_WRITE_METHODS,
    GLOBAL_PREFIX,
    MEMO,
    PORT_OPTION,
    PUBSUB_SUBSCRIBE,
    REDIS_HISTORY_COMMANDS,
    REDIS_STATE_COMMANDS,
    ContainerKey,
    DeclaredContainer,
    ExtractorKit,
    FileScan,
    FunctionInfo,
    SuppressionComment,
    backend,
    facts_from_parts,
    held_classes,
    is_memo_write,
    join_containers,
    moved_backend,
    moved_comments,
    moved_mutation,
    moved_mutations,
    moved_scopes,
    moved_sites,
    moved_span,
    reassignment,
    record_call,
    suppression_comments,
)
from .text import LineIndex, Span

FUNCTION_TYPES = LANGUAGES["javascript"].any_function_types
CONTAINER_CONSTRUCTORS = {"Map": "Map", "Set": "Set", "Array": "array", "WeakMap": "WeakMap"}
CACHE_CONSTRUCTORS = frozenset({"LRUCache", "LRU", "NodeCache", "QuickLRU", "TTLCache"})
# types that are values, not classes of the project: a member of such a type is no way into a class's fields
BUILTIN_TYPES = frozenset(
    {"Map", "Set", "Array", "WeakMap", "WeakSet", "Record", "Object", "Promise", "Date", "Error", "Buffer"}
)
# what the registered frameworks (`frameworks/`) say about JavaScript and TypeScript, joined once
FRAMEWORKS = for_family("ecmascript")
NEW_FORMS = {form: f for f in FRAMEWORKS for form in f.constructors}  # (module, name) of `new C()`
CALL_FORMS = {form: f for f in FRAMEWORKS for form in f.factories}  # (module, name) of `f()`
REQUIRED_CALLS = {f.required_call: f for f in FRAMEWORKS if f.required_call}  # `require("m")()`
GLOBAL_CALLS = {callee: f for f in FRAMEWORKS for callee in f.global_calls}  # `Bun.serve()`
PLUGINS = {module: f for f in FRAMEWORKS for module in f.plugins}  # `app.register(plugin)`
HANDLER_KEYS = union(FRAMEWORKS, "handler_keys")
CLASS_DECORATORS = {d: f for f in FRAMEWORKS for d in f.class_decorators}
REGISTRATION_METHODS = union([f for f in FRAMEWORKS if not f.scoped_receivers], "registration_methods")
# `app.io.route(event, fn)`: methods that register handlers only on a framework's own receivers
SCOPED_REGISTRATION = {
    m: f.scoped_receivers
    for f in FRAMEWORKS
    if f.scoped_receivers
    for m in f.registration_methods
    if m not in REGISTRATION_METHODS
}
SCOPED_FANOUT = {m: f.scoped_receivers for f in FRAMEWORKS for m in f.fanout_methods}
APP_MODULES = frozenset(m for f in FRAMEWORKS for m, _ in f.app_methods)
# `require("express.oi")().http().io()`: method -> {module: framework}
APP_METHODS: dict[str, dict[str, Framework]] = {}
for _f in FRAMEWORKS:
    for _module, _method in _f.app_methods:
        APP_METHODS.setdefault(_method, {})[_module] = _f
HANDLER_OBJECT_METHODS = union(FRAMEWORKS, "handler_objects")
ROUTE_METHODS = union(FRAMEWORKS, "route_methods")
ROUTE_RECEIVERS = union(FRAMEWORKS, "route_receivers")
NEXT_ROUTE_EXPORTS = union(FRAMEWORKS, "route_exports")
HANDLER_DECORATORS = union(FRAMEWORKS, "handler_decorators")
SINGLETON_DECORATORS = union(FRAMEWORKS, "singleton_decorators")
# `socket.join(room)`: (method, receiver) pairs, each framework's methods on its own receivers
MEMBERSHIP = frozenset(
    (m, r) for f in FRAMEWORKS for m in f.membership_methods for r in f.membership_receivers
)
MEMBERSHIP_METHODS = frozenset(m for m, _ in MEMBERSHIP)
REGISTRY_PROPERTIES = union(FRAMEWORKS, "registry_property")
SERVER_STRINGS = sorted(union(FRAMEWORKS, "strings"))
SERVER_MODULES = union(FRAMEWORKS, "module_specifiers")
GLOBAL_OBJECTS = frozenset({"global", "globalThis"})  # what lives on them lives once per process
# a framework's package under another spelling of its name: uWebSockets.js is installed from its Git
# repository, and a manifest may key it `uwebsockets.js`, which is what the code then imports
_KNOWN_MODULES = {
    module.lower(): module for module in SERVER_MODULES | {m for f in FRAMEWORKS for m, _ in f.factories if m}
}
ADAPTER_METHODS = {m: f for f in FRAMEWORKS for m in f.adapter_methods}
ADAPTERS: dict[str, str | None] = {module: storage for f in FRAMEWORKS for module, storage in f.adapters}
IN_PROCESS_PUBLISH = union(FRAMEWORKS, "in_process_publish")
HANDLER_OPTIONS = {callee: f.handler_options for callee, f in GLOBAL_CALLS.items() if f.handler_options}
# what an `emit` reaches: `socket.broadcast.emit`, `io.sockets.emit`, `io.to(room).emit` reach others;
# `.volatile`, `.compress(false)`, `.timeout(ms)` only change how
FANOUT_PROPERTIES = frozenset({"broadcast", "sockets", "local"})
FANOUT_TARGETS = frozenset({"to", "in", "except", "of"}) | union(FRAMEWORKS, "fanout_targets")
EMIT_MODIFIERS = frozenset({"compress", "timeout", "volatile"})
SERVER_NAMES = frozenset(
    {"nsp", "namespace", "server", "ioserver", "socketserver", "wsserver", "websocketserver"}
)
# `s.join(room)` on a connection however it is named (`s`, `sock`): Socket.IO's rooms
SOCKET_MEMBERSHIP = frozenset({"join", "leave"})
# events and callbacks whose first argument is the new connection
CONNECTION_EVENTS = frozenset({"connection", "connect", "open"})
CONNECTION_CALLBACKS = frozenset({"open", "handleConnection", "onConnection", "onOpen"})
ADDING_METHODS = {"push": 0, "unshift": 0, "add": 0, "set": 1, "splice": 2}
REMOVING_METHODS = frozenset({"delete", "clear", "pop", "shift", "splice"})
LOOP_METHODS = frozenset({"forEach", "map", "filter", "some", "every"})
BACKEND_METHODS = (
    {"set", "publish", "spublish", "query", "run", "execute", "exec"}
    | set(ADAPTER_METHODS)
    | REDIS_HISTORY_COMMANDS
    | REDIS_STATE_COMMANDS
    | PUBSUB_SUBSCRIBE
    | DATABASE_WRITE_METHODS
)
UI_MODULES = frozenset({"react", "react-dom", "vue", "svelte", "preact", "solid-js", "@angular/core"})
CLIENT_MODULES = UI_MODULES | union(FRAMEWORKS, "client_modules")

TextOf = Callable[[Node | None], str]
_first = itemgetter(0)


@dataclass(slots=True)
class JsContribution:
    """What a run of top-level statements tells the rest of the file: imports, classes, decorators, and
    the containers and instances declared there. The facts of one statement depend on the others only
    through these, so a statement whose text and environment did not change keeps its facts."""

    import_bindings: list[tuple[str, str]] = field(default_factory=list)  # (local name, module)
    import_specs: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # module, local -> exported
    import_modules: list[str] = field(default_factory=list)
    require_bindings: list[tuple[str, str]] = field(default_factory=list)
    require_patterns: list[tuple[str, list[tuple[str, str]]]] = field(
        default_factory=list
    )  # module, (local, key)
    require_modules: list[str] = field(default_factory=list)
    # `const { Server } = socketIO` (value, (local, key) pairs): a module's exports taken apart after
    # it was imported whole (`import * as socketIO from "socket.io"`); the fold resolves the value
    destructured: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    decorators: list[tuple[str, str]] = field(default_factory=list)  # (class, decorator)
    # (pass, key, name, owner, scope, kind, span of the name); the pass keeps the file's order
    declarations: list[tuple[int, ContainerKey, str, str | None, str, str, Span]] = field(
        default_factory=list
    )
    classes: list[str] = field(default_factory=list)
    news: list[tuple[str, str | None]] = field(
        default_factory=list
    )  # module-level `new C()`: C, its variable
    owned: list[tuple[str, str]] = field(default_factory=list)  # `this.x = new C()` in class O: (O, C)
    # (O, x, C): a member of class O that holds a C, from its type (`private readonly x: C` as a field
    # or a constructor parameter) or its value (`this.x = new C()`)
    members: list[tuple[str, str, str]] = field(default_factory=list)
    objects: list[tuple[str, bytes, int, int]] = field(
        default_factory=list
    )  # `const name = {...}`: text, where


@dataclass(slots=True)
class JsEnv:
    """The file-wide knowledge statement facts are read with, folded from every contribution."""

    imports: dict[str, str]
    modules: list[str]
    imported_as: dict[str, str]  # local name -> the name its module exports it as
    class_decorators: dict[str, set[str]]
    declarations: list[DeclaredContainer]
    declared: frozenset[ContainerKey]
    instances: dict[str, str]
    module_instances: frozenset[str]
    owned: tuple[tuple[str, str], ...]
    members: dict[tuple[str, str], str]  # (class, member) -> the class of what the member holds
    objects: dict[str, tuple[bytes, int, int]]
    signature: tuple[Any, ...]  # everything above that statement facts read (objects are tracked apart)

    @classmethod
    def fold(cls, contributions: Iterable[JsContribution]) -> JsEnv:
        parts = list(contributions)
        import_bindings = [b for c in parts for b in c.import_bindings]
        require_bindings = [b for c in parts for b in c.require_bindings]
        imports = dict(import_bindings + require_bindings)
        modules = [m for c in parts for m in c.import_modules] + [m for c in parts for m in c.require_modules]
        specs = [s for c in parts for s in c.import_specs]
        patterns = [r for c in parts for r in c.require_patterns]
        for source, pairs in (d for c in parts for d in c.destructured):
            module = imports.get(source)
            if module is not None and imported_whole(source, module, specs):
                patterns.append((module, pairs))
                for local, _ in pairs:
                    imports.setdefault(local, module)
        imported_as = {
            local: _exported_name(local, module, specs, patterns) for local, module in imports.items()
        }
        class_decorators: dict[str, set[str]] = {}
        for cls_name, decorator in (d for c in parts for d in c.decorators):
            class_decorators.setdefault(cls_name, set()).add(decorator)
        declarations: list[DeclaredContainer] = []
        for _, key, name, owner, scope, kind, span in sorted(
            (d for c in parts for d in c.declarations), key=_first
        ):
            singleton = owner is not None and bool(class_decorators.get(owner, set()) & SINGLETON_DECORATORS)
            declarations.append((key, name, owner, scope, kind, singleton, span))
        classes = {name for c in parts for name in c.classes}
        news = [n for c in parts for n in c.news]
        instances = {holder: ctor for ctor, holder in news if holder is not None and ctor in classes}
        objects: dict[str, tuple[bytes, int, int]] = {}
        for name, text, start, end in (o for c in parts for o in c.objects):
            objects.setdefault(name, (text, start, end))
        declared = frozenset(d[0] for d in declarations)
        members = {(owner, member): held for c in parts for owner, member, held in c.members}
        signature = (
            tuple(imports.items()),
            tuple(modules),
            tuple(sorted(imported_as.items())),
            tuple(sorted((k, tuple(sorted(v))) for k, v in class_decorators.items())),
            declared,
            tuple(sorted(instances.items())),
            tuple(sorted(members.items())),
        )
        return cls(
            imports,
            modules,
            imported_as,
            class_decorators,
            declarations,
            declared,
            instances,
            frozenset(ctor for ctor, _ in news),
            tuple(o for c in parts for o in c.owned),
            members,
            objects,
            signature,
        )


def imported_whole(local: str, module: str, specs: list[tuple[str, dict[str, str]]]) -> bool:
    """`local` is a whole module (`import * as m`, a default import, `const m = require(...)`), not
    one named export of it."""
    return not any(spec_module == module and local in names for spec_module, names in specs)


def _exported_name(
    local: str,
    module: str,
    specs: list[tuple[str, dict[str, str]]],
    patterns: list[tuple[str, list[tuple[str, str]]]],
) -> str:
    """The name `module` exports what this file calls `local`; default and namespace imports are
    "default" (what matters for `new Server`). A module may be imported by several statements
    (`import type { WebSocket } from "ws"; import { WebSocketServer } from "ws"`): the one that binds
    `local` decides."""
    for spec_module, names in specs:
        if spec_module == module and local in names:
            return names[local]
    for require_module, pairs in patterns:  # `const { Server } = require("m")`
        if require_module == module:
            for bound, key in pairs:
                if bound == local:
                    return key
    return "default"


@dataclass(slots=True)
class JsPart:
    """The facts of a run of top-level statements (one, in an open document; the whole file in a scan),
    read with an environment. Lists carry the extraction pass they came from, so parts put side by side
    give the file's facts in the same order as one extraction of the whole file."""

    start: int
    line: int
    contribution: JsContribution
    signature: tuple[Any, ...]
    object_reads: dict[str, bytes | None] = field(default_factory=dict)  # module objects read, as they were
    servers: list[tuple[int, ServerSite]] = field(default_factory=list)
    mutations: list[tuple[int, ContainerKey, Mutation]] = field(default_factory=list)
    # (pass, `x` of an `x.clients` loop, container iterated, whether the body sends, loop)
    loops: list[tuple[int, str | None, ContainerKey | None, bool, Span]] = field(default_factory=list)
    handler_names: set[str] = field(default_factory=set)
    scope_calls: dict[int, set[str]] = field(default_factory=dict)
    handler_calls: set[str] = field(default_factory=set)
    calls: dict[str, set[str]] = field(default_factory=dict)
    backends: list[BackendUse] = field(default_factory=list)
    membership: list[Span] = field(default_factory=list)
    fanout: list[Span] = field(default_factory=list)
    # (pass, module, exported name, write) to a container an imported local module declares
    foreign: list[tuple[int, str, str, Mutation]] = field(default_factory=list)
    # (module, argument index, container) handed to a local module's function (`FileFacts.passes`)
    passes: list[tuple[str, int, str]] = field(default_factory=list)
    comments: list[SuppressionComment] = field(default_factory=list)  # at, line, rules, reason
    # (call, method, receiver) of calls a framework may publish through in process (`server.publish`):
    # whether they do is known once the file's servers are (in `assemble`)
    publishes: list[tuple[Span, str, str]] = field(default_factory=list)


class JsExtractor:
    def __init__(self, scan: FileScan) -> None:
        self.scan = scan
        self.text = scan.text
        self.imports: dict[str, str] = {}  # local name -> module
        self.modules: list[str] = []
        self.imported_as: dict[str, str] = {}
        self.class_decorators: dict[str, set[str]] = {}
        self.handler_names: set[str] = set()
        self.sites: list[tuple[Node, Node, str, bool]] = []
        self._locals: dict[int, set[str]] = {}  # function node id -> names bound in it
        self._declared_in: dict[int, set[str]] | None = None
        self._classes: dict[int, Node | None] = {}  # node id -> the class around it (see _enclosing_class)
        self._declared_keys: frozenset[ContainerKey] = frozenset()  # the environment's, for `_root`
        self._setups: set[int] | None = None  # functions that register a connection handler in their body
        self.instances: dict[str, str] = {}  # module variable -> class declared here it holds one of
        self.members: dict[tuple[str, str], str] = {}  # (class, member) -> class of what it holds
        self.objects: dict[str, tuple[bytes, int, int]] = {}
        self.object_reads: dict[str, bytes | None] = {}
        self.scope_calls: dict[int, set[str]] = {}
        self.publishes: list[tuple[Span, str, str]] = []
        self._index_calls()

    # --- entry points ----------------------------------------------------------------------------

    def _index_calls(self) -> None:
        """One pass over every call: (call, function node, callee or method name, is a member call)."""
        sites = []
        for call in self.scan.nodes("call"):
            fn = call.child_by_field_name("function")
            if fn is None:
                continue
            if fn.type == "member_expression":
                prop = fn.child_by_field_name("property")
                sites.append((call, fn, self.text(prop), True))
            elif fn.type == "identifier":
                sites.append((call, fn, self.text(fn), False))
            else:
                sites.append((call, fn, "", False))
        self.sites = sites

    def contribution(self) -> JsContribution:
        found = JsContribution()
        self._read_imports(found)
        self._read_classes(found)
        self._declarations(found)
        self._module_news(found)
        return found

    def part(self, env: JsEnv, contribution: JsContribution, start: int, line: int) -> JsPart:
        self.imports, self.modules, self.imported_as = env.imports, env.modules, env.imported_as
        self.class_decorators, self.instances, self.objects = env.class_decorators, env.instances, env.objects
        self.members = env.members
        part = JsPart(start, line, contribution, env.signature)
        self._declared_keys = env.declared
        part.servers = self._servers()
        part.mutations, part.foreign = self._mutations(env.declared)
        part.passes = self._passes(env.declared)
        part.loops = self._broadcasts(env.declared)
        part.handler_calls, part.calls = self._calls()
        # only the calls of functions that write a container matter (for write-through), and such a
        # function is in the same part as its writes
        written = {m.scope for _, _, m in part.mutations}
        part.scope_calls = {k: v for k, v in self.scope_calls.items() if k in written}
        part.handler_names = self.handler_names
        part.backends = self._named(self._backends())
        part.publishes = self.publishes
        part.membership = self._membership_calls()
        part.fanout = self._fanout_calls()
        part.comments = suppression_comments(
            self.scan.nodes("comment"), self.scan.source, self.scan.index, self.scan.language
        )
        part.object_reads = self.object_reads
        return part

    # --- imports and classes -----------------------------------------------------------------

    def _read_imports(self, found: JsContribution) -> None:
        for source_node in self.scan.nodes("import.source"):
            module = _module_name(self.text(source_node))
            found.import_modules.append(module)
            statement = source_node.parent
            assert statement is not None
            clause = next((c for c in statement.named_children if c.type == "import_clause"), None)
            if clause is not None:
                found.import_bindings += [(name, module) for name in _bound_names(clause)]
            names: dict[str, str] = {}
            for spec in _descendants(statement, "import_specifier"):
                alias = spec.child_by_field_name("alias")
                names.setdefault(
                    self.text(alias or spec.child_by_field_name("name")),
                    self.text(spec.child_by_field_name("name")),
                )
            found.import_specs.append((module, names))
        for call, fn, name, member in self.sites:
            if member or not (name == "require" or fn.type == "import"):
                continue
            args = call.child_by_field_name("arguments")
            first = args.named_children[0] if args is not None and args.named_children else None
            if first is None or first.type != "string":
                continue
            module = _module_name(self.text(first))
            found.require_modules.append(module)
            parent = call.parent
            if (
                module in APP_MODULES
                and parent is not None
                and parent.type == "call_expression"
                and parent.parent is not None
                and parent.parent.type == "variable_declarator"
            ):
                # `const app = require("express.oi")()`: the app is what its server hangs on
                pattern = parent.parent.child_by_field_name("name")
                if pattern is not None and pattern.type == "identifier":
                    found.require_bindings.append((self.text(pattern), module))
                continue
            if (
                parent is not None
                and parent.type == "member_expression"
                and parent.parent is not None
                and parent.parent.type == "variable_declarator"
            ):
                # `const SocketIO = require("socket.io").Server`: an alias of one export
                pattern = parent.parent.child_by_field_name("name")
                if pattern is not None and pattern.type == "identifier":
                    local = self.text(pattern)
                    found.require_bindings.append((local, module))
                    exported = self.text(parent.child_by_field_name("property"))
                    found.require_patterns.append((module, [(local, exported)]))
                continue
            if parent is not None and parent.type == "variable_declarator":
                pattern = parent.child_by_field_name("name")
                for bound in _bound_names(pattern) if pattern is not None else []:
                    found.require_bindings.append((bound, module))
                if name == "require" and pattern is not None and pattern.type == "object_pattern":
                    found.require_patterns.append((module, self._pattern_pairs(pattern)))
        for declarator in self.scan.nodes("destructure"):  # `const { Server } = socketIO`
            pattern = declarator.child_by_field_name("name")
            value = declarator.child_by_field_name("value")
            if pattern is not None and value is not None:
                found.destructured.append((self.text(value), self._pattern_pairs(pattern)))

    def _pattern_pairs(self, pattern: Node) -> list[tuple[str, str]]:
        """(local, key) for each name an object pattern binds: `{ Server, Socket: S }`."""
        pairs = []
        for child in pattern.named_children:
            if child.type == "shorthand_property_identifier_pattern":
                pairs.append((self.text(child), self.text(child)))
            elif child.type == "pair_pattern":
                pairs.append(
                    (
                        self.text(child.child_by_field_name("value")),
                        self.text(child.child_by_field_name("key")),
                    )
                )
        return pairs

    def _read_classes(self, found: JsContribution) -> None:
        for decorator in self.scan.nodes("decorator"):
            owner = decorator.parent
            if owner is not None and owner.type == "export_statement":
                owner = owner.child_by_field_name("declaration")
            if owner is None or owner.type not in {"class_declaration", "class"}:
                continue
            name = self.text(owner.child_by_field_name("name"))
            found.decorators.append((name, _decorator_name(decorator, self.text)))
        for cls in self.scan.nodes("class_decl"):
            name = self.text(cls.child_by_field_name("name"))
            found.classes.append(name)
            body = cls.child_by_field_name("body")
            if body is not None:
                found.members += self._typed_members(name, body)

    def _typed_members(self, owner: str, body: Node) -> list[tuple[str, str, str]]:
        """(owner, member, class) for the members whose class is written down: a typed field
        (`private store: RoomStore`, `store = new RoomStore()`) or a constructor parameter property
        (`constructor(private readonly store: RoomStore)`, the way NestJS injects a provider)."""
        found = []
        for member in body.named_children:
            if member.type in {"public_field_definition", "field_definition"}:
                name = member.child_by_field_name("name") or member.child_by_field_name("property")
                held = _class_of(
                    member.child_by_field_name("type"), member.child_by_field_name("value"), self.text
                )
                if name is not None and held:
                    found.append((owner, self.text(name), held))
            elif (
                member.type == "method_definition"
                and self.text(member.child_by_field_name("name")) == "constructor"
            ):
                parameters = member.child_by_field_name("parameters")
                for parameter in parameters.named_children if parameters is not None else ():
                    if parameter.type not in {"required_parameter", "optional_parameter"}:
                        continue
                    if not any(c.type in {"accessibility_modifier", "readonly"} for c in parameter.children):
                        continue
                    name = parameter.child_by_field_name("pattern")
                    held = _class_of(parameter.child_by_field_name("type"), None, self.text)
                    if name is not None and name.type == "identifier" and held:
                        found.append((owner, self.text(name), held))
        return found

    # --- servers --------------------------------------------------------------------------------

    def _servers(self) -> list[tuple[int, ServerSite]]:
        """Server constructions (pass 0), server factory calls (1) and NestJS gateways (2). A file with
        none that serves `text/event-stream` is an SSE server: that is decided for the whole file."""
        scan = self.scan
        sites: list[tuple[int, ServerSite]] = []
        for new in scan.nodes("new"):
            ctor = new.child_by_field_name("constructor")
            if ctor is None:
                continue
            framework = NEW_FORMS.get(self._resolve(ctor))  # type: ignore[arg-type]
            if framework is not None:
                sites.append((0, self._site(framework, new, ctor)))
        for call, fn, name, member in self.sites:
            if member and name in APP_METHODS:
                app_framework = self._app_framework(fn.child_by_field_name("object"), APP_METHODS[name])
                if app_framework is not None:
                    site = self._site(app_framework, call, fn)
                    app = self._chain_root(fn.child_by_field_name("object"))
                    variable = (
                        f"{self.text(app)}.{name}" if app is not None and app.type == "identifier" else name
                    )
                    sites.append((1, replace(site, variable=site.variable or variable)))
                    continue
            if member and GLOBAL_CALLS and self.text(fn) in GLOBAL_CALLS:
                framework = GLOBAL_CALLS[self.text(fn)]
                if _has_option(call, framework.global_option, self.text):
                    sites.append((1, self._site(framework, call, fn)))
                continue
            if member and name == "register" and PLUGINS:
                plugin = self._plugin(call)
                if plugin is not None:
                    sites.append((1, self._site(plugin, call, fn)))
                    continue
            if fn.type == "identifier" and name not in self.imports:
                continue
            if member:
                obj = fn.child_by_field_name("object")
                if obj is None or (obj.type == "identifier" and self.text(obj) not in self.imports):
                    continue
            required = next(
                (
                    f
                    for m, f in REQUIRED_CALLS.items()
                    if fn.type == "call_expression" and self._is_require_of(fn, m)
                ),
                None,
            )
            if required is not None:
                sites.append((1, self._site(required, call, fn)))
                continue
            framework = CALL_FORMS.get(self._resolve(fn))  # type: ignore[arg-type]
            if framework is not None:
                sites.append((1, self._site(framework, call, fn)))
        for decorator in scan.nodes("decorator"):
            framework = CLASS_DECORATORS.get(_decorator_name(decorator, self.text))
            if framework is not None:
                ident = decorator.named_children[0] if decorator.named_children else decorator
                if ident.type == "call_expression":
                    ident = ident.child_by_field_name("function") or ident
                owner = decorator.parent
                if owner is not None and owner.type == "export_statement":
                    owner = owner.child_by_field_name("declaration")
                cls = self.text(owner.child_by_field_name("name")) if owner is not None else None
                site = ServerSite(
                    framework=framework.id,
                    span=scan.span(ident),
                    variable=cls or None,
                    library_fanout=_library_fanout(framework),
                    options=frozenset({PORT_OPTION + self._gateway_port(decorator)}),
                )
                sites.append((2, site))
        return sites

    def _plugin(self, call: Node) -> Framework | None:
        """The framework of a plugin registered on an app: `fastify.register(websocket)` with
        `websocket` imported from `@fastify/websocket`, or `fastify.register(require("@fastify/websocket"))`."""
        args = call.child_by_field_name("arguments")
        first = _unwrap(args.named_children[0]) if args is not None and args.named_children else None
        if first is None:
            return None
        if first.type == "identifier":
            module = self.imports.get(self.text(first))
            return PLUGINS.get(module) if module is not None else None
        if first.type == "call_expression":
            return next((f for m, f in PLUGINS.items() if self._is_require_of(first, m)), None)
        return None

    def _record_of(self, node: Node, value: Node | None) -> Node | None:
        """The object literal a local holds when it is written (`rooms.set(id, room)` after
        `const room = { id, players: new Map() }` in the same function); else the value itself."""
        local = _unwrap(value)
        if local is None or local.type != "identifier" or self.text(local).lower() in HANDLE_NAMES:
            return value
        around = self.scan.enclosing_functions(node)
        if not around:
            return value
        name = self.text(local)
        if not re.search(rf"\b{re.escape(name)}\s*=\s*\{{", self.text(around[0])):
            return value
        stack = [around[0]]
        while stack:
            current = stack.pop()
            if (
                current.type == "variable_declarator"
                and self.text(current.child_by_field_name("name")) == name
            ):
                made = current.child_by_field_name("value")
                return made if made is not None and made.type == "object" else value
            stack.extend(current.named_children)
        return value

    def _made_from(self, call: Node, local: str) -> str:
        """The model a local record was made from in the same function (`const m = new Message(...)`,
        `m = await Message.create(...)`): "Message"; "" when not known."""
        around = self.scan.enclosing_functions(call)
        body = self.text(around[0]) if around else ""
        pattern = rf"\b{re.escape(local)}\s*=\s*(?:await\s+)?(?:new\s+)?([A-Z]\w*)[.(]"
        made = re.search(pattern, body)
        return made.group(1) if made else ""

    def _gateway_port(self, decorator: Node) -> str:
        """The port a decorated gateway class serves on, as written (`@WebSocketGateway(3001)`); ""
        for the application's own. Gateways on one port share one server."""
        call = decorator.named_children[0] if decorator.named_children else None
        args = (
            call.child_by_field_name("arguments")
            if call is not None and call.type == "call_expression"
            else None
        )
        first = args.named_children[0] if args is not None and args.named_children else None
        return self.text(first) if first is not None and first.type != "object" else ""

    def _site(self, framework: Framework, construction: Node, ctor: Node) -> ServerSite:
        """A construction of a framework's server; its options are read when one of them can share
        the fan-out (`new Server(http, { adapter })`)."""
        variable = _assigned_name(construction, self.text)
        if not framework.shared_option:
            return ServerSite(
                framework=framework.id,
                span=self.scan.span(ctor),
                variable=variable,
                library_fanout=_library_fanout(framework),
            )
        args = construction.child_by_field_name("arguments")
        options: set[str] = set()
        shared = False
        storage = None
        positional = args.named_children if args is not None else []
        for position, arg in enumerate(positional):
            if arg.type == "identifier" and position > 0:
                arg = self._module_object(self.text(arg)) or arg
            if (
                arg.type in {"identifier", "spread_element", "member_expression", "call_expression"}
                and position > 0
            ):
                shared = True  # options built elsewhere may carry the adapter: unknown, not reported
                continue
            if arg.type != "object":
                continue
            for pair in arg.named_children:
                if pair.type == "spread_element":
                    shared = True
                    continue
                if pair.type == "pair":
                    key = _string_value(self.text(pair.child_by_field_name("key")))
                    options.add(key)
                    if key == framework.shared_option:
                        value = pair.child_by_field_name("value")
                        storage = self._adapter_storage(value)
                        shared = storage is not None or self._one_host_adapter(value)
                elif pair.type == "shorthand_property_identifier":
                    options.add(self.text(pair))
        return ServerSite(
            framework=framework.id,
            span=self.scan.span(ctor),
            variable=variable,
            library_fanout=_library_fanout(framework),
            shared=shared,
            storage=storage,  # type: ignore[arg-type]
            options=frozenset(options),
        )

    def _chain_root(self, node: Node | None) -> Node | None:
        """The start of a call chain: `app` in `app.http().io`, the innermost call in `f()().x`."""
        while node is not None:
            if node.type == "member_expression":
                node = node.child_by_field_name("object")
            elif node.type == "call_expression":
                fn = node.child_by_field_name("function")
                if fn is None or fn.type == "identifier" or self._is_require_of(fn, None):
                    return node
                node = fn
            else:
                return node
        return None

    def _app_framework(self, receiver: Node | None, modules: dict[str, Framework]) -> Framework | None:
        """The framework whose app `receiver` chains from: `require("express.oi")()`, directly or
        through a variable declared with it (`const app = require("express.oi")()`)."""
        root = self._chain_root(receiver)
        if root is not None and root.type == "identifier":  # bound by `_read_imports`
            module = self.imports.get(self.text(root))
            return modules.get(module) if module is not None else None
        if root is None or root.type != "call_expression":
            return None
        fn = root.child_by_field_name("function")
        if fn is None:
            return None
        if fn.type == "call_expression" and self._is_require_of(fn, None):
            args = fn.child_by_field_name("arguments")
            return modules.get(_string_value(self.text(args.named_children[0]))) if args is not None else None
        if fn.type == "identifier":
            module = self.imports.get(self.text(fn))
            return modules.get(module) if module is not None else None
        return None

    def _module_object(self, name: str) -> Node | None:
        """The object literal a module-level `const name = { ... }` holds, if any (perhaps in another
        statement: what was read is kept, so the statement is read again when that object changes)."""
        found = self.objects.get(name)
        self.object_reads[name] = found[0] if found is not None else None
        if found is None:
            return None
        node = self.scan.tree.root_node.descendant_for_byte_range(found[1], found[2])
        while node is not None and node.type != "object" and node.parent is not None:
            node = node.parent
        return node

    def _one_host_adapter(self, value: Node | None) -> bool:
        if value is not None and value.type == "call_expression":
            module, _ = self._resolve(value.child_by_field_name("function"))
            return module in ADAPTERS and ADAPTERS[module] is None
        return False

    def _adapter_storage(self, value: Node | None) -> str | None:
        """Backend of an adapter expression; None for single-host adapters (cluster, pm2)."""
        if value is not None and value.type == "call_expression":
            module, _ = self._resolve(value.child_by_field_name("function"))
            if module in ADAPTERS:
                return ADAPTERS[module]
        known = [ADAPTERS[m] for m in self.modules if m in ADAPTERS]
        if known:
            return next((k for k in known if k is not None), None)
        return "external"  # an adapter built elsewhere (a wrapper module): assume a shared one

    # --- containers -----------------------------------------------------------------------------

    def _declarations(self, found: JsContribution) -> None:
        """Containers declared here: module variables (pass 0), class fields (1), constructor
        assignments (2); and the module-level object literals a server's options may name."""
        scan = self.scan
        declared = found.declarations
        for decl in scan.nodes("decl"):
            if not _at_module_level(decl):
                # `module.exports = (io) => { const online = []; io.on("connection", ...) }`: made once,
                # kept as long as the process by the handlers it registers
                name_node = decl.child_by_field_name("name")
                if name_node is not None and name_node.type == "identifier":
                    setup = self._setup_closure_of(decl)
                    kind = self._container_kind(decl.child_by_field_name("value")) if setup else None
                    if kind:
                        name = self.text(name_node)
                        declared.append((0, ("var", name), name, None, "module", kind, scan.span(name_node)))
                continue
            value = decl.child_by_field_name("value")
            name_node = decl.child_by_field_name("name")
            if value is not None and value.type == "object" and name_node is not None:
                found.objects.append(
                    (
                        self.text(name_node),
                        scan.source[value.start_byte : value.end_byte],
                        value.start_byte,
                        value.end_byte,
                    )
                )
            kind = self._container_kind(value)
            if kind and name_node is not None:
                name = self.text(name_node)
                declared.append((0, ("var", name), name, None, "module", kind, scan.span(name_node)))
        for field_node in scan.nodes("field"):
            kind = self._container_kind(field_node.child_by_field_name("value"))
            name_node = field_node.child_by_field_name("property") or field_node.child_by_field_name("name")
            cls = _enclosing_class(field_node, self._classes)
            if not kind or name_node is None or cls is None:
                continue
            is_static = any(c.type == "static" for c in field_node.children)
            owner = self.text(cls.child_by_field_name("name"))
            name = self.text(name_node)
            declared.append(
                (
                    1,
                    ("self", owner, name),
                    name,
                    owner,
                    "class" if is_static else "instance",
                    kind,
                    scan.span(name_node),
                )
            )
        for assign in scan.nodes("assign"):
            left = assign.child_by_field_name("left")
            if left is None or left.type != "member_expression":
                continue
            obj = left.child_by_field_name("object")
            bare = _unwrap(obj)
            if bare is not None and bare.type == "identifier" and self.text(bare) in GLOBAL_OBJECTS:
                # `global.eventClients = []`, often made lazily by the first request that needs it
                kind = self._container_kind(assign.child_by_field_name("right"))
                prop = left.child_by_field_name("property")
                if kind and prop is not None:
                    name = GLOBAL_PREFIX + self.text(prop)
                    declared.append((2, ("var", name), name, None, "module", kind, scan.span(prop)))
                continue
            if (
                obj is not None
                and self.text(obj) in {"module.exports", "exports"}
                and _at_program_level(assign)
            ):
                # `module.exports.userList = []`: a store module's container, imported by that name
                kind = self._container_kind(assign.child_by_field_name("right"))
                prop = left.child_by_field_name("property")
                if kind and prop is not None:
                    name = self.text(prop)
                    declared.append((2, ("var", name), name, None, "module", kind, scan.span(prop)))
                continue
            if (
                obj is not None
                and obj.type == "identifier"
                and self.text(obj) not in {"module", "exports", "window", "globalThis"}
                and assign.parent is not None
                and assign.parent.type == "expression_statement"
                and assign.parent.parent is not None
                and assign.parent.parent.type == "program"
            ):
                # `io.onlineUsers = {}` at start-up: a container hung on a long-lived object
                kind = self._container_kind(assign.child_by_field_name("right"))
                prop = left.child_by_field_name("property")
                if kind and prop is not None:
                    owner = self.text(obj)
                    name = f"{owner}.{self.text(prop)}"
                    key = ("self", owner, self.text(prop))
                    declared.append((2, key, name, None, "module", kind, scan.span(prop)))
                continue
            if obj is None or obj.type != "this":
                continue
            method = next((f for f in scan.enclosing_functions(assign)), None)
            if method is not None and method.type == "function_declaration":
                # `function Presence() { this.users = {} }`: an ES5 constructor function
                owner = self.text(method.child_by_field_name("name"))
                kind = self._container_kind(assign.child_by_field_name("right"))
                prop = left.child_by_field_name("property")
                if owner[:1].isupper() and kind and prop is not None:
                    name = self.text(prop)
                    declared.append(
                        (2, ("self", owner, name), name, owner, "instance", kind, scan.span(prop))
                    )
                continue
            if method is None or method.type != "method_definition":
                continue
            if self.text(method.child_by_field_name("name")) != "constructor":
                continue
            kind = self._container_kind(assign.child_by_field_name("right"))
            cls = _enclosing_class(method, self._classes)
            prop = left.child_by_field_name("property")
            if kind and cls is not None and prop is not None:
                owner = self.text(cls.child_by_field_name("name"))
                name = self.text(prop)
                declared.append((2, ("self", owner, name), name, owner, "instance", kind, scan.span(prop)))

    def _es5_owner(self, node: Node) -> str | None:
        """The ES5 "class" whose `this` a function sees: a capitalised function declaration (the
        constructor), or a function assigned to `X.prototype.method` or listed in `X.prototype = {...}`."""
        fn = next(iter(self.scan.enclosing_functions(node)), None)
        if fn is None:
            return None
        if fn.type == "function_declaration":
            name = self.text(fn.child_by_field_name("name"))
            return name if name[:1].isupper() else None
        parent = fn.parent
        if parent is not None and parent.type == "pair":
            parent = parent.parent.parent if parent.parent is not None else None  # the object's assignment
            target = (
                parent.child_by_field_name("left")
                if parent is not None and parent.type == "assignment_expression"
                else None
            )
        elif parent is not None and parent.type == "assignment_expression":
            left = parent.child_by_field_name("left")
            target = (
                left.child_by_field_name("object")
                if left is not None and left.type == "member_expression"
                else None
            )
        else:
            return None
        if target is None or target.type != "member_expression":
            return None
        if self.text(target.child_by_field_name("property")) != "prototype":
            return None
        owner = target.child_by_field_name("object")
        return self.text(owner) if owner is not None and owner.type == "identifier" else None

    def _container_kind(self, value: Node | None) -> str | None:
        value = _unwrap(value)
        if value is None:
            return None
        if value.type == "new_expression":
            ctor = self.text(value.child_by_field_name("constructor"))
            if ctor in CACHE_CONSTRUCTORS:
                return None
            return CONTAINER_CONSTRUCTORS.get(ctor)
        if value.type == "array":
            return "array"
        if value.type == "object":
            return "object"
        if value.type == "number":
            return "counter"
        if value.type == "call_expression" and self.text(value.child_by_field_name("function")) in {
            "Object.create",
            "JSON.parse",  # `const users = JSON.parse(fs.readFileSync("users.json"))`: loaded, then changed
        }:
            return "object"
        return None

    def _root(self, node: Node | None) -> tuple[ContainerKey | None, Node | None]:
        """The container an expression writes through: `rooms[r].push` -> rooms, `this.users.get(x)` -> users."""
        depth = 0
        while node is not None and depth < 6:
            depth += 1
            node = _unwrap(node)
            if node is None:
                return None, None
            if node.type == "identifier":
                return ("var", self.text(node)), node
            if node.type == "member_expression":
                obj = node.child_by_field_name("object")
                bare = _unwrap(obj)
                if bare is not None and bare.type == "identifier" and self.text(bare) in GLOBAL_OBJECTS:
                    # `global.clients`, `(globalThis as any).clients`: one per process, any file
                    return ("var", GLOBAL_PREFIX + self.text(node.child_by_field_name("property"))), node
                if obj is not None and obj.type == "this":
                    cls = _enclosing_class(node, self._classes)
                    prop = self.text(node.child_by_field_name("property"))
                    owner = self.text(cls.child_by_field_name("name")) if cls else self._es5_owner(node)
                    return (("self", owner, prop) if owner else None), node
                held_by = self._member_class(obj) if self.members else None
                if held_by is not None:
                    # `this.store.rooms.set(...)` where `store` holds a `RoomStore` (its type, or what
                    # the constructor made): that class's field, declared here or where it is imported from
                    return ("self", held_by, self.text(node.child_by_field_name("property"))), node
                if obj is not None and obj.type == "identifier" and self.text(obj) in self.instances:
                    # `store.sessions.set(...)` where `const store = new SessionStore()` is declared here
                    prop = self.text(node.child_by_field_name("property"))
                    return ("self", self.instances[self.text(obj)], prop), node
                if obj is not None and obj.type == "identifier":
                    # `Store.users.push(...)`: a static field of a class declared here;
                    # `io.onlineUsers[id] = ...`: an object hung on the server at start-up
                    held = ("self", self.text(obj), self.text(node.child_by_field_name("property")))
                    if held in self._declared_keys:
                        return held, node
                node = obj
            elif node.type == "subscript_expression":
                node = node.child_by_field_name("object")
            elif (
                node.type == "binary_expression"
                and node.child_by_field_name("operator") is not None
                and (self.text(node.child_by_field_name("operator")) in {"??", "||"})
            ):
                node = node.child_by_field_name("left")
            elif node.type == "augmented_assignment_expression" and _operator(node) in {"||=", "??="}:
                node = node.child_by_field_name("left")  # `(watchers[doc] ||= new Set()).add(ws)`
            elif node.type == "call_expression":
                fn = node.child_by_field_name("function")
                if fn is None or fn.type != "member_expression":
                    return None, None
                if self.text(fn.child_by_field_name("property")) not in {"get", "at", "find"}:
                    return None, None
                node = fn.child_by_field_name("object")
            else:
                return None, None
        return None, None

    def _mutations(
        self, declared: frozenset[ContainerKey]
    ) -> tuple[list[tuple[int, ContainerKey, Mutation]], list[tuple[int, str, str, Mutation]]]:
        """Writes from functions to declared containers: method calls (pass 0), assignments (1),
        `+=` (2), `++` (3), `delete` (4). Module-level initialisation does not change state at run time.
        Second, the same writes to containers a local module exports (`import { users } from "./store"`,
        `const store = require("./store"); store.users.push(...)`): the project joins them."""
        scan = self.scan
        records: list[tuple[int, ContainerKey, Mutation]] = []
        foreign: list[tuple[int, str, str, Mutation]] = []
        step = 0

        def add(
            target: Node | None,
            node: Node,
            operation: str,
            value: Node | None,
            whole: bool = False,
            entry: Node | None = None,
        ) -> None:
            key, root = self._root(target)
            if key is None or root is None:
                return
            elsewhere = None
            if key not in declared and key[1].startswith(GLOBAL_PREFIX):
                elsewhere = (APP_MODULE, key[1])  # declared in whichever file makes it
            elif key not in declared:
                elsewhere = (
                    self._exported_container(key, root)
                    or self._exported_parameter(key, root)
                    or self._exported_member(key)
                )
                if elsewhere is None:
                    return
            if whole and root is not _unwrap(target):
                return
            if key[0] == "var" and (elsewhere is None or elsewhere[0]) and self._shadowed(root, key[1]):
                return
            if _is_empty_container(value) or _loads_code(value, self.text):
                # a module loaded into a registry (`Namespaces[name] = require(...)`) is code, kept
                # once like a declaration
                operation = "init"
            elif (
                operation in {"set", "[key] ="}
                and target is not None
                and is_memo_write(scan, node, self.text(target))  # `cache.set(k, v)` / `cache[k] = v`
            ):
                operation = MEMO
            names, scope, in_handler = self._context(node)
            if scope < 0:
                return
            inner = _entry_key(target, root, self.text)
            mutation = Mutation(
                span=scan.span(node),
                functions=names,
                scope=scope,
                in_handler=in_handler,
                detail=WriteDetail(
                    operation=operation,
                    holds_handle=_is_handle(value, self.text) or self._is_connection_param(value),
                    fields=_record_fields(
                        self._record_of(node, value) if operation in RECORD_WRITES else value, self.text
                    ),
                    key=_short(inner if inner is not None else entry, self.text),
                    value=_short(_unwrap(value), self.text, names_only=True),
                    nested=inner is not None,
                ),
            )
            if elsewhere is not None:
                foreign.append((step, *elsewhere, mutation))
            else:
                records.append((step, key, mutation))

        for call, fn, method, member in self.sites:
            if member and (method in ADDING_METHODS or method in REMOVING_METHODS):
                args = call.child_by_field_name("arguments")
                values = args.named_children if args is not None else []
                position = ADDING_METHODS.get(method, -1)
                value = values[position] if 0 <= position < len(values) else None
                entry = values[0] if method in {"set", "delete"} and values else None
                add(fn.child_by_field_name("object"), call, method, value, entry=entry)
        step = 1
        for assign in scan.nodes("assign"):
            left = assign.child_by_field_name("left")
            if left is None:
                continue
            right = assign.child_by_field_name("right")
            target = left.child_by_field_name("object")
            if left.type == "member_expression" and target is not None and target.type == "this":
                # `this.members = [...this.members, m]` outside the constructor (which declares it): a
                # field replaced whole, from its old value or from other data
                if not _in_constructor(assign):
                    add(left, assign, reassignment(self.text(left), self.text(right)), right, whole=True)
            elif left.type in {"subscript_expression", "member_expression"}:
                index = left.child_by_field_name(
                    "index" if left.type == "subscript_expression" else "property"
                )
                add(target, assign, "[key] =", right, entry=index)
            elif left.type == "identifier":
                add(left, assign, reassignment(self.text(left), self.text(right)), right, whole=True)
        step = 2
        for node in scan.nodes("aug"):
            operation = self._count_operation(node)
            # `rooms[r] ||= []` makes an empty entry; its `.push(...)` is the write that adds
            value = node.child_by_field_name("right") if operation in {"||=", "??="} else None
            add(node.child_by_field_name("left"), node, operation, value)
        step = 3
        for node in scan.nodes("update"):
            operator = node.child_by_field_name("operator")
            down = operator is not None and operator.type == "--"
            add(node.child_by_field_name("argument"), node, "--" if down else "++", None)
        step = 4
        for node in scan.nodes("delete"):
            arg = node.child_by_field_name("argument")
            index = None
            if arg is not None and arg.type in {"subscript_expression", "member_expression"}:
                index = arg.child_by_field_name("index" if arg.type == "subscript_expression" else "property")
            add(
                arg.child_by_field_name("object") if arg is not None else None,
                node,
                "delete",
                None,
                entry=index,
            )
        return records, foreign

    def _count_operation(self, node: Node) -> str:
        """`x += 1` counts up (`++`), `x -= 1` down (`--`); other compound writes (`log += text`) keep
        their operator."""
        operator = node.child_by_field_name("operator")
        right = node.child_by_field_name("right")
        written = operator.type if operator is not None else "+="
        if right is not None and right.type == "number" and written in {"+=", "-="}:
            return "++" if written == "+=" else "--"
        return written

    def _exported_parameter(self, key: ContainerKey, root: Node) -> tuple[str, str] | None:
        """("", "#<index>") when the written name is a parameter of the function this module exports
        (`module.exports = function (io, socket, rooms) {...}`): whoever calls it passes the container."""
        if key[0] != "var":
            return None
        functions = self.scan.enclosing_functions(root)
        if not functions:
            return None
        outer = functions[-1]
        parent = outer.parent
        exported = (
            parent is not None
            and parent.type == "assignment_expression"
            and self.text(parent.child_by_field_name("left")) == "module.exports"
        ) or (parent is not None and parent.type == "export_statement" and b"default" in (parent.text or b""))
        if not exported:
            return None
        for inner in functions[:-1]:  # a handler's own parameter of that name hides it
            if key[1] in self._parameter_names(inner):
                return None
        names = self._parameter_names(outer)
        return ("", f"#{names.index(key[1])}") if key[1] in names else None

    def _parameter_names(self, fn: Node) -> list[str]:
        params = fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")
        if params is None:
            return []
        if params.type == "identifier":
            return [self.text(params)]
        names = []
        for param in params.named_children:
            # TypeScript wraps each parameter (`required_parameter`) around its pattern
            bound = param.child_by_field_name("pattern") or param
            names.append(self.text(bound) if bound.type == "identifier" else "")
        return names

    def _passes(self, declared: frozenset[ContainerKey]) -> list[tuple[str, int, str]]:
        """Containers of this file handed to a local module's exported function:
        `require("./rooms")(io, socket, rooms)`, `registerRooms(io, socket, rooms)` after
        `const registerRooms = require("./rooms")`."""
        found = []
        for call, fn, _, member in self.sites:
            if member or fn is None:
                continue
            module = None
            if fn.type == "call_expression" and self._is_require_of(fn, None):
                args = fn.child_by_field_name("arguments")
                module = (
                    _string_value(self.text(args.named_children[0]))
                    if args is not None and args.named_children
                    else None
                )
            elif fn.type == "identifier" and self.imported_as.get(self.text(fn), "default") == "default":
                module = self.imports.get(self.text(fn))
            if not module or not may_be_local(module):
                continue
            args = call.child_by_field_name("arguments")
            for index, arg in enumerate(args.named_children if args is not None else []):
                if arg.type == "identifier" and ("var", self.text(arg)) in declared:
                    found.append((module, index, self.text(arg)))
        return found

    def _exported_container(self, key: ContainerKey, root: Node) -> tuple[str, str] | None:
        """(module, exported name) when the written name comes from a local module: an imported
        binding (`users`), or a member of an imported module object (`store.users`)."""
        if key[0] != "var":
            return None
        module = self.imports.get(key[1])
        if module is None or not may_be_local(module):
            return None
        if self._shadowed(root, key[1]):
            return None
        exported = self.imported_as.get(key[1], "default")
        if exported != "default":
            return module, exported
        parent = root.parent
        if (
            parent is not None
            and parent.type == "member_expression"
            and parent.child_by_field_name("object") == root
        ):
            return module, self.text(parent.child_by_field_name("property"))
        return None

    def _member_class(self, obj: Node | None) -> str | None:
        """The class `this.<member>` holds, when the class declares it (see `_typed_members`) and that
        class is declared in this file or imported from a local module."""
        if obj is None or obj.type != "member_expression":
            return None
        this = obj.child_by_field_name("object")
        if this is None or this.type != "this":
            return None
        cls = _enclosing_class(obj, self._classes)
        owner = self.text(cls.child_by_field_name("name")) if cls is not None else None
        held = self.members.get((owner or "", self.text(obj.child_by_field_name("property"))))
        if held is None:
            return None
        module = self.imports.get(held)
        if module is not None and not may_be_local(module):
            return None  # `this.logger.x`, `this.redis.y`: a library's object, not project state
        return held

    def _exported_member(self, key: ContainerKey) -> tuple[str, str] | None:
        """(module, `Class.field`) for a field of a class imported from a local module, written
        through a member that holds an instance of it."""
        if key[0] != "self":
            return None
        module = self.imports.get(key[1])
        if module is None or not may_be_local(module):
            return None
        exported = self.imported_as.get(key[1], "default")
        return module, f"{key[1] if exported == 'default' else exported}.{key[2]}"

    def _is_connection_param(self, value: Node | None) -> bool:
        """`clients.add(s)` where `s` is the connection a handler was given (`wss.on("connection",
        (s) => ...)`, uWebSockets.js `open(ws)`, NestJS `handleConnection(client)`): a live handle,
        whatever it is called."""
        value = _unwrap(value)
        if value is None or value.type != "identifier":
            return False
        name = self.text(value)
        for fn in self.scan.enclosing_functions(value):
            params = fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")
            bound = _bound_names(params) if params is not None else []
            if name not in bound:
                continue
            if bound[0] != name:
                return False
            parent = fn.parent
            if parent is not None and parent.type == "arguments":
                call = parent.parent
                args = parent.named_children
                return (
                    self._is_registration(call)
                    and len(args) > 1
                    and args[0].type == "string"
                    and _string_value(self.text(args[0])) in CONNECTION_EVENTS
                )
            key = fn.child_by_field_name("name") if fn.type == "method_definition" else None
            if key is None and parent is not None and parent.type == "pair":
                key = parent.child_by_field_name("key")
            return key is not None and _string_value(self.text(key)) in CONNECTION_CALLBACKS
        return False

    def _shadowed(self, identifier: Node, name: str) -> bool:
        return any(
            name in self._local_names(fn) and name not in self._setup_containers(fn)
            for fn in self.scan.enclosing_functions(identifier)
        )

    def _setup_closure_of(self, decl: Node) -> Node | None:
        """The function a declaration sits directly in, when that function is a one-shot set-up: not
        itself a handler (nor inside one), and registering a connection handler in its own body."""
        functions = self.scan.enclosing_functions(decl)
        if not functions or any(self._describe(fn).handler for fn in functions):
            return None
        fn = functions[0]
        return fn if self._registers_connections(fn) else None

    def _registers_connections(self, fn: Node) -> bool:
        """Whether `fn` registers a connection handler in its own body (`io.on("connection", ...)`);
        the functions that do are found in one pass over the calls."""
        if self._setups is None:
            self._setups = set()
            for call, callee, method, member in self.sites:
                if not member or not self._registers(method, callee):
                    continue
                args = call.child_by_field_name("arguments")
                first = args.named_children[0] if args is not None and args.named_children else None
                if first is None or first.type != "string":
                    continue
                if _string_value(self.text(first)) in CONNECTION_EVENTS:
                    around = self.scan.enclosing_functions(call)
                    if around:
                        self._setups.add(around[0].id)
        return fn.id in self._setups

    def _setup_containers(self, fn: Node) -> set[str]:
        """Containers a set-up function declares directly (see `_setup_closure_of`): not shadowing."""
        if not self._registers_connections(fn) or any(
            self._describe(f).handler for f in self.scan.enclosing_functions(fn)
        ):
            return set()
        return {
            self.text(d.child_by_field_name("name"))
            for d in self.scan.nodes("decl")
            if fn.start_byte < d.start_byte < fn.end_byte
            and self.scan.enclosing_functions(d)[:1] == [fn]
            and self._container_kind(d.child_by_field_name("value"))
        }

    def _local_names(self, fn: Node) -> set[str]:
        """Parameters of a function and the variables declared directly in it (not in nested ones)."""
        cached = self._locals.get(fn.id)
        if cached is None:
            if self._declared_in is None:
                self._declared_in = {}
                for decl in self.scan.nodes("decl"):
                    owner = self.scan.enclosing_functions(decl)
                    pattern = decl.child_by_field_name("name")
                    if owner and pattern is not None:
                        self._declared_in.setdefault(owner[0].id, set()).update(_bound_names(pattern))
            cached = set(self._declared_in.get(fn.id, ()))
            params = fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")
            if params is not None:
                cached.update(_bound_names(params))
            self._locals[fn.id] = cached
        return cached

    def _broadcasts(
        self, declared: frozenset[ContainerKey]
    ) -> list[tuple[int, str | None, ContainerKey | None, bool, Span]]:
        """Loops that send to every element: `for (c of clients) c.send()` (pass 0), `.forEach(...)` and
        the like (pass 1). A loop over `x.clients` is the server's own registry when `x` is a server of
        this file, which is known once every statement is read; both readings are kept until then."""
        found: list[tuple[int, str | None, ContainerKey | None, bool, Span]] = []
        step = 0

        def note(iterable: Node | None, site: Node, body: Node | None) -> None:
            # what is iterated is checked first: scanning the body for sends is the costly part
            if iterable is None or body is None:
                return
            iterable = _unwrap(iterable)
            server = None
            if (
                iterable is not None
                and iterable.type == "member_expression"
                and self.text(iterable.child_by_field_name("property")) in REGISTRY_PROPERTIES
            ):
                holder = iterable.child_by_field_name("object")
                accessor = holder.child_by_field_name("function") if holder is not None else None
                if (
                    holder is not None
                    and holder.type == "call_expression"
                    and accessor is not None
                    and accessor.type == "member_expression"
                ):
                    holder = accessor.child_by_field_name("object")  # `wsInstance.getWss().clients`
                server = self.text(holder)
            if iterable is not None and iterable.type == "call_expression":
                fn = iterable.child_by_field_name("function")
                if self.text(fn) in {"Object.values", "Object.keys", "Object.entries", "Array.from"}:
                    args = iterable.child_by_field_name("arguments")
                    iterable = args.named_children[0] if args is not None and args.named_children else None
                elif (
                    fn is not None
                    and fn.type == "member_expression"
                    and self.text(fn.child_by_field_name("property")) in {"values", "keys", "entries"}
                ):
                    iterable = fn.child_by_field_name("object")
            key, _ = self._root(iterable)
            if key is not None and key not in declared and not key[1].startswith(GLOBAL_PREFIX):
                key = None
            if server is not None or key is not None:
                found.append((step, server, key, _sends(body, self.text), self.scan.span(site)))

        for loop in self.scan.nodes("loop"):
            note(loop.child_by_field_name("right"), loop, loop.child_by_field_name("body"))
        step = 1
        for call, fn, method, member in self.sites:
            if member and method in LOOP_METHODS:
                args = call.child_by_field_name("arguments")
                callback = args.named_children[0] if args is not None and args.named_children else None
                note(fn.child_by_field_name("object"), call, callback)
        return found

    # --- functions, handlers and calls ----------------------------------------------------------

    def _describe(self, fn: Node) -> FunctionInfo:
        text = self.text
        name: str | None = None
        handler = False
        cls = _enclosing_class(fn, self._classes)
        owner = text(cls.child_by_field_name("name")) if cls is not None else None
        if fn.type in {"function_declaration", "generator_function_declaration", "method_definition"}:
            name = text(fn.child_by_field_name("name"))
        parent = fn.parent
        if parent is not None:
            if parent.type == "variable_declarator":
                name = text(parent.child_by_field_name("name"))
            elif parent.type == "pair":
                name = _string_value(text(parent.child_by_field_name("key")))
            elif parent.type == "assignment_expression":
                left = parent.child_by_field_name("left")
                if left is not None and left.type == "member_expression":
                    name = text(left.child_by_field_name("property"))
            elif parent.type == "arguments":
                handler = self._is_registration(parent.parent)
        if fn.type == "method_definition" and owner is not None:
            decorators = _member_decorators(fn, text)
            servers = self.class_decorators.get(owner, set())
            handler = bool(decorators & HANDLER_DECORATORS) or any(
                name in CLASS_DECORATORS[d].lifecycle_methods for d in servers if d in CLASS_DECORATORS
            )
        if name in NEXT_ROUTE_EXPORTS and parent is not None and parent.type == "export_statement":
            handler = True
        if not handler and parent is not None:
            holder = (
                parent.parent if parent.type == "pair" else parent if fn.type == "method_definition" else None
            )
            handler = holder is not None and holder.type == "object" and self._handler_object(holder, name)
        return FunctionInfo(name or None, handler, owner)

    def _handler_object(self, holder: Node, key: str | None) -> bool:
        """A function in an object literal a framework calls back: the behaviour object of a
        registration (`app.ws(path, { open, message })`), or a handler option of a server construction
        (`Bun.serve({ fetch, websocket: { message } })`)."""
        if key is not None and key in HANDLER_KEYS:
            return True  # `fastify.route({ url, handler, wsHandler: (socket) => ... })`
        outer = holder.parent
        if outer is not None and outer.type == "pair":  # `websocket: { ... }` inside the options
            options_key = _string_value(self.text(outer.child_by_field_name("key")))
            options = outer.parent
            call = options.parent.parent if options is not None and options.parent is not None else None
            return self._handler_options(call, options_key)
        call = outer.parent if outer is not None and outer.type == "arguments" else None
        if call is None or call.type != "call_expression":
            return False
        fn = call.child_by_field_name("function")
        if (
            fn is not None
            and fn.type == "member_expression"
            and self.text(fn.child_by_field_name("property")) in HANDLER_OBJECT_METHODS
        ):
            return True
        return key is not None and self._handler_options(call, key)

    def _handler_options(self, call: Node | None, key: str) -> bool:
        if call is None or call.type != "call_expression":
            return False
        keys = HANDLER_OPTIONS.get(self.text(call.child_by_field_name("function")))
        return keys is not None and key in keys

    def _is_registration(self, call: Node | None) -> bool:
        if call is None or call.type != "call_expression":
            return False
        fn = call.child_by_field_name("function")
        if fn is None or fn.type != "member_expression":
            return False
        method = self.text(fn.child_by_field_name("property"))
        if self._registers(method, fn):
            return True
        receiver = self.text(fn.child_by_field_name("object"))
        return method in ROUTE_METHODS and receiver in ROUTE_RECEIVERS

    def _registers(self, method: str, fn: Node) -> bool:
        """Whether `x.method(...)` (`fn` is its callee) registers handlers: any receiver's `on`, and
        scoped methods (`app.io.route`) on their framework's receivers only."""
        if method in REGISTRATION_METHODS:
            return True
        receivers = SCOPED_REGISTRATION.get(method)
        return receivers is not None and self._receiver_word(fn.child_by_field_name("object")) in receivers

    def _receiver_word(self, node: Node | None) -> str:
        """The last word of what a method is called on, past a room target: `req.io` and
        `app.io.room(r)` are both `io`."""
        if node is not None and node.type == "call_expression":
            fn = node.child_by_field_name("function")
            if (
                fn is not None
                and fn.type == "member_expression"
                and self.text(fn.child_by_field_name("property")) in FANOUT_TARGETS
            ):
                node = fn.child_by_field_name("object")
        if node is None:
            return ""
        if node.type == "member_expression":
            return self.text(node.child_by_field_name("property"))
        return self.text(node) if node.type == "identifier" else ""

    def _context(self, node: Node) -> tuple[tuple[str, ...], int, bool]:
        return self.scan.context(node, self._describe, None)

    def _calls(self) -> tuple[set[str], dict[str, set[str]]]:
        handler_calls: set[str] = set()
        calls: dict[str, set[str]] = {}
        graph = (self.scope_calls, handler_calls, calls)
        scan, describe = self.scan, self._describe
        innermost = scan.innermost_each([site[0] for site in self.sites])
        for (call, _fn, callee, member), index in zip(self.sites, innermost, strict=True):
            context = scan.context_at(index, describe)
            if (
                member
                and (
                    callee in REGISTRATION_METHODS or callee in ROUTE_METHODS or callee in SCOPED_REGISTRATION
                )
                and self._is_registration(call)
            ):
                args = call.child_by_field_name("arguments")
                for arg in args.named_children if args is not None else []:
                    if arg.type == "identifier":
                        self.handler_names.add(self.text(arg))
                    elif arg.type == "member_expression":
                        self.handler_names.add(self.text(arg.child_by_field_name("property")))
            if callee:
                record_call(graph, callee, context)
        for assign in self.scan.nodes("assign"):
            # `module.exports = { add: addUser }`: a handler calling `online.add(u)` runs `addUser`
            if self.text(assign.child_by_field_name("left")) not in {"module.exports", "exports"}:
                continue
            exported = _unwrap(assign.child_by_field_name("right"))
            for pair in exported.named_children if exported is not None and exported.type == "object" else []:
                key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
                if (
                    pair.type == "pair"
                    and key is not None
                    and value is not None
                    and value.type == "identifier"
                ):
                    alias, target = _string_value(self.text(key)), self.text(value)
                    if alias != target:
                        calls.setdefault(alias, set()).add(target)
        return handler_calls, calls

    def _module_news(self, found: JsContribution) -> None:
        """Classes instantiated outside functions, and the variables holding such instances; classes
        that make their own one instance in a static method (`static getInstance() { ... this.instance
        = new Manager() }`) live once per process too."""
        for new in self.scan.nodes("new"):
            functions = self.scan.enclosing_functions(new)
            if functions and self._makes_itself(new, functions[0]):
                found.news.append((self.text(new.child_by_field_name("constructor")), None))
                continue
            if len(functions) == 1 and _startup_function(functions[0], self.text):
                # `function start() { const server = new GameServer(game); ... }`: made once, at start-up
                found.news.append((self.text(new.child_by_field_name("constructor")), None))
                continue
            if functions:
                owned = self._owned(new)
                if owned is not None:
                    owner, member, kept = owned
                    found.owned.append((owner, kept))
                    found.members.append((owner, member, kept))
                continue
            ctor = self.text(new.child_by_field_name("constructor"))
            if ctor and ctor[0].isupper():
                holder = new.parent
                held = holder is not None and holder.type == "variable_declarator"
                found.news.append((ctor, self.text(holder.child_by_field_name("name")) if held else None))  # type: ignore[union-attr]

    def _owned(self, new: Node) -> tuple[str, str, str] | None:
        """(owner, x, C) for `this.x = new C()` in a method of class or ES5 constructor `owner`: the
        instance lives as long as its owner does."""
        ctor = self.text(new.child_by_field_name("constructor"))
        if not (ctor[:1].isupper() and ctor.isidentifier()):
            return None
        parent = new.parent
        if parent is None or parent.type != "assignment_expression":
            return None
        left = parent.child_by_field_name("left")
        if left is None or left.type != "member_expression":
            return None
        obj = left.child_by_field_name("object")
        if obj is None or obj.type != "this":
            return None
        cls = _enclosing_class(new, self._classes)
        owner = self.text(cls.child_by_field_name("name")) if cls is not None else self._es5_owner(new)
        return (owner, self.text(left.child_by_field_name("property")), ctor) if owner else None

    def _makes_itself(self, new: Node, method: Node) -> bool:
        """`new Manager()` in a static method of `Manager`: a singleton accessor."""
        if method.type != "method_definition" or not any(c.type == "static" for c in method.children):
            return False
        cls = _enclosing_class(method, self._classes)
        name = cls.child_by_field_name("name") if cls is not None else None
        return name is not None and self.text(name) == self.text(new.child_by_field_name("constructor"))

    # --- shared backends -------------------------------------------------------------------------

    def _backends(self) -> list[BackendUse]:
        scan = self.scan
        found: list[BackendUse] = []
        for call, fn, method, member in self.sites:
            lower = method.lower()
            if not member or lower not in BACKEND_METHODS:
                continue
            args = call.child_by_field_name("arguments")
            values = args.named_children if args is not None else []
            first = self.text(values[0]) if values else ""
            receiver = self.text(fn.child_by_field_name("object"))
            scope = self._context(call)[1]
            if method in IN_PROCESS_PUBLISH:
                self.publishes.append((scan.span(call), method, receiver))
            if method in ADAPTER_METHODS and values:
                storage = self._adapter_storage(values[0])
                detail = f"{ADAPTER_METHODS[method].id} adapter"
                if storage is not None:
                    found.append(backend(scan, call, storage, "adapter", "subscriptions", detail, scope))
                elif self._one_host_adapter(values[0]):
                    # the cluster / pm2 adapters share rooms between the processes of one host: the
                    # server has an adapter, but no state type is held in a shared backend
                    found.append(
                        backend(scan, call, "external", "adapter", None, detail + " (one host)", scope)
                    )
            elif lower in REDIS_HISTORY_COMMANDS:
                state = classify_key_text(first, "history") if lower != "xadd" else "history"
                found.append(backend(scan, call, "redis", "write", state, f"{method} {first}", scope))
            elif lower in REDIS_STATE_COMMANDS:
                state = classify_key_text(first, "presence")
                found.append(backend(scan, call, "redis", "write", state, f"{method} {first}", scope))
            elif lower == "set" and len(values) >= 3 and _has_expiry(self.text(values[2])):
                state = classify_key_text(first, "presence")
                found.append(backend(scan, call, "redis", "write", state, f"SET {first}", scope, "redis"))
            elif (
                lower in PUBSUB_SUBSCRIBE | {"publish", "spublish"}
                and receiver.split(".")[-1] not in HANDLE_NAMES
            ):
                detail = "subscribe" if lower in PUBSUB_SUBSCRIBE else "publish"
                found.append(backend(scan, call, "redis", "bridge", "subscriptions", detail, scope, "redis"))
            elif (
                lower in DATABASE_WRITE_METHODS
                and receiver not in {"Object", "Reflect"}
                and not receiver.endswith(("Dto", "DTO"))  # `UserDto.create(...)` builds an object
            ):
                if lower == "add" and not receiver.endswith(("session", "db")):
                    continue
                model = _short(fn.child_by_field_name("object"), self.text) or receiver.split("(")[0][:40]
                if lower == "save" and model.isidentifier():
                    model = self._made_from(call, model) or model  # `const m = new Message({...}); m.save()`
                shapes = [_record_shape(v, self.text) for v in values]
                state = classify_record_write(model, shapes[0] if shapes else "", " ".join(shapes))
                detail = f"{model}.{method}"
                found.append(backend(scan, call, "database", "write", state, detail, scope, "database"))
            elif lower in {"query", "run", "execute", "exec"} and first.lstrip("`'\" ").upper().startswith(
                ("INSERT", "UPDATE", "REPLACE")
            ):
                state = classify_key_text(first, None)
                found.append(backend(scan, call, "database", "write", state, first[:60], scope, "database"))
        return found

    def _named(self, uses: list[BackendUse]) -> list[BackendUse]:
        """Each use with the named function around it, so a handler calling that helper counts, and
        whether a handler holds it."""
        scan = self.scan
        return [
            replace(
                u,
                function=scan.scope_names.get(u.scope, ""),
                in_handler=u.scope >= 0
                and scan.context_at(scan.innermost(u.span.start_byte, u.span.end_byte), self._describe)[2],
            )
            for u in uses
        ]

    def _membership_calls(self) -> list[Span]:
        found = []
        for call, fn, method, member in self.sites:
            if not member or method not in MEMBERSHIP_METHODS:
                continue
            obj = fn.child_by_field_name("object")
            receiver = self.text(obj).split(".")[-1]
            if (method, receiver) in MEMBERSHIP or (
                method in SOCKET_MEMBERSHIP and self._is_connection_param(obj)
            ):
                found.append(self.scan.span(call))
        return found

    def _fanout_calls(self) -> list[Span]:
        """Emits that reach more than the socket that sent: `io.emit`, `io.to(room).emit`,
        `socket.broadcast.emit`, `socket.to(room).emit`, `this.server.emit`. An `emit` on the
        connection itself answers its sender only, and loses nothing on a second instance."""
        found = []
        for call, fn, method, member in self.sites:
            if not member:
                continue
            if (
                (method == "emit" and self._reaches_others(fn.child_by_field_name("object")))
                or (
                    method in SCOPED_FANOUT
                    and self._receiver_word(fn.child_by_field_name("object")) in SCOPED_FANOUT[method]
                )
            ) and not self._background(call):
                found.append(self.scan.span(call))
        return found

    def _background(self, call: Node) -> bool:
        """A call outside handlers that every instance makes for its own clients: in a callback handed
        to a call at module level, such as a periodic broadcast (`setInterval(() => io.emit(...))`) or
        a start-up notice (`app.prepare().then(() => io.emit("ready"))`)."""
        functions = self.scan.enclosing_functions(call)
        if not functions or self._context(call)[2]:
            return False  # a timer a handler starts (`setInterval(() => io.to(room).emit(...))`) counts
        # the outermost function is a callback handed to a call at module level (`setInterval`,
        # `.then`): nothing a handler calls. A named helper may be, so its emits still count.
        outer = functions[-1].parent
        return outer is not None and outer.type == "arguments"

    def _reaches_others(self, node: Node | None) -> bool:
        text = self.text
        while node is not None:
            if node.type == "member_expression":
                prop = text(node.child_by_field_name("property"))
                obj = node.child_by_field_name("object")
                if prop in FANOUT_PROPERTIES or (
                    obj is not None and obj.type == "this" and _server_name(prop)
                ):
                    return True
                node = obj
            elif node.type == "call_expression":
                fn = node.child_by_field_name("function")
                if fn is not None and fn.type == "identifier":
                    return _server_getter(text(fn))  # `getIO().emit(...)`
                if fn is None or fn.type != "member_expression":
                    return False
                prop = text(fn.child_by_field_name("property"))
                if _server_getter(prop) and not (node.parent and node.parent.type == "arguments"):
                    return True  # `socket.getIO().emit(...)`
                if prop in FANOUT_TARGETS:
                    return True  # `.to(room)`, `.in(room)`, `.except(id)`, `.of(nsp)`
                if prop not in EMIT_MODIFIERS:
                    return False
                node = fn.child_by_field_name("object")
            elif node.type == "identifier":
                return _server_name(text(node))
            else:
                return False
        return False

    # --- resolution helpers -----------------------------------------------------------------------

    def _resolve(self, node: Node | None) -> tuple[str | None, str | None]:
        """Module and exported name an identifier or `ns.Name` refers to, from this file's imports."""
        if node is None:
            return None, None
        if node.type == "identifier":
            name = self.text(node)
            module = self.imports.get(name)
            if module is None:
                return None, None
            return module, self.imported_as.get(name, "default")
        if node.type == "member_expression":
            obj = node.child_by_field_name("object")
            if obj is not None and obj.type == "identifier" and self.text(obj) in self.imports:
                return self.imports[self.text(obj)], self.text(node.child_by_field_name("property"))
            if obj is not None and obj.type == "call_expression" and self._is_require_of(obj, None):
                args = obj.child_by_field_name("arguments")
                module = _string_value(self.text(args.named_children[0])) if args is not None else None
                return module, self.text(node.child_by_field_name("property"))
        return None, None

    def _is_require_of(self, call: Node, module: str | None) -> bool:
        fn = call.child_by_field_name("function")
        if fn is None or self.text(fn) != "require":
            return False
        args = call.child_by_field_name("arguments")
        if args is None or not args.named_children or args.named_children[0].type != "string":
            return False
        return module is None or _string_value(self.text(args.named_children[0])) == module


# --- small tree helpers ---------------------------------------------------------------------------


def _server_name(name: str) -> bool:
    """A name a Socket.IO server or namespace goes by (`io`, `socketIO`, `nsp`, `this.server`)."""
    lower = name.lower()
    return lower.endswith("io") or lower in SERVER_NAMES


def _server_getter(name: str) -> bool:
    """A function that hands out the one server (`getIO()`, `getIo()`, `get_socket_server()`)."""
    lower = name.lower().replace("_", "")
    return lower.startswith("get") and lower[3:] in SERVER_GETTERS


SERVER_GETTERS = frozenset("io socketio socketserver ioserver server wss ioinstance".split())


def _at_program_level(assign: Node) -> bool:
    """An assignment that is a statement of the program itself (`module.exports.x = []`)."""
    statement = assign.parent
    return (
        statement is not None
        and statement.type == "expression_statement"
        and (statement.parent is not None and statement.parent.type == "program")
    )


def _module_name(text: str) -> str:
    """The module an import or `require` names, as the framework registry spells it when it is one."""
    module = _string_value(text)
    return _KNOWN_MODULES.get(module.lower(), module)


def _string_value(text: str) -> str:
    if len(text) >= 2 and text[0] in "'\"`" and text[-1] == text[0]:
        return text[1:-1]
    return text


def _entry_key(target: Node | None, root: Node | None, text: TextOf) -> Node | None:
    """The key of the entry a write goes into, when it goes through one: `topic` in
    `rooms[topic].add(sid)`, `(rooms[topic] ||= new Set()).add(sid)`, `rooms.get(topic).add(sid)`."""
    node = _unwrap(target)
    depth = 0
    while node is not None and node is not root and depth < 6:
        depth += 1
        if node.type == "subscript_expression":
            return node.child_by_field_name("index")
        if node.type == "call_expression":
            args = node.child_by_field_name("arguments")
            if args is not None and args.named_children:
                return args.named_children[0]
            fn = node.child_by_field_name("function")
            node = _unwrap(fn.child_by_field_name("object")) if fn is not None else None
        elif node.type in {"augmented_assignment_expression", "binary_expression"}:
            node = _unwrap(node.child_by_field_name("left"))
        elif node.type == "member_expression":
            node = _unwrap(node.child_by_field_name("object"))
        else:
            return None
    return None


def _short(node: Node | None, text: TextOf, names_only: bool = False) -> str:
    """A key or value as written, when it is short enough to be a name (`socket.id`, `msg`); an
    instance made on the spot as `new Room` (see `held_classes`)."""
    if node is not None and node.type == "new_expression":
        ctor = text(node.child_by_field_name("constructor"))
        return f"new {ctor}" if ctor[:1].isupper() and ctor.isidentifier() else ""
    if node is None or (names_only and node.type not in {"identifier", "member_expression"}):
        return ""
    written = text(node)
    return written if len(written) <= 60 else ""


def _record_shape(node: Node, text: TextOf) -> str:
    """What a written record says about itself: its keys at every level (`{ $push: { members: id } }`
    -> `$push members`), a constructed model's name (`new Message({...})` -> `Message text`); never the
    values, which name anything."""
    if node.type == "object":
        keys = []
        for pair in node.named_children:
            if pair.type == "pair":
                keys.append(_string_value(text(pair.child_by_field_name("key"))))
                value = pair.child_by_field_name("value")
                if value is not None and value.type in {"object", "array"}:
                    keys.append(_record_shape(value, text))
            elif pair.type == "shorthand_property_identifier":
                keys.append(text(pair))
        return " ".join(keys)
    if node.type == "array":
        return " ".join(_record_shape(c, text) for c in node.named_children if c.type == "object")
    if node.type in {"new_expression", "call_expression"}:
        callee = node.child_by_field_name("constructor") or node.child_by_field_name("function")
        args = node.child_by_field_name("arguments")
        inner = [_record_shape(a, text) for a in args.named_children if a.type == "object"] if args else []
        return " ".join([text(callee).split(".")[-1] if callee is not None else "", *inner])
    written = text(node)
    return written if len(written) <= 60 else ""


def _operator(node: Node) -> str:
    operator = node.child_by_field_name("operator")
    return operator.type if operator is not None else ""


def _unwrap(node: Node | None) -> Node | None:
    while node is not None and node.type in {
        "parenthesized_expression",
        "as_expression",
        "satisfies_expression",
        "non_null_expression",
        "type_assertion",
        "await_expression",
    }:
        node = node.named_children[0] if node.named_children else None
    return node


def _bound_names(pattern: Node) -> list[str]:
    if pattern.type in {"identifier", "shorthand_property_identifier_pattern"}:
        return [pattern.text.decode() if pattern.text else ""]
    names: list[str] = []
    for child in pattern.named_children:
        if child.type == "pair_pattern":
            value = child.child_by_field_name("value")
            if value is not None:
                names.extend(_bound_names(value))
        elif child.type in {"type_annotation", "property_identifier"}:
            continue
        elif child.type == "import_specifier":
            alias = child.child_by_field_name("alias") or child.child_by_field_name("name")
            if alias is not None and alias.text:
                names.append(alias.text.decode())
        else:
            names.extend(_bound_names(child))
    return names


def _descendants(node: Node, node_type: str) -> list[Node]:
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        if current.type == node_type:
            found.append(current)
        stack.extend(current.named_children)
    return found


def _at_module_level(node: Node) -> bool:
    parent = node.parent
    while parent is not None and parent.type in {
        "lexical_declaration",
        "variable_declaration",
        "export_statement",
    }:
        parent = parent.parent
    return parent is not None and parent.type == "program"


def _enclosing_class(node: Node, known: dict[int, Node | None]) -> Node | None:
    """The class a node is in, if any. Every ancestor walked is remembered in `known`, so the walks of
    all the functions of a file together visit each ancestor once (each `parent` step costs a descent
    from the root: without this, deeply nested callbacks took minutes)."""
    walked: list[int] = []
    found: Node | None = None
    parent = node.parent
    while parent is not None:
        if parent.id in known:
            found = known[parent.id]
            break
        if parent.type in {"class_declaration", "class", "abstract_class_declaration"}:
            found = parent
            break
        walked.append(parent.id)
        parent = parent.parent
    for seen in walked:
        known[seen] = found
    return found


def _assigned_name(node: Node, text: TextOf) -> str | None:
    parent = node.parent
    while parent is not None and parent.type in {
        "await_expression",
        "parenthesized_expression",
        "as_expression",
    }:
        parent = parent.parent
    if parent is None:
        return None
    if parent.type == "variable_declarator":
        return text(parent.child_by_field_name("name")) or None
    if parent.type == "assignment_expression":
        left = parent.child_by_field_name("left")
        if left is not None and left.type == "member_expression":
            return text(left.child_by_field_name("property"))
        return text(left) or None
    return None


def _decorator_name(decorator: Node, text: TextOf) -> str:
    inner = decorator.named_children[0] if decorator.named_children else None
    if inner is not None and inner.type == "call_expression":
        inner = inner.child_by_field_name("function")
    name = text(inner)
    return name.rsplit(".", 1)[-1]


def _member_decorators(method: Node, text: TextOf) -> set[str]:
    found = {_decorator_name(c, text) for c in method.named_children if c.type == "decorator"}
    sibling = method.prev_named_sibling
    while sibling is not None and sibling.type == "decorator":
        found.add(_decorator_name(sibling, text))
        sibling = sibling.prev_named_sibling
    return found


def _is_handle(value: Node | None, text: TextOf) -> bool:
    value = _unwrap(value)
    if value is None:
        return False
    if value.type == "identifier" or value.type == "this":
        return text(value).lower() in HANDLE_NAMES
    if value.type == "member_expression":
        prop = text(value.child_by_field_name("property")).lower()
        return prop in HANDLE_NAMES
    if value.type == "object":  # `clients.push({ id, res })`: a record carrying the connection
        return any(
            f.lower() in HANDLE_NAMES - {"self", "client", "connection"} for f in _record_fields(value, text)
        )
    if value.type == "array" and value.named_child_count:  # `rooms[id] = [ws]`
        return all(_is_handle(item, text) for item in value.named_children)
    if value.type == "new_expression" and text(value.child_by_field_name("constructor")) == "Set":
        args = value.child_by_field_name("arguments")  # `rooms.set(id, new Set([ws]))`
        return args is not None and args.named_child_count == 1 and _is_handle(args.named_children[0], text)
    return False


# top-level functions that run once, when the process starts: what they make lives as long as it
STARTUP_FUNCTIONS = frozenset(
    """
    main start startServer start_server bootstrap boot launch run runServer createServer createApp
    initServer setup setupServer
    """.split()
)


def _startup_function(fn: Node, text: TextOf) -> bool:
    """A function declared at the top of the module with a start-up name (`STARTUP_FUNCTIONS`)."""
    if fn.type != "function_declaration" or fn.parent is None:
        return False
    holder = fn.parent if fn.parent.type != "export_statement" else fn.parent.parent
    return (
        holder is not None
        and holder.type == "program"
        and text(fn.child_by_field_name("name")) in STARTUP_FUNCTIONS
    )


def _in_constructor(node: Node) -> bool:
    """Whether `node` is in a class's constructor, or an ES5 constructor function, whose assignments
    to `this` declare the fields; an arrow function inside keeps the constructor's `this`."""
    parent = node.parent
    while parent is not None:
        if parent.type == "method_definition":
            name = parent.child_by_field_name("name")
            return name is not None and name.text == b"constructor"
        if parent.type in {"function_declaration", "function_expression", "function"}:
            name = parent.child_by_field_name("name")
            return name is not None and (name.text or b"")[:1].isupper()
        parent = parent.parent
    return True  # a class field's initialiser or a static block


def _class_of(annotation: Node | None, value: Node | None, text: TextOf) -> str | None:
    """The class a member holds: `: RoomStore` (a plain type name, not `Map<...>` or a union), or
    `= new RoomStore(...)`."""
    named = annotation.named_children if annotation is not None else []
    if len(named) == 1 and named[0].type == "type_identifier":
        name = text(named[0])
    elif value is not None and value.type == "new_expression":
        ctor = value.child_by_field_name("constructor")
        name = text(ctor) if ctor is not None and ctor.type == "identifier" else ""
    else:
        return None
    return name if name[:1].isupper() and name not in BUILTIN_TYPES else None


def _record_fields(value: Node | None, text: TextOf) -> tuple[str, ...]:
    """Keys of an object literal value (`{ url, isPlaying: false }`), spreads left out."""
    value = _unwrap(value)
    if value is None or value.type != "object":
        return ()
    found = []
    for child in value.named_children:
        if child.type == "pair":
            key = child.child_by_field_name("key")
            if key is not None:
                found.append(text(key).strip("\"'`"))
        elif child.type == "shorthand_property_identifier":
            found.append(text(child))
    return tuple(found)


# writes that store a record under a key: the ones whose local value is worth looking up
RECORD_WRITES = frozenset({"set", "[key] ="})


def _loads_code(value: Node | None, text: Callable[[Node | None], str]) -> bool:
    """`require("./x")`, `await import("./x")`: the value is a module."""
    if value is not None and value.type == "await_expression" and value.named_children:
        value = value.named_children[0]
    if value is None or value.type != "call_expression":
        return False
    return text(value.child_by_field_name("function")) in {"require", "import"}


def _is_empty_container(value: Node | None) -> bool:
    value = _unwrap(value)
    if value is None:
        return False
    if value.type in {"array", "object"}:
        return value.named_child_count == 0
    if value.type == "new_expression":
        args = value.child_by_field_name("arguments")
        return args is None or args.named_child_count == 0
    return False


def _sends(body: Node, text: TextOf) -> bool:
    for call in _descendants(body, "call_expression"):
        fn = call.child_by_field_name("function")
        if (
            fn is not None
            and fn.type == "member_expression"
            and text(fn.child_by_field_name("property")) in SEND_METHODS
        ):
            return True
    return False


def _library_fanout(framework: Framework) -> bool:
    """Whether the library itself fans out (rooms, broadcast), which an adapter or manager shares."""
    return framework.kinds[0].shared_by == "adapter"


def _has_option(call: Node, key: str, text: TextOf) -> bool:
    """Whether a call's first argument is an object literal with `key` (any call when key is "")."""
    if not key:
        return True
    args = call.child_by_field_name("arguments")
    first = _unwrap(args.named_children[0]) if args is not None and args.named_children else None
    if first is None or first.type != "object":
        return False
    for member in first.named_children:
        name = member.child_by_field_name("key") or member.child_by_field_name("name")
        if member.type == "shorthand_property_identifier":
            name = member
        if name is not None and _string_value(text(name)) == key:
            return True
    return False


def _has_expiry(options: str) -> bool:
    upper = options.upper()
    return "'EX'" in upper or '"EX"' in upper or "EX:" in upper or "PX" in upper or "EXPIRATION" in upper


def _role(servers: list[ServerSite], modules: set[str], source: bytes) -> FileRole:
    if servers:
        return "server"
    if modules & CLIENT_MODULES or any(m.startswith(("react/", "next/navigation")) for m in modules):
        return "client"
    head = source[:200].lstrip()
    if head.startswith((b'"use client"', b"'use client'")):
        return "client"
    browser = b"new WebSocket(" in source or b"new EventSource(" in source or b"document." in source
    if browser and not modules & SERVER_MODULES:
        return "client"
    return "neutral"


def _in_process_publishes(
    servers: list[ServerSite], publishes: list[tuple[Span, str, str]]
) -> dict[int, list[Span]]:
    """The publish calls that fan out inside this process, per server (by position): a method the
    server's framework publishes through, called on the server's variable, on a name the framework
    passes the server as (`fetch(req, server)`), or on a connection (`ws.publish`). Never a backend."""
    found: dict[int, list[Span]] = {}
    if not publishes:
        return found
    for position, server in enumerate(servers):
        framework = framework_of(server.framework)
        if framework is None or not framework.in_process_publish:
            continue
        receivers = framework.in_process_receivers | HANDLE_NAMES | {server.variable or ""}
        for span, method, receiver in publishes:
            if method in framework.in_process_publish and receiver.split(".")[-1] in receivers:
                found.setdefault(position, []).append(span)
    return found


def assemble(
    path: str, language: str, source: bytes, tree: Tree, index: LineIndex, env: JsEnv, parts: list[JsPart]
) -> FileFacts:
    """The file's facts from its parts, in document order: each list is ordered by extraction pass,
    then by position, exactly as one extraction of the whole file orders it."""
    servers = [site for _, site in sorted((s for p in parts for s in p.servers), key=_first)]
    for framework in FRAMEWORKS:  # a file serving `text/event-stream` (and no other server) serves SSE
        for marker in sorted(framework.strings):
            at = source.find(marker.encode())
            if at == -1 or servers:
                continue
            node = tree.root_node.named_descendant_for_byte_range(at, at + len(marker))
            if node is not None:
                servers.append(
                    ServerSite(
                        framework=framework.id,
                        span=index.span(node.start_byte, node.end_byte),
                        variable=None,
                        library_fanout=_library_fanout(framework),
                    )
                )
    variables = {s.variable for s in servers if s.variable}
    loops: dict[ContainerKey, list[Span]] = {}
    server_loops: dict[str, list[Span]] = {}
    elsewhere: dict[tuple[str, str], list[Span]] = {}  # loops over globals another file makes
    for _, server, key, sends, span in sorted((x for p in parts for x in p.loops), key=_first):
        if server is not None and server in variables:
            if sends:
                server_loops.setdefault(server, []).append(span)
        elif key is not None and sends and key not in env.declared:
            elsewhere.setdefault((APP_MODULE, key[1]), []).append(span)
        elif key is not None and sends:
            loops.setdefault(key, []).append(span)
    in_process = _in_process_publishes(servers, [x for p in parts for x in p.publishes])
    servers = [
        s.replace(
            broadcasts=tuple(server_loops.get(s.variable or "", ())) + tuple(in_process.get(position, ()))
        )
        for position, s in enumerate(servers)
    ]
    published = {span.start_byte for spans in in_process.values() for span in spans}
    by_key: dict[ContainerKey, list[Mutation]] = {}
    for _, key, mutation in sorted((m for p in parts for m in p.mutations), key=_first):
        by_key.setdefault(key, []).append(mutation)
    containers = join_containers(env.declarations, by_key, loops, source)
    return facts_from_parts(
        (path, language, source, tree, index),
        role=_role(servers, set(env.modules), source),
        servers=servers,
        containers=containers,
        backends=tuple(b for p in parts for b in p.backends if b.span.start_byte not in published),
        handler_names=(n for p in parts for n in p.handler_names),
        modules=env.modules,
        module_instances=env.module_instances | held_classes(containers),
        parts=parts,
        passes=tuple(x for p in parts for x in p.passes),
        owned_classes=env.owned,
        foreign_loops=elsewhere,
    )


# --- parts of an open document -------------------------------------------------------------------


def moved(part: JsPart, start: int, line: int) -> JsPart:
    """The part of a statement whose text and first column are unchanged, now at `start` / `line`."""
    d, n = start - part.start, line - part.line
    c = part.contribution
    # Runs for every statement after an edit, per keystroke: keywords, not `dataclasses.replace` (three
    # times slower); `tests/analysis/test_fact_movers.py` fails when a field is added that this drops.
    if not (
        part.servers
        or part.mutations
        or part.loops
        or part.backends
        or part.membership
        or part.fanout
        or part.foreign
        or part.comments
        or c.declarations
        or c.objects
        or part.publishes
    ):
        # most statements (helpers, plain code) hold no position that moves: share what they have
        # (`scope_calls` only holds the scopes of mutations, so it is empty too)
        return JsPart(
            start=start,
            line=line,
            contribution=c,
            signature=part.signature,
            object_reads=part.object_reads,
            handler_names=part.handler_names,
            handler_calls=part.handler_calls,
            calls=part.calls,
            passes=part.passes,
        )
    contribution = JsContribution(
        import_bindings=c.import_bindings,
        import_specs=c.import_specs,
        import_modules=c.import_modules,
        require_bindings=c.require_bindings,
        require_patterns=c.require_patterns,
        destructured=c.destructured,
        require_modules=c.require_modules,
        decorators=c.decorators,
        declarations=[
            (step, key, name, owner, scope, kind, moved_span(span, d, n))
            for step, key, name, owner, scope, kind, span in c.declarations
        ],
        classes=c.classes,
        news=c.news,
        owned=c.owned,
        members=c.members,
        objects=[(name, text, a + d, b + d) for name, text, a, b in c.objects],
    )
    return JsPart(
        start=start,
        line=line,
        contribution=contribution,
        signature=part.signature,
        object_reads=part.object_reads,
        servers=moved_sites(part.servers, d, n),
        mutations=moved_mutations(part.mutations, d, n),
        loops=[
            (step, server, key, sends, moved_span(span, d, n))
            for step, server, key, sends, span in part.loops
        ],
        handler_names=part.handler_names,
        scope_calls=moved_scopes(part.scope_calls, d),
        handler_calls=part.handler_calls,
        calls=part.calls,
        backends=[moved_backend(b, d, n) for b in part.backends],
        membership=[moved_span(span, d, n) for span in part.membership],
        fanout=[moved_span(span, d, n) for span in part.fanout],
        foreign=[(step, module, name, moved_mutation(m, d, n)) for step, module, name, m in part.foreign],
        passes=part.passes,
        comments=moved_comments(part.comments, d, n),
        publishes=[(moved_span(span, d, n), method, receiver) for span, method, receiver in part.publishes],
    )


KIT = ExtractorKit(JsExtractor, JsEnv.fold, assemble, moved)
