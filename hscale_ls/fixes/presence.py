"""Presence with expiry in Redis: every place that marks someone online also scores them in a sorted
set (`ZADD presence:<name> <now> <member>`), every place that removes them runs `ZREM`; readers list
`ZRANGEBYSCORE key <now - ttl> +inf`, so members of a crashed instance age out. Unsafe: it extends
existing statements."""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from tree_sitter import Node

from hscale_ls.analysis.facts import HANDLE_NAMES
from hscale_ls.fixes.context import FixContext
from hscale_ls.fixes.manifests import (
    add_node_dependencies,
    add_python_requirements,
    python_requirement_file,
)
from hscale_ls.fixes.model import Edit, Fix
from hscale_ls.fixes.node import NODE_REDIS_VERSION, create_client_import, package_and_resp, redis_client
from hscale_ls.fixes.python import redis_imports, spacer, stdlib_imports
from hscale_ls.fixes.style import ParsedSource, unique_name
from hscale_ls.fixes.syntax import in_async_function

TITLE = "Also keep `{name}` in a Redis sorted set with heartbeat scores (members expire)"
NOTE = (
    "Each instance still reads its own copy; list everyone online with ZRANGEBYSCORE <key> <now - 60 s> +inf, "
    "and refresh members on a heartbeat so a crashed instance's users age out."
)
_SIMPLE = r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*|\[[\w\"'.$]+\])*"


def _member_sites(parsed: ParsedSource, ctx: FixContext) -> list[tuple[Node, str, bool]] | None:
    """(statement, member expression, online?) for every write, or None if one cannot be mirrored."""
    container = ctx.container()
    if container is None:
        return None
    name = re.escape(ctx.finding.name)
    receiver = rf"(?:self\.|cls\.|this\.|\w+\.)?{name}"
    patterns = [
        (rf"{receiver}\.(?:set|setdefault)\(\s*({_SIMPLE})\s*,[\s\S]*\)", True),
        (rf"{receiver}\.(?:add)\(\s*({_SIMPLE})\s*\)", True),
        (rf"{receiver}\[({_SIMPLE})\]\s*=[\s\S]*", True),
        (rf"{receiver}\.(?:delete|discard|remove|pop)\(\s*({_SIMPLE})\s*(?:,[^)]*)?\)", False),
        (rf"(?:delete|del)\s+{receiver}\[({_SIMPLE})\]", False),
    ]
    found = []
    for mutation in container.mutations:
        if mutation.operation == "init":
            return None
        text = parsed.source[mutation.span.start_byte : mutation.span.end_byte].decode("utf-8", "replace")
        match = next(
            ((m, online) for pattern, online in patterns if (m := re.fullmatch(pattern, text))), None
        )
        statement = parsed.node_at(mutation.span.start_byte, mutation.span.end_byte)
        while statement is not None and statement.type not in {"expression_statement", "delete_statement"}:
            statement = statement.parent
        if match is None or statement is None:
            return None
        if re.split(r"[.\[]", match[0].group(1))[-1].lower() in HANDLE_NAMES:
            return None  # keyed by a live connection, not by who is online: nothing to score
        expression = statement.named_children[0] if statement.named_children else statement
        if statement.type == "expression_statement" and (expression.start_byte, expression.end_byte) != (
            mutation.span.start_byte,
            mutation.span.end_byte,
        ):
            return None  # the write is part of a larger statement (`(x) => users.add(x)`): not rewritten
        found.append((statement, match[0].group(1), match[1]))
    return found or None


def presence_sorted_set(ctx: FixContext) -> list[Fix]:
    finding = ctx.finding
    if finding.container_kind not in {"Map", "Set", "object", "dict", "set"}:
        return []
    source = ctx.read(finding.path)
    if source is None:
        return []
    parsed = ParsedSource.of(finding.path, source)
    sites = _member_sites(parsed, ctx)
    declaration = parsed.node_at(finding.span.start_byte, finding.span.end_byte)
    if not sites or declaration is None:
        return []
    statement = parsed.statement(declaration)
    build = _BY_FAMILY.get(parsed.language_entry.family)
    if build is None or statement.parent is None or statement.parent.type != parsed.language_entry.root_type:
        return []  # fields of classes are not rewritten
    return build(ctx, parsed, sites, statement)


def _node(
    ctx: FixContext, parsed: ParsedSource, sites: list[tuple[Node, str, bool]], declaration: Node
) -> list[Fix]:
    finding = ctx.finding
    for statement, _, _ in sites:
        line_start = parsed.line_start(statement.start_byte)
        if (
            parsed.source[line_start : statement.start_byte].strip()
            or b"\n" in parsed.source[statement.start_byte : statement.end_byte]
        ):
            return []  # the write shares its line with other code (`(x) => users.add(x)`): not rewritten
    if ctx.titles_only:
        return [Fix(TITLE.format(name=finding.name), False, (), note=NOTE)]
    style = parsed.style()
    q, e, i = style.q, style.end, style.indent
    package, resp2 = package_and_resp(ctx, finding.path)
    name = finding.name
    client = unique_name(parsed.source, "presenceRedis")
    ready = unique_name(parsed.source, "presenceReady")
    track = unique_name(parsed.source, "track" + name[:1].upper() + name[1:])
    key = q(f"hscale:presence:{name}")
    block = [
        "// Presence also lives in a Redis sorted set scored by last-seen time: members expire.",
        *redis_client(style, client, resp2),
        f"const {ready} = {client}.connect(){e}",
        f"function {track}(member, online) {{",
        f"{i}{ready}",
        f"{i}{i}.then(() =>",
        f"{i}{i}{i}online",
        f"{i}{i}{i}{i}? {client}.zAdd({key}, {{ score: Date.now(), value: String(member) }})",
        f"{i}{i}{i}{i}: {client}.zRem({key}, String(member)),",
        f"{i}{i})",
        f"{i}{i}.catch((err) => console.error({q('presence:')}, err.message)){e}",
        "}",
    ]
    edits = create_client_import(parsed, style, declaration.start_byte)
    at = parsed.line_end(declaration.end_byte)
    edits.append(Edit(finding.path, at, at, style.lines(*block)))
    for statement, member, online in sites:
        at = parsed.line_end(statement.end_byte)
        indent = parsed.indentation(statement.start_byte)
        edits.append(
            Edit(finding.path, at, at, style.lines(f"{indent}{track}({member}, {str(online).lower()}){e}"))
        )
    if package:
        edits.extend(add_node_dependencies(package, {"redis": NODE_REDIS_VERSION}, ctx.read))
    return [Fix(TITLE.format(name=finding.name), False, tuple(edits), note=NOTE)]


def _python(
    ctx: FixContext, parsed: ParsedSource, sites: list[tuple[Node, str, bool]], declaration: Node
) -> list[Fix]:
    finding = ctx.finding
    style = parsed.style()
    q, i = style.q, style.indent
    name = finding.name
    if re.search(rb"(?m)^import redis\.asyncio as redis|^from redis import asyncio as redis", parsed.source):
        return []
    if ctx.titles_only:
        return [Fix(TITLE.format(name=finding.name), False, (), note=NOTE)]
    key = q(f"hscale:presence:{name}")
    url = f"os.environ.get({q('REDIS_URL')}, {q('redis://127.0.0.1:6379/0')})"
    any_async = any(in_async_function(parsed, s) for s, _, _ in sites)
    any_sync = not all(in_async_function(parsed, s) for s, _, _ in sites)
    store = unique_name(parsed.source, f"_{name}_presence")
    track = unique_name(parsed.source, f"track_{name}")
    block = ["", "# Presence also lives in a Redis sorted set scored by last-seen time: members expire."]
    if any_sync:
        block += [
            f"{store} = redis.Redis.from_url({url})",
            "",
            "",
            f"def {track}(member, online):",
            f"{i}if online:",
            f"{i}{i}{store}.zadd({key}, {{str(member): time.time()}})",
            f"{i}else:",
            f"{i}{i}{store}.zrem({key}, str(member))",
        ]
    if any_async:
        async_store = unique_name(parsed.source, f"_{name}_async_presence")
        block += [
            f"{async_store} = redis.asyncio.Redis.from_url({url})",
            "",
            "",
            f"async def {track}_async(member, online):",
            f"{i}if online:",
            f"{i}{i}await {async_store}.zadd({key}, {{str(member): time.time()}})",
            f"{i}else:",
            f"{i}{i}await {async_store}.zrem({key}, str(member))",
        ]
    edits: list[Edit] = []
    edits += stdlib_imports(parsed, style, ["os", "time"])
    edits += redis_imports(parsed, style, asynchronous=any_async)
    at = parsed.line_end(declaration.end_byte)
    edits.append(Edit(finding.path, at, at, style.lines(*block) + spacer(parsed, at, style)))
    for statement, member, online in sites:
        at = parsed.line_end(statement.end_byte)
        indent = parsed.indentation(statement.start_byte)
        call = (
            f"await {track}_async({member}, {online})"
            if in_async_function(parsed, statement)
            else f"{track}({member}, {online})"
        )
        edits.append(Edit(finding.path, at, at, style.lines(f"{indent}{call}")))
    target = python_requirement_file(os.path.dirname(finding.path), ctx.root, ctx.read)
    if target:
        edits.extend(add_python_requirements(target, {"redis": ">=5.0"}, ctx.read))
    return [Fix(TITLE.format(name=finding.name), False, tuple(edits), note=NOTE)]


# the rewrite each language family's code gets (a language without one gets no fix)
_BY_FAMILY: dict[str, Callable[[FixContext, ParsedSource, list[tuple[Node, str, bool]], Node], list[Fix]]] = {
    "ecmascript": _node,
    "python": _python,
}
