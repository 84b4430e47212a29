"""Fixes for Node servers: the Socket.IO Redis adapter (node-redis, ioredis, Redis Streams) and the
NestJS RedisIoAdapter with its bootstrap wiring."""

from __future__ import annotations

import os
import re

from hscale_ls.fixes.context import FixContext
from hscale_ls.fixes.manifests import add_node_dependencies, nearest, node_dependencies
from hscale_ls.fixes.model import Edit, Fix
from hscale_ls.fixes.style import ParsedSource, Style, unique_name

ADAPTER_VERSION = "^8.3.0"
STREAMS_ADAPTER_VERSION = "^0.3.1"
# node-redis 6 defaults to RESP3, which the adapter is not tested with: new projects get redis@5
NODE_REDIS_VERSION = "^5.8.0"
REDIS_URL = "redis://127.0.0.1:6379"

ADAPTER_TITLE = "Add the Socket.IO Redis adapter (@socket.io/redis-adapter)"
STREAMS_TITLE = "Add the Socket.IO Redis Streams adapter (keeps connection state recovery working)"
NEST_TITLE = "Add a RedisIoAdapter and install it in the NestJS bootstrap"


def _is_esm(parsed: ParsedSource) -> bool:
    if parsed.language in {"typescript", "tsx"} or parsed.path.endswith((".mjs", ".mts")):
        return True
    return any(
        child.type in {"import_statement", "export_statement"}
        for child in parsed.tree.root_node.named_children
    )


def _top_level_await(parsed: ParsedSource, package: str | None, at_top: bool, ctx: FixContext) -> bool:
    if not at_top or (parsed.language in {"typescript", "tsx"} and not parsed.path.endswith(".mts")):
        return False  # TypeScript's module target decides; a promise chain works everywhere
    if parsed.path.endswith(".mjs"):
        return True
    if parsed.path.endswith(".js") and package is not None:
        raw = ctx.read(package) or b""
        return bool(re.search(rb'"type"\s*:\s*"module"', raw))
    return False


def package_and_resp(ctx: FixContext, path: str) -> tuple[str | None, str]:
    """The nearest package.json, and the createClient option node-redis 6 needs for the adapters
    (it defaults to RESP3, which they are not tested with)."""
    package = nearest(os.path.dirname(path), ("package.json",), ctx.root, ctx.read)
    deps = node_dependencies(package, ctx.read) if package else {}
    return package, ", RESP: 2" if deps.get("redis", "").lstrip("^~>= ").startswith("6") else ""


def redis_client(style: Style, name: str, resp: str) -> list[str]:
    """A node-redis client from REDIS_URL with an error listener (an unhandled error event would
    end the process)."""
    q, e = style.q, style.end
    return [
        f"const {name} = createClient({{ url: process.env.REDIS_URL || {q(REDIS_URL)}{resp} }}){e}",
        log_errors(style, name),
    ]


def log_errors(style: Style, client: str) -> str:
    q = style.q
    return f"{client}.on({q('error')}, (err) => console.error({q('redis:')}, err.message)){style.end}"


def _import(style: Style, esm: bool, names: str, module: str) -> str:
    if esm:
        return f"import {{ {names} }} from {style.q(module)}{style.end}"
    return f"const {{ {names} }} = require({style.q(module)}){style.end}"


def create_client_import(parsed: ParsedSource, style: Style, before: int) -> list[Edit]:
    """`createClient` from "redis" when the file does not name it yet: after the imports (CommonJS: the
    `require` lines above `before`, so the code using it comes after)."""
    if "createClient" in parsed.text():
        return []
    esm = _is_esm(parsed)
    at = parsed.after_imports() if esm else parsed.after_imports(limit=before)
    return [Edit(parsed.path, at, at, style.lines(_import(style, esm, "createClient", "redis")))]


