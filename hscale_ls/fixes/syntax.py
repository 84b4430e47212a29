"""What the fixes ask of a syntax tree in every language: a node's text, the function around a node and
whether it is async, the keys of a literal. Which node types are functions comes from the language
table (`analysis/languages.py`); this module names none of its own."""

from __future__ import annotations

import re
from collections.abc import Set

from tree_sitter import Node

from hscale_ls.fixes.style import ParsedSource

_LITERALS = frozenset({"object", "dictionary"})  # ECMAScript, Python
_NAME_KEYS = frozenset({"property_identifier", "shorthand_property_identifier"})  # `{ a: 1 }`, `{ a }`
_QUOTED = re.compile(r"""(['"])(.*)\1""", re.DOTALL)  # a prefix (`f"a"`, `b"a"`) does not match


def node_text(parsed: ParsedSource, node: Node | None) -> str:
    return "" if node is None else parsed.source[node.start_byte : node.end_byte].decode("utf-8", "replace")


def enclosing_function(node: Node | None, types: Set[str]) -> Node | None:
    """The nearest node of one of `types` above `node` (never `node` itself)."""
    parent = node.parent if node is not None else None
    while parent is not None and parent.type not in types:
        parent = parent.parent
    return parent


def function_around(parsed: ParsedSource, node: Node) -> Node | None:
    """The function (of any kind that holds statements) around `node`."""
    return enclosing_function(node, parsed.language_entry.any_function_types)


def is_async(function: Node | None) -> bool:
    return function is not None and any(child.type == "async" for child in function.children)


def in_async_function(parsed: ParsedSource, node: Node) -> bool:
    return is_async(function_around(parsed, node))


def literal_keys(parsed: ParsedSource, literal: Node) -> tuple[str, ...] | None:
    """The keys of an object or dict literal, when every one is written out (`{ a, "b": 1 }`); None
    for a spread, a computed key, or anything but such a literal."""
    if literal.type not in _LITERALS:
        return None
    keys = []
    for child in literal.named_children:
        if child.type == "comment":
            continue
        key = child.child_by_field_name("key") if child.type == "pair" else child
        if key is None:
            return None
        text = node_text(parsed, key)
        if key.type in _NAME_KEYS:
            keys.append(text)
            continue
        quoted = _QUOTED.fullmatch(text) if key.type == "string" else None
        if quoted is None:
            return None  # `...other`, `**other`, `[computed]`, a number
        keys.append(quoted.group(2))
    return tuple(keys) or None
