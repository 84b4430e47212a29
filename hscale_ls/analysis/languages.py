"""Source languages: file extensions, tree-sitter parsers and the compiled fact queries.

Parsers and queries are built once per process and cached; the grammars come from the official
`tree-sitter-javascript`, `tree-sitter-typescript` and `tree-sitter-python` wheels.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Literal

import tree_sitter_javascript
import tree_sitter_python
import tree_sitter_typescript
from tree_sitter import Language, Parser, Query

LanguageId = Literal["javascript", "typescript", "tsx", "python"]

EXTENSIONS: dict[str, LanguageId] = {
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".py": "python",
}

# LSP language identifiers that editors send, mapped to our grammars.
LSP_LANGUAGE_IDS: dict[str, LanguageId] = {
    "javascript": "javascript",
    "javascriptreact": "javascript",
    "typescript": "typescript",
    "typescriptreact": "tsx",
    "python": "python",
}

# Which .scm files make up each language's fact query, in order.
_QUERY_FILES: dict[LanguageId, tuple[str, ...]] = {
    "javascript": ("ecmascript/facts.scm", "ecmascript/fields-js.scm"),
    "typescript": ("ecmascript/facts.scm", "ecmascript/fields-ts.scm"),
    "tsx": ("ecmascript/facts.scm", "ecmascript/fields-ts.scm"),
    "python": ("python/facts.scm",),
}


def language_for_path(path: str) -> LanguageId | None:
    dot = path.rfind(".")
    if dot == -1:
        return None
    return EXTENSIONS.get(path[dot:].lower())


def is_ecmascript(language: LanguageId) -> bool:
    return language != "python"


@cache
def grammar(language: LanguageId) -> Language:
    if language == "javascript":
        return Language(tree_sitter_javascript.language())
    if language == "typescript":
        return Language(tree_sitter_typescript.language_typescript())
    if language == "tsx":
        return Language(tree_sitter_typescript.language_tsx())
    return Language(tree_sitter_python.language())


def new_parser(language: LanguageId) -> Parser:
    """A fresh parser; callers that parse concurrently or incrementally keep their own."""
    return Parser(grammar(language))


@cache
def parser(language: LanguageId) -> Parser:
    return new_parser(language)


@cache
def fact_query(language: LanguageId) -> Query:
    folder = resources.files("hscale_ls.analysis") / "queries"
    source = "\n".join((folder / name).read_text(encoding="utf-8") for name in _QUERY_FILES[language])
    query: Query = Query(grammar(language), source)
    return query
