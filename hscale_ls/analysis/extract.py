"""Parse one file and extract its facts, whatever its language."""

from __future__ import annotations

from tree_sitter import Tree

from .facts import FileFacts
from .languages import LanguageId, parser
from .scan_common import FileScan
from .statements import whole_file
from .text import LineIndex


def parse(source: bytes, language: LanguageId, old_tree: Tree | None = None) -> Tree:
    if old_tree is not None:
        return parser(language).parse(source, old_tree)
    return parser(language).parse(source)


def facts_from_tree(
    path: str, source: bytes, language: LanguageId, tree: Tree, index: LineIndex | None = None
) -> FileFacts:
    return whole_file(FileScan(path, language, source, tree, index))


def file_facts(path: str, source: bytes, language: LanguageId) -> FileFacts:
    return facts_from_tree(path, source, language, parse(source, language))
