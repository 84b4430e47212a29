"""Facts from one JavaScript or TypeScript file (CommonJS, ESM, NestJS, Next.js).

Works from the candidates the fact query captures; each step below reads one kind of capture.
Pure: bytes and a tree in, `FileFacts` out.
"""

from __future__ import annotations

from collections.abc import Callable
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

FUNCTION_TYPES = frozenset(
    {
        "function_declaration", "function_expression", "function", "arrow_function",
        "method_definition", "generator_function_declaration", "generator_function",
    }
)  # fmt: skip
CONTAINER_CONSTRUCTORS = {"Map": "Map", "Set": "Set", "Array": "array", "WeakMap": "WeakMap"}
CACHE_CONSTRUCTORS = frozenset({"LRUCache", "LRU", "NodeCache", "QuickLRU", "TTLCache"})
REGISTRATION_METHODS = frozenset({"on", "once", "addListener", "prependListener", "ws", "use"})
ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "all"})
ROUTE_RECEIVERS = frozenset({"app", "router", "server", "fastify", "api", "routes", "route"})
NEXT_ROUTE_EXPORTS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
NEST_HANDLER_METHODS = frozenset({"handleConnection", "handleDisconnect", "afterInit"})
ADDING_METHODS = {"push": 0, "unshift": 0, "add": 0, "set": 1, "splice": 2}
REMOVING_METHODS = frozenset({"delete", "clear", "pop", "shift", "splice"})
LOOP_METHODS = frozenset({"forEach", "map", "filter", "some", "every"})
BACKEND_METHODS = (
    {"adapter", "set", "publish", "spublish", "query", "run", "execute", "exec"}
    | REDIS_HISTORY_COMMANDS | REDIS_STATE_COMMANDS | PUBSUB_SUBSCRIBE | DATABASE_WRITE_METHODS
)  # fmt: skip
CLIENT_MODULES = frozenset(
    {"socket.io-client", "react", "react-dom", "vue", "svelte", "preact", "solid-js", "@angular/core"}
)
SOCKET_IO_ADAPTERS: dict[str, str | None] = {
    "@socket.io/redis-adapter": "redis",
    "socket.io-redis": "redis",
    "@socket.io/redis-streams-adapter": "redis",
    "@socket.io/postgres-adapter": "database",
    "@socket.io/mongo-adapter": "database",
    "@socket.io/gcp-pubsub-adapter": "external",
    "@socket.io/aws-sqs-adapter": "external",
    "@socket.io/azure-service-bus-adapter": "external",
    "socket.io-amqp": "external",
    "@mickl/socket.io-nats-adapter": "external",
    "@socket.io/cluster-adapter": None,
    "@socket.io/pm2": None,
}

TextOf = Callable[[Node | None], str]


