"""Readers that turn a settings file's bytes into `SettingFact`s: YAML and JSON through their tree-sitter
grammars, line-based files (Procfile) by hand. Each keeps only the key paths it is asked for.

Generic on purpose: a file kind (`file_kinds.py`) names its syntax and its key paths, nothing more.
YAML aliases are resolved only to a scalar anchor and merge keys (`<<: *base`) are not followed, so no
document expands beyond its own size (a "billion laughs" file is read in one pass). Readers never
raise on malformed input: what parses is read and `has_errors` says the rest did not.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Callable, Iterator
from functools import cache

import tree_sitter_json
import tree_sitter_yaml
from tree_sitter import Language, Node, Parser, Query, QueryCursor

from .facts import MAX_SETTING_CHARS, SettingFact
from .scan_common import TooDeeplyNested, check_nesting
from .text import LineIndex

KeyPattern = tuple[str, ...]  # a key path; "*" stands for any one key or index
Read = tuple[list[SettingFact], bool]  # the settings kept, whether part of the file did not parse
Reader = Callable[[bytes, LineIndex, tuple[KeyPattern, ...]], Read]

_GRAMMARS = {"yaml": tree_sitter_yaml.language, "json": tree_sitter_json.language}
_SCALARS = frozenset(
    {"plain_scalar", "double_quote_scalar", "single_quote_scalar", "block_scalar"}  # YAML
    | {"string", "number", "true", "false", "null"}  # JSON
)
_WRAPPERS = frozenset({"block_node", "flow_node"})
_DECORATIONS = frozenset({"anchor", "tag", "comment"})


@cache
def _language(syntax: str) -> Language:
    return Language(_GRAMMARS[syntax]())


@cache
def _comments(syntax: str) -> Query:
    query: Query = Query(_language(syntax), "(comment) @comment")
    return query


def _parse(syntax: str, source: bytes) -> Node:
    """The root of a fresh parse (a parser per call: settings files are small and read rarely)."""
    tree = Parser(_language(syntax)).parse(source)
    root = tree.root_node
    check_nesting(root)  # raises TooDeeplyNested, which the caller turns into a skip reason
    return root


def _wanted(path: KeyPattern, patterns: tuple[KeyPattern, ...], whole: bool) -> bool:
    """Whether `path` matches a pattern (`whole`) or could lead to one (a prefix of one)."""
    for pattern in patterns:
        if len(pattern) < len(path) or (whole and len(pattern) != len(path)):
            continue
        if all(p == "*" or p == k for p, k in zip(pattern, path, strict=False)):
            return True
    return False


def _text(node: Node) -> str:
    raw = node.text
    return "" if raw is None else raw.decode("utf-8", "replace")


class _Comments:
    """Comments by line, to find the one beside a value or the block right above its key."""

    def __init__(self, source: bytes, index: LineIndex) -> None:
        self.source = source
        self.index = index
        self.trailing: dict[int, str] = {}  # line -> a comment after something else on that line
        self.whole: dict[int, str] = {}  # line -> a comment alone on its line

    @classmethod
    def of_tree(cls, root: Node, syntax: str, source: bytes, index: LineIndex) -> _Comments:
        comments = cls(source, index)
        for node in QueryCursor(_comments(syntax)).captures(root).get("comment", []):
            comments.add(node.start_byte, _comment_text(_text(node)))
        return comments

    def add(self, start: int, text: str) -> None:
        line = self.index.line_of(start)
        before = self.source[self.index.line_start(line) : start]
        (self.whole if not before.strip() else self.trailing)[line] = text

    def beside(self, value_line: int, key_line: int) -> str:
        if value_line in self.trailing:
            return self.trailing[value_line]
        above: list[str] = []
        line = key_line - 1
        while line in self.whole and len(above) < 20:
            above.append(self.whole[line])
            line -= 1
        return " ".join(t for t in reversed(above) if t)


def _comment_text(raw: str) -> str:
    if raw.startswith("/*"):
        raw = raw[2:].removesuffix("*/")
    return raw.lstrip("#/").strip()[:MAX_SETTING_CHARS]


def _fact(
    key: KeyPattern, value: str, start: int, end: int, key_line: int, document: int, comments: _Comments
) -> SettingFact:
    """A setting whose value is written at [start, end) and whose key starts on `key_line`."""
    index = comments.index
    if len(value) > MAX_SETTING_CHARS:
        value = value[: MAX_SETTING_CHARS - 1] + "…"
    return SettingFact(
        key=key,
        value=value,
        span=index.span(start, end),
        comment=comments.beside(index.line_of(start), key_line),
        document=document,
    )


def _key_line(index: LineIndex, value: Node, key: Node | None) -> int:
    return index.line_of((key if key is not None else value).start_byte)


# --- YAML ----------------------------------------------------------------------------------------


def _yaml_content(node: Node | None) -> Node | None:
    """The mapping, sequence, scalar or alias inside a block/flow node (past anchors and tags)."""
    while node is not None and node.type in _WRAPPERS:
        node = next((c for c in node.named_children if c.type not in _DECORATIONS), None)
    return node


def _yaml_scalar(node: Node) -> str:
    text = _text(node)
    kind = node.type
    if kind == "double_quote_scalar":
        try:
            decoded = json.loads(" ".join(text.split("\n")))
            return decoded if isinstance(decoded, str) else text[1:-1]
        except ValueError:
            return text[1:-1]
    if kind == "single_quote_scalar":
        return text[1:-1].replace("''", "'")
    if kind == "block_scalar":
        _, _, body = text.partition("\n")
        return textwrap.dedent(body).strip("\r\n")
    return " ".join(text.split()) if kind == "plain_scalar" else text


def _yaml_anchors(root: Node) -> dict[str, Node]:
    """Anchor name -> the scalar it names (anchors on mappings and sequences are left out)."""
    found: dict[str, Node] = {}
    cursor = root.walk()
    while True:
        node = cursor.node
        if node is not None and node.type == "anchor" and node.parent is not None:
            content = _yaml_content(node.parent)
            if content is not None and content.type in _SCALARS:
                found[_text(node).lstrip("&")] = content
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return found


def _yaml_pairs(node: Node) -> Iterator[tuple[str | None, Node | None, Node | None]]:
    """(key text or index, key node, value node) of a mapping's pairs or a sequence's items."""
    if node.type in ("block_mapping", "flow_mapping"):
        for pair in node.named_children:
            if pair.type in ("block_mapping_pair", "flow_pair"):
                key = _yaml_content(pair.child_by_field_name("key"))
                text = _yaml_scalar(key) if key is not None and key.type in _SCALARS else None
                yield text, key, pair.child_by_field_name("value")
    elif node.type in ("block_sequence", "flow_sequence"):
        items = [c for c in node.named_children if c.type not in _DECORATIONS]
        for position, item in enumerate(items):
            value = (
                item.named_children[0] if item.type == "block_sequence_item" and item.named_children else item
            )
            yield str(position), None, value


# The YAML grammar's scanner writes past its state buffer (and takes the process down) from about 254
# nested block levels on (tree-sitter-grammars/tree-sitter-yaml#48, open in 0.7.2): deeper files are
# refused before they reach it, on an estimate that never counts fewer levels than the scanner keeps.
MAX_YAML_BLOCK_LEVELS = 200
# a line start: after LF, or after a CR with no LF behind it
_LINE_START = re.compile(rb"(?:^|(?<=\r)(?!\n))([ ]*)((?:[-?][ \t]+)*)", re.MULTILINE)
_INDICATOR = re.compile(rb"[-?][ \t]+")


def yaml_block_levels(source: bytes, limit: int = MAX_YAML_BLOCK_LEVELS) -> int:
    """At least as many block levels as the YAML scanner keeps at once (counting stops past `limit`).
    Each line opens two at its indentation (a mapping and a sequence may share a column) and one after
    each `- ` or `? ` it starts with, and closes those at its indentation or deeper."""
    columns: list[int] = []
    deepest = 0
    for match in _LINE_START.finditer(source):
        indent = len(match.group(1))
        while columns and columns[-1] >= indent:
            columns.pop()
        columns += (indent, indent)
        columns += (indent + m.end() for m in _INDICATOR.finditer(match.group(2)))
        deepest = max(deepest, len(columns))
        if deepest > limit:
            break
    return deepest


def read_yaml(source: bytes, index: LineIndex, patterns: tuple[KeyPattern, ...]) -> Read:
    if yaml_block_levels(source) > MAX_YAML_BLOCK_LEVELS:
        raise TooDeeplyNested(f"nested more than {MAX_YAML_BLOCK_LEVELS} block levels deep")
    root = _parse("yaml", source)
    comments = _Comments.of_tree(root, "yaml", source, index)
    found: list[SettingFact] = []
    anchors: dict[str, Node] | None = None
    documents = [c for c in root.named_children if c.type == "document"]

    def visit(node: Node | None, key: KeyPattern, key_node: Node | None, document: int) -> None:
        nonlocal anchors
        content = _yaml_content(node)
        if content is None:
            return
        if content.type in _SCALARS or content.type == "alias":
            if _wanted(key, patterns, whole=True):
                value = _text(content)  # an alias to a collection stays as written (`*defaults`)
                if content.type == "alias":
                    if anchors is None:
                        anchors = _yaml_anchors(root)
                    target = anchors.get(value.lstrip("*"))
                    value = _yaml_scalar(target) if target is not None else value
                else:
                    value = _yaml_scalar(content)
                line = _key_line(comments.index, content, key_node)
                found.append(
                    _fact(key, value, content.start_byte, content.end_byte, line, document, comments)
                )
            return
        for name, name_node, item in _yaml_pairs(content):
            if name is not None and _wanted((*key, name), patterns, whole=False):
                visit(item, (*key, name), name_node, document)

    for number, document in enumerate(documents):
        for child in document.named_children:
            if child.type not in _DECORATIONS:
                visit(child, (), None, number)
    return found, root.has_error


# --- JSON (comments allowed, as in appsettings.json) ---------------------------------------------


def _json_scalar(node: Node) -> str:
    text = _text(node)
    if node.type == "string":
        try:
            decoded = json.loads(text)
            return decoded if isinstance(decoded, str) else text
        except ValueError:
            return text.strip('"')
    return text


def read_json(source: bytes, index: LineIndex, patterns: tuple[KeyPattern, ...]) -> Read:
    root = _parse("json", source)
    comments = _Comments.of_tree(root, "json", source, index)
    found: list[SettingFact] = []

    def visit(node: Node, key: KeyPattern, key_node: Node | None) -> None:
        if node.type in _SCALARS:
            if _wanted(key, patterns, whole=True):
                line = _key_line(comments.index, node, key_node)
                found.append(
                    _fact(key, _json_scalar(node), node.start_byte, node.end_byte, line, 0, comments)
                )
            return
        if node.type == "object":
            for pair in node.named_children:
                name_node, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
                if pair.type != "pair" or name_node is None or value is None:
                    continue
                name = _json_scalar(name_node)
                if _wanted((*key, name), patterns, whole=False):
                    visit(value, (*key, name), name_node)
        elif node.type == "array":
            items = [c for c in node.named_children if c.type != "comment"]
            for position, item in enumerate(items):
                if _wanted((*key, str(position)), patterns, whole=False):
                    visit(item, (*key, str(position)), None)

    for child in root.named_children:
        if child.type != "comment":
            visit(child, (), None)
    return found, root.has_error


# --- lines (`name: command`, as in a Procfile) ---------------------------------------------------

_LINE = re.compile(rb"([A-Za-z0-9_-]+)[ \t]*:[ \t]*(.*?)[ \t]*\Z", re.DOTALL)
_SHELL_COMMENT = re.compile(rb"[ \t]#")


def read_lines(source: bytes, index: LineIndex, patterns: tuple[KeyPattern, ...]) -> Read:
    """`name: command` lines; `#` lines are comments, and so is a ` #` tail where the command's quotes
    are balanced (the shell that runs it reads it so)."""
    comments = _Comments(source, index)
    commands: list[tuple[str, int, int]] = []
    broken = False
    for line in range(index.line_count):
        start, end = index.line_start(line), index.line_end(line)
        text = source[start:end]
        stripped = text.lstrip()
        if not stripped:
            continue
        if stripped.startswith(b"#"):
            comments.add(end - len(stripped), _comment_text(stripped.decode("utf-8", "replace")))
            continue
        match = _LINE.match(text)
        if match is None:
            broken = True
            continue
        command_start, command_end = start + match.start(2), start + match.end(2)
        tail = _SHELL_COMMENT.search(source, command_start, command_end)
        if tail is not None:
            head = source[command_start : tail.start()]
            if head.count(b"'") % 2 == 0 and head.count(b'"') % 2 == 0:
                comments.add(
                    tail.end() - 1, _comment_text(source[tail.end() : command_end].decode("utf-8", "replace"))
                )
                command_end = tail.start()
        commands.append((match.group(1).decode("ascii"), command_start, command_end))
    found = []
    for name, start, end in commands:
        if _wanted((name,), patterns, whole=True):
            value = source[start:end].decode("utf-8", "replace")
            line = index.line_of(start)
            found.append(_fact((name,), value, start, end, line, 0, comments))
    return found, broken
