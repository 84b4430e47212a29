"""The house style of a file, so inserted code reads as if the project wrote it, and where to put it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from tree_sitter import Node, Tree

from hscale_ls.analysis.extract import parse
from hscale_ls.analysis.languages import LANGUAGES, LanguageId, SourceLanguage, language_for_path


@dataclass(frozen=True, slots=True)
class Style:
    quote: str  # '"' or "'"
    semicolons: bool
    indent: str  # one level
    newline: str  # "\n" or "\r\n"

    def q(self, text: str) -> str:
        return f"{self.quote}{text}{self.quote}"

    @property
    def end(self) -> str:
        return ";" if self.semicolons else ""

    def lines(self, *lines: str) -> str:
        return "".join(line + self.newline for line in lines)


@lru_cache(maxsize=16)
def detect(source: bytes, language: LanguageId) -> Style:
    """The file's quotes, indentation, line ends and (where the language has them) semicolons."""
    entry = LANGUAGES[language]
    text = source.decode("utf-8", errors="replace")
    newline = "\r\n" if "\r\n" in text else "\n"
    doubles = len(re.findall(r'"[^"\n]*"', text))
    singles = len(re.findall(r"'[^'\n]*'", text))
    quote = "'" if singles > doubles else '"'
    indents = re.findall(r"(?m)^([ \t]+)\S", text)
    indent = entry.indent
    if indents:
        if any(i.startswith("\t") for i in indents) and sum(i.startswith("\t") for i in indents) * 2 > len(
            indents
        ):
            indent = "\t"
        else:
            widths = sorted({len(i) for i in indents if not i.startswith("\t")})
            if widths:
                indent = " " * min(w for w in widths if w > 0)
    if not entry.semicolons:
        return Style(quote, False, indent, newline)
    code_lines = [
        line.rstrip() for line in text.splitlines() if line.strip() and not line.strip().startswith("//")
    ]
    ending = [
        line for line in code_lines if line.endswith((")", "]", "'", '"', "`")) or re.search(r"\w$", line)
    ]
    with_semicolon = sum(1 for line in code_lines if line.endswith(";"))
    semicolons = with_semicolon >= max(1, len(ending) // 3) or not code_lines
    return Style(quote, semicolons, indent, newline)


@dataclass(slots=True)
class ParsedSource:
    path: str
    language: LanguageId
    source: bytes
    tree: Tree

    @classmethod
    def of(cls, path: str, source: bytes) -> ParsedSource:
        """Parsed once per content: every fix for every finding of a file starts here."""
        return _parsed(path, source)

    @property
    def language_entry(self) -> SourceLanguage:
        return LANGUAGES[self.language]

    def style(self) -> Style:
        return detect(self.source, self.language)

    def node_at(self, start_byte: int, end_byte: int) -> Node | None:
        return self.tree.root_node.named_descendant_for_byte_range(start_byte, end_byte)

    def statement(self, node: Node) -> Node:
        """The top-level (or block-level) statement containing a node."""
        current = node
        while current.parent is not None and current.parent.type not in {
            "program",
            "module",
            "statement_block",
            "block",
            "class_body",
        }:
            current = current.parent
        return current

    def line_end(self, offset: int) -> int:
        """Offset just past the newline ending the line that contains `offset`."""
        newline = self.source.find(b"\n", offset)
        return len(self.source) if newline == -1 else newline + 1

    def line_start(self, offset: int) -> int:
        return self.source.rfind(b"\n", 0, offset) + 1

    def indentation(self, offset: int) -> str:
        start = self.line_start(offset)
        line = self.source[start:offset]
        return line[: len(line) - len(line.lstrip(b" \t"))].decode("utf-8", "replace")

    def after_imports(self, limit: int | None = None) -> int:
        """Where new imports go: after the last top-level import before `limit` (CommonJS `const`
        bindings must come before their first use), else after the file's leading comments,
        shebang, docstring or "use strict"."""
        limit = len(self.source) if limit is None else limit
        children = self.tree.root_node.named_children
        position = 0
        for child in children:
            if child.end_byte > limit:
                break
            if _is_import(child, self.source):
                position = child.end_byte
        if position == 0:
            for child in children:
                if child.end_byte > limit or not (child.type == "comment" or _is_prologue(child)):
                    break
                position = child.end_byte
        if position == 0:
            return 0
        return self.line_end(position)

    def has_errors(self) -> int:
        return _count_errors(self.tree.root_node)

    def text(self) -> str:
        return self.source.decode("utf-8", errors="replace")


@lru_cache(maxsize=16)
def _parsed(path: str, source: bytes) -> ParsedSource:
    language = language_for_path(path) or "javascript"
    return ParsedSource(path, language, source, parse(source, language))


def _is_prologue(node: Node) -> bool:
    if node.type == "expression_statement" and node.named_children:
        first = node.named_children[0]
        return first.type == "string"  # "use strict" or a module docstring
    return False


def _is_import(node: Node, source: bytes) -> bool:
    if node.type in {"import_statement", "import_from_statement", "future_import_statement"}:
        return True
    if node.type in {"lexical_declaration", "variable_declaration"}:
        text = source[node.start_byte : node.end_byte]
        return b"require(" in text and text.count(b"\n") < 4
    return False


def _count_errors(node: Node) -> int:
    """ERROR and MISSING nodes under `node` (iterative: files can nest thousands deep)."""
    count = 0
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "ERROR" or current.is_missing:
            count += 1
        if current.has_error:
            stack.extend(current.children)
    return count


def unique_name(source: bytes, preferred: str) -> str:
    """`preferred`, or `preferred2`, ... whichever the file does not use yet."""
    name, counter = preferred, 2
    while _used(source, name.encode()):
        name = f"{preferred}{counter}"
        counter += 1
    return name


def _used(source: bytes, name: bytes) -> bool:
    """`name` occurs as a whole word (plain search: a pattern per name would be compiled per finding).
    Only ASCII letters, digits and `_` continue a word, so a doubtful case counts as used."""
    start = source.find(name)
    while start != -1:
        end = start + len(name)
        if not (start and _word(source[start - 1])) and not (end < len(source) and _word(source[end])):
            return True
        start = source.find(name, start + 1)
    return False


def _word(byte: int) -> bool:
    return byte == 95 or 48 <= byte <= 57 or 65 <= byte <= 90 or 97 <= byte <= 122
