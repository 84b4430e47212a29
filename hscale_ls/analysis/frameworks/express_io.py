"""express.io / express.oi: Express and Socket.IO in one object. `require("express.oi")()` makes the app,
`app.http().io()` makes its Socket.IO server, reached as `app.io`; handlers are `app.io.route(event, fn)`
and get a request whose `req.io` is the connection (`req.io.join(room)`); `app.io.room(r).broadcast(...)`,
`app.io.broadcast(...)` and `req.io.broadcast(...)` reach other clients. Under it is a Socket.IO server
whose rooms live in this process unless an adapter is set on `app.io`."""

from .model import Framework, ServerKind

EXPRESS_IO = Framework(
    id="express.io",
    name="express.io / express.oi",
    families=frozenset({"ecmascript"}),
    kinds=(
        ServerKind(
            "express.io",
            "express.io Socket.IO server",
            shared_by="adapter",
            no_shared_fanout="express.io server {name} has no adapter anywhere in the project",
            suggestion="a Socket.IO Redis adapter set on `app.io` (`app.io.adapter(...)`)",
        ),
    ),
    app_methods=(("express.oi", "io"), ("express.io", "io")),
    module_specifiers=frozenset({"express.oi", "express.io"}),
    registration_methods=frozenset({"route"}),
    membership_methods=frozenset({"join", "leave"}),
    membership_receivers=frozenset({"io"}),
    scoped_receivers=frozenset({"io"}),
    fanout_methods=frozenset({"broadcast"}),
    fanout_targets=frozenset({"room"}),
)
