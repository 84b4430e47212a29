"""Facts from one Python file (python-socketio, Flask-SocketIO, Django Channels, FastAPI, websockets).

Works from the candidates the fact query captures; each step below reads one kind of capture.
Pure: bytes and a tree in, `FileFacts` out.
"""

from __future__ import annotations

import re
from dataclasses import replace

from tree_sitter import Node

from .facts import (
    HANDLE_NAMES,
    SEND_METHODS,
    BackendUse,
    FileFacts,
    FileRole,
    ServerSite,
    classify_key_text,
)
from .scan_common import (
    DATABASE_WRITE_METHODS,
    PUBSUB_SUBSCRIBE,
    REDIS_HISTORY_COMMANDS,
    REDIS_STATE_COMMANDS,
    ContainerKey,
    Declaration,
    FileScan,
    FunctionInfo,
    MutationRecord,
    _mutating_scopes,
    assemble_containers,
    backend,
    client_libraries,
    record_call,
)
from .text import Span

FUNCTION_TYPES = frozenset({"function_definition", "lambda"})
PY_DEFINITIONS = frozenset({"function_definition"})  # lambdas have no name and no scope of their own here
CONTAINER_CALLS = {
    "set": "set", "dict": "dict", "list": "list", "defaultdict": "dict", "deque": "deque",
    "OrderedDict": "dict", "Counter": "dict", "WeakSet": "set", "WeakValueDictionary": "dict",
    "WeakKeyDictionary": "dict",
}  # fmt: skip
CACHE_CALLS = frozenset({"TTLCache", "LRUCache", "LFUCache", "TLRUCache", "Cache", "ExpiringDict"})
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
ADDING_METHODS = {"append": 0, "add": 0, "appendleft": 0, "insert": 1, "extend": 0, "update": 0,
                  "setdefault": 1}  # fmt: skip
REMOVING_METHODS = frozenset({"pop", "popitem", "remove", "discard", "clear", "popleft"})
HANDLER_DECORATOR = re.compile(
    r"\.(event|on|websocket|websocket_route|route|get|post|put|patch|delete|message)\b(?!_)"
)
HANDLER_BASES = ("Consumer", "WebSocketEndpoint", "Namespace", "HTTPEndpoint")
SERVE_FUNCTIONS = frozenset(
    {"serve", "WebSocketRoute", "websocket_route", "add_websocket_route", "unix_serve"}
)
SSE_CALLS = frozenset({"EventSourceResponse", "ServerSentEvent"})
SERVER_CALLS = frozenset({"AsyncServer", "Server", "SocketIO", "init_app"} | SERVE_FUNCTIONS | SSE_CALLS)
BACKEND_METHODS = (
    {"set", "publish", "execute", "executemany"}
    | REDIS_HISTORY_COMMANDS | REDIS_STATE_COMMANDS | PUBSUB_SUBSCRIBE | DATABASE_WRITE_METHODS
)  # fmt: skip
CLIENT_MODULES = frozenset({"socketio.client", "websocket", "websockets.client", "websockets.sync.client"})
QUEUE_MANAGERS = ("Kombu", "AioPika", "Kafka", "Zmq")


