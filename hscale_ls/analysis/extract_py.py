"""Facts from one Python file (python-socketio, Flask-SocketIO, Django Channels, FastAPI, websockets).

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
    HISTORY_WORDS,
    SEND_METHODS,
    BackendUse,
    FileFacts,
    FileRole,
    Mutation,
    ServerSite,
    Storage,
    WriteDetail,
    classify_key_text,
    classify_record_write,
    words,
)
from .frameworks import Framework, for_family, union
from .scan_common import (
    APP_MODULE,
    APPLICATION_ATTRIBUTES,
    DATABASE_WRITE_METHODS,
    MEMO,
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

FUNCTION_TYPES = frozenset({"function_definition", "lambda"})
PY_DEFINITIONS = frozenset({"function_definition"})  # lambdas have no name and no scope of their own here
CONTAINER_CALLS = {
    "set": "set",
    "dict": "dict",
    "list": "list",
    "defaultdict": "dict",
    "deque": "deque",
    "OrderedDict": "dict",
    "Counter": "dict",
    "WeakSet": "set",
    "WeakValueDictionary": "dict",
    "WeakKeyDictionary": "dict",
}
CACHE_CALLS = frozenset({"TTLCache", "LRUCache", "LFUCache", "TLRUCache", "Cache", "ExpiringDict"})
LOADED_CONTAINERS = frozenset({"json.load", "json.loads", "pickle.load", "pickle.loads"})
# a class body's field declared with a factory: each instance gets its own container
FIELD_CALLS = frozenset({"field", "Field"})
LITERAL_KINDS = {"dictionary": "dict", "list": "list", "set": "set", "integer": "counter"}
# calls that run the function they are given (in a worker thread or the event loop's executor)
OFFLOADING_CALLS = frozenset(
    {
        "to_thread",
        "sync_to_async",
        "database_sync_to_async",
        "run_in_executor",
        "run_in_threadpool",
        "run_sync",
    }
)
ADDING_METHODS = {
    "append": 0,
    "add": 0,
    "appendleft": 0,
    "insert": 1,
    "extend": 0,
    "update": 0,
    "setdefault": 1,
}
REMOVING_METHODS = frozenset({"pop", "popitem", "remove", "discard", "clear", "popleft"})
# what the registered frameworks (`frameworks/`) say about Python, joined once
FRAMEWORKS = for_family("python")
HANDLER_DECORATOR = re.compile(
    r"\.(" + "|".join(sorted(union(FRAMEWORKS, "handler_decorators"))) + r")\b(?!_)"
)
HANDLER_BASES = tuple(sorted(union(FRAMEWORKS, "handler_bases")))
SERVE_FRAMEWORKS = [f for f in FRAMEWORKS if f.serve_functions or f.serve_methods]
SERVE_FUNCTIONS = union(FRAMEWORKS, "serve_functions")
SERVE_MODULES = tuple(sorted(union(FRAMEWORKS, "serve_modules")))
SERVE_UNQUALIFIED = union(FRAMEWORKS, "serve_unqualified")
SERVE_METHODS = union(FRAMEWORKS, "serve_methods")
CONNECTION_OBJECTS = union(FRAMEWORKS, "connection_objects")
FACTORIES = {f"{module}.{name}": f for f in FRAMEWORKS for module, name in f.factories if module}
ANY_MODULE_FACTORIES = {name: f for f in FRAMEWORKS for module, name in f.factories if not module}
SETUP_CALLS = {name: f for f in FRAMEWORKS for name in f.setup_calls}
ROUTE_DECORATORS = [(re.compile(f.route_decorator), f) for f in FRAMEWORKS if f.route_decorator]
CONSUMERS = [f for f in FRAMEWORKS if f.consumer_bases]
LAYERS = [f for f in FRAMEWORKS if f.layer_setting]
SERVER_STRINGS = {s: f for f in FRAMEWORKS for s in f.strings}
BRIDGE_CALLS = union(FRAMEWORKS, "bridge_calls")
MEMBERSHIP_METHODS = union(FRAMEWORKS, "membership_methods")
SERVER_CALLS = frozenset(
    {name.rsplit(".", 1)[-1] for name in FACTORIES}
    | set(ANY_MODULE_FACTORIES)
    | set(SETUP_CALLS)
    | SERVE_FUNCTIONS
    | SERVE_METHODS
)
DJANGO_CACHE = "Django cache"
DJANGO_CACHE_WRITES = frozenset("set add set_many incr decr get_or_set touch".split())
# what an application object is called when state is kept on it by key (`request.app["users"]`)
APP_OBJECTS = frozenset({"app", "application", "config_dict"})
# the kind of an application key that names another container (`app["websockets"] = channels`)
ALIAS = "alias:"
# application classes a project subclasses (tornado's), by base name -> how handlers reach the instance
APPLICATION_BASES = {base: f.application_attribute for f in FRAMEWORKS for base in f.application_bases}
# a function cached this way makes its result once per process
CACHING_DECORATORS = frozenset({"lru_cache", "cache", "cached"})
# annotated value types that are never a message (`Dict[str, datetime]`)
SCALAR_TYPES = frozenset("datetime date time timedelta float int bool".split())
# calls that register a bound method to be called back later (an in-process event bus, a signal)
CALLBACK_REGISTRATIONS = frozenset(
    "subscribe on add_listener add_handler add_event_handler register register_handler connect".split()
)
CALLBACK_KEYWORDS = frozenset({"handler", "callback", "func", "listener"})
# functions that run once when the process starts: what they make lives as long as the process
# (`def create_server(): repo = InMemoryLobbyRepository(); return WebSocketServer(LobbyService(repo))`)
STARTUP_FUNCTIONS = frozenset(
    """
    main create_app make_app build_app create_application init_app create_server make_server
    build_server start_server run_server setup startup on_startup lifespan bootstrap
    """.split()
)
# names in a type annotation that are never a class of the project
TYPING_NAMES = frozenset(
    """
    Any Optional Union List Dict Set FrozenSet Tuple Type Callable Awaitable Coroutine Iterable
    Iterator Sequence Mapping MutableMapping MutableSequence DefaultDict OrderedDict Deque Literal
    Annotated ClassVar Final Generic TypeVar Protocol None
    """.split()
)
# writes whose names only pymongo / motor collections carry
PYMONGO_WRITES = frozenset(
    {"insert_one", "insert_many", "update_one", "update_many", "replace_one", "find_one_and_update", "save"}
    | {"bulk_create"}
)
# `with Session() as sess` / `sess = SessionLocal()`: a callee whose name says session (or `get_db`)
SESSION_BINDING = (
    r"(?:\b[\w.]*(?:[Ss]ession|get_db|get_session)\w*\([^()]*\)\s+as\s+{name}\b)"
    r"|(?:\b{name}\s*=\s*(?:await\s+)?[\w.]*(?:[Ss]ession|get_db)\w*\()"
)
BACKEND_METHODS = DJANGO_CACHE_WRITES | (
    {"set", "publish", "execute", "executemany"}
    | REDIS_HISTORY_COMMANDS
    | REDIS_STATE_COMMANDS
    | PUBSUB_SUBSCRIBE
    | DATABASE_WRITE_METHODS
    | PYMONGO_WRITES
    | {"add_all"}
)
CLIENT_MODULES = union(FRAMEWORKS, "client_modules")
# `from socketio import Client` and any name after it (`socketio.ClientNamespace`) is client code
CLIENT_CLASS_PREFIXES = tuple(sorted(m for m in CLIENT_MODULES if m.rsplit(".", 1)[-1][:1].isupper()))


_first = itemgetter(0)


@dataclass(slots=True)
class PyContribution:
    """What a run of top-level statements tells the rest of the file (see `extract_js.JsContribution`):
    imports, classes, functions served as handlers, declared containers, module-level instances."""

    imports: list[tuple[str, str]] = field(default_factory=list)  # (local name, "module" or "module.Name")
    modules: list[str] = field(default_factory=list)
    classes: list[tuple[str, str, Span]] = field(default_factory=list)  # name, bases, span of the name
    serves: list[tuple[str, list[str]]] = field(default_factory=list)  # `serve(handler, ...)`: callee, names
    # (key, name, owner, scope, kind, span of the name, class whose single instance makes it a singleton)
    declarations: list[tuple[ContainerKey, str, str | None, str, str, Span, str | None]] = field(
        default_factory=list
    )
    news: list[tuple[str, str | None]] = field(default_factory=list)  # module-level `x = Cls()`: Cls, x
    owned: list[tuple[str, str]] = field(default_factory=list)  # `self.x = Cls()` in class O: (O, Cls)
    returns: list[tuple[str, str]] = field(default_factory=list)  # `def get_room(...) -> Room`: name, class
    # (O, x, Cls): field x of class O holds a Cls (`self.rooms = Rooms()`, `self.rooms = rooms` with
    # `rooms: Rooms` handed to `__init__`, `rooms: Rooms` declared on the class)
    members: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass(slots=True)
class PyEnv:
    imports: dict[str, str]
    modules: list[str]
    classes: dict[str, tuple[str, Span]]  # name -> bases, span (the last definition, where the first was)
    handler_names: frozenset[str]
    declarations: list[DeclaredContainer]
    declared: frozenset[ContainerKey]
    instances: dict[str, str]
    module_instances: frozenset[str]
    owned: tuple[tuple[str, str], ...]
    returns: dict[str, str]  # function name -> the one class of the project it is annotated to return
    field_names: frozenset[str]  # names of the instance fields declared in the file
    members: dict[tuple[str, str], str]  # (class, field) -> the class its value is an instance of
    signature: tuple[Any, ...]

    @classmethod
    def fold(cls, contributions: Iterable[PyContribution]) -> PyEnv:
        parts = list(contributions)
        imports = dict(i for c in parts for i in c.imports)
        classes: dict[str, tuple[str, Span]] = {}
        for name, bases, span in (k for c in parts for k in c.classes):
            classes[name] = (bases, span)
        handler_names = frozenset(
            name
            for c in parts
            for callee, names in c.serves
            if _is_serve(_qualified_with(imports, callee))
            for name in names
        )
        news = [n for c in parts for n in c.news]
        module_instances = frozenset(name for name, _ in news)
        instances = {left: name for name, left in news if left is not None and name in classes}
        declarations: list[DeclaredContainer] = [
            (key, name, owner, scope, kind, singleton is not None and singleton in module_instances, span)
            for c in parts
            for key, name, owner, scope, kind, span, singleton in c.declarations
        ]
        declared = frozenset(d[0] for d in declarations)
        returns = dict(r for c in parts for r in c.returns)
        members = {(owner, name): held for c in parts for owner, name, held in c.members}
        signature = (
            tuple(imports.items()),
            tuple(sorted(classes)),
            tuple(sorted(handler_names)),
            declared,
            tuple(sorted(instances.items())),
            tuple(sorted(returns.items())),
            tuple(sorted(members.items())),
        )
        return cls(
            imports,
            [m for c in parts for m in c.modules],
            classes,
            handler_names,
            declarations,
            declared,
            instances,
            module_instances,
            tuple(o for c in parts for o in c.owned),
            returns,
            frozenset(key[2] for key in declared if key[0] == "self" and len(key) > 2),
            members,
            signature,
        )


@dataclass(slots=True)
class PyPart:
    """The facts of a run of top-level statements read with an environment (see `extract_js.JsPart`)."""

    start: int
    line: int
    contribution: PyContribution
    signature: tuple[Any, ...]
    servers: list[tuple[int, ServerSite]] = field(default_factory=list)
    layers: list[BackendUse] = field(default_factory=list)  # `init_app(message_queue=...)`
    # settings and SSE strings, decided for the whole file: ("layer" | "redis-layer" | "sse", value, where)
    strings: list[tuple[str, str, Span]] = field(default_factory=list)
    mutations: list[tuple[int, ContainerKey, Mutation]] = field(default_factory=list)
    loops: list[tuple[int, ContainerKey, Span]] = field(default_factory=list)
    scope_calls: dict[int, set[str]] = field(default_factory=dict)
    handler_calls: set[str] = field(default_factory=set)
    calls: dict[str, set[str]] = field(default_factory=dict)
    backends: list[BackendUse] = field(default_factory=list)
    membership: list[Span] = field(default_factory=list)
    fanout: list[Span] = field(default_factory=list)
    # (pass, module, name, write) to a container an imported module of the project declares
    foreign: list[tuple[int, str, str, Mutation]] = field(default_factory=list)
    comments: list[SuppressionComment] = field(default_factory=list)


class PyExtractor:
    def __init__(self, scan: FileScan) -> None:
        self.scan = scan
        self.text = scan.text
        self.imports: dict[str, str] = {}  # local name -> "module" or "module.Name"
        self.modules: list[str] = []
        self.classes: dict[str, tuple[str, Span]] = {}
        self.handler_names: frozenset[str] = frozenset()
        self.sites: list[tuple[Node, Node, str, str]] = []
        self._scopes: dict[int, tuple[set[str], set[str], set[str]]] = {}
        self.instances: dict[str, str] = {}  # module variable -> class defined here it holds one of
        self.field_names: frozenset[str] = frozenset()  # see `PyEnv.field_names`
        self._imports_classes = False
        self.members: dict[tuple[str, str], str] = {}  # see `PyEnv.members`
        self.returns: dict[str, str] = {}  # function name -> class it returns (`PyEnv.returns`)
        self.scope_calls: dict[int, set[str]] = {}
        self._index_calls()

    def _index_calls(self) -> None:
        """One pass over every call: (call, function node, its text, the last dotted name)."""
        sites = []
        for call in self.scan.nodes("call"):
            fn = call.child_by_field_name("function")
            if fn is None:
                continue
            text = self.text(fn)
            sites.append((call, fn, text, text.rsplit(".", 1)[-1]))
        self.sites = sites

    def contribution(self) -> PyContribution:
        found = PyContribution()
        self._read_imports(found)
        self._read_classes(found)
        for call, _, fn_text, last in self.sites:
            if last in CONNECTION_OBJECTS:  # the function making it is the handler
                handler = _enclosing(call, "function_definition")
                name = handler.child_by_field_name("name") if handler is not None else None
                found.serves.append((fn_text, [self.text(name)] if name is not None else []))
            elif last in SERVER_CALLS:  # whether it serves is decided with the file's imports
                # `serve(handler, ...)`, and a bound method `serve(server.handle_connection, ...)`
                served = [a for a in _positional(call) if a.type in {"identifier", "attribute"}]
                found.serves.append((fn_text, [self.text(a).rpartition(".")[2] for a in served]))
        self._module_news(found)
        self._declarations(found)
        return found

    def part(self, env: PyEnv, contribution: PyContribution, start: int, line: int) -> PyPart:
        self.imports, self.modules, self.classes = env.imports, env.modules, env.classes
        self.handler_names, self.instances = env.handler_names, env.instances
        self.field_names = env.field_names
        self.members = env.members
        # classes imported by name (`from .models import Game`): a local holding one leads to its fields
        self._imports_classes = any(n[:1].isupper() for n in self.imports)
        self.returns = env.returns
        part = PyPart(start, line, contribution, env.signature)
        part.servers, part.layers = self._servers()
        part.strings = self._strings()
        part.mutations, part.foreign = self._mutations(env.declared)
        part.loops = self._broadcasts(env.declared)
        part.handler_calls, part.calls = self._calls()
        written = {m.scope for _, _, m in part.mutations}  # see JsExtractor.part
        part.scope_calls = {k: v for k, v in self.scope_calls.items() if k in written}
        part.backends = self._named(self._backends()) + self._cache_backends()
        part.membership = self._membership_calls()
        part.fanout = self._fanout_calls()
        part.comments = suppression_comments(
            self.scan.nodes("comment"), self.scan.source, self.scan.index, self.scan.language
        )
        return part

    # --- imports and classes -----------------------------------------------------------------

    def _read_imports(self, found: PyContribution) -> None:
        text = self.text
        for node in self.scan.nodes("import"):
            if node.type == "import_statement":
                for child in node.named_children:
                    if child.type == "aliased_import":
                        module = text(child.child_by_field_name("name"))
                        found.imports.append((text(child.child_by_field_name("alias")), module))
                    else:
                        module = text(child)
                        found.imports.append((module.split(".")[0], module.split(".")[0]))
                    found.modules.append(module)
            else:
                module_node = node.child_by_field_name("module_name")
                module = text(module_node)
                found.modules.append(module)
                for child in node.named_children:
                    if child is module_node or child.type == "comment":
                        continue
                    if child.type == "aliased_import":
                        name = text(child.child_by_field_name("name"))
                        local = text(child.child_by_field_name("alias"))
                    else:
                        name = local = text(child)
                    qualified = f"{module}{name}" if module.endswith(".") else f"{module}.{name}"
                    found.imports.append((local, qualified))  # `from . import state`: ".state"
                    found.modules.append(qualified)

    def _read_classes(self, found: PyContribution) -> None:
        for cls in self.scan.nodes("class"):
            name_node = cls.child_by_field_name("name")
            if name_node is None:  # the grammar always gives a class its name
                continue
            bases = cls.child_by_field_name("superclasses")
            name = self.text(name_node)
            found.classes.append((name, self.text(bases), self.scan.span(name_node)))
            for base in bases.named_children if bases is not None else ():
                # `class InMemoryLobbyRepository(LobbyRepository)`: a long-lived holder of a
                # `LobbyRepository` (injected by type) may hold this one
                if base.type == "identifier" and _user_class(self.text(base)):
                    found.owned.append((self.text(base), name))

    def _qualified(self, node: Node | None, name: str | None = None) -> str:
        """`socketio.AsyncServer` / `AsyncServer` -> "socketio.AsyncServer" using the imports."""
        return _qualified_with(self.imports, self.text(node) if name is None else name)

    # --- servers ----------------------------------------------------------------------------------

    def _servers(self) -> tuple[list[tuple[int, ServerSite]], list[BackendUse]]:
        """Server constructions and serve calls (pass 0), FastAPI websocket routes (1), and the message
        queues given to `init_app`. Channels consumers (2) and settings strings (3) are decided for the
        whole file, in `assemble`."""
        scan = self.scan
        sites: list[tuple[int, ServerSite]] = []
        layers: list[BackendUse] = []
        for call, fn, fn_text, last in self.sites:
            if last not in SERVER_CALLS:
                continue
            qualified = self._qualified(fn, fn_text)
            kwargs = _keyword_arguments(call, self.text)
            # `**options` may carry the manager or queue: unknown, so not reported as in memory
            splat = _has_splat(call)
            setup = (
                SETUP_CALLS.get(self.text(fn.child_by_field_name("attribute")))
                if fn.type == "attribute"
                else None
            )
            # `socketio.AsyncServer(...)` in a file that does not import `socketio` (the import
            # commented out) names nothing: the module is dead code, not a server
            framework = FACTORIES.get(qualified) if fn_text.partition(".")[0] in self.imports else None
            if framework is not None:
                # the first sharing keyword given decides (`message_queue=` before `client_manager=`)
                manager = next((kwargs[k] for k in framework.shared_keywords if k in kwargs), None)
                shared = splat or (manager is not None and self.text(manager) != "None")
                storage = _storage(framework, self.text(manager)) if manager is not None and shared else None
                options = frozenset({"async"} if qualified.rsplit(".", 1)[-1].startswith("Async") else ())
                site = ServerSite(
                    framework=framework.id,
                    span=scan.span(fn),
                    variable=_assigned(call, self.text),
                    library_fanout=framework.kinds[0].shared_by == "adapter",
                    shared=shared,
                    storage=storage,  # type: ignore[arg-type]
                    options=options,
                )
                sites.append((0, site))
            elif setup is not None:
                queue = next((kwargs[k] for k in setup.shared_keywords if k in kwargs), None)
                if queue is not None and self.text(queue) != "None":
                    storage = _storage(setup, self.text(queue))
                    detail = f"{setup.name} {setup.shared_keywords[0]}"
                    layers.append(backend(scan, call, storage, "adapter", "subscriptions", detail, -1))
            elif _is_serve(qualified):  # the functions it serves are handlers: see PyEnv.handler_names
                served = _serving(qualified)
                sites.append(
                    (
                        0,
                        ServerSite(
                            framework=served.id, span=scan.span(fn), variable=None, library_fanout=False
                        ),
                    )
                )
            elif qualified.split(".")[-1] in ANY_MODULE_FACTORIES:
                made = ANY_MODULE_FACTORIES[qualified.split(".")[-1]]
                sites.append(
                    (
                        0,
                        ServerSite(
                            framework=made.id, span=scan.span(fn), variable=None, library_fanout=False
                        ),
                    )
                )
        for decorator in scan.nodes("decorator"):
            decorator_text = self.text(decorator)
            routed = next((f for pattern, f in ROUTE_DECORATORS if pattern.search(decorator_text)), None)
            if routed is not None:
                inner = decorator.named_children[0] if decorator.named_children else decorator
                if inner.type == "call":
                    inner = inner.child_by_field_name("function") or inner
                site = ServerSite(
                    framework=routed.id, span=scan.span(inner), variable=None, library_fanout=False
                )
                sites.append((1, site))
        return sites, layers

    def _strings(self) -> list[tuple[str, str, Span]]:
        """Strings that configure a channel layer or stream events (decided for the file in `assemble`)."""
        found = []
        for string in self.scan.nodes("string"):
            value = self.text(string).strip("'\"")
            for f in LAYERS:
                if value == f.memory_layer and self._in_setting(string, f.layer_setting):
                    found.append(("layer", f.layer_kind, self.scan.span(string)))
                elif value.startswith(f.shared_layer_prefix) and self._in_setting(string, f.layer_setting):
                    found.append(("redis-layer", value, self.scan.span(string)))
            if value in SERVER_STRINGS:
                found.append(("string", SERVER_STRINGS[value].id, self.scan.span(string)))
        return found

    def _cache_backends(self) -> list[BackendUse]:
        """`CACHES = {"default": {"BACKEND": "...RedisCache"}}`: where Django's cache API keeps data."""
        found = []
        for string in self.scan.nodes("string"):
            value = self.text(string).strip("'\"")
            storage = django_cache_storage(value)
            if storage is not None and self._in_setting(string, "CACHES"):
                found.append(backend(self.scan, string, storage, "write", None, f"CACHES {value}", -1))
        if not found:
            for assign in self.scan.nodes("assign"):
                left = assign.child_by_field_name("left")
                if left is not None and self.text(left) == "CACHES":
                    # `CACHES = env.cache()`: set from the environment, where it lands is not known
                    found.append(backend(self.scan, assign, "external", "write", None, "CACHES", -1))
        return found

    def _in_setting(self, node: Node, setting: str) -> bool:
        parent = node.parent
        while parent is not None:
            if parent.type == "assignment":
                return self.text(parent.child_by_field_name("left")) == setting
            parent = parent.parent
        return False

    # --- containers -------------------------------------------------------------------------------

    def _declarations(self, contribution: PyContribution) -> None:
        found = contribution.declarations
        span = self.scan.span
        for assign in self.scan.nodes("assign"):
            left = assign.child_by_field_name("left")
            right = assign.child_by_field_name("right")
            kind = self._container_kind(right)
            if (
                kind is None
                and left is not None
                and left.type == "subscript"
                and right is not None
                and right.type == "identifier"
                and (app_key := self._app_key(left)) is not None
            ):
                # `app["websockets"] = channels`: the key is another name for a container of this file
                alias = f"{ALIAS}{self.text(right)}"
                found.append((("app", app_key), app_key, None, "module", alias, span(left), None))
                continue
            if left is None or kind is None:
                continue
            if self._holds_no_messages(assign):
                continue
            place = _statement_place(assign)
            if left.type == "identifier" and place == "module":
                name = self.text(left)
                found.append((("var", name), name, None, "module", kind, span(left), None))
            elif left.type == "identifier" and place == "class":
                cls = _enclosing(assign, "class_definition")
                owner = self.text(cls.child_by_field_name("name")) if cls is not None else ""
                name = self.text(left)
                if right is not None and right.type == "call" and self._callee(right) in FIELD_CALLS:
                    # `chat_messages: list[dict] = field(default_factory=list)`: one per instance
                    found.append((("self", owner, name), name, owner, "instance", kind, span(left), owner))
                    continue
                found.append((("self", owner, name), name, owner, "class", kind, span(left), None))
            elif left.type == "identifier" and place == "function" and self._in_setup(assign):
                # `def create_app(): clients = set()` with handlers defined inside: a set-up function
                # runs once, and what it declares lives as long as the handlers that close over it
                name = self.text(left)
                found.append((("var", name), name, None, "module", kind, span(left), None))
            elif left.type == "subscript" and (app_key := self._app_key(left)) is not None:
                # `app["websockets"] = set()` (aiohttp's way to keep state beside the app): one per
                # application, reached from handlers as `request.app["websockets"]`
                found.append((("app", app_key), app_key, None, "module", kind, span(left), None))
            elif left.type == "attribute" and (app_attribute := self._app_attribute(left)) is not None:
                # `app.wslist = {}` in `create_app`: an attribute of the application object, one per
                # process, reached from views as `request.app.wslist`
                found.append((("app", app_attribute), app_attribute, None, "module", kind, span(left), None))
            elif left.type == "attribute" and self.text(left.child_by_field_name("object")) == "self":
                method = _enclosing(assign, "function_definition")
                if method is None or self.text(method.child_by_field_name("name")) != "__init__":
                    continue
                cls = _enclosing(method, "class_definition")
                if cls is None:
                    continue
                owner = self.text(cls.child_by_field_name("name"))
                attr = left.child_by_field_name("attribute")
                name = self.text(attr)
                if reached_as := self._application(cls):
                    # tornado's `Application` subclass: one per process, its fields shared by handlers
                    app_name = f"{reached_as}.{name}"
                    found.append((("app", app_name), app_name, None, "module", kind, span(left), None))
                    continue
                found.append((("self", owner, name), name, owner, "instance", kind, span(attr), owner))  # type: ignore[arg-type]

    def _holds_no_messages(self, assign: Node) -> bool:
        """A container named for messages that its annotation says holds times or numbers
        (`self.messages: Dict[str, datetime] = {}`, when each event was last sent): bookkeeping about
        messages, not a history of them."""
        annotation = assign.child_by_field_name("type")
        if (
            annotation is None
            or not set(words(self.text(assign.child_by_field_name("left")))) & HISTORY_WORDS
        ):
            return False
        held = _descendants(annotation, "identifier")  # the value type is the last one written
        return bool(held) and self.text(max(held, key=lambda n: n.start_byte)) in SCALAR_TYPES

    def _application(self, cls: Node) -> str:
        """How handlers reach an instance of `cls` when it subclasses a framework's application class
        (`self.application` for tornado's `Application`); "" for any other class."""
        bases = cls.child_by_field_name("superclasses")
        if bases is None or not APPLICATION_BASES:
            return ""
        for base in bases.named_children:
            reached_as = APPLICATION_BASES.get(self.text(base).rpartition(".")[2])
            if reached_as:
                return reached_as
        return ""

    def _app_key(self, node: Node) -> str | None:
        """`app["users"]`, `request.app['users']`, `request.config_dict["users"]`: state kept on the
        application object under a string key, named as `app["users"]`."""
        value = node.child_by_field_name("value")
        index = node.child_by_field_name("subscript")
        if value is None or index is None or index.type != "string":
            return None
        if self.text(value).rpartition(".")[2] not in APP_OBJECTS:
            return None
        key = self.text(index).strip("\"'")
        return f'app["{key}"]' if key.isidentifier() else None

    def _app_attribute(self, node: Node) -> str | None:
        """`app.wslist`, `request.app.wslist`: state hung on the web application object as an
        attribute, named as `app.wslist`."""
        owner = self.text(node.child_by_field_name("object"))
        if owner.rpartition(".")[2] != "app":
            return None
        return f"app.{self.text(node.child_by_field_name('attribute'))}"

    def _in_setup(self, assign: Node) -> bool:
        """An assignment in the body of a function (not nested deeper) that defines real-time handlers
        inside it (`@socketio.on(...)`, `@sio.event`)."""
        statement = assign.parent
        body = statement.parent if statement is not None else None
        fn = body.parent if body is not None else None
        if fn is None or fn.type != "function_definition" or body is None:
            return False
        return any(
            child.type == "decorated_definition"
            and any(
                HANDLER_DECORATOR.search(self.text(d)) for d in child.named_children if d.type == "decorator"
            )
            for child in body.named_children
        )

    def _container_kind(self, value: Node | None) -> str | None:
        if value is None:
            return None
        if value.type in LITERAL_KINDS:
            return LITERAL_KINDS[value.type]
        if value.type == "call":
            callee = self.text(value.child_by_field_name("function"))
            name = callee.split(".")[-1]
            if name in CACHE_CALLS:
                return None
            if (
                callee in LOADED_CONTAINERS
            ):  # `users = json.load(f)`: whatever the file held, kept and changed
                return "dict"
            if name in FIELD_CALLS:  # a dataclass / pydantic field: `field(default_factory=list)`
                factory = _keyword_arguments(value, self.text).get("default_factory")
                return CONTAINER_CALLS.get(self.text(factory).rpartition(".")[2]) if factory else None
            return CONTAINER_CALLS.get(name)
        return None

    def _root(self, node: Node | None) -> tuple[ContainerKey | None, Node | None]:
        depth = 0
        while node is not None and depth < 6:
            depth += 1
            if node.type == "identifier":
                return ("var", self.text(node)), node
            if node.type == "subscript" and (app_key := self._app_key(node)) is not None:
                return ("app", app_key), node
            if node.type == "attribute":
                obj = node.child_by_field_name("object")
                attr = self.text(node.child_by_field_name("attribute"))
                obj_text = self.text(obj)
                if obj_text in {"self", "cls"}:
                    cls = _enclosing(node, "class_definition")
                    if cls is not None and (reached_as := self._application(cls)):
                        return ("app", f"{reached_as}.{attr}"), node
                    return (("self", self.text(cls.child_by_field_name("name")), attr) if cls else None), node
                if obj is not None and obj.type == "attribute" and obj_text.startswith("self."):
                    reached_as = obj_text[5:]
                    if reached_as in APPLICATION_ATTRIBUTES:  # `self.application.connections`
                        return ("app", f"{reached_as}.{attr}"), node
                    cls = _enclosing(node, "class_definition") if self.members else None
                    owner = self.text(cls.child_by_field_name("name")) if cls is not None else ""
                    if held := self.members.get((owner, reached_as)):
                        # `self.rooms.members[r] = ...` where `self.rooms` holds a `Rooms`: its field,
                        # in this file or in the one `Rooms` is imported from
                        return ("self", held, attr), node
                if obj_text in self.classes:
                    return ("self", obj_text, attr), node
                if obj_text in self.instances:  # `manager.rooms[...]` where `manager = Manager()` here
                    return ("self", self.instances[obj_text], attr), node
                if (app_attribute := self._app_attribute(node)) is not None:
                    return ("app", app_attribute), node
                if (
                    attr in self.field_names
                    and obj is not None
                    and obj.type == "identifier"
                    and (made := self._made_here(node, obj_text))
                ):
                    # `room.chat_messages.append(m)` after `room = self.get_room(room_id)`
                    return ("self", made, attr), node
                if (
                    obj is not None
                    and obj.type == "identifier"
                    and self._imports_classes
                    and (made := self._made_here(node, obj_text))
                    and "." in self.imports.get(made, "").lstrip(".")
                ):
                    # `state.users[sid] = name` with `state: AppState` (or `game = Game()`) and
                    # `AppState` imported from the project: that class's field, in its own file
                    return ("self", made, attr), node
                return None, None
            if node.type == "subscript":
                node = node.child_by_field_name("value")
            elif node.type == "call":
                fn = node.child_by_field_name("function")
                if (
                    fn is None
                    or fn.type != "attribute"
                    or self.text(fn.child_by_field_name("attribute"))
                    not in {
                        "get",
                        "setdefault",
                    }
                ):
                    return None, None
                node = fn.child_by_field_name("object")
            else:
                return None, None
        return None, None

    def _entry_key(self, target: Node | None, root: Node | None) -> Node | None:
        """The key of the entry a write goes into (`room` in `rooms[room].add(sid)`,
        `rooms.setdefault(room, set()).add(sid)`), when it goes through one."""
        node = target
        depth = 0
        while node is not None and root is not None and node.id != root.id and depth < 6:
            depth += 1
            if node.type == "subscript":
                return node.child_by_field_name("subscript")
            if node.type == "call":
                args = _positional(node)
                if args:
                    return args[0]
                fn = node.child_by_field_name("function")
                node = fn.child_by_field_name("object") if fn is not None else None
            elif node.type == "attribute":
                node = node.child_by_field_name("object")
            else:
                return None
        return None

    def _short(self, node: Node | None, names_only: bool = False) -> str:
        """A key or value as written, when it is short enough to be a name (`request.sid`, `msg`); an
        instance made on the spot as `new Room` (see `held_classes`)."""
        if node is not None and node.type == "call":
            callee = self.text(node.child_by_field_name("function")).rpartition(".")[2]
            if callee[:1].isupper() and callee.isidentifier():
                return f"new {callee}"
        if node is None or (names_only and node.type not in {"identifier", "attribute"}):
            return ""
        written = self.text(node)
        return written if len(written) <= 60 else ""

    def _callee(self, call: Node) -> str:
        """The last name of what a call calls (`field` in `dataclasses.field(...)`)."""
        return self.text(call.child_by_field_name("function")).rpartition(".")[2]

    def _value(self, write: Node, value: Node | None) -> str:
        """The value a write stores, as `_short` names it; a local that holds an instance made in the
        same function (`self._lobbies[id] = lobby` after `lobby = Lobby(...)`) as `new Lobby`."""
        written = self._short(value, names_only=True)
        if value is not None and value.type == "identifier" and (made := self._made_here(write, written)):
            return f"new {made}"
        return written

    def _queue_made_here(self, write: Node, value: Node | None) -> bool:
        """A local made as a queue in the same function (`q = asyncio.Queue()`, `q = defaultdict(Queue)`):
        what a server-sent-events or websocket connection reads its messages from, its handle."""
        if value is None or value.type != "identifier":
            return False
        body = self._function_text(write)
        if "Queue" not in body:
            return False
        name = re.escape(self.text(value))
        return bool(re.search(rf"(?m)^\s*{name}\s*=\s*[\w.]*\(?[\w.]*Queue\b", body))

    def _record_fields(self, value: Node | None) -> tuple[str, ...]:
        """Keys of a dict literal value (`{"url": u, "playing": False}`, `dict(url=u)`)."""
        if value is None:
            return ()
        if value.type == "dictionary":
            keys = (pair.child_by_field_name("key") for pair in value.named_children if pair.type == "pair")
            return tuple(self.text(k).strip("\"'") for k in keys if k is not None)
        if value.type == "call" and self.text(value.child_by_field_name("function")) == "dict":
            args = value.child_by_field_name("arguments")
            return tuple(
                self.text(arg.child_by_field_name("name"))
                for arg in (args.named_children if args is not None else [])
                if arg.type == "keyword_argument"
            )
        return ()

    def _mutations(
        self, declared: frozenset[ContainerKey]
    ) -> tuple[list[tuple[int, ContainerKey, Mutation]], list[tuple[int, str, str, Mutation]]]:
        """Writes from functions to declared containers: method calls (pass 0), assignments (1), `+=`
        (2), `del` (3). Second, the same writes to containers of imported modules (`from .store import
        users; users[sid] = ...`, `import store; store.users[sid] = ...`): the project joins them."""
        records: list[tuple[int, ContainerKey, Mutation]] = []
        foreign: list[tuple[int, str, str, Mutation]] = []
        step = 0

        def add(
            target: Node | None,
            node: Node,
            operation: str,
            value: Node | None,
            rebinds: bool = False,
            entry: Node | None = None,
        ) -> None:
            key, root = self._root(target)
            elsewhere = None
            if key is None or root is None:
                elsewhere = self._module_member(target)
                if elsewhere is None:
                    return
            elif key not in declared and key[0] == "app":
                elsewhere = (APP_MODULE, key[1])  # declared beside the app, in whichever file builds it
            elif key not in declared:
                # an imported name (`users`), or a field of an imported class (`Game.players`)
                field = key[0] == "self"
                qualified = self.imports.get(key[1], "") if field or (key[0] == "var" and not rebinds) else ""
                if "." not in qualified.lstrip(".") or (not field and self._is_local(root, key[1], rebinds)):
                    return
                module, _, exported = qualified.rpartition(".")
                elsewhere = (module, f"{exported}.{key[2]}" if field else exported)
            elif key[0] == "var" and self._is_local(root, key[1], rebinds):
                return
            if (
                value is not None
                and value.type in {"list", "dictionary", "set"}
                and value.named_child_count == 0
            ) or (
                value is not None
                and value.type == "call"
                and self.text(value) in {"set()", "list()", "dict()"}
            ):
                operation = "init"
            elif (
                operation == "[key] ="
                and target is not None
                and is_memo_write(self.scan, node, self.text(target))
            ):
                operation = MEMO
            names, scope, in_handler = self._context(node)
            if scope < 0:
                return  # module-level initialisation is not state changing at run time
            inner = self._entry_key(target, root)
            mutation = Mutation(
                span=self.scan.span(node),
                functions=names,
                scope=scope,
                in_handler=in_handler,
                detail=WriteDetail(
                    operation=operation,
                    holds_handle=_is_handle(value, self.text) or self._queue_made_here(node, value),
                    fields=self._record_fields(value),
                    key=self._short(inner if inner is not None else entry),
                    value=self._value(node, value),
                    nested=inner is not None,
                ),
            )
            if elsewhere is not None:
                foreign.append((step, *elsewhere, mutation))
            elif key is not None:
                records.append((step, key, mutation))

        for call, fn, _, method in self.sites:
            if fn.type != "attribute":
                continue
            if method in ADDING_METHODS or method in REMOVING_METHODS:
                args = _positional(call)
                position = ADDING_METHODS.get(method, -1)
                value = args[position] if 0 <= position < len(args) else None
                entry = args[0] if method in {"pop", "setdefault"} and args else None
                add(fn.child_by_field_name("object"), call, method, value, entry=entry)
        step = 1
        for assign in self.scan.nodes("assign"):
            left = assign.child_by_field_name("left")
            right = assign.child_by_field_name("right")
            if left is None or _statement_place(assign) != "function":
                continue
            if left.type == "subscript":
                index = left.child_by_field_name("subscript")
                add(left.child_by_field_name("value"), assign, "[key] =", right, entry=index)
            elif left.type == "identifier":
                add(left, assign, reassignment(self.text(left), self.text(right)), right, rebinds=True)
            elif left.type == "attribute":
                add(left, assign, reassignment(self.text(left), self.text(right)), right)
        step = 2
        for node in self.scan.nodes("aug"):
            left = node.child_by_field_name("left")
            operator = node.child_by_field_name("operator")
            right = node.child_by_field_name("right")
            written = operator.type if operator is not None else "+="
            if right is not None and right.type in {"integer", "float"} and written in {"+=", "-="}:
                written = "++" if written == "+=" else "--"  # a count, not `history += [msg]`
            add(left, node, written, None, rebinds=left is not None and left.type == "identifier")
        step = 3
        for node in self.scan.nodes("delete"):
            for target in node.named_children:
                targets = target.named_children if target.type == "expression_list" else [target]
                for item in targets:
                    if item.type == "subscript":
                        index = item.child_by_field_name("subscript")
                        add(item.child_by_field_name("value"), node, "del", None, entry=index)
        return records, foreign

    def _module_member(self, node: Node | None) -> tuple[str, str] | None:
        """(module, name) when a write goes through an imported module's attribute:
        `store.users[sid] = ...`, `state.rooms.setdefault(room, set()).add(sid)`."""
        depth = 0
        while node is not None and depth < 6:
            depth += 1
            if node.type == "attribute":
                obj = node.child_by_field_name("object")
                if obj is None or obj.type != "identifier":
                    return None
                module = self.imports.get(self.text(obj))
                if module is None:
                    return None
                return module, self.text(node.child_by_field_name("attribute"))
            if node.type == "subscript":
                node = node.child_by_field_name("value")
            elif node.type == "call":
                fn = node.child_by_field_name("function")
                if fn is None or fn.type != "attribute":
                    return None
                if self.text(fn.child_by_field_name("attribute")) not in {"get", "setdefault"}:
                    return None
                node = fn.child_by_field_name("object")
            else:
                return None
        return None

    def _is_local(self, identifier: Node, name: str, rebinds: bool) -> bool:
        """Python scoping: a name bound in a function is local unless declared `global` there."""
        fn = _enclosing(identifier, "function_definition")
        if fn is None:
            return False
        declared_global, params, assigned = self._scope_names(fn)
        if name in declared_global:
            return False
        return rebinds or name in params or name in assigned

    def _scope_names(self, fn: Node) -> tuple[set[str], set[str], set[str]]:
        """(names declared global, parameters, names assigned) of one function, computed once."""
        cached = self._scopes.get(fn.id)
        if cached is None:
            body = fn.child_by_field_name("body")
            declared_global = {
                name
                for g in _descendants(body, "global_statement", stop=FUNCTION_TYPES)
                for name in self.text(g).replace(",", " ").split()[1:]
            }
            params_node = fn.child_by_field_name("parameters")
            params = {
                self.text(p).split(":")[0].split("=")[0].strip().lstrip("*")
                for p in (params_node.named_children if params_node is not None else [])
            }
            assigned = {
                self.text(a.child_by_field_name("left"))
                for a in _descendants(body, "assignment", stop=FUNCTION_TYPES)
            }
            cached = self._scopes[fn.id] = (declared_global, params, assigned)
        return cached

    def _broadcasts(self, declared: frozenset[ContainerKey]) -> list[tuple[int, ContainerKey, Span]]:
        """Loops that send to every element of a container (pass 0) and `broadcast(container)` (1)."""
        loops: list[tuple[int, ContainerKey, Span]] = []
        for loop in self.scan.nodes("loop"):
            body = loop.child_by_field_name("body")
            iterable = loop.child_by_field_name("right")
            if iterable is not None and iterable.type == "call":  # rooms[r].values(), list(clients)
                fn = iterable.child_by_field_name("function")
                filtered = self._filtered(fn) if fn is not None and fn.type == "attribute" else None
                if filtered is not None:  # `for conn in self.get_connections(item_id)`
                    iterable = filtered
                elif fn is not None and fn.type == "attribute":
                    iterable = fn.child_by_field_name("object")
                else:
                    args = _positional(iterable)
                    iterable = args[0] if args else None
            key, _ = self._root(iterable)
            if (
                key is not None
                and (key in declared or key[0] == "app")  # an application's, wherever it is declared
                and body is not None
                and _sends(body, self.text)
            ):
                loops.append((0, key, self.scan.span(loop)))
        for call, _, _, fn_name in self.sites:
            if "broadcast" not in fn_name.lower():
                continue
            for arg in _positional(call):
                key, _ = self._root(arg)
                if key is not None and key in declared:
                    loops.append((1, key, self.scan.span(call)))
        return loops

    def _filtered(self, fn: Node) -> Node | None:
        """What a getter of the same class loops over to pick what it returns, for a send loop over
        its result: `self.active_connections` in `def get_connections(self, item_id): for conn in
        self.active_connections: if conn.item_id == item_id: ...; return conns`."""
        if self.text(fn.child_by_field_name("object")) != "self":
            return None
        cls = _enclosing(fn, "class_definition")
        method = self.text(fn.child_by_field_name("attribute"))
        body = cls.child_by_field_name("body") if cls is not None else None
        for child in body.named_children if body is not None else ():
            definition = (
                child.child_by_field_name("definition") if child.type == "decorated_definition" else child
            )
            if definition is None or definition.type != "function_definition":
                continue
            if self.text(definition.child_by_field_name("name")) != method:
                continue
            inner = definition.child_by_field_name("body")
            if not _descendants(inner, "return_statement"):
                return None
            for loop in _descendants(inner, "for_statement") + _descendants(inner, "for_in_clause"):
                over = loop.child_by_field_name("right")
                if over is not None and self.text(over).startswith("self."):
                    return over
            return None
        return None

    # --- functions, handlers and calls -----------------------------------------------------------

    def _describe(self, fn: Node) -> FunctionInfo:
        name = self.text(fn.child_by_field_name("name")) if fn.type == "function_definition" else ""
        cls = _enclosing(fn, "class_definition")
        owner = self.text(cls.child_by_field_name("name")) if cls is not None else None
        handler = name in self.handler_names
        parent = fn.parent
        if parent is not None and parent.type == "decorated_definition":
            for decorator in parent.named_children:
                if decorator.type == "decorator" and HANDLER_DECORATOR.search(self.text(decorator)):
                    handler = True
        if cls is not None and _is_method_of(fn, cls):
            bases = self.text(cls.child_by_field_name("superclasses"))
            handler = handler or any(base in bases for base in HANDLER_BASES) or _namespace_event(fn, name)
        return FunctionInfo(name or None, handler, owner)

    def _context(self, node: Node) -> tuple[tuple[str, ...], int, bool]:
        return self.scan.context(node, self._describe, PY_DEFINITIONS)

    def _calls(self) -> tuple[set[str], dict[str, set[str]]]:
        handler_calls: set[str] = set()
        calls: dict[str, set[str]] = {}
        graph = (self.scope_calls, handler_calls, calls)
        scan, describe = self.scan, self._describe
        innermost = scan.innermost_each([site[0] for site in self.sites])
        for (call, _, _, name), index in zip(self.sites, innermost, strict=True):
            if not name.isidentifier():
                continue
            callees = [name]
            if name in OFFLOADING_CALLS:  # `asyncio.to_thread(save, m)` calls `save`
                callees += [self.text(a) for a in _positional(call) if a.type == "identifier"]
            elif name in CALLBACK_REGISTRATIONS:
                # `bus.subscribe(JoinGame, room_manager.join_game)`: the method runs when the event
                # comes, at run time, whoever registered it
                given = _positional(call) + [
                    v for k, v in _keyword_arguments(call, self.text).items() if k in CALLBACK_KEYWORDS
                ]  # `sio.on("connect", handler=self._handle_connect)`
                handler_calls.update(
                    self.text(a.child_by_field_name("attribute")) for a in given if a.type == "attribute"
                )
            context = scan.context_at(index, describe, PY_DEFINITIONS)
            for callee in callees:
                record_call(graph, callee, context)
        return handler_calls, calls

    def _module_news(self, found: PyContribution) -> None:
        """Classes instantiated at module level (`x = Cls()`), and the variables holding them; classes
        a cached provider returns (`@lru_cache def get_manager(): return Manager()`, FastAPI's way to a
        singleton); `self.x = Cls()` in a method of class O: (O, Cls) kept as long as O is."""
        for assign in self.scan.nodes("assign"):
            right = assign.child_by_field_name("right")
            left = assign.child_by_field_name("left")
            annotation = assign.child_by_field_name("type")
            if annotation is not None and (cls := _enclosing(assign, "class_definition")) is not None:
                # `self._lobbies: dict[str, Lobby] = {}`, a dataclass's `players: list[Player] = ...`:
                # the classes a field is declared to hold are kept as long as its owner
                owner = self.text(cls.child_by_field_name("name"))
                found.owned += ((owner, held) for held in self._annotated_classes(annotation))
                field_name = self._field_assigned(left)
                if field_name and (one := self._single_class(annotation)):
                    found.members.append((owner, field_name, one))
            if (
                right is not None
                and right.type == "identifier"
                and (field_name := self._field_assigned(left))
                and (fn := _enclosing(assign, "function_definition")) is not None
                and self.text(fn.child_by_field_name("name")) == "__init__"
                and (cls := _enclosing(fn, "class_definition")) is not None
                and (one := self._parameter_class(fn, self.text(right)))
            ):
                # `def __init__(self, rooms: Rooms): self.rooms = rooms`
                found.members.append((self.text(cls.child_by_field_name("name")), field_name, one))
            if right is None or right.type != "call":
                continue
            name = self.text(right.child_by_field_name("function")).split(".")[-1]
            if not name[:1].isupper():
                continue
            place = _statement_place(assign)
            if place == "module":
                held = left is not None and left.type == "identifier"
                found.news.append((name, self.text(left) if held else None))
            elif (
                left is not None
                and left.type == "attribute"
                and self.text(left.child_by_field_name("object")) == "self"
            ):
                cls = _enclosing(assign, "class_definition")
                if cls is not None:
                    found.owned.append((self.text(cls.child_by_field_name("name")), name))
                    if _user_class(name):
                        attribute = self.text(left.child_by_field_name("attribute"))
                        found.members.append((self.text(cls.child_by_field_name("name")), attribute, name))
            elif place == "function" and self._in_startup(assign):
                found.news.append((name, None))
        for function in self.scan.nodes("function"):
            if function.type != "function_definition":
                continue
            fn_name = self.text(function.child_by_field_name("name"))
            body = function.child_by_field_name("body")
            returned = function.child_by_field_name("return_type")
            returns_one = self._annotated_classes(returned) if returned is not None else []
            if len(returns_one) == 1:  # `def get_room(self, room_id) -> Optional[Room]`
                found.returns.append((fn_name, returns_one[0]))
            if fn_name == "__init__" and (cls := _enclosing(function, "class_definition")) is not None:
                # `def __init__(self, rooms: list[GameRoom], repository: LobbyRepository)`: what an
                # instance is handed when it is made, it keeps
                owner = self.text(cls.child_by_field_name("name"))
                params = function.child_by_field_name("parameters")
                for param in params.named_children if params is not None else ():
                    annotation = param.child_by_field_name("type")
                    if annotation is not None:
                        found.owned += ((owner, held) for held in self._annotated_classes(annotation))
            elif fn_name in STARTUP_FUNCTIONS and body is not None:
                for statement in body.named_children:  # `return WebSocketServer(service, manager)`
                    value = statement.named_children[0] if statement.type == "return_statement" else None
                    if value is not None and value.type == "await":
                        value = value.named_children[0] if value.named_children else None
                    if value is not None and value.type == "call":
                        name = self._callee(value)
                        if _user_class(name):
                            found.news.append((name, None))
        for decorator in self.scan.nodes("decorator"):
            if not self._caching(decorator):
                continue
            fn = decorator.parent.child_by_field_name("definition") if decorator.parent is not None else None
            body = fn.child_by_field_name("body") if fn is not None else None
            for statement in body.named_children if body is not None else []:
                value = (
                    statement.named_children[0]
                    if statement.type == "return_statement" and statement.named_children
                    else None
                )
                if value is not None and value.type == "call":
                    name = self._callee(value)
                    if name[:1].isupper():
                        found.news.append((name, None))

    def _field_assigned(self, left: Node | None) -> str:
        """The field an assignment in a class declares: `self.rooms = ...`, or `rooms: Rooms` in the
        class body; "" for anything else."""
        if left is None:
            return ""
        if left.type == "attribute" and self.text(left.child_by_field_name("object")) == "self":
            return self.text(left.child_by_field_name("attribute"))
        if left.type == "identifier" and _statement_place(left.parent or left) == "class":
            return self.text(left)
        return ""

    def _single_class(self, annotation: Node) -> str:
        """The one project class an annotation says a value is (`Rooms`, `Optional[Rooms]`,
        `Rooms | None`); "" for containers of them (`dict[str, Rooms]`) and everything else."""
        text = self.text(annotation).replace(" ", "").strip("\"'")
        found = re.fullmatch(r"Optional\[(\w+)\]|(\w+)\|None|None\|(\w+)|(\w+)", text)
        name = next((g for g in found.groups() if g), "") if found is not None else ""
        return name if _user_class(name) else ""

    def _parameter_class(self, fn: Node, name: str) -> str:
        """The one class a parameter of `fn` is annotated with (see `_single_class`)."""
        params = fn.child_by_field_name("parameters")
        for param in params.named_children if params is not None else ():
            annotation = param.child_by_field_name("type")
            if annotation is None or not param.named_children:
                continue
            if self.text(param.named_children[0]) == name:
                return self._single_class(annotation)
        return ""

    def _annotated_classes(self, annotation: Node) -> list[str]:
        """The project classes a type annotation names (`Lobby` in `dict[str, Lobby]`, `Optional[Room]`)."""
        names = [annotation] if annotation.type == "identifier" else _descendants(annotation, "identifier")
        return [text for node in names if _user_class(text := self.text(node))]

    def _in_startup(self, assign: Node) -> bool:
        """An assignment in a function that runs once per process: at start-up (`main`, `create_app`,
        see `STARTUP_FUNCTIONS`) or a cached provider (`@lru_cache def get_bus(): bus = EventBus()`)."""
        fn = _enclosing(assign, "function_definition")
        if fn is None:
            return False
        if self.text(fn.child_by_field_name("name")) in STARTUP_FUNCTIONS:
            return True
        decorated = fn.parent
        return (
            decorated is not None
            and decorated.type == "decorated_definition"
            and any(self._caching(d) for d in decorated.named_children if d.type == "decorator")
        )

    def _caching(self, decorator: Node) -> bool:
        """`@lru_cache`, `@functools.cache(...)`: the function makes its result once per process."""
        return self.text(decorator).lstrip("@").split("(")[0].split(".")[-1] in CACHING_DECORATORS

    def _made_here(self, node: Node, local: str) -> str:
        """The class a local name holds an instance of in the function around `node`: made there
        (`lobby = Lobby(owner)`), handed in under a class annotation (`def add(self, lobby: Lobby)`,
        `room: Optional[Room]`) or returned by a function of this file annotated to return one
        (`room = self.get_room(room_id)` with `def get_room(...) -> Optional[Room]`); "" when not known."""
        if not local.isidentifier() or local in HANDLE_NAMES:
            return ""
        body = self._function_text(node)
        if local not in body:
            return ""
        name = re.escape(local)
        made = re.search(
            rf"(?m)(?:^\s*{name}\s*=\s*(?:await\s+)?(?:\w+\.)*(\w+)\()"
            rf"|(?:[(,]\s*{name}\s*:\s*(?:Optional\[)?([A-Z]\w*)\s*\]?\s*[,)=])",
            body,
        )
        if made is None:
            return ""
        found = made.group(2) or made.group(1)
        if made.group(1) and not _user_class(found):
            found = self.returns.get(found, "")
        return found if found and _user_class(found) else ""

    # --- shared backends ----------------------------------------------------------------------------

    def _record_shape(self, node: Node) -> str:
        """What a written record says about itself: a model's name and its field names
        (`Message(room=r, text=t)` -> `Message room text`), a document's keys at every level
        (`{"$set": {"online": True}}` -> `$set online`); never the values, which name anything."""
        if node.type == "call":
            fn = node.child_by_field_name("function")
            parts = [self.text(fn).split(".")[-1]] if fn is not None else []
            args = node.child_by_field_name("arguments")
            for arg in args.named_children if args is not None else []:
                if arg.type == "keyword_argument":
                    parts.append(self.text(arg.child_by_field_name("name")))
                elif arg.type == "dictionary":
                    parts.append(self._record_shape(arg))
            return " ".join(parts)
        if node.type == "dictionary":
            keys = []
            for pair in node.named_children:
                if pair.type == "pair":
                    keys.append(self.text(pair.child_by_field_name("key")).strip("'\""))
                    value = pair.child_by_field_name("value")
                    if value is not None and value.type in {"dictionary", "list"}:
                        keys.append(self._record_shape(value))
            return " ".join(keys)
        if node.type == "list":
            return " ".join(self._record_shape(c) for c in node.named_children if c.type == "dictionary")
        return self.text(node) if len(node.text or b"") <= 60 else ""

    def _bound_model(self, call: Node, receiver: str) -> str:
        """The model a local record was made from in the same function, for `m.save()` after
        `m = Message.create_message(...)` or `m = Message(room=r)`: "Message"; "" when not known."""
        if not receiver.isidentifier():
            return ""
        body = self._function_text(call)
        made = re.search(rf"(?m)^\s*{re.escape(receiver)}\s*=\s*(?:await\s+)?([A-Z]\w*)[.(]", body)
        return made.group(1) if made else ""

    def _key_text(self, call: Node, key: Node) -> str:
        """A key as written, or, for a local name, the string it was set to in the same function
        (`key = f"user:{user_id}:connections"; cache.set(key, n)`)."""
        written = self.text(key)
        if key.type != "identifier":
            return written
        made = re.search(rf"(?m)^\s*{re.escape(written)}\s*=\s*(f?[\"'][^\n]*)$", self._function_text(call))
        return made.group(1).strip() if made else written

    def _function_text(self, node: Node) -> str:
        """The text of the innermost function around `node` ("" at module level)."""
        around = self.scan.enclosing_functions(node)
        return self.text(around[0]) if around else ""

    def _top_statement_text(self, node: Node) -> str:
        """The text of the top-level statement around `node` (a class, a function): what a statement's
        facts may read besides the file's environment."""
        while node.parent is not None and node.parent.type != "module":
            node = node.parent
        return self.text(node)

    def _session_bound(self, call: Node, receiver: str) -> bool:
        """Whether `receiver` is a database session under another name: `async with Session() as sess`,
        `with SessionLocal() as s`, `db = get_db()` / `sess = session_factory()` in the same function."""
        if not receiver.isidentifier():
            return False
        return bool(re.search(SESSION_BINDING.format(name=re.escape(receiver)), self._function_text(call)))

    def _backends(self) -> list[BackendUse]:
        scan = self.scan
        found: list[BackendUse] = []
        for call, fn, fn_text, last in self.sites:
            if last not in BRIDGE_CALLS and last.lower() not in BACKEND_METHODS:
                continue
            qualified = self._qualified(fn, fn_text)
            if qualified.split(".")[-1] in BRIDGE_CALLS:
                url = " ".join(self.text(a) for a in _positional(call))
                if "memory://" not in url:
                    found.append(
                        backend(scan, call, _queue_storage(url), "bridge", "subscriptions", "broadcaster", -1)
                    )
                continue
            if fn is None or fn.type != "attribute":
                continue
            method = self.text(fn.child_by_field_name("attribute"))
            lower = method.lower()
            receiver = self.text(fn.child_by_field_name("object"))
            args = _positional(call)
            first = self._key_text(call, args[0]) if args else ""
            kwargs = _keyword_arguments(call, self.text)
            scope = self._context(call)[1]
            if lower in DJANGO_CACHE_WRITES and (
                self.imports.get(receiver) == "django.core.cache.cache" or receiver.startswith("caches[")
            ):
                # where it lands is decided with the project's `CACHES` (see `project.py`); a key that
                # names no real-time state (`preview-<id>`) is a cache like any other
                state = classify_key_text(first, None)
                detail = f"{DJANGO_CACHE} {method} {first}"
                found.append(backend(scan, call, "external", "write", state, detail, scope))
            elif lower in REDIS_HISTORY_COMMANDS:
                state = "history" if lower == "xadd" else classify_key_text(first, "history")
                found.append(backend(scan, call, "redis", "write", state, f"{method} {first}", scope))
            elif lower in REDIS_STATE_COMMANDS:
                state = classify_key_text(first, "presence")
                found.append(backend(scan, call, "redis", "write", state, f"{method} {first}", scope))
            elif lower == "set" and ({"ex", "px", "exat", "expire"} & kwargs.keys()):
                storage = "memcached" if "expire" in kwargs else "redis"
                state = classify_key_text(first, "presence")
                found.append(backend(scan, call, storage, "write", state, f"SET {first}", scope, storage))
            elif lower in PUBSUB_SUBSCRIBE | {"publish"} and receiver.split(".")[-1] not in HANDLE_NAMES:
                detail = "publish" if lower == "publish" else "subscribe"
                # a client that hands out `.pubsub()` is redis-py's, whatever module made it (a cache
                # extension's `_write_client`): no import of redis needed to count it
                requires = "" if ".pubsub()" in self._top_statement_text(call) else "redis"
                found.append(backend(scan, call, "redis", "bridge", "subscriptions", detail, scope, requires))
            elif (lower in DATABASE_WRITE_METHODS or lower in PYMONGO_WRITES or lower == "add_all") and (
                ".objects" in receiver
                or receiver.split(".")[-1] in {"session", "db", "collection"}
                or ".db." in f".{receiver}"  # pymongo / Flask-PyMongo: `mongo.db.rooms.update_one(...)`
                or lower in PYMONGO_WRITES
                or (lower in {"add", "merge", "add_all"} and self._session_bound(call, receiver))
            ):
                shapes = [self._record_shape(a) for a in [*args, *kwargs.values()]]
                model = self._bound_model(call, receiver) if lower == "save" else ""
                state = classify_record_write(model or receiver, shapes[0] if args else "", " ".join(shapes))
                requires = "" if ".objects" in receiver else "database"
                detail = f"{receiver}.{method}"
                found.append(backend(scan, call, "database", "write", state, detail, scope, requires))
            elif lower in {"execute", "executemany"} and first.lstrip("'\"f ").upper().startswith(
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

    def _fanout_calls(self) -> list[Span]:
        """Emits that reach more than the client that sent: python-socketio `sio.emit(event, data)`
        without a `to=`/`room=` naming a session id, Flask-SocketIO `emit(..., broadcast=True)` or
        `to=room`, `socketio.emit(...)`, Channels `group_send`. A bare Flask-SocketIO `emit`/`send`
        inside a handler answers its sender only."""
        found: list[Node] = []
        for call, fn, fn_text, name in self.sites:
            if name == "group_send":
                found.append(call)
                continue
            if name not in {"emit", "send"}:
                continue
            kwargs = _keyword_arguments(call, self.text)
            target = kwargs.get("to") or kwargs.get("room")
            if target is not None:
                if not _session_id(self.text(target)):
                    found.append(call)
                continue
            if "broadcast" in kwargs and self.text(kwargs["broadcast"]) != "False":
                found.append(call)
                continue
            if name != "emit" or fn.type != "attribute" or "sid" in kwargs:
                continue  # `emit(...)` in a Flask-SocketIO handler, `websocket.send(...)`
            receiver = fn_text.rsplit(".", 1)[0].rsplit(".", 1)[-1].lower()
            if receiver == "self":
                cls = _enclosing(call, "class_definition")
                owner = self.text(cls.child_by_field_name("name")) if cls is not None else ""
                if "Namespace" in self.classes.get(owner, ("", None))[0]:
                    found.append(call)  # a namespace's own `self.emit(...)`
            elif receiver not in HANDLE_NAMES and _server_like(receiver):
                found.append(call)  # `sio.emit(...)`, `socketio.emit`, `self.server.emit`
        return [self.scan.span(call) for call in found if not self._background(call)]

    def _background(self, call: Node) -> bool:
        """A call outside handlers that every instance makes for its own clients: in a closure of a
        function that is not a handler (a file watcher started in a lifespan), or in a loop that sleeps
        between rounds (a ticker)."""
        if self._context(call)[2]:
            return False  # a loop a handler starts reaches that handler's rooms
        return len(self.scan.enclosing_functions(call)) >= 2 or _periodic(call, self.text)

    def _membership_calls(self) -> list[Span]:
        found = []
        for call, _, _, name in self.sites:
            if name in MEMBERSHIP_METHODS:
                found.append(self.scan.span(call))
        return found


# --- small tree helpers ---------------------------------------------------------------------------


def _user_class(name: str) -> bool:
    """A name that can be a class of the project: capitalised, not a typing construct."""
    return name[:1].isupper() and name.isidentifier() and name not in TYPING_NAMES and not name.isupper()


def _statement_place(assign: Node) -> str:
    """Where an assignment statement sits: "module", "class" (class body) or "function"."""
    parent = assign.parent
    if parent is not None and parent.type == "expression_statement":
        parent = parent.parent
    while parent is not None:
        if parent.type == "module":
            return "module"
        if parent.type == "function_definition":
            return "function"
        if parent.type == "class_definition":
            return "class"
        if parent.type not in {
            "block",
            "if_statement",
            "else_clause",
            "elif_clause",
            "try_statement",
            "except_clause",
            "finally_clause",
            "with_statement",
            "expression_statement",
        }:
            return "other"
        parent = parent.parent
    return "other"


def _is_method_of(fn: Node, cls: Node) -> bool:
    body = cls.child_by_field_name("body")
    parent = fn.parent
    if parent is not None and parent.type == "decorated_definition":
        parent = parent.parent
    return body is not None and parent is not None and parent.id == body.id


def _enclosing(node: Node, node_type: str) -> Node | None:
    parent = node.parent
    while parent is not None:
        if parent.type == node_type:
            return parent
        parent = parent.parent
    return None


def _descendants(node: Node | None, node_type: str, stop: frozenset[str] = frozenset()) -> list[Node]:
    found: list[Node] = []
    stack = list(node.named_children) if node is not None else []
    while stack:
        current = stack.pop()
        if current.type == node_type:
            found.append(current)
        if current.type not in stop:
            stack.extend(current.named_children)
    return found


def _has_splat(call: Node) -> bool:
    args = call.child_by_field_name("arguments")
    return args is not None and any(a.type == "dictionary_splat" for a in args.named_children)


def _positional(call: Node) -> list[Node]:
    args = call.child_by_field_name("arguments")
    if args is None:
        return []
    return [a for a in args.named_children if a.type not in {"keyword_argument", "comment"}]


def _session_id(text: str) -> bool:
    """`to=sid`, `room=request.sid`, `to=self.sid`: one client, not a room."""
    return text.rsplit(".", 1)[-1].lower() in {"sid", "session_id", "sessionid"} or text.lower().endswith(
        "_sid"
    )


def _keyword_arguments(call: Node, text: object) -> dict[str, Node]:
    args = call.child_by_field_name("arguments")
    found: dict[str, Node] = {}
    for arg in args.named_children if args is not None else []:
        if arg.type == "keyword_argument":
            name, value = arg.child_by_field_name("name"), arg.child_by_field_name("value")
            if name is not None and value is not None and name.text is not None:
                found[name.text.decode()] = value
    return found


def _assigned(call: Node, text: object) -> str | None:
    parent = call.parent
    if parent is not None and parent.type == "assignment":
        left = parent.child_by_field_name("left")
        if left is not None and left.text is not None:
            return left.text.decode()
    return None


def _storage(framework: Framework, text: str) -> str:
    """Backend of a client manager (a broker when it names one of the framework's) or a queue URL."""
    if framework.manager_markers:
        return "external" if any(q in text for q in framework.manager_markers) else "redis"
    return _queue_storage(text)


def _queue_storage(text: str) -> str:
    lowered = text.lower()
    if "redis" in lowered or "valkey" in lowered:
        return "redis"
    if "postgres" in lowered:
        return "database"
    return "external"


def _is_handle(value: Node | None, text: object) -> bool:
    if value is None or value.text is None:
        return False
    if value.type == "identifier":
        return value.text.decode().lower() in HANDLE_NAMES
    if value.type == "attribute":
        attr = value.child_by_field_name("attribute")
        return attr is not None and attr.text is not None and attr.text.decode().lower() in HANDLE_NAMES
    if value.type in {"set", "list"} and value.named_child_count:  # `rooms[r] = {websocket}`
        return all(_is_handle(item, text) for item in value.named_children)
    return False


def _sends(body: Node, text: object) -> bool:
    for call in _descendants(body, "call"):
        fn = call.child_by_field_name("function")
        if fn is not None and fn.type == "attribute":
            attr = fn.child_by_field_name("attribute")
            if attr is not None and attr.text is not None and attr.text.decode() in SEND_METHODS:
                return True
    return False


def _namespace_event(fn: Node, name: str) -> bool:
    """`async def on_join(self, sid, ...)`: python-socketio's naming for the event handlers of a
    namespace class, seen also when the class derives from a base class of another file."""
    if not name.startswith("on_"):
        return False
    params = fn.child_by_field_name("parameters")
    names = [p for p in (params.named_children if params is not None else []) if p.type == "identifier"]
    return len(names) >= 2 and names[1].text == b"sid"


def django_cache_storage(backend_path: str) -> Storage | None:
    """What a `CACHES` backend path keeps data in; "memory" for the per-process ones."""
    lower = backend_path.lower()
    if not (lower.startswith("django.core.cache.backends.") or lower.startswith("django_redis")):
        return None
    if "redis" in lower:
        return "redis"
    if "memcached" in lower:
        return "memcached"
    if ".db." in lower:
        return "database"
    return "memory"  # locmem, dummy, filebased: each process (or host) its own


def _qualified_with(imports: dict[str, str], name: str) -> str:
    head, _, rest = name.partition(".")
    if head in imports:
        return imports[head] + ("." + rest if rest else "")
    return name


def _is_serve(qualified: str) -> bool:
    """A websockets / Starlette call whose function arguments are connection handlers."""
    last = qualified.split(".")[-1]
    return (last in SERVE_METHODS and "." in qualified) or (
        last in SERVE_FUNCTIONS and (qualified.startswith(SERVE_MODULES) or qualified in SERVE_UNQUALIFIED)
    )


def _serving(qualified: str) -> Framework:
    """The framework a serve call belongs to: the first whose module it names or whose bare name it is."""
    for framework in SERVE_FRAMEWORKS:
        if (
            any(m in qualified for m in framework.serve_modules)
            or qualified in framework.serve_unqualified
            or qualified.split(".")[-1] in framework.serve_methods
        ):
            return framework
    return SERVE_FRAMEWORKS[-1]


def _role(servers: list[ServerSite], modules: list[str]) -> FileRole:
    if servers:
        return "server"
    if any(m in CLIENT_MODULES or m.startswith(CLIENT_CLASS_PREFIXES) for m in modules):
        return "client"
    return "neutral"


def assemble(
    path: str, language: str, source: bytes, tree: Tree, index: LineIndex, env: PyEnv, parts: list[PyPart]
) -> FileFacts:
    """The file's facts from its parts, in the order one extraction of the whole file gives."""
    servers = [site for _, site in sorted((s for p in parts for s in p.servers), key=_first)]
    for name, (bases, span) in env.classes.items():
        consumer = next((f for f in CONSUMERS if any(b in bases for b in f.consumer_bases)), None)
        if consumer is not None:
            servers.append(ServerSite(framework=consumer.id, span=span, variable=name, library_fanout=False))
    layers = [b for p in parts for b in p.layers]
    for kind, value, span in (x for p in parts for x in p.strings):
        if kind == "layer":
            setting = next(f.layer_setting for f in LAYERS if f.layer_kind == value)
            servers.append(ServerSite(framework=value, span=span, variable=setting, library_fanout=True))
        elif kind == "redis-layer":
            layers.append(
                BackendUse(
                    span=span,
                    storage="redis",
                    role="adapter",
                    state_type="subscriptions",
                    detail=value,
                    scope=-1,
                )
            )
        elif not servers:  # text/event-stream in a file with no other server
            servers.append(ServerSite(framework=value, span=span, variable=None, library_fanout=False))
    by_key: dict[ContainerKey, list[Mutation]] = {}
    for _, key, mutation in sorted((m for p in parts for m in p.mutations), key=_first):
        by_key.setdefault(key, []).append(mutation)
    loops: dict[ContainerKey, list[Span]] = {}
    elsewhere: dict[tuple[str, str], list[Span]] = {}  # loops over application state another file declares
    for _, key, span in sorted((x for p in parts for x in p.loops), key=_first):
        if key in env.declared:
            loops.setdefault(key, []).append(span)
        else:
            elsewhere.setdefault((APP_MODULE, key[1]), []).append(span)
    containers = join_containers(env.declarations, by_key, loops, source)
    return facts_from_parts(
        (path, language, source, tree, index),
        role=_role(servers, env.modules),
        servers=servers,
        containers=containers,
        backends=tuple(layers + [b for p in parts for b in p.backends]),
        handler_names=env.handler_names,
        modules=env.modules,
        module_instances=env.module_instances | held_classes(containers),
        parts=parts,
        owned_classes=env.owned,
        foreign_loops=elsewhere,
    )


def moved(part: PyPart, start: int, line: int) -> PyPart:
    """The part of a statement whose text and first column are unchanged, now at `start` / `line`."""
    d, n = start - part.start, line - part.line
    c = part.contribution
    # keywords, not `dataclasses.replace`: see `extract_js.moved`
    contribution = PyContribution(
        imports=c.imports,
        modules=c.modules,
        classes=[(name, bases, moved_span(span, d, n)) for name, bases, span in c.classes],
        serves=c.serves,
        declarations=[
            (key, name, owner, scope, kind, moved_span(span, d, n), single)
            for key, name, owner, scope, kind, span, single in c.declarations
        ],
        news=c.news,
        owned=c.owned,
        members=c.members,
        returns=c.returns,
    )
    return PyPart(
        start=start,
        line=line,
        contribution=contribution,
        signature=part.signature,
        servers=moved_sites(part.servers, d, n),
        layers=[moved_backend(b, d, n) for b in part.layers],
        strings=[(kind, value, moved_span(span, d, n)) for kind, value, span in part.strings],
        mutations=moved_mutations(part.mutations, d, n),
        loops=[(step, key, moved_span(span, d, n)) for step, key, span in part.loops],
        scope_calls=moved_scopes(part.scope_calls, d),
        handler_calls=part.handler_calls,
        calls=part.calls,
        backends=[moved_backend(b, d, n) for b in part.backends],
        membership=[moved_span(span, d, n) for span in part.membership],
        fanout=[moved_span(span, d, n) for span in part.fanout],
        foreign=[(step, module, name, moved_mutation(m, d, n)) for step, module, name, m in part.foreign],
        comments=moved_comments(part.comments, d, n),
    )


KIT = ExtractorKit(PyExtractor, PyEnv.fold, assemble, moved)


def _server_like(name: str) -> bool:
    """A name a python-socketio / Flask-SocketIO server goes by (`sio`, `socketio`, `socket_io`,
    `server`); an `emitter.emit(...)` of the project's own is a wrapper that says nothing."""
    return "sio" in name or name.endswith("io") or name in {"server", "socket_server", "namespace", "nsp"}


def _periodic(call: Node, text: Callable[[Node | None], str]) -> bool:
    """Whether a call runs in a loop that sleeps between rounds (`while True: ...; await
    asyncio.sleep(1)`): a periodic task every instance runs for its own clients, which a second
    instance does not break."""
    node = call.parent
    while node is not None and node.type not in {"function_definition", "lambda"}:
        if node.type == "while_statement" and "sleep(" in text(node):
            return True
        node = node.parent
    return False