def socket_io_adapter(ctx: FixContext) -> list[Fix]:
    finding = ctx.finding
    source = ctx.read(finding.path)
    if source is None or not finding.name or not re.fullmatch(r"[A-Za-z_$][\w$]*", finding.name):
        return []
    parsed = ParsedSource.of(finding.path, source)
    node = parsed.node_at(finding.span.start_byte, finding.span.end_byte)
    if node is None:
        return []
    if ctx.titles_only:
        streams = "connectionStateRecovery" in ctx.server_options()
        return [Fix(STREAMS_TITLE if streams else ADAPTER_TITLE, True, (), preferred=True)]
    statement = parsed.statement(node)
    style = parsed.style()
    package, resp2 = package_and_resp(ctx, finding.path)
    deps = node_dependencies(package, ctx.read) if package else {}
    esm = _is_esm(parsed)
    at_top = statement.parent is not None and statement.parent.type == "program"
    tla = _top_level_await(parsed, package, at_top, ctx)
    streams = "connectionStateRecovery" in ctx.server_options()
    ioredis = "ioredis" in deps and "redis" not in deps and not streams
    io = finding.name
    indent = parsed.indentation(statement.start_byte)
    url = f"process.env.REDIS_URL || {style.q(REDIS_URL)}"
    imports: list[str] = []
    body: list[str] = []
    if streams:
        client = unique_name(source, "redisClient")
        imports.append(_import(style, esm, "createAdapter", "@socket.io/redis-streams-adapter"))
        imports.append(_import(style, esm, "createClient", "redis"))
        body.extend(redis_client(style, client, resp2))
        connect = f"{client}.connect()"
        install = f"{io}.adapter(createAdapter({client})){style.end}"
        dependencies = {
            "@socket.io/redis-streams-adapter": STREAMS_ADAPTER_VERSION,
            "redis": NODE_REDIS_VERSION,
        }
    else:
        pub, sub = unique_name(source, "pubClient"), unique_name(source, "subClient")
        imports.append(_import(style, esm, "createAdapter", "@socket.io/redis-adapter"))
        dependencies = {"@socket.io/redis-adapter": ADAPTER_VERSION}
        if ioredis:
            imports.append(_import(style, esm, "Redis", "ioredis"))
            body.append(f"const {pub} = new Redis({url}){style.end}")
            body.append(f"const {sub} = {pub}.duplicate(){style.end}")
            body.append(f"{io}.adapter(createAdapter({pub}, {sub})){style.end}")
            connect = ""
            install = ""
        else:
            imports.append(_import(style, esm, "createClient", "redis"))
            dependencies["redis"] = NODE_REDIS_VERSION
            body.append(redis_client(style, pub, resp2)[0])
            body.append(f"const {sub} = {pub}.duplicate(){style.end}")
            body.extend(log_errors(style, client) for client in (pub, sub))
            connect = f"Promise.all([{pub}.connect(), {sub}.connect()])"
            install = f"{io}.adapter(createAdapter({pub}, {sub})){style.end}"
    if connect:
        if tla:
            body.append(f"await {connect}{style.end}")
            body.append(install)
        else:
            body.append(f"{connect}.then(() => {{")
            body.append(f"{style.indent}{install}")
            body.append(f"}}){style.end}")
    present_imports = [line for line in imports if line not in parsed.text()]
    edits: list[Edit] = []
    setup_at = parsed.line_end(statement.end_byte)
    if present_imports:
        at = parsed.after_imports(limit=statement.start_byte) if not esm else parsed.after_imports()
        if at > statement.start_byte:
            at = parsed.line_start(statement.start_byte)
        edits.append(Edit(finding.path, at, at, style.lines(*present_imports)))
    comment = "// Rooms and broadcasts reach every instance through Redis pub/sub."
    lines = [comment, *body]
    prefix = style.newline if not source[:setup_at].endswith(b"\n") else ""
    edits.append(
        Edit(
            finding.path,
            setup_at,
            setup_at,
            prefix + style.lines(*(indent + line if line else line for line in lines)),
        )
    )
    if package:
        edits.extend(add_node_dependencies(package, dependencies, ctx.read))
    title = STREAMS_TITLE if streams else ADAPTER_TITLE
    note = (
        ""
        if tla or not connect
        else "The adapter is installed once Redis is connected (a promise chain: top-level await is not available here)."
    )
    return [Fix(title, True, tuple(edits), preferred=True, note=note)]


