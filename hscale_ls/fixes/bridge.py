"""A Redis pub/sub bridge for hand-made broadcast functions (`ws`, FastAPI, SSE registries).

The function that loops over local connections gets a guard: called by application code, it publishes
its arguments to Redis and returns; one subscriber per process calls it back with `fromBridge`, so the
original loop delivers to this process's connections. Local connections stay local. Unsafe: the
function's signature and first lines change."""

from __future__ import annotations

import os
import re

from tree_sitter import Node

from hscale_ls.fixes.context import FixContext
from hscale_ls.fixes.manifests import (
    add_node_dependencies,
    add_python_requirements,
    python_requirement_file,
)
from hscale_ls.fixes.model import Edit, Fix
from hscale_ls.fixes.node import (
    NODE_REDIS_VERSION,
    _import,
    _is_esm,
    log_errors,
    package_and_resp,
    redis_client,
)
from hscale_ls.fixes.python import spacer, stdlib_imports
from hscale_ls.fixes.style import ParsedSource, detect, unique_name

TITLE = "Broadcast through a Redis pub/sub bridge (`{function}` publishes; each instance delivers locally)"
JS_FUNCTIONS = {"function_declaration", "method_definition"}


def _enclosing_function(node: Node | None, types: set[str]) -> Node | None:
    while node is not None and node.type not in types:
        node = node.parent
    return node


def pubsub_bridge(ctx: FixContext) -> list[Fix]:
    finding = ctx.finding
    container = ctx.container()
    source = ctx.read(finding.path)
    if container is None or not container.broadcasts or source is None:
        return []
    parsed = ParsedSource.of(finding.path, source)
    loops = [parsed.node_at(s.start_byte, s.end_byte) for s in container.broadcasts]
    python = parsed.language == "python"
    functions = {
        f.start_byte: f
        for f in (_enclosing_function(n, {"function_definition"} if python else JS_FUNCTIONS) for n in loops)
        if f is not None
    }
    if len(functions) != 1 or len(loops) != len(container.broadcasts):
        return []  # one named broadcast function, or nothing safe to do
    (function,) = functions.values()
    return _python(ctx, parsed, function) if python else _node(ctx, parsed, function)


def _parameters(parsed: ParsedSource, function: Node) -> list[str] | None:
    params = function.child_by_field_name("parameters")
    if params is None:
        return None
    names = []
    for param in params.named_children:
        text = parsed.source[param.start_byte : param.end_byte].decode()
        name = re.split(r"[:=\s]", text, maxsplit=1)[0]
        if not re.fullmatch(r"[A-Za-z_$][\w$]*", name) or text.startswith(("*", "...", "{", "[")):
            return None
        names.append(name)
    return names


def _node(ctx: FixContext, parsed: ParsedSource, function: Node) -> list[Fix]:
    finding = ctx.finding
    if (
        function.type != "function_declaration"
        or function.parent is None
        or function.parent.type != "program"
    ):
        return []
    name_node = function.child_by_field_name("name")
    params = _parameters(parsed, function)
    body = function.child_by_field_name("body")
    if name_node is None or params is None or body is None:
        return []
    name = parsed.source[name_node.start_byte : name_node.end_byte].decode()
    style = detect(parsed.source, python=False)
    q, e, i = style.q, style.end, style.indent
    flag = unique_name(parsed.source, "fromBridge")
    pub = unique_name(parsed.source, "bridgePub")
    sub = unique_name(parsed.source, "bridgeSub")
    channel = q(f"hscale:broadcast:{name}")
    package, resp2 = package_and_resp(ctx, finding.path)
    args = ", ".join(params)
    edits: list[Edit] = []
    if "createClient" not in parsed.text():
        esm = _is_esm(parsed)
        at = parsed.after_imports(limit=function.start_byte) if not esm else parsed.after_imports()
        edits.append(Edit(finding.path, at, at, style.lines(_import(style, esm, "createClient", "redis"))))
    # the signature gains the flag; the body starts with the guard
    params_node = function.child_by_field_name("parameters")
    assert params_node is not None
    close = params_node.end_byte - 1
    edits.append(Edit(finding.path, close, close, f"{', ' if params else ''}{flag} = false"))
    indent = parsed.indentation(function.start_byte)
    brace = body.start_byte + 1
    guard = style.lines(
        "",
        f"{indent}{i}if (!{flag}) {{",
        f"{indent}{i}{i}{pub}.publish({channel}, JSON.stringify([{args}])).catch((err) => console.error({q('bridge:')}, err.message)){e}",
        f"{indent}{i}{i}return{e}",
        f"{indent}{i}}}",
    ).rstrip("\r\n")
    edits.append(Edit(finding.path, brace, brace, guard))
    setup = style.lines(
        "",
        "// Broadcasts go through Redis pub/sub: each instance delivers to its own connections.",
        redis_client(style, pub, resp2)[0],
        f"const {sub} = {pub}.duplicate(){e}",
        log_errors(style, pub),
        log_errors(style, sub),
        f"Promise.all([{pub}.connect(), {sub}.connect()])",
        f"{i}.then(() => {sub}.subscribe({channel}, (raw) => {name}(...JSON.parse(raw), true)))",
        f"{i}.catch((err) => console.error({q('bridge:')}, err.message)){e}",
    )
    end = parsed.line_end(function.end_byte)
    edits.append(Edit(finding.path, end, end, setup))
    if package:
        edits.extend(add_node_dependencies(package, {"redis": NODE_REDIS_VERSION}, ctx.read))
    return [Fix(TITLE.format(function=name), False, tuple(edits))]


