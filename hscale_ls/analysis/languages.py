"""The language table: one entry per source language, the only place the engine, the fixes and the
server learn what a language is (grammar, queries, extractor, imports, comments, manifests, files).

Adding a language is an entry here, its extractor module (exporting `KIT`) and its query files under
`queries/`. Parsers and queries are built once per process and cached; the grammars come from the
official `tree-sitter-javascript`, `tree-sitter-typescript` and `tree-sitter-python` wheels.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Set
from dataclasses import dataclass
from functools import cache
from importlib import import_module, resources
from typing import TYPE_CHECKING, Any, Literal

import tree_sitter_javascript
import tree_sitter_python
import tree_sitter_typescript
from tree_sitter import Language, Parser, Query

from .imports import resolve_ecmascript_import, resolve_python_import

if TYPE_CHECKING:
    from .scan_common import ExtractorKit

LanguageId = Literal["javascript", "typescript", "tsx", "python"]
# Languages of one family share an extractor and the code the fixes write ("ecmascript", "python").
Family = Literal["ecmascript", "python"]


@dataclass(frozen=True, slots=True)
class SourceLanguage:
    """Everything the engine, the fixes and the server know about one language."""

    id: LanguageId
    family: Family
    grammar: Callable[[], Any]  # the tree-sitter grammar's `language()` pointer
    queries: tuple[str, ...]  # .scm files under `queries/`, joined in order into the fact query
    extractor: str  # module exporting `KIT` (an `ExtractorKit`); imported when first needed
    resolve_import: Callable[[str, str, Set[str]], str | None]  # importer, specifier, project files
    comment: str  # line comment marker
    suppression: re.Pattern[str]  # group 1: rule ids, group 2: the reason
    suppression_format: str  # a suppression comment, from {rule} and {reason}
    project_markers: tuple[str, ...]  # file names (globs allowed) that make a folder a project
    manifests: tuple[str, ...]  # where the project lists its dependencies (fixes add to them; watched)
    extensions: tuple[str, ...]
    lsp_ids: tuple[str, ...]  # language identifiers editors send for it
    root_type: str  # the tree's root node type (the module level)
    function_types: frozenset[str]  # named function definitions, for fixes that rewrite one
    # every function that can hold statements, anonymous ones included (the function around a statement)
    any_function_types: frozenset[str]
    indent: str  # one level, when the file shows none
    semicolons: bool  # whether statements may end with `;` (the fixes follow the file's habit)

    def kit(self) -> ExtractorKit:
        kit: ExtractorKit = import_module(self.extractor).KIT
        return kit

    def suppression_comment(self, rule: str, reason: str) -> str:
        return self.suppression_format.format(rule=rule, reason=reason)


_JS_SUPPRESSION = re.compile(r"hscale-ignore\s+([\w,\s-]+?)\s*(?:--\s*(.*?))?\s*(?:\*/)?\s*$")
_PY_SUPPRESSION = re.compile(r"hscale:\s*ignore\[([\w,\s-]+)\]\s*(.*?)\s*$")
_JS_FUNCTIONS = frozenset({"function_declaration", "method_definition"})
_JS_ANY_FUNCTIONS = _JS_FUNCTIONS | {
    "function_expression",
    "function",
    "arrow_function",
    "generator_function_declaration",
    "generator_function",
}


def _ecmascript(
    id: LanguageId,
    grammar: Callable[[], Any],
    fields: str,
    extensions: tuple[str, ...],
    lsp_ids: tuple[str, ...],
) -> SourceLanguage:
    return SourceLanguage(
        id=id,
        family="ecmascript",
        grammar=grammar,
        queries=("ecmascript/facts.scm", fields),
        extractor="hscale_ls.analysis.extract_js",
        resolve_import=resolve_ecmascript_import,
        comment="//",
        suppression=_JS_SUPPRESSION,
        suppression_format="// hscale-ignore {rule} -- {reason}",
        project_markers=("package.json",),
        manifests=("package.json",),
        extensions=extensions,
        lsp_ids=lsp_ids,
        root_type="program",
        function_types=_JS_FUNCTIONS,
        any_function_types=_JS_ANY_FUNCTIONS,
        indent="  ",
        semicolons=True,
    )


LANGUAGES: dict[LanguageId, SourceLanguage] = {
    "javascript": _ecmascript(
        "javascript",
        tree_sitter_javascript.language,
        "ecmascript/fields-js.scm",
        (".js", ".mjs", ".cjs", ".jsx"),
        ("javascript", "javascriptreact"),
    ),
    "typescript": _ecmascript(
        "typescript",
        tree_sitter_typescript.language_typescript,
        "ecmascript/fields-ts.scm",
        (".ts", ".mts", ".cts"),
        ("typescript",),
    ),
    "tsx": _ecmascript(
        "tsx",
        tree_sitter_typescript.language_tsx,
        "ecmascript/fields-ts.scm",
        (".tsx",),
        ("typescriptreact",),
    ),
    "python": SourceLanguage(
        id="python",
        family="python",
        grammar=tree_sitter_python.language,
        queries=("python/facts.scm",),
        extractor="hscale_ls.analysis.extract_py",
        resolve_import=resolve_python_import,
        comment="#",
        suppression=_PY_SUPPRESSION,
        suppression_format="# hscale: ignore[{rule}] {reason}",
        project_markers=("pyproject.toml", "setup.py", "manage.py", "setup.cfg", "requirements*.txt"),
        manifests=("pyproject.toml", "requirements*.txt"),
        extensions=(".py",),
        lsp_ids=("python",),
        root_type="module",
        function_types=frozenset({"function_definition"}),
        any_function_types=frozenset({"function_definition"}),  # a lambda holds no statement
        indent="    ",
        semicolons=False,
    ),
}

EXTENSIONS: dict[str, LanguageId] = {ext: lang.id for lang in LANGUAGES.values() for ext in lang.extensions}
# LSP language identifiers that editors send, mapped to our grammars.
LSP_LANGUAGE_IDS: dict[str, LanguageId] = {
    lsp: lang.id for lang in LANGUAGES.values() for lsp in lang.lsp_ids
}


def language_named(name: str) -> SourceLanguage | None:
    """The table entry of a language id read from facts (a plain string there)."""
    return LANGUAGES.get(name)  # type: ignore[call-overload, no-any-return]


def language_for_path(path: str) -> LanguageId | None:
    dot = path.rfind(".")
    if dot == -1:
        return None
    return EXTENSIONS.get(path[dot:].lower())


def source_glob() -> str:
    """One glob matching every source file the engine reads: `**/*.{js,...,py}`."""
    return "**/*.{" + ",".join(ext.lstrip(".") for ext in EXTENSIONS) + "}"


def project_markers() -> tuple[str, ...]:
    """Every language's project markers, each once, in table order."""
    return tuple(dict.fromkeys(m for lang in LANGUAGES.values() for m in lang.project_markers))


def manifests() -> tuple[str, ...]:
    """Every language's dependency manifests, each once, in table order."""
    return tuple(dict.fromkeys(m for lang in LANGUAGES.values() for m in lang.manifests))


@cache
def grammar(language: LanguageId) -> Language:
    return Language(LANGUAGES[language].grammar())


def new_parser(language: LanguageId) -> Parser:
    """A fresh parser; callers that parse concurrently or incrementally keep their own."""
    return Parser(grammar(language))


@cache
def parser(language: LanguageId) -> Parser:
    return new_parser(language)


@cache
def fact_query(language: LanguageId) -> Query:
    folder = resources.files("hscale_ls.analysis") / "queries"
    source = "\n".join((folder / name).read_text(encoding="utf-8") for name in LANGUAGES[language].queries)
    query: Query = Query(grammar(language), source)
    return query
