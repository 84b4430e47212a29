"""Facts of an open document, kept per top-level statement.

A statement's facts depend on its own text and on what the rest of the file declares and imports (the
environment, `JsEnv` / `PyEnv`). After an edit, a statement whose text, line prefix and environment are as
before keeps its facts (moved to where it now starts); only the others are read again, and the file's
facts are put together from the parts in the order one extraction of the whole file gives. Typing in
one handler of a long file then costs the statement it is in, not the file.

Not reused: a statement with syntax errors (how it parses depends on what follows it), and any part
after the root node changed type (a file that does not parse at the top has no module level).
"""

from __future__ import annotations

from collections import deque
from typing import Any

from tree_sitter import Node, Tree

from .facts import FileFacts
from .languages import LANGUAGES, LanguageId
from .scan_common import FileScan
from .text import LineIndex

# a statement's text and the text before it on its line: its columns in every unit (bytes, code
# points, UTF-16) follow from that prefix, and a byte column alone misses `const` -> `x😀` before it
Key = tuple[bytes, bytes]
Part = Any  # extract_js.JsPart or extract_py.PyPart: start, line, contribution, signature, ...


def whole_file(scan: FileScan) -> FileFacts:
    """A file's facts extracted as one part: what a scan does, and what per-statement facts equal."""
    kit = LANGUAGES[scan.language].kit()
    extractor = kit.extractor(scan)
    contribution = extractor.contribution()
    env = kit.fold([contribution])
    part = extractor.part(env, contribution, scan.tree.root_node.start_byte, 0)
    return kit.assemble(scan.path, scan.language, scan.source, scan.tree, scan.index, env, [part])


class StatementFacts:
    """The parts of one document's last analysis, in document order."""

    __slots__ = ("parts", "read", "root")

    def __init__(self) -> None:
        self.parts: list[tuple[Key | None, Part]] = []  # no key: not to be reused (it had errors)
        self.read = 0  # statements read in the last analysis (for tests and benchmarks)
        self.root = ""  # the root's type: `program`, or `ERROR` when nothing parses at the top

    def facts(
        self, path: str, language: LanguageId, source: bytes, tree: Tree, index: LineIndex
    ) -> FileFacts:
        kit = LANGUAGES[language].kit()
        pool: dict[Key, deque[Part]] = {}
        if tree.root_node.type == self.root:  # under another root, a statement is not at module level
            for key, part in self.parts:
                if key is not None:
                    pool.setdefault(key, deque()).append(part)
        self.root = tree.root_node.type
        entries: list[tuple[Key | None, Node, Part | None]] = []
        for child in tree.root_node.children:
            start = child.start_byte
            line = index.line_of(start)  # the protocol's line (tree-sitter's rows end at LF only)
            # how a statement with syntax errors parses depends on what follows it: no reuse there
            key = (
                None
                if child.has_error
                else (source[start : child.end_byte], source[index.line_start(line) : start])
            )
            waiting = pool.get(key) if key is not None else None
            kept = waiting.popleft() if waiting else None
            if kept is not None and (kept.start != start or kept.line != line):
                kept = kit.moved(kept, start, line)
            entries.append((key, child, kept))

        def scan(child: Node) -> Any:
            return kit.extractor(FileScan(path, language, source, tree, index, child))

        extractors: dict[int, tuple[Any, Any]] = {}
        contributions = []
        for position, (_, child, kept) in enumerate(entries):
            if kept is None:
                extractor = scan(child)
                extractors[position] = (extractor, extractor.contribution())
                contributions.append(extractors[position][1])
            else:
                contributions.append(kept.contribution)
        env = kit.fold(contributions)
        parts: list[tuple[Key | None, Part]] = []
        for position, (key, child, kept) in enumerate(entries):
            if kept is not None and _still_valid(kept, env):
                parts.append((key, kept))
                continue
            if kept is not None:  # same text, but what it reads from the rest of the file changed
                extractors[position] = (scan(child), kept.contribution)
            extractor, contribution = extractors[position]
            parts.append(
                (key, extractor.part(env, contribution, child.start_byte, index.line_of(child.start_byte)))
            )
        self.parts = parts
        self.read = len(extractors)
        return kit.assemble(path, language, source, tree, index, env, [part for _, part in parts])


def _still_valid(part: Part, env: Any) -> bool:
    if part.signature != env.signature:
        return False
    for name, text in getattr(part, "object_reads", {}).items():  # JavaScript: module objects read
        found = env.objects.get(name)
        if (found[0] if found is not None else None) != text:
            return False
    return True