def _python(ctx: FixContext, parsed: ParsedSource, function: Node) -> list[Fix]:
    finding = ctx.finding
    if function.children[0].type != "async":
        return []  # the subscriber is an asyncio task
    name_node = function.child_by_field_name("name")
    params = _parameters(parsed, function)
    body = function.child_by_field_name("body")
    if name_node is None or params is None or body is None or not body.named_children:
        return []
    name = parsed.source[name_node.start_byte : name_node.end_byte].decode()
    style = detect(parsed.source, python=True)
    q, i = style.q, style.indent
    owner = _owner_instance(parsed, function)
    if params and params[0] == "self":
        if owner is None:
            return []
        params = params[1:]
        target = f"{owner}.{name}"
    elif function.parent is not None and function.parent.type in {"module"}:
        target = name
    else:
        return []
    flag = "_from_bridge"
    store = unique_name(parsed.source, "_bridge_redis")
    listen = unique_name(parsed.source, "_bridge_listen")
    start = unique_name(parsed.source, "_start_bridge")
    task = unique_name(parsed.source, "_bridge_task")
    channel = q(f"hscale:broadcast:{name}")
    url = f"os.environ.get({q('REDIS_URL')}, {q('redis://127.0.0.1:6379/0')})"
    edits: list[Edit] = []
    source = parsed.source
    edits += stdlib_imports(parsed, style, ["asyncio", "json", "os"])
    if not re.search(rb"(?m)^import redis\.asyncio\s*$", source):
        end = parsed.after_imports()
        edits.append(Edit(finding.path, end, end, style.lines("import redis.asyncio")))
    params_node = function.child_by_field_name("parameters")
    assert params_node is not None
    close = params_node.end_byte - 1
    edits.append(Edit(finding.path, close, close, f", {flag}=False"))
    statements = [c for c in body.named_children if c.type != "comment"]
    first = statements[0]
    if (
        first.type == "expression_statement"
        and first.named_children
        and first.named_children[0].type == "string"
    ):
        if len(statements) < 2:
            return []
        first = statements[1]  # keep the docstring first
    indent = parsed.indentation(first.start_byte)
    args = ", ".join(params)
    guard = style.lines(
        f"{indent}if not {flag}:",
        f"{indent}{i}{start}()",
        f"{indent}{i}await {store}.publish({channel}, json.dumps([{args}]))",
        f"{indent}{i}return",
    )
    line = parsed.line_start(first.start_byte)
    edits.append(Edit(finding.path, line, line, guard))
    statement = parsed.statement(function)
    top = statement
    while top.parent is not None and top.parent.type != "module":
        top = top.parent
    owner_end = parsed.line_end(_instance_statement_end(parsed, owner) if owner else top.end_byte)
    setup = style.lines(
        "",
        "",
        "# Broadcasts go through Redis pub/sub: each instance delivers to its own connections.",
        f"{store} = redis.asyncio.Redis.from_url({url}, decode_responses=True)",
        f"{task} = None",
        "",
        "",
        f"async def {listen}():",
        f"{i}async with {store}.pubsub() as pubsub:",
        f"{i}{i}await pubsub.subscribe({channel})",
        f"{i}{i}async for item in pubsub.listen():",
        f"{i}{i}{i}if item[{q('type')}] == {q('message')}:",
        f"{i}{i}{i}{i}await {target}(*json.loads(item[{q('data')}]), {flag}=True)",
        "",
        "",
        f"def {start}():",
        f"{i}{q('Subscribe once per process, from the running event loop.')}",
        f"{i}global {task}",
        f"{i}if {task} is None:",
        f"{i}{i}{task} = asyncio.get_running_loop().create_task({listen}())",
    )
    edits.append(Edit(finding.path, owner_end, owner_end, setup + spacer(parsed, owner_end, style)))
    container = ctx.container()
    for mutation in container.mutations if container else ():
        if mutation.operation not in {"append", "add", "[key] ="}:
            continue
        node = parsed.node_at(mutation.span.start_byte, mutation.span.end_byte)
        while node is not None and node.type != "expression_statement":
            node = node.parent
        if node is not None:
            at = parsed.line_end(node.end_byte)
            edits.append(
                Edit(finding.path, at, at, style.lines(f"{parsed.indentation(node.start_byte)}{start}()"))
            )
    target_file = python_requirement_file(os.path.dirname(finding.path), ctx.root, ctx.read)
    if target_file:
        edits.extend(add_python_requirements(target_file, {"redis": ">=5.0"}, ctx.read))
    return [Fix(TITLE.format(function=name), False, tuple(edits))]


def _owner_instance(parsed: ParsedSource, function: Node) -> str | None:
    cls = function.parent
    while cls is not None and cls.type != "class_definition":
        cls = cls.parent
    if cls is None:
        return None
    name_node = cls.child_by_field_name("name")
    if name_node is None:
        return None
    class_name = re.escape(parsed.source[name_node.start_byte : name_node.end_byte])
    match = re.search(rb"(?m)^(\w+)\s*=\s*" + class_name + rb"\(\)\s*$", parsed.source)
    return match.group(1).decode() if match else None


def _instance_statement_end(parsed: ParsedSource, owner: str) -> int:
    match = re.search(rb"(?m)^" + re.escape(owner.encode()) + rb"\s*=.*$", parsed.source)
    return match.end() if match else len(parsed.source)
