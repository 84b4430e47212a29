"""A Redis pub/sub bridge for hand-made broadcast functions (`ws`, FastAPI, SSE registries).

The function that loops over local connections gets a guard: called by application code, it publishes
its arguments to Redis and returns; one subscriber per process calls it back with `fromBridge`, so the
original loop delivers to this process's connections. Local connections stay local. Unsafe: the
function's signature and first lines change."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Set

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
    create_client_import,
    log_errors,
    package_and_resp,
    redis_client,
)
from hscale_ls.fixes.python import redis_imports, spacer, stdlib_imports
from hscale_ls.fixes.style import ParsedSource, unique_name
from hscale_ls.fixes.syntax import enclosing_function, function_around

TITLE = "Broadcast through a Redis pub/sub bridge (`{function}` publishes; each instance delivers locally)"


def pubsub_bridge(ctx: FixContext) -> list[Fix]:
    finding = ctx.finding
    container = ctx.container()
    source = ctx.read(finding.path)
    if container is None or not container.broadcasts or source is None:
        return []
    parsed = ParsedSource.of(finding.path, source)
    loops = [parsed.node_at(s.start_byte, s.end_byte) for s in container.broadcasts]
    family = parsed.language_entry.family
    if family not in _BY_FAMILY:
        return []
    function_types = parsed.language_entry.function_types
    functions = {
        f.start_byte: f for f in (enclosing_function(n, function_types) for n in loops) if f is not None
    }
    if family == "ecmascript" and not functions and len(loops) == 1 and loops[0] is not None:
        return _node_inline(ctx, parsed, loops[0])  # a loop written inline in a route handler
    if len(functions) != 1 or len(loops) != len(container.broadcasts):
        return []  # one named broadcast function, or nothing safe to do
    (function,) = functions.values()
    return _BY_FAMILY[family](ctx, parsed, function)


def _identifiers(node: Node) -> set[str]:
    found, stack = set(), [node]
    while stack:
        current = stack.pop()
        if current.type in {"identifier", "shorthand_property_identifier"} and current.text:
            found.add(current.text.decode("utf-8", "replace"))
        stack.extend(current.children)
    return found


def _declared_in(function: Node, skip: Node, any_function: Set[str]) -> set[str]:
    """Parameters and variables of `function` itself (not of nested functions, not inside `skip`)."""
    names: set[str] = set()
    params = function.child_by_field_name("parameters") or function.child_by_field_name("parameter")
    if params is not None:
        names |= _identifiers(params)
    body = function.child_by_field_name("body")
    stack = list(body.children) if body is not None else []
    while stack:
        current = stack.pop()
        if current.type in any_function or current.id == skip.id:
            continue
        if current.type == "variable_declarator":
            pattern = current.child_by_field_name("name")
            if pattern is not None:
                names |= _identifiers(pattern)
        stack.extend(current.children)
    return names


def _node_inline(ctx: FixContext, parsed: ParsedSource, loop: Node) -> list[Fix]:
    """Move a broadcast loop written inside a route handler into a module-level delivery function;
    the handler publishes the values the loop uses, every instance's subscriber delivers them."""
    finding = ctx.finding
    statement: Node | None = loop
    while statement is not None and statement.type not in {
        "expression_statement",
        "for_in_statement",
        "for_statement",
    }:
        statement = statement.parent
    function = function_around(parsed, statement) if statement is not None else None
    if statement is None or function is None:
        return []
    text = parsed.source[statement.start_byte : statement.end_byte]
    if any(
        word in text for word in (b"await", b"return", b"this", b"arguments", b"yield", b"break", b"continue")
    ):
        return []  # moving it would change what it means
    body = function.child_by_field_name("body")
    if body is None or body.type != "statement_block":
        return []
    free = sorted(
        _identifiers(statement) & _declared_in(function, statement, parsed.language_entry.any_function_types)
    )
    top = statement
    while top.parent is not None and top.parent.type != "program":
        top = top.parent
    style = parsed.style()
    q, e, i = style.q, style.end, style.indent
    name = finding.name
    capital = name[:1].upper() + name[1:]
    deliver = unique_name(parsed.source, "deliver" + capital)
    pub = unique_name(parsed.source, "bridgePub")
    sub_ = unique_name(parsed.source, "bridgeSub")
    channel = q(f"hscale:broadcast:{name}")
    package, resp2 = package_and_resp(ctx, finding.path)
    values = "{ " + ", ".join(free) + " }" if free else "{}"
    start = parsed.line_start(statement.start_byte)
    end = parsed.line_end(statement.end_byte)
    indent = parsed.indentation(statement.start_byte)
    try:
        moved = parsed.source[start:end].decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return []  # moved through text, bytes that are not UTF-8 would come out changed
    if ctx.titles_only:
        return [Fix(TITLE.format(function=f"route handler's loop over {name}"), False, ())]
    body_lines = [i + (line[len(indent) :] if line.startswith(indent) else line.lstrip()) for line in moved]
    block = style.lines(
        "",
        "// Broadcasts go through Redis pub/sub: each instance delivers to its own connections.",
        f"function {deliver}({values}) {{",
        *body_lines,
        "}",
        redis_client(style, pub, resp2)[0],
        f"const {sub_} = {pub}.duplicate(){e}",
        log_errors(style, pub),
        log_errors(style, sub_),
        f"Promise.all([{pub}.connect(), {sub_}.connect()])",
        f"{i}.then(() => {sub_}.subscribe({channel}, (raw) => {deliver}(JSON.parse(raw))))",
        f"{i}.catch((err) => console.error({q('bridge:')}, err.message)){e}",
    )
    publish = f"{indent}{pub}.publish({channel}, JSON.stringify({values})).catch((err) => console.error({q('bridge:')}, err.message)){e}"
    edits = [Edit(finding.path, start, end, style.lines(publish))]
    after = parsed.line_end(top.end_byte)
    edits.append(Edit(finding.path, after, after, block))
    edits += create_client_import(parsed, style, top.start_byte)
    if package:
        edits.extend(add_node_dependencies(package, {"redis": NODE_REDIS_VERSION}, ctx.read))
    return [Fix(TITLE.format(function=f"route handler's loop over {name}"), False, tuple(edits))]


