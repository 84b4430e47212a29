"""The record each framework module exports: how its servers are built, how its handlers are registered,
what makes its fan-out shared, which of its calls publish only in process, and what users are told.

Plain frozen data: the extractors, the project view and the fixes layer read it; nothing here runs code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Family = Literal["ecmascript", "python"]
Storage = Literal["redis", "database", "memcached", "external"]
# what shares a server's fan-out across instances: a library adapter / manager / queue / layer configured
# anywhere in the project, or a pub/sub bridge the project writes itself; "" when it has no fan-out
SharedBy = Literal["adapter", "bridge", ""]


@dataclass(frozen=True, slots=True)
class ServerKind:
    """One `ServerSite.framework` value: what a user is told about such a server and how it is fixed."""

    id: str
    display: str  # "Socket.IO server"
    shared_by: SharedBy = ""
    no_shared_fanout: str = ""  # finding text when fan-out stays in process ({name}: the variable)
    suggestion: str = ""  # the shared backend to use instead, as a user reads it
    fix: str = ""  # fix builder name, resolved by the fixes layer (analysis never imports fixes)


@dataclass(frozen=True, slots=True)
class Framework:
    """Everything the engine knows about one real-time framework."""

    id: str  # the main `ServerSite.framework` value
    name: str  # as its documentation names it
    families: frozenset[Family]
    kinds: tuple[ServerKind, ...]  # every `ServerSite.framework` value it produces, the main one first
    # --- construction -------------------------------------------------------------------------
    constructors: tuple[tuple[str, str], ...] = ()  # `new C()`: (module, exported name; "default"/"*")
    factories: tuple[tuple[str, str], ...] = ()  # `f()`: (module, exported name); module "": from any module
    required_call: str = ""  # `require("m")(...)` builds a server of module m
    # `require("m")().http().io()`: (module m, method) called on an app that m's export made; the server
    # goes by `<app>.<method>` (`app.io`)
    app_methods: tuple[tuple[str, str], ...] = ()
    global_calls: tuple[str, ...] = ()  # `Bun.serve(...)`: callee as written, no import
    # `app.register(plugin)` with a plugin imported from one of these modules: the app serves it
    plugins: frozenset[str] = frozenset()
    handler_keys: frozenset[str] = frozenset()  # `{ wsHandler: fn }` in any call's options: a handler
    global_option: str = ""  # ... only when its first argument has this key (`websocket`)
    class_decorators: frozenset[str] = frozenset()  # a class declared with one is the server
    route_decorator: str = ""  # Python: `@app.websocket(...)` (regex on the decorator's text)
    consumer_bases: tuple[str, ...] = ()  # Python: a class whose bases name all of these is a server
    serve_functions: frozenset[str] = frozenset()  # Python: `serve(handler, ...)`; its arguments are handlers
    serve_modules: tuple[str, ...] = ()  # ... when qualified under one of these modules
    serve_unqualified: frozenset[str] = frozenset()  # ... or called by these bare names
    # Python: `app.add_api_websocket_route(path, endpoint)`: a method of any receiver serving its arguments
    serve_methods: frozenset[str] = frozenset()
    # Python: `web.WebSocketResponse()`: a serve function made inside the handler it makes one
    connection_objects: frozenset[str] = frozenset()
    strings: frozenset[str] = frozenset()  # a file serving this string is a server (`text/event-stream`)
    module_specifiers: frozenset[str] = frozenset()  # modules a server file of this framework imports
    client_modules: frozenset[str] = frozenset()  # importing one (and no server) makes a client file
    # --- handlers -----------------------------------------------------------------------------
    registration_methods: frozenset[str] = frozenset()  # `x.on("event", handler)`
    route_methods: frozenset[str] = frozenset()  # `app.get(path, handler)` ...
    route_receivers: frozenset[str] = frozenset()  # ... on one of these receivers
    route_exports: frozenset[str] = frozenset()  # `export function GET()` (file-based routes)
    handler_decorators: frozenset[str] = (
        frozenset()
    )  # on a method: `@SubscribeMessage`; Python: `.on`, `.event`
    lifecycle_methods: frozenset[str] = frozenset()  # methods of a server class that are handlers
    handler_bases: tuple[str, ...] = ()  # Python: methods of a class with one of these bases are handlers
    handler_options: frozenset[str] = frozenset()  # construction option keys whose functions are handlers
    # when set, this framework's registration and fan-out methods count only on these receivers
    # (`app.io.route(...)`, `req.io.broadcast(...)`): words as common as `route` say nothing elsewhere
    scoped_receivers: frozenset[str] = frozenset()
    handler_objects: frozenset[str] = frozenset()  # `app.ws(path, {open, message})`: registration methods
    # whose object argument holds the handlers
    singleton_decorators: frozenset[str] = frozenset()  # classes the framework instantiates once
    # Python: the application class a project subclasses (tornado's `Application`), built once per
    # process; what its `__init__` sets on `self` is reached from handlers as `self.<attribute>.<name>`
    application_bases: tuple[str, ...] = ()
    application_attribute: str = ""
    membership_methods: frozenset[str] = frozenset()  # `socket.join(room)` / `enter_room(...)`
    membership_receivers: frozenset[str] = frozenset()  # ... on one of these (any receiver when empty)
    # --- fan-out --------------------------------------------------------------------------------
    shared_option: str = ""  # constructor option holding the adapter (`adapter`)
    shared_keywords: tuple[str, ...] = ()  # Python keyword arguments that share fan-out
    adapter_methods: frozenset[str] = frozenset()  # `io.adapter(createAdapter(...))`
    adapters: tuple[tuple[str, Storage | None], ...] = ()  # adapter module -> storage (None: one host)
    manager_markers: tuple[str, ...] = ()  # a client manager naming one of these is a broker ("external")
    setup_calls: frozenset[str] = frozenset()  # `socketio.init_app(app, message_queue=...)`
    layer_setting: str = ""  # `CHANNEL_LAYERS`
    layer_kind: str = ""  # the `ServerSite.framework` of an in-process layer found in that setting
    memory_layer: str = ""  # the in-process layer's class path in that setting
    shared_layer_prefix: str = ""  # a shared layer's module prefix (`channels_redis.`)
    fanout_methods: frozenset[str] = frozenset()  # calls that reach others (`broadcast`), on its receivers
    fanout_targets: frozenset[str] = frozenset()  # ... also after a room target (`app.io.room(r)`)
    registry_property: str = ""  # `wss.clients`: the server's own connection registry
    bridge_calls: frozenset[str] = frozenset()  # `Broadcast(url)`: a pub/sub bridge library
    # --- in-process publishing: never a shared backend ------------------------------------------
    in_process_publish: frozenset[str] = frozenset()  # methods that fan out inside this process only
    in_process_receivers: frozenset[str] = (
        frozenset()
    )  # receivers (besides the server's variable) they are called on

    def kind(self, id: str) -> ServerKind | None:
        return next((k for k in self.kinds if k.id == id), None)
