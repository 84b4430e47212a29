"""History through the project's own database layer, when it already has a model for messages: every
append also saves the message through that model, and each function that reads the container first
fills it from the newest rows, so a join replays what any instance stored, also after a restart.

Offered only when the model fits the messages: every key of the appended dict is a column of the
model and every column the database requires is among those keys. A generated insert that the
schema rejects would lose messages, so anything less certain gets no fix (the Redis Stream one stays).
Unsafe: it changes what the container holds and when handlers wait.

Python: Django models (`Message.objects.create`, wrapped in `database_sync_to_async` in async code)
and SQLAlchemy declarative models with a `sessionmaker` (`session.add` + `commit`, in a worker
thread from async code). JavaScript / TypeScript: Mongoose models (`Model.create`,
`find().sort().limit()`) and Prisma (`prisma.message.create`, `findMany`)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from hscale_ls.analysis.facts import StateContainer
from hscale_ls.fixes.context import FixContext
from hscale_ls.fixes.history import appended_values
from hscale_ls.fixes.model import Edit, Fix
from hscale_ls.fixes.python import spacer, stdlib_imports
from hscale_ls.fixes.style import ParsedSource, Style, unique_name
from hscale_ls.fixes.syntax import function_around, is_async, literal_keys, node_text

TITLE = "Keep `{name}` in the database through `{model}` (saved on send, read back on join)"
NOTE = (
    "Each message is also saved through the project's `{model}` model; every function that reads "
    "`{name}` first refills it with the newest {limit} rows, so all instances replay the same history "
    "and a restart loses nothing. Messages the other instances send in between are seen at the next read."
)
LIMIT = 1000
_MODEL_CLASS = re.compile(rb"class\s+\w*message\w*\s*[(:]", re.IGNORECASE)
_DJANGO_RELATIONS = ("ForeignKey", "OneToOneField", "ManyToManyField", "GenericForeignKey")


@dataclass(frozen=True, slots=True)
class Model:
    orm: str  # "django" or "sqlalchemy"
    name: str
    path: str
    columns: tuple[str, ...]  # what a message key may be stored in
    required: frozenset[str]  # columns an insert must set
    key: str  # primary key: newest rows first
    session: str = ""  # SQLAlchemy: the sessionmaker in the model's module; Prisma: `prisma.message`


# --- models -------------------------------------------------------------------------------------


def python_models(ctx: FixContext) -> Iterator[Model]:
    for path in ctx.paths():
        if not path.endswith(".py"):
            continue
        source = ctx.read(path)
        if source is None or not _MODEL_CLASS.search(source):
            continue
        parsed = ParsedSource.of(path, source)
        django = b"django.db" in source
        sqlalchemy = b"sqlalchemy" in source
        session = _sessionmaker(parsed) if sqlalchemy else ""
        for cls in _top_level(parsed, "class_definition"):
            name = node_text(parsed, cls.child_by_field_name("name"))
            if "message" not in name.lower():
                continue
            bases = node_text(parsed, cls.child_by_field_name("superclasses"))
            body = cls.child_by_field_name("body")
            if body is None:
                continue
            if django and "Model" in bases:
                model = _django_model(parsed, name, body)
            elif sqlalchemy and session and "__tablename__" in node_text(parsed, body):
                model = _sqlalchemy_model(parsed, name, body, session)
            else:
                model = None
            if model is not None:
                yield model


def _top_level(parsed: ParsedSource, kind: str) -> Iterator[Node]:
    for child in parsed.tree.root_node.named_children:
        if child.type == "decorated_definition":
            child = child.named_children[-1]
        if child.type == kind:
            yield child


def _fields(parsed: ParsedSource, body: Node) -> Iterator[tuple[str, str, str, str]]:
    """(name, annotation, callee, arguments) of `name[: T] = callee(arguments)` in a class body."""
    for statement in body.named_children:
        if statement.type != "expression_statement" or not statement.named_children:
            continue
        assignment = statement.named_children[0]
        if assignment.type != "assignment":
            continue
        left, right = assignment.child_by_field_name("left"), assignment.child_by_field_name("right")
        if left is None or left.type != "identifier" or right is None or right.type != "call":
            continue
        callee = node_text(parsed, right.child_by_field_name("function")).rsplit(".", 1)[-1]
        arguments = node_text(parsed, right.child_by_field_name("arguments"))
        yield (
            node_text(parsed, left),
            node_text(parsed, assignment.child_by_field_name("type")),
            callee,
            arguments,
        )


def _django_model(parsed: ParsedSource, name: str, body: Node) -> Model | None:
    columns, required, key = [], set(), "id"
    for field, _, callee, arguments in _fields(parsed, body):
        if not callee.endswith("Field") and callee not in _DJANGO_RELATIONS:
            continue
        optional = any(flag in arguments for flag in ("null=True", "default=", "auto_now"))
        if "primary_key=True" in arguments:
            key, optional = field, True
        if callee in _DJANGO_RELATIONS or callee.endswith("AutoField"):
            if not optional and "primary_key=True" not in arguments:
                return None  # a required relation cannot come from a message dict
            continue
        columns.append(field)
        if not optional:
            required.add(field)
    return Model("django", name, parsed.path, tuple(columns), frozenset(required) - {key}, key)


def _sqlalchemy_model(parsed: ParsedSource, name: str, body: Node, session: str) -> Model | None:
    columns, required, key = [], set(), ""
    for field, annotation, callee, arguments in _fields(parsed, body):
        if callee not in {"Column", "mapped_column"}:
            continue
        if "primary_key=True" in arguments:
            key = key or field
            continue
        columns.append(field)
        defaulted = any(flag in arguments for flag in ("default=", "server_default=", "nullable=True"))
        if callee == "Column":
            is_required = "nullable=False" in arguments
        else:  # mapped_column: NOT NULL unless the annotation is optional
            is_required = "nullable=False" in arguments or not (
                "Optional" in annotation or "None" in annotation or not annotation
            )
        if is_required and not defaulted:
            required.add(field)
    if not key:
        return None
    return Model("sqlalchemy", name, parsed.path, tuple(columns), frozenset(required), key, session)


def _sessionmaker(parsed: ParsedSource) -> str:
    """`SessionLocal` in `SessionLocal = sessionmaker(...)` at module level (synchronous only)."""
    for statement in _top_level(parsed, "expression_statement"):
        assignment = statement.named_children[0] if statement.named_children else None
        if assignment is None or assignment.type != "assignment":
            continue
        right = assignment.child_by_field_name("right")
        left = assignment.child_by_field_name("left")
        if (
            right is not None
            and right.type == "call"
            and left is not None
            and left.type == "identifier"
            and node_text(parsed, right.child_by_field_name("function")).rsplit(".", 1)[-1] == "sessionmaker"
        ):
            return node_text(parsed, left)
    return ""


# --- what is appended ---------------------------------------------------------------------------


def _dict_keys(parsed: ParsedSource, statement: Node, value: str) -> tuple[str, ...] | None:
    """Keys of the dict literal last assigned to `value` before `statement`, in its function."""
    function = function_around(parsed, statement)
    if function is None:
        return None
    keys: tuple[str, ...] | None = None
    stack = [function.child_by_field_name("body")]
    while stack:
        node = stack.pop()
        if node is None or node.start_byte >= statement.start_byte:
            continue
        if node.type == "function_definition" and node != function:
            continue
        if node.type == "assignment" and node_text(parsed, node.child_by_field_name("left")) == value:
            right = node.child_by_field_name("right")
            keys = literal_keys(parsed, right) if right is not None else None
            if keys is None:
                return None  # reassigned to something else: its shape is unknown
        stack.extend(reversed(node.named_children))
    return keys


def fits(model: Model, keys: tuple[str, ...]) -> bool:
    """Every key has a column and every required column gets a key: the insert cannot be refused."""
    return set(keys) <= set(model.columns) and model.required <= set(keys)


def _model_for(models: list[Model], keys: tuple[str, ...], finding_path: str) -> Model | None:
    fitting = [m for m in models if fits(m, keys)]
    # the model next to the code first, then the shortest path
    fitting.sort(key=lambda m: (os.path.dirname(m.path) != os.path.dirname(finding_path), len(m.path)))
    return fitting[0] if fitting else None


# --- reads --------------------------------------------------------------------------------------


def _reads(parsed: ParsedSource, name: str, owner: str | None, skip: list[tuple[int, int]]) -> list[Node]:
    """The first statement reading the container in each function, outside the given spans."""
    firsts: dict[int, Node] = {}
    stack = [parsed.tree.root_node]
    while stack:
        node = stack.pop()
        stack.extend(reversed(node.named_children))
        if owner is None:
            if node.type != "identifier" or node_text(parsed, node) != name:
                continue
            parent = node.parent
            if parent is not None and (
                (parent.type == "attribute" and parent.child_by_field_name("attribute") == node)
                or (parent.type == "keyword_argument" and parent.child_by_field_name("name") == node)
            ):
                continue  # `x.name` or `f(name=...)` is not the container
        else:
            if node.type != "attribute":
                continue
            target, attribute = node.child_by_field_name("object"), node.child_by_field_name("attribute")
            if node_text(parsed, attribute) != name or node_text(parsed, target) not in {
                "self",
                "cls",
                owner,
            }:
                continue
        if any(start <= node.start_byte < end for start, end in skip):
            continue
        function = function_around(parsed, node)
        if function is None:
            continue
        statement = parsed.statement(node)
        body = function.child_by_field_name("body")
        if body is None or statement.start_byte < body.start_byte:
            continue  # a parameter or a default value: not a read when the function runs
        if function.id not in firsts or statement.start_byte < firsts[function.id].start_byte:
            firsts[function.id] = statement
    return sorted(firsts.values(), key=lambda n: n.start_byte)


def _functions(parsed: ParsedSource, appends: list[tuple[Node, str]], reads: list[Node]) -> list[Node | None]:
    """The functions the fix adds a call to: around each append and each first read."""
    return [function_around(parsed, s) for s, _ in appends] + [function_around(parsed, r) for r in reads]


# --- the fix ------------------------------------------------------------------------------------


def prepare(ctx: FixContext) -> tuple[ParsedSource, StateContainer, list[tuple[int, int]]] | None:
    """The finding's parsed file, its container, and the statements that change the container: reads
    there (`if (a.length > 100) a.shift()`) only trim it and need no refill."""
    finding = ctx.finding
    if finding.container_kind not in {"list", "deque", "array"}:
        return None
    source, container = ctx.read(finding.path), ctx.container()
    if source is None or container is None or container.scope == "instance":
        return None
    parsed = ParsedSource.of(finding.path, source)
    skip = []
    for mutation in container.mutations:
        node = parsed.node_at(mutation.span.start_byte, mutation.span.end_byte)
        if node is not None:
            statement = parsed.statement(node)
            skip.append((statement.start_byte, statement.end_byte))
    return parsed, container, skip


def history_database(ctx: FixContext) -> list[Fix]:
    prepared = prepare(ctx)
    if prepared is None or prepared[0].language_entry.family != "python":
        return []
    parsed, container, skip = prepared
    finding = ctx.finding
    appends = appended_values(parsed, ctx, "append")
    declaration = parsed.node_at(finding.span.start_byte, finding.span.end_byte)
    if not appends or declaration is None:
        return []
    keys: list[str] = []
    for statement, value in appends:
        found = _dict_keys(parsed, statement, value)
        if found is None:
            return []
        keys += [k for k in found if k not in keys]
    model = _model_for(list(python_models(ctx)), tuple(keys), finding.path)
    if model is None:
        return []
    owner = container.owner if container.scope == "class" else None
    declared = parsed.statement(declaration)
    if owner is not None:
        cls = declared.parent.parent if declared.parent is not None else None
        if cls is None or cls.type != "class_definition" or cls.parent is None or cls.parent.type != "module":
            return []
        anchor = cls
    elif declared.parent is not None and declared.parent.type == "module":
        anchor = declared
    else:
        return []
    skip.append((declared.start_byte, declared.end_byte))
    reads = _reads(parsed, finding.name, owner, skip)
    functions = _functions(parsed, appends, reads)
    if (
        model.orm == "django"
        and not all(is_async(f) for f in functions)
        and any(is_async(f) for f in functions)
    ):
        return []  # the ORM refuses to run synchronously inside the consumer's event loop
    if ctx.titles_only:
        return [Fix(TITLE.format(name=finding.name, model=model.name), False, ())]
    return [_python_fix(ctx, parsed, model, tuple(keys), anchor, owner, appends, reads)]


def _python_fix(
    ctx: FixContext,
    parsed: ParsedSource,
    model: Model,
    keys: tuple[str, ...],
    anchor: Node,
    owner: str | None,
    appends: list[tuple[Node, str]],
    reads: list[Node],
) -> Fix:
    finding = ctx.finding
    style = parsed.style()
    q, i = style.q, style.indent
    name = finding.name
    save = unique_name(parsed.source, f"save_{name.lstrip('_')}")
    load = unique_name(parsed.source, f"load_{name.lstrip('_')}")
    limit = _maxlen(parsed, anchor, name) or LIMIT
    asynchronous = any(is_async(f) for f in _functions(parsed, appends, reads))
    # SQLAlchemy work from async handlers goes to one thread of its own: two messages sent at once are
    # stored in the order they were sent, and a read waits for the saves queued before it.
    writer = (
        unique_name(parsed.source, f"{name.lstrip('_')}_writer")
        if asynchronous and model.orm == "sqlalchemy"
        else None
    )
    values = ", ".join(f"{key}=item[{q(key)}]" for key in keys)
    row = ", ".join(f"{q(key)}: row.{key}" for key in keys)
    block = [
        f"# Message history is also kept in the database ({model.name}): saved on send and read back",
        "# on join, so every instance replays the same history and a restart loses nothing.",
    ]
    if model.orm == "django":
        block += [
            f"def {save}(item):",
            f"{i}{model.name}.objects.create({values})",
            "",
            "",
            f"def {load}(limit={limit}):",
            f"{i}rows = list({model.name}.objects.order_by({q('-' + model.key)})[:limit])",
            f"{i}return [{{{row}}} for row in reversed(rows)]",
        ]
    else:
        if writer is not None:
            block += [
                f"{writer} = concurrent.futures.ThreadPoolExecutor(max_workers=1)  # saves stay in send order",
                "",
                "",
            ]
        block += [
            f"def {save}(item):",
            f"{i}with {model.session}() as session:",
            f"{i}{i}session.add({model.name}({values}))",
            f"{i}{i}session.commit()",
            "",
            "",
            f"def {load}(limit={limit}):",
            f"{i}with {model.session}() as session:",
            f"{i}{i}statement = select({model.name}).order_by({model.name}.{model.key}.desc()).limit(limit)",
            f"{i}{i}rows = session.scalars(statement).all()",
            f"{i}return [{{{row}}} for row in reversed(rows)]",
        ]
    edits = _imports(ctx, parsed, style, model, asynchronous)
    if owner is None:  # after the container's declaration
        at = parsed.line_end(anchor.end_byte)
        text = style.lines("", "", *block) + spacer(parsed, at, style)
    else:  # module level, before the class that declares it
        at = parsed.line_start(anchor.start_byte)
        text = style.lines(*block, "", "")
    edits.append(Edit(finding.path, at, at, text))
    is_list = finding.container_kind == "list"
    target = f"self.{name}" if owner is not None else name
    for statement, value in appends:
        call = _offload(model, function_around(parsed, statement), writer, save, value)
        at = parsed.line_end(statement.end_byte)
        edits.append(Edit(finding.path, at, at, style.lines(parsed.indentation(statement.start_byte) + call)))
    for statement in reads:
        indent = parsed.indentation(statement.start_byte)
        call = _offload(model, function_around(parsed, statement), writer, load, "")
        if is_list:
            lines = [f"{indent}{target}[:] = {call}"]
        else:
            recent = unique_name(parsed.source, "stored")
            lines = [
                f"{indent}{recent} = {call}",
                f"{indent}{target}.clear()",
                f"{indent}{target}.extend({recent})",
            ]
        at = parsed.line_start(statement.start_byte)
        edits.append(Edit(finding.path, at, at, style.lines(*lines)))
    title = TITLE.format(name=name, model=model.name)
    return Fix(title, False, tuple(edits), note=NOTE.format(model=model.name, name=name, limit=limit))


def _offload(model: Model, function: Node | None, writer: str | None, helper: str, argument: str) -> str:
    """A call of the helper as the enclosing function can make it: directly, or off the event loop
    (Channels runs `database_sync_to_async` work on one thread already; SQLAlchemy gets `writer`)."""
    if not is_async(function):
        return f"{helper}({argument})"
    if model.orm == "django":
        return f"await database_sync_to_async({helper})({argument})"
    arguments = ", ".join(a for a in (writer or "None", helper, argument) if a)
    return f"await asyncio.get_running_loop().run_in_executor({arguments})"


def _maxlen(parsed: ParsedSource, anchor: Node, name: str) -> int | None:
    match = re.search(
        rf"\b{re.escape(name)}\s*(?::[^=\n]*)?=\s*(?:collections\.)?deque\([^)]*maxlen\s*=\s*(\d+)",
        node_text(parsed, anchor),
    )
    return int(match.group(1)) if match else None


def _imports(
    ctx: FixContext,
    parsed: ParsedSource,
    style: Style,
    model: Model,
    asynchronous: bool,
) -> list[Edit]:
    modules = ["asyncio", "concurrent.futures"]
    edits = stdlib_imports(parsed, style, modules) if asynchronous and model.orm != "django" else []
    lines = []
    if asynchronous and model.orm == "django" and not _binds(parsed, "database_sync_to_async"):
        lines.append("from channels.db import database_sync_to_async")
    if model.orm == "sqlalchemy" and not _binds(parsed, "select"):
        lines.append("from sqlalchemy import select")
    wanted = [model.name] + ([model.session] if model.session else [])
    missing = [n for n in wanted if not _binds(parsed, n)]
    if missing and model.path != ctx.finding.path:
        lines.append(f"from {_module(ctx, model.path)} import {', '.join(missing)}")
    if lines:
        at = parsed.after_imports()
        edits.append(Edit(parsed.path, at, at, style.lines(*lines)))
    return edits


def _binds(parsed: ParsedSource, name: str) -> bool:
    """The module binds `name` at top level (definition, assignment or import)."""
    pattern = (
        rb"(?m)^(?:from\s+\S+\s+import\s+(?:\(?[^\n]*?\b|[^\n]*,\s*)"
        + re.escape(name.encode())
        + rb"\b|(?:class|def)\s+"
        + re.escape(name.encode())
        + rb"\b|"
        + re.escape(name.encode())
        + rb"\s*=)"
    )
    return re.search(pattern, parsed.source) is not None


def _module(ctx: FixContext, model_path: str) -> str:
    """How the finding's file imports the model's module: relative inside a package, else by name."""
    here = os.path.dirname(ctx.finding.path)
    there, stem = os.path.split(os.path.splitext(model_path)[0])
    in_package = ctx.read(os.path.join(here, "__init__.py")) is not None
    if there == here:
        return f".{stem}" if in_package else stem
    relative = os.path.relpath(there, here)
    if not in_package or relative.startswith(".."):
        parts = os.path.relpath(os.path.splitext(model_path)[0], ctx.root).split(os.sep)
        return ".".join(parts)
    return "." + ".".join(relative.split(os.sep)) + "." + stem