NEST_ADAPTER = """import {{ IoAdapter }} from {q_platform}{end}
import {{ ServerOptions }} from {q_socketio}{end}
import {{ createAdapter }} from {q_adapter}{end}
import {{ createClient }} from {q_redis}{end}

// Socket.IO rooms and broadcasts reach every instance of the app through Redis pub/sub.
export class RedisIoAdapter extends IoAdapter {{
{i}private adapterConstructor: ReturnType<typeof createAdapter> | undefined{end}

{i}async connectToRedis(): Promise<void> {{
{i}{i}const pubClient = createClient({{ url: process.env.REDIS_URL || {q_url} }}){end}
{i}{i}const subClient = pubClient.duplicate(){end}
{i}{i}await Promise.all([pubClient.connect(), subClient.connect()]){end}
{i}{i}this.adapterConstructor = createAdapter(pubClient, subClient){end}
{i}}}

{i}createIOServer(port: number, options?: ServerOptions) {{
{i}{i}const server = super.createIOServer(port, options){end}
{i}{i}if (this.adapterConstructor) server.adapter(this.adapterConstructor){end}
{i}{i}return server{end}
{i}}}
}}
"""


def nest_adapter(ctx: FixContext) -> list[Fix]:
    bootstrap = next((p for p in ctx.paths() if b"NestFactory.create" in (ctx.read(p) or b"")), None)
    if bootstrap is None:
        return []
    source = ctx.read(bootstrap) or b""
    parsed = ParsedSource.of(bootstrap, source)
    match = re.search(rb"(?:const|let|var)\s+(\w+)\s*(?::[^=]+)?=\s*await\s+NestFactory\.create", source)
    if match is None:
        return []
    app = match.group(1).decode("utf-8", "replace")
    node = parsed.node_at(match.start(), match.end())
    if node is None:
        return []
    statement = parsed.statement(node)
    style = parsed.style()
    folder = os.path.dirname(bootstrap)
    adapter_path = os.path.join(folder, "redis-io.adapter.ts")
    if ctx.read(adapter_path) is not None:
        return []
    if ctx.titles_only:
        return [Fix(NEST_TITLE, True, (), preferred=True)]
    adapter_text = NEST_ADAPTER.format(
        q_platform=style.q("@nestjs/platform-socket.io"),
        q_socketio=style.q("socket.io"),
        q_adapter=style.q("@socket.io/redis-adapter"),
        q_redis=style.q("redis"),
        q_url=style.q(REDIS_URL),
        end=style.end,
        i=style.indent,
    ).replace("\n", style.newline)
    variable = unique_name(source, "redisIoAdapter")
    indent = parsed.indentation(statement.start_byte)
    wiring = style.lines(
        f"{indent}const {variable} = new RedisIoAdapter({app}){style.end}",
        f"{indent}await {variable}.connectToRedis(){style.end}",
        f"{indent}{app}.useWebSocketAdapter({variable}){style.end}",
    )
    at = parsed.after_imports()
    edits = [
        Edit(adapter_path, 0, 0, adapter_text, create=True),
        Edit(
            bootstrap,
            at,
            at,
            style.lines(f"import {{ RedisIoAdapter }} from {style.q('./redis-io.adapter')}{style.end}"),
        ),
        Edit(bootstrap, parsed.line_end(statement.end_byte), parsed.line_end(statement.end_byte), wiring),
    ]
    package = nearest(folder, ("package.json",), ctx.root, ctx.read)
    if package:
        edits.extend(
            add_node_dependencies(
                package, {"@socket.io/redis-adapter": ADAPTER_VERSION, "redis": NODE_REDIS_VERSION}, ctx.read
            )
        )
    return [Fix(NEST_TITLE, True, tuple(edits), preferred=True)]
