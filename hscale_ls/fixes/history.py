"""History in a Redis Stream: every append also goes to the stream (XADD ... MAXLEN ~ 1000), and the
container is filled from the stream when the process starts, so history survives restarts and
deploys. Unsafe: it changes what the container holds at start-up."""

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
from hscale_ls.fixes.node import NODE_REDIS_VERSION, _import, _is_esm, package_and_resp, redis_client
from hscale_ls.fixes.python import spacer, stdlib_imports
from hscale_ls.fixes.style import ParsedSource, Style, detect, unique_name

TITLE = "Keep `{name}` in a Redis Stream too (written on send, loaded at start-up)"
NOTE = (
    "Each instance still answers from its own copy, filled from the stream when it starts; read the "
    "stream on join (XREVRANGE) when every instance must show messages sent through the others."
)
MAX_LEN = 1000


def _statement_of(parsed: ParsedSource, start: int, end: int) -> Node | None:
    node = parsed.node_at(start, end)
    while node is not None and node.type not in {"expression_statement"}:
        node = node.parent
    return node


def _appended_values(parsed: ParsedSource, ctx: FixContext, method: str) -> list[tuple[Node, str]] | None:
    """(statement, appended identifier) for every write to the container, or None when a write is not
    a plain append of a name (a value written twice must have no side effects)."""
    container = ctx.container()
    if container is None:
        return None
    found = []
    for mutation in container.mutations:
        if mutation.operation in {"shift", "pop", "popleft", "splice", "clear", "delete", "del", "remove"}:
            continue  # trimming the local copy; the stream trims itself
        if mutation.operation != method:
            return None
        text = parsed.source[mutation.span.start_byte : mutation.span.end_byte].decode()
        match = re.fullmatch(rf"[\w.$]+\.{method}\(\s*([A-Za-z_$][\w$]*)\s*\)", text)
        statement = _statement_of(parsed, mutation.span.start_byte, mutation.span.end_byte)
        if match is None or statement is None:
            return None
        expression = statement.named_children[0] if statement.named_children else statement
        if (expression.start_byte, expression.end_byte) != (mutation.span.start_byte, mutation.span.end_byte):
            return None  # the append is part of a larger statement: not rewritten
        found.append((statement, match.group(1)))
    return found or None


def history_stream(ctx: FixContext) -> list[Fix]:
    finding = ctx.finding
    if finding.container_kind not in {"array", "list", "deque"}:
        return []
    source = ctx.read(finding.path)
    if source is None:
        return []
    parsed = ParsedSource.of(finding.path, source)
    if parsed.language == "python":
        return _python(ctx, parsed)
    return _node(ctx, parsed)


def _node(ctx: FixContext, parsed: ParsedSource) -> list[Fix]:
    finding = ctx.finding
    appends = _appended_values(parsed, ctx, "push")
    declaration = parsed.node_at(finding.span.start_byte, finding.span.end_byte)
    if not appends or declaration is None:
        return []
    declaration = parsed.statement(declaration)
    if declaration.parent is None or declaration.parent.type != "program":
        return []
    style = detect(parsed.source, python=False)
    package, resp2 = package_and_resp(ctx, finding.path)
    name = finding.name
    client = unique_name(parsed.source, "historyRedis")
    ready = unique_name(parsed.source, "historyReady")
    save = unique_name(parsed.source, "save" + name[:1].upper() + name[1:])
    key = style.q(f"hscale:history:{name}")
    q, e, i = style.q, style.end, style.indent
    block = [
        "// Message history also lives in a Redis Stream: it survives restarts and deploys.",
        *redis_client(style, client, resp2),
        f"const {ready} = {client}.connect().then(async () => {{",
        f"{i}const entries = await {client}.xRange({key}, {q('-')}, {q('+')}){e}",
        f"{i}{name}.unshift(...entries.map((entry) => JSON.parse(entry.message.data))){e}",
        f"}}){e}",
        f"function {save}(item) {{",
        f"{i}{ready}",
        f"{i}{i}.then(() =>",
        f"{i}{i}{i}{client}.xAdd({key}, {q('*')}, {{ data: JSON.stringify(item) }}, {{",
        f"{i}{i}{i}{i}TRIM: {{ strategy: {q('MAXLEN')}, strategyModifier: {q('~')}, threshold: {MAX_LEN} }},",
        f"{i}{i}{i}}}),",
        f"{i}{i})",
        f"{i}{i}.catch((err) => console.error({q('history:')}, err.message)){e}",
        "}",
    ]
    edits: list[Edit] = []
    if "createClient" not in parsed.text():
        at = (
            parsed.after_imports(limit=declaration.start_byte)
            if not _is_esm(parsed)
            else parsed.after_imports()
        )
        edits.append(
            Edit(finding.path, at, at, style.lines(_import(style, _is_esm(parsed), "createClient", "redis")))
        )
    after_declaration = parsed.line_end(declaration.end_byte)
    edits.append(Edit(finding.path, after_declaration, after_declaration, style.lines(*block)))
    for statement, value in appends:
        at = parsed.line_end(statement.end_byte)
        indent = parsed.indentation(statement.start_byte)
        edits.append(Edit(finding.path, at, at, style.lines(f"{indent}{save}({value}){e}")))
    if package:
        edits.extend(add_node_dependencies(package, {"redis": NODE_REDIS_VERSION}, ctx.read))
    return [Fix(TITLE.format(name=finding.name), False, tuple(edits), note=NOTE)]


