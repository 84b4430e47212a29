"""Parse one file and extract its facts, whatever its language."""

from __future__ import annotations

from tree_sitter import Tree

from . import extract_js, extract_py
from .facts import FileFacts
from .languages import LanguageId, is_ecmascript, parser
from .scan_common import FileScan
from .text import LineIndex


def parse(source: bytes, language: LanguageId, old_tree: Tree | None = None) -> Tree:
    if old_tree is not None:
        return parser(language).parse(source, old_tree)
    return parser(language).parse(source)


def facts_from_tree(
    path: str, source: bytes, language: LanguageId, tree: Tree, index: LineIndex | None = None
) -> FileFacts:
    scan = FileScan(path, language, source, tree, index)
    if is_ecmascript(language):
        return extract_js.extract(scan)
    return extract_py.extract(scan)


def file_facts(path: str, source: bytes, language: LanguageId) -> FileFacts:
    return facts_from_tree(path, source, language, parse(source, language))