class PyExtractor:
    def __init__(self, scan: FileScan) -> None:
        self.scan = scan
        self.text = scan.text
        self.imports: dict[str, str] = {}  # local name -> "module" or "module.Name"
        self.modules: list[str] = []
        self.classes: dict[str, Node] = {}
        self.handler_names: set[str] = set()
        self.sites: list[tuple[Node, Node, str, str]] = []
        self._scopes: dict[int, tuple[set[str], set[str], set[str]]] = {}
        self.instances: dict[str, str] = {}  # module variable -> class defined here it holds one of
        self.scope_calls: dict[int, set[str]] = {}

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

    def run(self) -> FileFacts:
        scan = self.scan
        self._index_calls()
        self._read_imports()
        self._read_classes()
        servers, layer_backends = self._servers()
        declarations = self._declarations()
        declared = {d.key: d for d in declarations}
        mutations = self._mutations(declared)
        broadcasts = self._broadcasts(declared)
        containers = assemble_containers(scan, declarations, mutations, broadcasts, self._context)
        handler_calls, calls = self._calls()
        return FileFacts(
            path=scan.path,
            language=scan.language,
            role=self._role(servers),
            servers=tuple(servers),
            containers=containers,
            backends=self._named(layer_backends + self._backends()),
            membership_calls=tuple(self._membership_calls()),
            handler_calls=frozenset(handler_calls | self.handler_names),
            calls=tuple(sorted((k, frozenset(v)) for k, v in calls.items())),
            scope_calls=_mutating_scopes(self.scope_calls, containers),
            module_instances=frozenset(self._module_instances()),
            imports=tuple(self.modules),
            client_libraries=client_libraries(self.modules),
            suppressions=scan.suppressions(python=True),
            has_errors=scan.tree.root_node.has_error,
        )

    # --- imports and classes -----------------------------------------------------------------

    def _read_imports(self) -> None:
        text = self.text
        for node in self.scan.nodes("import"):
            if node.type == "import_statement":
                for child in node.named_children:
                    if child.type == "aliased_import":
                        module = text(child.child_by_field_name("name"))
                        self.imports[text(child.child_by_field_name("alias"))] = module
                    else:
                        module = text(child)
                        self.imports[module.split(".")[0]] = module.split(".")[0]
                    self.modules.append(module)
            else:
                module_node = node.child_by_field_name("module_name")
                module = text(module_node)
                self.modules.append(module)
                for child in node.named_children:
                    if child is module_node or child.type == "comment":
                        continue
                    if child.type == "aliased_import":
                        name = text(child.child_by_field_name("name"))
                        local = text(child.child_by_field_name("alias"))
                    else:
                        name = local = text(child)
                    self.imports[local] = f"{module}.{name}"
                    self.modules.append(f"{module}.{name}")

    def _read_classes(self) -> None:
        for cls in self.scan.nodes("class"):
            self.classes[self.text(cls.child_by_field_name("name"))] = cls

    def _qualified(self, node: Node | None, name: str | None = None) -> str:
        """`socketio.AsyncServer` / `AsyncServer` -> "socketio.AsyncServer" using the imports."""
        name = self.text(node) if name is None else name
        head, _, rest = name.partition(".")
        if head in self.imports:
            return self.imports[head] + ("." + rest if rest else "")
        return name

    # --- servers ----------------------------------------------------------------------------------

    def _servers(self) -> tuple[list[ServerSite], list[BackendUse]]:
        scan = self.scan
        sites: list[ServerSite] = []
        layers: list[BackendUse] = []
        for call, fn, fn_text, last in self.sites:
            if last not in SERVER_CALLS:
                continue
            qualified = self._qualified(fn, fn_text)
            kwargs = _keyword_arguments(call, self.text)
            # `**options` may carry the manager or queue: unknown, so not reported as in memory
            splat = _has_splat(call)
            if qualified in {"socketio.AsyncServer", "socketio.Server"}:
                manager = kwargs.get("client_manager")
                shared = splat or (manager is not None and self.text(manager) != "None")
                storage = _manager_storage(self.text(manager)) if manager is not None and shared else None
                sites.append(ServerSite("python-socketio", scan.span(fn), _assigned(call, self.text), True,
                                        shared, storage,  # type: ignore[arg-type]
                                        frozenset({"async"} if qualified.endswith("AsyncServer") else ())))  # fmt: skip
            elif qualified == "flask_socketio.SocketIO":
                queue = kwargs.get("message_queue") or kwargs.get("client_manager")
                shared = splat or (queue is not None and self.text(queue) != "None")
                storage = _queue_storage(self.text(queue)) if queue is not None and shared else None
                sites.append(ServerSite("flask-socketio", scan.span(fn), _assigned(call, self.text), True,
                                        shared, storage))  # type: ignore[arg-type]  # fmt: skip
            elif fn.type == "attribute" and self.text(fn.child_by_field_name("attribute")) == "init_app":
                queue = kwargs.get("message_queue") or kwargs.get("client_manager")
                if queue is not None and self.text(queue) != "None":
                    layers.append(backend(scan, call, _queue_storage(self.text(queue)), "adapter", "subscriptions",
                                          "Flask-SocketIO message_queue", -1))  # fmt: skip
            elif qualified.split(".")[-1] in SERVE_FUNCTIONS and (
                qualified.startswith(("websockets", "starlette")) or qualified in {"serve", "WebSocketRoute"}
            ):
                framework = "websockets" if "websockets" in qualified or qualified == "serve" else "starlette"
                sites.append(ServerSite(framework, scan.span(fn), None, False, False, None))
                for arg in _positional(call):
                    if arg.type == "identifier":
                        self.handler_names.add(self.text(arg))
            elif qualified.split(".")[-1] in SSE_CALLS:
                sites.append(ServerSite("sse", scan.span(fn), None, False, False, None))
        for decorator in scan.nodes("decorator"):
            decorator_text = self.text(decorator)
            if re.search(r"\.websocket(_route)?\(", decorator_text):
                inner = decorator.named_children[0] if decorator.named_children else decorator
                if inner.type == "call":
                    inner = inner.child_by_field_name("function") or inner
                sites.append(ServerSite("fastapi", scan.span(inner), None, False, False, None))
        for name, cls in self.classes.items():
            bases = self.text(cls.child_by_field_name("superclasses"))
            if "Consumer" in bases and "WebsocketConsumer" in bases.replace("JsonWebsocket", "Websocket"):
                sites.append(ServerSite("channels", scan.span(cls.child_by_field_name("name")),  # type: ignore[arg-type]
                                        name, False, False, None))  # fmt: skip
        for string in scan.nodes("string"):
            value = self.text(string).strip("'\"")
            if value == "channels.layers.InMemoryChannelLayer" and self._in_setting(string, "CHANNEL_LAYERS"):
                sites.append(
                    ServerSite("channels-layer", scan.span(string), "CHANNEL_LAYERS", True, False, None)
                )
            elif value.startswith("channels_redis.") and self._in_setting(string, "CHANNEL_LAYERS"):
                layers.append(backend(scan, string, "redis", "adapter", "subscriptions", value, -1))
            elif value == "text/event-stream" and not sites:
                sites.append(ServerSite("sse", scan.span(string), None, False, False, None))
        return sites, layers

    def _in_setting(self, node: Node, setting: str) -> bool:
        parent = node.parent
        while parent is not None:
            if parent.type == "assignment":
                return self.text(parent.child_by_field_name("left")) == setting
            parent = parent.parent
        return False

    # --- containers -------------------------------------------------------------------------------

    def _declarations(self) -> list[Declaration]:
        found: list[Declaration] = []
        module_instances = self._module_instances()
        for assign in self.scan.nodes("assign"):
            left = assign.child_by_field_name("left")
            kind = self._container_kind(assign.child_by_field_name("right"))
            if left is None or kind is None:
                continue
            place = _statement_place(assign)
            if left.type == "identifier" and place == "module":
                name = self.text(left)
                found.append(Declaration(("var", name), name, None, "module", kind, left))
            elif left.type == "identifier" and place == "class":
                cls = _enclosing(assign, "class_definition")
                owner = self.text(cls.child_by_field_name("name")) if cls is not None else ""
                found.append(
                    Declaration(("self", owner, self.text(left)), self.text(left), owner, "class", kind, left)
                )
            elif left.type == "attribute" and self.text(left.child_by_field_name("object")) == "self":
                method = _enclosing(assign, "function_definition")
                if method is None or self.text(method.child_by_field_name("name")) != "__init__":
                    continue
                cls = _enclosing(method, "class_definition")
                if cls is None:
                    continue
                owner = self.text(cls.child_by_field_name("name"))
                attr = left.child_by_field_name("attribute")
                found.append(Declaration(("self", owner, self.text(attr)), self.text(attr), owner, "instance",
                                         kind, attr, owner in module_instances))  # type: ignore[arg-type]  # fmt: skip
        return found

    def _container_kind(self, value: Node | None) -> str | None:
        if value is None:
            return None
        if value.type in LITERAL_KINDS:
            return LITERAL_KINDS[value.type]
        if value.type == "call":
            name = self.text(value.child_by_field_name("function")).split(".")[-1]
            if name in CACHE_CALLS:
                return None
            return CONTAINER_CALLS.get(name)
        return None

    def _root(self, node: Node | None) -> tuple[ContainerKey | None, Node | None]:
        depth = 0
        while node is not None and depth < 6:
            depth += 1
            if node.type == "identifier":
                return ("var", self.text(node)), node
            if node.type == "attribute":
                obj = node.child_by_field_name("object")
                attr = self.text(node.child_by_field_name("attribute"))
                obj_text = self.text(obj)
                if obj_text in {"self", "cls"}:
                    cls = _enclosing(node, "class_definition")
                    return (("self", self.text(cls.child_by_field_name("name")), attr) if cls else None), node
                if obj_text in self.classes:
                    return ("self", obj_text, attr), node
                if obj_text in self.instances:  # `manager.rooms[...]` where `manager = Manager()` here
                    return ("self", self.instances[obj_text], attr), node
                return None, None
            if node.type == "subscript":
                node = node.child_by_field_name("value")
            elif node.type == "call":
                fn = node.child_by_field_name("function")
                if fn is None or fn.type != "attribute" or self.text(fn.child_by_field_name("attribute")) not in {
                    "get", "setdefault",
                }:  # fmt: skip
                    return None, None
                node = fn.child_by_field_name("object")
            else:
                return None, None
        return None, None

    def _mutations(self, declared: dict[ContainerKey, Declaration]) -> list[MutationRecord]:
        records: list[MutationRecord] = []

        def add(
            target: Node | None, node: Node, operation: str, value: Node | None, rebinds: bool = False
        ) -> None:
            key, root = self._root(target)
            if key is None or key not in declared or root is None:
                return
            if key[0] == "var" and self._is_local(root, key[1], rebinds):
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
            records.append(MutationRecord(key, node, operation, _is_handle(value, self.text)))

        for call, fn, _, method in self.sites:
            if fn.type != "attribute":
                continue
            if method in ADDING_METHODS or method in REMOVING_METHODS:
                args = _positional(call)
                position = ADDING_METHODS.get(method, -1)
                value = args[position] if 0 <= position < len(args) else None
                add(fn.child_by_field_name("object"), call, method, value)
        for assign in self.scan.nodes("assign"):
            left = assign.child_by_field_name("left")
            right = assign.child_by_field_name("right")
            if left is None or _statement_place(assign) != "function":
                continue
            if left.type == "subscript":
                add(left.child_by_field_name("value"), assign, "[key] =", right)
            elif left.type == "identifier":
                add(left, assign, "reassign", right, rebinds=True)
            elif left.type == "attribute":
                add(left, assign, "reassign", right)
        for node in self.scan.nodes("aug"):
            left = node.child_by_field_name("left")
            add(left, node, "+=", None, rebinds=left is not None and left.type == "identifier")
        for node in self.scan.nodes("delete"):
            for target in node.named_children:
                targets = target.named_children if target.type == "expression_list" else [target]
                for item in targets:
                    if item.type == "subscript":
                        add(item.child_by_field_name("value"), node, "del", None)
        return records

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

    def _broadcasts(self, declared: dict[ContainerKey, Declaration]) -> dict[ContainerKey, list[Node]]:
        loops: dict[ContainerKey, list[Node]] = {}
        for loop in self.scan.nodes("loop"):
            body = loop.child_by_field_name("body")
            iterable = loop.child_by_field_name("right")
            if iterable is not None and iterable.type == "call":  # rooms[r].values(), list(clients)
                fn = iterable.child_by_field_name("function")
                if fn is not None and fn.type == "attribute":
                    iterable = fn.child_by_field_name("object")
                else:
                    args = _positional(iterable)
                    iterable = args[0] if args else None
            key, _ = self._root(iterable)
            if key is not None and key in declared and body is not None and _sends(body, self.text):
                loops.setdefault(key, []).append(loop)
        for call, _, _, fn_name in self.sites:
            if "broadcast" not in fn_name.lower():
                continue
            for arg in _positional(call):
                key, _ = self._root(arg)
                if key is not None and key in declared:
                    loops.setdefault(key, []).append(call)
        return loops

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
            handler = handler or any(base in bases for base in HANDLER_BASES)
        return FunctionInfo(name or None, handler, owner)

    def _context(self, node: Node) -> tuple[tuple[str, ...], int, bool]:
        return self.scan.context(node, self._describe, PY_DEFINITIONS)

    def _calls(self) -> tuple[set[str], dict[str, set[str]]]:
        handler_calls: set[str] = set()
        calls: dict[str, set[str]] = {}
        graph = (self.scope_calls, handler_calls, calls)
        for call, _, _, name in self.sites:
            if not name.isidentifier():
                continue
            callees = [name]
            if name in OFFLOADING_CALLS:  # `asyncio.to_thread(save, m)` calls `save`
                callees += [self.text(a) for a in _positional(call) if a.type == "identifier"]
            context = self._context(call)
            for callee in callees:
                record_call(graph, callee, context)
        return handler_calls, calls

    def _module_instances(self) -> set[str]:
        found = set()
        for assign in self.scan.nodes("assign"):
            right = assign.child_by_field_name("right")
            if right is not None and right.type == "call" and _statement_place(assign) == "module":
                name = self.text(right.child_by_field_name("function")).split(".")[-1]
                if name[:1].isupper():
                    found.add(name)
                    left = assign.child_by_field_name("left")
                    if left is not None and left.type == "identifier" and name in self.classes:
                        self.instances[self.text(left)] = name
        return found

    def _role(self, servers: list[ServerSite]) -> FileRole:
        if servers:
            return "server"
        if any(
            m in CLIENT_MODULES or m.startswith(("socketio.Client", "socketio.AsyncClient"))
            for m in self.modules
        ):
            return "client"
        return "neutral"

    # --- shared backends ----------------------------------------------------------------------------

    def _backends(self) -> list[BackendUse]:
        scan = self.scan
        found: list[BackendUse] = []
        for call, fn, fn_text, last in self.sites:
            if last != "Broadcast" and last.lower() not in BACKEND_METHODS:
                continue
            qualified = self._qualified(fn, fn_text)
            if qualified.split(".")[-1] == "Broadcast":
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
            first = self.text(args[0]) if args else ""
            kwargs = _keyword_arguments(call, self.text)
            scope = self._context(call)[1]
            if lower in REDIS_HISTORY_COMMANDS:
                state = "history" if lower == "xadd" else classify_key_text(first, "history")
                found.append(backend(scan, call, "redis", "write", state, f"{method} {first}", scope))
            elif lower in REDIS_STATE_COMMANDS:
                found.append(backend(scan, call, "redis", "write", classify_key_text(first, "presence"),
                                     f"{method} {first}", scope))  # fmt: skip
            elif lower == "set" and ({"ex", "px", "exat", "expire"} & kwargs.keys()):
                storage = "memcached" if "expire" in kwargs else "redis"
                found.append(backend(scan, call, storage, "write", classify_key_text(first, "presence"),
                                     f"SET {first}", scope, storage))  # fmt: skip
            elif lower in PUBSUB_SUBSCRIBE | {"publish"} and receiver.split(".")[-1] not in HANDLE_NAMES:
                detail = "publish" if lower == "publish" else "subscribe"
                found.append(backend(scan, call, "redis", "bridge", "subscriptions", detail, scope, "redis"))
            elif lower in DATABASE_WRITE_METHODS and (
                ".objects" in receiver or receiver.split(".")[-1] in {"session", "db", "collection"}
                or lower in {"insert_one", "insert_many", "save", "bulk_create"}
            ):  # fmt: skip
                text = f"{receiver} {first}"
                requires = "" if ".objects" in receiver else "database"
                found.append(backend(scan, call, "database", "write", classify_key_text(text, None),
                                     f"{receiver}.{method}", scope, requires))  # fmt: skip
            elif lower in {"execute", "executemany"} and first.lstrip("'\"f ").upper().startswith(
                ("INSERT", "UPDATE", "REPLACE")
            ):
                found.append(backend(scan, call, "database", "write", classify_key_text(first, None), first[:60],
                                     scope, "database"))  # fmt: skip
        return found

    def _named(self, uses: list[BackendUse]) -> tuple[BackendUse, ...]:
        """Each use with the named function around it, so a handler calling that helper counts."""
        return tuple(replace(u, function=self.scan.scope_names.get(u.scope, "")) for u in uses)

    def _membership_calls(self) -> list[Span]:
        found = []
        for call, _, _, name in self.sites:
            if name in {"enter_room", "join_room", "group_add"}:
                found.append(self.scan.span(call))
        return found


# --- small tree helpers ---------------------------------------------------------------------------


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
        if parent.type not in {"block", "if_statement", "else_clause", "elif_clause", "try_statement",
                               "except_clause", "finally_clause", "with_statement", "expression_statement"}:  # fmt: skip
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


def _manager_storage(text: str) -> str:
    return "external" if any(q in text for q in QUEUE_MANAGERS) else "redis"


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
    return False


def _sends(body: Node, text: object) -> bool:
    for call in _descendants(body, "call"):
        fn = call.child_by_field_name("function")
        if fn is not None and fn.type == "attribute":
            attr = fn.child_by_field_name("attribute")
            if attr is not None and attr.text is not None and attr.text.decode() in SEND_METHODS:
                return True
    return False


def extract(scan: FileScan) -> FileFacts:
    return PyExtractor(scan).run()
