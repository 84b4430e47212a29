"""History in a Redis Stream: every append also goes to the stream (XADD ... MAXLEN ~ 1000, tagged with
the writing instance), the container is filled from the stream when the process starts, and each
instance follows the stream (XREAD BLOCK) for what the others append. History survives restarts and is
the same on every instance. Unsafe: it changes what the container holds."""

from __future__ import annotations

import os
import re
from collections.abc import Callable

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
from hscale_ls.fixes.style import ParsedSource, Style, unique_name
from hscale_ls.fixes.syntax import in_async_function

TITLE = "Keep `{name}` in a Redis Stream shared by every instance (written on send, followed by all)"
NOTE = (
    "Each instance keeps a copy in memory that it fills from the stream at start-up and keeps up to date "
    "by following the stream (XREAD), so history survives restarts and is the same on every instance."
)
MAX_LEN = 1000


def _statement_of(parsed: ParsedSource, start: int, end: int) -> Node | None:
    node = parsed.node_at(start, end)
    while node is not None and node.type not in {"expression_statement"}:
        node = node.parent
    return node


def appended_values(parsed: ParsedSource, ctx: FixContext, method: str) -> list[tuple[Node, str]] | None:
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
        text = parsed.source[mutation.span.start_byte : mutation.span.end_byte].decode("utf-8", "replace")
        match = re.fullmatch(rf"[\w.$]+\.{method}\(\s*([A-Za-z_$][\w$]*)\s*\)", text)
        statement = _statement_of(parsed, mutation.span.start_byte, mutation.span.end_byte)
        if match is None or statement is None:
            return None
        expression = statement.named_children[0] if statement.named_children else statement
        if (expression.start_byte, expression.end_byte) != (mutation.span.start_byte, mutation.span.end_byte):
            return None  # the append is part of a larger statement: not rewritten
        found.append((statement, match.group(1)))
    return found or None


def module_level_appends(
    parsed: ParsedSource, ctx: FixContext, method: str
) -> tuple[list[tuple[Node, str]], Node] | None:
    """The plain appends to the finding's container and its declaration statement, when that statement
    is at module level (class attributes and instance fields are not rewritten here)."""
    appends = appended_values(parsed, ctx, method)
    declaration = parsed.node_at(ctx.finding.span.start_byte, ctx.finding.span.end_byte)
    if not appends or declaration is None:
        return None
    statement = parsed.statement(declaration)
    if statement.parent is None or statement.parent.type not in {"program", "module"}:
        return None
    return appends, statement


def history_stream(ctx: FixContext) -> list[Fix]:
    finding = ctx.finding
    if finding.container_kind not in {"array", "list", "deque"}:
        return []
    source = ctx.read(finding.path)
    if source is None:
        return []
    parsed = ParsedSource.of(finding.path, source)
    build = _BY_FAMILY.get(parsed.language_entry.family)
    return build(ctx, parsed) if build is not None else []


