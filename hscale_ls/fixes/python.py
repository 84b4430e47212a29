"""Fixes for Python servers: python-socketio `client_manager=`, Flask-SocketIO `message_queue=`, and
the Django Channels Redis layer, each reading the Redis URL from the environment."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable

from tree_sitter import Node

from hscale_ls.fixes.context import FixContext
from hscale_ls.fixes.manifests import add_python_requirements, python_requirement_file
from hscale_ls.fixes.model import Edit, Fix
from hscale_ls.fixes.style import ParsedSource, Style

REDIS_URL = "redis://127.0.0.1:6379/0"
STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) or frozenset(
    {"asyncio", "json", "logging", "os", "time", "sys", "re", "collections", "typing", "functools"}
)
SIO_TITLE = "Fan out through Redis: client_manager=socketio.{manager}(REDIS_URL)"
FLASK_TITLE = "Fan out through Redis: SocketIO(..., message_queue=REDIS_URL)"
CHANNELS_TITLE = "Use the Redis channel layer (channels_redis.core.RedisChannelLayer)"


def _url(style: Style) -> str:
    return f"os.environ.get({style.q('REDIS_URL')}, {style.q(REDIS_URL)})"


def redis_imports(
    parsed: ParsedSource, style: Style, asynchronous: bool, synchronous: bool = True
) -> list[Edit]:
    """`import redis` / `import redis.asyncio` lines the file lacks, after its imports."""
    wanted = (["redis"] if synchronous else []) + (["redis.asyncio"] if asynchronous else [])
    missing = [
        m for m in wanted if not re.search(rb"(?m)^import " + re.escape(m.encode()) + rb"\s*$", parsed.source)
    ]
    if not missing:
        return []
    end = parsed.after_imports()
    return [Edit(parsed.path, end, end, style.lines(*(f"import {m}" for m in missing)))]


def stdlib_imports(parsed: ParsedSource, style: Style, modules: list[str]) -> list[Edit]:
    """Missing `import x` lines for standard-library modules, each placed in order among the file's
    plain `import` lines (where isort puts them), or after the docstring when the file has none."""
    missing = []
    for module in sorted(modules):
        bound = rb"(?m)^import " + module.encode() + rb"\s*$|^import .*\b" + module.encode() + rb"\b(?!\.)"
        if not re.search(bound, parsed.source):
            missing.append(module)
    if not missing:
        return []
    children = parsed.tree.root_node.named_children
    imports = [c for c in children if c.type in {"import_statement", "import_from_statement"}]
    if not imports:
        at = parsed.after_imports()
        return [Edit(parsed.path, at, at, style.lines(*(f"import {m}" for m in missing), ""))]
    plain = [
        (name, c)
        for c in imports
        if c.type == "import_statement"
        and (
            name := parsed.source[c.start_byte : c.end_byte]
            .decode("utf-8", "replace")
            .split()[1]
            .split(".")[0]
        )
        in STDLIB
    ]
    by_offset: dict[int, list[str]] = {}
    for module in missing:
        after = next((node for name, node in plain if name > module), None)
        if after is not None:
            at = parsed.line_start(after.start_byte)
        elif plain:
            at = parsed.line_end(plain[-1][1].end_byte)
        else:
            at = parsed.line_start(imports[0].start_byte)
        by_offset.setdefault(at, []).append(f"import {module}")
    return [Edit(parsed.path, at, at, style.lines(*sorted(lines))) for at, lines in by_offset.items()]


def spacer(parsed: ParsedSource, at: int, style: Style) -> str:
    """Blank lines to keep after an inserted top-level definition (two, as PEP 8 asks) when the code
    that follows starts right away."""
    following = parsed.source[at : at + 2]
    if not following or following.startswith((b"\n", b"\r\n")):
        return ""
    return style.newline * 2


def _import_os(parsed: ParsedSource, style: Style) -> list[Edit]:
    return stdlib_imports(parsed, style, ["os"])


def _requirements(ctx: FixContext, wanted: dict[str, str]) -> list[Edit]:
    target = python_requirement_file(os.path.dirname(ctx.finding.path), ctx.root, ctx.read)
    return add_python_requirements(target, wanted, ctx.read) if target else []


def _call_of(parsed: ParsedSource, start: int, end: int) -> Node | None:
    node = parsed.node_at(start, end)
    while node is not None and node.type != "call":
        node = node.parent
    return node


def insert_keyword(parsed: ParsedSource, call: Node, keyword: str, style: Style) -> Edit | None:
    """Add `keyword` as the last argument of a call, in the call's own layout."""
    args = call.child_by_field_name("arguments")
    if args is None or args.type != "argument_list":
        return None
    closing = args.end_byte - 1  # the ")"
    items = [c for c in args.named_children if c.type != "comment"]
    if not items:
        return Edit(parsed.path, closing, closing, keyword)
    last = items[-1]
    between = parsed.source[last.end_byte : closing]
    trailing_comma = b"," in between
    if b"\n" in between:  # one argument per line: a new line before the closing parenthesis
        indent = parsed.indentation(last.start_byte)
        comma = "" if trailing_comma else ","
        at = last.end_byte + (between.index(b",") + 1 if trailing_comma else 0)
        return Edit(parsed.path, at, at, f"{comma}{style.newline}{indent}{keyword},")
    at = last.end_byte + (between.index(b",") + 1 if trailing_comma else 0)
    return Edit(parsed.path, at, at, f"{'' if trailing_comma else ','} {keyword}")