def _python(ctx: FixContext, parsed: ParsedSource) -> list[Fix]:
    finding = ctx.finding
    appends = _appended_values(parsed, ctx, "append")
    declaration = parsed.node_at(finding.span.start_byte, finding.span.end_byte)
    if not appends or declaration is None or finding.container_kind not in {"list", "deque"}:
        return []
    statement = parsed.statement(declaration)
    if statement.parent is None or statement.parent.type != "module":
        return []  # class attributes and instance fields: not rewritten
    if re.search(rb"(?m)^import redis\.asyncio as redis|^from redis import asyncio as redis", parsed.source):
        return []
    style = detect(parsed.source, python=True)
    name = finding.name
    key = style.q(f"hscale:history:{name}")
    store = unique_name(parsed.source, f"_{name}_stream")
    save = unique_name(parsed.source, f"save_{name}")
    q, i = style.q, style.indent
    url = f"os.environ.get({q('REDIS_URL')}, {q('redis://127.0.0.1:6379/0')})"
    is_async = any(_in_async_function(statement) for statement, _ in appends)
    is_sync = not all(_in_async_function(statement) for statement, _ in appends)
    block = [
        "# Message history also lives in a Redis Stream: it survives restarts and deploys.",
        f"{store} = redis.Redis.from_url({url}, decode_responses=True)",
        "try:",
        f"{i}{name}.extend(json.loads(fields[{q('data')}]) for _, fields in {store}.xrange({key}))",
        "except redis.RedisError as error:",
        f"{i}logging.getLogger(__name__).warning({q('history not loaded from Redis: %s')}, error)",
    ]
    if is_sync:
        block += [
            "",
            "",
            f"def {save}(item):",
            f"{i}{store}.xadd({key}, {{{q('data')}: json.dumps(item)}}, maxlen={MAX_LEN}, approximate=True)",
        ]
    if is_async:
        async_store = unique_name(parsed.source, f"_{name}_async_stream")
        block[2:2] = [f"{async_store} = redis.asyncio.Redis.from_url({url}, decode_responses=True)"]
        block += [
            "",
            "",
            f"async def {save}_async(item):",
            f"{i}await {async_store}.xadd({key}, {{{q('data')}: json.dumps(item)}}, maxlen={MAX_LEN}, approximate=True)",
        ]
    edits = _python_imports(parsed, style, is_async)
    after_declaration = parsed.line_end(statement.end_byte)
    text = style.lines("", *block) + spacer(parsed, after_declaration, style)
    edits.append(Edit(finding.path, after_declaration, after_declaration, text))
    for append_statement, value in appends:
        at = parsed.line_end(append_statement.end_byte)
        indent = parsed.indentation(append_statement.start_byte)
        call = f"await {save}_async({value})" if _in_async_function(append_statement) else f"{save}({value})"
        edits.append(Edit(finding.path, at, at, style.lines(f"{indent}{call}")))
    target = python_requirement_file(os.path.dirname(finding.path), ctx.root, ctx.read)
    if target:
        edits.extend(add_python_requirements(target, {"redis": ">=5.0"}, ctx.read))
    return [Fix(TITLE.format(name=finding.name), False, tuple(edits), note=NOTE)]


def _in_async_function(node: Node) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.type == "function_definition":
            return parent.children[0].type == "async"
        parent = parent.parent
    return False


def _python_imports(parsed: ParsedSource, style: Style, is_async: bool) -> list[Edit]:
    edits = stdlib_imports(parsed, style, ["json", "logging", "os"])
    redis_lines = []
    if not re.search(rb"(?m)^import redis\s*$", parsed.source):
        redis_lines.append("import redis")
    if is_async and not re.search(rb"(?m)^import redis\.asyncio\s*$", parsed.source):
        redis_lines.append("import redis.asyncio")
    if redis_lines:
        end = parsed.after_imports()
        edits.append(Edit(parsed.path, end, end, style.lines(*redis_lines)))
    return edits