def _parameters(parsed: ParsedSource, function: Node) -> list[str] | None:
    params = function.child_by_field_name("parameters")
    if params is None:
        return None
    names = []
    for param in params.named_children:
        text = parsed.source[param.start_byte : param.end_byte].decode("utf-8", "replace")
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
    name = parsed.source[name_node.start_byte : name_node.end_byte].decode("utf-8", "replace")
    if ctx.titles_only:
        return [Fix(TITLE.format(function=name), False, ())]
    style = parsed.style()
    q, e, i = style.q, style.end, style.indent
    flag = unique_name(parsed.source, "fromBridge")
    pub = unique_name(parsed.source, "bridgePub")
    sub = unique_name(parsed.source, "bridgeSub")
    channel = q(f"hscale:broadcast:{name}")
    package, resp2 = package_and_resp(ctx, finding.path)
    args = ", ".join(params)
    edits = create_client_import(parsed, style, function.start_byte)
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
    name = parsed.source[name_node.start_byte : name_node.end_byte].decode("utf-8", "replace")
    style = parsed.style()
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
    edits += stdlib_imports(parsed, style, ["asyncio", "json", "os"])
    edits += redis_imports(parsed, style, asynchronous=True, synchronous=False)
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
    if ctx.titles_only:
        return [Fix(TITLE.format(function=name), False, ())]
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
    return match.group(1).decode("utf-8", "replace") if match else None


def _instance_statement_end(parsed: ParsedSource, owner: str) -> int:
    match = re.search(rb"(?m)^" + re.escape(owner.encode()) + rb"\s*=.*$", parsed.source)
    return match.end() if match else len(parsed.source)


# the bridge each language family's code is written with (a language without one gets no fix)
_BY_FAMILY: dict[str, Callable[[FixContext, ParsedSource, Node], list[Fix]]] = {
    "ecmascript": _node,
    "python": _python,
}