class JsExtractor:
    def __init__(self, scan: FileScan) -> None:
        self.scan = scan
        self.text = scan.text
        self.imports: dict[str, str] = {}  # local name -> module
        self.modules: list[str] = []
        self.class_decorators: dict[str, set[str]] = {}
        self.handler_names: set[str] = set()
        self.sites: list[tuple[Node, Node, str, bool]] = []
        self._locals: dict[int, set[str]] = {}  # function node id -> names bound in it
        self._declared_in: dict[int, set[str]] | None = None
        self.instances: dict[str, str] = {}  # module variable -> class declared here it holds one of
        self.scope_calls: dict[int, set[str]] = {}

    # --- entry point ---------------------------------------------------------------------------

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

    def run(self) -> FileFacts:
        scan = self.scan
        self._index_calls()
        self._read_imports()
        self._read_classes()
        servers = self._servers()
        module_instances = self._module_instances()
        declarations = self._declarations()
        by_name = {d.key: d for d in declarations}
        mutations = self._mutations(by_name)
        broadcasts, server_loops = self._broadcasts(by_name, {s.variable for s in servers if s.variable})
        servers = [
            ServerSite(s.framework, s.span, s.variable, s.library_fanout, s.shared, s.storage, s.options,
                       tuple(scan.span(n) for n in server_loops.get(s.variable or "", [])))
            for s in servers
        ]  # fmt: skip
        containers = assemble_containers(scan, declarations, mutations, broadcasts, self._context)
        handler_calls, calls = self._calls()
        role = self._role(servers, handler_calls)
        return FileFacts(
            path=scan.path,
            language=scan.language,
            role=role,
            servers=tuple(servers),
            containers=containers,
            backends=self._named(self._backends()),
            membership_calls=tuple(self._membership_calls()),
            handler_calls=frozenset(handler_calls | self.handler_names),
            calls=tuple(sorted((k, frozenset(v)) for k, v in calls.items())),
            scope_calls=_mutating_scopes(self.scope_calls, containers),
            module_instances=frozenset(module_instances),
            imports=tuple(self.modules),
            client_libraries=client_libraries(self.modules),
            suppressions=scan.suppressions(python=False),
            has_errors=scan.tree.root_node.has_error,
        )

    # --- imports and classes -----------------------------------------------------------------

    def _read_imports(self) -> None:
        for source_node in self.scan.nodes("import.source"):
            module = _string_value(self.text(source_node))
            self.modules.append(module)
            clause = next((c for c in source_node.parent.named_children if c.type == "import_clause"), None)  # type: ignore[union-attr]
            if clause is not None:
                for name in _bound_names(clause):
                    self.imports[name] = module
        for call, fn, name, member in self.sites:
            if member or not (name == "require" or fn.type == "import"):
                continue
            args = call.child_by_field_name("arguments")
            first = args.named_children[0] if args is not None and args.named_children else None
            if first is None or first.type != "string":
                continue
            module = _string_value(self.text(first))
            self.modules.append(module)
            parent = call.parent
            if parent is not None and parent.type == "variable_declarator":
                pattern = parent.child_by_field_name("name")
                for name in _bound_names(pattern) if pattern is not None else []:
                    self.imports[name] = module

    def _read_classes(self) -> None:
        for decorator in self.scan.nodes("decorator"):
            owner = decorator.parent
            if owner is not None and owner.type == "export_statement":
                owner = owner.child_by_field_name("declaration")
            if owner is None or owner.type not in {"class_declaration", "class"}:
                continue
            name = self.text(owner.child_by_field_name("name"))
            self.class_decorators.setdefault(name, set()).add(_decorator_name(decorator, self.text))

    # --- servers --------------------------------------------------------------------------------

    def _servers(self) -> list[ServerSite]:
        scan = self.scan
        sites: list[ServerSite] = []
        for new in scan.nodes("new"):
            ctor = new.child_by_field_name("constructor")
            if ctor is None:
                continue
            module, name = self._resolve(ctor)
            if module == "socket.io" and name in {"Server", "default", "*"}:
                sites.append(self._socket_io_site(new, ctor))
            elif module == "ws" and name in {"Server", "WebSocketServer"}:
                sites.append(
                    ServerSite("ws", scan.span(ctor), _assigned_name(new, self.text), False, False, None)
                )
        for call, fn, name, member in self.sites:
            if fn.type == "identifier" and name not in self.imports:
                continue
            if member:
                obj = fn.child_by_field_name("object")
                if obj is None or (obj.type == "identifier" and self.text(obj) not in self.imports):
                    continue
            if fn.type == "call_expression" and self._is_require_of(fn, "socket.io"):
                sites.append(self._socket_io_site(call, fn))
                continue
            module, name = self._resolve(fn)
            if module == "socket.io" and name in {"default", "*"}:
                sites.append(self._socket_io_site(call, fn))
            elif module == "uWebSockets.js" and name in {"App", "SSLApp"}:
                sites.append(
                    ServerSite("uws", scan.span(fn), _assigned_name(call, self.text), False, False, None)
                )
        for decorator in scan.nodes("decorator"):
            if _decorator_name(decorator, self.text) == "WebSocketGateway":
                ident = decorator.named_children[0] if decorator.named_children else decorator
                if ident.type == "call_expression":
                    ident = ident.child_by_field_name("function") or ident
                owner = decorator.parent
                if owner is not None and owner.type == "export_statement":
                    owner = owner.child_by_field_name("declaration")
                cls = self.text(owner.child_by_field_name("name")) if owner is not None else None
                sites.append(ServerSite("nestjs", scan.span(ident), cls or None, True, False, None))
        event_stream = scan.source.find(b"text/event-stream")
        if event_stream != -1 and not sites:
            node = scan.tree.root_node.named_descendant_for_byte_range(event_stream, event_stream + 17)
            if node is not None:
                sites.append(ServerSite("sse", scan.span(node), None, False, False, None))
        return sites

    def _socket_io_site(self, construction: Node, ctor: Node) -> ServerSite:
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
                    if key == "adapter":
                        storage = self._adapter_storage(pair.child_by_field_name("value"))
                        shared = storage is not None
                elif pair.type == "shorthand_property_identifier":
                    options.add(self.text(pair))
        return ServerSite(
            "socket.io", self.scan.span(ctor), _assigned_name(construction, self.text), True, shared,
            storage, frozenset(options),  # type: ignore[arg-type]
        )  # fmt: skip

    def _module_object(self, name: str) -> Node | None:
        """The object literal a module-level `const name = { ... }` holds, if any."""
        for decl in self.scan.nodes("decl"):
            value = decl.child_by_field_name("value")
            is_object = value is not None and value.type == "object" and _at_module_level(decl)
            if is_object and self.text(decl.child_by_field_name("name")) == name:
                return value
        return None

    def _adapter_storage(self, value: Node | None) -> str | None:
        """Backend of an adapter expression; None for single-host adapters (cluster, pm2)."""
        if value is not None and value.type == "call_expression":
            module, _ = self._resolve(value.child_by_field_name("function"))
            if module in SOCKET_IO_ADAPTERS:
                return SOCKET_IO_ADAPTERS[module]
        known = [SOCKET_IO_ADAPTERS[m] for m in self.modules if m in SOCKET_IO_ADAPTERS]
        if known:
            return next((k for k in known if k is not None), None)
        return "external"  # an adapter built elsewhere (a wrapper module): assume a shared one

    # --- containers -----------------------------------------------------------------------------

    def _declarations(self) -> list[Declaration]:
        scan = self.scan
        found: list[Declaration] = []
        for decl in scan.nodes("decl"):
            if not _at_module_level(decl):
                continue
            kind = self._container_kind(decl.child_by_field_name("value"))
            name_node = decl.child_by_field_name("name")
            if kind and name_node is not None:
                found.append(Declaration(("var", self.text(name_node)), self.text(name_node), None, "module",
                                         kind, name_node))  # fmt: skip
        for field_node in scan.nodes("field"):
            kind = self._container_kind(field_node.child_by_field_name("value"))
            name_node = field_node.child_by_field_name("property") or field_node.child_by_field_name("name")
            cls = _enclosing_class(field_node)
            if not kind or name_node is None or cls is None:
                continue
            is_static = any(c.type == "static" for c in field_node.children)
            owner = self.text(cls.child_by_field_name("name"))
            found.append(Declaration(("self", owner, self.text(name_node)), self.text(name_node), owner,
                                     "class" if is_static else "instance", kind, name_node,
                                     self._singleton_class(owner)))  # fmt: skip
        for assign in scan.nodes("assign"):
            left = assign.child_by_field_name("left")
            if left is None or left.type != "member_expression":
                continue
            obj = left.child_by_field_name("object")
            if obj is None or obj.type != "this":
                continue
            method = next((f for f in scan.enclosing_functions(assign)), None)
            if method is None or method.type != "method_definition":
                continue
            if self.text(method.child_by_field_name("name")) != "constructor":
                continue
            kind = self._container_kind(assign.child_by_field_name("right"))
            cls = _enclosing_class(method)
            prop = left.child_by_field_name("property")
            if kind and cls is not None and prop is not None:
                owner = self.text(cls.child_by_field_name("name"))
                found.append(Declaration(("self", owner, self.text(prop)), self.text(prop), owner, "instance",
                                         kind, prop, self._singleton_class(owner)))  # fmt: skip
        return found

    def _singleton_class(self, name: str) -> bool:
        decorators = self.class_decorators.get(name, set())
        return bool(decorators & {"WebSocketGateway", "Injectable", "Controller"})

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
        if (
            value.type == "call_expression"
            and self.text(value.child_by_field_name("function")) == "Object.create"
        ):
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
                if obj is not None and obj.type == "this":
                    cls = _enclosing_class(node)
                    prop = self.text(node.child_by_field_name("property"))
                    return (("self", self.text(cls.child_by_field_name("name")), prop) if cls else None), node
                if obj is not None and obj.type == "identifier" and self.text(obj) in self.instances:
                    # `store.sessions.set(...)` where `const store = new SessionStore()` is declared here
                    prop = self.text(node.child_by_field_name("property"))
                    return ("self", self.instances[self.text(obj)], prop), node
                node = obj
            elif node.type == "subscript_expression":
                node = node.child_by_field_name("object")
            elif (
                node.type == "binary_expression"
                and node.child_by_field_name("operator") is not None
                and (self.text(node.child_by_field_name("operator")) in {"??", "||"})
            ):
                node = node.child_by_field_name("left")
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

    def _mutations(self, declared: dict[ContainerKey, Declaration]) -> list[MutationRecord]:
        scan = self.scan
        records: list[MutationRecord] = []

        def add(
            target: Node | None, node: Node, operation: str, value: Node | None, whole: bool = False
        ) -> None:
            key, root = self._root(target)
            if key is None or key not in declared or root is None:
                return
            if whole and root is not _unwrap(target):
                return
            if key[0] == "var" and self._shadowed(root, key[1]):
                return
            if _is_empty_container(value):
                operation = "init"
            records.append(MutationRecord(key, node, operation, _is_handle(value, self.text)))

        for call, fn, method, member in self.sites:
            if member and (method in ADDING_METHODS or method in REMOVING_METHODS):
                args = call.child_by_field_name("arguments")
                values = args.named_children if args is not None else []
                position = ADDING_METHODS.get(method, -1)
                value = values[position] if 0 <= position < len(values) else None
                add(fn.child_by_field_name("object"), call, method, value)
        for assign in scan.nodes("assign"):
            left = assign.child_by_field_name("left")
            if left is None:
                continue
            right = assign.child_by_field_name("right")
            if left.type in {"subscript_expression", "member_expression"}:
                add(left.child_by_field_name("object"), assign, "[key] =", right)
            elif left.type == "identifier":
                add(left, assign, "reassign", right, whole=True)
        for node in scan.nodes("aug"):
            add(node.child_by_field_name("left"), node, "+=", None)
        for node in scan.nodes("update"):
            add(node.child_by_field_name("argument"), node, "++", None)
        for node in scan.nodes("delete"):
            arg = node.child_by_field_name("argument")
            add(arg.child_by_field_name("object") if arg is not None else None, node, "delete", None)
        return records

    def _shadowed(self, identifier: Node, name: str) -> bool:
        return any(name in self._local_names(fn) for fn in self.scan.enclosing_functions(identifier))

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
        self, declared: dict[ContainerKey, Declaration], servers: set[str]
    ) -> tuple[dict[ContainerKey, list[Node]], dict[str, list[Node]]]:
        """Loops that send to every element: `for (c of clients) c.send()`, `wss.clients.forEach(...)`."""
        loops: dict[ContainerKey, list[Node]] = {}
        server_loops: dict[str, list[Node]] = {}

        def note(iterable: Node | None, site: Node, body: Node | None) -> None:
            # what is iterated is checked first: scanning the body for sends is the costly part
            if iterable is None or body is None:
                return
            iterable = _unwrap(iterable)
            if (
                iterable is not None
                and iterable.type == "member_expression"
                and self.text(iterable.child_by_field_name("property")) == "clients"
                and self.text(iterable.child_by_field_name("object")) in servers
            ):
                if _sends(body, self.text):
                    server_loops.setdefault(self.text(iterable.child_by_field_name("object")), []).append(
                        site
                    )
                return
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
            if key is not None and key in declared and _sends(body, self.text):
                loops.setdefault(key, []).append(site)

        for loop in self.scan.nodes("loop"):
            note(loop.child_by_field_name("right"), loop, loop.child_by_field_name("body"))
        for call, fn, method, member in self.sites:
            if member and method in LOOP_METHODS:
                args = call.child_by_field_name("arguments")
                callback = args.named_children[0] if args is not None and args.named_children else None
                note(fn.child_by_field_name("object"), call, callback)
        return loops, server_loops

    # --- functions, handlers and calls ----------------------------------------------------------

    def _describe(self, fn: Node) -> FunctionInfo:
        text = self.text
        name: str | None = None
        handler = False
        cls = _enclosing_class(fn)
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
            gateway = "WebSocketGateway" in self.class_decorators.get(owner, set())
            handler = "SubscribeMessage" in decorators or (gateway and name in NEST_HANDLER_METHODS)
        if name in NEXT_ROUTE_EXPORTS and parent is not None and parent.type == "export_statement":
            handler = True
        return FunctionInfo(name or None, handler, owner)

    def _is_registration(self, call: Node | None) -> bool:
        if call is None or call.type != "call_expression":
            return False
        fn = call.child_by_field_name("function")
        if fn is None or fn.type != "member_expression":
            return False
        method = self.text(fn.child_by_field_name("property"))
        if method in REGISTRATION_METHODS:
            return True
        receiver = self.text(fn.child_by_field_name("object"))
        return method in ROUTE_METHODS and receiver in ROUTE_RECEIVERS

    def _context(self, node: Node) -> tuple[tuple[str, ...], int, bool]:
        return self.scan.context(node, self._describe, None)

    def _calls(self) -> tuple[set[str], dict[str, set[str]]]:
        handler_calls: set[str] = set()
        calls: dict[str, set[str]] = {}
        graph = (self.scope_calls, handler_calls, calls)
        for call, _fn, callee, member in self.sites:
            context = self._context(call)
            if (
                member
                and (callee in REGISTRATION_METHODS or callee in ROUTE_METHODS)
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
        return handler_calls, calls

    def _module_instances(self) -> set[str]:
        found = set()
        classes = {self.text(c.child_by_field_name("name")) for c in self.scan.nodes("class_decl")}
        for new in self.scan.nodes("new"):
            if not self.scan.enclosing_functions(new):
                ctor = self.text(new.child_by_field_name("constructor"))
                if ctor and ctor[0].isupper():
                    found.add(ctor)
                    holder = new.parent
                    if holder is not None and holder.type == "variable_declarator" and ctor in classes:
                        self.instances[self.text(holder.child_by_field_name("name"))] = ctor
        return found

    def _role(self, servers: list[ServerSite], handler_calls: set[str]) -> FileRole:
        if servers:
            return "server"
        modules = set(self.modules)
        if modules & CLIENT_MODULES or any(m.startswith(("react/", "next/navigation")) for m in modules):
            return "client"
        head = self.scan.source[:200].lstrip()
        if head.startswith((b'"use client"', b"'use client'")):
            return "client"
        source = self.scan.source
        browser = b"new WebSocket(" in source or b"new EventSource(" in source or b"document." in source
        if browser and not modules & {"ws", "socket.io", "express", "http", "node:http", "fastify"}:
            return "client"
        return "neutral"

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
            if method == "adapter" and values:
                storage = self._adapter_storage(values[0])
                if storage is not None:
                    found.append(
                        backend(scan, call, storage, "adapter", "subscriptions", "socket.io adapter", scope)
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
            elif lower in DATABASE_WRITE_METHODS and receiver not in {"Object", "Reflect"}:
                if lower == "add" and not receiver.endswith(("session", "db")):
                    continue
                state = classify_key_text(f"{receiver} {first}", None)
                found.append(backend(scan, call, "database", "write", state, f"{receiver}.{method}", scope,
                                     "database"))  # fmt: skip
            elif lower in {"query", "run", "execute", "exec"} and first.lstrip("`'\" ").upper().startswith(
                ("INSERT", "UPDATE", "REPLACE")
            ):
                state = classify_key_text(first, None)
                found.append(backend(scan, call, "database", "write", state, first[:60], scope, "database"))
        return found

    def _named(self, uses: list[BackendUse]) -> tuple[BackendUse, ...]:
        """Each use with the named function around it, so a handler calling that helper counts."""
        return tuple(replace(u, function=self.scan.scope_names.get(u.scope, "")) for u in uses)

    def _membership_calls(self) -> list[Span]:
        found = []
        for call, fn, method, member in self.sites:
            if not member or method not in {"join", "leave"}:
                continue
            receiver = self.text(fn.child_by_field_name("object")).split(".")[-1]
            if receiver in {
                "socket",
                "client",
            }:
                found.append(self.scan.span(call))
        return found

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
            return module, self._imported_as(name, module)
        if node.type == "member_expression":
            obj = node.child_by_field_name("object")
            if obj is not None and obj.type == "identifier" and self.text(obj) in self.imports:
                return self.imports[self.text(obj)], self.text(node.child_by_field_name("property"))
            if obj is not None and obj.type == "call_expression" and self._is_require_of(obj, None):
                args = obj.child_by_field_name("arguments")
                module = _string_value(self.text(args.named_children[0])) if args is not None else None
                return module, self.text(node.child_by_field_name("property"))
        return None, None

    def _imported_as(self, local: str, module: str) -> str:
        # the exported name is what matters for `new Server`; default/namespace imports act as "default"
        for source_node in self.scan.nodes("import.source"):
            if _string_value(self.text(source_node)) != module:
                continue
            for spec in _descendants(source_node.parent, "import_specifier"):  # type: ignore[arg-type]
                alias = spec.child_by_field_name("alias")
                if self.text(alias or spec.child_by_field_name("name")) == local:
                    return self.text(spec.child_by_field_name("name"))
            return "default"
        # `const { Server } = require("m")`: the pattern is not an identifier, so look from the call
        for call, _fn, name, member in self.sites:
            if member or name != "require" or not self._is_require_of(call, module):
                continue
            decl = call.parent
            pattern = (
                decl.child_by_field_name("name")
                if decl is not None and decl.type == "variable_declarator"
                else None
            )
            if pattern is not None and pattern.type == "object_pattern":
                for child in pattern.named_children:
                    if child.type == "shorthand_property_identifier_pattern" and self.text(child) == local:
                        return local
                    if (
                        child.type == "pair_pattern"
                        and self.text(child.child_by_field_name("value")) == local
                    ):
                        return self.text(child.child_by_field_name("key"))
        return "default"

    def _is_require_of(self, call: Node, module: str | None) -> bool:
        fn = call.child_by_field_name("function")
        if fn is None or self.text(fn) != "require":
            return False
        args = call.child_by_field_name("arguments")
        if args is None or not args.named_children or args.named_children[0].type != "string":
            return False
        return module is None or _string_value(self.text(args.named_children[0])) == module


# --- small tree helpers ---------------------------------------------------------------------------


def _string_value(text: str) -> str:
    if len(text) >= 2 and text[0] in "'\"`" and text[-1] == text[0]:
        return text[1:-1]
    return text


def _unwrap(node: Node | None) -> Node | None:
    while node is not None and node.type in {
        "parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression",
        "type_assertion", "await_expression",
    }:  # fmt: skip
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


def _enclosing_class(node: Node) -> Node | None:
    parent = node.parent
    while parent is not None:
        if parent.type in {"class_declaration", "class", "abstract_class_declaration"}:
            return parent
        parent = parent.parent
    return None


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
    return False


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


def _has_expiry(options: str) -> bool:
    upper = options.upper()
    return "'EX'" in upper or '"EX"' in upper or "EX:" in upper or "PX" in upper or "EXPIRATION" in upper


def extract(scan: FileScan) -> FileFacts:
    return JsExtractor(scan).run()