def _socketio_module(parsed: ParsedSource) -> str | None:
    match = re.search(rb"(?m)^import socketio(?: as (\w+))?\s*$", parsed.source)
    if match:
        return (match.group(1) or b"socketio").decode("utf-8", "replace")
    return None


def _keyword_fix(
    ctx: FixContext, title: str, keyword: Callable[[ParsedSource, Style], tuple[str, list[Edit]]]
) -> list[Fix]:
    """A keyword argument added to the server construction the finding points at, with `import os`
    and the redis requirement; `keyword` gives the argument text and any import it needs."""
    finding = ctx.finding
    source = ctx.read(finding.path)
    if source is None:
        return []
    parsed = ParsedSource.of(finding.path, source)
    call = _call_of(parsed, finding.span.start_byte, finding.span.end_byte)
    if call is None:
        return []
    style = parsed.style()
    text, imports = keyword(parsed, style)
    argument = insert_keyword(parsed, call, text, style)
    if argument is None:
        return []
    if ctx.titles_only:
        return [Fix(title, True, (), preferred=True)]
    edits = [*_import_os(parsed, style), *imports, argument, *_requirements(ctx, {"redis": ">=5.0"})]
    return [Fix(title, True, tuple(edits), preferred=True)]


def python_socketio_manager(ctx: FixContext) -> list[Fix]:
    manager = "AsyncRedisManager" if "async" in ctx.server_options() else "RedisManager"

    def keyword(parsed: ParsedSource, style: Style) -> tuple[str, list[Edit]]:
        module = _socketio_module(parsed)
        imports = []
        if module is None:
            module = "socketio"
            at = parsed.after_imports()
            imports.append(Edit(parsed.path, at, at, style.lines("import socketio")))
        return f"client_manager={module}.{manager}({_url(style)})", imports

    return _keyword_fix(ctx, SIO_TITLE.format(manager=manager), keyword)


def flask_message_queue(ctx: FixContext) -> list[Fix]:
    return _keyword_fix(ctx, FLASK_TITLE, lambda parsed, style: (f"message_queue={_url(style)}", []))


def channels_redis_layer(ctx: FixContext) -> list[Fix]:
    finding = ctx.finding
    source = ctx.read(finding.path)
    if source is None:
        return []
    parsed = ParsedSource.of(finding.path, source)
    string = parsed.node_at(finding.span.start_byte, finding.span.end_byte)
    if string is None or string.type != "string":
        return []
    style = parsed.style()
    text = parsed.source[string.start_byte : string.end_byte].decode("utf-8", "replace")
    quote = text[0] if text[0] in "'\"" else style.quote
    replacement = f"{quote}channels_redis.core.RedisChannelLayer{quote}"
    edits = [Edit(parsed.path, string.start_byte, string.end_byte, replacement)]
    pair = string.parent
    dictionary = pair.parent if pair is not None and pair.type == "pair" else None
    if pair is None or dictionary is None:
        return []
    if ctx.titles_only:
        return [Fix(CHANNELS_TITLE, True, (), preferred=True)]
    has_config = any(
        child.type == "pair" and b"CONFIG" in parsed.source[child.start_byte : child.end_byte].split(b":")[0]
        for child in dictionary.named_children
    )
    if not has_config:
        hosts = f"{quote}CONFIG{quote}: {{{quote}hosts{quote}: [{_url(Style(quote, False, style.indent, style.newline))}]}}"
        between = parsed.source[pair.end_byte : dictionary.end_byte - 1]
        trailing_comma = between.lstrip().startswith(b",")
        at = pair.end_byte + (between.index(b",") + 1 if trailing_comma else 0)
        if b"\n" in between:
            indent = parsed.indentation(pair.start_byte)
            edits.append(
                Edit(parsed.path, at, at, f"{'' if trailing_comma else ','}{style.newline}{indent}{hosts},")
            )
        else:
            edits.append(Edit(parsed.path, at, at, f"{'' if trailing_comma else ','} {hosts}"))
    edits = [*_import_os(parsed, style), *edits, *_requirements(ctx, {"channels-redis": ">=4.2"})]
    return [Fix(CHANNELS_TITLE, True, tuple(edits), preferred=True)]
