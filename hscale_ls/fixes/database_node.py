"""The database history fix for JavaScript and TypeScript: Mongoose models and Prisma. Same contract as
the Python one (`database.py`): offered only when the appended object literal fits the model, saved
on every append (one after another, so rows keep the order messages were sent in), read back before
every read; a read in a callback that is not async yet makes it async (a listener's return value is
ignored), anything else gets no fix."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

from tree_sitter import Node

from hscale_ls.fixes.context import FixContext
from hscale_ls.fixes.database import LIMIT, NOTE, TITLE, Model, fits, prepare
from hscale_ls.fixes.history import module_level_appends
from hscale_ls.fixes.model import Edit, Fix
from hscale_ls.fixes.style import ParsedSource, unique_name
from hscale_ls.fixes.syntax import function_around, is_async, literal_keys, node_text

SCRIPT = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts")
# calls whose callback's return value nobody uses: making the callback async changes nothing else
LISTENERS = {"on", "once", "addListener", "get", "post", "put", "patch", "delete", "all", "use", "ws"}
_MODEL_CALL = re.compile(rb"""\bmodel\(\s*(['"`])(\w*[Mm]essage\w*)\1\s*,\s*""")
_PRISMA_MODEL = re.compile(r"(?ms)^model\s+(\w*[Mm]essage\w*)\s*\{(.*?)^\}")


# --- models -------------------------------------------------------------------------------------


def mongoose_models(ctx: FixContext, parsed: ParsedSource) -> Iterator[tuple[Model, str]]:
    """(model, the name this file calls it) for every `model("…Message…", schema)` the file can use:
    defined in it, or bound in it by an import or require of the module that defines it."""
    for path in ctx.paths():
        if not path.endswith(SCRIPT):
            continue
        source = parsed.source if path == parsed.path else ctx.read(path)
        if source is None or not _MODEL_CALL.search(source) or b"mongoose" not in source:
            continue
        other = parsed if path == parsed.path else ParsedSource.of(path, source)
        for call in _nodes(other.tree.root_node, "call_expression"):
            callee = node_text(other, call.child_by_field_name("function"))
            arguments = call.child_by_field_name("arguments")
            values = arguments.named_children if arguments is not None else []
            if callee not in {"model", "mongoose.model"} or len(values) < 2:
                continue
            name = node_text(other, values[0]).strip("'\"`")
            if "message" not in name.lower():
                continue
            schema = _schema_object(other, values[1])
            if schema is None:
                continue
            columns, required = _schema_fields(other, schema)
            model = Model("mongoose", name, path, tuple(columns), frozenset(required), "_id")
            bound = _binding_in(parsed, model, call, other)
            if bound:
                yield model, bound


def _nodes(root: Node, kind: str) -> Iterator[Node]:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == kind:
            yield node
        stack.extend(reversed(node.named_children))


def _schema_object(parsed: ParsedSource, value: Node) -> Node | None:
    """The object literal of `new Schema({...})`, inline or through a `const schema = ...`."""
    if value.type == "identifier":
        name = node_text(parsed, value)
        for declarator in _nodes(parsed.tree.root_node, "variable_declarator"):
            if node_text(parsed, declarator.child_by_field_name("name")) == name:
                value = declarator.child_by_field_name("value") or value
                break
    if value.type != "new_expression" or not node_text(
        parsed, value.child_by_field_name("constructor")
    ).endswith("Schema"):
        return None
    arguments = value.child_by_field_name("arguments")
    first = arguments.named_children[0] if arguments is not None and arguments.named_children else None
    return first if first is not None and first.type == "object" else None


def _schema_fields(parsed: ParsedSource, schema: Node) -> tuple[list[str], set[str]]:
    columns, required = [], set()
    for pair in schema.named_children:
        if pair.type != "pair":
            continue
        key = node_text(parsed, pair.child_by_field_name("key")).strip("'\"")
        columns.append(key)
        value = node_text(parsed, pair.child_by_field_name("value"))
        if re.search(r"\brequired\s*:\s*(true|\[\s*true)", value):
            required.add(key)
    return columns, required


def _binding_in(parsed: ParsedSource, model: Model, call: Node, where: ParsedSource) -> str:
    """How the finding's file names the model: its own `const X = model(...)`, or an import/require of
    the defining module (default, `module.exports =` or a named export of the same name)."""
    parent = call.parent
    while parent is not None and parent.type in {"await_expression", "parenthesized_expression"}:
        parent = parent.parent
    declared = ""
    if parent is not None and parent.type == "variable_declarator":
        declared = node_text(where, parent.child_by_field_name("name"))
    if where.path == parsed.path:
        return declared
    stem = os.path.splitext(os.path.basename(where.path))[0]
    pattern = (
        rb"(?m)^\s*(?:import\s+(\w+)\s+from|import\s*\{([^}]*)\}\s*from|const\s+(\w+)\s*=\s*require\("
        rb"|const\s*\{([^}]*)\}\s*=\s*require\()"
        rb"\s*\(?\s*['\"]\.{1,2}/(?:[\w.-]+/)*" + re.escape(stem.encode()) + rb"(?:\.[cm]?[jt]s)?['\"]"
    )
    for match in re.finditer(pattern, parsed.source):
        whole = match.group(1) or match.group(3)
        if whole:  # the module's default export or `module.exports`
            return whole.decode("utf-8", "replace")
        # named: `{ Message }` or `{ Message: Msg }` / `{ Message as Msg }` for the export of that name
        for entry in (match.group(2) or match.group(4) or b"").decode("utf-8", "replace").split(","):
            parts = re.split(r"\s*(?::|\bas\b)\s*", entry.strip())
            if parts[0] in {declared, model.name}:
                return parts[-1]
    return ""


def prisma_models(ctx: FixContext, parsed: ParsedSource) -> Iterator[tuple[Model, str]]:
    """Models in the project's schema.prisma, with the PrismaClient the finding's file holds."""
    client = re.search(rb"(?m)\b(?:const|let|var)\s+(\w+)\s*=\s*new\s+PrismaClient\(", parsed.source)
    imported = re.search(
        rb"(?m)^\s*import\s*\{[^}]*\bprisma\b[^}]*\}\s*from|\bconst\s*\{[^}]*\bprisma\b", parsed.source
    )
    name = client.group(1).decode("utf-8", "replace") if client else ("prisma" if imported else "")
    if not name:
        return
    for directory in _up(os.path.dirname(parsed.path), ctx.root):
        for candidate in (
            os.path.join(directory, "prisma", "schema.prisma"),
            os.path.join(directory, "schema.prisma"),
        ):
            schema = ctx.read(candidate)
            if schema is not None:
                yield from _prisma_schema(schema.decode("utf-8", "replace"), candidate, name)
                return


def _up(start: str, root: str) -> Iterator[str]:
    directory = start
    while True:
        yield directory
        if os.path.abspath(directory) == os.path.abspath(root) or os.path.dirname(directory) == directory:
            return
        directory = os.path.dirname(directory)


def _prisma_schema(schema: str, path: str, client: str) -> Iterator[tuple[Model, str]]:
    for match in _PRISMA_MODEL.finditer(schema):
        name, body = match.group(1), match.group(2)
        columns, required, key = [], set(), ""
        for line in body.splitlines():
            parts = line.split("//")[0].split()
            if len(parts) < 2 or parts[0].startswith("@@"):
                continue
            field, kind, attributes = parts[0], parts[1], " ".join(parts[2:])
            if "@id" in attributes:
                key = field
                continue
            if kind.endswith("[]") or "@relation" in attributes:
                continue  # the other side of a relation; its scalar key column says what is required
            columns.append(field)
            if not kind.endswith("?") and "@default" not in attributes and "@updatedAt" not in attributes:
                required.add(field)
        if key:
            accessor = name[:1].lower() + name[1:]
            yield (
                Model("prisma", name, path, tuple(columns), frozenset(required), key, f"{client}.{accessor}"),
                client,
            )


# --- the fix ------------------------------------------------------------------------------------


def _can_become_async(parsed: ParsedSource, function: Node) -> bool:
    """An arrow or function expression passed straight to a listener registration."""
    if function.type not in {"arrow_function", "function_expression", "function"}:
        return False
    arguments = function.parent
    call = arguments.parent if arguments is not None else None
    if arguments is None or arguments.type != "arguments" or call is None or call.type != "call_expression":
        return False
    callee = call.child_by_field_name("function")
    method = (
        callee.child_by_field_name("property")
        if callee is not None and callee.type == "member_expression"
        else None
    )
    return method is not None and node_text(parsed, method) in LISTENERS


def _object_keys(parsed: ParsedSource, statement: Node, value: str) -> tuple[str, ...] | None:
    """Keys of the object literal `value` was declared with, in the function of `statement`."""
    function = function_around(parsed, statement)
    if function is None:
        return None
    keys: tuple[str, ...] | None = None
    for declarator in _nodes(function, "variable_declarator"):
        if declarator.start_byte >= statement.start_byte or function_around(parsed, declarator) != function:
            continue
        if node_text(parsed, declarator.child_by_field_name("name")) != value:
            continue
        literal = declarator.child_by_field_name("value")
        keys = literal_keys(parsed, literal) if literal is not None else None
    return keys


def _reads(parsed: ParsedSource, name: str, skip: list[tuple[int, int]]) -> list[Node] | None:
    """The first statement reading the container in each function; None when one cannot take a
    statement before it (an expression-bodied arrow, module level)."""
    firsts: dict[int, Node] = {}
    for node in _nodes(parsed.tree.root_node, "identifier"):
        if node_text(parsed, node) != name or any(start <= node.start_byte < end for start, end in skip):
            continue
        function = function_around(parsed, node)
        if function is None:
            continue
        statement = parsed.statement(node)
        if statement.start_byte <= function.start_byte:
            return None
        if function.id not in firsts or statement.start_byte < firsts[function.id].start_byte:
            firsts[function.id] = statement
    return sorted(firsts.values(), key=lambda n: n.start_byte)


def history_database_node(ctx: FixContext) -> list[Fix]:
    prepared = prepare(ctx)
    if prepared is None or prepared[0].language_entry.family != "ecmascript":
        return []
    parsed, _, skip = prepared
    finding = ctx.finding
    site = module_level_appends(parsed, ctx, "push")
    if site is None:
        return []
    appends, declared = site
    keys: list[str] = []
    for statement, value in appends:
        found = _object_keys(parsed, statement, value)
        if found is None:
            return []
        keys += [k for k in found if k not in keys]
    candidates = [*mongoose_models(ctx, parsed), *prisma_models(ctx, parsed)]
    chosen = next(((m, b) for m, b in candidates if fits(m, tuple(keys))), None)
    if chosen is None:
        return []
    model, bound = chosen
    reads = _reads(parsed, finding.name, [*skip, (declared.start_byte, declared.end_byte)])
    if reads is None:
        return []
    to_async: list[Node] = []
    for statement in reads:
        function = function_around(parsed, statement)
        if function is None:
            return []
        if not is_async(function):
            if not _can_become_async(parsed, function):
                return []
            to_async.append(function)
    if ctx.titles_only:
        return [Fix(TITLE.format(name=finding.name, model=model.name), False, ())]
    return [_fix(ctx, parsed, model, bound, tuple(keys), declared, appends, reads, to_async)]


def _fix(
    ctx: FixContext,
    parsed: ParsedSource,
    model: Model,
    bound: str,
    keys: tuple[str, ...],
    declared: Node,
    appends: list[tuple[Node, str]],
    reads: list[Node],
    to_async: list[Node],
) -> Fix:
    finding = ctx.finding
    style = parsed.style()
    q, e, i = style.q, style.end, style.indent
    typescript = parsed.language in {"typescript", "tsx"}
    name = finding.name
    capital = name[:1].upper() + name[1:]
    save = unique_name(parsed.source, "save" + capital)
    load = unique_name(parsed.source, "load" + capital)
    saved = unique_name(parsed.source, name + "Saved")
    item = "item: any" if typescript else "item"
    row = "(row: any)" if typescript else "(row)"
    fields = ", ".join(f"{key}: item.{key}" for key in keys)
    back = ", ".join(f"{key}: row.{key}" for key in keys)
    if model.orm == "mongoose":
        create = f"{bound}.create({{ {fields} }})"
        query = f"{bound}.find().sort({{ _id: -1 }}).limit(limit).lean()"
    else:
        create = f"{model.session}.create({{ data: {{ {fields} }} }})"
        query = f"{model.session}.findMany({{ orderBy: {{ {model.key}: {q('desc')} }}, take: limit }})"
    block = [
        "",
        f"// Message history is also kept in the database ({model.name}): saved on send and read back on",
        "// join, so every instance replays the same history and a restart loses nothing.",
        f"let {saved}{': Promise<unknown>' if typescript else ''} = Promise.resolve(){e} // saves run in send order",
        f"function {save}({item}) {{",
        f"{i}{saved} = {saved}",
        f"{i}{i}.then(() => {create})",
        f"{i}{i}.catch((err{': any' if typescript else ''}) => console.error({q('history:')}, err.message)){e}",
        "}",
        f"async function {load}(limit = {LIMIT}) {{",
        f"{i}await {saved}{e} // this instance's own saves are in first",
        f"{i}const rows = await {query}{e}",
        f"{i}return rows.reverse().map({row} => ({{ {back} }})){e}",
        "}",
    ]
    at = parsed.line_end(declared.end_byte)
    edits = [Edit(finding.path, at, at, style.lines(*block))]
    for statement, value in appends:
        at = parsed.line_end(statement.end_byte)
        edits.append(
            Edit(
                finding.path,
                at,
                at,
                style.lines(f"{parsed.indentation(statement.start_byte)}{save}({value}){e}"),
            )
        )
    for statement in reads:
        at = parsed.line_start(statement.start_byte)
        line = f"{parsed.indentation(statement.start_byte)}{name}.splice(0, {name}.length, ...(await {load}())){e}"
        edits.append(Edit(finding.path, at, at, style.lines(line)))
    for function in {f.id: f for f in to_async}.values():
        edits.append(Edit(finding.path, function.start_byte, function.start_byte, "async "))
    title = TITLE.format(name=name, model=model.name)
    return Fix(title, False, tuple(edits), note=NOTE.format(model=model.name, name=name, limit=LIMIT))