def _node(ctx: FixContext, parsed: ParsedSource) -> list[Fix]:
    finding = ctx.finding
    found = module_level_appends(parsed, ctx, "push")
    if found is None:
        return []
    if ctx.titles_only:
        return [Fix(TITLE.format(name=finding.name), False, (), note=NOTE)]
    appends, declaration = found
    style = parsed.style()
    package, resp2 = package_and_resp(ctx, finding.path)
    name = finding.name
    client = unique_name(parsed.source, "historyRedis")
    reader = unique_name(parsed.source, "historyReader")
    origin = unique_name(parsed.source, "historyOrigin")
    ready = unique_name(parsed.source, "historyReady")
    capital = name[:1].upper() + name[1:]
    save = unique_name(parsed.source, "save" + capital)
    follow = unique_name(parsed.source, "follow" + capital)
    key = style.q(f"hscale:history:{name}")
    q, e, i = style.q, style.end, style.indent
    block = [
        "// Message history also lives in a Redis Stream: loaded at start-up, followed for what other",
        "// instances append, written on send. It survives restarts and is the same on every instance.",
        *redis_client(style, client, resp2),
        f"const {reader} = {client}.duplicate(){e}",
        log_errors(style, reader),
        f"const {origin} = `${{process.pid}}-${{Math.random().toString(36).slice(2)}}`{e}",
        f"const {ready} = Promise.all([{client}.connect(), {reader}.connect()]).then(async () => {{",
        f"{i}const entries = await {client}.xRange({key}, {q('-')}, {q('+')}){e}",
        f"{i}{name}.unshift(...entries.map((entry) => JSON.parse(entry.message.data))){e}",
        f"{i}{follow}(entries.length ? entries[entries.length - 1].id : {q('0-0')}){e}",
        f"}}){e}",
        f"async function {follow}(last) {{",
        f"{i}for (;;) {{",
        f"{i}{i}try {{",
        f"{i}{i}{i}const reply = await {reader}.xRead({{ key: {key}, id: last }}, {{ BLOCK: 0 }}){e}",
        f"{i}{i}{i}for (const entry of reply?.[0]?.messages ?? []) {{",
        f"{i}{i}{i}{i}last = entry.id{e}",
        f"{i}{i}{i}{i}if (entry.message.origin !== {origin}) {name}.push(JSON.parse(entry.message.data)){e}",
        f"{i}{i}{i}}}",
        f"{i}{i}}} catch (err) {{",
        f"{i}{i}{i}console.error({q('history:')}, err.message){e}",
        f"{i}{i}{i}await new Promise((resolve) => setTimeout(resolve, 1000)){e}",
        f"{i}{i}}}",
        f"{i}}}",
        "}",
        f"function {save}(item) {{",
        f"{i}{ready}",
        f"{i}{i}.then(() =>",
        f"{i}{i}{i}{client}.xAdd({key}, {q('*')}, {{ data: JSON.stringify(item), origin: {origin} }}, {{",
        f"{i}{i}{i}{i}TRIM: {{ strategy: {q('MAXLEN')}, strategyModifier: {q('~')}, threshold: {MAX_LEN} }},",
        f"{i}{i}{i}}}),",
        f"{i}{i})",
        f"{i}{i}.catch((err) => console.error({q('history:')}, err.message)){e}",
        "}",
    ]
    edits = create_client_import(parsed, style, declaration.start_byte)
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
    found = module_level_appends(parsed, ctx, "append")
    if found is None or finding.container_kind not in {"list", "deque"}:
        return []
    appends, statement = found
    if re.search(rb"(?m)^import redis\.asyncio as redis|^from redis import asyncio as redis", parsed.source):
        return []
    if ctx.titles_only:
        return [Fix(TITLE.format(name=finding.name), False, (), note=NOTE)]
    style = parsed.style()
    name = finding.name
    key = style.q(f"hscale:history:{name}")
    store = unique_name(parsed.source, f"_{name}_stream")
    origin = unique_name(parsed.source, f"_{name}_origin")
    entries = unique_name(parsed.source, f"_{name}_entries")
    follow = unique_name(parsed.source, f"_follow_{name}")
    save = unique_name(parsed.source, f"save_{name}")
    q, i = style.q, style.indent
    url = f"os.environ.get({q('REDIS_URL')}, {q('redis://127.0.0.1:6379/0')})"
    is_async = any(in_async_function(parsed, statement) for statement, _ in appends)
    is_sync = not all(in_async_function(parsed, statement) for statement, _ in appends)
    data, field = q("data"), q("origin")
    block = [
        "# Message history also lives in a Redis Stream: loaded at start-up, followed for what other",
        "# instances append, written on send. It survives restarts and is the same on every instance.",
        f"{store} = redis.Redis.from_url({url}, decode_responses=True)",
        f"{origin} = f{q('{os.getpid()}-{uuid.uuid4().hex}')}",
        "try:",
        f"{i}{entries} = {store}.xrange({key})",
        "except redis.RedisError as error:",
        f"{i}{entries} = []",
        f"{i}logging.getLogger(__name__).warning({q('history not loaded from Redis: %s')}, error)",
        f"{name}.extend(json.loads(fields[{data}]) for _, fields in {entries})",
        "",
        "",
        f"def {follow}(last_id):",
        f"{i}while True:",
        f"{i}{i}try:",
        f"{i}{i}{i}for _, stream_entries in {store}.xread({{{key}: last_id}}, block=0) or []:",
        f"{i}{i}{i}{i}for last_id, fields in stream_entries:",
        f"{i}{i}{i}{i}{i}if fields.get({field}) != {origin}:",
        f"{i}{i}{i}{i}{i}{i}{name}.append(json.loads(fields[{data}]))",
        f"{i}{i}except redis.RedisError as error:",
        f"{i}{i}{i}logging.getLogger(__name__).warning({q('history not followed: %s')}, error)",
        f"{i}{i}{i}time.sleep(1)",
        "",
        "",
        f"threading.Thread(target={follow}, args=({entries}[-1][0] if {entries} else {q('0-0')},), daemon=True).start()",
    ]
    if is_sync:
        block += [
            "",
            "",
            f"def {save}(item):",
            f"{i}{store}.xadd({key}, {{{data}: json.dumps(item), {field}: {origin}}}, maxlen={MAX_LEN}, approximate=True)",
        ]
    if is_async:
        async_store = unique_name(parsed.source, f"_{name}_async_stream")
        block[3:3] = [f"{async_store} = redis.asyncio.Redis.from_url({url}, decode_responses=True)"]
        block += [
            "",
            "",
            f"async def {save}_async(item):",
            f"{i}await {async_store}.xadd(",
            f"{i}{i}{key}, {{{data}: json.dumps(item), {field}: {origin}}}, maxlen={MAX_LEN}, approximate=True",
            f"{i})",
        ]
    edits = _python_imports(parsed, style, is_async)
    after_declaration = parsed.line_end(statement.end_byte)
    text = style.lines("", *block) + spacer(parsed, after_declaration, style)
    edits.append(Edit(finding.path, after_declaration, after_declaration, text))
    for append_statement, value in appends:
        at = parsed.line_end(append_statement.end_byte)
        indent = parsed.indentation(append_statement.start_byte)
        call = (
            f"await {save}_async({value})"
            if in_async_function(parsed, append_statement)
            else f"{save}({value})"
        )
        edits.append(Edit(finding.path, at, at, style.lines(f"{indent}{call}")))
    target = python_requirement_file(os.path.dirname(finding.path), ctx.root, ctx.read)
    if target:
        edits.extend(add_python_requirements(target, {"redis": ">=5.0"}, ctx.read))
    return [Fix(TITLE.format(name=finding.name), False, tuple(edits), note=NOTE)]


def _python_imports(parsed: ParsedSource, style: Style, is_async: bool) -> list[Edit]:
    edits = stdlib_imports(parsed, style, ["json", "logging", "os", "threading", "time", "uuid"])
    return edits + redis_imports(parsed, style, asynchronous=is_async)


# the stream each language family's code gets (a language without one gets no fix)
_BY_FAMILY: dict[str, Callable[[FixContext, ParsedSource], list[Fix]]] = {
    "ecmascript": _node,
    "python": _python,
}
